//! Step 3 provider selection, as `AuthInfo::matches_token` (convex-backend crates/common/src/auth.rs) and
//! `validate_id_token` (crates/authentication/src/lib.rs) do it, and the findings that explain a miss.

use convex_auth_doctor::config::{AuthConfig, ConfigSource, ConfigValue, Provider};
use convex_auth_doctor::findings::{Code, Finding, Severity};
use convex_auth_doctor::rules::{check_config, normalise_issuer, ConfigVerdict};
use convex_auth_doctor::token::{DecodedToken, TokenPath};
use serde_json::{json, Map, Value};

fn token(header: Value, payload: Value) -> DecodedToken {
    let obj = |v: Value| match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    DecodedToken {
        header: obj(header),
        payload: obj(payload),
        signature: String::new(),
        signing_input: String::new(),
        notes: Vec::new(),
    }
}

fn tok(iss: &str, aud: Value) -> DecodedToken {
    token(
        json!({"alg": "RS256", "kid": "k1"}),
        json!({"iss": iss, "aud": aud, "sub": "u"}),
    )
}

fn lit(v: &str) -> ConfigValue {
    ConfigValue::Literal { value: v.into() }
}

fn unresolved(name: &str) -> ConfigValue {
    ConfigValue::Env {
        name: name.into(),
        value: None,
    }
}

fn oidc(domain: &str, app: Option<&str>) -> Provider {
    Provider::Oidc {
        domain: lit(domain),
        application_id: app.map(lit),
    }
}

fn custom(issuer: &str, app: Option<&str>) -> Provider {
    Provider::CustomJwt {
        issuer: lit(issuer),
        jwks: lit("https://x/jwks.json"),
        algorithm: lit("ES256"),
        application_id: app.map(lit),
    }
}

fn config(providers: Vec<Provider>) -> AuthConfig {
    AuthConfig {
        providers,
        source: ConfigSource::User,
    }
}

fn codes(v: &ConfigVerdict) -> Vec<Code> {
    v.findings.iter().map(|f| f.code).collect()
}

fn find(v: &ConfigVerdict, code: Code) -> &Finding {
    v.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", v.findings))
}

fn differences(f: &Finding) -> Vec<String> {
    f.evidence["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect()
}

// --- normalisation ---

#[test]
fn normalise_trims_trailing_slashes_and_adds_https_to_scheme_less() {
    assert_eq!(
        normalise_issuer("https://a.auth0.com/"),
        "https://a.auth0.com"
    );
    assert_eq!(
        normalise_issuer("https://a.auth0.com//"),
        "https://a.auth0.com"
    );
    assert_eq!(normalise_issuer("a.example.com"), "https://a.example.com");
    assert_eq!(
        normalise_issuer("http://localhost:3000/"),
        "http://localhost:3000"
    );
    // Case and paths are kept: the backend compares strings.
    assert_eq!(
        normalise_issuer("https://A.example.com/p"),
        "https://A.example.com/p"
    );
}

// --- selection ---

#[test]
fn auth0_trailing_slash_and_scheme_less_domain_match() {
    let v = check_config(
        &config(vec![oidc("dev-abc.us.auth0.com", Some("cid"))]),
        &tok("https://dev-abc.us.auth0.com/", json!("cid")),
    );
    assert_eq!(v.matched, Some(0));
    assert_eq!(codes(&v), vec![Code::ConfigMatched]);
    assert_eq!(
        v.path,
        TokenPath::Oidc {
            application_id: Some("cid".into())
        }
    );
}

#[test]
fn scheme_less_iss_gets_https() {
    let v = check_config(
        &config(vec![oidc("https://app.dynamic.xyz/x", None)]),
        &tok("app.dynamic.xyz/x", json!(null)),
    );
    assert_eq!(v.matched, Some(0));
}

#[test]
fn http_iss_is_not_upgraded() {
    let v = check_config(
        &config(vec![oidc("https://a.example.com", None)]),
        &tok("http://a.example.com", json!(null)),
    );
    assert_eq!(v.matched, None);
    let f = find(&v, Code::ConfigIssuerMismatch);
    assert!(differences(f).contains(&"scheme".to_owned()), "{f:?}");
}

#[test]
fn first_matching_provider_wins_and_audience_selects() {
    let c = config(vec![
        oidc("https://a.example.com", Some("one")),
        oidc("https://a.example.com", Some("two")),
    ]);
    assert_eq!(
        check_config(&c, &tok("https://a.example.com", json!("two"))).matched,
        Some(1)
    );
    assert_eq!(
        check_config(&c, &tok("https://a.example.com", json!(["x", "one"]))).matched,
        Some(0)
    );
    let both = config(vec![
        oidc("https://a.example.com", None),
        oidc("https://a.example.com", Some("one")),
    ]);
    assert_eq!(
        check_config(&both, &tok("https://a.example.com", json!("one"))).matched,
        Some(0)
    );
}

#[test]
fn aud_that_is_not_string_or_array_counts_as_none() {
    let v = check_config(
        &config(vec![oidc("https://a.example.com", Some("1"))]),
        &tok("https://a.example.com", json!(1)),
    );
    assert_eq!(v.matched, None);
    assert!(codes(&v).contains(&Code::ConfigAudienceMismatch));
}

#[test]
fn matched_names_the_provider_and_passes() {
    let v = check_config(
        &config(vec![oidc("https://x.clerk.accounts.dev", Some("convex"))]),
        &tok("https://x.clerk.accounts.dev", json!("convex")),
    );
    let f = find(&v, Code::ConfigMatched);
    assert_eq!(f.severity, Severity::Pass);
    assert_eq!(f.evidence["provider"]["index"], json!(0));
    assert!(f.message.contains("Clerk"), "{}", f.message);
}

#[test]
fn no_providers() {
    let v = check_config(&config(vec![]), &tok("https://a.example.com", json!("x")));
    assert_eq!(codes(&v), vec![Code::ConfigNoProviders]);
    assert_eq!(v.path, TokenPath::Unknown);
}

#[test]
fn no_iss_means_no_step3_verdict() {
    let t = token(json!({}), json!({"aud": "x"}));
    let v = check_config(&config(vec![oidc("https://a.example.com", Some("x"))]), &t);
    assert!(v.findings.is_empty());
    assert_eq!(v.matched, None);
}

// --- audience ---

#[test]
fn audience_mismatch_when_issuer_matches() {
    let v = check_config(
        &config(vec![oidc("https://a.example.com", Some("app"))]),
        &tok("https://a.example.com/", json!("other")),
    );
    assert_eq!(v.matched, None);
    assert_eq!(v.path, TokenPath::Unknown);
    let f = find(&v, Code::ConfigAudienceMismatch);
    assert_eq!(f.evidence["application_id"], json!("app"));
    assert_eq!(f.evidence["aud"], json!(["other"]));
    assert!(!codes(&v).contains(&Code::ConfigIssuerMismatch));
}

#[test]
fn clerk_audience_mismatch_blames_the_template_name() {
    let v = check_config(
        &config(vec![oidc(
            "https://happy-cat-12.clerk.accounts.dev",
            Some("convex"),
        )]),
        &token(
            json!({"alg": "RS256"}),
            json!({"iss": "https://happy-cat-12.clerk.accounts.dev", "sub": "u"}),
        ),
    );
    let f = find(&v, Code::ConfigAudienceMismatch);
    assert!(
        f.causes
            .first()
            .is_some_and(|c| c.contains("template") && c.contains("`convex`")),
        "{:?}",
        f.causes
    );
}

// --- issuer mismatch evidence ---

#[test]
fn issuer_mismatch_names_the_closest_provider() {
    let c = config(vec![
        oidc("https://totally.other.org", Some("x")),
        oidc("https://auth.example.com/tenant-a", Some("x")),
    ]);
    let v = check_config(&c, &tok("https://auth.example.com/tenant-b", json!("x")));
    let f = find(&v, Code::ConfigIssuerMismatch);
    assert_eq!(f.evidence["closest_provider"]["index"], json!(1));
    assert_eq!(differences(f), vec!["path"]);
}

#[test]
fn trailing_slash_is_not_a_difference() {
    let v = check_config(
        &config(vec![oidc("https://a.example.com/", Some("x"))]),
        &tok("https://a.example.com", json!("x")),
    );
    assert_eq!(v.matched, Some(0));
}

#[test]
fn jwks_url_instead_of_issuer() {
    for url in [
        "https://x.clerk.accounts.dev/.well-known/jwks.json",
        "https://auth.example.com/oauth/jwks",
    ] {
        let iss = url
            .rsplit_once("/.well-known")
            .map_or_else(|| url.trim_end_matches("/oauth/jwks"), |(b, _)| b);
        let v = check_config(
            &config(vec![oidc(url, Some("convex"))]),
            &tok(iss, json!("convex")),
        );
        let f = find(&v, Code::ConfigIssuerMismatch);
        assert_eq!(differences(f), vec!["jwks_url_instead_of_issuer"], "{url}");
        assert!(f.causes.iter().any(|c| c.contains(iss)), "{:?}", f.causes);
    }
}

#[test]
fn another_clerk_instance() {
    let v = check_config(
        &config(vec![oidc(
            "https://happy-cat-12.clerk.accounts.dev",
            Some("convex"),
        )]),
        &tok("https://sad-dog-34.clerk.accounts.dev", json!("convex")),
    );
    let f = find(&v, Code::ConfigIssuerMismatch);
    assert_eq!(differences(f), vec!["other_clerk_instance"]);
    assert!(
        f.causes.iter().any(|c| c.contains("publishableKey")),
        "{:?}",
        f.causes
    );
}

#[test]
fn clerk_dev_vs_prod() {
    let v = check_config(
        &config(vec![oidc("https://clerk.example.com", Some("convex"))]),
        &tok("https://happy-cat-12.clerk.accounts.dev", json!("convex")),
    );
    let f = find(&v, Code::ConfigIssuerMismatch);
    assert_eq!(differences(f), vec!["clerk_dev_vs_prod"]);
}

#[test]
fn other_auth0_tenant_and_scheme_less_note() {
    let v = check_config(
        &config(vec![oidc("dev-one.us.auth0.com", Some("c"))]),
        &tok("https://dev-two.eu.auth0.com/", json!("c")),
    );
    let f = find(&v, Code::ConfigIssuerMismatch);
    let d = differences(f);
    assert!(
        d.contains(&"other_auth0_tenant".to_owned())
            && d.contains(&"scheme_less_domain".to_owned()),
        "{d:?}"
    );
}

#[test]
fn host_case_and_whitespace_are_differences() {
    let v = check_config(
        &config(vec![oidc("https://Auth.Example.com", None)]),
        &tok("https://auth.example.com", json!(null)),
    );
    assert_eq!(
        differences(find(&v, Code::ConfigIssuerMismatch)),
        vec!["host_case"]
    );
    let v = check_config(
        &config(vec![oidc("https://auth.example.com\n", None)]),
        &tok("https://auth.example.com", json!(null)),
    );
    assert_eq!(
        differences(find(&v, Code::ConfigIssuerMismatch)),
        vec!["whitespace"]
    );
}

// --- unresolved environment variables ---

#[test]
fn unresolved_issuer_is_reported_not_called_a_mismatch() {
    let c = config(vec![Provider::Oidc {
        domain: unresolved("CLERK_JWT_ISSUER_DOMAIN"),
        application_id: Some(lit("convex")),
    }]);
    let v = check_config(&c, &tok("https://x.clerk.accounts.dev", json!("convex")));
    assert_eq!(codes(&v), vec![Code::ConfigEnvUnresolved]);
    let f = find(&v, Code::ConfigEnvUnresolved);
    assert_eq!(f.evidence["name"], json!("CLERK_JWT_ISSUER_DOMAIN"));
    assert_eq!(
        f.evidence["must_equal"],
        json!("https://x.clerk.accounts.dev")
    );
}

#[test]
fn unresolved_application_id_with_matching_issuer() {
    let c = config(vec![Provider::Oidc {
        domain: lit("https://a.example.com"),
        application_id: Some(unresolved("APP_ID")),
    }]);
    let v = check_config(&c, &tok("https://a.example.com", json!("x")));
    assert_eq!(codes(&v), vec![Code::ConfigEnvUnresolved]);
}

#[test]
fn earlier_unresolved_provider_is_flagged_next_to_the_match() {
    let c = config(vec![
        Provider::Oidc {
            domain: unresolved("FIRST"),
            application_id: Some(lit("x")),
        },
        oidc("https://a.example.com", Some("x")),
    ]);
    let v = check_config(&c, &tok("https://a.example.com", json!("x")));
    assert_eq!(v.matched, Some(1));
    assert!(codes(&v).contains(&Code::ConfigEnvUnresolved));
    assert_eq!(
        find(&v, Code::ConfigMatched).evidence["earlier_unresolved_providers"],
        json!([1])
    );
}

#[test]
fn resolved_env_is_used() {
    let c = config(vec![Provider::Oidc {
        domain: ConfigValue::Env {
            name: "D".into(),
            value: Some("https://a.example.com".into()),
        },
        application_id: Some(lit("x")),
    }]);
    let v = check_config(&c, &tok("https://a.example.com", json!("x")));
    assert_eq!(codes(&v), vec![Code::ConfigMatched]);
}

// --- applicationID and kid ---

#[test]
fn no_application_id_warns() {
    let v = check_config(
        &config(vec![custom("https://a.example.com", None)]),
        &tok("https://a.example.com", json!(null)),
    );
    let f = find(&v, Code::ConfigNoApplicationId);
    assert_eq!(f.severity, Severity::Warn);
}

#[test]
fn custom_jwt_path_and_kid_missing() {
    let c = config(vec![custom("https://x.convex.site", Some("convex"))]);
    let with_kid = check_config(&c, &tok("https://x.convex.site", json!("convex")));
    assert_eq!(
        with_kid.path,
        TokenPath::CustomJwt {
            algorithm: "ES256".into(),
            application_id: Some("convex".into())
        }
    );
    assert!(!codes(&with_kid).contains(&Code::ConfigKidMissing));

    let no_kid = token(
        json!({"alg": "RS256"}),
        json!({"iss": "https://x.convex.site", "aud": "convex"}),
    );
    let v = check_config(&c, &no_kid);
    let f = find(&v, Code::ConfigKidMissing);
    assert_eq!(f.severity, Severity::Fail);
    assert!(
        f.causes.iter().any(|c| c.contains("OIDC")),
        "Convex Auth: suggest OIDC: {:?}",
        f.causes
    );
}

#[test]
fn oidc_path_does_not_need_kid() {
    let t = token(
        json!({"alg": "RS256"}),
        json!({"iss": "https://a.example.com", "aud": "x"}),
    );
    let v = check_config(&config(vec![oidc("https://a.example.com", Some("x"))]), &t);
    assert!(!codes(&v).contains(&Code::ConfigKidMissing));
}

#[test]
fn one_env_finding_per_variable() {
    let p = || Provider::Oidc {
        domain: unresolved("SAME"),
        application_id: Some(lit("x")),
    };
    let v = check_config(
        &config(vec![p(), p()]),
        &tok("https://a.example.com", json!("x")),
    );
    assert_eq!(codes(&v), vec![Code::ConfigEnvUnresolved]);
}
