//! The judgement end to end inside the engine: sync frames and HTTP exchanges shaped like the real `convex` client
//! and backend send them (protocol: convex npm `src/browser/sync/protocol.ts`), with tokens signed by
//! `fixtures/make-tokens.mjs`, into findings, step statuses and the cause step (the guide's decision tree).

use convex_auth_doctor::analysis::{FetchedDocument, KeyPurpose, Session};
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::{Direction, Event, HttpExchange};
use convex_auth_doctor::findings::{Code, Severity, Status};
use convex_auth_doctor::report::Report;
use serde_json::{json, Value};

const T: f64 = 1_764_180_000.0;
const WS: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync";
const SOCKET: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync@2025-11-26T18:00:00.000Z";
const ISS: &str = "https://doctor-fixture.example.com";

fn fixture_token(name: &str) -> String {
    let text = include_str!("fixtures/tokens.json");
    let v: Value = serde_json::from_str(text).expect("fixture JSON");
    v["tokens"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .and_then(|t| t["token"].as_str())
        .unwrap_or_else(|| panic!("no fixture token {name}"))
        .to_owned()
}

fn send(time: f64, msg: Value) -> Event {
    Event::WsFrame {
        socket: SOCKET.into(),
        url: WS.into(),
        direction: Direction::Send,
        time,
        data: msg.to_string(),
    }
}

fn recv(time: f64, msg: Value) -> Event {
    Event::WsFrame {
        socket: SOCKET.into(),
        url: WS.into(),
        direction: Direction::Receive,
        time,
        data: msg.to_string(),
    }
}

/// `ts` fields are base64 of 8 little-endian bytes.
const TS: &str = "AAAAAAAAAAA=";

fn connect(time: f64, count: u32, reason: &str) -> Event {
    send(
        time,
        json!({"type": "Connect", "sessionId": "4a1d8a2e-0000-4000-8000-000000000000", "connectionCount": count,
               "lastCloseReason": reason, "clientTs": (time * 1000.0) as u64}),
    )
}

fn authenticate(time: f64, token: &str) -> Event {
    send(
        time,
        json!({"type": "Authenticate", "tokenType": "User", "value": token, "baseVersion": 0}),
    )
}

fn modify_query_set(time: f64) -> Event {
    send(
        time,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
               "modifications": [{"type": "Add", "queryId": 0, "udfPath": "messages:list", "args": [{}]}]}),
    )
}

fn transition(time: f64, identity: (u64, u64), log_lines: &[&str]) -> Event {
    recv(
        time,
        json!({"type": "Transition",
               "startVersion": {"querySet": 0, "identity": identity.0, "ts": TS},
               "endVersion": {"querySet": 1, "identity": identity.1, "ts": TS},
               "modifications": [{"type": "QueryUpdated", "queryId": 0, "value": [], "logLines": log_lines,
                                  "journal": null}]}),
    )
}

fn auth_error(time: f64, error: &str, attempted: Option<bool>) -> Event {
    let mut msg = json!({"type": "AuthError", "error": error, "baseVersion": 0});
    if let Some(a) = attempted {
        msg["authUpdateAttempted"] = json!(a);
    }
    recv(time, msg)
}

fn oidc_config(domain: &str, app: &str) -> String {
    format!(
        "export default {{ providers: [{{ domain: \"{domain}\", applicationID: \"{app}\" }}] }};"
    )
}

fn run(events: Vec<Event>, config: Option<&str>) -> Report {
    let mut s = Session::new();
    if let Some(c) = config {
        s.set_config_source(c, &Env::new()).expect("config parses");
    }
    for e in events {
        s.push(e);
    }
    s.report()
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn has(r: &Report, code: Code) -> bool {
    r.findings.iter().any(|f| f.code == code)
}

fn status(r: &Report, step: u8) -> Status {
    r.steps
        .iter()
        .find(|s| s.step == step)
        .map(|s| s.status)
        .expect("three steps")
}

#[test]
fn nothing_captured_is_no_traffic_with_the_cause_in_step_1() {
    let r = run(vec![], None);
    assert!(has(&r, Code::ClientNoTraffic), "{:?}", codes(&r));
    assert_eq!(status(&r, 1), Status::Fail);
    assert_eq!(status(&r, 2), Status::Unknown);
    assert_eq!(r.cause_step, Some(1));
}

#[test]
fn traffic_to_other_hosts_is_not_convex_traffic() {
    let r = run(
        vec![Event::WsFrame {
            socket: "s".into(),
            url: "wss://example.com/chat".into(),
            direction: Direction::Send,
            time: T,
            data: "{}".into(),
        }],
        None,
    );
    assert!(has(&r, Code::ClientNoTraffic));
}

#[test]
fn accepted_token_with_identity_log_is_all_good() {
    let token = fixture_token("rs256_valid");
    let identity = format!(
        "[LOG] 'server identity' {{ tokenIdentifier: '{ISS}|user_2fixture', issuer: '{ISS}', subject: 'user_2fixture' }}"
    );
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T + 0.01, &token),
            modify_query_set(T + 0.02),
            transition(T + 0.2, (0, 1), &[&identity]),
        ],
        Some(&oidc_config(ISS, "convex")),
    );
    assert!(has(&r, Code::AuthConfirmed), "{:?}", codes(&r));
    let logged = r.findings.iter().find(|f| f.code == Code::IdentityLogged);
    assert_eq!(
        logged.and_then(|f| f.evidence.get("function")),
        Some(&json!("messages:list")),
        "the log line is tied to the query that printed it"
    );
    assert!(has(&r, Code::ConfigMatched));
    assert!(has(&r, Code::TokenWellFormed));
    assert_eq!(
        [status(&r, 1), status(&r, 2), status(&r, 3)],
        [Status::Pass, Status::Pass, Status::Pass]
    );
    assert_eq!(r.cause_step, None);
    assert!(!r.has_failure(), "{:?}", codes(&r));
    assert_eq!(
        r.deployments,
        vec!["https://happy-otter-123.convex.cloud".to_owned()]
    );
    // The report never carries the token or its signature.
    let json = serde_json::to_string(&r).expect("serialises");
    assert!(!json.contains(&token));
    let signature = token.rsplit('.').next().unwrap_or_default();
    assert!(!json.contains(signature));
}

#[test]
fn no_authenticate_and_identity_null_points_at_step_2() {
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            modify_query_set(T + 0.01),
            transition(T + 0.2, (0, 0), &["[LOG] 'server identity' null"]),
        ],
        None,
    );
    assert!(has(&r, Code::IdentityLoggedNull), "{:?}", codes(&r));
    assert!(has(&r, Code::TokenAbsent));
    assert_eq!(status(&r, 1), Status::Fail);
    assert_eq!(status(&r, 2), Status::Fail);
    assert_eq!(r.cause_step, Some(2));
}

#[test]
fn functions_without_the_log_line_say_identity_no_log() {
    let token = fixture_token("rs256_valid");
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T, &token),
            modify_query_set(T),
            transition(T + 0.1, (0, 1), &["[LOG] 'something else'"]),
        ],
        None,
    );
    assert!(has(&r, Code::IdentityNoLog), "{:?}", codes(&r));
    assert!(has(&r, Code::AuthConfirmed));
    assert_eq!(status(&r, 1), Status::Pass);
}

#[test]
fn server_provider_list_settles_step_3_without_any_config() {
    let token = fixture_token("rs256_valid");
    let message = "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=https://other.clerk.accounts.dev, app_id=convex)]";
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T, &token),
            auth_error(T + 0.1, message, Some(true)),
        ],
        None,
    );
    assert!(has(&r, Code::AuthRejected), "{:?}", codes(&r));
    assert!(has(&r, Code::ConfigIssuerMismatch), "{:?}", codes(&r));
    assert!(!has(&r, Code::ConfigUnknown));
    assert_eq!(status(&r, 3), Status::Fail);
    assert_eq!(r.cause_step, Some(3));
    let rejected = r.findings.iter().find(|f| f.code == Code::AuthRejected);
    assert_eq!(
        rejected.and_then(|f| f.evidence.get("server_message")),
        Some(&json!(message)),
        "the server's words are quoted verbatim"
    );
}

#[test]
fn no_providers_configured_text_is_config_no_providers() {
    let token = fixture_token("rs256_valid");
    let r = run(
        vec![
            authenticate(T, &token),
            auth_error(
                T + 0.1,
                "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
                Some(true),
            ),
        ],
        None,
    );
    assert!(has(&r, Code::ConfigNoProviders), "{:?}", codes(&r));
    assert_eq!(r.cause_step, Some(3));
}

#[test]
fn audience_mismatch_against_the_users_config() {
    let token = fixture_token("rs256_valid");
    let r = run(
        vec![
            authenticate(T, &token),
            auth_error(
                T + 0.1,
                "No auth provider found matching the given token",
                Some(true),
            ),
        ],
        Some(&oidc_config(ISS, "my-client-id")),
    );
    assert!(has(&r, Code::ConfigAudienceMismatch), "{:?}", codes(&r));
    assert_eq!(r.cause_step, Some(3));
}

#[test]
fn expired_token_is_judged_at_the_time_it_was_sent() {
    let token = fixture_token("rs256_expired");
    // Sent at the fixture's sent_at, where it had expired 3 min 12 s before.
    let r = run(
        vec![
            authenticate(T, &token),
            auth_error(T + 0.1, "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.", Some(true)),
        ],
        Some(&oidc_config(ISS, "convex")),
    );
    assert!(has(&r, Code::TokenExpired), "{:?}", codes(&r));
    assert_eq!(r.cause_step, Some(2));
    // The valid token sent at the same moment is not expired, however late the analysis runs.
    let ok = run(
        vec![authenticate(T, &fixture_token("rs256_valid"))],
        Some(&oidc_config(ISS, "convex")),
    );
    assert!(!has(&ok, Code::TokenExpired), "{:?}", codes(&ok));
}

#[test]
fn expiry_during_the_session_followed_by_a_fresh_token() {
    let old = fixture_token("rs256_valid");
    let fresh = fixture_token("eddsa_valid");
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T, &old),
            transition(T + 0.1, (0, 1), &[]),
            auth_error(T + 3600.0, "Convex token identity expired", Some(false)),
            connect(T + 3600.5, 1, "AuthError"),
            authenticate(T + 3600.6, &fresh),
            transition(T + 3600.8, (0, 1), &[]),
        ],
        None,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::AuthExpiredInSession);
    assert!(f.is_some(), "{:?}", codes(&r));
    assert_eq!(
        f.and_then(|f| f.evidence.get("fresh_token_followed")),
        Some(&json!(true))
    );
    assert!(has(&r, Code::AuthConfirmed));
    // A warning worth seeing (the spec's severity), but nothing to fix: no cause step.
    assert_eq!(status(&r, 1), Status::Warn);
    assert_eq!(r.cause_step, None);
}

#[test]
fn a_rejection_superseded_by_an_acceptance_is_history() {
    let bad = fixture_token("rs256_expired");
    let good = fixture_token("rs256_valid");
    let r = run(
        vec![
            authenticate(T, &bad),
            auth_error(T + 0.1, "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.", Some(true)),
            connect(T + 0.5, 1, "AuthError"),
            authenticate(T + 0.6, &good),
            transition(T + 0.8, (0, 1), &[]),
        ],
        None,
    );
    let rejected = r.findings.iter().find(|f| f.code == Code::AuthRejected);
    assert_eq!(
        rejected.map(|f| f.severity),
        Some(Severity::Info),
        "{:?}",
        codes(&r)
    );
    assert_eq!(status(&r, 1), Status::Pass);
    assert_eq!(r.cause_step, None);
}

#[test]
fn discovery_failure_from_the_close_reason() {
    let token = fixture_token("rs256_valid");
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T, &token),
            connect(T + 1.0, 1, "AuthProviderDiscoveryFailed"),
        ],
        Some(&oidc_config(ISS, "convex")),
    );
    assert!(has(&r, Code::AuthDiscoveryFailed), "{:?}", codes(&r));
    assert_eq!(status(&r, 1), Status::Fail);
}

#[test]
fn sockets_that_never_get_a_transition_are_a_failed_connection() {
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            Event::WsClose {
                socket: SOCKET.into(),
                url: WS.into(),
                time: T + 1.0,
                reason: None,
            },
        ],
        None,
    );
    assert!(has(&r, Code::ClientConnectionFailed), "{:?}", codes(&r));
    assert_eq!(r.cause_step, Some(1));
}

#[test]
fn http_bearer_calls_are_judged_like_sync_tokens() {
    let token = fixture_token("rs256_valid");
    let call = |status: u16, body: &str| {
        Event::Http(HttpExchange {
            url: "https://happy-otter-123.convex.cloud/api/query".into(),
            method: "POST".into(),
            time: T,
            request_headers: vec![("Authorization".into(), format!("Bearer {token}"))],
            request_body: Some(
                r#"{"path":"messages:list","format":"convex_encoded_json","args":[{}]}"#.into(),
            ),
            status,
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: Some(body.into()),
        })
    };
    let ok = run(
        vec![call(
            200,
            r#"{"status":"success","value":[],"logLines":["[LOG] 'server identity' null"]}"#,
        )],
        None,
    );
    assert!(has(&ok, Code::AuthConfirmed), "{:?}", codes(&ok));
    let refused = run(
        vec![call(
            401,
            r#"{"code":"NoAuthProvider","message":"No auth provider found matching the given token"}"#,
        )],
        Some(&oidc_config("https://elsewhere.example.com", "convex")),
    );
    assert!(has(&refused, Code::AuthRejected), "{:?}", codes(&refused));
    assert!(has(&refused, Code::ConfigIssuerMismatch));
    assert_eq!(refused.cause_step, Some(3));
}

#[test]
fn a_malformed_token_is_step_2() {
    let token = fixture_token("rs256_valid");
    let cut = token.get(..token.len() / 3).unwrap_or_default();
    let r = run(vec![authenticate(T, cut)], None);
    assert!(has(&r, Code::TokenMalformed), "{:?}", codes(&r));
    assert_eq!(r.cause_step, Some(2));
}

#[test]
fn admin_key_is_not_a_user_token() {
    let r = run(
        vec![
            send(
                T,
                json!({"type": "Authenticate", "tokenType": "Admin", "value": "prod:abc|secret", "baseVersion": 0}),
            ),
            transition(T + 0.1, (0, 1), &[]),
        ],
        None,
    );
    assert!(has(&r, Code::TokenAdmin), "{:?}", codes(&r));
    assert!(has(&r, Code::TokenAbsent));
    let text = serde_json::to_string(&r).unwrap_or_default();
    assert!(
        !text.contains("secret"),
        "the admin key never reaches the report"
    );
}

#[test]
fn clock_skew_from_the_server_moves_the_judgement_to_the_servers_clock() {
    // The token expired 3 min 12 s before the local send time, but this computer's clock is 10 minutes ahead of
    // the server's: on the server's clock it was still valid.
    let token = fixture_token("rs256_expired");
    let mut t = transition(T + 0.2, (0, 1), &[]);
    if let Event::WsFrame { data, .. } = &mut t {
        let mut v: Value = serde_json::from_str(data).unwrap_or_default();
        v["clientClockSkew"] = json!(600_000);
        v["serverTs"] = json!(0);
        *data = v.to_string();
    }
    let r = run(
        vec![connect(T, 0, "InitialConnect"), authenticate(T, &token), t],
        None,
    );
    assert!(has(&r, Code::ClockSkew), "{:?}", codes(&r));
    assert!(!has(&r, Code::TokenExpired), "{:?}", codes(&r));
}

#[test]
fn chunked_transitions_are_reassembled() {
    let token = fixture_token("rs256_valid");
    let whole = json!({"type": "Transition",
        "startVersion": {"querySet": 0, "identity": 0, "ts": TS},
        "endVersion": {"querySet": 1, "identity": 1, "ts": TS},
        "modifications": [{"type": "QueryUpdated", "queryId": 0, "value": "x".repeat(1000),
                           "logLines": ["[LOG] 'server identity' null"], "journal": null}]})
    .to_string();
    let (a, b) = whole.split_at(whole.len() / 2);
    let chunk = |part: u32, text: &str| {
        recv(
            T + 0.2,
            json!({"type": "TransitionChunk", "chunk": text, "partNumber": part, "totalParts": 2, "transitionId": "t1"}),
        )
    };
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T, &token),
            chunk(0, a),
            chunk(1, b),
        ],
        None,
    );
    assert!(has(&r, Code::IdentityLoggedNull), "{:?}", codes(&r));
    assert!(has(&r, Code::AuthConfirmed));
}

#[test]
fn a_new_page_load_starts_the_evidence_again() {
    let token = fixture_token("rs256_valid");
    let r = run(
        vec![
            authenticate(T, &token),
            Event::Navigated {
                url: "http://localhost:5173/".into(),
                time: T + 5.0,
            },
        ],
        None,
    );
    assert!(has(&r, Code::ClientNoTraffic), "{:?}", codes(&r));
    assert!(r.timeline.iter().any(|i| i.kind == "navigated"));
}

#[test]
fn hostile_frames_do_not_panic() {
    let mut events = vec![connect(T, 0, "InitialConnect")];
    for data in [
        "".to_owned(),
        "{".to_owned(),
        "[".repeat(100_000),
        "{\"type\":\"Transition\"}".to_owned(),
        "{\"type\":\"AuthError\",\"error\":42}".to_owned(),
        "{\"type\":\"Authenticate\",\"tokenType\":\"User\",\"value\":\"\\u0000..\"}".to_owned(),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x7b]).into_owned(),
    ] {
        for direction in [Direction::Send, Direction::Receive] {
            events.push(Event::WsFrame {
                socket: SOCKET.into(),
                url: WS.into(),
                direction,
                time: T,
                data: data.clone(),
            });
        }
    }
    let r = run(events, None);
    assert!(!r.steps.is_empty());
}

#[test]
fn deployments_are_named_and_more_than_one_is_a_warning() {
    let one = run(
        vec![
            connect(T, 0, "InitialConnect"),
            transition(T + 0.1, (0, 0), &[]),
        ],
        None,
    );
    let seen = one.findings.iter().find(|f| f.code == Code::DeploymentSeen);
    assert_eq!(
        seen.and_then(|f| f.evidence.get("deployments")),
        Some(&json!(["https://happy-otter-123.convex.cloud"]))
    );
    let other = Event::WsFrame {
        socket: "other".into(),
        url: "wss://sad-llama-456.convex.cloud/api/1.49.0/sync".into(),
        direction: Direction::Send,
        time: T,
        data: json!({"type": "Connect", "sessionId": "x", "connectionCount": 0, "lastCloseReason": "InitialConnect", "clientTs": 0}).to_string(),
    };
    let two = run(vec![connect(T, 0, "InitialConnect"), other], None);
    let multiple = two
        .findings
        .iter()
        .find(|f| f.code == Code::DeploymentMultiple);
    assert_eq!(
        multiple.map(|f| f.severity),
        Some(Severity::Warn),
        "{:?}",
        codes(&two)
    );
}

#[test]
fn signing_out_is_token_cleared() {
    let r = run(
        vec![
            authenticate(T, &fixture_token("rs256_valid")),
            send(
                T + 5.0,
                json!({"type": "Authenticate", "tokenType": "None", "baseVersion": 1}),
            ),
        ],
        None,
    );
    let cleared = r.findings.iter().find(|f| f.code == Code::TokenCleared);
    assert_eq!(
        cleared.and_then(|f| f.evidence.get("after_refusal")),
        Some(&json!(false)),
        "{:?}",
        codes(&r)
    );
    // After a refusal the client clears auth by itself: said so, not called a sign-out.
    let r = run(
        vec![
            authenticate(T, &fixture_token("rs256_valid")),
            auth_error(
                T + 0.1,
                "No auth provider found matching the given token",
                Some(true),
            ),
            send(
                T + 5.0,
                json!({"type": "Authenticate", "tokenType": "None", "baseVersion": 1}),
            ),
        ],
        None,
    );
    let cleared = r.findings.iter().find(|f| f.code == Code::TokenCleared);
    assert!(
        cleared.is_some_and(|f| f.message.contains("gave up")),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_redacted_no_provider_text_is_config_no_match_until_the_config_is_known() {
    let token = fixture_token("rs256_valid");
    let events = || {
        vec![
            authenticate(T, &token),
            auth_error(
                T + 0.1,
                "No auth provider found matching the given token",
                Some(true),
            ),
        ]
    };
    let r = run(events(), None);
    assert!(has(&r, Code::ConfigNoMatch), "{:?}", codes(&r));
    assert_eq!(status(&r, 3), Status::Fail);
    assert_eq!(r.cause_step, Some(3));
    // The user's config names the cause precisely instead.
    let with_config = run(
        events(),
        Some(&oidc_config("https://elsewhere.example.com", "convex")),
    );
    assert!(
        has(&with_config, Code::ConfigIssuerMismatch),
        "{:?}",
        codes(&with_config)
    );
    assert!(!has(&with_config, Code::ConfigNoMatch));
    // A config that matches although the deployment says none does: the deployment runs another one.
    let stale = run(events(), Some(&oidc_config(ISS, "convex")));
    assert!(has(&stale, Code::ConfigNoMatch), "{:?}", codes(&stale));
}

/// The key protocol the panel and the CLI share: the engine names the documents, the front end fetches them.
#[test]
fn keys_fetched_by_the_front_end_verify_the_signature() {
    let v: Value =
        serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixture JSON");
    let jwks = v["jwks"].to_string();
    let token = fixture_token("rs256_valid");
    let mut s = Session::new();
    s.push(authenticate(T, &token));
    let first = s.key_requests();
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].url,
        format!("{ISS}/.well-known/openid-configuration")
    );
    assert_eq!(first[0].purpose, KeyPurpose::Discovery);
    // The panel reads the purpose as text.
    assert_eq!(
        serde_json::to_value(&first[0]).expect("json")["purpose"],
        json!("discovery")
    );
    let doc = json!({"issuer": ISS, "jwks_uri": format!("{ISS}/jwks")}).to_string();
    s.set_fetched(&FetchedDocument {
        url: &first[0].url,
        purpose: KeyPurpose::Discovery,
        issuer: ISS,
        content_type: Some("application/json"),
        status: 200,
        body: &doc,
        fetched_at: T + 10.0,
    });
    let second = s.key_requests();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].url, format!("{ISS}/jwks"));
    s.set_fetched(&FetchedDocument {
        url: &second[0].url,
        purpose: KeyPurpose::Jwks,
        issuer: ISS,
        content_type: Some("application/json"),
        status: 200,
        body: &jwks,
        fetched_at: T + 11.0,
    });
    assert!(s.key_requests().is_empty());
    let r = s.report();
    assert!(has(&r, Code::SignatureValid), "{:?}", codes(&r));

    // A discovery document naming another issuer.
    let mut s = Session::new();
    s.push(authenticate(T, &token));
    let other = json!({"issuer": format!("{ISS}/"), "jwks_uri": format!("{ISS}/jwks")}).to_string();
    s.set_fetched(&FetchedDocument {
        url: &format!("{ISS}/.well-known/openid-configuration"),
        purpose: KeyPurpose::Discovery,
        issuer: ISS,
        content_type: Some("application/json"),
        status: 200,
        body: &other,
        fetched_at: T,
    });
    assert!(
        has(&s.report(), Code::DiscoveryIssuerMismatch),
        "{:?}",
        codes(&s.report())
    );

    // Unreachable from here: a warning that says the backend may still reach it.
    let mut s = Session::new();
    s.push(authenticate(T, &token));
    s.set_unreachable(
        &format!("{ISS}/.well-known/openid-configuration"),
        "TypeError: Failed to fetch",
        T,
    );
    let r = s.report();
    let f = r.findings.iter().find(|f| f.code == Code::JwksUnreachable);
    assert_eq!(
        f.map(|f| f.severity),
        Some(Severity::Warn),
        "{:?}",
        codes(&r)
    );
    assert!(f.is_some_and(|f| f.message.contains("may still reach")));
}

#[test]
fn an_authenticate_frame_delivered_twice_does_not_undo_its_confirmation() {
    let token = fixture_token("rs256_valid");
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T + 0.01, &token),
            transition(T + 0.2, (0, 1), &[]),
            authenticate(T + 0.01, &token),
        ],
        None,
    );
    assert!(has(&r, Code::AuthConfirmed), "{:?}", codes(&r));
}

#[test]
fn an_identity_log_naming_the_tokens_subject_confirms_it() {
    let token = fixture_token("rs256_valid");
    let line = format!("[LOG] 'server identity' {{\n  tokenIdentifier: '{ISS}|user_2fixture',\n  issuer: '{ISS}',\n  subject: 'user_2fixture'\n}}");
    // No identity-raising Transition was captured, but the function saw this very token's user.
    let r = run(
        vec![
            authenticate(T, &token),
            transition(T + 0.2, (1, 1), &[&line]),
        ],
        None,
    );
    assert!(has(&r, Code::AuthConfirmed), "{:?}", codes(&r));
    // Another user's identity proves nothing about this token.
    let other = line.replace("user_2fixture", "user_someone_else");
    let r = run(
        vec![
            authenticate(T, &token),
            transition(T + 0.2, (1, 1), &[&other]),
        ],
        None,
    );
    assert!(!has(&r, Code::AuthConfirmed), "{:?}", codes(&r));
}

/// A report never says "the backend sees the user" and "no user token was sent" together (issue 16): a function
/// that logged an identity is the backend's word that a token went with the call, whatever the capture shows of
/// it (here an HTTP call whose `Authorization` header the capture does not hold). Nor does step 1 fail for
/// "functions ran without a user".
#[test]
fn an_identity_seen_by_the_backend_is_never_a_missing_token() {
    let line = format!(
        "[LOG] 'server identity' {{ tokenIdentifier: '{ISS}|user_2fixture', issuer: '{ISS}', subject: 'user_2fixture' }}"
    );
    let body = json!({"status": "success", "value": [], "logLines": [line]}).to_string();
    let r = run(
        vec![Event::Http(HttpExchange {
            url: "https://happy-otter-123.convex.cloud/api/query".into(),
            method: "POST".into(),
            time: T,
            request_body: Some(r#"{"path":"messages:whoami","args":[{}],"format":"json"}"#.into()),
            status: 200,
            response_body: Some(body),
            ..HttpExchange::default()
        })],
        None,
    );
    assert!(has(&r, Code::IdentityLogged), "{:?}", codes(&r));
    assert!(!has(&r, Code::TokenAbsent), "{:?}", codes(&r));
    assert_eq!(status(&r, 1), Status::Pass);
    assert_ne!(status(&r, 2), Status::Fail);
    assert_eq!(
        r.verdict,
        "Authentication works: the backend sees the user."
    );
}

/// The e2e scenario `code-not-pushed` (flaky before): the app clears auth as it unmounts (`Authenticate None`) before
/// the backend's answer to its token arrives. The identity-raising Transition answers the token sent against the
/// version it moved past, so the token is still accepted, not left pending because a later Authenticate replaced it.
#[test]
fn an_answer_after_the_client_cleared_auth_still_accepts_the_earlier_token() {
    let token = fixture_token("rs256_valid");
    let events = |answer_first: bool| {
        let mut v = vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T + 0.01, &token),
            modify_query_set(T + 0.02),
        ];
        let none = send(
            T + 0.3,
            json!({"type": "Authenticate", "tokenType": "None", "baseVersion": 1}),
        );
        let answer = transition(T + 0.2, (0, 1), &[]);
        if answer_first {
            v.extend([answer, none]);
        } else {
            v.extend([none, answer, transition(T + 0.4, (1, 2), &[])]);
        }
        v
    };
    for answer_first in [true, false] {
        let r = run(events(answer_first), Some(&oidc_config(ISS, "convex")));
        assert!(
            has(&r, Code::AuthConfirmed),
            "answer first: {answer_first}: {:?}",
            codes(&r)
        );
        assert_eq!(status(&r, 1), Status::Pass, "answer first: {answer_first}");
    }
    // Without any identity-raising answer, nothing is confirmed.
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T + 0.01, &token),
            send(
                T + 0.3,
                json!({"type": "Authenticate", "tokenType": "None", "baseVersion": 0}),
            ),
        ],
        Some(&oidc_config(ISS, "convex")),
    );
    assert!(!has(&r, Code::AuthConfirmed), "{:?}", codes(&r));
}

/// A CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) as the browser sends it before a cross-origin
/// `fetch` with `Authorization` and `Content-Type: application/json`: never with `Authorization` itself.
fn preflight(url: &str, time: f64, status: u16) -> Event {
    Event::Http(HttpExchange {
        url: url.into(),
        method: "OPTIONS".into(),
        time,
        request_headers: vec![
            ("Access-Control-Request-Method".into(), "POST".into()),
            (
                "Access-Control-Request-Headers".into(),
                "authorization,content-type".into(),
            ),
        ],
        request_body: None,
        status,
        response_headers: vec![(
            "Access-Control-Allow-Origin".into(),
            "http://localhost:5173".into(),
        )],
        response_body: None,
    })
}

#[test]
fn a_cors_preflight_is_not_a_call_that_ran_without_a_token() {
    // The backend's CORS layer answers the preflight itself (`local_backend/src/router.rs:612-626`); no function ran.
    // The call after it got no response (status 0): the client never reached a function.
    let url = "https://happy-otter-123.convex.cloud/api/query";
    let blocked = Event::Http(HttpExchange {
        url: url.into(),
        method: "POST".into(),
        time: T + 0.1,
        request_headers: vec![("Content-Type".into(), "application/json".into())],
        request_body: Some(
            r#"{"path":"messages:list","format":"convex_encoded_json","args":[{}]}"#.into(),
        ),
        status: 0,
        response_headers: vec![],
        response_body: None,
    });
    let r = run(vec![preflight(url, T, 204), blocked], None);
    assert!(!has(&r, Code::TokenAbsent), "{:?}", codes(&r));
    assert!(has(&r, Code::ClientConnectionFailed), "{:?}", codes(&r));
    assert!(
        !r.timeline.iter().any(|t| t.text.contains("status 204")),
        "{:?}",
        r.timeline
    );
}

#[test]
fn a_token_no_provider_matches_asks_for_no_keys() {
    // convex-backend `crates/authentication/src/lib.rs:185-196`: the provider is picked from `iss`/`aud` first;
    // with none matching the backend answers NoAuthProvider and fetches no discovery document and no JWKS.
    let token = fixture_token("rs256_valid");
    let config = r#"export default { providers: [{ type: "customJwt", issuer: "https://other.example.com", jwks: "https://other.example.com/jwks", algorithm: "RS256" }] };"#;
    let mut s = Session::new();
    s.set_config_source(config, &Env::new())
        .expect("config parses");
    s.push(authenticate(T, &token));
    assert_eq!(s.key_requests(), vec![]);
    assert_eq!(s.key_target(), None);
    // A document fetched all the same (say, before the configuration was known) says nothing about this token.
    s.set_fetched(&FetchedDocument {
        url: &format!("{ISS}/.well-known/openid-configuration"),
        purpose: KeyPurpose::Discovery,
        issuer: ISS,
        content_type: Some("text/html"),
        status: 404,
        body: "Not Found",
        fetched_at: T + 1.0,
    });
    s.push(auth_error(
        T + 0.5,
        "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [CustomJWT(issuer=https://other.example.com, app_id=None)]",
        Some(false),
    ));
    let r = s.report();
    let keyish = |c: &str| {
        c.starts_with("discovery.")
            || c.starts_with("jwks.")
            || c == "auth.discovery_failed"
            || c.starts_with("signature.")
    };
    assert!(!codes(&r).into_iter().any(keyish), "{:?}", codes(&r));
    assert!(has(&r, Code::ConfigIssuerMismatch), "{:?}", codes(&r));
    assert!(
        !r.verdict.to_lowercase().contains("discovery"),
        "{}",
        r.verdict
    );

    // No configuration here, only the backend's word (production redacts the provider list): still nothing to fetch.
    let mut s = Session::new();
    s.push(authenticate(T, &token));
    assert_eq!(
        s.key_requests().len(),
        1,
        "before the answer the token may match"
    );
    s.push(auth_error(
        T + 0.5,
        "No auth provider found matching the given token",
        Some(false),
    ));
    assert_eq!(s.key_requests(), vec![]);
}

#[test]
fn a_frame_too_large_to_read_is_named_with_what_it_may_hold() {
    let token = fixture_token("rs256_valid");
    let big = |time: f64| Event::WsFrameTooLarge {
        socket: SOCKET.into(),
        url: WS.into(),
        direction: Direction::Receive,
        time,
        bytes: 9_000_000.0,
    };
    // After the Authenticate, before any answer: the unread frame may be the Transition that accepted the token.
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T + 0.1, &token),
            modify_query_set(T + 0.1),
            big(T + 0.5),
        ],
        None,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::CaptureFrameUnread)
        .unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.evidence.get("token_pending"), Some(&json!(true)));
    assert!(
        f.message.contains("8.0 MiB") && f.message.contains("8.6 MiB"),
        "{}",
        f.message
    );
    assert!(f.message.contains("accepted"), "{}", f.message);
    // After the token was confirmed it can only have held query results.
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            authenticate(T + 0.1, &token),
            modify_query_set(T + 0.1),
            transition(T + 0.3, (0, 1), &[]),
            big(T + 0.5),
        ],
        None,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::CaptureFrameUnread)
        .unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(f.evidence.get("token_pending"), Some(&json!(false)));
    assert!(f.message.contains("'server identity'"), "{}", f.message);
    // None skipped: no such finding.
    let r = run(
        vec![
            connect(T, 0, "InitialConnect"),
            transition(T + 0.3, (0, 0), &[]),
        ],
        None,
    );
    assert!(!has(&r, Code::CaptureFrameUnread), "{:?}", codes(&r));
}
