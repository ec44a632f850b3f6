//! The customJwt path's JWKS parser (biscuit `JWKSet<Empty>`, convex-backend 94a42c3
//! `crates/authentication/src/lib.rs:280-289`; biscuit get-convex 05bdaab `src/jwk.rs`, `src/jwa.rs`): one key it
//! cannot represent fails the whole set and every token of the provider. The OIDC path skips such keys.

use convex_auth_doctor::analysis::{FetchedDocument, KeyPurpose, Session};
use convex_auth_doctor::config::Env;
use convex_auth_doctor::findings::{Code, Severity};
use convex_auth_doctor::verify::Jwks;
use serde_json::{json, Value};

fn fixtures() -> Value {
    serde_json::from_str(include_str!("fixtures/verify/fixtures.json")).unwrap()
}

/// The fixtures' main key set (RSA, EC P-256/P-384, an Ed25519 key without `alg`) with `change` applied to the
/// key whose kid is `kid`.
fn main_with(kid: &str, change: Value) -> String {
    let mut set = fixtures()["jwks"]["main"].clone();
    for key in set["keys"].as_array_mut().unwrap() {
        if key["kid"] == kid {
            for (k, v) in change.as_object().unwrap() {
                if v.is_null() {
                    key.as_object_mut().unwrap().remove(k);
                } else {
                    key[k] = v.clone();
                }
            }
        }
    }
    set.to_string()
}

/// Hands a fetched document to the session, as the panel does.
#[allow(clippy::too_many_arguments)]
fn put(
    s: &mut Session,
    url: &str,
    purpose: &str,
    issuer: &str,
    content_type: Option<&str>,
    status: u16,
    body: &str,
    fetched_at: f64,
) {
    s.set_fetched(&FetchedDocument {
        url,
        purpose: if purpose == "discovery" {
            KeyPurpose::Discovery
        } else {
            KeyPurpose::Jwks
        },
        issuer,
        content_type,
        status,
        body,
        fetched_at,
    });
}

fn refusal(text: &str) -> Option<String> {
    Jwks::parse(text).unwrap().custom_jwt_refusal
}

#[test]
fn biscuit_reads_the_usual_key_sets() {
    for name in [
        "main",
        "other_instance",
        "one_rsa_no_kid",
        "one_rsa_one_ec",
        "two_rsa",
    ] {
        let text = fixtures()["jwks"][name].to_string();
        assert_eq!(refusal(&text), None, "{name}");
    }
    // Every algorithm name biscuit knows, on a key, is fine (RS256, key-management, content-encryption, none).
    for alg in [
        "RS256",
        "PS512",
        "RSA-OAEP-256",
        "A256GCM",
        "dir",
        "none",
        "ES512",
    ] {
        assert_eq!(
            refusal(&main_with("rsa-a", json!({"alg": alg}))),
            None,
            "{alg}"
        );
    }
    // Unknown members, `null` optional members and an unknown `use` are fine.
    let text = main_with(
        "rsa-a",
        json!({"use": "other", "x5t": null, "ext": true, "key_ops": ["verify"]}),
    );
    assert_eq!(refusal(&text), None);
}

#[test]
fn one_key_biscuit_cannot_represent_refuses_the_set() {
    let cases = [
        ("ed-1", json!({"alg": "EdDSA"}), "EdDSA"),
        ("ec-256", json!({"alg": "ES256K"}), "ES256K"),
        ("ec-256", json!({"crv": "secp256k1"}), "secp256k1"),
        ("ed-1", json!({"crv": "X25519"}), "X25519"),
        ("ec-256", json!({"y": null}), "\"y\""),
        ("rsa-a", json!({"e": "AQAB="}), "\"e\""),
        ("rsa-a", json!({"kty": "RSA-PSS"}), "RSA-PSS"),
        ("rsa-a", json!({"kid": 7}), "\"kid\""),
        ("rsa-a", json!({"use": ["sig"]}), "\"use\""),
        ("rsa-a", json!({"x5c": "MIIB"}), "\"x5c\""),
    ];
    for (kid, change, named) in cases {
        let why = refusal(&main_with(kid, change.clone()))
            .unwrap_or_else(|| panic!("{kid} {change}: biscuit refuses this set"));
        assert!(why.contains(named), "{change}: {why}");
    }
}

const ISS: &str = "https://issuer.example.test";

fn custom_jwt_session() -> Session {
    let mut s = Session::new();
    let config = format!(
        "export default {{ providers: [{{ type: \"customJwt\", issuer: \"{ISS}\", jwks: \"{ISS}/jwks\", algorithm: \"RS256\", applicationID: \"convex\" }}] }};"
    );
    s.set_config_source(&config, &Env::default()).unwrap();
    let token = fixtures()["tokens"]["RS256"].as_str().unwrap().to_owned();
    s.add_input_token(&token, 1_764_180_100.0);
    s
}

#[test]
fn every_token_of_the_custom_jwt_provider_is_refused() {
    let mut s = custom_jwt_session();
    let requests = s.key_requests();
    assert_eq!(requests.len(), 1);
    let url = requests[0].url.clone();
    put(
        &mut s,
        &url,
        "jwks",
        ISS,
        Some("application/json"),
        200,
        &main_with("ed-1", json!({"alg": "EdDSA"})),
        1.0,
    );
    let r = s.report();
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::ConfigJwksUnparseable)
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(f.severity, Severity::Fail);
    assert!(
        f.message.contains("Invalid JWKS response body"),
        "{}",
        f.message
    );
    // The token's own key (rsa-a) is fine; the backend never gets to it: no signature verdict.
    assert!(!r.findings.iter().any(|f| f.code == Code::SignatureValid));
    assert!(r
        .steps
        .iter()
        .any(|st| st.step == 3 && st.status == convex_auth_doctor::findings::Status::Fail));

    // The same key without `alg` parses: the signature is checked as usual.
    let mut s = custom_jwt_session();
    put(
        &mut s,
        &url,
        "jwks",
        ISS,
        Some("application/json"),
        200,
        &fixtures()["jwks"]["main"].to_string(),
        1.0,
    );
    let r = s.report();
    assert!(!r
        .findings
        .iter()
        .any(|f| f.code == Code::ConfigJwksUnparseable));
    assert!(
        r.findings.iter().any(|f| f.code == Code::SignatureValid),
        "{:#?}",
        r.findings
    );
}

#[test]
fn the_oidc_path_skips_the_key_instead() {
    let mut s = Session::new();
    let config = format!(
        "export default {{ providers: [{{ domain: \"{ISS}\", applicationID: \"convex\" }}] }};"
    );
    s.set_config_source(&config, &Env::default()).unwrap();
    s.add_input_token(
        fixtures()["tokens"]["RS256"].as_str().unwrap(),
        1_764_180_100.0,
    );
    let jwks = Jwks::parse(&main_with("ed-1", json!({"alg": "EdDSA"}))).unwrap();
    s.set_keys("keys.json", Some(jwks), vec![]);
    let r = s.report();
    assert!(!r
        .findings
        .iter()
        .any(|f| f.code == Code::ConfigJwksUnparseable));
    assert!(
        r.findings.iter().any(|f| f.code == Code::SignatureValid),
        "{:#?}",
        r.findings
    );
}

fn oidc_session() -> Session {
    let mut s = Session::new();
    let config = format!(
        "export default {{ providers: [{{ domain: \"{ISS}\", applicationID: \"convex\" }}] }};"
    );
    s.set_config_source(&config, &Env::default()).unwrap();
    s.add_input_token(
        fixtures()["tokens"]["RS256"].as_str().unwrap(),
        1_764_180_100.0,
    );
    s
}

fn codes(s: &Session) -> Vec<&'static str> {
    s.report()
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

#[test]
fn discovery_is_read_with_openidconnect_content_type_rules() {
    let doc = json!({"issuer": ISS, "jwks_uri": format!("{ISS}/jwks")}).to_string();
    let discovery = format!("{ISS}/.well-known/openid-configuration");
    // http_utils.rs:24-43: a present Content-Type must be application/json; discovery/mod.rs:370-375 fails it.
    let mut s = oidc_session();
    put(
        &mut s,
        &discovery,
        "discovery",
        ISS,
        Some("text/html; charset=utf-8"),
        200,
        &doc,
        1.0,
    );
    let r = s.report();
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::AuthDiscoveryFailed)
        .unwrap_or_else(|| panic!("{:?}", codes(&s)));
    assert_eq!(f.severity, Severity::Fail);
    assert!(f.message.contains("text/html"), "{}", f.message);
    // A missing Content-Type passes; `application/json; charset=utf-8` too.
    for ct in [None, Some("application/json; charset=utf-8")] {
        let mut s = oidc_session();
        put(&mut s, &discovery, "discovery", ISS, ct, 200, &doc, 1.0);
        assert!(
            !codes(&s).contains(&"auth.discovery_failed"),
            "{ct:?}: {:?}",
            codes(&s)
        );
        assert_eq!(
            s.key_requests().len(),
            1,
            "{ct:?}: the JWKS is asked for next"
        );
    }
    // Not provider metadata: no jwks_uri, or a jwks_uri that is no URL.
    for bad in [
        json!({"issuer": ISS}),
        json!({"issuer": ISS, "jwks_uri": "/jwks"}),
    ] {
        let mut s = oidc_session();
        put(
            &mut s,
            &discovery,
            "discovery",
            ISS,
            Some("application/json"),
            200,
            &bad.to_string(),
            1.0,
        );
        assert!(
            codes(&s).contains(&"auth.discovery_failed"),
            "{bad}: {:?}",
            codes(&s)
        );
    }
}

#[test]
fn an_oidc_jwks_without_content_type_is_read_a_custom_jwt_one_is_not() {
    let doc = json!({"issuer": ISS, "jwks_uri": format!("{ISS}/jwks")}).to_string();
    let jwks = fixtures()["jwks"]["main"].to_string();
    let mut s = oidc_session();
    put(
        &mut s,
        &format!("{ISS}/.well-known/openid-configuration"),
        "discovery",
        ISS,
        Some("application/json"),
        200,
        &doc,
        1.0,
    );
    put(
        &mut s,
        &format!("{ISS}/jwks"),
        "jwks",
        ISS,
        None,
        200,
        &jwks,
        2.0,
    );
    assert!(codes(&s).contains(&"signature.valid"), "{:?}", codes(&s));

    // authentication/src/lib.rs:445-471: the customJwt fetch requires a JSON Content-Type.
    let mut s = custom_jwt_session();
    put(
        &mut s,
        &format!("{ISS}/jwks"),
        "jwks",
        ISS,
        None,
        200,
        &jwks,
        2.0,
    );
    // The backend gets the same answer: refused, not "unreachable from here".
    let r = s.report();
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::AuthDiscoveryFailed)
        .unwrap_or_else(|| panic!("{:?}", codes(&s)));
    assert_eq!(f.severity, Severity::Fail);
    assert!(
        f.message.contains("Invalid Content-Type 'unknown'"),
        "{}",
        f.message
    );
    assert!(!codes(&s).contains(&"signature.valid"));
}

#[test]
fn a_404_is_the_backends_answer_too_other_statuses_may_be_transient() {
    let discovery = format!("{ISS}/.well-known/openid-configuration");
    let mut s = oidc_session();
    put(
        &mut s,
        &discovery,
        "discovery",
        ISS,
        Some("text/html"),
        404,
        "<h1>Not Found</h1>",
        1.0,
    );
    let r = s.report();
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::AuthDiscoveryFailed)
        .unwrap_or_else(|| panic!("{:?}", codes(&s)));
    assert_eq!(f.severity, Severity::Fail);
    for status in [429, 503] {
        let mut s = oidc_session();
        put(
            &mut s,
            &discovery,
            "discovery",
            ISS,
            Some("text/html"),
            status,
            "busy",
            1.0,
        );
        let c = codes(&s);
        assert!(
            c.contains(&"jwks.unreachable") && !c.contains(&"auth.discovery_failed"),
            "{status}: {c:?}"
        );
    }
    let mut s = custom_jwt_session();
    put(
        &mut s,
        &format!("{ISS}/jwks"),
        "jwks",
        ISS,
        Some("text/html"),
        404,
        "nope",
        1.0,
    );
    assert!(
        codes(&s).contains(&"auth.discovery_failed"),
        "{:?}",
        codes(&s)
    );
}

#[test]
fn rsa_keys_under_2048_bits_are_not_used_by_either_path() {
    // biscuit jwa.rs:378-383 (ring) and openidconnect core/jwk/mod.rs:191-206 (AWS-LC): RSA_*_2048_8192_*.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let modulus = |bytes: usize| {
        let mut n = vec![0xC5u8; bytes];
        n[bytes - 1] |= 1; // odd
        b64.encode(n)
    };
    let set = |n: String| {
        json!({"keys": [{"kty": "RSA", "kid": "r", "alg": "RS256", "n": n, "e": "AQAB"}]})
            .to_string()
    };
    let small = Jwks::parse(&set(modulus(128))).unwrap();
    assert!(small.keys.is_empty(), "a 1024-bit key is left out");
    assert!(
        small.notes.iter().any(|n| n.contains("2048")),
        "{:?}",
        small.notes
    );
    let big = Jwks::parse(&set(modulus(256))).unwrap();
    assert_eq!(big.keys.len(), 1, "{:?}", big.notes);
}
