//! What the real backend does on the wire, read from convex-backend 94a42c3 and the `convex` client 1.49.0, and
//! how the doctor reads it: captured tokens as the backend reads them (`token.wrapped`), internal errors
//! (`auth.internal_error`), the identity race (`identity.null_before_auth`), a refresh confirmed by an empty
//! Transition, `clientClockSkew` corrected for the page's age, HTTP header variants and function errors.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::{Direction, Event, HttpExchange};
use convex_auth_doctor::findings::{Code, Severity, Status};
use convex_auth_doctor::report::Report;
use serde_json::{json, Value};

const T: f64 = 1_764_180_000.0;
const WS: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync";
const ISS: &str = "https://issuer.example.test";

fn jwt(iss: &str, exp: f64) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
    let payload =
        json!({"iss": iss, "sub": "user_1", "aud": "convex", "iat": T - 60.0, "exp": exp});
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode([7u8; 256])
    )
}

fn good() -> String {
    jwt(ISS, T + 3600.0)
}

fn frame(socket: &str, direction: Direction, time: f64, msg: Value) -> Event {
    Event::WsFrame {
        socket: socket.into(),
        url: WS.into(),
        direction,
        time,
        data: msg.to_string(),
    }
}

fn send(socket: &str, time: f64, msg: Value) -> Event {
    frame(socket, Direction::Send, time, msg)
}

fn recv(socket: &str, time: f64, msg: Value) -> Event {
    frame(socket, Direction::Receive, time, msg)
}

/// A Connect as `web_socket_manager.ts` sends it; `client_ts_ms` is `monotonicMillis()`.
fn connect(socket: &str, time: f64, count: u32, reason: &str, client_ts_ms: Option<f64>) -> Event {
    let mut msg = json!({"type": "Connect", "sessionId": "4a1d8a2e-0000-4000-8000-000000000000",
                         "connectionCount": count, "lastCloseReason": reason});
    if let Some(ts) = client_ts_ms {
        msg["clientTs"] = json!(ts as u64);
    }
    send(socket, time, msg)
}

fn authenticate(socket: &str, time: f64, value: &str) -> Event {
    send(
        socket,
        time,
        json!({"type": "Authenticate", "tokenType": "User", "value": value, "baseVersion": 0}),
    )
}

fn add_query(socket: &str, time: f64) -> Event {
    send(
        socket,
        time,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
               "modifications": [{"type": "Add", "queryId": 0, "udfPath": "messages:list", "args": [{}]}]}),
    )
}

fn transition(
    socket: &str,
    time: f64,
    identity: (u64, u64),
    modifications: Value,
    skew: Option<f64>,
) -> Event {
    let mut msg = json!({"type": "Transition",
        "startVersion": {"querySet": 0, "identity": identity.0, "ts": "AAAAAAAAAAA="},
        "endVersion": {"querySet": 1, "identity": identity.1, "ts": "AAAAAAAAAAA="},
        "modifications": modifications});
    if let Some(s) = skew {
        msg["clientClockSkew"] = json!(s);
    }
    recv(socket, time, msg)
}

fn logged(lines: &[&str]) -> Value {
    json!([{"type": "QueryUpdated", "queryId": 0, "value": [], "logLines": lines, "journal": null}])
}

fn close(socket: &str, time: f64) -> Event {
    Event::WsClose {
        socket: socket.into(),
        url: WS.into(),
        time,
        reason: None,
    }
}

fn http(time: f64, authorization: &str, status: u16, body: &str) -> Event {
    Event::Http(HttpExchange {
        url: "https://happy-otter-123.convex.cloud/api/query".into(),
        method: "POST".into(),
        time,
        request_headers: vec![("Authorization".into(), authorization.into())],
        request_body: Some(
            r#"{"path":"messages:list","format":"convex_encoded_json","args":[{}]}"#.into(),
        ),
        status,
        response_headers: vec![("Content-Type".into(), "application/json".into())],
        response_body: Some(body.into()),
    })
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

fn find(r: &Report, code: Code) -> Option<&convex_auth_doctor::findings::Finding> {
    r.findings.iter().find(|f| f.code == code)
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn status(r: &Report, step: u8) -> Status {
    r.steps
        .iter()
        .find(|s| s.step == step)
        .map(|s| s.status)
        .unwrap_or(Status::Unknown)
}

const S1: &str = "socket-1";
const S2: &str = "socket-2";
const S3: &str = "socket-3";

fn ws_session(value: &str) -> Vec<Event> {
    vec![
        connect(S1, T, 0, "InitialConnect", Some(T * 1000.0)),
        authenticate(S1, T + 0.1, value),
    ]
}

#[test]
fn a_captured_token_with_wrapping_is_refused_a_pasted_one_is_not() {
    let token = good();
    for (value, named) in [
        (format!("\"{token}\""), "quotes"),
        (format!("Bearer {token}"), "Bearer"),
        (format!("{token}\n"), "whitespace"),
        (format!(" {token}"), "whitespace"),
        (format!("{token}."), "trailing `.`"),
        (format!("{}\n{}", &token[..40], &token[40..]), "inside"),
    ] {
        let r = run(ws_session(&value), None);
        let f =
            find(&r, Code::TokenWrapped).unwrap_or_else(|| panic!("{value:?}: {:?}", codes(&r)));
        assert_eq!(f.severity, Severity::Fail);
        assert!(f.message.contains(named), "{named}: {}", f.message);
        assert_eq!(status(&r, 2), Status::Fail);
        // The claims are still shown: the token is read leniently for display.
        assert_eq!(r.tokens.len(), 1, "{value:?}");
    }
    // Sent clean: nothing.
    let r = run(ws_session(&token), None);
    assert!(find(&r, Code::TokenWrapped).is_none(), "{:?}", codes(&r));
    // Pasted with quotes and a Bearer prefix: the doctor reads what was meant.
    let mut s = Session::new();
    s.add_input_token(&format!("Bearer \"{token}\"\n"), T);
    let r = s.report();
    assert!(find(&r, Code::TokenWrapped).is_none(), "{:?}", codes(&r));
    assert!(find(&r, Code::TokenWellFormed).is_some());
}

#[test]
fn http_tokens_are_read_as_the_backend_extracts_them() {
    let token = good();
    let ok = r#"{"status":"success","value":[],"logLines":[]}"#;
    // authentication/src/lib.rs:110-117: `bearer ` in any case, the rest trimmed: accepted.
    for header in [
        format!("Bearer {token}"),
        format!("bearer   {token}  "),
        format!("BEARER {token}"),
    ] {
        let r = run(vec![http(T, &header, 200, ok)], None);
        assert!(
            find(&r, Code::TokenBadScheme).is_none(),
            "{header:?}: {:?}",
            codes(&r)
        );
        assert!(
            find(&r, Code::TokenWrapped).is_none(),
            "{header:?}: {:?}",
            codes(&r)
        );
        assert!(
            find(&r, Code::AuthConfirmed).is_some(),
            "{header:?}: {:?}",
            codes(&r)
        );
    }
    // What the trim leaves: quotes, a second Bearer.
    for header in [
        format!("Bearer \"{token}\""),
        format!("Bearer Bearer {token}"),
    ] {
        let r = run(
            vec![http(
                T,
                &header,
                401,
                r#"{"code":"InvalidAuthHeader","message":"Could not parse JWT payload."}"#,
            )],
            None,
        );
        assert!(
            find(&r, Code::TokenWrapped).is_some(),
            "{header:?}: {:?}",
            codes(&r)
        );
    }
    // Another scheme: 400 InvalidAdminKey (local_backend/src/authentication.rs:51-81).
    let r = run(
        vec![http(
            T,
            &format!("Token {token}"),
            400,
            r#"{"code":"InvalidAdminKey","message":"Invalid admin key"}"#,
        )],
        None,
    );
    assert!(find(&r, Code::TokenBadScheme).is_some(), "{:?}", codes(&r));
}

#[test]
fn a_function_error_answered_200_still_confirms_the_token() {
    // local_backend/src/public_api.rs: function errors answer 200 {"status":"error"} on the open-source backend.
    let body = r#"{"status":"error","errorMessage":"Uncaught Error: boom","logLines":[]}"#;
    let r = run(
        vec![http(T, &format!("Bearer {}", good()), 200, body)],
        None,
    );
    assert!(find(&r, Code::AuthConfirmed).is_some(), "{:?}", codes(&r));
    assert!(find(&r, Code::AuthRejected).is_none(), "{:?}", codes(&r));
}

/// The socket closes 1011 InternalServerError after every Authenticate: the next Connect names the reason.
fn internal_error_loop(token: &str) -> Vec<Event> {
    vec![
        connect(S1, T, 0, "InitialConnect", None),
        authenticate(S1, T + 0.1, token),
        close(S1, T + 0.3),
        connect(S2, T + 1.3, 1, "InternalServerError", None),
        authenticate(S2, T + 1.4, token),
        close(S2, T + 1.6),
        connect(S3, T + 3.6, 2, "InternalServerError", None),
        authenticate(S3, T + 3.7, token),
    ]
}

#[test]
fn internal_error_closes_after_authenticate_name_the_scheme_less_issuer() {
    let token = jwt("issuer.example.test", T + 3600.0);
    let r = run(internal_error_loop(&token), None);
    let f = find(&r, Code::AuthInternalError).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(f.severity, Severity::Fail);
    assert!(f.message.contains("issuer.example.test"), "{}", f.message);
    assert_eq!(f.evidence.get("internal_errors"), Some(&json!(2)));
    // No configuration is known, yet only the OIDC path fails this way: the step-2 finding is a failure.
    let iss = find(&r, Code::TokenIssNoScheme).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(iss.severity, Severity::Fail);
    assert_eq!(r.cause_step, Some(2));
    assert!(find(&r, Code::AuthRejected).is_none());
}

#[test]
fn one_internal_error_before_a_confirmation_is_a_restart_not_a_verdict() {
    let token = good();
    let mut events = internal_error_loop(&token);
    events.push(transition(S3, T + 4.0, (0, 1), json!([]), None));
    let r = run(events, None);
    assert!(
        find(&r, Code::AuthInternalError).is_none(),
        "{:?}",
        codes(&r)
    );
    assert!(find(&r, Code::AuthConfirmed).is_some(), "{:?}", codes(&r));
    // And an InternalServerError with no token sent is not about auth.
    let r = run(
        vec![
            connect(S1, T, 0, "InitialConnect", None),
            close(S1, T + 0.2),
            connect(S2, T + 1.0, 1, "InternalServerError", None),
        ],
        None,
    );
    assert!(
        find(&r, Code::AuthInternalError).is_none(),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn http_500_with_a_token_is_an_internal_error_not_a_refusal() {
    let body = r#"{"code":"InternalServerError","message":"Your request couldn't be completed. Try again later."}"#;
    let token = jwt("issuer.example.test", T + 3600.0);
    let r = run(vec![http(T, &format!("Bearer {token}"), 500, body)], None);
    let f = find(&r, Code::AuthInternalError).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(f.message.contains("500"), "{}", f.message);
    assert!(find(&r, Code::AuthRejected).is_none(), "{:?}", codes(&r));
}

#[test]
fn a_query_that_ran_before_the_token_was_confirmed_is_the_identity_race() {
    let token = good();
    let identity = "[LOG] 'server identity' { tokenIdentifier: 'https://issuer.example.test|user_1', issuer: 'https://issuer.example.test', subject: 'user_1' }";
    let base = vec![
        connect(S1, T, 0, "InitialConnect", None),
        add_query(S1, T + 0.05),
        transition(
            S1,
            T + 0.2,
            (0, 0),
            logged(&["[LOG] 'server identity' null"]),
            None,
        ),
        authenticate(S1, T + 0.5, &token),
    ];
    // The confirming Transition re-runs the query with the identity.
    let mut with_identity = base.clone();
    with_identity.push(transition(S1, T + 0.8, (0, 1), logged(&[identity]), None));
    let r = run(with_identity, None);
    let f = find(&r, Code::IdentityNullBeforeAuth).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(f.severity, Severity::Warn);
    assert!(f.message.contains("messages:list"), "{}", f.message);
    assert!(
        f.message.contains("<Authenticated>") && f.message.contains("skip"),
        "{}",
        f.message
    );
    assert!(
        find(&r, Code::IdentityLoggedNull).is_none(),
        "{:?}",
        codes(&r)
    );
    // The backend sees the user: step 1 only warns (the spec's severity), and nothing breaks.
    assert_eq!(status(&r, 1), Status::Warn);
    assert_eq!(r.cause_step, None);

    // The confirming Transition carries nothing: the re-run with the identity gave the same result and the same
    // null line (the backend sends only changed results, convex-backend `crates/sync/src/state.rs:454-483`), so the
    // null is real, not a race.
    let mut empty = base.clone();
    empty.push(transition(S1, T + 0.8, (0, 1), json!([]), None));
    let r = run(empty, None);
    assert!(
        find(&r, Code::IdentityNullBeforeAuth).is_none(),
        "{:?}",
        codes(&r)
    );
    assert!(find(&r, Code::AuthConfirmed).is_some(), "{:?}", codes(&r));
    assert!(
        find(&r, Code::IdentityLoggedNull).is_some(),
        "{:?}",
        codes(&r)
    );

    // A failure before the confirmation that the confirming Transition replaces is the same race, whatever the
    // app's words (here German: no English phrase to match).
    let failed = |message: &str, replaced: bool| {
        let after = if replaced {
            json!([{"type": "QueryUpdated", "queryId": 0, "value": [], "logLines": [], "journal": null}])
        } else {
            json!([])
        };
        vec![
            connect(S1, T, 0, "InitialConnect", None),
            add_query(S1, T + 0.05),
            transition(
                S1,
                T + 0.2,
                (0, 0),
                json!([{"type": "QueryFailed", "queryId": 0, "errorMessage": message, "logLines": [], "journal": null}]),
                None,
            ),
            authenticate(S1, T + 0.5, &token),
            transition(S1, T + 0.8, (0, 1), after, None),
        ]
    };
    for message in [
        "Uncaught Error: Not authenticated",
        "Uncaught ConvexError: Bitte zuerst anmelden",
    ] {
        let r = run(failed(message, true), None);
        let f = find(&r, Code::IdentityNullBeforeAuth)
            .unwrap_or_else(|| panic!("{message}: {:?}", codes(&r)));
        assert!(f.message.contains(message), "{}", f.message);
        // Not replaced: the query failed the same way with the user, so its failure is not the race.
        let r = run(failed(message, false), None);
        assert!(
            find(&r, Code::IdentityNullBeforeAuth).is_none(),
            "{message}: {:?}",
            codes(&r)
        );
    }

    // Negative: null after the token was confirmed is a real identity.logged_null.
    let after = vec![
        connect(S1, T, 0, "InitialConnect", None),
        add_query(S1, T + 0.05),
        authenticate(S1, T + 0.5, &token),
        transition(S1, T + 0.8, (0, 1), json!([]), None),
        transition(
            S1,
            T + 2.0,
            (1, 1),
            logged(&["[LOG] 'server identity' null"]),
            None,
        ),
    ];
    let r = run(after, None);
    assert!(
        find(&r, Code::IdentityNullBeforeAuth).is_none(),
        "{:?}",
        codes(&r)
    );
    assert!(
        find(&r, Code::IdentityLoggedNull).is_some(),
        "{:?}",
        codes(&r)
    );
    // Negative: a null with a token that was never confirmed is not a race.
    let r = run(base, None);
    assert!(
        find(&r, Code::IdentityNullBeforeAuth).is_none(),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_refresh_confirmed_by_an_empty_transition_is_recognised() {
    // sync/src/state.rs:454-483: the same user after a refresh gives identical results, so no QueryUpdated.
    let first = good();
    let second = jwt(ISS, T + 7200.0);
    let r = run(
        vec![
            connect(S1, T, 0, "InitialConnect", None),
            authenticate(S1, T + 0.1, &first),
            transition(S1, T + 0.3, (0, 1), json!([]), None),
            authenticate(S1, T + 3000.0, &second),
            transition(S1, T + 3000.2, (1, 2), json!([]), None),
        ],
        None,
    );
    assert!(
        r.tokens.iter().all(|t| t.outcome == "accepted"),
        "{:?}",
        r.tokens.iter().map(|t| t.outcome).collect::<Vec<_>>()
    );
    assert!(find(&r, Code::AuthConfirmed).is_some());
}

#[test]
fn client_clock_skew_alone_is_not_a_clock_offset() {
    // The page is 30 s old when the client first reads the clock: clientTs runs 30 s ahead of the wall clock,
    // and the server (on the same clock) answers clientClockSkew = +30 000 ms (sync/src/worker.rs:613-616).
    let age = 30_000.0;
    let token = jwt(ISS, T + 10.0); // expires 10 s after it is sent
    let events = vec![
        connect(S1, T, 0, "InitialConnect", Some(T * 1000.0 + age)),
        authenticate(S1, T + 0.1, &token),
        transition(S1, T + 0.3, (0, 1), json!([]), Some(age)),
    ];
    let r = run(events, None);
    assert!(find(&r, Code::ClockSkew).is_none(), "{:?}", codes(&r));
    assert!(find(&r, Code::TokenExpired).is_none(), "{:?}", codes(&r));

    // Without the Connect's clientTs the skew says nothing at all.
    let events = vec![
        connect(S1, T, 0, "InitialConnect", None),
        authenticate(S1, T + 0.1, &token),
        transition(S1, T + 0.3, (0, 1), json!([]), Some(-60_000.0)),
    ];
    let r = run(events, None);
    assert!(find(&r, Code::ClockSkew).is_none(), "{:?}", codes(&r));
}

#[test]
fn a_real_skew_shows_once_the_page_age_is_taken_out() {
    // Same 30 s-old page, but the server's clock is 60 s ahead: skew = clientTs − serverReceive = 30 − 60 s.
    let age = 30_000.0;
    let token = jwt(ISS, T + 30.0);
    let events = vec![
        connect(S1, T, 0, "InitialConnect", Some(T * 1000.0 + age)),
        authenticate(S1, T + 0.1, &token),
        transition(S1, T + 0.3, (0, 0), json!([]), Some(age - 60_000.0)),
    ];
    let r = run(events, None);
    let f = find(&r, Code::ClockSkew).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    let offset = f.evidence["server_minus_local_seconds"].as_f64().unwrap();
    assert!((offset - 60.0).abs() < 1.0, "{offset}");
    assert!(f.message.contains("behind"), "{}", f.message);
    // Judged on the server's clock, the token sent 30 s before its exp had expired 30 s earlier for the backend.
    let expired = find(&r, Code::TokenExpired).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(expired.severity, Severity::Fail);
}

fn auth_error(socket: &str, time: f64, error: &str, attempted: bool) -> Event {
    recv(
        socket,
        time,
        json!({"type": "AuthError", "error": error, "baseVersion": 0, "authUpdateAttempted": attempted}),
    )
}

#[test]
fn the_custom_jwt_claim_text_names_sub_and_exp() {
    // authentication/src/lib.rs:379-385: the only text a customJwt token without sub or exp gets.
    let text = "Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration.";
    let mut events = ws_session(&good());
    events.push(auth_error(S1, T + 0.4, text, true));
    let r = run(events, None);
    let f = find(&r, Code::TokenClaimMissing).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(f.severity, Severity::Fail);
    let meaning = f.evidence["meaning"].as_str().unwrap_or_default();
    assert!(
        meaning.contains("`sub`") && meaning.contains("`exp`"),
        "{meaning}"
    );
}

#[test]
fn a_token_without_its_signature_part_is_routed_then_refused() {
    let token = good();
    let two_parts = token
        .rsplit_once('.')
        .map(|(head, _)| head.to_owned())
        .unwrap_or_default();
    let r = run(ws_session(&two_parts), None);
    let f = find(&r, Code::TokenMalformed).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(
        f.message.contains("Could not parse as OIDC ID token"),
        "{}",
        f.message
    );
    assert!(f.message.contains("customJwt"), "{}", f.message);
}

#[test]
fn expiry_in_session_says_there_is_no_timer_and_admin_keys_are_checked() {
    let mut events = ws_session(&good());
    events.push(transition(S1, T + 0.3, (0, 1), json!([]), None));
    events.push(auth_error(
        S1,
        T + 4000.0,
        "Convex token identity expired",
        false,
    ));
    let r = run(events, None);
    let f = find(&r, Code::AuthExpiredInSession).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(f.message.contains("no expiry timer"), "{}", f.message);

    let admin = vec![
        connect(S1, T, 0, "InitialConnect", None),
        send(
            S1,
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "Admin", "value": "prod:x|secret", "baseVersion": 0}),
        ),
    ];
    let r = run(admin, None);
    let f = find(&r, Code::TokenAdmin).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(f.message.contains("BadAdminKey"), "{}", f.message);
    assert!(!r.findings.iter().any(|f| f.message.contains("secret")));
}

#[test]
fn a_custom_jwt_provider_never_blames_the_scheme_less_issuer() {
    // customJwt adds https:// itself (authentication/src/lib.rs:324-331): an internal error there has another cause.
    let config = "export default { providers: [{ type: \"customJwt\", issuer: \"https://issuer.example.test\", jwks: \"https://issuer.example.test/jwks\", algorithm: \"RS256\", applicationID: \"convex\" }] };";
    let token = jwt("issuer.example.test", T + 3600.0);
    let r = run(internal_error_loop(&token), Some(config));
    let f = find(&r, Code::AuthInternalError).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(!f.message.contains("has no `https://`"), "{}", f.message);
    assert!(
        find(&r, Code::TokenIssNoScheme).is_none(),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_discovery_close_without_auth_error_is_transient() {
    // errors/src/lib.rs:676-709: 429/425/421 and 5xx close 1013 with no AuthError; the next Connect names it.
    let events = vec![
        connect(S1, T, 0, "InitialConnect", None),
        authenticate(S1, T + 0.1, &good()),
        close(S1, T + 0.4),
        connect(S2, T + 1.4, 1, "AuthProviderDiscoveryFailed", None),
        authenticate(S2, T + 1.5, &good()),
    ];
    let r = run(events, None);
    let f = find(&r, Code::AuthDiscoveryFailed).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(
        f.message.contains("429") && f.message.contains("1013"),
        "{}",
        f.message
    );
    assert_eq!(f.evidence.get("auth_error"), Some(&json!(false)));
    // With the AuthError the backend sends for a 4xx discovery answer, no such note.
    let events = vec![
        connect(S1, T, 0, "InitialConnect", None),
        authenticate(S1, T + 0.1, &good()),
        auth_error(
            S1,
            T + 0.3,
            "Auth provider discovery of https://issuer.example.test failed: 400 Bad Request",
            true,
        ),
    ];
    let r = run(events, None);
    let f = find(&r, Code::AuthDiscoveryFailed).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(!f.message.contains("No AuthError"), "{}", f.message);
}

#[test]
fn keys_that_verify_a_refused_token_point_at_the_backends_key_cache() {
    let fixtures: Value = serde_json::from_str(include_str!("fixtures/tokens.json")).unwrap();
    let token = fixtures["tokens"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == "rs256_valid"))
        .and_then(|t| t["token"].as_str())
        .unwrap()
        .to_owned();
    let jwks = convex_auth_doctor::verify::Jwks::parse(&fixtures["jwks"].to_string()).unwrap();
    let sent = fixtures["sent_at"].as_f64().unwrap();
    let refused = "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";
    let mut s = Session::new();
    for e in [
        connect(S1, sent, 0, "InitialConnect", None),
        authenticate(S1, sent + 0.1, &token),
        auth_error(S1, sent + 0.3, refused, true),
    ] {
        s.push(e);
    }
    s.set_keys("jwks.json", Some(jwks.clone()), vec![]);
    let r = s.report();
    assert!(find(&r, Code::SignatureValid).is_some(), "{:?}", codes(&r));
    let f = find(&r, Code::AuthRejected).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(f.message.contains("older key set"), "{}", f.message);
    // Refused for another reason (no provider matches): nothing about caches.
    let mut s = Session::new();
    for e in [
        connect(S1, sent, 0, "InitialConnect", None),
        authenticate(S1, sent + 0.1, &token),
        auth_error(
            S1,
            sent + 0.3,
            "No auth provider found matching the given token (no providers configured).",
            true,
        ),
    ] {
        s.push(e);
    }
    s.set_keys("jwks.json", Some(jwks), vec![]);
    let r = s.report();
    assert!(
        r.findings
            .iter()
            .all(|f| !f.message.contains("older key set")),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_token_expired_within_the_leeway_is_refused_at_once_not_during_the_session() {
    // B3: customJwt passes validation within 5 s of exp, then the identity is refused at once (AuthError false).
    let config = "export default { providers: [{ type: \"customJwt\", issuer: \"https://issuer.example.test\", jwks: \"https://issuer.example.test/jwks\", algorithm: \"RS256\", applicationID: \"convex\" }] };";
    let token = jwt(ISS, T - 2.0);
    let events = vec![
        connect(S1, T, 0, "InitialConnect", None),
        authenticate(S1, T + 0.1, &token),
        auth_error(S1, T + 0.2, "Convex token identity expired", false),
    ];
    let r = run(events, Some(config));
    let expired = find(&r, Code::TokenExpired).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(expired.severity, Severity::Fail);
    let f = find(&r, Code::AuthExpiredInSession).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(
        f.message.contains("already expired when it was sent"),
        "{}",
        f.message
    );
    assert_eq!(r.cause_step, Some(2));
}

#[test]
fn a_too_short_authorization_header_is_a_bad_scheme() {
    // local_backend/src/authentication.rs:55-62: fewer than 7 characters → 400 InvalidHeaderFailure.
    let body = r#"{"code":"InvalidHeaderFailure","message":"Invalid authentication header"}"#;
    let r = run(vec![http(T, "Bearer", 400, body)], None);
    assert_eq!(status(&r, 2), Status::Fail);
    assert_eq!(
        convex_auth_doctor::rules::ServerError::classify("Invalid authentication header"),
        convex_auth_doctor::rules::ServerError::BadAuthorizationScheme
    );
}

#[test]
fn the_servers_jwks_parse_text_alone_is_config_jwks_unparseable() {
    // authentication/src/lib.rs:280-289: biscuit refused the customJwt provider's JWKS as a whole.
    let text = "Invalid JWKS response body from 'https://issuer.example.test/jwks'. The response is not valid JSON or doesn't match the expected JWKS format.";
    let mut events = ws_session(&good());
    events.push(auth_error(S1, T + 0.3, text, true));
    let r = run(events, None);
    let f = find(&r, Code::ConfigJwksUnparseable).unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(r.cause_step, Some(3));
    assert!(
        find(&r, Code::AuthDiscoveryFailed).is_none(),
        "{:?}",
        codes(&r)
    );
    // A JWKS that could not be fetched is still a discovery/keys failure, not a parse refusal.
    let mut events = ws_session(&good());
    events.push(auth_error(S1, T + 0.3, "Could not fetch JWKS from URL 'https://issuer.example.test/jwks': HTTP 404 Not Found. Check that the URL is correct and accessible.", true));
    let r = run(events, None);
    assert!(
        find(&r, Code::ConfigJwksUnparseable).is_none(),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn a_resend_delivered_after_its_answer_keeps_the_answer() {
    // The capture can hand frames over late: a refetch Authenticate of the same token processed after the
    // Transition that confirmed it must not make the token "waiting" again.
    let token = good();
    let r = run(
        vec![
            connect(S1, T, 0, "InitialConnect", None),
            authenticate(S1, T + 0.1, &token),
            transition(S1, T + 0.3, (0, 1), json!([]), None),
            transition(S1, T + 0.9, (1, 2), json!([]), None),
            authenticate(S1, T + 0.7, &token),
        ],
        None,
    );
    assert!(find(&r, Code::AuthConfirmed).is_some(), "{:?}", codes(&r));
    assert!(r.tokens.iter().all(|t| t.outcome == "accepted"));
}
