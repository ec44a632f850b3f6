//! Duplicate members in a token's header or payload JSON.
//!
//! The doctor reads the parts into `serde_json` maps, which keep the last of two equal keys; the backend's
//! libraries deserialize into structs whose derived code refuses a known field given twice (`duplicate field`):
//! biscuit's routing parse of the payload (`ClaimsSet` with `RegisteredClaims` flattened, convex-backend
//! `crates/authentication/src/lib.rs:166-173`: "Could not parse JWT payload" on every path) and both libraries'
//! headers (openidconnect-rs `src/jwt/mod.rs:195-215`, biscuit `src/jws.rs` `RegisteredHeader`). An unknown
//! member given twice is accepted by both, so only the typed names count here.

use super::decode::DecodedToken;
use crate::text::base64::{Alphabet, Base64};

/// Payload members biscuit's `RegisteredClaims` types.
const REGISTERED_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];
/// Header members both libraries type.
const TYPED_HEADER: &[&str] = &["alg", "kid", "typ", "cty", "crit"];

/// The raw top-level keys of a JSON object text already known to be valid JSON (the decoder parsed it), in order,
/// duplicates kept. A hand scan, not a serde visitor: a visitor costs the wasm module about 12 KB gzipped. Keys
/// are compared as written: an escaped spelling of a name (`"\u0069ss"`) is not counted, which can only make the
/// doctor miss a refusal, never invent one.
fn top_level_keys(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(b.len());
                if depth == 1 {
                    let mut j = i + 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) == Some(&b':') && keys.len() < 4096 {
                        keys.push(text.get(start..end).unwrap_or(""));
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    keys
}

fn duplicated(part_b64: &str, typed: &[&str]) -> Vec<String> {
    let Ok(bytes) = Base64::lenient(Alphabet::Url).decode(part_b64.trim_end_matches('=')) else {
        return Vec::new();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Vec::new();
    };
    let keys = top_level_keys(text);
    let mut out: Vec<String> = Vec::new();
    for name in typed {
        if keys.iter().filter(|k| **k == *name).count() > 1 {
            out.push((*name).to_owned());
        }
    }
    out
}

/// The typed members given twice: `(header, payload)`.
pub(super) fn duplicate_members(token: &DecodedToken) -> (Vec<String>, Vec<String>) {
    let mut parts = token.signing_input.split('.');
    let header = parts.next().unwrap_or("");
    let payload = parts.next().unwrap_or("");
    (
        duplicated(header, TYPED_HEADER),
        duplicated(payload, REGISTERED_CLAIMS),
    )
}

#[cfg(test)]
mod tests {
    use super::top_level_keys;

    #[test]
    fn only_top_level_keys_count() {
        let text =
            r#"{"a":{"iss":1,"x":[{"iss":2}]},"iss":"x","s":"\"iss\": 3","e":"\\","iss" : 2}"#;
        assert_eq!(top_level_keys(text), ["a", "iss", "s", "e", "iss"]);
        assert!(top_level_keys("{}").is_empty());
        assert_eq!(top_level_keys(r#"{"k":"unterminated"#), ["k"]);
    }
}
