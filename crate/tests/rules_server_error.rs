//! Classifying the backend's authentication error texts. Texts are copied from convex-backend
//! crates/authentication/src/lib.rs, crates/sync/src/state.rs, crates/keybroker/src/broker.rs,
//! crates/common/src/auth.rs and biscuit's ValidationError Display.

use convex_auth_doctor::findings::Code;
use convex_auth_doctor::rules::ServerError;

fn implied(msg: &str) -> Option<Code> {
    ServerError::classify(msg).implied_code()
}

#[test]
fn no_auth_provider_forms() {
    assert_eq!(
        ServerError::classify("No auth provider found matching the given token"),
        ServerError::NoAuthProvider {
            no_providers_configured: false,
            redacted: true
        }
    );
    let none = ServerError::classify("No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.");
    assert_eq!(
        none,
        ServerError::NoAuthProvider {
            no_providers_configured: true,
            redacted: false
        }
    );
    assert_eq!(none.implied_code(), Some(Code::ConfigNoProviders));
    let listed = ServerError::classify("No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=https://a, app_id=convex)]");
    assert_eq!(
        listed,
        ServerError::NoAuthProvider {
            no_providers_configured: false,
            redacted: false
        }
    );
    assert_eq!(listed.implied_code(), None);
}

#[test]
fn discovery_failed_with_and_without_status() {
    assert_eq!(
        ServerError::classify("Auth provider discovery of https://a.example.com failed"),
        ServerError::DiscoveryFailed {
            issuer: "https://a.example.com".into()
        }
    );
    let e = ServerError::classify(
        "Auth provider discovery of https://a.example.com/ failed: 500 Internal Server Error oops",
    );
    assert_eq!(
        e,
        ServerError::DiscoveryFailed {
            issuer: "https://a.example.com/".into()
        }
    );
    assert_eq!(e.implied_code(), Some(Code::AuthDiscoveryFailed));
    assert!(e.explain().contains("https://a.example.com/"));
}

#[test]
fn identity_expired() {
    let e = ServerError::classify("Convex token identity expired");
    assert_eq!(e, ServerError::IdentityExpired);
    assert_eq!(e.implied_code(), Some(Code::AuthExpiredInSession));
}

#[test]
fn token_texts_imply_step2_codes() {
    assert_eq!(implied("Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots."), Some(Code::TokenMalformed));
    assert_eq!(implied("Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers."), Some(Code::TokenClaimMissing));
    assert_eq!(
        ServerError::classify("Missing subject"),
        ServerError::MissingClaim {
            claim: "sub".into()
        }
    );
    assert_eq!(
        ServerError::classify("Missing expiry"),
        ServerError::MissingClaim {
            claim: "exp".into()
        }
    );
    assert_eq!(
        ServerError::classify(
            "Could not validate token: The following claims are required, but missing: [\"exp\"]"
        ),
        ServerError::MissingClaim {
            claim: "exp".into()
        }
    );
}

#[test]
fn custom_jwt_time_texts() {
    let e = ServerError::classify("Could not validate token: Token expired 42 seconds ago");
    assert_eq!(
        e,
        ServerError::TokenExpired {
            seconds_ago: Some(42)
        }
    );
    assert_eq!(e.implied_code(), Some(Code::TokenExpired));
    let n = ServerError::classify("Could not validate token: Token will be valid in 7 seconds");
    assert_eq!(n, ServerError::NotYetValid { seconds: Some(7) });
    assert_eq!(n.implied_code(), Some(Code::TokenNotYetValid));
    assert_eq!(
        ServerError::classify(
            "Could not validate token: Token has been considered too old for 3 seconds"
        ),
        ServerError::TooOld
    );
}

#[test]
fn kid_texts_dev_and_redacted() {
    let m = ServerError::classify(
        "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
    );
    assert_eq!(m, ServerError::KidMissing { redacted: false });
    assert_eq!(m.implied_code(), Some(Code::ConfigKidMissing));
    let r = ServerError::classify("Could not decode token. The JWT is missing a 'kid' (key ID) header, or the JWT signature is invalid.");
    assert_eq!(r, ServerError::KidMissing { redacted: true });
    assert_eq!(r.implied_code(), Some(Code::ConfigKidMissing));
    let k = ServerError::classify("Could not decode token. The JWT's 'kid' (key ID) header is 'abc', does this key match any key in the provider's JWKS?");
    assert_eq!(
        k,
        ServerError::KidNotInJwks {
            kid: Some("abc".into())
        }
    );
    assert_eq!(k.implied_code(), Some(Code::JwksKidNotFound));
    assert_eq!(
        ServerError::classify("Could not decode token. The JWT's 'kid' (key ID) header doesn't match any key in the provider's JWKS, or the JWT signature is invalid."),
        ServerError::KidNotInJwks { kid: None }
    );
}

#[test]
fn issuer_and_audience_texts() {
    let i = ServerError::classify("Invalid issuer: https://a.example.com != https://b.example.com");
    assert_eq!(
        i,
        ServerError::InvalidIssuer {
            token: "https://a.example.com".into(),
            configured: "https://b.example.com".into()
        }
    );
    assert_eq!(i.implied_code(), Some(Code::ConfigIssuerMismatch));
    let a = ServerError::classify("Invalid audience: my-app not in [\"other\"]");
    assert_eq!(
        a,
        ServerError::InvalidAudience {
            application_id: "my-app".into()
        }
    );
    assert_eq!(a.implied_code(), Some(Code::ConfigAudienceMismatch));
    assert_eq!(implied("Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your configured application ID."), Some(Code::TokenClaimMissing));
}

#[test]
fn oidc_texts_say_rejected_without_a_single_cause() {
    assert_eq!(ServerError::classify("Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired."), ServerError::OidcClaimUnverified);
    assert_eq!(
        ServerError::classify(
            "Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT."
        ),
        ServerError::NotOidcToken
    );
    assert_eq!(implied("Could not verify OIDC token claim."), None);
}

#[test]
fn jwks_fetch_texts() {
    let e = ServerError::classify("Could not fetch JWKS from URL 'https://a/jwks': HTTP 404 Not Found. Check that the URL is correct and accessible.");
    assert_eq!(
        e,
        ServerError::JwksUnavailable {
            url: Some("https://a/jwks".into())
        }
    );
    assert_eq!(e.implied_code(), Some(Code::AuthDiscoveryFailed));
    assert_eq!(
        ServerError::classify("Invalid Content-Type 'text/html' when fetching JWKS from 'https://a/jwks'. Expected 'application/json' or 'application/jwk-set+json'."),
        ServerError::JwksUnavailable { url: Some("https://a/jwks".into()) }
    );
    // Fetched, and refused by biscuit's JWKS parser (authentication/src/lib.rs:280-289): the set itself is the fault.
    let e = ServerError::classify("Invalid JWKS response body from 'https://a/jwks'. The response is not valid JSON or doesn't match the expected JWKS format.");
    assert_eq!(
        e,
        ServerError::JwksUnparseable {
            url: Some("https://a/jwks".into())
        }
    );
    assert_eq!(e.implied_code(), Some(Code::ConfigJwksUnparseable));
}

#[test]
fn header_and_admin_key_texts() {
    assert_eq!(
        implied("Header must begin with `bearer `"),
        Some(Code::TokenBadScheme)
    );
    assert_eq!(implied("Invalid admin key"), Some(Code::TokenBadScheme));
    assert_eq!(
        ServerError::classify("The provided admin key was invalid for this instance"),
        ServerError::BadAdminKey
    );
}

#[test]
fn alg_mismatch_implies_alg_unsupported() {
    assert_eq!(
        implied("Could not validate token: WrongAlgorithmHeader"),
        Some(Code::TokenAlgUnsupported)
    );
}

#[test]
fn config_push_errors() {
    let e = ServerError::classify("Invalid provider domain URL \"foo\": Does not look like a URL (must have a scheme or end with a top-level domain)");
    assert!(matches!(e, ServerError::InvalidConfig { .. }));
}

#[test]
fn prefixes_do_not_hide_the_meaning() {
    assert_eq!(
        ServerError::classify("Uncaught Error: Convex token identity expired\n  at foo"),
        ServerError::IdentityExpired
    );
}

#[test]
fn unknown_and_empty() {
    assert_eq!(ServerError::classify(""), ServerError::Unknown);
    assert_eq!(
        ServerError::classify("something else"),
        ServerError::Unknown
    );
    assert_eq!(ServerError::Unknown.implied_code(), None);
}

#[test]
fn classify_code_uses_the_code_when_the_message_is_not_enough() {
    assert_eq!(
        ServerError::classify_code("NoAuthProvider", ""),
        ServerError::NoAuthProvider {
            no_providers_configured: false,
            redacted: true
        }
    );
    assert_eq!(
        ServerError::classify_code("AuthProviderDiscoveryFailed", ""),
        ServerError::DiscoveryFailed {
            issuer: String::new()
        }
    );
    assert_eq!(
        ServerError::classify_code("TokenExpired", "x"),
        ServerError::IdentityExpired
    );
    assert_eq!(
        ServerError::classify_code("InvalidAdminKey", "Invalid admin key"),
        ServerError::BadAuthorizationScheme
    );
    assert_eq!(
        ServerError::classify_code("Unauthenticated", "?"),
        ServerError::Other {
            kind: "unauthenticated"
        }
    );
    assert_eq!(
        ServerError::classify_code("InvalidAuthHeader", "?"),
        ServerError::Other {
            kind: "invalid_auth_header"
        }
    );
    // The message wins when it is precise.
    assert_eq!(
        ServerError::classify_code(
            "InvalidAuthHeader",
            "Could not validate token: Token expired 1 seconds ago"
        ),
        ServerError::TokenExpired {
            seconds_ago: Some(1)
        }
    );
}

#[test]
fn every_variant_explains_itself() {
    let all = [
        "No auth provider found matching the given token",
        "Auth provider discovery of https://a failed",
        "Convex token identity expired",
        "Could not parse JWT payload.",
        "Missing subject",
        "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
        "Invalid audience: a not in []",
        "Could not validate token: Token expired 1 seconds ago",
        "something else",
    ];
    for m in all {
        assert!(!ServerError::classify(m).explain().is_empty(), "{m}");
    }
}
