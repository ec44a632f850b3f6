//! What the extension's `DoctorSession` does with captured events (wasm.rs `pushEvent`): one JSON event per line,
//! then every answer the panel asks for. A first line `config` applies a fixture configuration first.
#![no_main]
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::Event;
use convex_auth_doctor::redact;
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = include_str!("../../tests/fixtures/configs/custom_jwt.ts");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut session = Session::new();
    let mut lines = text.lines().peekable();
    if lines.peek() == Some(&"config") {
        lines.next();
        let _ = session.set_config_source(CONFIG, &Env::new());
    }
    for line in lines {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Ok(event) = Event::from_json(value) {
            session.push(event);
        }
    }
    let report = session.report();
    safe_to_show(&report);
    let _ = session.key_requests();
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
