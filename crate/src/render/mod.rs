//! Renderers of a report: text for a terminal, markdown for a support thread. Pure functions to `String`.
//!
//! Everything in a report that came from a token, a frame, a config or a server is attacker-controlled. Every
//! renderer passes each text through [`crate::text::redact::visible`] (tokens redacted; controls, bidi and other format
//! characters escaped) — the JSON report and the panel get the same from [`crate::analysis::Session::report`] —
//! and the markdown renderer also puts values in code spans and escapes markup in prose.

mod compare;

use crate::report::{Report, TokenGroup, TokenView};
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

/// A group's heading: `4 tokens, latest sent 2026-11-29T08:35:24Z, rejected`, with the earlier ones' other
/// outcomes when they differ, and what differs between them.
pub(crate) fn group_title(report: &Report, g: &TokenGroup) -> String {
    let latest = g.tokens.last().and_then(|&i| report.tokens.get(i));
    let sent = latest.map(|t| iso_date(t.sent_at)).unwrap_or_default();
    let outcome = g.outcomes.first().map_or("", |(o, _)| o);
    let mut title = format!("{} tokens, latest sent {sent}, {outcome}", g.tokens.len());
    if g.outcomes.len() > 1 {
        let others: Vec<String> = g.outcomes.iter().map(|(o, n)| format!("{n} {o}")).collect();
        title.push_str(&format!(" (in all: {})", others.join(", ")));
    }
    if !g.varying.is_empty() {
        title.push_str(&format!("; they differ only in {}", g.varying.join(", ")));
    }
    title
}

/// An earlier token of a group in one line: when it was sent, how it fared, and its values of the varying claims.
pub(crate) fn earlier_line(t: &TokenView, varying: &[String]) -> String {
    let values: Vec<String> = varying
        .iter()
        .filter_map(|k| {
            let v = t.payload.get(k)?;
            let text: String = evidence_text(k, v, Some(t.sent_at))
                .chars()
                .take(60)
                .collect();
            Some(format!("{k} {text}"))
        })
        .collect();
    format!(
        "sent {}, {}: {}",
        iso_date(t.sent_at),
        t.outcome,
        values.join("; ")
    )
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
