//! One differential case: a token, the moment it is sent, a provider list, and the documents the identity
//! providers serve; how a [`Scenario`] (what to vary) becomes a [`Case`] (what both judges see).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::keys::Keys;

/// The moment every token is sent (2025-11-29 07:06:40 UTC): fixed, so verdicts never depend on the clock.
pub const NOW: i64 = 1_764_400_000;

/// The OIDC identity provider: discovery at `<iss>/.well-known/openid-configuration`, keys at [`OIDC_JWKS`].
pub const OIDC_ISS: &str = "https://idp.example.com";
pub const OIDC_JWKS: &str = "https://idp.example.com/.well-known/jwks.json";
/// A customJwt issuer and its JWKS.
pub const CUSTOM_ISS: &str = "https://auth.custom.dev";
pub const CUSTOM_JWKS: &str = "https://auth.custom.dev/jwks.json";

/// A provider of `auth.config.ts`, as the developer writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderSpec {
    Oidc {
        domain: String,
        application_id: String,
    },
    CustomJwt {
        issuer: String,
        jwks: String,
        algorithm: String,
        application_id: Option<String>,
    },
}

/// What happens to the signature part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sig {
    /// Signed with the scenario's key, by the header's `alg` when the key can, else by the key's own algorithm.
    Valid,
    /// A valid signature with one byte flipped.
    Corrupt,
    /// Signed by another key (same header, so the same `kid`).
    OtherKey(&'static str),
    /// `header.payload.` (as `alg: none` tokens are).
    Empty,
    /// `header.payload` (two parts).
    Missing,
}

/// An HTTP answer of an identity provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl Doc {
    pub fn json(body: &Value) -> Doc {
        Doc {
            status: 200,
            content_type: Some("application/json".into()),
            body: body.to_string(),
        }
    }
}

/// What to vary: every field of the case, before the token is signed and documents serialised.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    /// The test key that signs (see [`crate::keys`]).
    pub key: &'static str,
    pub sig: Sig,
    pub providers: Vec<ProviderSpec>,
    /// Discovery documents by issuer (served at `<issuer>/.well-known/openid-configuration`).
    pub discovery: BTreeMap<String, Value>,
    /// JWK sets by URL.
    pub jwks: BTreeMap<String, Value>,
    /// Answers that replace the served documents (status, content type, raw body), by URL.
    pub overrides: BTreeMap<String, Doc>,
    pub now: i64,
    /// Built from [`Scenario::custom`] (the token is meant for the customJwt provider).
    pub custom: bool,
    /// The header's and payload's JSON text, when not the serialised maps: `(text, maps)` → text. Used for what a
    /// map cannot hold (duplicate keys, arrays, trailing bytes); the signature covers the text.
    pub raw: Option<Raw>,
    /// How the three parts are base64-encoded.
    pub encoding: Encoding,
}

/// JSON text replacing the serialised header or payload.
#[derive(Debug, Clone, Copy)]
pub struct Raw {
    pub header: Option<fn(&str) -> String>,
    pub payload: Option<fn(&str) -> String>,
}

/// The base64 flavour of the token's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// base64url without padding, as JWS requires.
    UrlNoPad,
    /// base64url with `=` padding.
    UrlPadded,
    /// The standard alphabet (`+`, `/`) with padding.
    Standard,
}

/// What both judges see.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// The token as sent.
    pub token: String,
    /// The token as the backend's *fork* of biscuit reads its timestamps (see [`fork_timestamps`]): equal to
    /// `token` unless `exp`/`nbf`/`iat` is fractional (then rounded and re-signed) or negative (then `None`:
    /// the fork refuses the payload).
    pub fork_token: Option<String>,
    pub now: i64,
    pub providers: Vec<ProviderSpec>,
    /// The same providers as `auth.config.ts` text, for the doctor.
    pub config_ts: String,
    /// Every document an identity provider serves, by URL; any other URL answers 404.
    pub docs: BTreeMap<String, Doc>,
    /// How the doctor gets the token.
    pub transport: Transport,
}

/// How the doctor gets the token. The backend sees the same string either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Pasted or given on the command line (`Session::add_input_token`): lenient about wrapping by design.
    Input,
    /// Captured: an `Authenticate` frame the client sent on the sync socket.
    Frame,
    /// Captured: an HTTP API call; `Case::token` is then the whole `Authorization` header value.
    Http,
}

/// `<issuer>/.well-known/openid-configuration`, joined as openidconnect's `IssuerUrl::join` does (one slash).
pub fn discovery_url(issuer: &str) -> String {
    if issuer.ends_with('/') {
        format!("{issuer}.well-known/openid-configuration")
    } else {
        format!("{issuer}/.well-known/openid-configuration")
    }
}

/// A complete discovery document: every field crates.io's openidconnect requires (the backend's fork makes
/// some optional; see README.md), `issuer` and `jwks_uri` as given.
pub fn discovery_doc(issuer: &str, jwks_uri: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{}/authorize", issuer.trim_end_matches('/')),
        "token_endpoint": format!("{}/token", issuer.trim_end_matches('/')),
        "jwks_uri": jwks_uri,
        "response_types_supported": ["code", "id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "EdDSA"],
    })
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

impl Scenario {
    /// A token the OIDC provider `OIDC_ISS` signs with `alg` (RS256 by `rsa-a`, EdDSA by `ed25519-a`), one OIDC
    /// provider; both keys in the provider's JWKS.
    pub fn oidc(alg: &str, keys: &Keys) -> Scenario {
        let (key, kid) = match alg {
            "EdDSA" => ("ed25519-a", "ed-a"),
            _ => ("rsa-a", "rsa-a"),
        };
        let mut s = Scenario::base(keys);
        s.header = obj(json!({"alg": alg, "typ": "JWT", "kid": kid}));
        s.key = key;
        s.providers = vec![ProviderSpec::Oidc {
            domain: OIDC_ISS.into(),
            application_id: "convex".into(),
        }];
        s
    }

    /// A token for the customJwt provider `CUSTOM_ISS` with `alg` (RS256 by `rsa-b`, ES256 by `p256-a`).
    pub fn custom(alg: &str, keys: &Keys) -> Scenario {
        let (key, kid) = match alg {
            "ES256" => ("p256-a", "ec-a"),
            _ => ("rsa-b", "rsa-b"),
        };
        let mut s = Scenario::base(keys);
        s.header = obj(json!({"alg": alg, "typ": "JWT", "kid": kid}));
        s.key = key;
        s.payload.insert("iss".into(), CUSTOM_ISS.into());
        s.payload.insert("aud".into(), "convex-app".into());
        s.custom = true;
        s.providers = vec![ProviderSpec::CustomJwt {
            issuer: CUSTOM_ISS.into(),
            jwks: CUSTOM_JWKS.into(),
            algorithm: alg.into(),
            application_id: Some("convex-app".into()),
        }];
        s
    }

    fn base(keys: &Keys) -> Scenario {
        let mut discovery = BTreeMap::new();
        discovery.insert(OIDC_ISS.to_owned(), discovery_doc(OIDC_ISS, OIDC_JWKS));
        let mut jwks = BTreeMap::new();
        jwks.insert(
            OIDC_JWKS.to_owned(),
            json!({"keys": [
                keys.get("rsa-a").jwk(Some("rsa-a"), Some("RS256")),
                keys.get("ed25519-a").jwk(Some("ed-a"), None),
            ]}),
        );
        jwks.insert(
            CUSTOM_JWKS.to_owned(),
            json!({"keys": [
                keys.get("rsa-b").jwk(Some("rsa-b"), Some("RS256")),
                keys.get("p256-a").jwk(Some("ec-a"), Some("ES256")),
            ]}),
        );
        Scenario {
            header: Map::new(),
            payload: obj(json!({
                "iss": OIDC_ISS,
                "sub": "user_2b7c",
                "aud": "convex",
                "iat": NOW - 60,
                "exp": NOW + 3600,
                "email": "ada@example.com",
                "email_verified": true,
                "name": "Ada Lovelace",
            })),
            key: "rsa-a",
            sig: Sig::Valid,
            providers: Vec::new(),
            discovery,
            jwks,
            overrides: BTreeMap::new(),
            now: NOW,
            custom: false,
            raw: None,
            encoding: Encoding::UrlNoPad,
        }
    }

    /// The issuer the scenario's token is meant for, and the URL of its key set.
    pub fn home(&self) -> (&'static str, &'static str) {
        if self.custom {
            (CUSTOM_ISS, CUSTOM_JWKS)
        } else {
            (OIDC_ISS, OIDC_JWKS)
        }
    }

    /// Adds a JWK to the set served at `url`.
    pub fn add_jwk(&mut self, url: &str, jwk: Value) {
        if let Some(Value::Array(keys)) = self
            .jwks
            .get_mut(url)
            .and_then(|s| s.as_object_mut())
            .and_then(|o| o.get_mut("keys"))
        {
            keys.push(jwk);
        }
    }

    /// Serves `body` as JSON at `url` instead of what the scenario would.
    pub fn serve(&mut self, url: &str, status: u16, content_type: Option<&str>, body: &str) {
        self.overrides.insert(
            url.to_owned(),
            Doc {
                status,
                content_type: content_type.map(str::to_owned),
                body: body.to_owned(),
            },
        );
    }

    /// Signs, serialises and names the case.
    pub fn build(&self, name: String, keys: &Keys) -> Case {
        let token = self.token(&self.payload, keys);
        let fork_token = fork_timestamps(&self.payload).map(|p| {
            if p == self.payload {
                token.clone()
            } else {
                self.token(&p, keys)
            }
        });
        let mut docs = BTreeMap::new();
        for (issuer, doc) in &self.discovery {
            docs.insert(discovery_url(issuer), Doc::json(doc));
        }
        for (url, set) in &self.jwks {
            docs.insert(url.clone(), Doc::json(set));
        }
        for (url, doc) in &self.overrides {
            docs.insert(url.clone(), doc.clone());
        }
        Case {
            name,
            token,
            fork_token,
            now: self.now,
            providers: self.providers.clone(),
            config_ts: config_ts(&self.providers),
            docs,
            transport: Transport::Frame,
        }
    }

    fn token(&self, payload: &Map<String, Value>, keys: &Keys) -> String {
        let b64 = |bytes: &[u8]| match self.encoding {
            Encoding::UrlNoPad => URL_SAFE_NO_PAD.encode(bytes),
            Encoding::UrlPadded => base64::engine::general_purpose::URL_SAFE.encode(bytes),
            Encoding::Standard => base64::engine::general_purpose::STANDARD.encode(bytes),
        };
        let text = |v: &Map<String, Value>, raw: Option<fn(&str) -> String>| {
            let json = Value::Object(v.clone()).to_string();
            raw.map_or(json.clone(), |f| f(&json))
        };
        let raw = self.raw.unwrap_or(Raw {
            header: None,
            payload: None,
        });
        let input = format!(
            "{}.{}",
            b64(text(&self.header, raw.header).as_bytes()),
            b64(text(payload, raw.payload).as_bytes())
        );
        let alg = self.header.get("alg").and_then(Value::as_str).unwrap_or("");
        let sign = |name: &str| {
            let key = keys.get(name);
            key.sign(alg, input.as_bytes())
                .or_else(|| key.sign(key.natural_alg(), input.as_bytes()))
                .expect("a key signs with its own algorithm")
        };
        match self.sig {
            Sig::Valid => format!("{input}.{}", b64(&sign(self.key))),
            Sig::Corrupt => {
                let mut s = sign(self.key);
                s[7] ^= 0x5a;
                format!("{input}.{}", b64(&s))
            }
            Sig::OtherKey(other) => format!("{input}.{}", b64(&sign(other))),
            Sig::Empty => format!("{input}."),
            Sig::Missing => input,
        }
    }
}

/// The payload as the backend's biscuit fork (get-convex/biscuit 05bdaab, src/lib.rs `Timestamp` and
/// src/serde_custom/numeric_type.rs) reads `exp`/`nbf`/`iat`: a non-negative number, rounded to whole seconds;
/// a negative one refuses the payload (`None`). crates.io biscuit 0.7.0 reads them as `i64` instead (refuses
/// fractions, takes negatives), so the cases give it this equivalent payload. Other types are left for
/// biscuit to refuse, as both versions do.
pub fn fork_timestamps(payload: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut out = payload.clone();
    for claim in ["exp", "nbf", "iat"] {
        let Some(Value::Number(n)) = payload.get(claim) else {
            continue;
        };
        if n.is_u64() {
            continue;
        }
        match n.as_f64() {
            Some(f) if n.is_f64() && f.is_finite() && f >= 0.0 => {
                out.insert(claim.into(), json!(f.round() as u64));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// `auth.config.ts` for the providers, as a developer writes it.
pub fn config_ts(providers: &[ProviderSpec]) -> String {
    let q = |s: &str| Value::String(s.to_owned()).to_string();
    let mut out = String::from("export default {\n  providers: [\n");
    for p in providers {
        match p {
            ProviderSpec::Oidc {
                domain,
                application_id,
            } => out.push_str(&format!(
                "    {{ domain: {}, applicationID: {} }},\n",
                q(domain),
                q(application_id)
            )),
            ProviderSpec::CustomJwt {
                issuer,
                jwks,
                algorithm,
                application_id,
            } => {
                out.push_str(&format!(
                    "    {{ type: \"customJwt\", issuer: {}, jwks: {}, algorithm: {}",
                    q(issuer),
                    q(jwks),
                    q(algorithm)
                ));
                if let Some(a) = application_id {
                    out.push_str(&format!(", applicationID: {}", q(a)));
                }
                out.push_str(" },\n");
            }
        }
    }
    out.push_str("  ],\n};\n");
    out
}
