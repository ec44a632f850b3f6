//! What a report may show of a text that came from outside (token claims, headers, configs, server texts, log
//! lines): one function, [`visible`], used for every string of a report before any renderer or the panel sees it.
//!
//! Two jobs, in this order:
//! - **Credentials out.** Tokens are credentials, and server texts, `FatalError`s and log lines may quote them.
//!   Every JWT-shaped run (a base64url segment that decodes to the start of a JSON object, then more
//!   dot-separated segments: JWS, JWE, or a token cut after its payload began) becomes `[token redacted]`; a long mixed-case base64url run on its own
//!   (a signature quoted alone) becomes `[signature redacted]`; texts the caller knows are secret (the tokens the
//!   session saw, and their signatures) are redacted wherever they appear, whatever their shape.
//! - **Nothing that drives a terminal or reorders text.** C0 and C1 controls (except the line feed), DEL, and
//!   Unicode format characters (bidi embeddings, overrides and isolates, marks such as U+200E/F and U+061C,
//!   zero-width characters, the BOM, tag characters) and line/paragraph separators are written as `\u{…}`. A
//!   `textContent` panel is safe from markup, not from U+202E, so the report carries the escaped form.
//!
//! Idempotent: the output holds nothing it would change again, so renderers may apply it to a report that
//! already went through it.

use std::borrow::Cow;

use super::base64::{Alphabet, Base64};

/// What replaces a JWT-shaped run or a known token.
pub const TOKEN_REDACTED: &str = "[token redacted]";
/// What replaces a known token's signature quoted on its own.
pub const SIGNATURE_REDACTED: &str = "[signature redacted]";
/// What replaces a known secret value (a secret-named environment variable's value).
pub const SECRET_REDACTED: &str = "[secret redacted]";
/// Known secret values shorter than this are not searched for (they would redact ordinary words); the code that
/// holds them never puts them into a report in the first place.
const MIN_SECRET_VALUE_LEN: usize = 8;
/// Known secrets shorter than this are not searched for (a short "signature" would redact ordinary words).
const MIN_SECRET_LEN: usize = 16;

/// Texts to redact wherever they appear: whole tokens and their signatures.
#[derive(Debug, Default, Clone)]
pub struct Secrets {
    tokens: Vec<String>,
    signatures: Vec<String>,
    values: Vec<String>,
}

impl Secrets {
    /// Adds a token as sent (trimmed), and its signature segment when it has three or more parts.
    pub fn add_token(&mut self, token: &str) {
        let token = token.trim();
        if token.len() >= MIN_SECRET_LEN && !self.tokens.iter().any(|t| t == token) {
            self.tokens.push(token.to_owned());
        }
        if let Some(sig) = token.split('.').nth(2) {
            if sig.len() >= MIN_SECRET_LEN && !self.signatures.iter().any(|s| s == sig) {
                self.signatures.push(sig.to_owned());
            }
        }
        // Longest first, so that a token is replaced whole before its signature could be.
        self.tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
    }

    /// Adds a secret value (trimmed), such as an environment variable's whose name says it is a secret.
    pub fn add_secret(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= MIN_SECRET_VALUE_LEN && !self.values.iter().any(|v| v == value) {
            self.values.push(value.to_owned());
            self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }
}

/// The text as a report may show it: JWT-shaped runs redacted, controls and format characters escaped.
pub fn visible(text: &str) -> String {
    visible_with(text, &Secrets::default())
}

/// [`visible`], also redacting the given secrets.
pub fn visible_with(text: &str, secrets: &Secrets) -> String {
    visible_cow(text, secrets).into_owned()
}

/// [`visible_with`], borrowing the text when nothing changes (most texts: engine prose, claims): a report makes
/// hundreds of these per render.
pub fn visible_cow<'a>(text: &'a str, secrets: &Secrets) -> Cow<'a, str> {
    let mut s = Cow::Borrowed(text);
    for secret in secrets.tokens.iter().chain(&secrets.signatures) {
        if s.len() >= secret.len() && s.contains(secret.as_str()) {
            let mark = if secrets.tokens.contains(secret) {
                TOKEN_REDACTED
            } else {
                SIGNATURE_REDACTED
            };
            s = Cow::Owned(s.replace(secret.as_str(), mark));
        }
    }
    for secret in &secrets.values {
        if s.len() >= secret.len() && s.contains(secret.as_str()) {
            s = Cow::Owned(s.replace(secret.as_str(), SECRET_REDACTED));
        }
    }
    let s = redact_jwt_shapes(s);
    escape_invisible(s)
}

/// Whether a character must be written as `\u{…}`: controls other than `\n`, and format/separator characters.
pub fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n') || is_format(c)
}

/// Unicode's format characters (general category Cf) and the line/paragraph separators (Zl, Zp), from the
/// Unicode 15 tables: what can reorder, hide or join text without being seen.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

fn escape_invisible(s: Cow<'_, str>) -> Cow<'_, str> {
    // Printable ASCII and line feeds (most texts) need nothing.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n') || !s.chars().any(is_invisible) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Replaces every JWT-shaped run (see the module documentation) with [`TOKEN_REDACTED`].
fn redact_jwt_shapes(s: Cow<'_, str>) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_b64url(bytes[i]) {
            i += 1;
            continue;
        }
        // A run of base64url characters and dots, without trailing dots (sentence ends).
        let start = i;
        let mut dots = false;
        while i < bytes.len() && (is_b64url(bytes[i]) || bytes[i] == b'.') {
            dots |= bytes[i] == b'.';
            i += 1;
        }
        let mut end = i;
        while end > start && bytes[end - 1] == b'.' {
            end -= 1;
        }
        // Words and numbers (no dot, short): the common case, nothing to look at.
        if !dots && end - start < MIN_SIGNATURE_RUN {
            continue;
        }
        // ASCII only, so these byte offsets are character boundaries.
        if let Some(offset) = dots.then(|| jwt_start(&s[start..end])).flatten() {
            out.push_str(&s[copied..start + offset]);
            out.push_str(TOKEN_REDACTED);
            copied = end;
            continue;
        }
        // No token: each dot-separated segment that looks like a signature (a cut or glued quote of one).
        let mut at = start;
        for seg in s[start..end].split('.') {
            if seg.len() >= MIN_SIGNATURE_RUN && is_signature_like(seg) {
                out.push_str(&s[copied..at]);
                out.push_str(SIGNATURE_REDACTED);
                copied = at + seg.len();
            }
            at += seg.len() + 1;
        }
    }
    if copied == 0 {
        return s;
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// A dotless base64url run this long (bits: 6 per character, so 480 and more) with upper case, lower case and
/// digits is taken for a signature (ES256 and EdDSA signatures are 86 characters, RS256 342) or another key:
/// key ids (SHA-256 thumbprints, 43 characters), hex digests (no upper case) and words stay.
const MIN_SIGNATURE_RUN: usize = 80;

fn is_signature_like(run: &str) -> bool {
    let b = run.as_bytes();
    !b.contains(&b'.')
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().any(u8::is_ascii_digit)
}

/// Where in a run of base64url segments a JWT starts: a segment, or the end of one from an `e` on (a token glued
/// to a word: `token_eyJ…`, `giveneyJ…`), that reads as the start of a JSON object, followed by at least two more
/// segments (the last may be empty: an unsigned token is still a token), or by one that is not short (a token
/// whose quote was cut, as a stored server text or log line may be).
fn jwt_start(run: &str) -> Option<usize> {
    // Only base64 from an `e` on can be a JSON object's; most dotted runs (hosts, versions) have none.
    if !run.contains('e') {
        return None;
    }
    let segments: Vec<&str> = run.split('.').collect();
    if segments.len() < 2 {
        return None;
    }
    let mut offset = 0;
    for (i, seg) in segments.iter().enumerate() {
        let rest = &segments[i + 1..];
        // `header.payload.signature` (the signature may be empty), or `header.payload` of a text cut short.
        let token_follows = rest.len() >= 2 || rest.first().is_some_and(|p| p.len() >= 4);
        if token_follows {
            let header_at = seg
                .match_indices('e')
                .map(|(p, _)| p)
                .find(|&p| looks_like_json_object(&seg[p..]));
            if let Some(p) = header_at {
                return Some(offset + p);
            }
        }
        offset += seg.len() + 1;
    }
    None
}

/// Whether a base64url segment decodes to `{` then (after whitespace) `"` or `}`: a JWT header. Only a prefix
/// is decoded; a host name such as `example` decodes to `{` followed by other bytes and does not qualify.
fn looks_like_json_object(segment: &str) -> bool {
    if !segment.starts_with('e') {
        return false;
    }
    let take = segment.len().min(24);
    let prefix = if take >= 4 {
        &segment[..take - take % 4]
    } else {
        segment
    };
    let Ok(bytes) = Base64::lenient(Alphabet::Url).decode(prefix) else {
        return false;
    };
    let mut rest = bytes.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'{') {
        return false;
    }
    matches!(
        rest.find(|b| !b.is_ascii_whitespace()),
        Some(b'"') | Some(b'}')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_shapes() {
        assert!(looks_like_json_object("eyJhbGciOiJSUzI1NiJ9"));
        assert!(looks_like_json_object("e30"));
        assert!(!looks_like_json_object("example"));
        assert!(!looks_like_json_object("eu-west-1"));
    }
}
