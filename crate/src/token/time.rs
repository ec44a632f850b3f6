//! Time formatting for people: durations ("3 min 12 s") and UTC dates ("2025-11-26T18:00:00Z").
//!
//! No clock and no date crate: the engine is pure and ships as small wasm. The calendar arithmetic is in
//! `text/date.rs`.

use crate::text::date::civil_from_days;

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
            format!("{} {big_unit}", plain_number(b))
        } else {
            format!(
                "{} {big_unit} {} {small_unit}",
                plain_number(b),
                plain_number(s)
            )
        }
    };
    if total < MIN {
        format!("{} s", plain_number(total))
    } else if total < HOUR {
        pair(MIN, "min", 1.0, "s")
    } else if total < DAY {
        pair(HOUR, "h", MIN, "min")
    } else if total < YEAR {
        pair(DAY, "d", HOUR, "h")
    } else {
        let years = (total / YEAR).floor();
        // Past this, digits say nothing a person can use (1e308 s would print 300 of them).
        if years >= 1e6 {
            return "more than a million years".to_owned();
        }
        if years == 1.0 {
            "1 year".to_owned()
        } else {
            format!("{} years", plain_number(years))
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

/// A number exactly as `format!("{x}")` writes an `f64` (shortest digits that read back as `x`, plain
/// notation, no exponent: `1e20` → `100000000000000000000`, `0.5`, `-0`, `NaN`, `inf`), without core's float
/// formatter: that formatter (Grisu + Dragon4, about 17 KB) was in the wasm module only for these few texts,
/// while serde_json's own shortest-digits writer is there anyway for the report. Its digits are reused here
/// and only the notation is changed. Whole numbers below 2^53 come out exactly as `Display` writes them; for
/// other values the two writers differ only when two shortest digit strings are exactly equally close (then
/// the last digit may differ by one): both read back as `x`. A test compares the two over many values.
pub fn plain_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_owned();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    // Finite, so `from_f64` gives a number; its text is `d.ddd`, `d.ddde±NN` or `ddd.d` (zmij's notation).
    let text = serde_json::Number::from_f64(x.abs())
        .map(|n| n.to_string())
        .unwrap_or_default();
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text.as_str(), 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // All digits, and where the decimal point falls in them.
    let digits: String = int.chars().chain(frac.chars()).collect();
    let mut point = int.len() as i32 + exp;
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let digits = digits.trim_start_matches('0').trim_end_matches('0');
    point -= lead as i32;
    if digits.is_empty() {
        return format!("{sign}0");
    }
    let len = digits.len() as i32;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point >= len {
        format!("{digits}{}", "0".repeat((point - len) as usize))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
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

    /// `plain_number` writes what `format!("{}")` writes: exactly for whole numbers below 2^53 (every duration a
    /// person reads) and the edge values; for the rest, the same shortest digits except where two shortest
    /// candidates are exactly equally close (e.g. `667082108456853.25`), which the two writers break differently.
    #[test]
    fn plain_number_writes_what_display_writes() {
        let fixed = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            0.1,
            1e-7,
            123.456,
            1e15,
            1e16,
            1e20,
            1.2345678901234567e25,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1_764_180_000.25,
            1e13 + 0.5,
            9_007_199_254_740_991.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for x in fixed {
            assert_eq!(plain_number(x), format!("{x}"), "{x:e}");
        }
        // A simple LCG walks bit patterns: every exponent and many mantissas, both signs.
        let mut bits: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut ties = 0;
        for _ in 0..200_000 {
            bits = bits
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let x = f64::from_bits(bits);
            let (ours, display) = (plain_number(x), format!("{x}"));
            if ours != display {
                ties += 1;
                assert_eq!(ours.parse::<f64>().ok(), Some(x), "{bits:#x}");
                assert_eq!(ours.len(), display.len(), "{bits:#x}");
            }
            let whole = (x % 9_007_199_254_740_992.0).trunc();
            if whole.is_finite() {
                assert_eq!(plain_number(whole), format!("{whole}"), "{bits:#x}");
            }
        }
        assert!(ties < 2_000, "{ties} values differ");
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
