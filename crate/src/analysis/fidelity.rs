//! Rules that make the verdict say what the real backend does (convex-backend 94a42c3), beyond the guide's
//! per-token checks: captured tokens read as the backend reads them, internal errors, the identity race, the
//! backend's caches and the clock. Each rule is a function of its own, fed by the evidence.

use serde_json::json;

use super::evidence::{AuthOutcome, Evidence, SentToken, TokenSource};
use crate::findings::{Code, Finding, Severity};
use crate::rules::ServerError;
use crate::token::{self, DecodedToken, Malformed, TokenPath};
use crate::traffic::IdentityLog;

/// Decodes a token the way its source deserves: pasted input leniently, captured traffic leniently too (to show
/// its claims) but see [`wrapped`] for what the backend makes of it.
/// A token longer than the decoder reads is "not judged" (only a prefix of it is kept), never decoded from that prefix.
pub(super) fn decode_sent(sent: &SentToken) -> Result<DecodedToken, Malformed> {
    if sent.bytes > token::MAX_INPUT_BYTES {
        return Err(token::too_long(sent.bytes));
    }
    match sent.source {
        TokenSource::Input => token::decode(&sent.text),
        TokenSource::Ws | TokenSource::Http => token::decode_captured(&sent.text).0,
    }
}

/// `token.wrapped`: a captured token carries what the backend does not strip (`token/wrapped.rs`).
pub(super) fn wrapped(sent: &SentToken, out: &mut Vec<Finding>) {
    if sent.source == TokenSource::Input {
        return;
    }
    let (decoded, wrappers) = token::decode_captured(&sent.text);
    if wrappers.is_empty() || decoded.is_err() {
        return;
    }
    let how = match sent.source {
        TokenSource::Http => "in its Authorization header",
        _ => "in its Authenticate message",
    };
    out.push(
        Finding::new(
            Code::TokenWrapped,
            format!(
                "The client sends the token {how} with {}: the backend reads the value as it is and cannot decode it.",
                wrappers.join(", ")
            ),
        )
        .with("source", sent.source.as_str())
        .with("wrappers", json!(wrappers))
        .causes([
            "The token fetcher returns the token wrapped (JSON-encoded with quotes, prefixed with `Bearer `, or with a line break): return the bare JWT from fetchAccessToken / setAuth.",
        ]),
    );
}

/// The rules read from the captured traffic, applied after the per-step findings (they refine some of them).
pub(super) fn traffic_rules(
    ev: &Evidence,
    token: Option<&DecodedToken>,
    path: &TokenPath,
    out: &mut Vec<Finding>,
) {
    internal_error(ev, token, path, out);
    null_before_auth(ev, out);
    stale_keys(ev, out);
    transient_discovery(ev, out);
    backend_notes(ev, token, out);
}

/// `auth.internal_error`: the backend failed internally right after a user token (a 1011 `InternalServerError`
/// close — read from the next `Connect.lastCloseReason` — or HTTP 500 "Your request couldn't be completed"), and
/// the token was never confirmed. convex-backend `crates/errors/src/lib.rs:1048-1056` (no `ErrorMetadata`: close
/// 1011 `InternalServerError`), `:1102` (HTTP text); `crates/local_backend/src/subs/mod.rs:269-298` (no AuthError
/// is sent for such an error).
fn internal_error(
    ev: &Evidence,
    token: Option<&DecodedToken>,
    path: &TokenPath,
    out: &mut Vec<Finding>,
) {
    let unanswered = ev
        .latest_token()
        .is_some_and(|(_, t)| t.outcome == AuthOutcome::Pending && t.source != TokenSource::Input);
    let errors: Vec<_> = ev
        .signals()
        .internal_errors
        .iter()
        .filter(|e| e.with_token)
        .collect();
    if !unanswered || errors.is_empty() {
        return;
    }
    let iss = token.and_then(|t| t.iss());
    // A customJwt provider adds the scheme itself (authentication/src/lib.rs:324-331): not this cause there.
    let scheme_less = !matches!(path, TokenPath::CustomJwt { .. })
        && iss.is_some_and(|i| !i.starts_with("https://") && !i.starts_with("http://"));
    let cause = if scheme_less {
        // Only the OIDC path fails this way on a scheme-less `iss` (authentication/src/lib.rs:208): the evidence
        // settles the path, so the step-2 finding is a failure, whatever the configuration known here.
        for f in out.iter_mut().filter(|f| f.code == Code::TokenIssNoScheme) {
            f.severity = Severity::Fail;
        }
        format!(
            "the token's `iss` (\"{}\") has no `https://`: an OIDC provider matched it, then the backend could not parse it as a URL",
            iss.unwrap_or_default()
        )
    } else if matches!(path, TokenPath::Oidc { .. } | TokenPath::Unknown) {
        "the backend failed while validating the token (the one known cause is an OIDC token whose `iss` has no scheme; a deployment restarting gives the same close once)".to_owned()
    } else {
        "the backend failed while validating the token".to_owned()
    };
    let ws = errors.iter().filter(|e| e.via == "ws").count();
    let http = errors.len() - ws;
    let seen = match (ws, http) {
        (0, _) => format!("{http} HTTP call(s) with the token answered 500 \"Your request couldn't be completed\""),
        (_, 0) => format!("the socket closed {ws} time(s) with InternalServerError (code 1011) after Authenticate"),
        _ => format!("the socket closed {ws} time(s) with InternalServerError (1011) and {http} HTTP call(s) answered 500"),
    };
    out.push(
        Finding::new(
            Code::AuthInternalError,
            format!("The backend never answered the token: {seen}, with no AuthError. Likely cause: {cause}."),
        )
        .with("internal_errors", errors.len())
        .with("via", json!(errors.iter().map(|e| e.via).collect::<Vec<_>>()))
        .with("first_time", errors.first().map_or(0.0, |e| e.time))
        .causes([
            "An OIDC provider whose tokens carry `iss` without `https://`: make the provider issue the full URL, or declare it as customJwt (that path adds the scheme).",
            "The deployment was restarting or being pushed: if it happened once and the next connection worked, nothing is wrong.",
        ]),
    );
}

/// `identity.null_before_auth` (backend-fidelity E): a query ran without identity before the token was
/// confirmed, and the Transition confirming the token replaced that result: the query raced authentication.
/// Which results count is decided from the sync protocol, not from the app's wording (`Signals::transition`). The `'server identity'` null line
/// it logged then says nothing about the token, so `identity.logged_null` is dropped when that line came first.
fn null_before_auth(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some(confirmed_at) = ev.signals().confirmed_after_pre_auth else {
        return;
    };
    let early: Vec<_> = ev
        .signals()
        .pre_auth_results
        .iter()
        .filter(|r| r.time <= confirmed_at)
        .collect();
    let Some(first) = early.first() else { return };
    if ev
        .identity()
        .is_some_and(|seen| seen.log == IdentityLog::Null && seen.time <= confirmed_at)
    {
        out.retain(|f| f.code != Code::IdentityLoggedNull);
    }
    let function = first
        .function
        .as_deref()
        .map(|f| format!("`{f}`"))
        .unwrap_or_else(|| "a query".to_owned());
    out.push(
        Finding::new(
            Code::IdentityNullBeforeAuth,
            format!(
                "Authentication works, but {function} ran before the token was confirmed and {}: its first result comes from a run without a user. Gate it on authentication: render it inside <Authenticated>, or pass \"skip\" to useQuery until useConvexAuth().isAuthenticated is true.",
                first.what
            ),
        )
        .with("function", first.function.clone().unwrap_or_default())
        .with("result", first.what.clone())
        .with("result_time", first.time)
        .with("confirmed_time", confirmed_at)
        .with("early_results", early.len())
        .causes([
            "useQuery runs outside <Authenticated> (or before useConvexAuth().isAuthenticated), so its first run has no identity: wrap the component in <Authenticated> or pass \"skip\" until authenticated.",
            "In the function, return a neutral value when ctx.auth.getUserIdentity() is null instead of throwing: it re-runs with the identity once the token is confirmed.",
        ]),
    );
}

/// backend-fidelity A9: the keys here verify the token, yet the backend refused it with a key/signature text. The
/// backend fetches discovery and JWKS through a cache that honours Cache-Control (convex-backend
/// `crates/http_client/src/lib.rs:70-90`): after a key rotation it can hold the old set until that expires.
fn stale_keys(ev: &Evidence, out: &mut [Finding]) {
    if !out.iter().any(|f| f.code == Code::SignatureValid) {
        return;
    }
    let refused_for_keys = ev.latest_token().is_some_and(|(_, t)| match &t.outcome {
        AuthOutcome::Rejected { message, .. } => matches!(
            ServerError::classify(message),
            ServerError::KidNotInJwks { .. }
                | ServerError::KidMissing { redacted: true }
                | ServerError::OidcClaimUnverified
        ),
        _ => false,
    });
    if !refused_for_keys {
        return;
    }
    for f in out.iter_mut().filter(|f| f.code == Code::AuthRejected) {
        f.message.push_str(" The signature verifies with the keys fetched here, so the backend may hold an older key set: it caches discovery and JWKS as their Cache-Control allows, so after a key rotation it can refuse new tokens until that expires.");
        f.evidence
            .insert("backend_keys_may_be_cached".into(), json!(true));
        f.causes.insert(0, "The provider rotated its keys and the backend still uses its cached JWKS (Cache-Control max-age): wait for it to expire, or keep publishing the old key beside the new one during rotation.".to_owned());
    }
}

/// backend-fidelity A8: the socket closed `AuthProviderDiscoveryFailed` with no AuthError: the provider answered
/// 429/425/421 or 5xx (close 1013, transient: the client retries with backoff) or 404 (close 1000),
/// convex-backend `crates/errors/src/lib.rs:676-709, 757-771`.
fn transient_discovery(ev: &Evidence, out: &mut [Finding]) {
    if ev.signals().discovery_closes == 0 || !ev.rejections().is_empty() {
        return;
    }
    for f in out
        .iter_mut()
        .filter(|f| f.code == Code::AuthDiscoveryFailed)
    {
        f.message.push_str(" No AuthError came with it: the provider answered an error status the backend retries (429, 425, 421 or 5xx: close 1013, the client reconnects with backoff) or 404 (close 1000).");
        f.evidence.insert("auth_error".into(), json!(false));
        f.evidence.insert(
            "discovery_closes".into(),
            json!(ev.signals().discovery_closes),
        );
    }
}

/// How far the clocks must differ before the evidence shows a skew: the backend's 5 s leeway plus the estimate's
/// own noise (a `Date` header has whole seconds; the Connect estimate includes the one-way latency).
pub(super) const CLOCK_THRESHOLD_S: f64 = 6.0;

/// The server's clock minus this computer's to judge captured tokens by: 0 unless the evidence shows a real skew
/// (backend-fidelity B5: `clientClockSkew` alone is not one; `evidence.rs` corrects it with the Connect frame).
pub(super) fn clock_offset(ev: &Evidence) -> f64 {
    ev.clock()
        .filter(|c| c.server_minus_local.abs() > CLOCK_THRESHOLD_S)
        .map_or(0.0, |c| c.server_minus_local)
}

/// What the backend really does, added to findings the guide's steps already make.
pub(super) fn backend_notes(ev: &Evidence, token: Option<&DecodedToken>, out: &mut [Finding]) {
    // backend-fidelity B3: the latest token was already expired when it was sent (on either path's reading of
    // `exp`), and the backend answered it with an expiry AuthError.
    let sent_expired = ev.latest_token().is_some_and(|(_, sent)| {
        matches!(sent.outcome, AuthOutcome::ExpiredInSession { .. })
            && token
                .and_then(|t| t.exp())
                .is_some_and(|exp| sent.last_sent >= exp.min(exp.round()))
    });
    for f in out.iter_mut() {
        match f.code {
            // Not a session that expired: one that never had the user, so step 1 fails.
            Code::AuthExpiredInSession if sent_expired => {
                f.message.push_str(" The token was already expired when it was sent: the backend let it through validation (the customJwt path's 5 s leeway) and refused the identity at once, so the session never had it; the client sends the same token again on reconnect.");
                f.severity = Severity::Fail;
                f.evidence.insert("expired_when_sent".into(), json!(true));
            }
            // backend-fidelity B1: keybroker/src/broker.rs:250-272, sync/src/worker.rs:503, 671, 781.
            Code::AuthExpiredInSession => {
                f.message.push_str(" The backend has no expiry timer: it notices an expired identity only when a mutation, an action or a query update runs (then AuthError and a close), so an idle app past `exp` receives nothing.");
            }
            // backend-fidelity B4: application/src/lib.rs:3166-3181, application_auth.rs:44-50.
            Code::TokenAdmin => {
                f.message.push_str(" The backend checks admin keys: a wrong one is answered 401 BadAdminKey (an AuthError on the socket).");
            }
            // backend-fidelity A6: the first decode reads only the payload (biscuit jws/compact.rs:379-383 via
            // authentication/src/lib.rs:166-173): a token without its signature part is routed by its claims,
            // then refused by the provider's own parser.
            Code::TokenMalformed
                if f.evidence.get("parts") == Some(&json!(2))
                    && f.message.contains("signature is missing") =>
            {
                f.message.push_str(" The backend still reads its payload to pick a provider, then refuses it: \"Could not parse as OIDC ID token\" on an OIDC provider, \"Could not decode token…\" on a customJwt provider (not \"Could not parse JWT payload\").");
                f.evidence.insert("backend_routes_it".into(), json!(true));
            }
            _ => {}
        }
    }
}
