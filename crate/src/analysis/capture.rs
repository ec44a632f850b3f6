//! What a HAR file can show, and the rule that nothing is concluded absent from a file that could not show it.
//!
//! The extension's own capture is complete by construction (it sees every frame and header of the page it
//! watches from the reload on) and carries no [`HarShape`]: none of this applies to it. A HAR file is what one
//! tool chose to write ([`crate::traffic::har`]'s `shape.rs` says which tools drop what). Two kinds of rules:
//! - `capture.*` findings say what the file lacks and how to get a complete one;
//! - `capture.frame_unread` (any capture, the extension's included) names a frame too large to read;
//! - the absence rules withhold `token.absent`, `client.no_traffic` and `identity.no_log` when the file could
//!   not have shown the token, the traffic or the log line, and whenever the backend itself saw a user or
//!   accepted a token (a report must not say both "the backend sees the user" and "no token was sent").

use serde_json::json;

use super::evidence::Evidence;
use crate::event::MAX_FRAME_BYTES;
use crate::findings::{Code, Finding};
use crate::traffic::har::{Exporter, HarShape};

/// How to get the token in without a complete file.
const PASTE: &str =
    "or give the token directly: `convex-auth-doctor token -` (paste it, then Ctrl-D)";

/// Why the file is taken as lacking its credential headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sanitized {
    /// CORS preflights announced an `authorization` header that no request in the file carries.
    Preflight,
    /// The backend saw a user, and the file holds no token.
    BackendSawUser,
    /// A Chrome/Edge export with no credential header anywhere and no preflight to tell: it may be sanitized.
    Possibly,
}

impl Sanitized {
    fn as_str(self) -> &'static str {
        match self {
            Sanitized::Preflight => "CORS preflights announced an Authorization header",
            Sanitized::BackendSawUser => "the backend saw the user",
            Sanitized::Possibly => "a Chrome/Edge export without any credential header",
        }
    }
}

/// What the file read lacks.
#[derive(Debug, Default)]
struct Limits {
    sanitized: Option<Sanitized>,
    /// Socket messages the file cannot show: `Some(true)` when Convex socket entries have none, `Some(false)`
    /// when the exporter writes none (the sockets may not even be listed).
    no_frames: Option<bool>,
    truncated: Option<&'static str>,
    no_bodies: bool,
}

fn limits(ev: &Evidence, shape: &HarShape) -> Limits {
    let exporter = shape.exporter();
    Limits {
        sanitized: sanitized(ev, shape, exporter),
        no_frames: if shape.sockets_without_messages > 0 {
            Some(true)
        } else if exporter.writes_socket_messages() == Some(false)
            && !ev.saw_socket_frames()
            && shape.convex_calls == 0
        {
            // Nothing of Convex in a file from a tool that writes no socket messages (Safari may not even list
            // the socket): an app that talks over its socket would look exactly like this.
            Some(false)
        } else {
            None
        },
        truncated: truncated(shape),
        no_bodies: shape.convex_calls > 0
            && shape.convex_calls_with_body == 0
            && !ev.saw_socket_frames(),
    }
}

/// Whether the Convex HTTP calls' `Authorization` headers may be missing from the file. A file that carries one
/// keeps them; preflights that announce none show the calls carried none (nothing removed).
fn sanitized(ev: &Evidence, shape: &HarShape, exporter: Exporter) -> Option<Sanitized> {
    if shape.convex_calls == 0 || shape.convex_calls_authorized > 0 {
        return None;
    }
    if shape.preflights_announcing_authorization > 0 {
        return Some(Sanitized::Preflight);
    }
    if ev.tokens().is_empty() && ev.backend_saw_user() {
        return Some(Sanitized::BackendSawUser);
    }
    if exporter.may_sanitize() && shape.credential_headers == 0 && shape.convex_preflights == 0 {
        return Some(Sanitized::Possibly);
    }
    None
}

/// What shows the recording began after the app had connected.
fn truncated(shape: &HarShape) -> Option<&'static str> {
    if shape.sockets_joined_late > 0 {
        Some("a Convex socket's first message is not its Connect")
    } else if shape.first_socket_reconnects {
        Some("the first Convex socket in the file is a reconnection (its Connect names an earlier socket's close)")
    } else if shape.page_loads == 0 && shape.convex_sockets == 0 {
        Some("no page load is in the file")
    } else {
        None
    }
}

/// The capture findings, then the absence findings the file cannot support taken out. Called once the other
/// rules have run.
pub(super) fn apply(ev: &Evidence, findings: &mut Vec<Finding>) {
    unread_frames(ev, findings);
    if ev.backend_saw_user() || ev.any_confirmed() {
        // The backend's own word that a token went with the calls outweighs any capture's silence.
        findings.retain(|f| f.code != Code::TokenAbsent);
    }
    let Some(shape) = ev.capture() else { return };
    let limits = limits(ev, shape);
    capture_findings(shape, &limits, findings);
    if !token_absence_provable(ev, shape, &limits) {
        findings.retain(|f| f.code != Code::TokenAbsent);
    }
    if limits.no_frames.is_some() || limits.truncated.is_some() {
        findings.retain(|f| f.code != Code::ClientNoTraffic);
    }
    if limits.no_bodies {
        findings.retain(|f| f.code != Code::IdentityNoLog);
    }
}

/// `capture.frame_unread`: frames over [`MAX_FRAME_BYTES`] reach the engine as their length only. Only a
/// `Transition` gets that large: the backend splits one whose estimated size passes 5,000,000 bytes into
/// `TransitionChunk`s for clients from convex 1.28.0 (convex-backend `crates/local_backend/src/subs/mod.rs:353-415`,
/// `crates/common/src/version.rs:47-54`), but the estimate is a low one and each chunk travels JSON-escaped, and
/// older clients get any size whole; the client sets no limit of its own (`npm-packages/convex/src/browser/sync/
/// web_socket_manager.ts:300-340`, `:436` only measures). So say what was skipped and what it may have held.
fn unread_frames(ev: &Evidence, findings: &mut Vec<Finding>) {
    let (frames, count) = ev.unread_frames();
    let Some(largest) = frames.iter().max_by(|a, b| a.bytes.total_cmp(&b.bytes)) else {
        return;
    };
    let received: Vec<_> = frames.iter().filter(|f| f.received).collect();
    let pending = received.iter().find(|f| f.token_pending);
    let held = match (received.is_empty(), pending) {
        (true, _) => "It was sent by the client (a mutation or action with very large arguments): nothing about authentication.".to_owned(),
        (false, Some(_)) => "It came while the token sent on its socket was waiting for an answer: it may be the Transition that accepted it (an identity change) and may hold query results with their log lines, such as the 'server identity' line. Whether the token was accepted is not known from this capture.".to_owned(),
        (false, None) => "It may hold query results with their log lines, such as the 'server identity' line: the report is judged without them.".to_owned(),
    };
    let mib = |b: f64| format!("{:.1} MiB", b / (1024.0 * 1024.0));
    findings.push(
        Finding::new(
            Code::CaptureFrameUnread,
            format!(
                "{count} WebSocket frame(s) longer than the {} read per frame were skipped unread (the largest {}). {held}",
                mib(MAX_FRAME_BYTES as f64),
                mib(largest.bytes)
            ),
        )
        .with("frames", count)
        .with("largest_bytes", largest.bytes)
        .with("time", largest.time)
        .with("token_pending", pending.is_some()),
    );
}

/// Whether "no token was sent" may be concluded: never when the backend saw a user or accepted a token; from a
/// HAR file, only when it could have shown the token on every way the app talked to Convex.
pub(super) fn may_conclude_no_token(ev: &Evidence) -> bool {
    if ev.backend_saw_user() || ev.any_confirmed() {
        return false;
    }
    match ev.capture() {
        None => true,
        Some(shape) => token_absence_provable(ev, shape, &limits(ev, shape)),
    }
}

fn token_absence_provable(ev: &Evidence, shape: &HarShape, limits: &Limits) -> bool {
    if ev.backend_saw_user() || ev.any_confirmed() {
        return false;
    }
    // Each HTTP call carries its own header: a late start hides only what a socket sent before it.
    let http_only = shape.convex_sockets == 0 && shape.convex_calls > 0;
    limits.sanitized.is_none()
        && limits.no_frames.is_none()
        && (limits.truncated.is_none() || http_only)
}

fn creator(shape: &HarShape) -> String {
    match (&shape.creator, &shape.creator_version) {
        (Some(n), Some(v)) => format!("{n} {v}"),
        (Some(n), None) => n.clone(),
        _ => "unknown".to_owned(),
    }
}

fn capture_findings(shape: &HarShape, limits: &Limits, out: &mut Vec<Finding>) {
    let exporter = shape.exporter();
    if let Some(why) = limits.sanitized {
        let message = match why {
            Sanitized::Preflight => "This HAR file has no Authorization header, yet the browser's CORS preflights announced one: it was exported sanitized (Chrome's default since version 130), so the token sent with the HTTP calls is not in it.",
            Sanitized::BackendSawUser => "The backend saw the user, but this HAR file shows no token: its Authorization headers were removed (Chrome's default export since version 130 is sanitized).",
            Sanitized::Possibly => "This HAR file holds no Authorization, Cookie or Set-Cookie header anywhere, as Chrome's default (sanitized) export since version 130 writes it: whether the HTTP calls carried a token cannot be read from it.",
        };
        out.push(
            Finding::new(Code::CaptureSanitized, message)
                .with("creator", creator(shape))
                .with("from", why.as_str())
                .with("convex_calls", shape.convex_calls)
                .with("preflights_announcing_authorization", shape.preflights_announcing_authorization)
                .causes([
                    "Chrome/Edge: enable \"Allow to generate HAR with sensitive data\" (DevTools Settings > Preferences > Network), then use \"Export HAR (with sensitive data)\" in the Network panel.".to_owned(),
                    format!("Use the Convex Auth panel instead (it sees the headers), {PASTE}."),
                ]),
        );
    }
    if let Some(has_entries) = limits.no_frames {
        let message = if has_entries {
            format!(
                "This HAR file lists the app's Convex WebSocket connection but none of its messages ({} does not export them): the Authenticate frame and the server's answers are not in it.",
                exporter.as_str()
            )
        } else {
            format!(
                "This HAR file was written by {}, which exports no WebSocket messages: a Convex app's socket traffic (its Authenticate frame and the server's answers) cannot be in it.",
                exporter.as_str()
            )
        };
        out.push(
            Finding::new(Code::CaptureNoFrames, message)
                .with("creator", creator(shape))
                .with("convex_sockets", shape.convex_sockets)
                .with("sockets_without_messages", shape.sockets_without_messages)
                .causes([
                    "Use the Convex Auth panel in Chrome or Edge (open DevTools, reload the page), or export the HAR from Chrome/Edge DevTools, which keeps WebSocket messages.".to_owned(),
                    format!("Give the token directly: {PASTE}."),
                ]),
        );
    }
    if let Some(why) = limits.truncated {
        out.push(
            Finding::new(
                Code::CaptureTruncated,
                format!("This HAR file begins after the app had connected ({why}): what was sent before the recording began is not in it."),
            )
            .with("creator", creator(shape))
            .with("from", why)
            .with("page_loads", shape.page_loads)
            .with("convex_sockets", shape.convex_sockets)
            .causes([
                "Open DevTools first, reload the page, let the app sign in and authenticate, then export the HAR.",
            ]),
        );
    }
    if limits.no_bodies {
        out.push(
            Finding::new(
                Code::CaptureNoBodies,
                "This HAR file holds no response body of the Convex calls: the functions' log lines ('server identity') cannot be read from it.",
            )
            .with("creator", creator(shape))
            .with("convex_calls", json!(shape.convex_calls))
            .causes([
                "Export the HAR with response content, or read the function logs in the Convex dashboard.",
            ]),
        );
    }
}

/// For a step left unknown, the capture finding that explains why (a file that cannot show what would settle it),
/// rather than the advice to reload.
pub(super) fn unknown_summary(findings: &[Finding], step: u8) -> Option<String> {
    findings
        .iter()
        .find(|f| f.step == step && f.code.as_str().starts_with("capture."))
        .map(|f| f.message.clone())
}
