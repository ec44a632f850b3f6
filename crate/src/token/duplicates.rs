//! Duplicate members in a token's header or payload JSON.
//!
//! The doctor reads the parts into `serde_json` maps, which keep the last of two equal keys; the backend's
//! libraries deserialize into structs whose derived code refuses a known field given twice (`duplicate field`):
//! biscuit's routing parse of the payload (`ClaimsSet` with `RegisteredClaims` flattened, convex-backend
//! `crates/authentication/src/lib.rs:166-173`: "Could not parse JWT payload" on every path) and both libraries'
//! headers (openidconnect-rs `src/jwt/mod.rs:195-215`, biscuit `src/jws.rs` `RegisteredHeader`). An unknown
//! member given twice is accepted by both, so only the typed names count here.

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::decode::DecodedToken;
use crate::text::base64::{Alphabet, Base64};

/// Payload members biscuit's `RegisteredClaims` types.
const REGISTERED_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];
/// Header members both libraries type.
const TYPED_HEADER: &[&str] = &["alg", "kid", "typ", "cty", "crit"];

/// The top-level keys of a JSON object, in order, duplicates kept.
struct TopKeys(Vec<String>);

impl<'de> Deserialize<'de> for TopKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = TopKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<TopKeys, M::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    if keys.len() < 4096 {
                        keys.push(k);
                    }
                }
                Ok(TopKeys(keys))
            }
        }
        d.deserialize_map(Keys)
    }
}

fn duplicated(part_b64: &str, typed: &[&str]) -> Vec<String> {
    let Ok(bytes) = Base64::lenient(Alphabet::Url).decode(part_b64.trim_end_matches('=')) else {
        return Vec::new();
    };
    let Ok(TopKeys(keys)) = serde_json::from_slice::<TopKeys>(&bytes) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for name in typed {
        if keys.iter().filter(|k| k.as_str() == *name).count() > 1 {
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
