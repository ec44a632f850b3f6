//! The `'server identity'` log line that step 1 of Convex's "Debugging Authentication" guide has users add:
//! `console.log("server identity", await ctx.auth.getUserIdentity())`.
//!
//! How the backend formats it (convex-backend `npm-packages/udf-runtime/src/02_console.ts`): each argument goes
//! through the `object-inspect` package with `indent: 2`, joined by spaces, prefixed `[LOG] ` (or `[INFO] `,
//! `[WARN] `, `[ERROR] `, `[DEBUG] `). So strings are single-quoted with `'` and `\` escaped, and objects are
//! **multi-line**:
//! ```text
//! [LOG] 'server identity' {
//!   tokenIdentifier: 'https://x.clerk.accounts.dev|user_2a',
//!   issuer: 'https://x.clerk.accounts.dev',
//!   'https://example.com/roles': [ 'a' ],
//!   ...
//! }
//! ```
//! Keys that are not identifiers are quoted. A line over 32768 bytes is cut and ends with
//! ` (truncated due to length)` (`common/src/log_lines.rs`, `TRUNCATED_LINE_SUFFIX`). Node's `util.inspect`
//! (single-line `{ a: 'b' }`) and `JSON.stringify`ed identities read the same way.

/// A `'server identity'` log line, as the guide's step 1 has users add it.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityLog {
    /// `[LOG] 'server identity' null`
    Null,
    /// `[LOG] 'server identity' { tokenIdentifier: '…', issuer: '…', subject: '…', … }`; fields as far as readable
    /// (a truncated line keeps what came before the cut).
    Identity {
        issuer: Option<String>,
        subject: Option<String>,
        token_identifier: Option<String>,
        truncated: bool,
    },
}

const TRUNCATED_SUFFIX: &str = " (truncated due to length)";
const LABEL: &str = "server identity";

/// Reads one log line; `None` when it is not a `'server identity'` line.
pub fn identity_in_log_line(line: &str) -> Option<IdentityLog> {
    let (line, truncated) = match line.strip_suffix(TRUNCATED_SUFFIX) {
        Some(kept) => (kept, true),
        None => (line, false),
    };
    let rest = strip_level(line).trim_start();
    let value = after_label(rest)?.trim();
    if !truncated && (value == "null" || value == "undefined") {
        return Some(IdentityLog::Null);
    }
    let object_text: String = if value.starts_with('{') {
        value.to_string()
    } else if let Some((inner, _)) = read_quoted(value) {
        // `console.log("server identity", JSON.stringify(identity))`
        if !inner.trim_start().starts_with('{') {
            return None;
        }
        inner
    } else if value.is_empty() && truncated {
        String::new()
    } else if matches!(value.chars().next(), Some('\'' | '"' | '`')) && truncated {
        // A quoted JSON text cut before its end.
        value.get(1..).unwrap_or("").to_string()
    } else {
        return None;
    };
    let fields = top_level_string_fields(&object_text);
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    Some(IdentityLog::Identity {
        issuer: get("issuer"),
        subject: get("subject"),
        token_identifier: get("tokenIdentifier"),
        truncated,
    })
}

/// Drops a leading `[LEVEL] `.
fn strip_level(line: &str) -> &str {
    if let Some(rest) = line.strip_prefix('[') {
        if let Some((level, after)) = rest.split_once("] ") {
            if !level.is_empty()
                && level.len() <= 8
                && level.bytes().all(|b| b.is_ascii_uppercase())
            {
                return after;
            }
        }
    }
    line
}

/// The text after the first argument when that argument names the server identity (`'server identity'`,
/// `"Server identity:"`, unquoted `server identity:`, …).
fn after_label(rest: &str) -> Option<&str> {
    if let Some((label, end)) = read_quoted(rest) {
        if !label.to_ascii_lowercase().contains(LABEL) {
            return None;
        }
        return rest.get(end..);
    }
    // Unquoted (a logger that prints strings bare).
    let head = rest.get(..LABEL.len())?;
    if !head.eq_ignore_ascii_case(LABEL) {
        return None;
    }
    let after = rest.get(LABEL.len()..)?;
    Some(after.strip_prefix(':').unwrap_or(after))
}

/// Reads a quoted string at the start of `s` (`'…'`, `"…"` or `` `…` ``) with JS-style escapes; returns the text and
/// the byte index after the closing quote. `None` when `s` does not start with a quote or the string is not closed.
fn read_quoted(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    let (_, quote) = chars.next()?;
    if !matches!(quote, '\'' | '"' | '`') {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Some((out, i + c.len_utf8()));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'x' | 'u' => {
                let len = if e == 'x' { 2 } else { 4 };
                let mut hex = String::new();
                for _ in 0..len {
                    hex.push(chars.next()?.1);
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push('\\');
                        out.push(e);
                        out.push_str(&hex);
                    }
                }
            }
            other => out.push(other),
        }
    }
    None
}

/// The string-valued keys at the top level of an inspected (or JSON) object, in order. Nested objects are
/// skipped so that a custom claim `{ issuer: … }` inside another field is not read as the identity's. Stops
/// quietly at a cut (truncated line) keeping what was complete.
fn top_level_string_fields(text: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut depth: usize = 0;
    let mut pending_key: Option<String> = None;
    let mut pos = 0;
    while let Some(c) = text.get(pos..).and_then(|r| r.chars().next()) {
        match c {
            '{' | '[' | '(' => {
                depth += 1;
                pending_key = None;
                pos += 1;
            }
            '}' | ']' | ')' => {
                depth = depth.saturating_sub(1);
                pending_key = None;
                pos += 1;
                if depth == 0 {
                    break;
                }
            }
            ',' => {
                pending_key = None;
                pos += 1;
            }
            '\'' | '"' | '`' => {
                let Some((s, len)) = text.get(pos..).and_then(read_quoted) else {
                    break;
                };
                pos += len;
                if depth == 1 && next_is_colon(text, &mut pos) {
                    pending_key = Some(s);
                } else if depth == 1 {
                    if let Some(key) = pending_key.take() {
                        fields.push((key, s));
                    }
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let word_len: usize = text
                    .get(pos..)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .map(char::len_utf8)
                    .sum();
                let word = text.get(pos..pos + word_len).unwrap_or("").to_string();
                pos += word_len;
                if depth == 1 && next_is_colon(text, &mut pos) {
                    pending_key = Some(word);
                } else {
                    pending_key = None;
                }
            }
            other => pos += other.len_utf8(),
        }
    }
    fields
}

/// Skips whitespace; when a `:` follows, consumes it and returns true.
fn next_is_colon(text: &str, pos: &mut usize) -> bool {
    let rest = text.get(*pos..).unwrap_or("");
    let trimmed = rest.trim_start();
    if let Some(after) = trimmed.strip_prefix(':') {
        *pos += rest.len() - after.len();
        true
    } else {
        false
    }
}
