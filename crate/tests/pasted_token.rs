//! A token pasted into the panel (issue 10, item 6): judged as the command line judges one, with the capture's
//! configuration in force (the user's pasted `auth.config.ts`, else the provider list the server printed) and the
//! keys fetched so far; the capture's own session is not changed by it, and input the decoder does not read is
//! refused with the command line's words.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::{Direction, Event};
use convex_auth_doctor::findings::{Code, Status};
use convex_auth_doctor::report::Report;
use convex_auth_doctor::token::{refuse_input, MAX_INPUT_BYTES};
use serde_json::json;

const T: f64 = 1_764_180_000.0;
const WS: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync";
const CLERK: &str = "https://verb-noun-00.clerk.accounts.dev";
const OTHER: &str = "https://other-instance-11.clerk.accounts.dev";
/// The text a development deployment answers a token no provider matches with (sync/src/worker.rs via
/// authentication/src/lib.rs at convex-backend 94a42c3: the provider list is printed on development deployments).
const NO_MATCH: &str = "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=https://verb-noun-00.clerk.accounts.dev, app_id=convex)]";

/// A signature whose base64url text is recognisable in any output.
const SIGNATURE: [u8; 256] = [0xA5; 256];

fn jwt(iss: &str, exp: f64) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
    let payload =
        json!({"iss": iss, "sub": "user_1", "aud": "convex", "iat": T - 60.0, "exp": exp});
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(SIGNATURE)
    )
}

fn frame(time: f64, direction: Direction, msg: serde_json::Value) -> Event {
    Event::WsFrame {
        socket: "socket-1".into(),
        url: WS.into(),
        direction,
        time,
        data: msg.to_string(),
    }
}

/// A capture in which the server refused the app's token and printed its provider list.
fn refused_capture() -> Session {
    let mut s = Session::new();
    let connect = json!({"type": "Connect", "sessionId": "4a1d8a2e-0000-4000-8000-000000000000",
                         "connectionCount": 0, "lastCloseReason": "InitialConnect"});
    s.push(frame(T, Direction::Send, connect));
    let auth = json!({"type": "Authenticate", "tokenType": "User", "value": jwt(OTHER, T + 3600.0), "baseVersion": 0});
    s.push(frame(T + 0.1, Direction::Send, auth));
    let refusal = json!({"type": "AuthError", "error": NO_MATCH, "baseVersion": 0, "authUpdateAttempted": true});
    s.push(frame(T + 0.2, Direction::Receive, refusal));
    s
}

fn pasted(capture: &Session, token: &str, now: f64) -> Report {
    let mut s = capture.for_input();
    s.add_input_token(token, now);
    s.report()
}

fn status(r: &Report, step: u8) -> Status {
    r.steps
        .iter()
        .find(|s| s.step == step)
        .map_or(Status::Unknown, |s| s.status)
}

fn has(r: &Report, code: Code) -> bool {
    r.findings.iter().any(|f| f.code == code)
}

#[test]
fn a_pasted_token_is_judged_against_the_providers_the_server_printed() {
    let capture = refused_capture();
    let good = pasted(&capture, &jwt(CLERK, T + 3600.0), T + 60.0);
    assert_eq!(status(&good, 2), Status::Pass, "{:?}", good.findings);
    assert_eq!(status(&good, 3), Status::Pass, "{:?}", good.findings);
    assert!(
        !has(&good, Code::AuthRejected),
        "the capture's refusal is not the pasted token's"
    );

    let other = pasted(&capture, &jwt(OTHER, T + 3600.0), T + 60.0);
    assert_eq!(status(&other, 3), Status::Fail);
    assert!(
        has(&other, Code::ConfigIssuerMismatch),
        "{:?}",
        other.findings
    );
}

#[test]
fn the_pasted_configuration_wins_and_the_capture_is_left_as_it_was() {
    let mut capture = refused_capture();
    // The user's configuration names the other instance: the pasted token is judged against it, not the server's.
    let config = format!(
        "export default {{ providers: [{{ domain: \"{OTHER}\", applicationID: \"convex\" }}] }};"
    );
    capture
        .set_config_source(&config, &Env::default())
        .expect("config parses");
    let before = serde_json::to_string(&capture.report()).unwrap();
    let r = pasted(&capture, &jwt(OTHER, T + 3600.0), T + 60.0);
    assert_eq!(status(&r, 3), Status::Pass, "{:?}", r.findings);
    let r = pasted(&capture, &jwt(CLERK, T + 3600.0), T + 60.0);
    assert_eq!(status(&r, 3), Status::Fail);
    assert_eq!(serde_json::to_string(&capture.report()).unwrap(), before);
    assert_eq!(
        capture.evidence().tokens().len(),
        1,
        "the pasted tokens never join the capture"
    );
}

#[test]
fn a_pasted_token_is_judged_at_the_time_given() {
    let capture = Session::new();
    let r = pasted(&capture, &jwt(CLERK, T + 3600.0), T + 7200.0);
    assert!(has(&r, Code::TokenExpired), "{:?}", r.findings);
    assert_eq!(status(&r, 2), Status::Fail);
}

#[test]
fn the_report_of_a_pasted_token_holds_neither_the_token_nor_its_signature() {
    let token = jwt(CLERK, T + 3600.0);
    let r = pasted(&refused_capture(), &token, T);
    let text = serde_json::to_string(&r).unwrap();
    let signature = URL_SAFE_NO_PAD.encode(SIGNATURE);
    assert!(!text.contains(&token));
    assert!(!text.contains(&signature[..40]), "the signature leaked");
    let md = convex_auth_doctor::render::markdown(&r);
    assert!(!md.contains(&signature[..40]));
}

#[test]
fn empty_and_oversized_input_is_refused_with_the_command_line_words() {
    assert_eq!(refuse_input("").as_deref(), Some("no token given"));
    assert_eq!(refuse_input(" \n\t ").as_deref(), Some("no token given"));
    assert_eq!(
        refuse_input("not a token"),
        None,
        "garbage is judged: the report says what it is"
    );
    assert_eq!(refuse_input(&"a".repeat(MAX_INPUT_BYTES)), None);
    let big = "a".repeat(1_000_000);
    assert_eq!(
        refuse_input(&big).as_deref(),
        Some(
            format!("the token is 1000000 bytes, longer than {MAX_INPUT_BYTES} bytes: not judged")
                .as_str()
        )
    );
}
