//! Issue 13's diagnoses, one function per failure users report (census modes in `README.md`, "Failure modes
//! covered"): refreshes that fail, tokens never minted, HTTP actions, server-side rendering cookies, and a token
//! accepted but not used. Each reads [`Evidence`] and returns findings; `judge` places them.
//!
//! How the convex client refreshes (`convex` 1.49 `src/browser/sync/authentication_manager.ts`): on an
//! `AuthError` it stops the socket and calls the fetcher with `forceRefreshToken: true` (`tryToReauthenticate`,
//! lines 255–325); when the fetcher returns null or a token equal to the current one (`isNewAuth`), it clears
//! its auth and restarts the socket without any `Authenticate`. A scheduled refetch that gets null sends
//! `Authenticate{tokenType:"None"}` on the live socket (`refetchToken`, lines 330–371).

use serde_json::json;

use super::around::{fingerprint, has_bearer, AuthCallSeen, CookieSeen, SiteSeen};
use super::evidence::{AuthOutcome, Evidence, TokenSource};
use crate::findings::{Code, Finding, Severity};
use crate::rules::ServerError;
use crate::token::{self, check_token, human_duration, TokenPath};
use crate::traffic::around::{AuthCallKind, CookieKind, CookieLibrary};

/// A moment as a UTC date (the report's own times are numbers; messages say dates).
fn iso_date(t: f64) -> String {
    token::iso_utc(t).unwrap_or_else(|| format!("{t}"))
}

/// How long before a clear a failed token request still counts as its cause (clerk-js retries for minutes).
const PROVIDER_WINDOW_S: f64 = 300.0;
/// Quiet time after an acceptance before "nothing ran" is worth saying.
const UNUSED_AFTER_S: f64 = 10.0;

fn token_requests(ev: &Evidence) -> impl Iterator<Item = &AuthCallSeen> {
    ev.around()
        .auth_calls
        .iter()
        .filter(|c| !matches!(c.kind, AuthCallKind::SignOut { .. }))
}

fn signed_out_between(ev: &Evidence, from: f64, to: f64) -> bool {
    ev.around()
        .auth_calls
        .iter()
        .any(|c| matches!(c.kind, AuthCallKind::SignOut { .. }) && c.time >= from && c.time <= to)
        || ev
            .around()
            .signins
            .iter()
            .any(|s| s.function.starts_with("auth:signOut") && s.time >= from && s.time <= to)
}

fn call_evidence(c: &AuthCallSeen) -> serde_json::Value {
    json!({
        "endpoint": c.endpoint,
        "status": c.status,
        "time": c.time,
        "error": c.error,
    })
}

// --- 1. refresh failures (modes 4, 8, 19) ----------------------------------------------------------------------

/// The moment the client last lost its token (expiry in session, or a refusal), and that token's index.
fn last_token_end(ev: &Evidence) -> Option<(f64, Option<usize>, &'static str)> {
    let expiry = ev
        .expiries()
        .map(|(t, i)| (t, i, "expired"))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    // Only refusals for expiry: any other refusal is a configuration or token fault that steps 2 and 3 name, and
    // the client giving up after it (`MAX_TOKEN_CONFIRMATION_ATTEMPTS`) is not a refresh failure.
    let refusal = ev
        .rejections()
        .iter()
        .filter(|r| r.source == TokenSource::Ws)
        .filter(|r| {
            matches!(
                ServerError::classify(&r.message),
                ServerError::TokenExpired { .. } | ServerError::IdentityExpired
            )
        })
        .map(|r| (r.time, r.token, "was refused as expired"))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match (expiry, refusal) {
        (Some(e), Some(r)) => Some(if e.0 >= r.0 { e } else { r }),
        (e, r) => e.or(r),
    }
}

/// When and how the client dropped its authentication at or after `after`.
fn cleared_after(ev: &Evidence, after: f64) -> Option<(f64, &'static str)> {
    let none = ev
        .cleared_at()
        .filter(|t| *t >= after)
        .map(|t| (t, "sent Authenticate with tokenType None"));
    let bare = ev.unauthenticated_socket_after(after).map(|t| {
        (
            t,
            "reconnected and subscribed its queries without any token",
        )
    });
    match (none, bare) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Refresh failures: after a token ended, the client cleared its auth, re-sent the same token, or the provider's
/// refresh failed; also a scheduled refresh that cleared auth right after a failed provider request.
pub(super) fn refresh(ev: &Evidence, out: &mut Vec<Finding>) {
    if let Some((ended, index, how)) = last_token_end(ev) {
        let ended_token = index.and_then(|i| ev.tokens().get(i));
        let ended_fp = ended_token.map(|t| fingerprint(&t.text));
        let ended_at = iso_date(ended);
        // The same token on the wire again (the convex client never does this; custom clients and old ones do).
        if let Some(t) = ended_token.filter(|t| t.last_sent > ended && t.times_sent > 1) {
            out.push(
                Finding::new(
                    Code::RefreshSameToken,
                    format!(
                        "The token {how} at {ended_at}, and the client sent the identical token again at {}.",
                        iso_date(t.last_sent)
                    ),
                )
                .with("token_ended_at", ended)
                .with("resent_at", t.last_sent)
                .with("from", "the client's own Authenticate/Authorization"),
            );
            return;
        }
        let fresh = ev
            .tokens()
            .iter()
            .any(|t| t.first_sent > ended && t.source != TokenSource::Input);
        if let Some((cleared, way)) = cleared_after(ev, ended).filter(|_| !fresh) {
            if signed_out_between(ev, ended - PROVIDER_WINDOW_S, cleared) {
                return;
            }
            let failed = token_requests(ev)
                .filter(|c| {
                    c.failed() && c.time >= ended - PROVIDER_WINDOW_S && c.time <= cleared + 1.0
                })
                .last();
            let failed_signin = ev.around().signins.iter().rev().find(|s| {
                s.error.is_some()
                    && s.function.starts_with("auth:signIn")
                    && s.time >= ended
                    && s.time <= cleared + 1.0
            });
            let same_from_provider = token_requests(ev)
                .filter(|c| c.time >= ended && c.time <= cleared + 1.0)
                .find(|c| c.ok() && c.token_fp == ended_fp && ended_fp.is_some());
            let base = format!(
                "The token {how} at {ended_at}; at {} the client {way}",
                iso_date(cleared)
            );
            let f = if let Some(c) = failed {
                Finding::new(
                    Code::RefreshProviderFailed,
                    format!(
                        "{base}, right after the provider's token request failed ({} answered {}).",
                        c.endpoint,
                        status_words(c.status)
                    ),
                )
                .with("provider_request", call_evidence(c))
            } else if let Some(s) = failed_signin {
                Finding::new(
                    Code::RefreshProviderFailed,
                    format!(
                        "{base}, right after Convex Auth's refresh ({}) failed: \"{}\".",
                        s.function,
                        first_line(s.error.as_deref().unwrap_or_default())
                    ),
                )
                .with("function", s.function.clone())
                .with("server_message", s.error.clone().unwrap_or_default())
            } else if let Some(c) = same_from_provider {
                Finding::new(
                    Code::RefreshSameToken,
                    format!("{base}: the provider answered the refresh with the identical token ({}), which the client treats as a failed refresh.", c.endpoint),
                )
                .with("provider_request", call_evidence(c))
            } else {
                let asked = token_requests(ev).any(|c| c.time >= ended && c.time <= cleared + 1.0);
                let detail = if asked {
                    "its token fetcher, called with forceRefreshToken: true, returned null or the token it already had"
                } else {
                    "its token fetcher, called with forceRefreshToken: true, returned null or its cached token without asking the provider (no Clerk or better-auth token request was seen)"
                };
                Finding::new(Code::RefreshCleared, format!("{base}: {detail}."))
            };
            out.push(
                f.with("token_ended_at", ended)
                    .with("token_ended", how)
                    .with("cleared_at", cleared)
                    .with("cleared_how", way),
            );
        }
        return;
    }
    // A scheduled refresh (no AuthError) that ended in a clear right after the provider failed.
    let Some(cleared) = ev.cleared_at() else {
        return;
    };
    if signed_out_between(ev, cleared - PROVIDER_WINDOW_S, cleared + 1.0) {
        return;
    }
    if let Some(c) = token_requests(ev)
        .filter(|c| c.failed() && c.time >= cleared - PROVIDER_WINDOW_S && c.time <= cleared + 1.0)
        .last()
    {
        out.push(
            Finding::new(
                Code::RefreshProviderFailed,
                format!(
                    "At {} the client cleared its authentication right after the provider's token request failed ({} answered {}): a failed refresh became a sign-out.",
                    iso_date(cleared),
                    c.endpoint,
                    status_words(c.status)
                ),
            )
            .with("provider_request", call_evidence(c))
            .with("cleared_at", cleared),
        );
    }
}

fn status_words(status: u16) -> String {
    match status {
        0 => "nothing (network error)".to_owned(),
        s => format!("{s}"),
    }
}

fn first_line(text: &str) -> String {
    // Convex prefixes `[CONVEX A(auth:signIn)] [Request ID: …] Server Error` and appends the stack; the thrown
    // message is the `Uncaught Error: …` line when there is one.
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Uncaught ").map(str::to_owned))
        .or_else(|| text.lines().next().map(str::to_owned))
        .unwrap_or_default();
    line.chars().take(300).collect()
}

// --- 2. tokens never minted (modes 12, 15, 16, 20) -------------------------------------------------------------

/// What Convex Auth's sign-in error text means (`get-convex/convex-auth src/server/utils.ts` `requireEnv`,
/// `src/server/implementation/tokens.ts` `importPKCS8`, `redirects.ts`).
fn signin_meaning(text: &str) -> &'static str {
    let lower = text.to_ascii_lowercase();
    if lower.contains("jwt_private_key") && lower.contains("missing") {
        "The deployment has no JWT_PRIVATE_KEY: Convex Auth cannot sign tokens. Run `npx @convex-dev/auth` (or set JWT_PRIVATE_KEY and JWKS with `npx convex env set`)."
    } else if lower.contains("pkcs8") || lower.contains("pkcs#8") {
        "JWT_PRIVATE_KEY is not a PKCS#8 PEM key (often its line breaks were lost when it was pasted): set it again with the value `npx @convex-dev/auth` generates."
    } else if lower.contains("missing environment variable") {
        "An environment variable Convex Auth needs is not set on the deployment (JWKS, SITE_URL, CONVEX_SITE_URL or a provider's secret): set it with `npx convex env set`."
    } else if lower.contains("redirect") || lower.contains("site_url") {
        "The redirect target is refused: `redirectTo` must be under SITE_URL (set SITE_URL on the deployment to the app's URL)."
    } else if lower.contains("refresh token") {
        "The refresh token was refused (Convex Auth's refresh tokens are single-use: another tab or a reload spent it)."
    } else if lower.contains("server error") && !lower.contains("uncaught") {
        "A production deployment hides the error: read the function's logs in the dashboard."
    } else {
        "Read the server's text: the sign-in action threw it."
    }
}

/// The cause behind `token.absent`, when the traffic around shows one.
pub(super) fn why_absent(ev: &Evidence) -> Option<Finding> {
    let calls: Vec<&AuthCallSeen> = token_requests(ev).collect();
    if let Some(c) = calls.iter().rev().find(|c| {
        c.status == 404 && matches!(c.kind, AuthCallKind::ClerkToken { template: Some(_) })
    }) {
        let template = match &c.kind {
            AuthCallKind::ClerkToken { template: Some(t) } => t.clone(),
            _ => String::new(),
        };
        return Some(
            Finding::new(
                Code::MintTemplateMissing,
                format!("Clerk answered 404 to the request for a \"{template}\" token: this Clerk instance has no JWT template named \"{template}\", so no token was minted."),
            )
            .with("template", template)
            .with("provider_request", call_evidence(c)),
        );
    }
    if let Some(s) = ev
        .around()
        .signins
        .iter()
        .rev()
        .find(|s| s.error.is_some() && !s.function.starts_with("auth:signOut"))
    {
        let text = s.error.clone().unwrap_or_default();
        return Some(
            Finding::new(
                Code::MintSigninFailed,
                format!(
                    "Convex Auth's sign-in ({}) failed, so no token was minted: \"{}\".",
                    s.function,
                    first_line(&text)
                ),
            )
            .with("function", s.function.clone())
            .with("server_message", text.clone())
            .with("meaning", signin_meaning(&text))
            .with("time", s.time),
        );
    }
    if let Some(c) = calls.iter().rev().find(|c| c.failed()) {
        let who = match c.kind {
            AuthCallKind::BetterAuthToken => "better-auth's Convex token endpoint",
            _ => "Clerk's token endpoint",
        };
        let hint = match (&c.kind, c.status) {
            (AuthCallKind::BetterAuthToken, 404) => {
                ": the convex() plugin or the auth route handler is not mounted there"
            }
            (AuthCallKind::BetterAuthToken, 401) => ": there is no better-auth session",
            (_, 0) => ": the request got no response",
            _ => "",
        };
        return Some(
            Finding::new(
                Code::MintRequestFailed,
                format!(
                    "{who} answered {}{hint}, so no token was minted ({}).",
                    status_words(c.status),
                    c.endpoint
                ),
            )
            .with("provider_request", call_evidence(c)),
        );
    }
    if let Some(c) = calls.iter().rev().find(|c| c.ok()) {
        return Some(
            Finding::new(
                Code::MintNotSent,
                format!("The provider minted a token ({} at {}), but the Convex client never sent one: its token fetcher is not wired into the Convex client.", c.endpoint, iso_date(c.time)),
            )
            .with("provider_request", call_evidence(c)),
        );
    }
    None
}

// --- 3. HTTP actions (mode 7) ----------------------------------------------------------------------------------

/// Calls to the deployment's HTTP actions: preflights that refuse `Authorization`, calls without a token while
/// the page has one, calls whose token the action could not use.
pub(super) fn http_actions(ev: &Evidence, out: &mut Vec<Finding>) {
    // `/http/…` routes count only on a deployment's origin, known by now even when the call came first.
    let calls: Vec<&SiteSeen> = ev
        .around()
        .site_calls
        .iter()
        .filter(|s| s.call.site_host || ev.deployments().contains(&s.call.origin))
        .collect();
    if calls.is_empty() {
        return;
    }
    let page_has_token = ev.tokens().iter().any(|t| t.source == TokenSource::Ws)
        || ev
            .tokens()
            .iter()
            .any(|t| matches!(t.outcome, AuthOutcome::Confirmed { .. }));
    // CORS: a preflight asking for Authorization that was refused, else a call with a token that got no answer.
    let refused_preflight = calls.iter().rev().find(|s| {
        s.call.preflight
            && s.call.preflight_wants_authorization
            && (!(200..300).contains(&s.call.status)
                || !s.call.allows_authorization
                || !s.call.allows_origin)
    });
    if let Some(s) = refused_preflight {
        let why = if !(200..300).contains(&s.call.status) {
            format!(
                "answered {} (no OPTIONS route)",
                status_words(s.call.status)
            )
        } else if !s.call.allows_authorization {
            "does not list Authorization in Access-Control-Allow-Headers".to_owned()
        } else {
            "has no Access-Control-Allow-Origin".to_owned()
        };
        out.push(
            Finding::new(
                Code::HttpActionCorsBlocked,
                format!("The browser's CORS preflight for calling the HTTP action {} with an Authorization header {why}: the call never goes out.", s.call.endpoint),
            )
            .with("endpoint", s.call.endpoint.clone())
            .with("preflight_status", s.call.status)
            .with("time", s.call.time),
        );
    } else if let Some(s) = calls
        .iter()
        .rev()
        .find(|s| !s.call.preflight && s.call.status == 0 && has_bearer(&s.call.auth))
    {
        out.push(
            Finding::new(
                Code::HttpActionCorsBlocked,
                format!("The call to the HTTP action {} with an Authorization header got no response: the browser blocked it (most likely the CORS preflight for Authorization failed).", s.call.endpoint),
            )
            .with("endpoint", s.call.endpoint.clone())
            .with("status", 0)
            .with("time", s.call.time),
        );
    }
    // A token the action could not use: judged with step 2's rules at the moment it was sent.
    if let Some(s) = calls.iter().rev().find(|s| {
        !s.call.preflight && has_bearer(&s.call.auth) && matches!(s.call.status, 401 | 403 | 500)
    }) {
        let mut f = Finding::new(
            Code::HttpActionRefused,
            format!(
                "The HTTP action {} answered {} to a call with a Bearer token.",
                s.call.endpoint, s.call.status
            ),
        )
        .with("endpoint", s.call.endpoint.clone())
        .with("status", s.call.status)
        .with("time", s.call.time);
        if let Some(t) = &s.token {
            let problems = judged_problems(t, s.call.time);
            let same = ev
                .tokens()
                .iter()
                .any(|o| o.source == TokenSource::Ws && &o.text == t);
            f = f.with("same_as_socket_token", same);
            if !problems.is_empty() {
                f.message = format!("{} Its token: {}", f.message, problems.join(" "));
            }
            f = f.with("token_problems", json!(problems));
        }
        out.push(f);
    }
    // Calls without a token while the page has one.
    if page_has_token {
        if let Some(s) = calls
            .iter()
            .rev()
            .find(|s| !s.call.preflight && !has_bearer(&s.call.auth) && s.call.status != 0)
        {
            let denied = matches!(s.call.status, 401 | 403);
            let mut f = Finding::new(
                Code::HttpActionNoBearer,
                format!(
                    "The page called the HTTP action {} {} without an Authorization: Bearer header{}: ctx.auth.getUserIdentity() is null there.",
                    s.call.method,
                    s.call.endpoint,
                    if denied { format!(" and it answered {}", s.call.status) } else { String::new() }
                ),
            )
            .with("endpoint", s.call.endpoint.clone())
            .with("method", s.call.method.clone())
            .with("status", s.call.status)
            .with("time", s.call.time);
            if denied {
                f = f.severity(Severity::Fail);
            }
            out.push(f);
        }
    }
}

/// Step 2's failing checks of a token at `time`, as messages (none when it decodes and passes).
fn judged_problems(text: &str, time: f64) -> Vec<String> {
    match token::decode(text) {
        Ok(t) => check_token(&t, time, &TokenPath::Unknown)
            .into_iter()
            .filter(|f| f.severity == Severity::Fail)
            .map(|f| format!("{} ({})", f.message, f.code.as_str()))
            .collect(),
        Err(m) => vec![format!("not a valid JWT: {}", m.message)],
    }
}

// --- 4. server-side rendering cookies (mode 2) -----------------------------------------------------------------

/// The socket's latest user token, decoded, for comparison with a cookie's.
fn socket_token(ev: &Evidence) -> Option<(u64, Option<String>, Option<String>)> {
    let t = ev
        .tokens()
        .iter()
        .filter(|t| t.source == TokenSource::Ws)
        .max_by(|a, b| a.last_sent.total_cmp(&b.last_sent))?;
    let d = token::decode(&t.text).ok();
    Some((
        fingerprint(&t.text),
        d.as_ref().and_then(|d| d.iss().map(str::to_owned)),
        d.as_ref().and_then(|d| d.sub().map(str::to_owned)),
    ))
}

fn cookie_finding(code: Code, c: &CookieSeen, message: String) -> Finding {
    let mut f = Finding::new(code, message)
        .with("cookie", c.name.clone())
        .with("seen_at", c.time);
    if let Some(exp) = c.exp {
        f = f.with("exp", exp);
    }
    f
}

/// The cookies a server reads its Convex token from: absent, expired, invalid, another user's, or fine.
pub(super) fn cookies(ev: &Evidence, out: &mut Vec<Finding>) {
    let socket = socket_token(ev);
    for c in &ev.around().cookies {
        let library = match c.kind {
            CookieKind::ConvexToken(l) => l,
            CookieKind::ClerkSession => CookieLibrary::Clerk,
            CookieKind::SessionMarker(_) => continue,
        };
        if c.empty {
            continue;
        }
        let expired = c.problems.iter().find(|p| p.0 == Code::TokenExpired);
        // Clerk's `__session` lives about a minute and is renewed by clerk-js; an expired one on a request is
        // Clerk's normal handshake, not a fault.
        if let (Some((_, _, msg)), false) = (expired, library == CookieLibrary::Clerk) {
            let ago = c
                .exp
                .map(|e| human_duration(c.time - e))
                .unwrap_or_default();
            out.push(
                cookie_finding(
                    Code::CookieTokenExpired,
                    c,
                    format!("The {} cookie {} that a server reads the Convex token from held a token that had expired {ago} before the page's request carried it: server-side calls with it are refused.", library.name(), c.name),
                )
                .with("check", msg.clone()),
            );
            continue;
        }
        let failing: Vec<String> = c
            .problems
            .iter()
            .filter(|p| p.1 == Severity::Fail && p.0 != Code::TokenExpired)
            .map(|p| format!("{} ({})", p.2, p.0.as_str()))
            .collect();
        if !failing.is_empty() && library != CookieLibrary::Clerk {
            out.push(
                cookie_finding(
                    Code::CookieTokenInvalid,
                    c,
                    format!(
                        "The {} cookie {} holds a token step 2's rules refuse: {}",
                        library.name(),
                        c.name,
                        failing.join(" ")
                    ),
                )
                .with("problems", json!(failing)),
            );
            continue;
        }
        let same = socket.as_ref().map(|s| Some(s.0) == c.token_fp);
        let other_user = library != CookieLibrary::Clerk
            && socket.as_ref().is_some_and(|(_, iss, sub)| {
                (iss.is_some() && c.iss.is_some() && iss != &c.iss)
                    || (sub.is_some() && c.sub.is_some() && sub != &c.sub)
            });
        if other_user {
            out.push(
                cookie_finding(
                    Code::CookieTokenMismatch,
                    c,
                    format!(
                        "The {} cookie {} names another user than the token the page sends over the socket ({} vs {}): server-side rendering sees someone else.",
                        library.name(),
                        c.name,
                        c.sub.as_deref().unwrap_or("?"),
                        socket.as_ref().and_then(|s| s.2.as_deref()).unwrap_or("?")
                    ),
                )
                .with("cookie_iss", json!(c.iss))
                .with("cookie_sub", json!(c.sub)),
            );
            continue;
        }
        out.push(
            cookie_finding(
                Code::CookieTokenSeen,
                c,
                format!(
                    "The {} cookie {} that a server reads holds a usable token{}.",
                    library.name(),
                    c.name,
                    match same {
                        Some(true) => ", the very one the page sends over the socket",
                        Some(false) => " (not the one the page sends over the socket)",
                        None => "",
                    }
                ),
            )
            .with("same_as_socket", json!(same)),
        );
    }
    for (library, time) in &ev.around().cookie_libraries {
        let has_token_cookie = ev.around().cookies.iter().any(|c| {
            !c.empty
                && match c.kind {
                    CookieKind::ConvexToken(l) => l == *library,
                    CookieKind::ClerkSession => *library == CookieLibrary::Clerk,
                    CookieKind::SessionMarker(_) => false,
                }
        });
        if has_token_cookie {
            continue;
        }
        let wanted = match library {
            CookieLibrary::ConvexAuth => "__convexAuthJWT",
            CookieLibrary::BetterAuth => "better-auth.convex_jwt",
            CookieLibrary::Clerk => "__session",
        };
        out.push(
            Finding::new(
                Code::CookieTokenAbsent,
                format!("The page's requests carry {}'s session cookies but no {wanted} cookie: a server (SSR, middleware) has no Convex token to send.", library.name()),
            )
            .with("library", library.name())
            .with("expected_cookie", wanted)
            .with("seen_at", *time),
        );
    }
}

// --- 5. accepted but unused (mode 5) ---------------------------------------------------------------------------

/// The backend confirmed a token, yet what ran afterwards had no identity, or nothing ran at all.
pub(super) fn unused(ev: &Evidence) -> Option<Finding> {
    let confirmations = || {
        ev.tokens().iter().filter_map(|t| match t.outcome {
            AuthOutcome::Confirmed { time } => Some(time),
            _ => None,
        })
    };
    let confirmed = confirmations().max_by(f64::total_cmp)?;
    // The null run counts after any confirmation before it, not only the latest: once the server confirms the first
    // token the client fetches a fresh one and authenticates again (convex npm-packages/convex/src/browser/sync/
    // authentication_manager.ts:213-220), and that second confirmation may arrive just after the other client's
    // first result (measured: 2 ms after it, in the end-to-end run of auth-unused-second-client).
    let null_after = ev
        .last_null_run()
        .filter(|n| !n.with_token && ev.last_identity_run().map_or(true, |t| t < n.time))
        .and_then(|n| {
            let before = confirmations()
                .filter(|&t| t < n.time)
                .max_by(f64::total_cmp)?;
            Some((n, before))
        });
    if let Some((null, confirmed)) = null_after {
        let what = null.function.as_deref().unwrap_or("a function");
        let carrier = match null.carrier {
            "http" => "an HTTP call that carried no token",
            _ => "a socket that never sent the token",
        };
        return Some(
            Finding::new(
                Code::AuthUnused,
                format!("The backend accepted the token at {}, yet afterwards {what} ran without an identity, on {carrier}: part of the page uses a Convex client that is not authenticated.", iso_date(confirmed)),
            )
            .severity(Severity::Fail)
            .with("confirmed_at", confirmed)
            .with("function", what)
            .with("carrier", null.carrier)
            .with("time", null.time),
        );
    }
    let ran_after = ev.last_result_time().is_some_and(|t| t >= confirmed);
    let quiet = ev.last_event_time() - confirmed;
    if !ran_after && quiet >= UNUSED_AFTER_S {
        return Some(
            Finding::new(
                Code::AuthUnused,
                format!("The backend accepted the token at {}, but no query or function ran in the {} after: the page is not using the authenticated client (its UI may still think it is signed out).", iso_date(confirmed), human_duration(quiet)),
            )
            .with("confirmed_at", confirmed)
            .with("quiet_seconds", quiet),
        );
    }
    None
}
