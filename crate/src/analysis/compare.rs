//! The report's step-3 comparison ([`crate::report::Comparison`]) from the rules' field checks
//! ([`crate::rules::compare`]): what each cell says, bounded to [`MAX_PROVIDERS`] providers.

use crate::config::{AuthConfig, ConfigSource};
use crate::report::{CompareRow, Comparison, MAX_PROVIDERS};
use crate::rules::compare::{compare, FieldCheck, ProviderCheck};
use crate::token::DecodedToken;

/// The comparison for `token` against `config`; `None` when the configuration has no providers.
pub(super) fn comparison(config: &AuthConfig, token: &DecodedToken) -> Option<Comparison> {
    let checks = compare(config, token);
    if checks.is_empty() {
        return None;
    }
    let shown = shown(&checks);
    let rows = shown
        .iter()
        .flat_map(|c| {
            [
                row(c, &c.issuer, "iss", "the token has no iss claim"),
                row(c, &c.application_id, "aud", "the token has no aud claim"),
            ]
        })
        .collect();
    Some(Comparison {
        config_from: match config.source {
            ConfigSource::ServerMessage => "the server's error message",
            ConfigSource::User => "auth.config.ts",
        },
        rows,
        providers_left_out: checks.len() - shown.len(),
    })
}

/// The providers shown: the marked one always, then the others in order, [`MAX_PROVIDERS`] in all.
fn shown(checks: &[ProviderCheck]) -> Vec<&ProviderCheck> {
    let mut out: Vec<&ProviderCheck> = checks.iter().filter(|c| c.marker.is_some()).collect();
    for c in checks.iter().filter(|c| c.marker.is_none()) {
        if out.len() >= MAX_PROVIDERS {
            break;
        }
        out.push(c);
    }
    out.truncate(MAX_PROVIDERS);
    out.sort_by_key(|c| c.index);
    out
}

/// The longest value a note quotes.
const NOTE_CHARS: usize = 120;

/// `s` cut to `max` characters, marked where cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        s.chars().take(max).chain(['…']).collect()
    } else {
        s.to_owned()
    }
}

/// At most a few audiences, each cut short: a token may carry any number of them.
fn short_list(items: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut out: Vec<String> = items.iter().take(SHOWN).map(|a| cut(a, 60)).collect();
    if items.len() > SHOWN {
        out.push(format!("and {} more", items.len() - SHOWN));
    }
    out.join(", ")
}

fn row(p: &ProviderCheck, f: &FieldCheck, claim: &str, absent: &str) -> CompareRow {
    let expected_note = match (&f.configured, &f.expected) {
        _ if !f.unresolved.is_empty() => Some(format!(
            "reads {}, whose {} not known here",
            f.unresolved.join(", "),
            if f.unresolved.len() == 1 {
                "value is"
            } else {
                "values are"
            }
        )),
        (None, _) if f.field == "applicationID" => Some("not set: any aud is accepted".to_owned()),
        (Some(raw), Some(norm)) if raw != norm => Some(format!("written {}", cut(raw, NOTE_CHARS))),
        _ => None,
    };
    let mut actual_note = match (&f.token_raw, &f.actual) {
        (None, _) => Some(absent.to_owned()),
        (Some(raw), Some(norm)) if raw != norm => {
            Some(format!("{claim} is {}", cut(raw, NOTE_CHARS)))
        }
        _ => None,
    };
    if !f.other_audiences.is_empty() {
        let others = format!("other audiences: {}", short_list(&f.other_audiences));
        actual_note = Some(match actual_note {
            Some(n) => format!("{n}; {others}"),
            None => others,
        });
    }
    let mut r = CompareRow {
        provider_index: p.index,
        kind: p.kind,
        field: f.field,
        expected: String::new(),
        actual: String::new(),
        matches: f.matches,
        expected_diff: Vec::new(),
        actual_diff: Vec::new(),
        marker: p.marker.map(|m| m.as_str()),
        expected_note,
        actual_note,
        shortened: false,
    };
    r.set_texts(
        f.expected.as_deref().unwrap_or_default(),
        f.actual.as_deref().unwrap_or_default(),
    );
    r
}
