//! Renderers of a report: text for a terminal, markdown for a support thread. Pure functions to `String`.
//!
//! Everything in a report that came from a token or a frame is attacker-controlled: the text renderer escapes
//! control characters (no terminal escape sequences get through), the markdown renderer puts values in code spans.

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

/// A Unix time as an ISO 8601 UTC date (`2026-11-26T19:52:40Z`), without a date library.
pub fn iso_date(unix: f64) -> String {
    if !unix.is_finite() || unix.abs() > 1e13 {
        return format!("{unix}");
    }
    let secs = unix.floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// A JSON value as one line of text.
pub(crate) fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::iso_date;

    #[test]
    fn iso_dates_match_known_instants() {
        assert_eq!(iso_date(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_date(1_764_180_000.0), "2025-11-26T18:00:00Z");
        assert_eq!(iso_date(951_782_400.0), "2000-02-29T00:00:00Z");
        assert_eq!(iso_date(-86_400.0), "1969-12-31T00:00:00Z");
    }
}
