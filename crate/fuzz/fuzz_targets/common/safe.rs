//! What the fuzz targets that render a report assert of it. Included with `#[path]`: cargo-fuzz builds each target
//! named in Cargo.toml as a binary of its own, so code two targets share lives in a folder beside them.
use convex_auth_doctor::redact;

/// Every output is already what [`redact::visible`] makes of it: no raw control or format character, nothing
/// JWT-shaped, in the text and markdown reports and in every string of the JSON report (as the panel reads it).
pub fn safe_to_show(report: &convex_auth_doctor::report::Report) {
    for out in [
        convex_auth_doctor::render::text(report),
        convex_auth_doctor::render::markdown(report),
    ] {
        assert_eq!(
            redact::visible(&out),
            out,
            "a report shows something unsafe"
        );
    }
    let json = serde_json::to_value(report).unwrap_or_default();
    strings_safe(&json);
}

fn strings_safe(v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            assert_eq!(
                &redact::visible(s),
                s,
                "the JSON report shows something unsafe"
            )
        }
        serde_json::Value::Array(items) => items.iter().for_each(strings_safe),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            assert_eq!(
                &redact::visible(k),
                k,
                "the JSON report shows something unsafe"
            );
            strings_safe(v);
        }),
        _ => {}
    }
}
