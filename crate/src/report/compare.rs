//! Step 3 the way the guide asks for it: the token's `iss` and `aud` side by side with every provider's
//! domain/issuer and applicationID, after the backend's normalisation, with the characters that differ.
//!
//! The engine decides every cell (`analysis/compare.rs` from `rules/compare.rs`); front ends only draw it: the
//! differing ranges are character positions (Unicode scalar values) in the texts as shown, so a front end cuts
//! the text at those positions and marks the pieces, nothing more.

use serde::Serialize;

use crate::text::diff::{differing_spans, Span};

/// The longest text a cell shows; a longer one is cut to a window around its first difference.
pub const MAX_CELL_CHARS: usize = 120;
/// How many providers the comparison shows at most (the marked one always among them).
pub const MAX_PROVIDERS: usize = 8;
/// Shown where a cell's text was cut.
const CUT: char = '…';

/// The side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Where the providers come from: `auth.config.ts` (given by the user) or `the server's error message`.
    pub config_from: &'static str,
    /// Two rows per provider shown (issuer, then applicationID), in the configuration's order.
    pub rows: Vec<CompareRow>,
    /// Providers not shown (beyond [`MAX_PROVIDERS`]).
    pub providers_left_out: usize,
}

/// One field of one provider against the token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    /// The provider's position in the configuration, from 0.
    pub provider_index: usize,
    /// `oidc` or `customJwt`.
    pub kind: &'static str,
    /// The field as auth.config.ts names it: `domain` (OIDC), `issuer` (customJwt) or `applicationID`.
    pub field: &'static str,
    /// The configured value after the backend's normalisation; empty when unknown or not set (see the note).
    pub expected: String,
    /// The token's value after the backend's normalisation (`iss`), or its audience closest to the expected one;
    /// empty when the claim is absent (see the note).
    pub actual: String,
    /// Equal for the backend; `None` when the configured value reads a variable whose value is not known.
    pub matches: Option<bool>,
    /// Character ranges of `expected` that `actual` does not share.
    pub expected_diff: Vec<Span>,
    /// Character ranges of `actual` that `expected` does not share.
    pub actual_diff: Vec<Span>,
    /// `matched`: the provider the backend picks; `near`: the one it would pick but for this one field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<&'static str>,
    /// What the configured side means when it is not a plain value, or how it was written before normalising.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_note: Option<String>,
    /// The same for the token's side (`iss` as written, the other audiences, an absent claim).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_note: Option<String>,
    /// A text was cut to [`MAX_CELL_CHARS`] around its first difference.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shortened: bool,
}

impl CompareRow {
    /// Sets both texts (cut to [`MAX_CELL_CHARS`] when longer) and works out their differing ranges; empty texts
    /// (an unknown or absent value) have none.
    pub fn set_texts(&mut self, expected: &str, actual: &str) {
        let (e, a, cut) = shown_pair(expected, actual);
        self.shortened = cut;
        if e.is_empty() || a.is_empty() || self.matches.is_none() {
            self.expected_diff.clear();
            self.actual_diff.clear();
        } else {
            (self.expected_diff, self.actual_diff) = differing_spans(&e, &a);
        }
        self.expected = e;
        self.actual = a;
    }
}

/// The two texts as shown: each cut, when longer than [`MAX_CELL_CHARS`], to a window starting a little before
/// where they first differ (the same start for both, so the shared start still lines up).
fn shown_pair(expected: &str, actual: &str) -> (String, String, bool) {
    let long = |s: &str| s.chars().count() > MAX_CELL_CHARS;
    if !long(expected) && !long(actual) {
        return (expected.to_owned(), actual.to_owned(), false);
    }
    let first_diff = expected
        .chars()
        .zip(actual.chars())
        .take_while(|(x, y)| x == y)
        .count();
    let start = first_diff.saturating_sub(MAX_CELL_CHARS / 4);
    let window = |s: &str| -> String {
        let total = s.chars().count();
        let mut out = String::new();
        if start > 0 && total > 0 {
            out.push(CUT);
        }
        out.extend(s.chars().skip(start).take(MAX_CELL_CHARS));
        if total > start + MAX_CELL_CHARS {
            out.push(CUT);
        }
        out
    };
    (window(expected), window(actual), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(matches: Option<bool>) -> CompareRow {
        CompareRow {
            provider_index: 0,
            kind: "oidc",
            field: "domain",
            expected: String::new(),
            actual: String::new(),
            matches,
            expected_diff: vec![],
            actual_diff: vec![],
            marker: None,
            expected_note: None,
            actual_note: None,
            shortened: false,
        }
    }

    #[test]
    fn long_texts_are_cut_around_their_first_difference() {
        let base = "https://example.com/".to_owned() + &"a".repeat(300);
        let mut r = row(Some(false));
        r.set_texts(&(base.clone() + "X"), &(base + "Y"));
        assert!(r.shortened);
        assert!(r.expected.chars().count() <= MAX_CELL_CHARS + 2);
        let e: Vec<char> = r.expected.chars().collect();
        let [s, t] = r.expected_diff[0];
        assert_eq!(e[s..t].iter().collect::<String>(), "X");
    }

    #[test]
    fn an_unknown_value_has_no_spans() {
        let mut r = row(None);
        r.set_texts("", "https://a.example.com");
        assert!(r.expected_diff.is_empty() && r.actual_diff.is_empty());
    }
}
