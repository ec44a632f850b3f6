//! The token decoder, then the whole report for a token given on the command line (checks, explanations,
//! every renderer), as `convex-auth-doctor token -` would make it.
#![no_main]
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::redact;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = convex_auth_doctor::token::decode(&text);
    let mut session = Session::new();
    session.add_input_token(&text, 1_764_180_000.0);
    safe_to_show(&session.report());
});

/// Every output is already what [`redact::visible`] makes of it: no raw control or format character, nothing
/// JWT-shaped, in the text and markdown reports and in every string of the JSON report (as the panel reads it).
fn safe_to_show(report: &convex_auth_doctor::report::Report) {
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
