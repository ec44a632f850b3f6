//! Signature verification against JWKS with real keys (tests/fixtures/verify/make.mjs, node:crypto), for every
//! algorithm, key rotation, another instance's key under the same kid, algorithm/key-type mismatches and the
//! per-path `kid` rules of convex-backend `crates/authentication` (OIDC: openidconnect-rs key filter; custom JWT:
//! biscuit `decode_with_jwks`, kid required).

use base64::Engine;
use convex_auth_doctor::findings::{Code, Finding};
use convex_auth_doctor::token::{DecodedToken, TokenPath};
use convex_auth_doctor::verify::{verify_token, Jwks};
use serde_json::{Map, Value};

fn fixtures() -> Value {
    serde_json::from_str(include_str!("fixtures/verify/fixtures.json")).unwrap()
}

fn jwks(name: &str) -> Jwks {
    let text = fixtures()["jwks"][name].to_string();
    Jwks::parse(&text).unwrap()
}

/// Builds a DecodedToken from its compact form (the token module's decoder is not needed for these tests).
fn token(name: &str) -> DecodedToken {
    let f = fixtures();
    let text = f["tokens"][name].as_str().unwrap();
    from_compact(text)
}

fn from_compact(text: &str) -> DecodedToken {
    let parts: Vec<&str> = text.split('.').collect();
    let part = |s: &str| -> Map<String, Value> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    DecodedToken {
        header: part(parts[0]),
        payload: part(parts[1]),
        signature: parts[2].to_owned(),
        signing_input: format!("{}.{}", parts[0], parts[1]),
        notes: vec![],
    }
}

fn oidc() -> TokenPath {
    TokenPath::Oidc {
        application_id: Some("convex".into()),
    }
}

fn custom(alg: &str) -> TokenPath {
    TokenPath::CustomJwt {
        algorithm: alg.into(),
        application_id: None,
    }
}

fn one(findings: Vec<Finding>) -> Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    findings.into_iter().next().unwrap()
}

#[test]
fn every_algorithm_verifies_with_its_key_on_both_paths() {
    let keys = jwks("main");
    for alg in [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
    ] {
        for path in [oidc(), custom(alg), TokenPath::Unknown] {
            let f = one(verify_token(&token(alg), &path, &keys));
            assert_eq!(
                f.code,
                Code::SignatureValid,
                "{alg} {path:?}: {}",
                f.message
            );
            assert_eq!(f.evidence["alg"], alg);
        }
    }
}

#[test]
fn a_flipped_bit_in_the_payload_breaks_every_algorithm() {
    let keys = jwks("main");
    for alg in [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
    ] {
        let mut t = token(alg);
        // Change one character of the signed payload: "user_123" -> "user_124" in base64url terms.
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(
                &serde_json::json!({"iss": "https://issuer.example.test", "sub": "admin"}),
            )
            .unwrap(),
        );
        let header = t.signing_input.split('.').next().unwrap().to_owned();
        t.signing_input = format!("{header}.{payload}");
        let f = one(verify_token(&t, &oidc(), &keys));
        assert_eq!(f.code, Code::SignatureInvalid, "{alg}: {}", f.message);
    }
}

#[test]
fn oidc_only_accepts_rs256_and_eddsa_even_when_the_signature_is_good() {
    let keys = jwks("main");
    let f = one(verify_token(&token("ES256"), &oidc(), &keys));
    assert_eq!(f.code, Code::SignatureValid);
    assert_eq!(f.evidence["backend_accepts_alg"], false);
    assert!(f.message.contains("only RS256 and EdDSA"));
    let f = one(verify_token(&token("RS256"), &oidc(), &keys));
    assert!(!f.evidence.contains_key("backend_accepts_alg"));
}

#[test]
fn rotated_key_is_kid_not_found_and_lists_the_published_kids() {
    let keys = jwks("main");
    for path in [oidc(), custom("RS256")] {
        let f = one(verify_token(&token("rotated"), &path, &keys));
        assert_eq!(f.code, Code::JwksKidNotFound);
        assert_eq!(f.evidence["kid"], "rsa-old");
        assert_eq!(
            f.evidence["jwks_kids"],
            serde_json::json!(["rsa-a", "rsa-b", "ec-256", "ec-384", "ed-1"])
        );
        assert!(f
            .message
            .contains("No key has kid rsa-old; the JWKS has [rsa-a, rsa-b, ec-256, ec-384, ed-1]"));
        assert!(f.message.contains("rotated"));
        assert!(!f.evidence.contains_key("verifies_with"));
    }
}

#[test]
fn wrong_kid_but_a_published_key_verifies_says_only_the_kid_is_wrong() {
    let f = one(verify_token(
        &token("wrong_kid_right_key"),
        &custom("RS256"),
        &jwks("main"),
    ));
    assert_eq!(f.code, Code::JwksKidNotFound);
    assert_eq!(f.evidence["verifies_with"], serde_json::json!(["rsa-b"]));
}

#[test]
fn another_instance_key_under_the_same_kid_is_signature_invalid() {
    // The token says kid rsa-a; the JWKS's rsa-a is another key (another deployment's provider, same kid scheme).
    for path in [oidc(), custom("RS256")] {
        let f = one(verify_token(
            &token("same_kid_other_key"),
            &path,
            &jwks("main"),
        ));
        assert_eq!(f.code, Code::SignatureInvalid, "{}", f.message);
        assert_eq!(f.evidence["matched_kid"], "rsa-a");
        assert_eq!(f.evidence["reason"], "mismatch");
        assert!(
            f.message.contains("not in this set but has the same kid"),
            "{}",
            f.message
        );
    }
    // And the reverse: a token of this instance against the other instance's JWKS.
    let f = one(verify_token(
        &token("RS256"),
        &oidc(),
        &jwks("other_instance"),
    ));
    assert_eq!(f.code, Code::SignatureInvalid);
}

#[test]
fn signed_by_another_key_of_the_set_names_that_key() {
    let f = one(verify_token(
        &token("signed_by_b_kid_a"),
        &oidc(),
        &jwks("main"),
    ));
    assert_eq!(f.code, Code::SignatureInvalid);
    assert_eq!(f.evidence["verifies_with"], serde_json::json!(["rsa-b"]));
}

#[test]
fn es256_header_on_an_rsa_kid_is_a_key_type_mismatch() {
    for path in [oidc(), custom("ES256")] {
        let f = one(verify_token(
            &token("es256_header_on_rsa_kid"),
            &path,
            &jwks("main"),
        ));
        assert_eq!(f.code, Code::SignatureInvalid, "{path:?}");
        assert_eq!(
            f.evidence["reason"], "alg_key_type_mismatch",
            "{path:?}: {}",
            f.message
        );
        assert_eq!(f.evidence["key_type"], "RSA");
        assert_eq!(f.evidence["alg"], "ES256");
    }
}

#[test]
fn key_published_for_another_alg_is_refused() {
    // rsa-a published with alg PS256; the token is RS256.
    let keys = jwks("rsa_a_for_ps256");
    let f = one(verify_token(&token("RS256"), &custom("RS256"), &keys));
    assert_eq!(f.code, Code::SignatureInvalid);
    assert_eq!(f.evidence["reason"], "alg_key_alg_mismatch");
    let f = one(verify_token(&token("RS256"), &oidc(), &keys));
    assert_eq!(f.code, Code::SignatureInvalid);
    // Same key, PS256 token: fits.
    assert_eq!(
        one(verify_token(&token("PS256"), &oidc(), &keys)).code,
        Code::SignatureValid
    );
}

#[test]
fn encryption_keys_are_not_used_for_signatures_on_the_oidc_path() {
    let f = one(verify_token(&token("RS256"), &oidc(), &jwks("rsa_a_enc")));
    assert_eq!(f.code, Code::SignatureInvalid);
    assert!(f.message.contains("use enc"), "{}", f.message);
}

#[test]
fn oidc_kidless_token_uses_the_only_fitting_key() {
    // One key, no kid anywhere.
    let f = one(verify_token(
        &token("kidless_RS256"),
        &oidc(),
        &jwks("one_rsa_no_kid"),
    ));
    assert_eq!(f.code, Code::SignatureValid, "{}", f.message);
    // One RSA and one EC key: only the RSA key fits RS256, so it is chosen.
    let f = one(verify_token(
        &token("kidless_RS256"),
        &oidc(),
        &jwks("one_rsa_one_ec"),
    ));
    assert_eq!(f.code, Code::SignatureValid, "{}", f.message);
    assert_eq!(f.evidence["matched_kid"], "rsa-a");
    // EdDSA kid-less against the main set: only ed-1 fits.
    let f = one(verify_token(
        &token("kidless_EdDSA"),
        &oidc(),
        &jwks("main"),
    ));
    assert_eq!(f.code, Code::SignatureValid);
}

#[test]
fn oidc_kidless_token_with_two_fitting_keys_is_ambiguous() {
    let f = one(verify_token(
        &token("kidless_RS256"),
        &oidc(),
        &jwks("two_rsa"),
    ));
    assert_eq!(f.code, Code::SignatureInvalid);
    assert_eq!(f.evidence["reason"], "ambiguous_key");
    assert_eq!(
        f.evidence["candidates"],
        serde_json::json!(["rsa-b", "rsa-a"])
    );
    assert_eq!(f.evidence["verifies_with"], serde_json::json!(["rsa-a"]));
}

#[test]
fn custom_jwt_requires_a_kid_even_with_one_key() {
    let f = one(verify_token(
        &token("kidless_RS256"),
        &custom("RS256"),
        &jwks("one_rsa_one_ec"),
    ));
    assert_eq!(f.code, Code::JwksKidNotFound);
    assert_eq!(f.evidence["reason"], "kid_required");
    assert!(f
        .message
        .contains("JWT may be missing a 'kid' (key ID) header"));
    assert_eq!(f.evidence["verifies_with"], serde_json::json!(["rsa-a"]));
}

#[test]
fn shared_secret_and_missing_alg_are_explained() {
    let f = one(verify_token(&token("HS256"), &oidc(), &jwks("main")));
    assert_eq!(f.code, Code::SignatureInvalid);
    assert_eq!(f.evidence["reason"], "alg_unsupported");
    let mut t = token("RS256");
    t.header.remove("alg");
    assert_eq!(
        one(verify_token(&t, &oidc(), &jwks("main"))).evidence["reason"],
        "alg_missing"
    );
}

#[test]
fn garbage_signatures_never_panic() {
    let keys = jwks("main");
    for alg in ["RS256", "PS256", "ES256", "ES384", "EdDSA"] {
        for sig in ["", "A", "!!!!", "AAAA", &"A".repeat(10_000), "MEUCIQ"] {
            let mut t = token(alg);
            t.signature = sig.to_owned();
            let f = one(verify_token(&t, &oidc(), &keys));
            assert_eq!(f.code, Code::SignatureInvalid, "{alg} {sig:.10}");
        }
    }
}

#[test]
fn signature_is_never_in_the_evidence() {
    let t = token("RS256");
    let f = one(verify_token(&t, &oidc(), &jwks("main")));
    let text = serde_json::to_string(&f.evidence).unwrap() + &f.message;
    assert!(!text.contains(&t.signature));
}

#[test]
fn a_flipped_bit_in_the_signature_breaks_every_algorithm() {
    let keys = jwks("main");
    for alg in [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
    ] {
        let mut t = token(alg);
        let mut sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&t.signature)
            .unwrap();
        let mid = sig.len() / 2;
        sig[mid] ^= 0x10;
        t.signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&sig);
        let f = one(verify_token(&t, &oidc(), &keys));
        assert_eq!(f.code, Code::SignatureInvalid, "{alg}");
        // A signature equal to the modulus or above it is rejected, not reduced.
        if alg.starts_with("RS") {
            let mut t = token(alg);
            t.signature =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![0xffu8; sig.len()]);
            assert_eq!(
                one(verify_token(&t, &oidc(), &keys)).code,
                Code::SignatureInvalid
            );
        }
    }
}

#[test]
fn rsa_key_sizes_2049_3072_4096_verify_pkcs1_and_pss() {
    // 2049 bits: the PSS encoded message is one byte shorter than the modulus (RFC 8017 §9.1.2 emLen).
    let keys = jwks("sizes");
    assert_eq!(keys.keys.len(), 3, "{:?}", keys.notes);
    for bits in [2049, 3072, 4096] {
        for alg in ["RS256", "PS256", "PS512"] {
            let f = one(verify_token(
                &token(&format!("{alg}_{bits}")),
                &oidc(),
                &keys,
            ));
            assert_eq!(f.code, Code::SignatureValid, "{alg} {bits}: {}", f.message);
        }
    }
}
