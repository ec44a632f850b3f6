//! Verification beyond the guide: the work the backend does after matching `iss`/`aud` — discovery document,
//! JWKS, key selection and signature — done here so a failure gets its real cause instead of the backend's one
//! text for all of them (`Could not verify OIDC token claim…`).
//!
//! Pure: callers fetch documents (the CLI in `src/cli`, the extension in the page) and hand the texts in.
//!
//! Crypto choice (measured when each family came in, as the growth of the gzip -9 wasm-opt'd module): pure Rust, so natively and in wasm the same deterministic code runs synchronously (WebCrypto would have made
//! the engine async in the browser and left the native tool with a second implementation).
//! - RSA (RS256/384/512, PS256/384/512): [`rsa_verify`], verify-only, on `sha2`: +12.6 KB wasm (the `rsa` crate
//!   with default features off: +25.9 KB). Native ~0.25 ms per verification, wasm (opt-level z) ~0.4-0.7 ms.
//! - Ed25519 (EdDSA): `ed25519-dalek`, no default features: +8.8 KB; native 0.04 ms, wasm 0.27 ms.
//! - P-256 (ES256): `p256` (`ecdsa` only): +11.9 KB; native 0.36 ms, wasm 3.4 ms.
//! - P-384 (ES384): `p384` (`ecdsa` only): +31 KB; native 1.6 ms, wasm 17 ms. No backend path accepts ES384.
//!
//! The engine logic itself is ~7 KB. Each family is a cargo feature (`verify-rsa`, `verify-ed25519`,
//! `verify-p256`, `verify-p384`), all on by default (the CLI). The browser build (`scripts/build-wasm.sh`) takes
//! RSA, P-256 and Ed25519, every algorithm a backend path accepts, and leaves P-384 out; with them the module is
//! over its 120 KB budget (figures in `README.md` and `docs/wasm-size.md`).
//!
//! Key selection follows each backend path (convex-backend `crates/authentication/src/lib.rs`):
//! - OIDC (openidconnect-rs `JsonWebKeySet::filter_keys`): keys whose `kid` equals the token's (any key when the
//!   token has none) and that fit the algorithm (`use` sig or absent, `kty`/curve, the key's `alg` absent or
//!   equal); exactly one must remain.
//! - custom JWT (biscuit `decode_with_jwks`): the token must have a `kid`; the first key with that `kid` is used.

pub mod alg;
pub mod biscuit_jwks;
pub mod discovery;
pub mod jwks;
#[cfg(feature = "verify-rsa")]
pub mod rsa_verify;

pub use alg::{Alg, KeyType, SigError};
pub use discovery::{
    check_discovery, check_discovery_response, decode_data_uri, discovery_findings,
    discovery_unusable, discovery_url, jwks_content_type_ok, jwks_unusable, parse_jwks_response,
    parse_oidc_jwks_response, DiscoveryDoc,
};
pub use jwks::{Jwk, Jwks, JwksError, PublicKey};

use serde_json::Value;

use crate::findings::{Code, Finding};
use crate::text::base64::Base64;
use crate::token::{DecodedToken, TokenPath};

/// Longest signature text considered (an RSA-8192 signature is 1366 base64url characters).
const MAX_SIGNATURE_CHARS: usize = 4096;

/// The verification findings for one token against a key set: one of `signature.valid`, `signature.invalid`,
/// `jwks.kid_not_found`, with the evidence that names the cause. `TokenPath::Unknown` is judged by the OIDC rules
/// (kid optional), the lenient ones: the custom-JWT path adds only "kid required".
pub fn verify_token(token: &DecodedToken, path: &TokenPath, keys: &Jwks) -> Vec<Finding> {
    let ctx = Ctx::new(token, keys);
    let alg_name = match token.header.get("alg") {
        Some(Value::String(a)) => a.as_str(),
        _ => {
            return vec![ctx
                .invalid("The token's header has no \"alg\": no signature can be checked.")
                .with("reason", "alg_missing")]
        }
    };
    let Some(alg) = Alg::from_name(alg_name) else {
        let why = if alg_name.eq_ignore_ascii_case("none") {
            "an unsigned token (alg none) is never accepted".to_owned()
        } else if alg_name.starts_with("HS") {
            format!("{alg_name} is a shared-secret algorithm; the backend verifies only with public keys from a JWKS")
        } else {
            format!("{alg_name} is not an algorithm the backend's key paths verify")
        };
        return vec![ctx
            .invalid(format!("The token is signed with {alg_name}: {why}."))
            .with("alg", alg_name)
            .with("reason", "alg_unsupported")];
    };
    if !alg.available() {
        // This build leaves the algorithm's key family out (cargo features): say nothing rather than guess.
        return Vec::new();
    }
    let Some(signature) = ctx.signature_bytes() else {
        return vec![ctx
            .invalid("The token's signature is not valid base64url (or is far too long).")
            .with("alg", alg.name())
            .with("reason", "signature_malformed")];
    };
    let kid = match token.header.get("kid") {
        Some(Value::String(k)) => Some(k.as_str()),
        _ => None,
    };
    let mut findings = match path {
        TokenPath::CustomJwt { .. } => custom_jwt(&ctx, alg, kid, &signature),
        TokenPath::Oidc { .. } | TokenPath::Unknown => oidc(&ctx, alg, kid, &signature),
    };
    if let (TokenPath::Oidc { .. }, Some(f)) = (path, findings.first_mut()) {
        if f.code == Code::SignatureValid && !matches!(alg, Alg::Rs256 | Alg::EdDsa) {
            // The OIDC verifier allows only RS256 and EdDSA (convex-backend `set_allowed_algs`).
            f.message.push_str(&format!(
                " But the backend's OIDC path accepts only RS256 and EdDSA, so it rejects this {} token.",
                alg.name()
            ));
            f.evidence
                .insert("backend_accepts_alg".into(), false.into());
        }
    }
    findings
}

struct Ctx<'a> {
    token: &'a DecodedToken,
    keys: &'a Jwks,
}

impl<'a> Ctx<'a> {
    fn new(token: &'a DecodedToken, keys: &'a Jwks) -> Self {
        Ctx { token, keys }
    }

    fn kids_value(&self) -> Value {
        Value::from(self.keys.kids().to_vec())
    }

    fn base(&self, code: Code, message: impl Into<String>) -> Finding {
        let mut f = Finding::new(code, message).with("jwks_kids", self.kids_value());
        if let Some(kid) = self.token.header.get("kid") {
            f = f.with("kid", kid.clone());
        }
        if !self.keys.notes.is_empty() {
            f = f.with("jwks_notes", Value::from(self.keys.notes.clone()));
        }
        f
    }

    fn invalid(&self, message: impl Into<String>) -> Finding {
        self.base(Code::SignatureInvalid, message)
    }

    fn signature_bytes(&self) -> Option<Vec<u8>> {
        let text = self.token.signature.trim_end_matches('=');
        if text.len() > MAX_SIGNATURE_CHARS {
            return None;
        }
        Base64::URL_PAD_OPTIONAL.decode(text).ok()
    }

    fn check(&self, alg: Alg, key: &Jwk, signature: &[u8]) -> Result<(), SigError> {
        alg::verify(
            alg,
            &key.key,
            self.token.signing_input.as_bytes(),
            signature,
        )
    }

    /// The keys of the set (other than `skip`) that verify the token: tells "signed by another key of this set"
    /// apart from "signed by a key not in this set".
    fn verifying_kids(&self, alg: Alg, signature: &[u8], skip: Option<*const Jwk>) -> Vec<String> {
        self.keys
            .keys
            .iter()
            .filter(|k| skip != Some(*k as *const Jwk))
            .filter(|k| k.key.key_type() == alg.key_type() && self.check(alg, k, signature).is_ok())
            .map(|k| k.kid.clone().unwrap_or_else(|| "(no kid)".into()))
            .collect()
    }

    fn outcome(&self, alg: Alg, key: &Jwk, signature: &[u8], how: &str) -> Finding {
        let kid_text = key.kid.as_deref().unwrap_or("(no kid)");
        let finding = match self.check(alg, key, signature) {
            Ok(()) => self.base(
                Code::SignatureValid,
                format!("The {} signature verifies with key {kid_text} ({how}).", alg.name()),
            ),
            Err(SigError::KeyTypeMismatch) => self
                .invalid(format!(
                    "Key {kid_text} is an {} key and the token says alg {}: that algorithm needs an {} key.",
                    key.key.key_type().describe(),
                    alg.name(),
                    alg.key_type().describe()
                ))
                .with("reason", "alg_key_type_mismatch"),
            Err(e) => {
                let others = self.verifying_kids(alg, signature, Some(key as *const Jwk));
                let shape = if e == SigError::Malformed {
                    format!(" The signature's length or shape does not fit {}.", alg.name())
                } else {
                    String::new()
                };
                let why = if !others.is_empty() {
                    format!(
                        "it was signed by another key of this set ({}): the token's kid points at the wrong key",
                        others.join(", ")
                    )
                } else if self.token.header.get("kid").is_some() {
                    "it was signed by a key that is not in this set but has the same kid (another instance or \
                     environment with its own keys), or the token was altered"
                        .to_owned()
                } else {
                    // A token without `kid` must not be described as having one.
                    "it was signed by a key that is not in this set (another instance or environment with its own \
                     keys, or a private key that does not belong to this public key), or the token was altered"
                        .to_owned()
                };
                let mut f = self
                    .invalid(format!(
                        "The {} signature does not verify with key {kid_text} ({how}): {why}.{shape}",
                        alg.name()
                    ))
                    .with("reason", if e == SigError::Malformed { "signature_malformed" } else { "mismatch" });
                if !others.is_empty() {
                    f = f.with("verifies_with", Value::from(others));
                }
                f
            }
        };
        finding
            .with("alg", alg.name())
            .with("key_type", key.key.key_type().describe())
            .with(
                "matched_kid",
                key.kid.clone().map_or(Value::Null, Value::from),
            )
    }

    fn kid_not_found(&self, alg: Alg, kid: &str, signature: &[u8]) -> Finding {
        let listed = self.keys.kids();
        let mut message = format!(
            "No key has kid {kid}; the JWKS has [{}]: the keys were rotated or the token comes from another instance.",
            listed.join(", ")
        );
        let verifying = self.verifying_kids(alg, signature, None);
        if !verifying.is_empty() {
            message.push_str(&format!(
                " Key {} verifies the signature, so only the kid is wrong.",
                verifying.join(", ")
            ));
        }
        let mut f = self
            .base(Code::JwksKidNotFound, message)
            .with("alg", alg.name());
        if !verifying.is_empty() {
            f = f.with("verifies_with", Value::from(verifying));
        }
        f
    }
}

/// The custom-JWT path: `kid` required, first key with that `kid`, its `alg` (if any) must be the token's.
fn custom_jwt(ctx: &Ctx, alg: Alg, kid: Option<&str>, signature: &[u8]) -> Vec<Finding> {
    let Some(kid) = kid else {
        let verifying = ctx.verifying_kids(alg, signature, None);
        let hint = match verifying.first() {
            Some(k) => format!(
                " Key {k} verifies the signature: the token needs \"kid\": \"{k}\" in its header."
            ),
            None => " No key of the set verifies the signature either.".to_owned(),
        };
        let mut f = ctx
            .base(
                Code::JwksKidNotFound,
                format!(
                    "The token has no kid, and a custom JWT provider needs one to pick its key (the backend says \
                     \"Could not decode token. JWT may be missing a 'kid' (key ID) header.\").{hint}"
                ),
            )
            .with("alg", alg.name())
            .with("reason", "kid_required");
        if !verifying.is_empty() {
            f = f.with("verifies_with", Value::from(verifying));
        }
        return vec![f];
    };
    let Some(key) = ctx.keys.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) else {
        if ctx.keys.kids().iter().any(|k| k == kid) {
            return vec![ctx
                .invalid(format!(
                    "Key {kid} is in the JWKS but could not be used ({}).",
                    ctx.keys.notes.join("; ")
                ))
                .with("alg", alg.name())
                .with("reason", "key_unusable")];
        }
        return vec![ctx.kid_not_found(alg, kid, signature)];
    };
    if let Some(key_alg) = key.alg.as_deref() {
        if key_alg != alg.name() {
            return vec![ctx
                .invalid(format!(
                    "Key {kid} is published for alg {key_alg} but the token says {}: the backend refuses a key \
                     with another algorithm.",
                    alg.name()
                ))
                .with("alg", alg.name())
                .with("key_alg", key_alg)
                .with("key_type", key.key.key_type().describe())
                .with("reason", "alg_key_alg_mismatch")];
        }
    }
    vec![ctx.outcome(
        alg,
        key,
        signature,
        "custom JWT: the first key with the token's kid",
    )]
}

/// The OIDC path: exactly one key may fit (by `kid` when the token has one, and by algorithm).
fn oidc(ctx: &Ctx, alg: Alg, kid: Option<&str>, signature: &[u8]) -> Vec<Finding> {
    let keys = &ctx.keys.keys;
    let same_kid: Vec<&Jwk> = keys
        .iter()
        .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
        .collect();
    let fitting: Vec<&Jwk> = same_kid.iter().copied().filter(|k| k.fits(alg)).collect();
    match (fitting.as_slice(), kid) {
        ([key], Some(_)) => {
            vec![ctx.outcome(alg, key, signature, "OIDC: the key with the token's kid")]
        }
        ([key], None) => vec![ctx.outcome(
            alg,
            key,
            signature,
            "OIDC: the token has no kid and this is the only key that fits",
        )],
        ([], Some(kid)) if same_kid.is_empty() => {
            if ctx.keys.kids().iter().any(|k| k == kid) {
                vec![ctx
                    .invalid(format!(
                        "Key {kid} is in the JWKS but could not be used ({}).",
                        ctx.keys.notes.join("; ")
                    ))
                    .with("alg", alg.name())
                    .with("reason", "key_unusable")]
            } else {
                vec![ctx.kid_not_found(alg, kid, signature)]
            }
        }
        ([], _) => {
            let types: Vec<String> = same_kid
                .iter()
                .map(|k| {
                    let alg_note = k
                        .alg
                        .as_deref()
                        .map(|a| format!(", alg {a}"))
                        .unwrap_or_default();
                    let use_note = k
                        .key_use
                        .as_deref()
                        .map(|u| format!(", use {u}"))
                        .unwrap_or_default();
                    format!(
                        "{}: {}{alg_note}{use_note}",
                        k.kid.as_deref().unwrap_or("(no kid)"),
                        k.key.key_type().describe()
                    )
                })
                .collect();
            let subject = match kid {
                Some(kid) => format!("Key {kid}"),
                None => "No key of the JWKS".to_owned(),
            };
            let message = if same_kid.is_empty() {
                format!("The JWKS has no usable key for {}.", alg.name())
            } else {
                format!(
                    "{subject} does not fit alg {} (which needs an {} key): [{}]. Wrong algorithm for the key type.",
                    alg.name(),
                    alg.key_type().describe(),
                    types.join("; ")
                )
            };
            let mut f = ctx
                .invalid(message)
                .with("alg", alg.name())
                .with("reason", "alg_key_type_mismatch");
            if let [only] = same_kid.as_slice() {
                f = f.with("key_type", only.key.key_type().describe());
            }
            vec![f]
        }
        (several, _) => {
            let candidates: Vec<String> = several
                .iter()
                .map(|k| k.kid.clone().unwrap_or_else(|| "(no kid)".into()))
                .collect();
            let verifying = ctx.verifying_kids(alg, signature, None);
            let which = match verifying.as_slice() {
                [] => " None of them verifies the signature.".to_owned(),
                v => format!(
                    " Key {} verifies it: give the token that kid.",
                    v.join(", ")
                ),
            };
            let lead = match kid {
                None => format!(
                    "The token has no kid and {} keys of the JWKS fit {}: the backend's OIDC library needs exactly \
                     one and rejects the token.",
                    several.len(),
                    alg.name()
                ),
                Some(kid) => format!(
                    "{} keys of the JWKS have kid {kid} and fit {}: the backend's OIDC library needs exactly one \
                     and rejects the token.",
                    several.len(),
                    alg.name()
                ),
            };
            let mut f = ctx
                .invalid(format!("{lead}{which}"))
                .with("alg", alg.name())
                .with("candidates", Value::from(candidates))
                .with("reason", "ambiguous_key");
            if !verifying.is_empty() {
                f = f.with("verifies_with", Value::from(verifying));
            }
            vec![f]
        }
    }
}
