//! The OIDC path's own refusals (convex-backend 94a42c3 `crates/authentication/src/lib.rs:208-271`, openidconnect-rs
//! get-convex 15a9c55 `src/jwt/mod.rs:195-215`, `src/id_token/mod.rs:202-245`, `src/claims.rs:256-297`,
//! `src/verification/mod.rs:231-279`): expectations reasoned from those lines, positive and negative, on each path.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::findings::{Code, Finding, Severity};
use convex_auth_doctor::token::{check_token, decode, DecodedToken, TokenPath};
use serde_json::{json, Map, Value};

const T: f64 = 1_764_180_000.0;

fn oidc() -> TokenPath {
    TokenPath::Oidc {
        application_id: Some("convex".into()),
    }
}
fn custom() -> TokenPath {
    TokenPath::CustomJwt {
        algorithm: "RS256".into(),
        application_id: Some("convex".into()),
    }
}

fn token(header: Value, changes: Value) -> DecodedToken {
    let mut payload: Map<String, Value> = json!({
        "iss": "https://issuer.example", "sub": "user_1", "aud": "convex",
        "iat": T - 60.0, "exp": T + 3600.0,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    for (k, v) in changes.as_object().cloned().unwrap_or_default() {
        if v.is_null() {
            payload.remove(&k);
        } else {
            payload.insert(k, v);
        }
    }
    let text = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string()),
        URL_SAFE_NO_PAD.encode([5u8; 256])
    );
    decode(&text).unwrap_or_else(|m| panic!("test token must decode: {}", m.message))
}

fn plain(changes: Value) -> DecodedToken {
    token(json!({"alg": "RS256", "typ": "JWT", "kid": "k1"}), changes)
}

fn of(fs: &[Finding], code: Code) -> Vec<&Finding> {
    fs.iter().filter(|f| f.code == code).collect()
}

fn severity(fs: &[Finding], code: Code) -> Option<Severity> {
    let found = of(fs, code);
    assert!(found.len() <= 1, "more than one {code}: {fs:#?}");
    found.first().map(|f| f.severity)
}

#[test]
fn scheme_less_iss_fails_on_oidc_warns_when_unknown_and_passes_custom_jwt() {
    // lib.rs:208 parses the raw iss with Url::parse: a bare host is a relative URL and fails internally.
    let t = plain(json!({"iss": "foo.clerk.accounts.dev"}));
    let fs = check_token(&t, T, &oidc());
    assert_eq!(severity(&fs, Code::TokenIssNoScheme), Some(Severity::Fail));
    let f = of(&fs, Code::TokenIssNoScheme)[0];
    assert!(f.message.contains("1011"), "{}", f.message);
    assert_eq!(
        f.evidence.get("expected"),
        Some(&json!("https://foo.clerk.accounts.dev"))
    );
    assert_eq!(
        severity(
            &check_token(&t, T, &TokenPath::Unknown),
            Code::TokenIssNoScheme
        ),
        Some(Severity::Warn)
    );
    // lib.rs:324-331: the customJwt path adds https:// itself and accepts.
    assert_eq!(
        severity(&check_token(&t, T, &custom()), Code::TokenIssNoScheme),
        None
    );
    // With a scheme, nothing: https and http both parse.
    for iss in ["https://foo.clerk.accounts.dev", "http://localhost:3210/"] {
        let fs = check_token(&plain(json!({ "iss": iss })), T, &oidc());
        assert_eq!(severity(&fs, Code::TokenIssNoScheme), None, "{iss}");
    }
    // `host:443` parses as a URL of scheme `host`: not an internal error, but discovery cannot work: a warning.
    let fs = check_token(&plain(json!({"iss": "issuer.example:443"})), T, &oidc());
    assert_eq!(severity(&fs, Code::TokenIssNoScheme), Some(Severity::Warn));
}

#[test]
fn cty_and_crit_are_refused_on_oidc_only() {
    for (field, value) in [
        ("cty", json!("JWT")),
        ("cty", json!("application/json")),
        ("crit", json!(["exp"])),
        ("crit", json!([])),
    ] {
        let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
        header[field] = value.clone();
        let t = token(header, json!({}));
        let fs = check_token(&t, T, &oidc());
        assert_eq!(
            severity(&fs, Code::TokenHeaderRefused),
            Some(Severity::Fail),
            "{field}: {value}"
        );
        assert_eq!(
            of(&fs, Code::TokenHeaderRefused)[0]
                .evidence
                .get("header_field"),
            Some(&json!(field))
        );
        assert_eq!(
            severity(
                &check_token(&t, T, &TokenPath::Unknown),
                Code::TokenHeaderRefused
            ),
            Some(Severity::Warn)
        );
        // biscuit's header keeps cty and crit without acting on them.
        assert_eq!(
            severity(&check_token(&t, T, &custom()), Code::TokenHeaderRefused),
            None
        );
    }
    // `null` is an absent Option for serde: accepted.
    let t = token(
        json!({"alg": "RS256", "typ": "JWT", "kid": "k1", "cty": null, "crit": null}),
        json!({}),
    );
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenHeaderRefused),
        None
    );
}

#[test]
fn standard_claims_of_the_wrong_type_fail_on_oidc() {
    let refused = [
        ("email_verified", json!("true")),
        ("phone_number_verified", json!("false")),
        ("email_verified", json!(1)),
        ("name", json!({"first": "Ada"})),
        ("email", json!(["a@b.c"])),
        ("picture", json!(42)),
        ("updated_at", json!("yesterday")),
        ("updated_at", json!(true)),
        ("auth_time", json!("soon")),
        ("amr", json!("pwd")),
        ("amr", json!([1])),
        ("nonce", json!(7)),
        ("azp", json!(["convex"])),
        ("address", json!("1 Main St")),
        ("address", json!({"formatted": 3})),
        ("locale", json!(false)),
        ("gender", json!(1)),
    ];
    for (claim, value) in refused {
        let t = plain(json!({ claim: value.clone() }));
        let fs = check_token(&t, T, &oidc());
        assert_eq!(
            severity(&fs, Code::TokenClaimType),
            Some(Severity::Fail),
            "{claim}: {value}"
        );
        let f = of(&fs, Code::TokenClaimType)[0];
        assert_eq!(f.evidence.get("claim"), Some(&json!(claim)));
        assert!(f.message.contains("Could not parse as OIDC ID token"));
        assert_eq!(
            severity(
                &check_token(&t, T, &TokenPath::Unknown),
                Code::TokenClaimType
            ),
            Some(Severity::Warn)
        );
        // customJwt keeps every non-registered claim as a JSON value.
        assert_eq!(
            severity(&check_token(&t, T, &custom()), Code::TokenClaimType),
            None
        );
    }
}

#[test]
fn standard_claims_of_the_right_type_or_null_pass() {
    let accepted = json!({
        "email_verified": true, "phone_number_verified": false, "name": "Ada", "name#fr": "Ada",
        "email": "a@b.c", "picture": "https://x/p.png", "updated_at": 1_700_000_000,
        "auth_time": "2025-11-26T17:59:00Z", "amr": ["pwd"], "nonce": "n", "azp": "convex",
        "address": {"formatted": "1 Main St", "extra": 5}, "locale": "fr-FR", "gender": null,
        "website": null, "custom": {"anything": [1, "x"]}, "org_role": 3,
    });
    let fs = check_token(&plain(accepted), T, &oidc());
    assert_eq!(severity(&fs, Code::TokenClaimType), None, "{fs:#?}");
}

#[test]
fn language_tags_only_on_localized_claims() {
    // helpers.rs:89-95: a non-localized standard claim with `#tag` is refused.
    let t = plain(json!({"email#en": "a@b.c"}));
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenClaimType),
        Some(Severity::Fail)
    );
    // `name#` is `name` again: both present is a duplicate field.
    let t = plain(json!({"name": "Ada", "name#": "Ada"}));
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenClaimType),
        Some(Severity::Fail)
    );
    // A tag on a localized claim, a tag on an unknown claim: fine.
    let t = plain(json!({"nickname#de": "A", "team#x": 1}));
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenClaimType),
        None
    );
}

#[test]
fn custom_jwt_leeway_accepts_then_the_identity_is_already_expired() {
    // biscuit passes now − round(exp) ≤ 5 s (lib.rs:360-378), but the identity expires at round(exp) and the sync
    // state refuses an expired identity at once (sync/src/state.rs:297-303): the token never works.
    let t = plain(json!({"exp": T - 3.0}));
    let fs = check_token(&t, T, &custom());
    let f = of(&fs, Code::TokenExpired)[0];
    assert_eq!(f.severity, Severity::Fail);
    assert!(f.message.contains("expiry AuthError"), "{}", f.message);
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenExpired),
        Some(Severity::Fail)
    );
    // Beyond the leeway: refused by validation itself.
    let t = plain(json!({"exp": T - 6.0}));
    let f = check_token(&t, T, &custom());
    assert!(
        of(&f, Code::TokenExpired)[0].message.contains("beyond"),
        "{f:#?}"
    );
    // One second left: fine on both paths.
    let t = plain(json!({"exp": T + 1.0}));
    assert_eq!(
        severity(&check_token(&t, T, &custom()), Code::TokenExpired),
        None
    );
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenExpired),
        None
    );
}

#[test]
fn fractional_exp_is_rounded_by_biscuit_and_compared_as_sent_by_openidconnect() {
    // numeric_type.rs: 0.4 rounds down, so the customJwt identity expires at T, the moment it is sent.
    let t = plain(json!({"exp": T + 0.4}));
    assert_eq!(
        severity(&check_token(&t, T, &custom()), Code::TokenExpired),
        Some(Severity::Fail)
    );
    // The OIDC identity expires at T + 0.4: sent at T it is still valid.
    assert_eq!(
        severity(&check_token(&t, T, &oidc()), Code::TokenExpired),
        None
    );
    // Unknown path: one kind refuses, the other not: a warning, not a refusal.
    assert_eq!(
        severity(&check_token(&t, T, &TokenPath::Unknown), Code::TokenExpired),
        Some(Severity::Warn)
    );
    // Sent half a second later, past exp: OIDC refuses too.
    assert_eq!(
        severity(&check_token(&t, T + 0.5, &oidc()), Code::TokenExpired),
        Some(Severity::Fail)
    );
    // 0.6 rounds up: the customJwt identity lives until T + 1.
    let t = plain(json!({"exp": T + 0.6}));
    assert_eq!(
        severity(&check_token(&t, T + 0.5, &custom()), Code::TokenExpired),
        None
    );
}

#[test]
fn header_fields_and_jti_of_the_wrong_type_are_unreadable_on_every_path() {
    // openidconnect jwt/mod.rs:195-215 and biscuit jws.rs: kid/cty strings, crit a list of strings.
    for (field, value) in [
        ("kid", json!(7)),
        ("cty", json!({"a": 1})),
        ("crit", json!("exp")),
    ] {
        let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
        header[field] = value.clone();
        let t = token(header, json!({}));
        for path in [oidc(), custom(), TokenPath::Unknown] {
            let fs = check_token(&t, T, &path);
            assert!(
                of(&fs, Code::TokenMalformed)
                    .iter()
                    .any(|f| f.evidence.get("field") == Some(&json!(field))),
                "{field}: {value} on {path:?}: {fs:#?}"
            );
        }
    }
    // biscuit's RegisteredClaims.id: `jti` must be a string ("Could not parse JWT payload", lib.rs:166-173).
    let t = plain(json!({"jti": 5}));
    for path in [oidc(), custom(), TokenPath::Unknown] {
        let fs = check_token(&t, T, &path);
        assert!(
            of(&fs, Code::TokenMalformed)
                .iter()
                .any(|f| f.evidence.get("claim") == Some(&json!("jti"))),
            "{path:?}: {fs:#?}"
        );
    }
    let t = plain(json!({"jti": "abc"}));
    assert!(of(&check_token(&t, T, &oidc()), Code::TokenMalformed).is_empty());
}

fn raw(header: &str, payload: &str) -> DecodedToken {
    let text = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode([5u8; 256])
    );
    decode(&text).unwrap_or_else(|m| panic!("{}", m.message))
}

#[test]
fn a_typed_member_given_twice_is_refused_an_unknown_one_is_not() {
    // serde's derived struct code refuses a known field given twice (biscuit ClaimsSet, openidconnect header).
    let h = r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#;
    let p = |extra: &str| {
        format!(
            r#"{{"iss":"https://issuer.example","sub":"u","aud":"convex","iat":{},"exp":{}{extra}}}"#,
            T - 60.0,
            T + 3600.0
        )
    };
    let dup_iss = raw(h, &p(r#","iss":"https://other.example""#));
    for path in [oidc(), custom(), TokenPath::Unknown] {
        let fs = check_token(&dup_iss, T, &path);
        assert!(
            of(&fs, Code::TokenMalformed)
                .iter()
                .any(|f| f.evidence.get("duplicate") == Some(&json!("iss"))),
            "{path:?}: {fs:#?}"
        );
    }
    let dup_alg = raw(
        r#"{"alg":"none","alg":"RS256","typ":"JWT","kid":"k1"}"#,
        &p(""),
    );
    let fs = check_token(&dup_alg, T, &oidc());
    assert!(
        of(&fs, Code::TokenMalformed)
            .iter()
            .any(|f| f.evidence.get("duplicate") == Some(&json!("alg"))),
        "{fs:#?}"
    );
    // A custom claim twice: serde_json keeps the last, and so do both libraries (it is not a typed field).
    let dup_role = raw(h, &p(r#","role":"a","role":"b""#));
    assert!(of(&check_token(&dup_role, T, &oidc()), Code::TokenMalformed).is_empty());
}
