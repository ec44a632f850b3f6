//! What the extension's `DoctorSession` does with captured events (wasm.rs `pushEvent`): one JSON event per line,
//! then every answer the panel asks for. A first line `config` applies a fixture configuration first.
#![no_main]
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::Event;
use libfuzzer_sys::fuzz_target;

#[path = "common/safe.rs"]
mod safe;
use safe::safe_to_show;

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
