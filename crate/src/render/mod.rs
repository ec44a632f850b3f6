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

/// A token group as the text renderers lay it out: a heading when the group has earlier tokens, the latest token
/// in full, and one line for each earlier one. Both renderers walk this, so they show the same things.
pub(crate) struct GroupView<'a> {
    pub title: Option<String>,
    pub latest: &'a TokenView,
    pub earlier: Vec<String>,
}

/// The report's token groups as [`GroupView`]s, in the report's order (a group whose latest token is missing
/// is left out).
pub(crate) fn group_views(report: &Report) -> impl Iterator<Item = GroupView<'_>> {
    report.token_groups.iter().filter_map(|g| {
        let (&latest, earlier) = g.tokens.split_last()?;
        let latest = report.tokens.get(latest)?;
        Some(GroupView {
            title: (!earlier.is_empty()).then(|| group_title(report, g)),
            latest,
            earlier: earlier
                .iter()
                .filter_map(|&i| report.tokens.get(i))
                .map(|t| earlier_line(t, &g.varying))
                .collect(),
        })
    })
}

/// A group's heading: `4 tokens, latest sent 2026-11-29T08:35:24Z, rejected`, with the earlier ones' other
/// outcomes when they differ, and what differs between them.
fn group_title(report: &Report, g: &TokenGroup) -> String {
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
fn earlier_line(t: &TokenView, varying: &[String]) -> String {
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

/// A JSON value as one line of text a person reads: a string as itself, a list as its items comma-separated,
/// an object as `name value` pairs (a provider as `provider 1 (oidc): domain …, applicationID …`), never as JSON.
pub(crate) fn value_text(v: &serde_json::Value) -> String {
    readable("", v, None)
}

/// An evidence value as a person reads it: a Unix time as its UTC date plus how long before or after the latest
/// token was sent (`2026-11-29T10:08:47Z, 0.9 s after the token was sent`); lists, objects and providers as
/// [`value_text`] says.
pub(crate) fn evidence_text(key: &str, v: &serde_json::Value, sent_at: Option<f64>) -> String {
    readable(key, v, sent_at)
}

/// How deep nested objects are shown before `…` (evidence is the engine's own, shallow; this is a bound).
const MAX_DEPTH: usize = 4;

fn readable(key: &str, v: &serde_json::Value, sent_at: Option<f64>) -> String {
    readable_at(key, v, sent_at, 0)
}

fn readable_at(key: &str, v: &serde_json::Value, sent_at: Option<f64>, depth: usize) -> String {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return "…".to_owned();
    }
    if let Some(t) = v.as_f64().filter(|_| is_time_key(key)) {
        if let Some(text) = time_text(key, t, sent_at) {
            return text;
        }
    }
    match v {
        Value::Null => "(none)".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "(none)".to_owned(),
        Value::Array(items) => {
            let sep = if items.iter().any(Value::is_object) {
                "; "
            } else {
                ", "
            };
            items
                .iter()
                .map(|i| readable_at(key, i, sent_at, depth + 1))
                .collect::<Vec<_>>()
                .join(sep)
        }
        Value::Object(o) => {
            if let Some(text) = provider_text(o) {
                return text;
            }
            if let Some(text) = env_value_text(o) {
                return text;
            }
            o.iter()
                .map(|(k, v)| format!("{k} {}", readable_at(k, v, sent_at, depth + 1)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// Is `key` the name of a time (Unix seconds) in the engine's evidence or a token's claims?
fn is_time_key(key: &str) -> bool {
    key == "time" || key.ends_with("_at") || matches!(key, "exp" | "iat" | "nbf")
}

/// A Unix time as its date and its distance from when the token was sent; `None` when it is no date.
fn time_text(key: &str, t: f64, sent_at: Option<f64>) -> Option<String> {
    // Seconds since 1970 between 2001 and 5138: anything else is not a date (a count, milliseconds).
    if !(1e9..1e11).contains(&t) {
        return None;
    }
    let date = iso_date(t);
    Some(match sent_at {
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
    })
}

/// A provider as the engine's evidence carries it (`{index, type, issuer, application_id}`) in one line.
fn provider_text(o: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let index = o.get("index")?.as_u64()?;
    let kind = o.get("type")?.as_str()?;
    let field = if kind == "oidc" { "domain" } else { "issuer" };
    let issuer = o
        .get("issuer")
        .map_or_else(String::new, |v| readable(field, v, None));
    let app = match o.get("application_id") {
        None | Some(serde_json::Value::Null) => "(not set)".to_owned(),
        Some(v) => readable("applicationID", v, None),
    };
    Some(format!(
        "provider {} ({kind}): {field} {issuer}, applicationID {app}",
        index + 1
    ))
}

/// A configured value read from the environment (`{env, value}`): its value and where it comes from.
fn env_value_text(o: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let env = o.get("env")?;
    let names = readable("env", env, None);
    Some(match o.get("value") {
        Some(serde_json::Value::String(v)) => format!("{v} (from {names})"),
        _ => format!("{names} (value not known)"),
    })
}
