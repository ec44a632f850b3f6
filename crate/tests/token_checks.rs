//! Step-2 checks: one test per rule and its boundaries, on the paths the backend takes (rules cited in
//! `src/token/checks.rs`: convex-backend `crates/authentication/src/lib.rs`, openidconnect-rs
//! `src/verification/mod.rs`, biscuit `src/lib.rs`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::findings::{Code, Finding, Severity};
use convex_auth_doctor::token::{
    check_token, decode, explain_claims, human_duration, typ_is_jwt_like, DecodedToken, TokenPath,
};
use serde_json::{json, Map, Value};

const T: f64 = 1_764_180_000.0; // 2025-11-26T18:00:00Z

fn oidc() -> TokenPath {
    TokenPath::Oidc {
        application_id: Some("convex".into()),
    }
}
fn custom(alg: &str, app: Option<&str>) -> TokenPath {
    TokenPath::CustomJwt {
        algorithm: alg.into(),
        application_id: app.map(Into::into),
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A token with good claims, `changes` applied (a `null` value removes the claim).
fn token_with(header: Value, changes: Value) -> DecodedToken {
    let mut payload = obj(json!({
        "iss": "https://issuer.example", "sub": "user_1", "aud": "convex",
        "iat": T - 60.0, "exp": T + 3600.0,
    }));
    for (k, v) in obj(changes) {
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

fn rs256(changes: Value) -> DecodedToken {
    token_with(json!({"alg": "RS256", "typ": "JWT", "kid": "k1"}), changes)
}

fn find(fs: &[Finding], code: Code) -> Vec<&Finding> {
    fs.iter().filter(|f| f.code == code).collect()
}

fn one(fs: &[Finding], code: Code) -> &Finding {
    let found = find(fs, code);
    assert_eq!(found.len(), 1, "expected one {code}, got {fs:#?}");
    found[0]
}

fn none_of(fs: &[Finding], code: Code) {
    assert!(find(fs, code).is_empty(), "expected no {code}, got {fs:#?}");
}

fn no_problems(fs: &[Finding]) {
    let bad: Vec<_> = fs.iter().filter(|f| f.severity > Severity::Info).collect();
    assert!(bad.is_empty(), "expected no warn/fail, got {bad:#?}");
}

#[test]
fn good_token_is_well_formed_with_no_problems_on_every_path() {
    for path in [oidc(), custom("RS256", Some("convex")), TokenPath::Unknown] {
        let fs = check_token(&rs256(json!({})), T, &path);
        no_problems(&fs);
        let f = one(&fs, Code::TokenWellFormed);
        assert_eq!(f.severity, Severity::Pass);
        assert_eq!(
            f.evidence.get("iss"),
            Some(&json!("https://issuer.example"))
        );
        assert_eq!(f.evidence.get("aud"), Some(&json!("convex")));
    }
}

#[test]
fn well_formed_needs_iss_sub_and_aud() {
    for missing in ["iss", "sub", "aud"] {
        let fs = check_token(&rs256(json!({ missing: null })), T, &TokenPath::Unknown);
        none_of(&fs, Code::TokenWellFormed);
    }
}

#[test]
fn typ_follows_openidconnect_normalisation() {
    for ok in [
        "JWT",
        "jwt",
        "application/jwt",
        "application/JWT",
        "JOSE",
        "application/jose",
    ] {
        assert!(typ_is_jwt_like(ok), "{ok}");
    }
    for bad in [
        "at+jwt",
        "application/at+jwt",
        "JWT;charset=x",
        "NOT_A_JWT",
        "x-special/jwt",
        "",
    ] {
        assert!(!typ_is_jwt_like(bad), "{bad}");
    }
}

#[test]
fn typ_at_jwt_fails_on_oidc_warns_when_unknown_and_is_info_on_custom_jwt() {
    let t = token_with(
        json!({"alg": "RS256", "typ": "at+jwt", "kid": "k"}),
        json!({}),
    );
    let f = check_token(&t, T, &oidc());
    let typ = one(&f, Code::TokenTyp);
    // openidconnect's verifier refuses a typ that does not normalise to application/jwt or application/jose
    // (verification/mod.rs:231-251): the OIDC path refuses the token.
    assert_eq!(typ.severity, Severity::Fail);
    assert!(typ.message.contains("refuses"), "{}", typ.message);
    assert_eq!(typ.evidence.get("typ"), Some(&json!("at+jwt")));
    assert_eq!(
        one(&check_token(&t, T, &TokenPath::Unknown), Code::TokenTyp).severity,
        Severity::Warn
    );
    // biscuit never reads `typ`: the customJwt path accepts it.
    assert_eq!(
        one(&check_token(&t, T, &custom("RS256", None)), Code::TokenTyp).severity,
        Severity::Info
    );
    // JWT-like or absent typ: nothing.
    let t = token_with(json!({"alg": "RS256", "typ": "application/JWT"}), json!({}));
    none_of(&check_token(&t, T, &oidc()), Code::TokenTyp);
    let t = token_with(json!({"alg": "RS256"}), json!({}));
    none_of(&check_token(&t, T, &oidc()), Code::TokenTyp);
}

#[test]
fn iss_sub_exp_missing_fail_everywhere_with_the_claim_named() {
    for claim in ["iss", "sub", "exp"] {
        for path in [oidc(), custom("RS256", None), TokenPath::Unknown] {
            let fs = check_token(&rs256(json!({ claim: null })), T, &path);
            let f = one(&fs, Code::TokenClaimMissing);
            assert_eq!(f.severity, Severity::Fail, "{claim} on {path:?}");
            assert_eq!(f.evidence.get("claim"), Some(&json!(claim)));
        }
    }
}

#[test]
fn aud_missing_fails_only_where_a_provider_needs_it() {
    let t = rs256(json!({"aud": null}));
    let sev = |p: TokenPath| one(&check_token(&t, T, &p), Code::TokenClaimMissing).severity;
    assert_eq!(sev(oidc()), Severity::Fail);
    assert_eq!(
        sev(TokenPath::Oidc {
            application_id: None
        }),
        Severity::Fail
    );
    assert_eq!(sev(custom("RS256", Some("convex"))), Severity::Fail);
    assert_eq!(sev(custom("RS256", None)), Severity::Warn);
    assert_eq!(sev(TokenPath::Unknown), Severity::Warn);
}

#[test]
fn iat_missing_fails_on_oidc_and_warns_elsewhere() {
    // openidconnect's IdTokenClaims needs `iat` to parse; the client needs it to schedule refreshes.
    let t = rs256(json!({"iat": null}));
    let sev = |p: TokenPath| one(&check_token(&t, T, &p), Code::TokenClaimMissing).severity;
    assert_eq!(sev(oidc()), Severity::Fail);
    assert_eq!(sev(custom("RS256", None)), Severity::Warn);
    assert_eq!(sev(TokenPath::Unknown), Severity::Warn);
}

#[test]
fn expired_on_oidc_has_no_leeway() {
    let at = |exp: f64, sent: f64| check_token(&rs256(json!({"exp": exp})), sent, &oidc());
    let f = at(T, T);
    let e = one(&f, Code::TokenExpired);
    assert_eq!(e.severity, Severity::Fail);
    assert_eq!(e.evidence.get("exp"), Some(&json!(T as i64)));
    assert_eq!(e.evidence.get("sent_at"), Some(&json!(T as i64)));
    assert_eq!(e.evidence.get("seconds_before_sent"), Some(&json!(0)));
    none_of(&at(T + 1.0, T), Code::TokenExpired);
    // The backend's clock reads whole seconds: 0.5 s after exp is expired, 0.5 s before is not.
    assert_eq!(at(T, T + 0.5).len(), at(T, T).len());
    one(&at(T, T + 0.5), Code::TokenExpired);
    none_of(&at(T, T - 0.5), Code::TokenExpired);
}

#[test]
fn expired_message_and_evidence_carry_the_difference() {
    let f = check_token(&rs256(json!({"exp": T - 192.0})), T, &oidc());
    let e = one(&f, Code::TokenExpired);
    assert!(
        e.message
            .starts_with("The token expired 3 min 12 s before it was sent"),
        "{}",
        e.message
    );
    assert!(!e.message.contains('\n'));
    assert_eq!(e.evidence.get("seconds_before_sent"), Some(&json!(192)));
    assert_eq!(
        e.evidence.get("exp_utc"),
        Some(&json!("2025-11-26T17:56:48Z"))
    );
    assert_eq!(
        e.evidence.get("sent_at_utc"),
        Some(&json!("2025-11-26T18:00:00Z"))
    );
}

#[test]
fn expired_on_custom_jwt_has_5_s_leeway_then_the_identity_expires_at_once() {
    let at = |exp: f64| check_token(&rs256(json!({"exp": exp})), T, &custom("RS256", None));
    // exp = now - 5: biscuit's `now - exp > 5` is false, so validation passes; but the identity it builds is
    // already expired and the sync state refuses it at once (sync/src/state.rs:297-303): refused all the same.
    let within = at(T - 5.0);
    let e = one(&within, Code::TokenExpired);
    assert_eq!(e.severity, Severity::Fail);
    assert!(
        e.message.contains("leeway lets it through validation"),
        "{}",
        e.message
    );
    let beyond = at(T - 6.0);
    let e = one(&beyond, Code::TokenExpired);
    assert_eq!(e.severity, Severity::Fail);
    assert!(e.message.contains("beyond"), "{}", e.message);
    none_of(&at(T + 1.0), Code::TokenExpired);
}

#[test]
fn expired_on_unknown_path_fails_when_every_path_refuses() {
    for before in [3.0, 60.0] {
        let f = check_token(&rs256(json!({"exp": T - before})), T, &TokenPath::Unknown);
        let e = one(&f, Code::TokenExpired);
        assert_eq!(e.severity, Severity::Fail);
        assert!(!e.message.contains("would still accept"), "{}", e.message);
    }
}

#[test]
fn not_yet_valid_boundaries_on_custom_jwt() {
    for claim in ["nbf", "iat"] {
        let at = |v: f64| check_token(&rs256(json!({ claim: v })), T, &custom("RS256", None));
        none_of(&at(T + 5.0), Code::TokenNotYetValid);
        let fs = at(T + 6.0);
        let f = one(&fs, Code::TokenNotYetValid);
        assert_eq!(f.severity, Severity::Fail);
        assert_eq!(f.evidence.get("claim"), Some(&json!(claim)));
        assert_eq!(f.evidence.get("seconds_after_sent"), Some(&json!(6)));
    }
}

#[test]
fn not_yet_valid_is_only_a_warning_on_oidc_and_unknown() {
    let t = rs256(json!({"iat": T + 30.0}));
    let f = check_token(&t, T, &oidc());
    let n = one(&f, Code::TokenNotYetValid);
    assert_eq!(n.severity, Severity::Warn);
    assert!(n.message.contains("would not refuse"), "{}", n.message);
    assert_eq!(
        one(
            &check_token(&t, T, &TokenPath::Unknown),
            Code::TokenNotYetValid
        )
        .severity,
        Severity::Warn
    );
    none_of(
        &check_token(&rs256(json!({"iat": T + 5.0})), T, &oidc()),
        Code::TokenNotYetValid,
    );
}

#[test]
fn times_in_milliseconds_are_spotted() {
    let f = check_token(&rs256(json!({"exp": (T + 3600.0) * 1000.0})), T, &oidc());
    let ms = one(&f, Code::TokenExpInMs);
    assert_eq!(ms.evidence.get("claim"), Some(&json!("exp")));
    assert_eq!(
        ms.evidence.get("as_seconds_utc"),
        Some(&json!("2025-11-26T19:00:00Z"))
    );
    none_of(&f, Code::TokenExpired);
    let f = check_token(
        &rs256(json!({"iat": (T - 60.0) * 1000.0})),
        T,
        &TokenPath::Unknown,
    );
    assert_eq!(
        one(&f, Code::TokenExpInMs).evidence.get("claim"),
        Some(&json!("iat"))
    );
    none_of(
        &check_token(&rs256(json!({"exp": 1e11})), T, &oidc()),
        Code::TokenExpInMs,
    );
}

#[test]
fn alg_none_is_its_own_finding() {
    let t = token_with(json!({"alg": "none"}), json!({}));
    for path in [oidc(), custom("RS256", None), TokenPath::Unknown] {
        let fs = check_token(&t, T, &path);
        assert_eq!(one(&fs, Code::TokenAlgNone).severity, Severity::Fail);
        none_of(&fs, Code::TokenAlgUnsupported);
    }
}

#[test]
fn alg_allow_lists_per_path() {
    let with = |alg: &str, path: TokenPath| {
        check_token(
            &token_with(json!({"alg": alg, "kid": "k"}), json!({})),
            T,
            &path,
        )
    };
    for ok in ["RS256", "EdDSA"] {
        none_of(&with(ok, oidc()), Code::TokenAlgUnsupported);
    }
    for bad in ["ES256", "HS256", "RS384", "PS256"] {
        let fs = with(bad, oidc());
        let f = one(&fs, Code::TokenAlgUnsupported);
        assert_eq!(f.severity, Severity::Fail);
        assert_eq!(f.evidence.get("path"), Some(&json!("oidc")));
    }
    none_of(
        &with("ES256", custom("ES256", None)),
        Code::TokenAlgUnsupported,
    );
    let fs = with("RS256", custom("ES256", None));
    let f = one(&fs, Code::TokenAlgUnsupported);
    assert!(
        f.message.contains("configured with algorithm ES256"),
        "{}",
        f.message
    );
    // Unknown: the union of both paths is accepted; path-specific ones are noted as info.
    none_of(
        &with("RS256", TokenPath::Unknown),
        Code::TokenAlgUnsupported,
    );
    assert_eq!(
        one(
            &with("ES256", TokenPath::Unknown),
            Code::TokenAlgUnsupported
        )
        .severity,
        Severity::Info
    );
    assert_eq!(
        one(
            &with("EdDSA", TokenPath::Unknown),
            Code::TokenAlgUnsupported
        )
        .severity,
        Severity::Info
    );
    assert_eq!(
        one(
            &with("HS256", TokenPath::Unknown),
            Code::TokenAlgUnsupported
        )
        .severity,
        Severity::Fail
    );
    // No alg at all.
    let fs = check_token(&token_with(json!({"typ": "JWT"}), json!({})), T, &oidc());
    one(&fs, Code::TokenAlgUnsupported);
}

#[test]
fn multiple_audiences() {
    let t = rs256(json!({"aud": ["convex", "https://api.example"]}));
    let f = check_token(&t, T, &oidc());
    let a = one(&f, Code::TokenAudMultiple);
    assert_eq!(a.severity, Severity::Fail);
    assert_eq!(
        a.evidence.get("aud"),
        Some(&json!(["convex", "https://api.example"]))
    );
    assert_eq!(
        one(
            &check_token(&t, T, &TokenPath::Unknown),
            Code::TokenAudMultiple
        )
        .severity,
        Severity::Warn
    );
    none_of(
        &check_token(&t, T, &custom("RS256", Some("convex"))),
        Code::TokenAudMultiple,
    );
    // openidconnect only refuses audiences other than the client id.
    none_of(
        &check_token(&rs256(json!({"aud": ["convex"]})), T, &oidc()),
        Code::TokenAudMultiple,
    );
    none_of(
        &check_token(&rs256(json!({"aud": ["convex", "convex"]})), T, &oidc()),
        Code::TokenAudMultiple,
    );
}

#[test]
fn claims_of_the_wrong_type_are_malformed_not_missing() {
    for (claim, value) in [
        ("exp", json!("1764183600")),
        ("iat", json!(-5)),
        ("iss", json!(42)),
        ("aud", json!(7)),
    ] {
        let fs = check_token(&rs256(json!({ claim: value.clone() })), T, &oidc());
        let m = one(&fs, Code::TokenMalformed);
        assert_eq!(m.evidence.get("claim"), Some(&json!(claim)));
        assert_eq!(m.evidence.get("value"), Some(&value));
        assert!(
            find(&fs, Code::TokenClaimMissing).is_empty(),
            "{claim}: {fs:#?}"
        );
    }
}

#[test]
fn padding_as_sent_is_refused_by_the_backend() {
    let good = rs256(json!({}));
    let padded = format!("{}=.{}", good.signing_input, good.signature);
    // `=` inside the header part: rebuild with a header whose base64 needs padding.
    let h = base64::engine::general_purpose::URL_SAFE.encode(br#"{"alg":"RS256","k":"a"}"#);
    assert!(h.ends_with('='));
    let p = good.signing_input.split('.').nth(1).unwrap_or_default();
    let t = decode(&format!("{h}.{p}.{}", good.signature)).expect("lenient decode");
    let fs = check_token(&t, T, &oidc());
    let m = one(&fs, Code::TokenMalformed);
    assert_eq!(m.evidence.get("part"), Some(&json!("header")));
    assert_eq!(m.evidence.get("padding"), Some(&json!(true)));
    // A trailing `=` on the payload is padding too: decoded, and flagged for the payload.
    let t = decode(&padded).expect("lenient decode");
    let fs = check_token(&t, T, &oidc());
    assert_eq!(
        one(&fs, Code::TokenMalformed).evidence.get("part"),
        Some(&json!("payload"))
    );
    // Good base64url is not flagged.
    none_of(&check_token(&good, T, &oidc()), Code::TokenMalformed);
}

#[test]
fn empty_signature_with_a_real_alg_is_malformed() {
    let good = rs256(json!({}));
    let t = decode(&format!("{}.", good.signing_input)).expect("decodes");
    let fs = check_token(&t, T, &oidc());
    assert_eq!(
        one(&fs, Code::TokenMalformed).evidence.get("part"),
        Some(&json!("signature"))
    );
}

#[derive(serde::Deserialize)]
struct Fixtures {
    sent_at: f64,
    tokens: Vec<FixtureToken>,
}
#[derive(serde::Deserialize)]
struct FixtureToken {
    name: String,
    token: String,
}

fn fixture(name: &str) -> (DecodedToken, f64) {
    let f: Fixtures =
        serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixtures parse");
    let t = f
        .tokens
        .iter()
        .find(|t| t.name == name)
        .expect("fixture exists");
    (decode(&t.token).expect("fixture decodes"), f.sent_at)
}

#[test]
fn real_signed_tokens_get_the_expected_verdicts() {
    let (t, at) = fixture("rs256_valid");
    no_problems(&check_token(&t, at, &oidc()));
    let (t, at) = fixture("eddsa_valid");
    no_problems(&check_token(&t, at, &oidc()));
    let (t, at) = fixture("es256_valid");
    no_problems(&check_token(&t, at, &custom("ES256", Some("convex"))));
    assert_eq!(
        one(&check_token(&t, at, &oidc()), Code::TokenAlgUnsupported).severity,
        Severity::Fail
    );

    let (t, at) = fixture("rs256_expired");
    let fs = check_token(&t, at, &oidc());
    assert!(one(&fs, Code::TokenExpired).message.contains("3 min 12 s"));
    let (t, at) = fixture("rs256_at_jwt");
    assert_eq!(
        one(&check_token(&t, at, &oidc()), Code::TokenTyp).severity,
        Severity::Fail
    );
    let (t, at) = fixture("rs256_aud_multiple");
    one(&check_token(&t, at, &oidc()), Code::TokenAudMultiple);
    let (t, at) = fixture("es256_iat_future");
    assert_eq!(
        one(
            &check_token(&t, at, &custom("ES256", None)),
            Code::TokenNotYetValid
        )
        .severity,
        Severity::Fail
    );
}

#[test]
fn human_duration_is_public_and_plain() {
    assert_eq!(human_duration(192.0), "3 min 12 s");
    assert_eq!(human_duration(-3300.0), "55 min");
}

#[test]
fn claims_are_explained_with_dates_and_times_relative_to_sending() {
    let (t, at) = fixture("rs256_valid");
    let notes = explain_claims(&t, at);
    let names: Vec<&str> = notes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        &names[..3],
        ["alg", "typ", "kid"],
        "header first, in token order"
    );
    let get = |n: &str| {
        notes
            .iter()
            .find(|c| c.name == n)
            .map(|c| c.explanation.clone())
            .unwrap_or_default()
    };
    assert!(
        get("exp").contains("2025-11-26T19:00:00Z"),
        "{}",
        get("exp")
    );
    assert!(
        get("exp").contains("valid for another 1 h after it was sent"),
        "{}",
        get("exp")
    );
    assert!(
        get("iat").contains("issued 1 min before it was sent"),
        "{}",
        get("iat")
    );
    assert!(
        get("nbf").contains("valid from 1 min before"),
        "{}",
        get("nbf")
    );
    assert!(get("alg").contains("RS256"));
    assert!(get("aud").contains("applicationID"));
    assert!(get("email").contains("identity.email"));
    let (t, at) = fixture("rs256_expired");
    let exp = explain_claims(&t, at)
        .into_iter()
        .find(|c| c.name == "exp")
        .map(|c| c.explanation);
    assert_eq!(
        exp.as_deref(),
        Some("Expires: 2025-11-26T17:56:48Z; expired 3 min 12 s before it was sent.")
    );
    // Serializes for the panel.
    let v = serde_json::to_value(&notes).unwrap_or_default();
    assert_eq!(v[0]["name"], json!("alg"));
}
