//! Step 3 side by side (issue 10 item 3) and tokens grouped (item 5).
//!
//! The normalisation cases are the backend's own rules, read at convex-backend 94a42c3:
//! - `crates/common/src/auth.rs:66-74`: a token `iss` that starts with neither `https://` nor `http://` gets
//!   `https://` (so `http://` is kept as is);
//! - `auth.rs:209-219` (`deserialize_issuer_url`, `PROTOCOL_REGEX` `^\w+://`): a configured domain without a scheme
//!   gets `https://`;
//! - `auth.rs:81`: both sides lose trailing `/`, then must be equal as strings; `IssuerUrl` derefs to the text it
//!   was built from (openidconnect-rs 15a9c55 `src/macros.rs:331-352`), so letter case and paths count;
//! - `auth.rs:60-64`: the applicationID must be one of the audiences, exactly; without one any `aud` passes;
//! - `crates/authentication/src/lib.rs:187-191`: the first provider that passes both is used.
//!
//! Expected cells are written from those rules, not read back from the engine.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::{AuthConfig, ConfigSource, ConfigValue, Provider};
use convex_auth_doctor::report::Report;
use convex_auth_doctor::rules::check_config;
use convex_auth_doctor::rules::compare::{compare, Marker};
use convex_auth_doctor::token::group::{group, same_but_per_token, varying, Parts};
use convex_auth_doctor::token::DecodedToken;
use serde_json::{json, Map, Value};

const T: f64 = 1_764_180_000.0;

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn decoded(payload: Value) -> DecodedToken {
    DecodedToken {
        header: obj(json!({"alg": "RS256", "kid": "k1"})),
        payload: obj(payload),
        signature: String::new(),
        signing_input: String::new(),
        notes: Vec::new(),
    }
}

fn lit(v: &str) -> ConfigValue {
    ConfigValue::Literal { value: v.into() }
}

fn oidc(domain: ConfigValue, app: &str) -> Provider {
    Provider::Oidc {
        domain,
        application_id: Some(lit(app)),
    }
}

fn custom(issuer: &str, app: Option<&str>) -> Provider {
    Provider::CustomJwt {
        issuer: lit(issuer),
        jwks: lit("https://x.example.com/jwks.json"),
        algorithm: lit("RS256"),
        application_id: app.map(lit),
    }
}

fn config(providers: Vec<Provider>) -> AuthConfig {
    AuthConfig {
        providers,
        source: ConfigSource::User,
    }
}

/// The issuer field's verdict for one configured domain and one token `iss`.
fn issuer_same(domain: &str, iss: &str) -> Option<bool> {
    let c = config(vec![oidc(lit(domain), "convex")]);
    compare(&c, &decoded(json!({"iss": iss, "aud": "convex"})))[0]
        .issuer
        .matches
}

#[test]
fn the_issuer_is_compared_after_the_backends_normalisation() {
    // Trailing slashes on either side do not count (auth.rs:81).
    assert_eq!(
        issuer_same("https://a.example.com/", "https://a.example.com"),
        Some(true)
    );
    assert_eq!(
        issuer_same("https://a.example.com", "https://a.example.com//"),
        Some(true)
    );
    // A scheme-less token iss gets https:// (auth.rs:66-74), and so does a scheme-less configured domain
    // (auth.rs:214-219).
    assert_eq!(
        issuer_same("https://a.example.com", "a.example.com"),
        Some(true)
    );
    assert_eq!(
        issuer_same("a.example.com", "https://a.example.com/"),
        Some(true)
    );
    // ... but an http:// iss keeps its scheme: a scheme-less domain (read as https://) differs from it.
    assert_eq!(
        issuer_same("a.example.com", "http://a.example.com"),
        Some(false)
    );
    // The token side looks for the two lower-case prefixes only (auth.rs:70), the configured side for any
    // `\w+://` (auth.rs:203, 214): an upper-case scheme in `iss` gets a second one and never matches.
    assert_eq!(
        issuer_same("HTTPS://a.example.com", "HTTPS://a.example.com"),
        Some(false)
    );
    // Exact string comparison: case and paths count.
    assert_eq!(
        issuer_same("https://A.example.com", "https://a.example.com"),
        Some(false)
    );
    assert_eq!(
        issuer_same("https://a.example.com", "https://a.example.com/tenant"),
        Some(false)
    );
}

#[test]
fn each_row_shows_both_normalised_values_and_the_differing_characters() {
    let c = config(vec![oidc(lit("a.example.com/"), "convex")]);
    let token = decoded(json!({"iss": "http://a.example.com/", "aud": "convex"}));
    let report = report_for(&c, &token);
    let comparison = report.comparison.expect("a comparison");
    let domain = &comparison.rows[0];
    assert_eq!((domain.field, domain.matches), ("domain", Some(false)));
    assert_eq!(domain.expected, "https://a.example.com");
    assert_eq!(domain.actual, "http://a.example.com");
    // The one differing character is the configured side's `s` (the backend added https://).
    assert_eq!(slices(&domain.expected, &domain.expected_diff), ["s"]);
    assert!(domain.actual_diff.is_empty());
    assert_eq!(
        domain.expected_note.as_deref(),
        Some("written a.example.com/")
    );
    assert_eq!(
        domain.actual_note.as_deref(),
        Some("iss is http://a.example.com/")
    );
    // The provider would be picked but for its domain: near.
    assert_eq!(domain.marker, Some("near"));
    let app = &comparison.rows[1];
    assert_eq!(
        (
            app.field,
            app.matches,
            app.expected.as_str(),
            app.actual.as_str()
        ),
        ("applicationID", Some(true), "convex", "convex")
    );
}

#[test]
fn the_audience_row_shows_the_closest_audience_and_names_the_others() {
    let c = config(vec![oidc(lit("https://a.example.com"), "client-123")]);
    let token = decoded(json!({"iss": "https://a.example.com", "aud": ["api", "client-124"]}));
    let comparison = report_for(&c, &token).comparison.expect("a comparison");
    let app = &comparison.rows[1];
    assert_eq!(app.matches, Some(false));
    assert_eq!(app.actual, "client-124");
    assert_eq!(slices(&app.expected, &app.expected_diff), ["3"]);
    assert_eq!(slices(&app.actual, &app.actual_diff), ["4"]);
    assert_eq!(app.actual_note.as_deref(), Some("other audiences: api"));
    // The issuer matches and only the audience keeps this provider from being picked.
    assert_eq!(app.marker, Some("near"));
}

#[test]
fn the_marked_provider_is_the_one_the_backend_picks() {
    let providers = vec![
        custom("https://b.example.com", Some("x")),
        custom("https://a.example.com", None),
        custom("https://a.example.com", Some("convex")),
    ];
    let c = config(providers);
    let token = decoded(json!({"iss": "https://a.example.com", "aud": "convex"}));
    let checks = compare(&c, &token);
    let marked: Vec<(usize, Marker)> = checks
        .iter()
        .filter_map(|p| p.marker.map(|m| (p.index, m)))
        .collect();
    // The second provider has no applicationID, so it takes any aud and comes first.
    assert_eq!(marked, vec![(1, Marker::Matched)]);
    assert_eq!(check_config(&c, &token).matched, Some(1));
    let rows = report_for(&c, &token).comparison.expect("rows").rows;
    let app = rows
        .iter()
        .find(|r| r.provider_index == 1 && r.field == "applicationID")
        .expect("row");
    assert_eq!(app.expected, "");
    assert_eq!(app.matches, Some(true));
    assert_eq!(
        app.expected_note.as_deref(),
        Some("not set: any aud is accepted")
    );
}

#[test]
fn with_nothing_near_no_provider_is_marked() {
    let c = config(vec![oidc(lit("https://b.example.com"), "other")]);
    let token = decoded(json!({"iss": "https://a.example.com", "aud": "convex"}));
    assert!(compare(&c, &token).iter().all(|p| p.marker.is_none()));
}

#[test]
fn an_unknown_variable_leaves_its_cell_unknown() {
    let domain = ConfigValue::Env {
        name: "CLERK_JWT_ISSUER_DOMAIN".into(),
        value: None,
    };
    let c = config(vec![oidc(domain, "convex")]);
    let token = decoded(json!({"iss": "https://a.clerk.accounts.dev", "aud": "convex"}));
    let rows = report_for(&c, &token).comparison.expect("rows").rows;
    assert_eq!(rows[0].matches, None);
    assert_eq!(rows[0].expected, "");
    assert!(rows[0].expected_diff.is_empty());
    assert!(rows[0]
        .expected_note
        .as_deref()
        .is_some_and(|n| n.contains("CLERK_JWT_ISSUER_DOMAIN")));
}

#[test]
fn many_providers_are_capped_with_the_marked_one_kept() {
    let mut providers: Vec<Provider> = (0..40)
        .map(|i| custom(&format!("https://p{i}.example.com"), Some("x")))
        .collect();
    providers.push(custom("https://a.example.com", Some("convex")));
    let c = config(providers);
    let token = decoded(json!({"iss": "https://a.example.com", "aud": "convex"}));
    let comparison = report_for(&c, &token).comparison.expect("rows");
    let shown: std::collections::BTreeSet<usize> =
        comparison.rows.iter().map(|r| r.provider_index).collect();
    assert_eq!(shown.len(), 8);
    assert!(
        shown.contains(&40),
        "the matched provider is shown: {shown:?}"
    );
    assert_eq!(comparison.providers_left_out, 33);
}

#[test]
fn long_values_are_cut_and_hostile_ones_made_safe() {
    let long_path = "p".repeat(5000);
    let c = config(vec![oidc(
        lit(&format!("https://a.example.com/{long_path}x")),
        "convex",
    )]);
    let iss = format!("https://a.example.com/{long_path}y\u{202e}");
    let token = decoded(json!({"iss": iss, "aud": "convex"}));
    let comparison = report_for(&c, &token).comparison.expect("rows");
    let domain = &comparison.rows[0];
    assert!(domain.shortened);
    assert!(domain.expected.chars().count() <= 130);
    assert!(!domain.actual.contains('\u{202e}'), "{}", domain.actual);
    // The ranges are positions in the text as shown (escaped), so they still cut out what differs.
    assert_eq!(slices(&domain.expected, &domain.expected_diff), ["x"]);
    let shown = slices(&domain.actual, &domain.actual_diff).concat();
    assert!(shown.starts_with('y') && shown.len() > 1, "{shown}");
}

#[test]
fn tokens_that_differ_only_in_ids_and_times_are_one_group() {
    let base = json!({"iss": "https://a.example.com", "sub": "u1", "aud": "convex", "azp": "web"});
    let with = |extra: Value| {
        let mut p = obj(base.clone());
        p.extend(obj(extra));
        p
    };
    let header = obj(json!({"alg": "RS256", "kid": "k1"}));
    let other_kid = obj(json!({"alg": "RS256", "kid": "k2"}));
    let payloads = [
        with(json!({"jti": "1", "iat": 10, "exp": 70, "sid": "s1"})),
        with(json!({"jti": "2", "iat": 20, "exp": 80, "sid": "s2", "nonce": "n"})),
        with(json!({"jti": "3", "iat": 30, "exp": 90, "sub": "u2"})),
        with(json!({"jti": "4", "iat": 40, "exp": 100})),
        with(json!({"jti": "5", "iat": 50, "exp": 110, "azp": "mobile"})),
    ];
    let mut parts: Vec<Parts<'_>> = payloads.iter().map(|p| (&header, p)).collect();
    // The same claims signed with another key: another token.
    let rotated = with(json!({"jti": "6", "iat": 60, "exp": 120}));
    parts.push((&other_kid, &rotated));
    assert!(same_but_per_token(parts[0], parts[1]));
    assert!(!same_but_per_token(parts[0], parts[2]), "another subject");
    assert!(!same_but_per_token(parts[0], parts[4]), "another azp");
    assert!(!same_but_per_token(parts[3], parts[5]), "another key");
    let groups = group(&parts);
    assert_eq!(
        groups,
        vec![vec![2], vec![0, 1, 3], vec![4], vec![5]],
        "groups ordered by their latest token"
    );
    let mut v = varying(&parts, &[0, 1, 3]);
    v.sort();
    assert_eq!(v, ["exp", "iat", "jti", "nonce", "sid"]);
}

#[test]
fn a_real_capture_of_retried_tokens_is_one_group_with_the_latest_last() {
    // The real Chrome capture of the `issuer-other-clerk` scenario: the convex client fetched the token four times
    // after refusals; each differs from the others in its jti only.
    let report = har_report("chrome-issuer-other-clerk.har");
    assert_eq!(report.tokens.len(), 4);
    assert_eq!(report.token_groups.len(), 1);
    let g = &report.token_groups[0];
    assert_eq!(g.tokens, vec![0, 1, 2, 3]);
    assert!(g.varying.contains(&"jti".to_owned()));
    assert!(!g
        .varying
        .iter()
        .any(|c| c == "iss" || c == "sub" || c == "aud"));
    assert_eq!(g.outcomes, vec![("rejected", 4)]);
}

#[test]
fn the_renderers_show_the_comparison_and_the_group() {
    let report = har_report("chrome-issuer-other-clerk.har");
    let text = convex_auth_doctor::render::text(&report);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("token ") && l.contains("/clerk-other"))
        .expect("the token's iss row");
    // The caret line under the token's value marks `-other` exactly.
    let value_at = lines[at].find("http://").expect("value");
    let carets = lines[at + 1];
    assert_eq!(carets.trim_start().len(), "-other".len(), "{carets}");
    assert_eq!(
        &lines[at][carets.find('^').expect("caret")..][..6],
        "-other"
    );
    assert!(value_at < carets.find('^').unwrap_or(0));
    assert!(text.contains("4 tokens"), "{text}");
    let md = convex_auth_doctor::render::markdown(&report);
    assert!(md.contains("/clerk‹-other›`"), "{md}");
    assert!(md.contains("| Provider | Field | Configured | Token | Same? |"));
}

/// The report of a HAR fixture, as the command-line tool makes it.
fn har_report(name: &str) -> Report {
    let path = format!("{}/tests/fixtures/har/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(path).expect("fixture");
    let mut s = Session::new();
    convex_auth_doctor::traffic::har::read_har(std::io::BufReader::new(file), &mut |e| s.push(e))
        .expect("reads");
    s.report()
}

/// The report for one token judged against one configuration, through the session (redaction included).
fn report_for(config: &AuthConfig, token: &DecodedToken) -> Report {
    let part =
        |m: &Map<String, Value>| URL_SAFE_NO_PAD.encode(Value::Object(m.clone()).to_string());
    let text = format!(
        "{}.{}.{}",
        part(&token.header),
        part(&token.payload),
        URL_SAFE_NO_PAD.encode([7u8; 256])
    );
    let mut s = Session::new();
    s.set_config(config.clone());
    s.add_input_token(&text, T);
    s.report()
}

/// The pieces of `text` in `spans` (character positions).
fn slices(text: &str, spans: &[[usize; 2]]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    spans
        .iter()
        .map(|[a, b]| chars[*a..*b].iter().collect())
        .collect()
}

#[test]
fn no_report_of_a_real_capture_shows_evidence_as_json() {
    // Issue 10 item 4: providers as rows, lists as lists. A JSON object or list printed as text would show as
    // `{"name": …` or `["…`; quoted server and log texts (`'server identity' {`) are not JSON of the engine's.
    let dir = format!("{}/tests/fixtures/har", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.starts_with("chrome-") {
            continue;
        }
        let report = har_report(&name);
        for out in [
            convex_auth_doctor::render::text(&report),
            convex_auth_doctor::render::markdown(&report),
        ] {
            for line in out.lines() {
                let json_object = line.contains("{\"") || line.contains("{ \"");
                let json_list = line.contains("[\"") || line.contains("\\[\"");
                assert!(!json_object && !json_list, "{name}: {line}");
            }
        }
        seen += 1;
    }
    assert!(seen >= 40, "{seen} captures");
}
