//! Step 1 of the guide: does the backend see an identity? One rule per concern, each adding its findings in the
//! order the report lists them.

use serde_json::{json, Value};

use crate::analysis::evidence::{AuthOutcome, Evidence};
use crate::findings::{Code, Finding, Severity};
use crate::rules::ServerError;
use crate::traffic::IdentityLog;

/// Step 1's findings; none for a token given alone (no traffic to judge).
pub(super) fn step1(ev: &Evidence, input_only: bool, out: &mut Vec<Finding>) {
    if input_only {
        return;
    }
    if !ev.saw_convex() {
        out.push(Finding::new(
            Code::ClientNoTraffic,
            "No Convex traffic seen since capture began: reload the page with DevTools open.",
        ));
        return;
    }
    deployments(ev, out);
    connection_failed(ev, out);
    identity_log(ev, out);
    latest_token_outcome(ev, out);
    earlier_expiry(ev, out);
    rejection(ev, out);
    discovery_close(ev, out);
}

/// Which deployment(s) the app talks to.
fn deployments(ev: &Evidence, out: &mut Vec<Finding>) {
    let all = ev.deployments();
    let listed: Vec<Value> = all.shown().into_iter().map(Value::from).collect();
    let f = match all.len() {
        0 => return,
        1 => Finding::new(
            Code::DeploymentSeen,
            format!(
                "The app talks to {}.",
                all.iter().next().map_or("", |d| d.as_str())
            ),
        ),
        n => Finding::new(
            Code::DeploymentMultiple,
            format!("The app talks to {n} deployments."),
        ),
    };
    out.push(f.with("deployments", listed));
}

/// The client never got an answer from the deployment.
fn connection_failed(ev: &Evidence, out: &mut Vec<Finding>) {
    if !ev.never_connected() {
        return;
    }
    let counts = ev.counts();
    out.push(
        Finding::new(
            Code::ClientConnectionFailed,
            "The client never got an answer from the deployment: its sockets closed before any Transition.",
        )
        .with("sockets", json!(ev.socket_urls()))
        .with("sockets_failed", counts.sockets_failed)
        .with("http_failed", counts.http_failed)
        .with("close_reasons", json!(ev.close_reasons().iter().collect::<Vec<_>>()))
        .causes([
            "The client is not connected to Convex: check the deployment URL it is given (VITE_CONVEX_URL / NEXT_PUBLIC_CONVEX_URL) and the browser console.",
            "The deployment is not running or does not exist (for dev deployments, run `npx convex dev`).",
        ]),
    );
}

/// The guide's `console.log("server identity", …)` line: what it logged, or that functions ran without it.
fn identity_log(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some(seen) = ev.identity() else {
        if ev.functions_ran() {
            let counts = ev.counts();
            out.push(
                Finding::new(
                    Code::IdentityNoLog,
                    "Functions ran but none logged 'server identity'.",
                )
                .with("function_results", counts.function_results)
                .with("results_with_logs", counts.results_with_logs)
                .causes([
                    "The console.log(\"server identity\", await ctx.auth.getUserIdentity()) line is not in a function this page calls, or the code has not been pushed (`npx convex dev` running?).",
                    "You are looking at another deployment than the one you pushed to.",
                    "Production deployments do not send log lines to clients: read the dashboard's logs instead.",
                ]),
            );
        }
        return;
    };
    let mut f = match &seen.log {
        IdentityLog::Null => Finding::new(
            Code::IdentityLoggedNull,
            "A function logged 'server identity' null: it ran without a user.",
        )
        .causes([
            "The client is not supplying an auth token (step 2).",
            "The deployment is misconfigured (step 3).",
            "The client is misconfigured (step 2).",
        ]),
        IdentityLog::Identity {
            issuer,
            subject,
            token_identifier,
            truncated,
        } => Finding::new(
            Code::IdentityLogged,
            format!(
                "A function logged the server identity{}: the backend sees the user.",
                subject
                    .as_deref()
                    .map(|s| format!(" of {s}"))
                    .unwrap_or_default()
            ),
        )
        .with("issuer", json!(issuer))
        .with("subject", json!(subject))
        .with("tokenIdentifier", json!(token_identifier))
        .with("truncated", *truncated),
    };
    f = f
        .with("log_line", seen.line.clone())
        .with("time", seen.time);
    if let Some(function) = &seen.function {
        f = f.with("function", function.clone());
    }
    out.push(f);
}

/// What the backend did with the latest token, when it answered with more than a refusal.
fn latest_token_outcome(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some((_, t)) = ev.latest_token() else {
        return;
    };
    match &t.outcome {
        AuthOutcome::Confirmed { time } => out.push(
            Finding::new(Code::AuthConfirmed, "The backend accepted the token.")
                .with("source", t.source.as_str())
                .with("time", *time),
        ),
        AuthOutcome::ExpiredInSession { message, time } => {
            out.push(expired_in_session(ev, Expired::Latest, message, *time));
        }
        AuthOutcome::Pending | AuthOutcome::Rejected { .. } => {}
    }
}

/// A token that expired earlier in the session, when the latest token is another one.
fn earlier_expiry(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some((_, latest)) = ev.latest_token() else {
        return;
    };
    if matches!(latest.outcome, AuthOutcome::ExpiredInSession { .. }) {
        return;
    }
    if let Some((message, time)) = ev.first_expiry_in_session() {
        out.push(expired_in_session(ev, Expired::Earlier, message, time));
    }
}

/// Which token [`expired_in_session`] is about.
#[derive(Clone, Copy, PartialEq)]
enum Expired {
    /// The latest token.
    Latest,
    /// An earlier one.
    Earlier,
}

/// The one way the expiry finding is written, for the latest token or an earlier one.
fn expired_in_session(ev: &Evidence, which: Expired, message: &str, time: f64) -> Finding {
    let fresh = ev.fresh_token_after(time);
    let text = match (which, fresh) {
        (Expired::Latest, true) => {
            "The token expired during the session; the client then sent a fresh one."
        }
        (Expired::Latest, false) => {
            "The token expired during the session and no fresh token followed."
        }
        (Expired::Earlier, true) => {
            "A token expired during the session; the client then sent a fresh one."
        }
        (Expired::Earlier, false) => {
            "A token expired during the session and no fresh token followed."
        }
    };
    Finding::new(Code::AuthExpiredInSession, text)
        .with("server_message", message.to_owned())
        .with("time", time)
        .with("fresh_token_followed", fresh)
}

/// The backend's latest refusal (history when a later token was accepted), and the discovery failure it names.
fn rejection(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some(r) = ev.latest_rejection() else {
        return;
    };
    // A rejection followed by a later acceptance is history, not the current state.
    let superseded = ev.latest_confirmation().is_some_and(|c| c > r.time);
    let class = ServerError::classify(&r.message);
    let mut f = Finding::new(
        Code::AuthRejected,
        format!("The backend refused the token: \"{}\"", r.message),
    )
    .with("server_message", r.message.clone())
    .with("meaning", class.explain())
    .with("source", r.source.as_str())
    .with("origin", r.origin.clone())
    .with("time", r.time)
    .with("refusals", ev.rejections().len());
    if let Some(code) = &r.code {
        f = f.with("error_code", code.clone());
    }
    if let Some(attempted) = r.update_attempted {
        f = f.with("authUpdateAttempted", attempted);
    }
    if superseded {
        f = f.severity(Severity::Info).with("superseded", true);
        f.message = format!(
            "Earlier, the backend refused a token (\"{}\"); a later one was accepted.",
            r.message
        );
    }
    out.push(f);
    if matches!(class, ServerError::DiscoveryFailed { .. }) && !superseded {
        out.push(
            Finding::new(
                Code::AuthDiscoveryFailed,
                "The backend could not fetch the provider's discovery document or keys.",
            )
            .with("server_message", r.message.clone()),
        );
    }
}

/// A socket the backend closed because it could not fetch the provider's discovery document.
fn discovery_close(ev: &Evidence, out: &mut Vec<Finding>) {
    if ev.discovery_failed_on_close() && !out.iter().any(|f| f.code == Code::AuthDiscoveryFailed) {
        out.push(
            Finding::new(
                Code::AuthDiscoveryFailed,
                "The backend closed the socket because it could not fetch the provider's discovery document (AuthProviderDiscoveryFailed).",
            )
            .with("close_reasons", json!(ev.close_reasons().iter().collect::<Vec<_>>())),
        );
    }
}
