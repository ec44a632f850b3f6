//! Time formatting for people: durations ("3 min 12 s") and UTC dates ("2025-11-26T18:00:00Z").
//!
//! No clock and no date crate: the engine is pure and ships as small wasm. The date conversion is Howard
//! Hinnant's `civil_from_days` (public domain, <https://howardhinnant.github.io/date_algorithms.html>).

/// A duration in plain words, sign ignored: `"45 s"`, `"3 min 12 s"`, `"2 h 5 min"`, `"3 d 4 h"`,
/// `"56 years"`. Rounded to the second; units below the second-largest are dropped because nobody reading
/// "3 d 4 h" cares about the seconds.
pub fn human_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "an unknown time".to_owned();
    }
    let total = secs.abs().round();
    if total < 1.0 {
        return if secs == 0.0 {
            "0 s".to_owned()
        } else {
            "less than a second".to_owned()
        };
    }
    const MIN: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 86_400.0;
    const YEAR: f64 = 365.25 * DAY;
    let pair = |big: f64, big_unit: &str, small: f64, small_unit: &str| {
        let b = (total / big).floor();
        let s = ((total - b * big) / small).floor();
        if s == 0.0 {
            format!("{b} {big_unit}")
        } else {
            format!("{b} {big_unit} {s} {small_unit}")
        }
    };
    if total < MIN {
        format!("{total} s")
    } else if total < HOUR {
        pair(MIN, "min", 1.0, "s")
    } else if total < DAY {
        pair(HOUR, "h", MIN, "min")
    } else if total < YEAR {
        pair(DAY, "d", HOUR, "h")
    } else {
        let years = (total / YEAR).floor();
        if years == 1.0 {
            "1 year".to_owned()
        } else {
            format!("{years} years")
        }
    }
}

/// Unix seconds as an ISO 8601 UTC date-time (`2025-11-26T18:00:00Z`); fractional seconds are dropped.
/// `None` for values no calendar can show (not finite, or beyond ±1e13 s, about ±300 000 years).
pub fn iso_utc(secs: f64) -> Option<String> {
    if !secs.is_finite() || secs.abs() > 1e13 {
        return None;
    }
    // In range by the check above, so the cast is exact for the integer part.
    let whole = secs.floor() as i64;
    let days = whole.div_euclid(86_400);
    let rem = whole.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    ))
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(0.0), "0 s");
        assert_eq!(human_duration(0.3), "less than a second");
        assert_eq!(human_duration(45.0), "45 s");
        assert_eq!(human_duration(-45.0), "45 s");
        assert_eq!(human_duration(60.0), "1 min");
        assert_eq!(human_duration(192.0), "3 min 12 s");
        assert_eq!(human_duration(3600.0), "1 h");
        assert_eq!(human_duration(7500.0), "2 h 5 min");
        assert_eq!(
            human_duration(3.0 * 86_400.0 + 4.0 * 3600.0 + 59.0),
            "3 d 4 h"
        );
        assert_eq!(human_duration(2.0 * 365.25 * 86_400.0), "2 years");
        assert_eq!(human_duration(f64::NAN), "an unknown time");
    }

    #[test]
    fn dates_match_known_instants() {
        assert_eq!(iso_utc(0.0).as_deref(), Some("1970-01-01T00:00:00Z"));
        // RFC 7519 example `exp`.
        assert_eq!(
            iso_utc(1_300_819_380.0).as_deref(),
            Some("2011-03-22T18:43:00Z")
        );
        assert_eq!(
            iso_utc(951_782_400.0).as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        assert_eq!(iso_utc(-1.0).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(
            iso_utc(4_102_444_800.0).as_deref(),
            Some("2100-01-01T00:00:00Z")
        );
        assert_eq!(iso_utc(f64::INFINITY), None);
        assert_eq!(iso_utc(1e20), None);
    }
}
