//! The doctor's verdict on a case, through its library API: the token given as input at the case's moment,
//! the case's providers as `auth.config.ts`, and every document the engine asks for served from the case
//! (as the panel does when the user allows signature checks, or the CLI with `--fetch`).

use convex_auth_doctor::analysis::{FetchedDocument, Session};
use convex_auth_doctor::config::Env;
use convex_auth_doctor::findings::Severity;
use convex_auth_doctor::report::Report;

use convex_auth_doctor::event::{Direction, Event, HttpExchange};

use crate::case::{Case, Transport};

/// The deployment the captured frames go to.
const SYNC_URL: &str = "wss://happy-otter-123.convex.cloud/api/1.29.0/sync";
/// The deployment the captured HTTP calls go to.
const HTTP_ORIGIN: &str = "https://happy-otter-123.convex.cloud";

/// What the doctor said. See README.md, "What “the doctor accepts” means".
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// No `fail` finding in steps 2 and 3, and `signature.valid`.
    Accept,
    /// At least one `fail` finding in steps 2 or 3, or one of [`KEY_REFUSALS`] (their codes).
    Refuse(Vec<String>),
    /// Neither: no failure, but the signature was not checked (the codes it gave).
    Undecided(Vec<String>),
}

/// At most this many rounds of document requests (discovery, then JWKS).
const MAX_ROUNDS: usize = 4;

/// Runs the doctor on a case and returns its report.
pub fn report(case: &Case) -> Result<Report, String> {
    let mut session = Session::new();
    session.set_config_source(&case.config_ts, &Env::new())?;
    match case.transport {
        Transport::Input => session.add_input_token(&case.token, case.now as f64),
        Transport::Frame => {
            let frame = |time: f64, data: serde_json::Value| Event::WsFrame {
                socket: "s1".into(),
                url: SYNC_URL.into(),
                direction: Direction::Send,
                time,
                data: data.to_string(),
            };
            let connect = serde_json::json!({
                "type": "Connect", "sessionId": "6f1c2a9e-0000-4000-8000-000000000001",
                "connectionCount": 0, "lastCloseReason": null, "clientTs": case.now * 1000 - 40,
            });
            session.push(frame(case.now as f64 - 0.05, connect));
            let auth = serde_json::json!({
                "type": "Authenticate", "tokenType": "User", "value": case.token, "baseVersion": 0,
            });
            session.push(frame(case.now as f64, auth));
        }
        Transport::Http => {
            // The call as the browser recorded it, with no response yet: the verdict rests on the token alone.
            session.push(Event::Http(HttpExchange {
                url: format!("{HTTP_ORIGIN}/api/query"),
                method: "POST".into(),
                time: case.now as f64,
                request_headers: vec![
                    ("Authorization".into(), case.token.clone()),
                    ("Content-Type".into(), "application/json".into()),
                ],
                request_body: Some(r#"{"path":"messages:list","args":{},"format":"json"}"#.into()),
                status: 0,
                response_headers: Vec::new(),
                response_body: None,
            }));
        }
    }
    for _ in 0..MAX_ROUNDS {
        let requests = session.key_requests();
        if requests.is_empty() {
            break;
        }
        for r in requests {
            // A URL the case does not serve answers 404, as the reference's server does.
            let (status, content_type, body) = match case.docs.get(&r.url) {
                Some(d) => (d.status, d.content_type.as_deref(), d.body.as_str()),
                None => (404, Some("text/plain"), "not found"),
            };
            session.set_fetched(&FetchedDocument {
                url: &r.url,
                purpose: r.purpose,
                issuer: &r.issuer,
                content_type,
                status,
                body,
                fetched_at: case.now as f64,
            });
        }
    }
    Ok(session.report())
}

/// Step-1 codes that state a refusal of the token's keys rather than something seen in traffic: the doctor got
/// the same answer from the identity provider as the backend would and says the backend cannot verify the token.
pub const KEY_REFUSALS: &[&str] = &["auth.discovery_failed"];

/// The verdict read from a report.
pub fn verdict(report: &Report) -> Verdict {
    let failing: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Fail)
        .filter(|f| f.step == 2 || f.step == 3 || KEY_REFUSALS.contains(&f.code.as_str()))
        .map(|f| f.code.as_str().to_owned())
        .collect();
    if !failing.is_empty() {
        return Verdict::Refuse(failing);
    }
    if report
        .findings
        .iter()
        .any(|f| f.code.as_str() == "signature.valid")
    {
        Verdict::Accept
    } else {
        Verdict::Undecided(
            report
                .findings
                .iter()
                .map(|f| format!("{}:{:?}", f.code.as_str(), f.severity).to_lowercase())
                .collect(),
        )
    }
}
