//! JWKS and discovery documents as the backend reads them: content types and error texts of convex-backend
//! `crates/authentication/src/lib.rs` (`fetch_jwks`, `JWKS_MEDIA_TYPES`), the exact `issuer` comparison of
//! openidconnect-rs discovery, and the bounds on hostile input.

use convex_auth_doctor::findings::Code;
use convex_auth_doctor::verify::{
    check_discovery, decode_data_uri, discovery_findings, discovery_url, parse_jwks_response, Jwks,
    JwksError,
};

const URL: &str = "https://issuer.example.test/.well-known/jwks.json";

fn main_jwks() -> String {
    let f: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/verify/fixtures.json")).unwrap();
    f["jwks"]["main"].to_string()
}

#[test]
fn accepted_content_types_match_the_backend() {
    let body = main_jwks();
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON; charset=UTF-8",
        "application/jwk-set+json",
        "application/jwk-set+json;charset=\"utf-8\"",
    ] {
        assert!(parse_jwks_response(Some(ct), &body, URL).is_ok(), "{ct}");
    }
}

#[test]
fn wrong_content_type_gives_the_backend_text() {
    let body = main_jwks();
    for ct in [
        "text/html",
        "text/plain; charset=utf-8",
        "application/json; charset=iso-8859-1",
        "json",
    ] {
        let err = parse_jwks_response(Some(ct), &body, URL).unwrap_err();
        assert_eq!(
            err,
            format!(
                "Invalid Content-Type '{ct}' when fetching JWKS from '{URL}'. Expected 'application/json' or \
                 'application/jwk-set+json'."
            )
        );
    }
    let err = parse_jwks_response(None, &body, URL).unwrap_err();
    assert!(err.starts_with("Invalid Content-Type 'unknown' when fetching JWKS from"));
}

#[test]
fn invalid_bodies_give_the_backend_text() {
    let expected = format!(
        "Invalid JWKS response body from '{URL}'. The response is not valid JSON or doesn't match the expected \
         JWKS format."
    );
    for body in [
        "<html>login</html>",
        "",
        "{\"keys\": 3}",
        "[1,2]",
        "{\"kty\":\"RSA\"}",
        "{\"keys\": [",
    ] {
        assert_eq!(
            parse_jwks_response(Some("application/json"), body, URL).unwrap_err(),
            expected,
            "{body}"
        );
    }
}

#[test]
fn jwks_parse_errors_say_what_is_wrong() {
    assert!(matches!(
        Jwks::parse("nope"),
        Err(JwksError::InvalidJson(_))
    ));
    let single = Jwks::parse("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}").unwrap_err();
    assert!(single.to_string().contains("single JWK"), "{single}");
    assert!(matches!(
        Jwks::parse(&" ".repeat(600 * 1024)),
        Err(JwksError::TooLarge(_))
    ));
}

#[test]
fn unusable_keys_are_skipped_with_notes_and_still_listed() {
    let text = r#"{"keys":[
        {"kty":"EC","crv":"P-521","kid":"big","x":"AA","y":"AA"},
        {"kty":"oct","kid":"secret","k":"c2VjcmV0"},
        {"kty":"RSA","kid":"bad-n","n":"!!","e":"AQAB"},
        {"kty":"EC","crv":"P-256","kid":"off-curve","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        "junk"
    ]}"#;
    let set = Jwks::parse(text).unwrap();
    assert!(set.keys.is_empty());
    assert_eq!(set.notes.len(), 5, "{:#?}", set.notes);
    assert_eq!(set.kids(), ["big", "secret", "bad-n", "off-curve"]);
    assert!(set.notes[0].contains("P-521"));
}

#[test]
fn key_count_is_bounded() {
    let key = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    let text = format!("{{\"keys\":[{}]}}", vec![key; 200].join(","));
    let set = Jwks::parse(&text).unwrap();
    assert_eq!(set.keys.len(), convex_auth_doctor::verify::jwks::MAX_KEYS);
    assert!(set.notes.iter().any(|n| n.contains("only the first")));
}

#[test]
fn discovery_issuer_with_trailing_slash_difference_is_a_mismatch() {
    let doc = check_discovery(
        r#"{"issuer":"https://issuer.example.test/","jwks_uri":"https://issuer.example.test/jwks"}"#,
        "https://issuer.example.test",
    )
    .unwrap();
    let f = discovery_findings(&doc, "https://issuer.example.test");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, Code::DiscoveryIssuerMismatch);
    assert!(f[0].message.contains("trailing slash"));
    assert_eq!(
        f[0].evidence["discovery_issuer"],
        "https://issuer.example.test/"
    );
}

#[test]
fn discovery_issuer_of_another_instance_is_a_mismatch_and_equal_is_fine() {
    let doc = check_discovery(
        r#"{"issuer":"https://clerk.other.dev","jwks_uri":"https://clerk.other.dev/.well-known/jwks.json"}"#,
        "https://clerk.mine.dev",
    )
    .unwrap();
    assert_eq!(
        discovery_findings(&doc, "https://clerk.mine.dev")[0].code,
        Code::DiscoveryIssuerMismatch
    );
    assert!(discovery_findings(&doc, "https://clerk.other.dev").is_empty());
    assert_eq!(
        doc.jwks_uri,
        "https://clerk.other.dev/.well-known/jwks.json"
    );
}

#[test]
fn discovery_documents_that_are_not_usable_are_errors() {
    let iss = "https://issuer.example.test";
    assert!(check_discovery("<html>", iss)
        .unwrap_err()
        .contains("not valid JSON"));
    assert!(check_discovery("[]", iss)
        .unwrap_err()
        .contains("not a JSON object"));
    assert!(check_discovery(r#"{"issuer":"x"}"#, iss)
        .unwrap_err()
        .contains("\"jwks_uri\""));
}

#[test]
fn discovery_url_follows_the_oidc_library_join() {
    assert_eq!(
        discovery_url("https://a.test"),
        "https://a.test/.well-known/openid-configuration"
    );
    assert_eq!(
        discovery_url("https://a.test/"),
        "https://a.test/.well-known/openid-configuration"
    );
    assert_eq!(
        discovery_url("https://a.test/t/1"),
        "https://a.test/t/1/.well-known/openid-configuration"
    );
}

#[test]
fn data_uris_decode_like_the_backend() {
    let json = "{\"keys\":[]}";
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, json);
    assert_eq!(
        decode_data_uri(&format!("data:application/json;base64,{b64}")).unwrap(),
        json
    );
    assert_eq!(
        decode_data_uri("data:application/json,%7B%22keys%22%3A%5B%5D%7D").unwrap(),
        json
    );
    assert!(decode_data_uri("data:application/json;base64,***")
        .unwrap_err()
        .starts_with("Invalid JWKS data URL"));
    assert!(decode_data_uri("https://x").is_err());
}
