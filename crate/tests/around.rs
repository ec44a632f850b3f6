//! Issue 13: what the traffic around the Convex API says — token requests to Clerk and better-auth, Convex Auth's
//! sign-in, HTTP actions, SSR cookies, a token accepted but unused. Events shaped as the extension hands them over
//! (`extension/devtools.js`) and as real Chrome captured them (`fixtures/har/chrome-*.har`, from the end-to-end
//! runs with `E2E_SAVE_HAR=1`).

use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::event::{Direction, Event, HttpExchange};
use convex_auth_doctor::findings::{Code, Severity};
use convex_auth_doctor::render;
use convex_auth_doctor::report::Report;
use convex_auth_doctor::traffic::har::read_har;
use serde_json::{json, Value};

const T: f64 = 1_764_180_000.0;
const WS: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync";
const DEPLOYMENT: &str = "https://happy-otter-123.convex.cloud";

fn token(name: &str) -> String {
    let v: Value =
        serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixture JSON");
    v["tokens"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .and_then(|t| t["token"].as_str())
        .unwrap_or_else(|| panic!("no fixture token {name}"))
        .to_owned()
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

fn send(time: f64, msg: Value) -> Event {
    frame("s1", Direction::Send, time, msg)
}

fn recv(time: f64, msg: Value) -> Event {
    frame("s1", Direction::Receive, time, msg)
}

const TS: &str = "AAAAAAAAAAA=";

fn connect(socket: &str, time: f64) -> Event {
    frame(
        socket,
        Direction::Send,
        time,
        json!({"type": "Connect", "sessionId": "4a1d8a2e-0000-4000-8000-000000000000", "connectionCount": 0,
               "lastCloseReason": "InitialConnect", "clientTs": (time * 1000.0) as u64}),
    )
}

fn subscribe(socket: &str, time: f64) -> Event {
    frame(
        socket,
        Direction::Send,
        time,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
               "modifications": [{"type": "Add", "queryId": 0, "udfPath": "messages:whoami", "args": [{}]}]}),
    )
}

fn transition(socket: &str, time: f64, identity: (u64, u64), log: Option<&str>) -> Event {
    let logs: Vec<&str> = log.into_iter().collect();
    frame(
        socket,
        Direction::Receive,
        time,
        json!({"type": "Transition",
               "startVersion": {"querySet": 0, "identity": identity.0, "ts": TS},
               "endVersion": {"querySet": 1, "identity": identity.1, "ts": TS},
               "modifications": [{"type": "QueryUpdated", "queryId": 0, "value": null, "logLines": logs, "journal": null}]}),
    )
}

fn http(url: &str, method: &str, time: f64, status: u16, body: Option<&str>) -> Event {
    Event::Http(HttpExchange {
        url: url.into(),
        method: method.into(),
        time,
        status,
        response_body: body.map(Into::into),
        ..Default::default()
    })
}

fn report(events: Vec<Event>) -> Report {
    let mut s = Session::new();
    for e in events {
        s.push(e);
    }
    s.report()
}

fn finding(r: &Report, code: Code) -> Option<&convex_auth_doctor::findings::Finding> {
    r.findings.iter().find(|f| f.code == code)
}

const NULL_LINE: &str = "[LOG] 'server identity' null";

/// A signed-in Clerk session whose `convex` template does not exist: clerk-js's POST answers 404, the Convex client
/// gets null and never authenticates. The cause is the template, not the wiring.
#[test]
fn clerk_404_for_the_template_is_the_cause_behind_token_absent() {
    let r = report(vec![
        http(
            "https://clerk.example.com/v1/client/sessions/sess_2a/tokens/convex?_clerk_js_version=5.1.0",
            "POST",
            T,
            404,
            Some(r#"{"errors":[{"message":"Not Found","long_message":"No JWT template exists with name: convex","code":"resource_not_found"}]}"#),
        ),
        connect("s1", T + 0.1),
        subscribe("s1", T + 0.2),
        transition("s1", T + 0.3, (0, 0), Some(NULL_LINE)),
    ]);
    let f = finding(&r, Code::MintTemplateMissing).expect("mint.template_missing");
    assert_eq!(f.evidence["template"], "convex");
    assert_eq!(
        f.evidence["provider_request"]["error"],
        "No JWT template exists with name: convex (resource_not_found)"
    );
    assert_eq!(r.cause_step, Some(2));
    assert!(
        r.verdict.contains("no JWT template named \"convex\""),
        "{}",
        r.verdict
    );
    let absent = finding(&r, Code::TokenAbsent).expect("token.absent");
    assert_eq!(absent.causes, vec![f.message.clone()]);
}

/// Convex Auth's `auth:signIn` over the socket fails with the development deployment's text.
#[test]
fn convex_auth_sign_in_error_names_the_missing_key() {
    let r = report(vec![
        connect("s1", T),
        subscribe("s1", T + 0.1),
        transition("s1", T + 0.2, (0, 0), Some(NULL_LINE)),
        send(
            T + 1.0,
            json!({"type": "Action", "requestId": 7, "udfPath": "auth:signIn", "args": [{}]}),
        ),
        recv(
            T + 1.2,
            json!({"type": "ActionResponse", "requestId": 7, "success": false,
                   "result": "Uncaught Error: Missing environment variable `JWT_PRIVATE_KEY`\n    at requireEnv (../../node_modules/@convex-dev/auth/src/server/utils.ts:4:10)",
                   "logLines": []}),
        ),
    ]);
    let f = finding(&r, Code::MintSigninFailed).expect("mint.signin_failed");
    assert!(
        f.message
            .contains("Missing environment variable `JWT_PRIVATE_KEY`"),
        "{}",
        f.message
    );
    assert!(f.evidence["meaning"]
        .as_str()
        .unwrap_or("")
        .contains("npx @convex-dev/auth"));
    assert_eq!(r.cause_step, Some(2));
}

/// After a mid-session expiry the client reconnects without a token, right after the provider's refresh failed.
#[test]
fn expiry_then_failed_refresh_then_unauthenticated_reconnect() {
    let t = token("rs256_valid");
    let mut events = vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": t, "baseVersion": 0}),
        ),
        subscribe("s1", T + 0.2),
        transition("s1", T + 0.3, (0, 1), None),
        recv(
            T + 60.0,
            json!({"type": "AuthError", "error": "Convex token identity expired", "baseVersion": 1, "authUpdateAttempted": false}),
        ),
        http(
            "https://app.example.com/api/auth/convex/token",
            "GET",
            T + 60.1,
            503,
            Some(r#"{"code":"SERVICE_UNAVAILABLE","message":"timeout"}"#),
        ),
        connect("s2", T + 60.5),
        subscribe("s2", T + 60.6),
        transition("s2", T + 60.7, (0, 0), Some(NULL_LINE)),
    ];
    let r = report(events.clone());
    let f = finding(&r, Code::RefreshProviderFailed).expect("refresh.provider_failed");
    assert_eq!(f.evidence["provider_request"]["status"], 503);
    assert_eq!(
        f.evidence["cleared_how"],
        "reconnected and subscribed its queries without any token"
    );
    assert_eq!(r.cause_step, Some(2));
    // A sign-out in between: the user left, nothing failed.
    events.insert(
        6,
        http(
            "https://app.example.com/api/auth/sign-out",
            "POST",
            T + 60.2,
            200,
            Some("{}"),
        ),
    );
    let r = report(events);
    assert!(finding(&r, Code::RefreshProviderFailed).is_none());
    assert!(finding(&r, Code::RefreshCleared).is_none());
}

/// The same token re-sent after the backend said it expired.
#[test]
fn identical_token_resent_after_expiry() {
    let t = token("rs256_valid");
    let auth = |time: f64| {
        send(
            time,
            json!({"type": "Authenticate", "tokenType": "User", "value": t, "baseVersion": 0}),
        )
    };
    let r = report(vec![
        connect("s1", T),
        auth(T + 0.1),
        transition("s1", T + 0.3, (0, 1), None),
        recv(
            T + 60.0,
            json!({"type": "AuthError", "error": "Convex token identity expired", "baseVersion": 1, "authUpdateAttempted": false}),
        ),
        auth(T + 61.0),
    ]);
    let f = finding(&r, Code::RefreshSameToken).expect("refresh.same_token");
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(f.evidence["resent_at"], json!(T + 61.0));
}

/// A refusal for a configuration fault followed by the client giving up is not a refresh failure.
#[test]
fn giving_up_after_a_config_refusal_is_not_a_refresh_failure() {
    let t = token("rs256_valid");
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": t, "baseVersion": 0}),
        ),
        recv(
            T + 0.2,
            json!({"type": "AuthError", "error": "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.", "baseVersion": 0, "authUpdateAttempted": true}),
        ),
        connect("s2", T + 1.0),
        subscribe("s2", T + 1.1),
    ]);
    for code in [
        Code::RefreshCleared,
        Code::RefreshProviderFailed,
        Code::RefreshSameToken,
    ] {
        assert!(finding(&r, code).is_none(), "{code:?}");
    }
}

/// HTTP actions: a call with an expired token answered 500 is judged with step 2's rules; a call without a token
/// while the page has one is named; a preflight that refuses Authorization is a CORS block.
#[test]
fn http_actions_are_judged() {
    let good = token("rs256_valid");
    let expired = token("rs256_expired");
    let mut with_token = HttpExchange {
        url: "https://happy-otter-123.convex.site/stream".into(),
        method: "POST".into(),
        time: T + 5.0,
        status: 500,
        request_headers: vec![("Authorization".into(), format!("Bearer {expired}"))],
        ..Default::default()
    };
    let preflight = HttpExchange {
        url: "https://happy-otter-123.convex.site/stream".into(),
        method: "OPTIONS".into(),
        time: T + 4.9,
        status: 404,
        request_headers: vec![
            ("Access-Control-Request-Method".into(), "POST".into()),
            (
                "Access-Control-Request-Headers".into(),
                "authorization,content-type".into(),
            ),
        ],
        ..Default::default()
    };
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        transition("s1", T + 0.3, (0, 1), None),
        Event::Http(preflight),
        Event::Http(with_token.clone()),
        http(
            &format!("{DEPLOYMENT}/http/whoami"),
            "GET",
            T + 6.0,
            401,
            Some("Unauthorized"),
        ),
    ]);
    let refused = finding(&r, Code::HttpActionRefused).expect("http_action.refused");
    let problems = refused.evidence["token_problems"].to_string();
    assert!(problems.contains("token.expired"), "{problems}");
    assert_eq!(refused.evidence["same_as_socket_token"], false);
    let cors = finding(&r, Code::HttpActionCorsBlocked).expect("cors");
    assert!(cors.message.contains("answered 404"), "{}", cors.message);
    let bare = finding(&r, Code::HttpActionNoBearer).expect("no bearer");
    assert_eq!(bare.severity, Severity::Fail);
    assert_eq!(
        bare.evidence["endpoint"],
        format!("{DEPLOYMENT}/http/whoami")
    );
    // The HTTP action's token is not one the client authenticates with: the socket's verdict stands.
    assert!(finding(&r, Code::AuthConfirmed).is_some());
    assert!(finding(&r, Code::TokenExpired).is_none());
    // `/http/` on a host that is no deployment is not an HTTP action.
    with_token.url = "https://elsewhere.example.com/http/whoami".into();
    let r = report(vec![connect("s1", T), Event::Http(with_token)]);
    assert!(finding(&r, Code::HttpActionRefused).is_none());
}

/// The cookie a server reads: judged, never shown. Its value is in no output.
#[test]
fn ssr_cookie_is_judged_and_never_shown() {
    let expired = token("rs256_expired");
    let good = token("rs256_valid");
    let cookie = HttpExchange {
        url: "https://app.example.com/dashboard".into(),
        method: "GET".into(),
        time: T + 2.0,
        status: 200,
        request_headers: vec![(
            "Cookie".into(),
            format!("theme=dark; __Host-__convexAuthJWT={expired}; __Host-__convexAuthRefreshToken=r1|x"),
        )],
        ..Default::default()
    };
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        transition("s1", T + 0.3, (0, 1), None),
        Event::Http(cookie),
    ]);
    let f = finding(&r, Code::CookieTokenExpired).expect("cookie.token_expired");
    assert_eq!(f.evidence["cookie"], "__Host-__convexAuthJWT");
    let json = serde_json::to_string(&r).expect("json");
    let markdown = render::markdown(&r);
    let text = render::text(&r);
    let signature = expired.rsplit('.').next().unwrap_or_default();
    for out in [&json, &markdown, &text] {
        assert!(
            !out.contains(&expired) && !out.contains(signature),
            "the cookie's token leaked"
        );
        assert!(!out.contains("r1|x"), "the refresh cookie leaked");
    }
    // A session marker without the token cookie: the server has nothing to send.
    let marker = HttpExchange {
        url: "https://app.example.com/".into(),
        time: T,
        request_headers: vec![("Cookie".into(), "better-auth.session_token=abc.def".into())],
        ..Default::default()
    };
    let r = report(vec![connect("s1", T), Event::Http(marker)]);
    let f = finding(&r, Code::CookieTokenAbsent).expect("cookie.token_absent");
    assert_eq!(f.evidence["expected_cookie"], "better-auth.convex_jwt");
    // Clerk's signed-out marker is no session.
    let signed_out = HttpExchange {
        url: "https://app.example.com/".into(),
        time: T,
        request_headers: vec![("Cookie".into(), "__client_uat=0".into())],
        ..Default::default()
    };
    let r = report(vec![connect("s1", T), Event::Http(signed_out)]);
    assert!(finding(&r, Code::CookieTokenAbsent).is_none());
}

/// Accepted, then a second socket without the token runs the query: the page is not using its token.
#[test]
fn accepted_but_a_second_client_runs_without_it() {
    let good = token("rs256_valid");
    let identity = "[LOG] 'server identity' { tokenIdentifier: 'https://doctor-fixture.example.com|user_1', issuer: 'https://doctor-fixture.example.com', subject: 'user_1' }";
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        subscribe("s1", T + 0.15),
        transition("s1", T + 0.3, (0, 1), None),
        transition("s1", T + 0.4, (1, 1), Some(identity)),
        connect("s2", T + 2.0),
        subscribe("s2", T + 2.1),
        transition("s2", T + 2.2, (0, 0), Some(NULL_LINE)),
    ]);
    let f = finding(&r, Code::AuthUnused).expect("auth.unused");
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(f.evidence["carrier"], "socket");
    assert_eq!(r.cause_step, Some(1));
    // The client's own refresh after the first confirmation (a fresh token, authenticated again on s1) is confirmed
    // just after s2's first result, as in a real run: s2 still ran without the token the backend had accepted.
    let fresh = token("es256_valid");
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        subscribe("s1", T + 0.15),
        transition("s1", T + 0.3, (0, 1), None),
        transition("s1", T + 0.35, (1, 1), Some(identity)),
        send(
            T + 0.4,
            json!({"type": "Authenticate", "tokenType": "User", "value": fresh, "baseVersion": 1}),
        ),
        connect("s2", T + 0.41),
        subscribe("s2", T + 0.41),
        transition("s2", T + 0.45, (0, 0), Some(NULL_LINE)),
        transition("s1", T + 0.452, (1, 2), None),
    ]);
    let f = finding(&r, Code::AuthUnused).expect("auth.unused with a later re-confirmation");
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(f.evidence["confirmed_at"], T + 0.3);
    assert!(finding(&r, Code::AuthConfirmed).is_some());
    // The page closes before the refreshed token is answered (the stand-in app finishes at once): the first token's
    // acceptance, and the identity it logged, still stand; the latest line is the other client's null.
    let logged = "[LOG] 'server identity' { tokenIdentifier: 'https://doctor-fixture.example.com|user_2fixture', issuer: 'https://doctor-fixture.example.com', subject: 'user_2fixture' }";
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        subscribe("s1", T + 0.15),
        transition("s1", T + 0.3, (0, 1), None),
        transition("s1", T + 0.35, (1, 1), Some(logged)),
        send(
            T + 0.4,
            json!({"type": "Authenticate", "tokenType": "User", "value": fresh, "baseVersion": 1}),
        ),
        connect("s2", T + 0.41),
        subscribe("s2", T + 0.41),
        transition("s2", T + 0.42, (0, 0), Some(NULL_LINE)),
        send(
            T + 0.43,
            json!({"type": "Authenticate", "tokenType": "None", "baseVersion": 2}),
        ),
    ]);
    assert!(finding(&r, Code::AuthUnused).is_some(), "auth.unused");
    let f = finding(&r, Code::AuthConfirmed)
        .expect("auth.confirmed from the identity the backend logged");
    assert_eq!(f.evidence["from"], "the 'server identity' log line");
    assert_eq!(r.cause_step, Some(1));
    // Without that identity line nothing shows the backend took this user's token: no auth.confirmed.
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        send(
            T + 0.4,
            json!({"type": "Authenticate", "tokenType": "User", "value": fresh, "baseVersion": 1}),
        ),
        connect("s2", T + 0.41),
        subscribe("s2", T + 0.41),
        transition("s2", T + 0.42, (0, 0), Some(NULL_LINE)),
    ]);
    assert!(finding(&r, Code::AuthConfirmed).is_none());
    // A null run before any confirmation is not this: the query ran before the token was sent.
    let r = report(vec![
        connect("s2", T),
        subscribe("s2", T + 0.01),
        transition("s2", T + 0.05, (0, 0), Some(NULL_LINE)),
        connect("s1", T + 0.1),
        send(
            T + 0.2,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        transition("s1", T + 0.3, (0, 1), None),
    ]);
    assert!(finding(&r, Code::AuthUnused).is_none());
    // Nothing ran for a while after the acceptance: a warning, not a failure.
    let r = report(vec![
        connect("s1", T),
        send(
            T + 0.1,
            json!({"type": "Authenticate", "tokenType": "User", "value": good, "baseVersion": 0}),
        ),
        transition("s1", T + 0.3, (0, 1), None),
        recv(T + 30.0, json!({"type": "Ping"})),
    ]);
    let f = finding(&r, Code::AuthUnused).expect("auth.unused (nothing ran)");
    assert_eq!(f.severity, Severity::Warn);
}

/// The CLI reads the same from the real Chrome captures of the stand-in scenarios: the around-traffic entries
/// survive the HAR reader (and nothing else of it does).
#[test]
fn chrome_captures_keep_what_around_needs() {
    let cases: &[(&str, Code)] = &[
        (
            "chrome-clerk-template-missing.har",
            Code::MintTemplateMissing,
        ),
        (
            "chrome-better-auth-token-missing.har",
            Code::MintRequestFailed,
        ),
        ("chrome-convex-auth-no-key.har", Code::MintSigninFailed),
        (
            "chrome-refresh-provider-error.har",
            Code::RefreshProviderFailed,
        ),
        ("chrome-refresh-same-token.har", Code::RefreshCleared),
        ("chrome-http-action-cors.har", Code::HttpActionCorsBlocked),
        ("chrome-http-action-no-bearer.har", Code::HttpActionNoBearer),
        ("chrome-ssr-cookie-expired.har", Code::CookieTokenExpired),
        ("chrome-auth-unused-second-client.har", Code::AuthUnused),
    ];
    for (file, code) in cases {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/har")
            .join(file);
        let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut s = Session::new();
        read_har(std::io::BufReader::new(f), &mut |e| s.push(e))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let r = s.report();
        assert!(
            finding(&r, *code).is_some(),
            "{file}: no {code:?} in {:?}",
            r.findings.iter().map(|f| f.code).collect::<Vec<_>>()
        );
    }
}

/// Every same-site request carries the cookie: judged once per value, again once it has expired since.
#[test]
fn a_cookie_is_judged_again_only_when_it_changed_or_expired() {
    let good = token("rs256_valid");
    let request = |time: f64| {
        Event::Http(HttpExchange {
            url: "https://app.example.com/asset.js".into(),
            time,
            status: 200,
            request_headers: vec![("Cookie".into(), format!("__convexAuthJWT={good}"))],
            ..Default::default()
        })
    };
    let mut events = vec![connect("s1", T)];
    events.extend((0..50).map(|i| request(T + f64::from(i))));
    let r = report(events.clone());
    let seen = finding(&r, Code::CookieTokenSeen).expect("cookie.token_seen");
    assert_eq!(seen.evidence["cookie"], "__convexAuthJWT");
    assert!(finding(&r, Code::CookieTokenExpired).is_none());
    events.push(request(T + 100_000.0));
    let r = report(events);
    assert!(finding(&r, Code::CookieTokenExpired).is_some());
    assert!(finding(&r, Code::CookieTokenSeen).is_none());
}

#[test]
fn a_har_s_refused_preflight_to_an_http_action_is_named() {
    // The fixture's browser sent `OPTIONS /http/whoami` (asking for `authorization`), the stand-in answered 404, and
    // the `GET` after it never went out (status 0). The preflight is the cause: the finding names it.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/har/chrome-http-action-cors.har");
    let f = std::fs::File::open(&path).expect("fixture");
    let mut s = Session::new();
    read_har(std::io::BufReader::new(f), &mut |e| s.push(e)).expect("reads");
    let r = s.report();
    let f = finding(&r, Code::HttpActionCorsBlocked).expect("cors finding");
    assert_eq!(
        f.evidence.get("preflight_status"),
        Some(&json!(404)),
        "{}",
        f.message
    );
    assert!(f.message.contains("preflight"), "{}", f.message);
    assert!(finding(&r, Code::HttpActionNoBearer).is_none());
}
