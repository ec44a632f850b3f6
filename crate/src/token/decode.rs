//! Lenient JWT decoding: what people paste and what clients send, with precise reasons when it fails.
//!
//! Lenient on purpose: the doctor must show a token's claims even when it was pasted with quotes, a `Bearer `
//! prefix or line breaks, and say *what* was cleaned off ([`DecodedToken::notes`]). Whether the backend would
//! accept the token *as sent* is judged later ([`crate::token::check_token`] looks at
//! [`DecodedToken::signing_input`] for padding and the standard base64 alphabet, which the backend refuses:
//! both its JWT libraries decode with unpadded base64url only — `data_encoding::BASE64URL_NOPAD` in
//! get-convex/biscuit `src/jws/compact.rs`, `BASE64_URL_SAFE_NO_PAD` in get-convex/openidconnect-rs
//! `src/jwt/mod.rs`).
//!
//! Bounded: inputs over [`MAX_INPUT_BYTES`] are refused before any work, and JSON nesting is capped by
//! serde_json's recursion limit (128), which returns an error instead of overflowing the stack.

use serde_json::{Map, Value};

use crate::text::base64::{Alphabet, Base64};

/// The largest input decoded. Real ID tokens are 1–4 KiB; browsers cap headers near 8–16 KiB.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// Which part of a JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Header,
    Payload,
    Signature,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        }
    }
}

/// Why a token could not be decoded, precisely.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// The part at fault, if one is.
    pub part: Option<Part>,
    /// One line, plain words ("the payload is not valid base64url: it looks truncated").
    pub message: String,
    /// Extra facts for the finding's evidence (e.g. `parts: 2`, `truncated: true`, `standard_base64: true`).
    pub evidence: Map<String, Value>,
}

impl Malformed {
    fn new(part: Option<Part>, message: impl Into<String>) -> Self {
        let mut evidence = Map::new();
        if let Some(p) = part {
            evidence.insert("part".into(), p.name().into());
        }
        Malformed {
            part,
            message: message.into(),
            evidence,
        }
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.evidence.insert(key.to_owned(), value.into());
        self
    }
}

/// The `aud` claim as the backend reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Audience {
    Absent,
    One(String),
    Many(Vec<String>),
    /// Present but neither a string nor an array of strings.
    Invalid(Value),
}

/// A decoded (not verified) JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedToken {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    /// The signature's base64url text. Never rendered: reports say `<redacted>`.
    pub signature: String,
    /// `header.payload` exactly as given: what the signature covers.
    pub signing_input: String,
    /// What had to be cleaned off to decode it (surrounding quotes, `Bearer `, whitespace, padding).
    pub notes: Vec<String>,
}

impl DecodedToken {
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }
    /// A numeric claim (`exp`, `iat`, `nbf`) as seconds; `None` when absent or not a number.
    pub fn claim_num(&self, name: &str) -> Option<f64> {
        self.payload.get(name).and_then(Value::as_f64)
    }
    pub fn iss(&self) -> Option<&str> {
        self.claim_str("iss")
    }
    pub fn sub(&self) -> Option<&str> {
        self.claim_str("sub")
    }
    pub fn exp(&self) -> Option<f64> {
        self.claim_num("exp")
    }
    pub fn iat(&self) -> Option<f64> {
        self.claim_num("iat")
    }
    pub fn nbf(&self) -> Option<f64> {
        self.claim_num("nbf")
    }
    pub fn alg(&self) -> Option<&str> {
        self.header_str("alg")
    }
    pub fn kid(&self) -> Option<&str> {
        self.header_str("kid")
    }
    pub fn typ(&self) -> Option<&str> {
        self.header_str("typ")
    }
    /// The `aud` claim the way the backend's libraries read it: a string or an array of strings
    /// (biscuit's `SingleOrMultiple<String>`; openidconnect's `deserialize_string_or_vec`). A JSON `null`
    /// reads as absent (serde's `Option`).
    pub fn aud(&self) -> Audience {
        match self.payload.get("aud") {
            None | Some(Value::Null) => Audience::Absent,
            Some(Value::String(s)) => Audience::One(s.clone()),
            Some(Value::Array(items)) => {
                let strings: Option<Vec<String>> = items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect();
                match strings {
                    Some(list) => Audience::Many(list),
                    None => Audience::Invalid(Value::Array(items.clone())),
                }
            }
            Some(other) => Audience::Invalid(other.clone()),
        }
    }
}

/// How many clean-up rounds to try: `"Bearer \"eyJ…\""` needs three; more means something else is wrong.
const MAX_CLEAN_ROUNDS: usize = 6;

/// Decodes a token leniently. See the module documentation for what is accepted.
pub fn decode(input: &str) -> Result<DecodedToken, Malformed> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(too_long(input.len()));
    }
    let mut notes = Vec::new();
    let cleaned = clean(input, &mut notes)?;
    let parts: Vec<&str> = cleaned.split('.').collect();
    match parts.as_slice() {
        [header, payload, signature] => decode_three(header, payload, signature, notes),
        [only] => Err(one_part(only)),
        [header, payload] => Err(two_parts(header, payload)),
        many => Err(many_parts(many)),
    }
}

/// What is said of a token of `bytes` bytes, over [`MAX_INPUT_BYTES`]: it was not judged (not "cut by the
/// client": the doctor itself refuses to read it). Front ends that keep only a prefix of such a token say this
/// rather than decoding the prefix.
pub fn too_long(bytes: usize) -> Malformed {
    Malformed::new(
        None,
        format!("the token is {bytes} bytes, longer than {MAX_INPUT_BYTES} bytes: not judged"),
    )
    .with("bytes", bytes)
    .with("limit", MAX_INPUT_BYTES)
}

/// Why a token given by the user is not judged at all, or `None` when it is: nothing but blanks, or longer than
/// [`MAX_INPUT_BYTES`] (the command line exits 2 with this line; the panel shows it instead of a report).
pub fn refuse_input(text: &str) -> Option<String> {
    match text.trim().len() {
        0 => Some("no token given".to_owned()),
        bytes if bytes > MAX_INPUT_BYTES => Some(too_long(bytes).message),
        _ => None,
    }
}

/// Strips what surrounds a pasted or sent token, noting each step.
fn clean(input: &str, notes: &mut Vec<String>) -> Result<String, Malformed> {
    let mut s = input.to_owned();
    for _ in 0..MAX_CLEAN_ROUNDS {
        let before = s.clone();
        let trimmed = s.trim();
        if trimmed.len() != s.len() {
            note_once(notes, "removed surrounding whitespace");
            s = trimmed.to_owned();
        }
        if let Some(rest) = strip_prefix_ci(&s, "authorization:") {
            note_once(notes, "removed an `Authorization:` header name");
            s = rest.trim_start().to_owned();
        }
        if let Some(rest) = strip_prefix_ci(&s, "bearer") {
            if rest.starts_with(char::is_whitespace) {
                note_once(notes, "removed the `Bearer ` prefix");
                s = rest.trim_start().to_owned();
            }
        }
        // Copied out of source code: `"eyJ…",` or `'eyJ…';`. A JWT never holds `,` or `;`.
        if let Some(rest) = s.strip_suffix([',', ';']) {
            note_once(notes, "removed a trailing `,` or `;`");
            s = rest.trim_end().to_owned();
        }
        s = strip_quotes(&s, notes)?;
        if s == before {
            break;
        }
    }
    if s.chars().any(char::is_whitespace) {
        note_once(
            notes,
            "removed whitespace or line breaks inside the token (it was wrapped)",
        );
        s.retain(|c| !c.is_whitespace());
    }
    if s.is_empty() {
        return Err(Malformed::new(None, "the token is empty").with("empty", true));
    }
    Ok(s)
}

fn note_once(notes: &mut Vec<String>, note: &str) {
    if !notes.iter().any(|n| n == note) {
        notes.push(note.to_owned());
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Removes one pair of matching quotes. Double quotes are read as a JSON string when the inside holds
/// escapes (a token copied out of JSON, e.g. `"eyJ\u002e…"` or a HAR body).
fn strip_quotes(s: &str, notes: &mut Vec<String>) -> Result<String, Malformed> {
    for (q, name) in [('"', "double"), ('\'', "single"), ('`', "backtick")] {
        let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) else {
            continue;
        };
        if q == '"' && inner.contains('\\') {
            // Read as a `Value`, not a `String`: the same parser and errors, without a second deserializer in
            // the wasm module. Text that starts and ends with `"` and parses is a string.
            return match serde_json::from_str::<Value>(s).map(|v| match v {
                Value::String(text) => text,
                other => other.to_string(),
            }) {
                Ok(unescaped) => {
                    note_once(notes, "removed surrounding double quotes and JSON string escapes");
                    Ok(unescaped)
                }
                Err(e) => Err(Malformed::new(
                    None,
                    "the token is in double quotes with backslashes, but is not a valid JSON string",
                )
                .with("quoted", true)
                .with("json_error", e.to_string())),
            };
        }
        note_once(notes, &format!("removed surrounding {name} quotes"));
        return Ok(inner.to_owned());
    }
    let first = s.chars().next();
    let last = s.chars().last();
    let quote = |c: Option<char>| matches!(c, Some('"' | '\'' | '`'));
    if s.chars().count() >= 1 && (quote(first) != quote(last) || (quote(first) && first != last)) {
        return Err(Malformed::new(
            None,
            "the token has a quote on one end only: it was cut or copied badly",
        )
        .with("quoted", true)
        .with("truncated", true));
    }
    Ok(s.to_owned())
}

/// What one base64 part turned out to be, beyond its bytes.
struct B64 {
    bytes: Vec<u8>,
    padded: bool,
    standard: bool,
}

fn decode_b64(text: &str, part: Part, is_last: bool) -> Result<B64, Malformed> {
    if text.is_empty() {
        return Err(
            Malformed::new(Some(part), format!("the {} is empty", part.name())).with("empty", true),
        );
    }
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    let mut url_chars = false;
    let mut std_chars = false;
    for (i, c) in body.char_indices() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => {}
            '-' | '_' => url_chars = true,
            '+' | '/' => std_chars = true,
            other => {
                let shown = if other == '=' {
                    "`=` in the middle".to_owned()
                } else {
                    format!("{other:?}")
                };
                return Err(Malformed::new(
                    Some(part),
                    format!(
                        "the {} is not base64url: it holds {} at character {}",
                        part.name(),
                        shown,
                        i
                    ),
                )
                .with("character", other.to_string())
                .with("position", i));
            }
        }
    }
    if url_chars && std_chars {
        return Err(Malformed::new(
            Some(part),
            format!(
                "the {} mixes base64url (`-` `_`) and standard base64 (`+` `/`) characters",
                part.name()
            ),
        )
        .with("standard_base64", true));
    }
    if padding > 2 || body.len() % 4 == 1 {
        let mut m = Malformed::new(
            Some(part),
            format!(
                "the {} is not valid base64url: its length ({}) is impossible{}",
                part.name(),
                body.len(),
                if is_last { ", it looks truncated" } else { "" }
            ),
        )
        .with("length", body.len());
        if is_last {
            m = m.with("truncated", true);
        }
        return Err(m);
    }
    // The checks above leave one alphabet and a possible length, so this always decodes; the error is kept
    // for safety.
    let alphabet = if std_chars {
        Alphabet::Standard
    } else {
        Alphabet::Url
    };
    match Base64::lenient(alphabet).decode(body) {
        Ok(bytes) => Ok(B64 {
            bytes,
            padded: padding > 0,
            standard: std_chars,
        }),
        Err(_) => Err(Malformed::new(
            Some(part),
            format!("the {} is not valid base64url", part.name()),
        )),
    }
}

/// Reads a decoded part as a JSON object, saying precisely why not.
fn json_object(
    bytes: &[u8],
    part: Part,
    may_be_cut: bool,
) -> Result<Map<String, Value>, Malformed> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(Malformed::new(
                Some(part),
                format!(
                    "the {} decodes to bytes that are not UTF-8 text (at byte {}): not JSON",
                    part.name(),
                    e.valid_up_to()
                ),
            )
            .with("invalid_utf8", true)
            .with("position", e.valid_up_to()))
        }
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Malformed::new(
            Some(part),
            format!(
                "the {} is JSON but not an object (it is {})",
                part.name(),
                crate::text::json::kind_name(&other)
            ),
        )
        .with("json_kind", crate::text::json::kind_name(&other))),
        Err(e) if e.is_eof() => {
            let mut m = Malformed::new(
                Some(part),
                format!(
                    "the {} is JSON that stops early: the token looks truncated",
                    part.name()
                ),
            )
            .with("truncated", true)
            .with("json_error", e.to_string());
            if !may_be_cut {
                m.message = format!(
                    "the {} is JSON that stops early (cut before it was encoded?)",
                    part.name()
                );
            }
            Err(m)
        }
        Err(e) => {
            let deep = e.to_string().contains("recursion limit");
            let message = if deep {
                format!("the {} nests JSON deeper than 128 levels", part.name())
            } else {
                format!("the {} is not JSON ({e})", part.name())
            };
            Err(Malformed::new(Some(part), message)
                .with("not_json", true)
                .with("json_error", e.to_string()))
        }
    }
}

fn decode_three(
    header_b64: &str,
    payload_b64: &str,
    signature_b64: &str,
    mut notes: Vec<String>,
) -> Result<DecodedToken, Malformed> {
    let header_raw = decode_b64(header_b64, Part::Header, false).map_err(|m| m.with("parts", 3))?;
    let header =
        json_object(&header_raw.bytes, Part::Header, false).map_err(|m| m.with("parts", 3))?;
    let payload_raw =
        decode_b64(payload_b64, Part::Payload, false).map_err(|m| m.with("parts", 3))?;
    let payload =
        json_object(&payload_raw.bytes, Part::Payload, false).map_err(|m| m.with("parts", 3))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let signature_raw = if signature_b64.is_empty() {
        if alg != "none" {
            notes.push("the signature part is empty: the token is unsigned".to_owned());
        }
        None
    } else {
        Some(decode_b64(signature_b64, Part::Signature, true).map_err(|m| m.with("parts", 3))?)
    };
    if let Some(sig) = &signature_raw {
        if let Some(expected) = expected_signature_len(alg) {
            if sig.bytes.len() < expected {
                return Err(Malformed::new(
                    Some(Part::Signature),
                    format!(
                        "the signature is {} bytes, shorter than an {alg} signature ({expected}): the token looks cut",
                        sig.bytes.len()
                    ),
                )
                .with("parts", 3)
                .with("truncated", true)
                .with("signature_bytes", sig.bytes.len())
                .with("expected_bytes", expected));
            }
        }
    }
    for (part, raw) in [
        (Part::Header, Some(&header_raw)),
        (Part::Payload, Some(&payload_raw)),
        (Part::Signature, signature_raw.as_ref()),
    ] {
        let Some(raw) = raw else { continue };
        if raw.padded {
            notes.push(format!(
                "the {} had `=` padding (JWTs use unpadded base64url; the backend refuses padding)",
                part.name()
            ));
        }
        if raw.standard {
            notes.push(format!(
                "the {} used standard base64 (`+` `/`) instead of base64url (`-` `_`); the backend refuses it",
                part.name()
            ));
        }
    }
    Ok(DecodedToken {
        header,
        payload,
        signature: signature_b64.to_owned(),
        signing_input: format!("{header_b64}.{payload_b64}"),
        notes,
    })
}

/// The smallest signature length an algorithm produces; shorter means the token was cut.
fn expected_signature_len(alg: &str) -> Option<usize> {
    match alg {
        "HS256" => Some(32),
        "HS384" => Some(48),
        "HS512" | "ES256" | "EdDSA" | "ES256K" => Some(64),
        "ES384" => Some(96),
        "ES512" => Some(132),
        // RSA signatures are as long as the modulus: 1024-bit keys at the very least.
        a if a.starts_with("RS") || a.starts_with("PS") => Some(128),
        _ => None,
    }
}

/// No dots: an opaque access token, or one lone part of a JWT.
fn one_part(only: &str) -> Malformed {
    let base = Malformed::new(None, "").with("parts", 1);
    let lone_json = decode_b64(only, Part::Payload, false)
        .ok()
        .and_then(|b| json_object(&b.bytes, Part::Payload, false).ok());
    match lone_json {
        Some(map) => {
            let which = if map.contains_key("alg") {
                "header"
            } else {
                "payload"
            };
            Malformed {
                message: format!(
                    "this is only a JWT's {which} (no dots): pass the whole token `header.payload.signature`"
                ),
                ..base.with("lone_part", which)
            }
        }
        None => Malformed {
            message:
                "the token has no dots: it is an opaque access token, not a JWT (send the ID token)"
                    .to_owned(),
            ..base.with("opaque", true)
        },
    }
}

/// Two parts: the signature (and maybe the end of the payload) is missing.
fn two_parts(header: &str, payload: &str) -> Malformed {
    let payload_state = decode_b64(payload, Part::Payload, true)
        .and_then(|b| json_object(&b.bytes, Part::Payload, true));
    match payload_state {
        Ok(_) => Malformed::new(
            Some(Part::Signature),
            "the token has 2 parts, not 3: the signature is missing (cut after the payload?)",
        )
        .with("parts", 2)
        .with("truncated", true),
        Err(m) => {
            let header_ok = decode_b64(header, Part::Header, false)
                .and_then(|b| json_object(&b.bytes, Part::Header, false))
                .is_ok();
            let truncated = m.evidence.get("truncated") == Some(&Value::Bool(true));
            let message = if truncated && header_ok {
                "the token has 2 parts, not 3, and the payload stops early: the token was cut inside the payload".to_owned()
            } else {
                format!(
                    "the token has 2 parts, not 3 (a JWT is header.payload.signature); {}",
                    m.message
                )
            };
            Malformed {
                message,
                ..m.with("parts", 2)
            }
        }
    }
}

/// Four or more parts: a JWE (5), or tokens glued together.
fn many_parts(parts: &[&str]) -> Malformed {
    let n = parts.len();
    let header = parts
        .first()
        .and_then(|h| decode_b64(h, Part::Header, false).ok())
        .and_then(|b| json_object(&b.bytes, Part::Header, false).ok());
    let is_jwe = n == 5 && header.as_ref().is_some_and(|h| h.contains_key("enc"));
    let mut m = Malformed::new(None, "").with("parts", n);
    if is_jwe {
        m.message = "the token has 5 parts: it is an encrypted JWT (JWE), which Convex cannot read; send a signed ID token".to_owned();
        m = m.with("jwe", true);
    } else if parts.iter().any(|p| p.is_empty()) {
        m.message = format!("the token has {n} parts, not 3, with an empty part: stray dots?");
        m = m.with("empty_part", true);
    } else {
        m.message = format!("the token has {n} parts, not 3 (a JWT is header.payload.signature)");
    }
    m
}
