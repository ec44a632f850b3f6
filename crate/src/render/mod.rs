//! Renderers of a report: text for a terminal, markdown for a support thread. Pure functions to `String`.
//!
//! Everything in a report that came from a token, a frame, a config or a server is attacker-controlled. Every
//! renderer passes each text through [`crate::text::redact::visible`] (tokens redacted; controls, bidi and other format
//! characters escaped) — the JSON report and the panel get the same from [`crate::analysis::Session::report`] —
//! and the markdown renderer also puts values in code spans and escapes markup in prose.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::text;

/// The question each step answers, as the guide words it.
pub fn step_title(step: u8) -> &'static str {
    match step {
        1 => "Does the backend see an identity?",
        2 => "Does the client send a valid JWT?",
        _ => "Does the backend configuration match the token?",
    }
}

/// A Unix time as an ISO 8601 UTC date (`2026-11-26T19:52:40Z`); the number itself when out of range.
pub fn iso_date(unix: f64) -> String {
    crate::token::iso_utc(unix).unwrap_or_else(|| crate::token::time::plain_number(unix))
}

/// A JSON value as one line of text.
pub(crate) fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
