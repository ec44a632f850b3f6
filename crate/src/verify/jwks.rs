//! JSON Web Key Sets: parsed once into ready-to-use public keys, bounded, with a note for every key left out.
//!
//! Why parse keys up front: a JWKS is read once and used for every token of a capture; decoding the RSA modulus or
//! the curve point at parse time keeps one verification to the signature arithmetic alone, and lets the report say
//! which key could not be used and why ("kid b: EC curve P-521 is not supported").

use serde_json::{Map, Value};

use super::alg::{Alg, KeyType};
use crate::text::base64::Base64;

/// Largest JWKS text accepted. Real ones are a few KB; this bounds memory on hostile input.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;
/// Most keys kept from one set. Providers publish two or three (current and next/previous).
pub const MAX_KEYS: usize = 64;
/// Largest RSA modulus accepted, in bits (the backend's libraries accept up to this size too).
pub const MAX_RSA_BITS: usize = 8192;
/// Longest `kid` kept verbatim.
pub const MAX_KID_CHARS: usize = 256;

/// A public key ready to verify, of one of the types the backend's paths can use.
#[derive(Debug, Clone)]
pub enum PublicKey {
    #[cfg(feature = "verify-rsa")]
    Rsa(super::rsa_verify::RsaKey),
    #[cfg(feature = "verify-p256")]
    P256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "verify-p384")]
    P384(p384::ecdsa::VerifyingKey),
    #[cfg(feature = "verify-ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl PublicKey {
    /// The JWK key type and curve this key is, for matching against a token's `alg`.
    pub fn key_type(&self) -> KeyType {
        match *self {
            #[cfg(feature = "verify-rsa")]
            PublicKey::Rsa(_) => KeyType::Rsa,
            #[cfg(feature = "verify-p256")]
            PublicKey::P256(_) => KeyType::EcP256,
            #[cfg(feature = "verify-p384")]
            PublicKey::P384(_) => KeyType::EcP384,
            #[cfg(feature = "verify-ed25519")]
            PublicKey::Ed25519(_) => KeyType::OkpEd25519,
        }
    }
}

/// One usable key of a JWKS.
#[derive(Debug, Clone)]
pub struct Jwk {
    /// `kid`, when the key has one.
    pub kid: Option<String>,
    /// `alg`, when the key names one (`RS256`…); a key that names one may only be used with it.
    pub alg: Option<String>,
    /// `use` (`sig`, `enc`), when given; `enc` keys are not used for signatures.
    pub key_use: Option<String>,
    pub key: PublicKey,
}

impl Jwk {
    /// `kty` as JWK spells it (`RSA`, `EC`, `OKP`).
    pub fn kty(&self) -> &'static str {
        self.key.key_type().kty()
    }

    /// Whether this key may verify a token signed with `alg`, by the rules OIDC libraries apply
    /// (openidconnect-rs `check_key_compatibility`: `use` allows signatures, `kty`/curve fit `alg`, and the key's
    /// own `alg` is absent or equal).
    pub fn fits(&self, alg: Alg) -> bool {
        self.key_use.as_deref().map_or(true, |u| u == "sig")
            && self.key.key_type() == alg.key_type()
            && self.alg.as_deref().map_or(true, |a| a == alg.name())
    }
}

/// A parsed JSON Web Key Set.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
    /// One line per key left out (unsupported type or curve, malformed numbers, over the limits).
    pub notes: Vec<String>,
    /// Every `kid` the set lists, usable or not, in order: what a "kid not found" message shows.
    pub listed_kids: Vec<String>,
    /// Why the customJwt path's parser (biscuit) refuses the whole set, when it does
    /// ([`super::biscuit_jwks::biscuit_refusal`]); the OIDC path skips what it cannot read instead.
    pub custom_jwt_refusal: Option<String>,
}

/// Why a text is not a usable JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksError {
    /// Over [`MAX_JWKS_BYTES`].
    TooLarge(usize),
    /// Not JSON at all (the message says where).
    InvalidJson(String),
    /// JSON, but not an object with a `keys` array.
    NotAJwks(String),
}

impl std::fmt::Display for JwksError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwksError::TooLarge(n) => write!(
                f,
                "the JWKS is {n} bytes, over the {MAX_JWKS_BYTES}-byte limit"
            ),
            JwksError::InvalidJson(m) => write!(f, "the JWKS is not valid JSON: {m}"),
            JwksError::NotAJwks(m) => write!(f, "the JSON is not a JWKS: {m}"),
        }
    }
}

impl Jwks {
    /// Parses a JWKS text. Keys that cannot be used are skipped with a note, as the OIDC library does (it keeps
    /// the keys it understands); only a text that is not a JWKS at all is an error.
    pub fn parse(json_text: &str) -> Result<Jwks, JwksError> {
        if json_text.len() > MAX_JWKS_BYTES {
            return Err(JwksError::TooLarge(json_text.len()));
        }
        let value: Value =
            serde_json::from_str(json_text).map_err(|e| JwksError::InvalidJson(e.to_string()))?;
        let custom_jwt_refusal = super::biscuit_jwks::biscuit_refusal(&value);
        let Value::Object(obj) = value else {
            return Err(JwksError::NotAJwks(format!(
                "expected an object with a \"keys\" array, found {}",
                crate::text::json::kind_name(&value)
            )));
        };
        let keys = match obj.get("keys") {
            Some(Value::Array(keys)) => keys,
            Some(other) => {
                return Err(JwksError::NotAJwks(format!(
                    "\"keys\" is {}, not an array",
                    crate::text::json::kind_name(other)
                )))
            }
            None if obj.contains_key("kty") => {
                return Err(JwksError::NotAJwks(
                    "this is a single JWK; a JWKS wraps keys as {\"keys\": [ … ]}".into(),
                ))
            }
            None => return Err(JwksError::NotAJwks("no \"keys\" member".into())),
        };
        let mut set = Jwks {
            custom_jwt_refusal,
            ..Jwks::default()
        };
        for (index, key) in keys.iter().enumerate() {
            if index >= MAX_KEYS {
                set.notes.push(format!(
                    "only the first {MAX_KEYS} of {} keys were read",
                    keys.len()
                ));
                break;
            }
            let Value::Object(key) = key else {
                set.notes.push(format!(
                    "key #{index}: {} instead of an object",
                    crate::text::json::kind_name(key)
                ));
                continue;
            };
            let kid = key.get("kid").and_then(Value::as_str).map(bounded_kid);
            if let Some(kid) = &kid {
                set.listed_kids.push(kid.clone());
            }
            let label = match &kid {
                Some(k) => format!("kid {k}"),
                None => format!("key #{index}"),
            };
            match parse_key(key) {
                Ok(public) => set.keys.push(Jwk {
                    kid,
                    alg: key.get("alg").and_then(Value::as_str).map(str::to_owned),
                    key_use: key.get("use").and_then(Value::as_str).map(str::to_owned),
                    key: public,
                }),
                Err(why) => set.notes.push(format!("{label}: {why}")),
            }
        }
        Ok(set)
    }

    /// The `kid`s of the set, as listed (including keys that could not be used).
    pub fn kids(&self) -> &[String] {
        &self.listed_kids
    }
}

fn bounded_kid(kid: &str) -> String {
    kid.chars().take(MAX_KID_CHARS).collect()
}

fn member<'a>(key: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    key.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("no \"{name}\" string"))
}

#[allow(dead_code)] // unused only when every `verify-*` feature is off
fn bytes(key: &Map<String, Value>, name: &str, max: usize) -> Result<Vec<u8>, String> {
    let text = member(key, name)?;
    // base64 of `max` bytes is at most 4/3 as long: refuse longer text before decoding it.
    if text.len() > max.saturating_mul(4) / 3 + 4 {
        return Err(format!("\"{name}\" is too long"));
    }
    // Padding tolerated: some JWKS generators add it.
    Base64::URL_PAD_OPTIONAL
        .decode(text)
        .map_err(|_| format!("\"{name}\" is not base64url"))
}

#[allow(unreachable_patterns)] // the "not in this build" arms are reached only with a `verify-*` feature off
fn parse_key(key: &Map<String, Value>) -> Result<PublicKey, String> {
    let kty = member(key, "kty")?;
    match kty {
        #[cfg(feature = "verify-rsa")]
        "RSA" => {
            let n = bytes(key, "n", MAX_RSA_BITS / 8 + 1)?;
            let e = bytes(key, "e", 16)?;
            super::rsa_verify::RsaKey::new(&n, &e, MAX_RSA_BITS)
                .map(PublicKey::Rsa)
                .map_err(|why| format!("not a usable RSA key: {why}"))
        }
        "EC" => {
            let crv = member(key, "crv")?;
            match crv {
                #[cfg(feature = "verify-p256")]
                "P-256" => {
                    let point = ec_point(key, 32)?;
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                        .map(PublicKey::P256)
                        .map_err(|_| "the P-256 point is not on the curve".into())
                }
                #[cfg(feature = "verify-p384")]
                "P-384" => {
                    let point = ec_point(key, 48)?;
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                        .map(PublicKey::P384)
                        .map_err(|_| "the P-384 point is not on the curve".into())
                }
                "P-256" | "P-384" => Err(format!("EC {crv} keys are not verified in this build")),
                other => Err(format!("EC curve {other} is not supported")),
            }
        }
        #[cfg(feature = "verify-ed25519")]
        "OKP" => {
            let crv = member(key, "crv")?;
            if crv != "Ed25519" {
                return Err(format!("OKP curve {crv} is not supported"));
            }
            let x = bytes(key, "x", 32)?;
            let x: [u8; 32] = x
                .try_into()
                .map_err(|_| "the Ed25519 \"x\" is not 32 bytes".to_owned())?;
            ed25519_dalek::VerifyingKey::from_bytes(&x)
                .map(PublicKey::Ed25519)
                .map_err(|_| "the Ed25519 \"x\" is not a valid point".into())
        }
        "oct" => {
            Err("a shared secret (kty oct) is never published in a JWKS the backend can use".into())
        }
        "RSA" | "OKP" => Err(format!("{kty} keys are not verified in this build")),
        other => Err(format!("key type {other} is not supported")),
    }
}

/// An uncompressed SEC1 point from `x` and `y`, each exactly `len` bytes as RFC 7518 §6.2.1 requires.
#[allow(dead_code)] // unused when both EC features are off
fn ec_point(key: &Map<String, Value>, len: usize) -> Result<Vec<u8>, String> {
    let x = bytes(key, "x", len)?;
    let y = bytes(key, "y", len)?;
    if x.len() != len || y.len() != len {
        return Err(format!("\"x\" and \"y\" must be {len} bytes each"));
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Ok(point)
}
