//! Whether the customJwt path's JWKS parser takes a key set at all.
//!
//! The backend reads a customJwt provider's JWKS with `serde_json::from_slice::<JWKSet<biscuit::Empty>>`
//! (convex-backend 94a42c3 `crates/authentication/src/lib.rs:280-289`): one key it cannot represent fails the
//! whole set, and every token of that provider is then refused with "Invalid JWKS response body from '…'".
//! (The OIDC path is lenient: openidconnect skips keys it cannot read, `src/types/jwks.rs` `VecSkipError`.)
//!
//! What biscuit (get-convex fork 05bdaab) `src/jwk.rs` accepts, per key:
//! - `CommonParameters` (jwk.rs:187-228): `use` a string, `key_ops` a list of strings, `alg` one of the names of
//!   biscuit's `Algorithm` (`src/jwa.rs`: signature, key-management and content-encryption algorithms; no
//!   `EdDSA`, no `ES256K`), `kid`/`x5u`/`x5t` strings, `x5c` a list of strings; each may be absent or `null`.
//! - `AlgorithmParameters`, untagged (jwk.rs:229-243, 344-541): `kty` `EC` (`crv`, `x`, `y`), `RSA` (`n`, `e`),
//!   `oct` (`k`) or `OKP` (`crv`, `x`); `crv` one of `P-256`, `P-384`, `P-521`, `Ed25519`, `Ed448`; byte
//!   members unpadded base64url (`data_encoding::BASE64URL_NOPAD`, `src/serde_custom/byte_sequence.rs`).
//!
//! Where unsure, this accepts: the doctor must never call a key set broken that the backend reads.

use serde_json::{Map, Value};

/// Every name biscuit's `Algorithm` deserializes (`src/jwa.rs`: `SignatureAlgorithm`, `KeyManagementAlgorithm`,
/// `ContentEncryptionAlgorithm`).
const ALGORITHMS: &[&str] = &[
    "none",
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "ES256",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
    "PBES2-HS384+A192KW",
    "PBES2-HS512+A256KW",
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
    "A128GCM",
    "A192GCM",
    "A256GCM",
];

/// biscuit's `EllipticCurve` names.
const CURVES: &[&str] = &["P-256", "P-384", "P-521", "Ed25519", "Ed448"];

/// Why biscuit refuses the key set `value`, naming the first key it cannot read; `None` when it parses.
pub fn biscuit_refusal(value: &Value) -> Option<String> {
    let keys = value.get("keys")?.as_array()?;
    keys.iter().enumerate().find_map(|(index, key)| {
        let label = key
            .get("kid")
            .and_then(Value::as_str)
            .map_or_else(|| format!("key #{index}"), |k| format!("key {k:?}"));
        let Value::Object(key) = key else {
            return Some(format!("{label} is not an object"));
        };
        common(key)
            .or_else(|| parameters(key))
            .map(|why| format!("{label}: {why}"))
    })
}

fn present<'a>(key: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    key.get(name).filter(|v| !v.is_null())
}

fn strings(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

fn common(key: &Map<String, Value>) -> Option<String> {
    for name in ["use", "kid", "x5u", "x5t"] {
        if present(key, name).is_some_and(|v| !v.is_string()) {
            return Some(format!("\"{name}\" is not a string"));
        }
    }
    for name in ["key_ops", "x5c"] {
        if present(key, name).is_some_and(|v| !strings(v)) {
            return Some(format!("\"{name}\" is not a list of strings"));
        }
    }
    match present(key, "alg") {
        None => None,
        Some(Value::String(alg)) if ALGORITHMS.contains(&alg.as_str()) => None,
        Some(Value::String(alg)) => Some(format!(
            "\"alg\": \"{}\" is not an algorithm biscuit knows (remove \"alg\" from this key, or drop the key)",
            alg.chars().take(40).collect::<String>()
        )),
        Some(_) => Some("\"alg\" is not a string".to_owned()),
    }
}

/// Unpadded base64url text, as `BASE64URL_NOPAD` decodes it (trailing bits are not judged: where unsure, accept).
fn b64url(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| {
        s.len() % 4 != 1
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

fn optional_b64url(key: &Map<String, Value>, name: &str) -> bool {
    present(key, name).is_none() || b64url(key.get(name))
}

fn parameters(key: &Map<String, Value>) -> Option<String> {
    let kty = match key.get("kty") {
        Some(Value::String(k)) => k.as_str(),
        _ => return Some("no \"kty\" string".to_owned()),
    };
    let curve_ok = || {
        key.get("crv")
            .and_then(Value::as_str)
            .is_some_and(|c| CURVES.contains(&c))
    };
    let bytes = |names: &[&str]| -> Option<String> {
        names
            .iter()
            .find(|n| !b64url(key.get(**n)))
            .map(|n| format!("\"{n}\" is missing or not unpadded base64url"))
    };
    match kty {
        "EC" | "OKP" if !curve_ok() => Some(format!(
            "curve {} is not one biscuit knows (P-256, P-384, P-521, Ed25519, Ed448)",
            key.get("crv")
                .map_or_else(|| "(none)".to_owned(), Value::to_string)
        )),
        "EC" => bytes(&["x", "y"]).or_else(|| private(key, &["d"])),
        "OKP" => bytes(&["x"]).or_else(|| private(key, &["d"])),
        "RSA" => bytes(&["n", "e"])
            .or_else(|| private(key, &["d", "p", "q", "dp", "dq", "qi"]))
            .or_else(|| other_primes(key)),
        "oct" => bytes(&["k"]),
        other => Some(format!(
            "key type \"{}\" is not one biscuit knows (EC, RSA, oct, OKP)",
            other.chars().take(20).collect::<String>()
        )),
    }
}

fn private(key: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|n| !optional_b64url(key, n))
        .map(|n| format!("\"{n}\" is not unpadded base64url"))
}

fn other_primes(key: &Map<String, Value>) -> Option<String> {
    let oth = present(key, "oth")?;
    let ok = oth.as_array().is_some_and(|items| {
        items.iter().all(|i| {
            i.as_object()
                .is_some_and(|o| ["r", "d", "t"].iter().all(|n| b64url(o.get(*n))))
        })
    });
    (!ok).then(|| "\"oth\" is not a list of {r, d, t}".to_owned())
}
