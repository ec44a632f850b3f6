//! The report of `shared/spec/findings.md`: steps, the cause step, findings, tokens (redacted), deployments.

use crate::findings::{Finding, Status};
use std::borrow::Cow;

use crate::text::redact::{visible_cow, visible_with, Secrets};
use serde::Serialize;
use serde_json::{Map, Value};

mod compare;

pub use compare::{CompareRow, Comparison, MAX_CELL_CHARS, MAX_PROVIDERS};

/// One of the guide's three steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepVerdict {
    pub step: u8,
    pub status: Status,
    /// One sentence; for `unknown`, what would settle it.
    pub summary: String,
}

/// A token as the report shows it: header and payload in full, the signature always redacted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenView {
    /// `ws`, `http` or `input`.
    pub source: &'static str,
    /// When it was sent (Unix seconds), or the `--now` it was judged at.
    pub sent_at: f64,
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    pub signature: &'static str,
    /// Each claim explained, as jwt.io would show it and more (times as dates, relative to when it was sent).
    pub claims: Vec<crate::token::ClaimNote>,
    /// What the backend did with it: `accepted`, `rejected`, `expired during the session`, `no answer seen`.
    pub outcome: &'static str,
}

/// Tokens that share everything but per-token ids (`jti`, `nonce`, …) and times: the client fetching the same
/// identity again (a refresh, a retry after a refusal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenGroup {
    /// Indices into [`Report::tokens`], oldest first; the last is the latest, shown expanded.
    pub tokens: Vec<usize>,
    /// The claims whose values differ inside the group (`jti`, `iat`, `exp`, …), in the latest token's order.
    pub varying: Vec<String>,
    /// How many of the group's tokens had each outcome: the latest token's outcome first, then the others, most
    /// frequent first (one entry when all agree).
    pub outcomes: Vec<(&'static str, usize)>,
}

/// The whole verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub doctor: &'static str,
    /// One sentence: which step breaks and why, or that all is well (extends the spec; the panel's top line).
    pub verdict: String,
    pub steps: Vec<StepVerdict>,
    /// The step where the cause lies (the guide's decision tree); `None` when all is well.
    pub cause_step: Option<u8>,
    pub findings: Vec<Finding>,
    pub tokens: Vec<TokenView>,
    /// The tokens as a person reads them: those that differ only in per-token ids and times are one group
    /// (extends the spec). Every index of `tokens` is in exactly one group; groups in the order of their latest
    /// token, so the last group holds the token the verdict is about.
    pub token_groups: Vec<TokenGroup>,
    /// Step 3 side by side: the token's `iss`/`aud` against every provider (extends the spec); `None` when the
    /// configuration or a decodable token is not known.
    pub comparison: Option<Comparison>,
    pub deployments: Vec<String>,
    /// A timeline per connection, for the panel (not part of the spec's minimum; extends it).
    pub timeline: Vec<TimelineItem>,
}

/// One line of a connection's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineItem {
    /// The socket id, or `http`.
    pub connection: String,
    pub time: f64,
    /// `connect`, `authenticate`, `confirmed`, `auth_error`, `close`, `http`, `navigated`, …
    pub kind: &'static str,
    /// Plain words.
    pub text: String,
}

impl Report {
    /// The worst severity among findings is `fail`.
    pub fn has_failure(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == crate::findings::Severity::Fail)
    }
}

impl Report {
    /// The report with every text made safe to show (see [`crate::text::redact`]): tokens and signatures redacted,
    /// controls and format characters escaped, in every string it carries (claims, evidence, server texts,
    /// timeline). [`crate::analysis::Session::report`] returns reports already made safe.
    pub fn made_safe(mut self, secrets: &Secrets) -> Report {
        let v = |s: &mut String| safe_string(s, secrets);
        v(&mut self.verdict);
        for s in &mut self.steps {
            v(&mut s.summary);
        }
        for f in &mut self.findings {
            v(&mut f.message);
            f.evidence = safe_map(std::mem::take(&mut f.evidence), secrets);
            f.causes.iter_mut().for_each(v);
            if let Some(fix) = &mut f.fix {
                v(&mut fix.action);
                fix.command.iter_mut().for_each(v);
                for place in &mut fix.places {
                    v(&mut place.label);
                    place.url.iter_mut().for_each(v);
                    place.hint.iter_mut().for_each(v);
                }
            }
        }
        for t in &mut self.tokens {
            t.header = safe_map(std::mem::take(&mut t.header), secrets);
            t.payload = safe_map(std::mem::take(&mut t.payload), secrets);
            for c in &mut t.claims {
                v(&mut c.name);
                v(&mut c.explanation);
                safe_value(&mut c.value, secrets);
            }
        }
        for d in &mut self.deployments {
            v(d);
        }
        if let Some(c) = &mut self.comparison {
            c.rows.iter_mut().for_each(|r| safe_row(r, secrets));
        }
        for g in &mut self.token_groups {
            g.varying.iter_mut().for_each(v);
        }
        for item in &mut self.timeline {
            v(&mut item.connection);
            v(&mut item.text);
        }
        self
    }
}

/// A comparison row's texts made safe; its differing ranges worked out again when that changed a text (they are
/// positions in the text as shown).
fn safe_row(row: &mut CompareRow, secrets: &Secrets) {
    let expected = visible_cow(&row.expected, secrets);
    let actual = visible_cow(&row.actual, secrets);
    if matches!(expected, Cow::Owned(_)) || matches!(actual, Cow::Owned(_)) {
        let (e, a) = (expected.into_owned(), actual.into_owned());
        let was_cut = row.shortened;
        row.set_texts(&e, &a);
        row.shortened |= was_cut;
    }
    for note in [&mut row.expected_note, &mut row.actual_note] {
        note.iter_mut().for_each(|s| safe_string(s, secrets));
    }
}

/// Replaced only when something changes (most strings stay as they are).
fn safe_string(s: &mut String, secrets: &Secrets) {
    if let Cow::Owned(safe) = visible_cow(s, secrets) {
        *s = safe;
    }
}

fn safe_map(mut map: Map<String, Value>, secrets: &Secrets) -> Map<String, Value> {
    map.values_mut().for_each(|v| safe_value(v, secrets));
    // Keys are the engine's own names or claim names; rebuilt (order kept) only when one must change.
    if map
        .keys()
        .all(|k| matches!(visible_cow(k, secrets), Cow::Borrowed(_)))
    {
        return map;
    }
    map.into_iter()
        .map(|(k, value)| (visible_with(&k, secrets), value))
        .collect()
}

fn safe_value(value: &mut Value, secrets: &Secrets) {
    match value {
        Value::String(s) => safe_string(s, secrets),
        Value::Array(items) => items.iter_mut().for_each(|i| safe_value(i, secrets)),
        Value::Object(map) => *map = safe_map(std::mem::take(map), secrets),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
