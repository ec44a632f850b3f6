//! The headline and the `Fix:` of failing findings (issue 10): the cause and the action in plain words, with the
//! values of the situation (the real environment variable, the token's issuer, the deployment's name and dashboard
//! pages). Expectations are written from each situation, not read back from the engine.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::{Direction, Event};
use convex_auth_doctor::findings::{Code, Finding, Fix};
use convex_auth_doctor::report::Report;
use serde_json::{json, Value};

const T: f64 = 1_764_180_000.0;
const CLOUD: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync";
const LOCAL: &str = "ws://127.0.0.1:3210/api/1.49.0/sync";
const CLERK: &str = "https://verb-noun-00.clerk.accounts.dev";

/// An RS256-shaped token with these claims (the signature is not checked by these findings).
fn token(claims: Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "ins_1"});
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(&header),
        part(&claims),
        URL_SAFE_NO_PAD.encode([7u8; 256])
    )
}

fn claims(iss: &str, aud: Value) -> Value {
    json!({"iss": iss, "sub": "user_2abc", "aud": aud, "iat": T - 10.0, "exp": T + 50.0, "nbf": T - 10.0})
}

fn frame(url: &str, direction: Direction, time: f64, msg: Value) -> Event {
    Event::WsFrame {
        socket: format!("{url}@1"),
        url: url.into(),
        direction,
        time,
        data: msg.to_string(),
    }
}

/// A client that authenticates with `jwt`, is refused with `error`, and whose query then logs a null identity.
fn refused(url: &str, jwt: &str, error: &str) -> Vec<Event> {
    vec![
        frame(
            url,
            Direction::Send,
            T,
            json!({"type": "Connect", "sessionId": "4a1d8a2e-0000-4000-8000-000000000000", "connectionCount": 0,
                   "lastCloseReason": "InitialConnect", "clientTs": (T * 1000.0) as u64}),
        ),
        frame(
            url,
            Direction::Send,
            T,
            json!({"type": "Authenticate", "tokenType": "User", "value": jwt, "baseVersion": 0}),
        ),
        frame(
            url,
            Direction::Receive,
            T + 0.1,
            json!({"type": "AuthError", "error": error, "baseVersion": 0, "authUpdateAttempted": true}),
        ),
        frame(
            url,
            Direction::Send,
            T + 0.2,
            json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
                   "modifications": [{"type": "Add", "queryId": 0, "udfPath": "messages:list", "args": [{}]}]}),
        ),
        frame(
            url,
            Direction::Receive,
            T + 0.3,
            json!({"type": "Transition",
                   "startVersion": {"querySet": 0, "identity": 0, "ts": "AAAAAAAAAAA="},
                   "endVersion": {"querySet": 1, "identity": 0, "ts": "AAAAAAAAAAA="},
                   "modifications": [{"type": "QueryUpdated", "queryId": 0, "value": [],
                                      "logLines": ["[LOG] 'server identity' null"], "journal": null}]}),
        ),
    ]
}

fn run(events: Vec<Event>, config: Option<(&str, &[(&str, &str)])>) -> Report {
    let mut s = Session::new();
    if let Some((source, vars)) = config {
        let mut env = Env::new();
        for (k, v) in vars {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        s.set_config_source(source, &env).expect("config parses");
    }
    for e in events {
        s.push(e);
    }
    s.report()
}

fn finding(r: &Report, code: Code) -> &Finding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", r.findings))
}

fn fix(r: &Report, code: Code) -> &Fix {
    finding(r, code)
        .fix
        .as_ref()
        .unwrap_or_else(|| panic!("{code} has no fix"))
}

fn urls(f: &Fix) -> Vec<&str> {
    f.places.iter().filter_map(|p| p.url.as_deref()).collect()
}

const CLERK_CONFIG: &str = "export default { providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: \"convex\" }] };";
const NO_PROVIDER: &str = "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=https://other-app-11.clerk.accounts.dev, app_id=convex)]";

#[test]
fn another_clerk_instance_says_which_variable_to_set_to_what_on_which_deployment() {
    let jwt = token(claims(CLERK, json!("convex")));
    let r = run(
        refused(CLOUD, &jwt, NO_PROVIDER),
        Some((
            CLERK_CONFIG,
            &[(
                "CLERK_JWT_ISSUER_DOMAIN",
                "https://other-app-11.clerk.accounts.dev",
            )],
        )),
    );
    let f = fix(&r, Code::ConfigIssuerMismatch);
    assert!(
        f.action.starts_with(
            "Set CLERK_JWT_ISSUER_DOMAIN to https://verb-noun-00.clerk.accounts.dev on deployment happy-otter-123"
        ),
        "{}",
        f.action
    );
    assert_eq!(
        f.command.as_deref(),
        Some("npx convex env set CLERK_JWT_ISSUER_DOMAIN 'https://verb-noun-00.clerk.accounts.dev' --deployment happy-otter-123")
    );
    assert!(urls(f).contains(
        &"https://dashboard.convex.dev/d/happy-otter-123/settings/environment-variables"
    ));
    assert!(
        urls(f).contains(&"https://dashboard.convex.dev/d/happy-otter-123/settings/authentication")
    );
    // The headline: the Clerk instance the token comes from, the one the deployment trusts, and the fix.
    assert!(r.verdict.starts_with("Step 3 breaks: "), "{}", r.verdict);
    assert!(
        r.verdict
            .contains("Clerk instance https://verb-noun-00.clerk.accounts.dev"),
        "{}",
        r.verdict
    );
    assert!(
        r.verdict
            .contains("https://other-app-11.clerk.accounts.dev"),
        "{}",
        r.verdict
    );
    assert!(
        r.verdict.contains(
            "Fix: Set CLERK_JWT_ISSUER_DOMAIN to https://verb-noun-00.clerk.accounts.dev"
        ),
        "{}",
        r.verdict
    );
}

#[test]
fn a_clerk_token_for_another_audience_is_the_template_not_named_convex() {
    let jwt = token(claims(CLERK, json!("authenticated")));
    let message = format!("No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain={CLERK}, app_id=convex)]");
    let r = run(refused(CLOUD, &jwt, &message), None);
    assert!(
        r.verdict
            .contains("the Clerk JWT template is not named convex"),
        "{}",
        r.verdict
    );
    assert!(r.verdict.contains("authenticated"), "{}", r.verdict);
    let f = fix(&r, Code::ConfigAudienceMismatch);
    assert!(f.action.contains("JWT template convex"), "{}", f.action);
    assert!(
        urls(f).contains(&"https://dashboard.convex.dev/d/happy-otter-123/settings/authentication")
    );
}

#[test]
fn an_auth0_token_for_another_client_id_names_both_ids_and_the_variable() {
    let issuer = "https://dev-abc.us.auth0.com/";
    let jwt = token(claims(issuer, json!("WrongClientId")));
    let config = "export default { providers: [{ domain: process.env.AUTH0_DOMAIN, applicationID: process.env.AUTH0_CLIENT_ID }] };";
    let r = run(
        refused(
            CLOUD,
            &jwt,
            "No auth provider found matching the given token",
        ),
        Some((
            config,
            &[
                ("AUTH0_DOMAIN", issuer),
                ("AUTH0_CLIENT_ID", "RightClientId"),
            ],
        )),
    );
    assert!(
        r.verdict.contains("the token is for another client ID"),
        "{}",
        r.verdict
    );
    let f = fix(&r, Code::ConfigAudienceMismatch);
    assert!(f.action.contains("client ID RightClientId"), "{}", f.action);
    assert!(
        f.action
            .contains("set AUTH0_CLIENT_ID to WrongClientId on deployment happy-otter-123"),
        "{}",
        f.action
    );
    assert_eq!(
        f.command.as_deref(),
        Some("npx convex env set AUTH0_CLIENT_ID 'WrongClientId' --deployment happy-otter-123")
    );
}

#[test]
fn an_unexplained_refusal_heads_with_what_it_means_and_the_next_check_not_the_null_identity() {
    let jwt = token(claims(CLERK, json!("convex")));
    let r = run(
        refused(
            CLOUD,
            &jwt,
            "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.",
        ),
        Some((CLERK_CONFIG, &[("CLERK_JWT_ISSUER_DOMAIN", CLERK)])),
    );
    assert_eq!(r.cause_step, Some(1));
    assert!(!r.verdict.contains("server identity"), "{}", r.verdict);
    assert!(r.verdict.contains("refused"), "{}", r.verdict);
    assert!(r.verdict.contains("signature"), "{}", r.verdict);
    assert!(r.verdict.contains("Next check: "), "{}", r.verdict);
    assert!(r.verdict.contains("Check the signature"), "{}", r.verdict);
    let f = fix(&r, Code::AuthRejected);
    assert!(urls(f).contains(&"https://dashboard.convex.dev/d/happy-otter-123/logs"));
}

#[test]
fn a_local_deployment_says_where_its_pages_are_without_inventing_urls() {
    let jwt = token(claims("https://idp.example.com", json!("convex")));
    let message = "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=https://idp.example.org, app_id=convex)]";
    let r = run(refused(LOCAL, &jwt, message), None);
    let f = fix(&r, Code::ConfigIssuerMismatch);
    assert!(
        f.action
            .contains("https://idp.example.com on the local deployment at http://127.0.0.1:3210"),
        "{}",
        f.action
    );
    assert_eq!(f.command.as_deref(), Some("npx convex dev"));
    assert!(urls(f).is_empty(), "{:?}", f.places);
    assert!(f
        .places
        .iter()
        .any(|p| p.label == "Settings → Authentication"
            && p.hint
                .as_deref()
                .is_some_and(|h| h.contains("npx convex dashboard"))));
}

#[test]
fn a_value_from_a_token_is_quoted_for_the_shell() {
    let iss = "https://idp.example.com/it's";
    let jwt = token(claims(iss, json!("convex")));
    let config = "export default { providers: [{ domain: process.env.ISSUER, applicationID: \"convex\" }] };";
    let r = run(
        refused(
            CLOUD,
            &jwt,
            "No auth provider found matching the given token",
        ),
        Some((config, &[("ISSUER", "https://idp.example.com/other")])),
    );
    assert_eq!(
        fix(&r, Code::ConfigIssuerMismatch).command.as_deref(),
        Some("npx convex env set ISSUER 'https://idp.example.com/it'\\''s' --deployment happy-otter-123")
    );
}

#[test]
fn every_failing_or_warning_finding_of_every_captured_scenario_has_a_fix() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/har");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        // The captures themselves; sub-folders (exporters/) hold shapes that are judged in har_exporters.rs.
        if !path.is_file() || !matches!(path.extension(), Some(e) if e == "har") {
            continue;
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
            .args(["har", path.to_str().expect("path"), "--format", "json"])
            .output()
            .expect("runs");
        let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
        for f in report["findings"].as_array().expect("findings") {
            let severity = f["severity"].as_str().unwrap_or_default();
            if severity == "fail" || severity == "warn" {
                seen += 1;
                let action = f["fix"]["action"].as_str().unwrap_or_default();
                assert!(
                    action.len() > 20,
                    "{} in {}: fix {:?}",
                    f["code"],
                    path.display(),
                    f["fix"]
                );
            } else {
                assert!(f.get("fix").is_none(), "{} has a fix", f["code"]);
            }
        }
    }
    assert!(seen > 40, "only {seen} failing findings");
}

/// The command line's text shows times as dates and relative to the token's sending, never as raw Unix floats.
/// The stand-in's expired token has `exp` 100 s before it is minted and sent (tests/standin/idp.mjs, `expired`).
#[test]
fn the_text_report_shows_times_as_dates_relative_to_the_sending() {
    let har = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/har/chrome-token-expired.har"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .args(["har", har])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let exp = text
        .lines()
        .find(|l| l.trim_start().starts_with("exp: "))
        .expect("an exp line");
    assert!(
        exp.ends_with("Z, 1 min 40 s before the token was sent"),
        "{exp}"
    );
    for line in text.lines() {
        let value = line.split_once(": ").map_or("", |(_, v)| v);
        assert!(
            !(value.starts_with("17") && value.contains('.') && value.parse::<f64>().is_ok()),
            "a raw time: {line}"
        );
    }
    assert!(text.contains("        Fix: "), "{text}");
}

/// A refusal because the backend could not fetch the key set: the next check is that URL, and the null identity it
/// caused points back at the refusal instead of suggesting the client sends no token.
#[test]
fn a_key_set_the_backend_cannot_fetch_is_the_next_check_with_its_url() {
    let jwt = token(claims("https://idp.example.com", json!("convex")));
    let r = run(
        refused(
            CLOUD,
            &jwt,
            "Could not fetch JWKS from URL 'https://idp.example.com/keys.json': HTTP 404 Not Found. Check that the URL is correct and accessible.",
        ),
        None,
    );
    assert!(
        r.verdict
            .contains("Next check: Open https://idp.example.com/keys.json from the internet"),
        "{}",
        r.verdict
    );
    let null = fix(&r, Code::IdentityLoggedNull);
    assert!(null.action.contains("refused"), "{}", null.action);
}

/// The text and markdown renderers show the fix, its command and the dashboard pages.
#[test]
fn the_renderers_show_the_fix_line_the_command_and_the_pages() {
    let jwt = token(claims(CLERK, json!("convex")));
    let r = run(
        refused(CLOUD, &jwt, NO_PROVIDER),
        Some((
            CLERK_CONFIG,
            &[(
                "CLERK_JWT_ISSUER_DOMAIN",
                "https://other-app-11.clerk.accounts.dev",
            )],
        )),
    );
    let text = convex_auth_doctor::render::text(&r);
    assert!(
        text.contains("        Fix: Set CLERK_JWT_ISSUER_DOMAIN to https://verb-noun-00.clerk.accounts.dev on deployment happy-otter-123"),
        "{text}"
    );
    assert!(text.contains("          run: npx convex env set CLERK_JWT_ISSUER_DOMAIN 'https://verb-noun-00.clerk.accounts.dev' --deployment happy-otter-123"), "{text}");
    assert!(text.contains(
        "Settings → Environment Variables: https://dashboard.convex.dev/d/happy-otter-123/settings/environment-variables"
    ));
    let md = convex_auth_doctor::render::markdown(&r);
    assert!(
        md.contains("  - **Fix:** Set CLERK\\_JWT\\_ISSUER\\_DOMAIN to https://verb-noun-00.clerk.accounts.dev on deployment happy-otter-123"),
        "{md}"
    );
    assert!(md.contains(
        "<https://dashboard.convex.dev/d/happy-otter-123/settings/environment-variables>"
    ));
}
