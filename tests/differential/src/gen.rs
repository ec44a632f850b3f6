//! The cases: four base scenarios (OIDC RS256, OIDC EdDSA, customJwt RS256, customJwt ES256), each with every
//! single variation of [`variations`], then seeded random combinations of two or three variations. Fixed
//! generation: the same cases, in the same order, on every run.

use serde_json::{json, Value};

use crate::case::{
    discovery_doc, Case, Encoding, ProviderSpec, Raw, Scenario, Sig, Transport, NOW, OIDC_ISS,
    OIDC_JWKS,
};
use crate::keys::Keys;

/// A change to a scenario.
pub type Apply = Box<dyn Fn(&mut Scenario, &Keys)>;

/// One way to change a scenario.
pub struct Variation {
    pub name: &'static str,
    pub apply: Apply,
}

/// A change to a captured token's text.
pub type Wrap = fn(&str) -> String;

fn v(name: &'static str, apply: impl Fn(&mut Scenario, &Keys) + 'static) -> Variation {
    Variation {
        name,
        apply: Box::new(apply),
    }
}

fn hdr(name: &'static str, key: &'static str, value: Value) -> Variation {
    v(name, move |s, _| {
        s.header.insert(key.into(), value.clone());
    })
}

fn hdr_del(name: &'static str, key: &'static str) -> Variation {
    v(name, move |s, _| {
        s.header.remove(key);
    })
}

fn claim(name: &'static str, key: &'static str, value: Value) -> Variation {
    v(name, move |s, _| {
        s.payload.insert(key.into(), value.clone());
    })
}

fn claim_del(name: &'static str, key: &'static str) -> Variation {
    v(name, move |s, _| {
        s.payload.remove(key);
    })
}

/// A time claim at `NOW + delta` seconds.
fn at(name: &'static str, key: &'static str, delta: i64) -> Variation {
    claim(name, key, json!(NOW + delta))
}

/// Replaces the scenario's home JWKS with `keys` (JSON values).
fn home_jwks(name: &'static str, f: impl Fn(&mut Vec<Value>, &Keys) + 'static) -> Variation {
    v(name, move |s, k| {
        let (_, url) = s.home();
        if let Some(Value::Array(keys)) = s.jwks.get_mut(url).and_then(|j| j.get_mut("keys")) {
            f(keys, k);
        }
    })
}

/// Changes the first provider.
fn first_provider(name: &'static str, f: impl Fn(&mut ProviderSpec) + 'static) -> Variation {
    v(name, move |s, _| {
        if let Some(p) = s.providers.first_mut() {
            f(p);
        }
    })
}

fn domain_of(p: &ProviderSpec) -> String {
    match p {
        ProviderSpec::Oidc { domain, .. } => domain.clone(),
        ProviderSpec::CustomJwt { issuer, .. } => issuer.clone(),
    }
}

fn set_domain(p: &mut ProviderSpec, value: &str) {
    match p {
        ProviderSpec::Oidc { domain, .. } => *domain = value.into(),
        ProviderSpec::CustomJwt { issuer, .. } => *issuer = value.into(),
    }
}

/// The token's `iss` set to `iss`, the identity provider consistent with it (its discovery document says the
/// same issuer, at the URL that issuer discovers to).
fn consistent_iss(s: &mut Scenario, iss: &str) {
    s.payload.insert("iss".into(), iss.into());
    if !s.custom {
        let (_, jwks) = s.home();
        s.discovery.insert(iss.to_owned(), discovery_doc(iss, jwks));
    }
}

fn raw(
    name: &'static str,
    header: Option<fn(&str) -> String>,
    payload: Option<fn(&str) -> String>,
) -> Variation {
    v(name, move |s, _| {
        let mut r = s.raw.unwrap_or(Raw {
            header: None,
            payload: None,
        });
        r.header = header.or(r.header);
        r.payload = payload.or(r.payload);
        s.raw = Some(r);
    })
}

/// Every single variation.
pub fn variations() -> Vec<Variation> {
    let mut out = vec![
        // The header: typ, cty, crit, kid, alg, extra fields.
        hdr_del("typ-absent", "typ"),
        hdr("typ-lowercase", "typ", json!("jwt")),
        hdr("typ-at_jwt", "typ", json!("at+jwt")),
        hdr("typ-application/jwt", "typ", json!("application/jwt")),
        hdr("typ-JOSE", "typ", json!("JOSE")),
        hdr("typ-application/at_jwt", "typ", json!("application/at+jwt")),
        hdr("typ-number", "typ", json!(1)),
        hdr("cty-JWT", "cty", json!("JWT")),
        hdr("cty-json", "cty", json!("application/json")),
        hdr("crit-exp", "crit", json!(["exp"])),
        hdr("crit-empty", "crit", json!([])),
        hdr_del("kid-absent", "kid"),
        hdr("kid-unknown", "kid", json!("no-such-key")),
        hdr("kid-number", "kid", json!(7)),
        hdr("kid-empty", "kid", json!("")),
        v("kid-of-other-key", |s, _| {
            let other = if s.custom { "ec-a" } else { "ed-a" };
            let other = if s.header.get("kid") == Some(&json!(other)) {
                if s.custom {
                    "rsa-b"
                } else {
                    "rsa-a"
                }
            } else {
                other
            };
            s.header.insert("kid".into(), other.into());
        }),
        v("alg-none", |s, _| {
            s.header.insert("alg".into(), "none".into());
            s.sig = Sig::Empty;
        }),
        v("alg-HS256", |s, k| {
            s.header.insert("alg".into(), "HS256".into());
            s.key = "hmac";
            let (_, url) = s.home();
            s.add_jwk(url, k.get("hmac").jwk(Some("hs"), Some("HS256")));
            s.header.insert("kid".into(), "hs".into());
        }),
        v("alg-PS256", |s, _| {
            s.header.insert("alg".into(), "PS256".into());
            s.key = if s.custom { "rsa-b" } else { "rsa-a" };
            s.header.insert("kid".into(), s.key.into());
        }),
        v("alg-RS384", |s, _| {
            s.header.insert("alg".into(), "RS384".into());
            s.key = if s.custom { "rsa-b" } else { "rsa-a" };
            s.header.insert("kid".into(), s.key.into());
        }),
        v("alg-ES256-key-published", |s, k| {
            s.header.insert("alg".into(), "ES256".into());
            s.key = "p256-b";
            s.header.insert("kid".into(), "ec-b".into());
            let (_, url) = s.home();
            s.add_jwk(url, k.get("p256-b").jwk(Some("ec-b"), Some("ES256")));
        }),
        v("alg-EdDSA-key-published", |s, k| {
            s.header.insert("alg".into(), "EdDSA".into());
            s.key = "ed25519-b";
            s.header.insert("kid".into(), "ed-b".into());
            let (_, url) = s.home();
            s.add_jwk(url, k.get("ed25519-b").jwk(Some("ed-b"), None));
        }),
        v("key-rsa-1024", |s, k| {
            s.header.insert("alg".into(), "RS256".into());
            s.header.insert("kid".into(), "rsa-small".into());
            s.key = "rsa1024";
            let (_, url) = s.home();
            s.add_jwk(url, k.get("rsa1024").jwk(Some("rsa-small"), Some("RS256")));
        }),
        v("alg-header-lies", |s, _| {
            // The header keeps its alg and kid; the signature is made by a key of another family.
            s.key = if s.header.get("alg") == Some(&json!("EdDSA")) {
                "rsa-a"
            } else {
                "ed25519-a"
            };
        }),
        hdr("alg-lowercase", "alg", json!("rs256")),
        hdr_del("alg-missing", "alg"),
        hdr(
            "hdr-jku",
            "jku",
            json!("https://evil.example.net/jwks.json"),
        ),
        hdr("hdr-x5u", "x5u", json!("https://evil.example.net/cert.pem")),
        hdr("hdr-b64-false", "b64", json!(false)),
        hdr("hdr-extra-field", "x-custom", json!({"a": 1})),
        // The token's text: what a JSON map cannot hold, and base64 flavours.
        raw(
            "payload-duplicate-iss",
            None,
            Some(|p| format!("{{\"iss\":\"https://other.example.org\",{}", &p[1..])),
        ),
        raw(
            "payload-duplicate-sub",
            None,
            Some(|p| format!("{{\"sub\":\"someone-else\",{}", &p[1..])),
        ),
        raw(
            "payload-duplicate-custom-claim",
            None,
            Some(|p| format!("{{\"role\":\"user\",\"role\":\"admin\",{}", &p[1..])),
        ),
        raw(
            "header-duplicate-alg",
            Some(|h| format!("{{\"alg\":\"none\",{}", &h[1..])),
            None,
        ),
        raw("payload-array", None, Some(|_| "[1,2]".to_owned())),
        raw("payload-trailing-bytes", None, Some(|p| format!("{p} x"))),
        raw("payload-trailing-newline", None, Some(|p| format!("{p}\n"))),
        raw(
            "payload-leading-bom",
            None,
            Some(|p| format!("\u{feff}{p}")),
        ),
        raw(
            "payload-escaped-slashes",
            None,
            Some(|p| p.replace('/', "\\/")),
        ),
        raw("header-trailing-bytes", Some(|h| format!("{h}}}")), None),
        v("b64-padded", |s, _| s.encoding = Encoding::UrlPadded),
        v("b64-standard-alphabet", |s, _| {
            // Claims whose encoding needs `+` and `/`.
            s.payload.insert("x".into(), json!("~~~>>>???"));
            s.encoding = Encoding::Standard;
        }),
        // The signature.
        v("sig-corrupt", |s, _| s.sig = Sig::Corrupt),
        v("sig-other-key", |s, _| {
            s.sig = Sig::OtherKey(match s.key {
                "ed25519-a" => "ed25519-b",
                "p256-a" => "p256-b",
                "rsa-a" => "rsa-b",
                _ => "rsa-a",
            })
        }),
        v("sig-empty", |s, _| s.sig = Sig::Empty),
        v("sig-missing", |s, _| s.sig = Sig::Missing),
        // iss, and the configured domain.
        v("iss-trailing-slash", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &format!("{iss}/"));
        }),
        v("iss-trailing-slash-discovery-without", |s, _| {
            let (iss, _) = s.home();
            s.payload.insert("iss".into(), format!("{iss}/").into());
        }),
        v("iss-no-scheme", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, iss.trim_start_matches("https://"));
        }),
        v("iss-http", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &iss.replace("https://", "http://"));
        }),
        v("iss-other-host", |s, _| {
            consistent_iss(s, "https://other.example.org")
        }),
        v("iss-uppercase-host", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &iss.to_uppercase().replace("HTTPS://", "https://"));
        }),
        claim_del("iss-missing", "iss"),
        claim("iss-number", "iss", json!(42)),
        claim("iss-null", "iss", Value::Null),
        v("iss-with-path", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &format!("{iss}/tenant"));
        }),
        first_provider("cfg-domain-no-scheme", |p| {
            let d = match p {
                ProviderSpec::Oidc { domain, .. } => domain.clone(),
                ProviderSpec::CustomJwt { issuer, .. } => issuer.clone(),
            };
            set_domain(p, d.trim_start_matches("https://"));
        }),
        first_provider("cfg-domain-trailing-slash", |p| {
            let d = match p {
                ProviderSpec::Oidc { domain, .. } => domain.clone(),
                ProviderSpec::CustomJwt { issuer, .. } => issuer.clone(),
            };
            set_domain(p, &format!("{d}/"));
        }),
        first_provider("cfg-domain-http", |p| {
            let d = match p {
                ProviderSpec::Oidc { domain, .. } => domain.clone(),
                ProviderSpec::CustomJwt { issuer, .. } => issuer.clone(),
            };
            set_domain(p, &d.replace("https://", "http://"));
        }),
        first_provider("cfg-domain-jwks-url", |p| {
            let d = match p {
                ProviderSpec::Oidc { domain, .. } => domain.clone(),
                ProviderSpec::CustomJwt { issuer, .. } => issuer.clone(),
            };
            set_domain(p, &format!("{d}/.well-known/jwks.json"));
        }),
        first_provider("cfg-domain-uppercase-scheme", |p| {
            let d = domain_of(p);
            set_domain(p, &d.replace("https://", "HTTPS://"));
        }),
        first_provider("cfg-domain-uppercase-host", |p| {
            let d = domain_of(p);
            set_domain(p, &d.to_uppercase().replace("HTTPS://", "https://"));
        }),
        first_provider("cfg-domain-port-443", |p| {
            let d = domain_of(p);
            set_domain(p, &format!("{d}:443"));
        }),
        first_provider("cfg-domain-double-slash", |p| {
            let d = domain_of(p);
            set_domain(p, &format!("{d}//"));
        }),
        v("iss-port-443", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &format!("{iss}:443"));
        }),
        v("iss-double-trailing-slash", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &format!("{iss}//"));
        }),
        v("iss-trailing-space", |s, _| {
            let (iss, _) = s.home();
            consistent_iss(s, &format!("{iss} "));
        }),
        v("iss-escaped-unicode", |s, _| {
            // The same issuer, `/` written as \u002f in the JSON text.
            s.raw = Some(Raw {
                header: s.raw.and_then(|r| r.header),
                payload: Some(|p| p.replace("https://", "https:\\u002f\\u002f")),
            });
        }),
        first_provider("cfg-application-id-case", |p| match p {
            ProviderSpec::Oidc { application_id, .. } => {
                *application_id = application_id.to_uppercase()
            }
            ProviderSpec::CustomJwt { application_id, .. } => {
                *application_id = application_id.as_ref().map(|a| a.to_uppercase())
            }
        }),
        // aud, azp, and the applicationID.
        claim("aud-array-one", "aud", json!(["AUD"])),
        claim("aud-array-two", "aud", json!(["AUD", "other-client"])),
        claim(
            "aud-array-two-other-first",
            "aud",
            json!(["other-client", "AUD"]),
        ),
        claim_del("aud-missing", "aud"),
        claim("aud-other", "aud", json!("other-client")),
        claim("aud-number", "aud", json!(5)),
        claim("aud-array-mixed-types", "aud", json!(["AUD", 5])),
        claim("aud-nested-array", "aud", json!([["AUD"]])),
        claim("aud-array-duplicate", "aud", json!(["AUD", "AUD"])),
        claim("aud-empty-array", "aud", json!([])),
        claim("aud-null", "aud", Value::Null),
        claim("aud-empty-string", "aud", json!("")),
        claim("azp-other", "azp", json!("other-client")),
        claim("azp-self", "azp", json!("AUD")),
        v("aud-array-two-azp-self", |s, _| {
            s.payload
                .insert("aud".into(), json!(["AUD", "other-client"]));
            s.payload.insert("azp".into(), json!("AUD"));
        }),
        first_provider("cfg-no-application-id", |p| {
            if let ProviderSpec::CustomJwt { application_id, .. } = p {
                *application_id = None;
            }
        }),
        v("cfg-no-application-id-aud-missing", |s, _| {
            if let Some(ProviderSpec::CustomJwt { application_id, .. }) = s.providers.first_mut() {
                *application_id = None;
            }
            s.payload.remove("aud");
        }),
        first_provider("cfg-application-id-other", |p| match p {
            ProviderSpec::Oidc { application_id, .. } => *application_id = "someone-else".into(),
            ProviderSpec::CustomJwt { application_id, .. } => {
                *application_id = Some("someone-else".into())
            }
        }),
        // sub.
        claim_del("sub-missing", "sub"),
        claim("sub-number", "sub", json!(12345)),
        claim("sub-empty", "sub", json!("")),
        claim("sub-null", "sub", Value::Null),
        claim("sub-whitespace", "sub", json!(" user 2 ")),
        claim("sub-object", "sub", json!({"id": 1})),
        // exp around the moment of sending and the 5 s leeway; odd types.
        at("exp-plus-6", "exp", 6),
        at("exp-plus-1", "exp", 1),
        at("exp-now", "exp", 0),
        at("exp-minus-1", "exp", -1),
        at("exp-minus-4", "exp", -4),
        at("exp-minus-5", "exp", -5),
        at("exp-minus-6", "exp", -6),
        at("exp-minus-3600", "exp", -3600),
        claim_del("exp-missing", "exp"),
        claim("exp-ms", "exp", json!((NOW + 3600) * 1000)),
        claim("exp-fraction", "exp", json!(NOW as f64 + 3600.4)),
        claim("exp-fraction-near-now", "exp", json!(NOW as f64 + 0.4)),
        claim("exp-fraction-just-before", "exp", json!(NOW as f64 - 0.6)),
        claim("exp-string", "exp", json!((NOW + 3600).to_string())),
        claim("exp-negative", "exp", json!(-1)),
        claim("exp-null", "exp", Value::Null),
        claim("exp-bool", "exp", json!(true)),
        // iat and nbf around the 5 s leeway.
        claim_del("iat-missing", "iat"),
        at("iat-plus-1", "iat", 1),
        at("iat-plus-4", "iat", 4),
        at("iat-plus-5", "iat", 5),
        at("iat-plus-6", "iat", 6),
        at("iat-plus-60", "iat", 60),
        claim("iat-string", "iat", json!((NOW - 60).to_string())),
        claim("iat-fraction", "iat", json!(NOW as f64 - 59.5)),
        claim("iat-ms", "iat", json!((NOW - 60) * 1000)),
        claim("iat-negative", "iat", json!(-60)),
        at("nbf-minus-10", "nbf", -10),
        at("nbf-plus-1", "nbf", 1),
        at("nbf-plus-4", "nbf", 4),
        at("nbf-plus-5", "nbf", 5),
        at("nbf-plus-6", "nbf", 6),
        at("nbf-plus-60", "nbf", 60),
        claim("nbf-string", "nbf", json!(NOW.to_string())),
        claim("nbf-fraction", "nbf", json!(NOW as f64 - 10.5)),
        // Standard OIDC claims with the wrong (or right) JSON type.
        claim("email_verified-string", "email_verified", json!("true")),
        claim("email_verified-number", "email_verified", json!(1)),
        claim("email_verified-null", "email_verified", Value::Null),
        claim(
            "phone_number_verified-string",
            "phone_number_verified",
            json!("false"),
        ),
        claim(
            "phone_number_verified-bool",
            "phone_number_verified",
            json!(false),
        ),
        claim("name-object", "name", json!({"first": "Ada"})),
        claim("name-number", "name", json!(7)),
        claim("name-null", "name", Value::Null),
        claim("name-localized", "name#fr", json!("Ada")),
        claim("given_name-array", "given_name", json!(["Ada"])),
        claim("email-number", "email", json!(7)),
        claim("email-array", "email", json!(["a@example.com"])),
        claim("email-not-an-address", "email", json!("not an address")),
        claim(
            "picture-array",
            "picture",
            json!(["https://x.example.com/a.png"]),
        ),
        claim("picture-not-a-url", "picture", json!("not a url")),
        claim("website-number", "website", json!(3)),
        claim(
            "updated_at-rfc3339",
            "updated_at",
            json!("2025-01-02T03:04:05Z"),
        ),
        claim("updated_at-bad-string", "updated_at", json!("yesterday")),
        claim("updated_at-fraction", "updated_at", json!(1_700_000_000.5)),
        claim("updated_at-number", "updated_at", json!(1_700_000_000)),
        claim("address-string", "address", json!("1 Main St")),
        claim(
            "address-object",
            "address",
            json!({"formatted": "1 Main St"}),
        ),
        claim("locale-number", "locale", json!(5)),
        claim("gender-number", "gender", json!(5)),
        claim("birthdate-number", "birthdate", json!(19990101)),
        claim("zoneinfo-object", "zoneinfo", json!({})),
        claim("preferred_username-number", "preferred_username", json!(5)),
        claim("phone_number-number", "phone_number", json!(5551234)),
        claim("auth_time-string", "auth_time", json!("1764399000")),
        claim("auth_time-fraction", "auth_time", json!(1_764_399_000.5)),
        claim("acr-number", "acr", json!(2)),
        claim("amr-string", "amr", json!("pwd")),
        claim("nonce-present", "nonce", json!("n-0S6_WzA2Mj")),
        claim("at_hash-garbage", "at_hash", json!("???")),
        claim("sid-number", "sid", json!(5)),
        claim("jti-number", "jti", json!(5)),
        claim(
            "custom-nested",
            "org",
            json!({"id": "org_1", "role": {"name": "admin"}}),
        ),
        claim("custom-array", "roles", json!(["a", "b"])),
        claim("fva-array", "fva", json!([3, -1])),
        // The home key set.
        home_jwks("jwks-okp-alg-EdDSA", |keys, k| {
            keys.push(k.get("ed25519-b").jwk(Some("ed-b"), Some("EdDSA")))
        }),
        home_jwks("jwks-okp-no-alg", |keys, k| {
            keys.push(k.get("ed25519-b").jwk(Some("ed-b"), None))
        }),
        home_jwks("jwks-okp-x25519", |keys, _| {
            keys.push(json!({"kty": "OKP", "crv": "X25519", "kid": "xdh",
                "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}))
        }),
        home_jwks("jwks-rsa-n-leading-zero", |keys, _| {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            for key in keys.iter_mut() {
                if let Some(n) = key["n"].as_str().and_then(|n| b64.decode(n).ok()) {
                    let mut padded = vec![0u8];
                    padded.extend(n);
                    key["n"] = json!(b64.encode(padded));
                }
            }
        }),
        home_jwks("jwks-rsa-e-padded", |keys, _| {
            for key in keys.iter_mut() {
                if key["e"] == "AQAB" {
                    key["e"] = json!("AAEAAQ");
                }
            }
        }),
        v("jwks-keys-not-array", |s, k| {
            let (_, url) = s.home();
            let one = match s.key {
                "p256-a" => k.get("p256-a").jwk(Some("ec-a"), Some("ES256")),
                other => k
                    .get(other)
                    .jwk(s.header.get("kid").and_then(Value::as_str), None),
            };
            s.jwks.insert(url.into(), json!({"keys": one}));
        }),
        home_jwks("jwks-oct", |keys, k| {
            keys.push(k.get("hmac").jwk(Some("hs"), Some("HS256")))
        }),
        home_jwks("jwks-unknown-kty", |keys, _| {
            keys.push(json!({"kty": "PQC", "kid": "future", "pub": "AAAA"}))
        }),
        home_jwks("jwks-ec-p384", |keys, _| {
            keys.push(json!({"kty": "EC", "crv": "P-384", "kid": "p384",
                "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}))
        }),
        home_jwks("jwks-rsa-x5c", |keys, k| {
            let mut j = k.get("rsa-b").jwk(Some("rsa-x5c"), Some("RS256"));
            j["x5c"] = json!(["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]);
            keys.push(j)
        }),
        home_jwks("jwks-empty", |keys, _| keys.clear()),
        home_jwks("jwks-key-use-enc", |keys, _| {
            for key in keys.iter_mut() {
                key["use"] = json!("enc");
            }
        }),
        home_jwks("jwks-key-use-absent", |keys, _| {
            for key in keys.iter_mut() {
                if let Some(o) = key.as_object_mut() {
                    o.remove("use");
                }
            }
        }),
        home_jwks("jwks-key-alg-RS512", |keys, _| {
            for key in keys.iter_mut() {
                if key["kty"] == "RSA" {
                    key["alg"] = json!("RS512");
                }
            }
        }),
        home_jwks("jwks-key-alg-absent", |keys, _| {
            for key in keys.iter_mut() {
                if let Some(o) = key.as_object_mut() {
                    o.remove("alg");
                }
            }
        }),
        home_jwks("jwks-key-kid-absent", |keys, _| {
            for key in keys.iter_mut() {
                if let Some(o) = key.as_object_mut() {
                    o.remove("kid");
                }
            }
        }),
        home_jwks("jwks-key-ops-verify", |keys, _| {
            for key in keys.iter_mut() {
                key["key_ops"] = json!(["verify"]);
            }
        }),
        v("jwks-duplicate-kid", |s, k| {
            let (_, url) = s.home();
            let kid = s
                .header
                .get("kid")
                .and_then(Value::as_str)
                .unwrap_or("x")
                .to_owned();
            let (other, alg) = match s.key {
                "rsa-a" => ("rsa-b", "RS256"),
                "rsa-b" => ("rsa-a", "RS256"),
                "p256-a" => ("p256-b", "ES256"),
                _ => ("ed25519-b", "EdDSA"),
            };
            let alg = (alg != "EdDSA").then_some(alg);
            s.add_jwk(url, k.get(other).jwk(Some(&kid), alg));
        }),
        v("jwks-not-json", |s, _| {
            let (_, url) = s.home();
            s.serve(url, 200, Some("application/json"), "<html>keys</html>");
        }),
        v("jwks-empty-object", |s, _| {
            let (_, url) = s.home();
            s.serve(url, 200, Some("application/json"), "{}");
        }),
        v("jwks-content-type-text", |s, _| {
            content_type(s, "text/plain")
        }),
        v("jwks-content-type-jwk-set", |s, _| {
            content_type(s, "application/jwk-set+json")
        }),
        v("jwks-content-type-charset", |s, _| {
            content_type(s, "application/json; charset=utf-8")
        }),
        v("jwks-content-type-absent", |s, _| {
            let (_, url) = s.home();
            let body = s.jwks.get(url).map(Value::to_string).unwrap_or_default();
            s.serve(url, 200, None, &body);
        }),
        v("jwks-404", |s, _| {
            let (_, url) = s.home();
            s.serve(url, 404, Some("text/plain"), "not found");
        }),
        v("jwks-500", |s, _| {
            let (_, url) = s.home();
            s.serve(url, 500, Some("text/plain"), "oops");
        }),
        // The discovery document (OIDC; for a customJwt scenario these change nothing the backend reads).
        v("disc-issuer-trailing-slash", |s, _| {
            s.discovery.insert(
                OIDC_ISS.into(),
                discovery_doc(&format!("{OIDC_ISS}/"), OIDC_JWKS),
            );
        }),
        v("disc-issuer-other", |s, _| {
            s.discovery.insert(
                OIDC_ISS.into(),
                discovery_doc("https://other.example.org", OIDC_JWKS),
            );
        }),
        v("disc-jwks-elsewhere", |s, _| {
            let moved = "https://keys.example.net/idp/jwks";
            s.discovery
                .insert(OIDC_ISS.into(), discovery_doc(OIDC_ISS, moved));
            if let Some(set) = s.jwks.get(OIDC_JWKS).cloned() {
                s.jwks.insert(moved.into(), set);
            }
        }),
        v("disc-jwks_uri-missing", |s, _| {
            let mut d = discovery_doc(OIDC_ISS, OIDC_JWKS);
            if let Some(o) = d.as_object_mut() {
                o.remove("jwks_uri");
            }
            s.discovery.insert(OIDC_ISS.into(), d);
        }),
        v("disc-404", |s, _| {
            s.serve(
                &crate::case::discovery_url(OIDC_ISS),
                404,
                Some("text/html"),
                "<h1>404</h1>",
            )
        }),
        v("disc-429", |s, _| {
            s.serve(
                &crate::case::discovery_url(OIDC_ISS),
                429,
                Some("text/plain"),
                "slow down",
            )
        }),
        v("disc-content-type-html", |s, _| {
            let body = discovery_doc(OIDC_ISS, OIDC_JWKS).to_string();
            s.serve(
                &crate::case::discovery_url(OIDC_ISS),
                200,
                Some("text/html"),
                &body,
            )
        }),
        v("disc-not-json", |s, _| {
            s.serve(
                &crate::case::discovery_url(OIDC_ISS),
                200,
                Some("application/json"),
                "nope",
            )
        }),
        v("disc-minimal", |s, _| {
            // Only what the backend's fork of openidconnect requires (see README.md).
            s.discovery.insert(
                OIDC_ISS.into(),
                json!({"issuer": OIDC_ISS, "jwks_uri": OIDC_JWKS}),
            );
        }),
        v("disc-extra-fields", |s, _| {
            let mut d = discovery_doc(OIDC_ISS, OIDC_JWKS);
            d["claims_supported"] = json!(["sub", "email"]);
            d["x-vendor"] = json!({"a": [1, 2]});
            s.discovery.insert(OIDC_ISS.into(), d);
        }),
        // Provider lists and their order.
        v("prov-empty", |s, _| s.providers.clear()),
        v("prov-duplicate", |s, _| {
            let p = s.providers[0].clone();
            s.providers.push(p);
        }),
        v("prov-decoy-first", |s, _| {
            s.providers.insert(
                0,
                ProviderSpec::Oidc {
                    domain: "https://decoy.example.org".into(),
                    application_id: "convex".into(),
                },
            );
        }),
        v("prov-other-app-id-first", |s, _| {
            let mut p = s.providers[0].clone();
            match &mut p {
                ProviderSpec::Oidc { application_id, .. } => *application_id = "other".into(),
                ProviderSpec::CustomJwt { application_id, .. } => {
                    *application_id = Some("other".into())
                }
            }
            s.providers.insert(0, p);
        }),
        v("prov-custom-first-same-issuer", |s, _| {
            // A customJwt provider for the same issuer, listed first: it takes the token.
            let (iss, jwks) = s.home();
            let alg = if s.key.starts_with("p256") {
                "ES256"
            } else {
                "RS256"
            };
            let app = if s.custom { "convex-app" } else { "convex" };
            s.providers.insert(
                0,
                ProviderSpec::CustomJwt {
                    issuer: iss.into(),
                    jwks: jwks.into(),
                    algorithm: alg.into(),
                    application_id: Some(app.into()),
                },
            );
        }),
        v("prov-oidc-first-same-issuer", |s, _| {
            // An OIDC provider for the same issuer, listed first: it takes the token.
            let (iss, jwks) = s.home();
            let app = if s.custom { "convex-app" } else { "convex" };
            s.providers.insert(
                0,
                ProviderSpec::Oidc {
                    domain: iss.into(),
                    application_id: app.into(),
                },
            );
            s.discovery.insert(iss.into(), discovery_doc(iss, jwks));
        }),
        v("prov-custom-no-app-id-first", |s, _| {
            let (iss, jwks) = s.home();
            s.providers.insert(
                0,
                ProviderSpec::CustomJwt {
                    issuer: iss.into(),
                    jwks: jwks.into(),
                    algorithm: "RS256".into(),
                    application_id: None,
                },
            );
        }),
        v("prov-jwks-data-uri", |s, _| {
            let (_, url) = s.home();
            let set = s.jwks.get(url).cloned().unwrap_or(json!({"keys": []}));
            use base64::Engine;
            let data = format!(
                "data:application/json;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(set.to_string())
            );
            for p in s.providers.iter_mut() {
                if let ProviderSpec::CustomJwt { jwks, .. } = p {
                    *jwks = data.clone();
                }
            }
        }),
        v("prov-algorithm-swapped", |s, _| {
            for p in s.providers.iter_mut() {
                if let ProviderSpec::CustomJwt { algorithm, .. } = p {
                    *algorithm = if algorithm == "RS256" {
                        "ES256"
                    } else {
                        "RS256"
                    }
                    .into();
                }
            }
        }),
        v("prov-as-oidc", |s, _| {
            // The customJwt issuer configured as an OIDC domain (no discovery document there).
            for p in s.providers.iter_mut() {
                if let ProviderSpec::CustomJwt {
                    issuer,
                    application_id,
                    ..
                } = p
                {
                    *p = ProviderSpec::Oidc {
                        domain: issuer.clone(),
                        application_id: application_id.clone().unwrap_or_default(),
                    };
                }
            }
        }),
    ];
    // `AUD` in the aud variations stands for the scenario's own applicationID.
    for var in out.iter_mut() {
        if var.name.starts_with("aud-") || var.name.starts_with("azp-") {
            let inner = std::mem::replace(&mut var.apply, Box::new(|_, _| {}));
            var.apply = Box::new(move |s, k| {
                inner(s, k);
                let own = if s.custom { "convex-app" } else { "convex" };
                for key in ["aud", "azp"] {
                    if let Some(value) = s.payload.get_mut(key) {
                        replace_aud(value, own);
                    }
                }
            });
        }
    }
    out
}

fn replace_aud(value: &mut Value, own: &str) {
    match value {
        Value::String(s) if s == "AUD" => *s = own.into(),
        Value::Array(items) => items.iter_mut().for_each(|i| replace_aud(i, own)),
        _ => {}
    }
}

fn content_type(s: &mut Scenario, ct: &str) {
    let (_, url) = s.home();
    let body = s.jwks.get(url).map(Value::to_string).unwrap_or_default();
    s.serve(url, 200, Some(ct), &body);
}

/// The four base scenarios.
pub fn bases(keys: &Keys) -> Vec<(&'static str, Scenario)> {
    vec![
        ("oidc-RS256", Scenario::oidc("RS256", keys)),
        ("oidc-EdDSA", Scenario::oidc("EdDSA", keys)),
        ("custom-RS256", Scenario::custom("RS256", keys)),
        ("custom-ES256", Scenario::custom("ES256", keys)),
    ]
}

/// splitmix64: a fixed, dependency-free sequence for the combinations.
struct Seq(u64);
impl Seq {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The seed of the combinations.
pub const SEED: u64 = 0x00C0_FFEE_2026_1129;

/// Every case: each base alone, each base with each variation, then `combinations` seeded random
/// combinations of two or three variations on a random base.
pub fn cases(keys: &Keys, combinations: usize) -> Vec<Case> {
    let vars = variations();
    let bases = bases(keys);
    let mut out = Vec::new();
    for (bname, base) in &bases {
        out.push(base.build(bname.to_string(), keys));
        for var in &vars {
            let mut s = base.clone();
            (var.apply)(&mut s, keys);
            out.push(s.build(format!("{bname}+{}", var.name), keys));
        }
    }
    // Wrapped tokens, captured: on every base, alone and after a few variations.
    for (bname, base) in &bases {
        for (wname, wrap) in wrappings() {
            let mut case = base.build(format!("{bname}+{wname}"), keys);
            case.token = wrap(&case.token);
            case.fork_token = case.fork_token.map(|t| wrap(&t));
            out.push(case);
        }
    }
    // HTTP API calls: the `Authorization` header as the browser sent it (fetch trims the value's ends).
    for (bname, base) in &bases {
        for (hname, header) in headers() {
            let mut case = base.build(format!("{bname}+{hname}"), keys);
            case.token = header(&case.token);
            case.fork_token = case.fork_token.map(|t| header(&t));
            case.transport = Transport::Http;
            out.push(case);
        }
    }
    // The unwrapped cases of two bases once more as pasted input.
    let pasted: Vec<Case> = out
        .iter()
        // The transport is independent of the key family: one OIDC and one customJwt base suffice.
        .filter(|c| c.name.starts_with("oidc-RS256") || c.name.starts_with("custom-RS256"))
        .filter(|c| c.transport == Transport::Frame && !c.name.contains("+wrap-"))
        .map(|c| Case {
            name: format!("{}@input", c.name),
            transport: Transport::Input,
            ..c.clone()
        })
        .collect();
    out.extend(pasted);
    let mut seq = Seq(SEED);
    for _ in 0..combinations {
        let (bname, base) = &bases[seq.below(bases.len())];
        let n = 2 + seq.below(2);
        let mut s = base.clone();
        let mut name = bname.to_string();
        for _ in 0..n {
            let var = &vars[seq.below(vars.len())];
            (var.apply)(&mut s, keys);
            name.push('+');
            name.push_str(var.name);
        }
        out.push(s.build(name, keys));
    }
    out
}

/// What a captured token may carry around it (`token.wrapped`): the backend takes the string as it is.
pub fn wrappings() -> Vec<(&'static str, Wrap)> {
    vec![
        ("wrap-trailing-newline", |t| format!("{t}\n")),
        ("wrap-leading-space", |t| format!(" {t}")),
        ("wrap-json-quotes", |t| format!("\"{t}\"")),
        ("wrap-bearer", |t| format!("Bearer {t}")),
        ("wrap-trailing-dot", |t| format!("{t}.")),
        ("wrap-inner-newline", |t| {
            let (a, b) = t.split_at(t.len() / 2);
            format!("{a}\n{b}")
        }),
    ]
}

/// `Authorization` header values of HTTP API calls, from the token.
pub fn headers() -> Vec<(&'static str, Wrap)> {
    vec![
        ("http-bearer", |t| format!("Bearer {t}")),
        ("http-bearer-lowercase", |t| format!("bearer {t}")),
        ("http-bearer-uppercase", |t| format!("BEARER {t}")),
        ("http-bearer-two-spaces", |t| format!("Bearer  {t}")),
        ("http-bearer-tab", |t| format!("Bearer \t{t}")),
        ("http-bearer-quoted", |t| format!("Bearer \"{t}\"")),
        ("http-bearer-twice", |t| format!("Bearer Bearer {t}")),
        ("http-bearer-no-space", |t| format!("Bearer{t}")),
        ("http-bearer-trailing-dot", |t| format!("Bearer {t}.")),
        ("http-token-scheme", |t| format!("Token {t}")),
        ("http-no-scheme", |t| t.to_owned()),
    ]
}
