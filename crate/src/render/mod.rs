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

/// An evidence value as a person reads it: a Unix time as its UTC date plus how long before or after the latest
/// token was sent (`2026-11-29T10:08:47Z, 0.9 s after the token was sent`); a list of strings comma-separated;
/// anything else as [`value_text`].
pub(crate) fn evidence_text(key: &str, v: &serde_json::Value, sent_at: Option<f64>) -> String {
    let timeish = key == "time" || key.ends_with("_at") || matches!(key, "exp" | "iat" | "nbf");
    if let (true, Some(t)) = (timeish, v.as_f64()) {
        // Seconds since 1970 between 2001 and 5138: anything else is not a date (a count, milliseconds).
        if (1e9..1e11).contains(&t) {
            let date = iso_date(t);
            return match sent_at {
                Some(s) if key != "sent_at" && (t - s).abs() >= 0.5 => {
                    let side = if t < s { "before" } else { "after" };
                    format!(
                        "{date}, {} {side} the token was sent",
                        crate::token::time::human_duration(t - s)
                    )
                }
                Some(s) if key != "sent_at" && (t - s).abs() < 0.5 => {
                    format!("{date}, when the token was sent")
                }
                _ => date,
            };
        }
    }
    if let Some(items) = v.as_array() {
        if items.iter().all(serde_json::Value::is_string) {
            let list: Vec<&str> = items.iter().filter_map(serde_json::Value::as_str).collect();
            return list.join(", ");
        }
    }
    value_text(v)
}
