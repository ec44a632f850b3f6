//! From evidence to the report: findings per step, each step's status, the cause step and the verdict line.
//!
//! The decision tree is the guide's (`shared/reference/debugging-authentication-guide.txt`), as the spec states it:
//! step 1 is the symptom; when it does not pass, the cause is the first failing of steps 2 and 3, and step 1 itself
//! only when neither fails.

mod step1;

use serde_json::json;

use super::around_rules;
use super::evidence::{AuthOutcome, Evidence, SentToken};
use super::keys::KeyStore;
use crate::config::{providers_from_server_message, AuthConfig, ConfigSource};
use crate::findings::{Code, Finding, Severity, Status};
use crate::report::{Report, StepVerdict, TokenGroup, TokenView};
use crate::rules::matching::no_provider_matches;
use crate::rules::{check_config, issuer_path, normalise_issuer, ProviderKind, ServerError};
use crate::token::{self, check_token, DecodedToken, TokenPath};
use crate::traffic::IdentityLog;
use step1::step1;

/// The token the verdict is about, decoded or not.
struct Judged<'a> {
    sent: &'a SentToken,
    /// When the backend saw it, on the server's clock where the skew is known.
    judged_at: f64,
    decoded: Result<DecodedToken, token::Malformed>,
}

/// Runs `f` on the latest token, decoded, with the path it takes, the configuration in force and the index of the
/// provider it matched; `None` when there is no decodable token.
pub(super) fn with_latest_path<R>(
    ev: &Evidence,
    user_config: Option<&AuthConfig>,
    f: impl FnOnce(&DecodedToken, &TokenPath, Option<&AuthConfig>, Option<usize>) -> R,
) -> Option<R> {
    let (_, sent) = ev.latest_token()?;
    let token = super::fidelity::decode_sent(sent).ok()?;
    let server_config = server_config(ev);
    let config = user_config.or(server_config.as_ref());
    let (path, matched) = path_of(ev, config, &token);
    if no_provider_for(sent, config, &token, matched) {
        return None;
    }
    Some(f(&token, &path, config, matched))
}

/// Whether the backend stops at "No auth provider found matching the given token" for the latest token, and so
/// fetches no discovery document and no JWKS for it (convex-backend `crates/authentication/src/lib.rs:185-196`,
/// before any fetch at `:201-218`): then there are no keys to ask for, and none to blame. The backend's own answer
/// to this token comes first (it knows the deployed configuration); else the configuration known here, when no
/// provider of it can match.
fn no_provider_for(
    sent: &SentToken,
    config: Option<&AuthConfig>,
    token: &DecodedToken,
    matched: Option<usize>,
) -> bool {
    if let AuthOutcome::Rejected { message, .. } = &sent.outcome {
        if matches!(
            ServerError::classify(message),
            ServerError::NoAuthProvider { .. }
        ) {
            return true;
        }
    }
    matched.is_none() && config.is_some_and(|c| no_provider_matches(c, token))
}

/// The provider list the server printed in its latest error that has one (development deployments print it).
pub(super) fn server_config(ev: &Evidence) -> Option<AuthConfig> {
    ev.rejections()
        .iter()
        .rev()
        .find_map(|r| providers_from_server_message(&r.message))
}

/// The path a token takes and the provider it matched: from the configuration when known, else from the server's
/// words.
fn path_of(
    ev: &Evidence,
    config: Option<&AuthConfig>,
    token: &DecodedToken,
) -> (TokenPath, Option<usize>) {
    match config {
        Some(c) => issuer_path(c, token),
        None => (
            ev.latest_rejection()
                .and_then(|r| path_from_server(&ServerError::classify(&r.message)))
                .unwrap_or(TokenPath::Unknown),
            None,
        ),
    }
}

pub(super) fn judge(ev: &Evidence, user_config: Option<&AuthConfig>, keys: &KeyStore) -> Report {
    let mut findings: Vec<Finding> = Vec::new();
    let skew = super::fidelity::clock_offset(ev);
    let judged = ev.latest_token().map(|(_, sent)| Judged {
        sent,
        judged_at: sent.last_sent
            + if sent.source == super::TokenSource::Input {
                0.0
            } else {
                skew
            },
        decoded: super::fidelity::decode_sent(sent),
    });
    let iss = judged
        .as_ref()
        .and_then(|j| j.decoded.as_ref().ok())
        .and_then(|t| t.iss().map(str::to_owned));
    let provider = iss.as_deref().map(ProviderKind::recognise);
    let input_only = ev.input_only();

    // The configuration: the user's, else the provider list the server printed in its error.
    let server_config = server_config(ev);
    let config = user_config.or(server_config.as_ref());

    // The path the latest token takes, worked out once for the step-2 rules and the key checks.
    let route = judged
        .as_ref()
        .and_then(|j| j.decoded.as_ref().ok())
        .map(|t| path_of(ev, config, t));
    let path = route.as_ref().map_or(&TokenPath::Unknown, |(p, _)| p);

    step1(ev, input_only, &mut findings);
    if let Some(token) = judged.as_ref().and_then(|j| j.decoded.as_ref().ok()) {
        confirmed_by_identity_log(ev, token, &mut findings);
    }
    step2(ev, judged.as_ref(), path, &mut findings);
    if let Some(j) = &judged {
        super::fidelity::wrapped(j.sent, &mut findings);
    }
    around(ev, &mut findings);
    step3(ev, judged.as_ref(), config, &mut findings);
    // Verification with the issuer's keys, when the front end was allowed to fetch them (or was given them), and
    // only when a provider may take the token: the backend fetches nothing for one no provider matches.
    if let (Some(j), Some(token), Some((path, matched))) = (
        judged.as_ref(),
        judged.as_ref().and_then(|j| j.decoded.as_ref().ok()),
        &route,
    ) {
        if !no_provider_for(j.sent, config, token, *matched) {
            findings.extend(keys.findings(token, path, config, *matched));
        }
    }
    super::fidelity::traffic_rules(
        ev,
        judged.as_ref().and_then(|j| j.decoded.as_ref().ok()),
        path,
        &mut findings,
    );
    clock(ev, &mut findings);
    // Last: what the capture (a HAR file) cannot show is not concluded absent.
    super::capture::apply(ev, &mut findings);

    // Causes that fit the provider recognised from `iss`, for findings that have none of their own.
    let kind = provider.unwrap_or(ProviderKind::Custom);
    for f in findings.iter_mut() {
        if f.causes.is_empty() && f.severity >= Severity::Warn {
            f.causes = kind.causes(f.code);
        }
    }
    if let Some(token) = judged.as_ref().and_then(|j| j.decoded.as_ref().ok()) {
        crate::rules::library::add_library_causes(token, &mut findings);
    }
    dedupe(&mut findings);
    findings.sort_by_key(|f| (f.step, std::cmp::Reverse(f.severity)));

    // Functions ran, no user token went with them: whatever they logged, the backend saw no identity.
    // A token that expired during the session had been accepted before: it proves steps 2 and 3 as much.
    let confirmed = ev.accepted_once();
    let mut step1 = step_verdict(1, &findings, input_only, confirmed);
    if ev.ran_without_token()
        && super::capture::may_conclude_no_token(ev)
        && step1.status == Status::Unknown
    {
        step1.status = Status::Fail;
        step1.summary =
            "Functions ran without a user: the client sent no token with them (step 2).".to_owned();
    }
    let mut steps = vec![
        step1,
        step_verdict(2, &findings, input_only, confirmed),
        step_verdict(3, &findings, input_only, confirmed),
    ];
    super::unresolved_step::explain(&mut steps, &findings);
    let cause_step = cause_step(&steps);
    let fix_context = super::fix::Context {
        deployment: ev
            .deployments()
            .iter()
            .next()
            .map_or(super::fix::Deployment::Unknown, |d| {
                super::fix::Deployment::from_origin(d)
            }),
        provider: kind,
        token: judged.as_ref().and_then(|j| j.decoded.as_ref().ok()),
        config,
        production: ev.rejections().iter().any(|r| {
            matches!(
                ServerError::classify(&r.message),
                ServerError::NoAuthProvider { redacted: true, .. }
                    | ServerError::KidMissing { redacted: true }
            )
        }),
    };
    super::fix::attach(&mut findings, &fix_context);
    let verdict = super::fix::headline(&findings, cause_step, &fix_context)
        .unwrap_or_else(|| verdict_line(&steps, cause_step, &findings));

    let comparison = match (
        config,
        judged.as_ref().and_then(|j| j.decoded.as_ref().ok()),
    ) {
        (Some(config), Some(token)) => super::compare::comparison(config, token),
        _ => None,
    };
    let tokens: Vec<TokenView> = ev
        .tokens()
        .iter()
        .filter_map(|t| {
            let d = super::fidelity::decode_sent(t).ok()?;
            Some(TokenView {
                source: t.source.as_str(),
                sent_at: t.last_sent,
                header: d.header.clone(),
                payload: d.payload.clone(),
                signature: "<redacted>",
                claims: token::explain_claims(&d, t.last_sent),
                outcome: outcome_text(&t.outcome),
            })
        })
        .collect();

    Report {
        doctor: crate::VERSION,
        verdict,
        steps,
        cause_step,
        findings,
        token_groups: token_groups(&tokens),
        tokens,
        comparison,
        deployments: ev.deployments().shown(),
        timeline: ev.timeline_items().iter().cloned().collect(),
    }
}

/// The report's tokens grouped as a person reads them ([`token::group`]), with what varies and how each fared.
fn token_groups(tokens: &[TokenView]) -> Vec<TokenGroup> {
    let parts: Vec<token::group::Parts<'_>> =
        tokens.iter().map(|t| (&t.header, &t.payload)).collect();
    token::group::group(&parts)
        .into_iter()
        .map(|members| {
            let mut outcomes: Vec<(&'static str, usize)> = Vec::new();
            // The latest token's outcome first, then the others by how often they occur.
            for &i in members.iter().rev() {
                let Some(t) = tokens.get(i) else { continue };
                match outcomes.iter_mut().find(|(o, _)| *o == t.outcome) {
                    Some((_, n)) => *n += 1,
                    None => outcomes.push((t.outcome, 1)),
                }
            }
            if let Some((_, rest)) = outcomes.split_first_mut() {
                rest.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            }
            TokenGroup {
                varying: if members.len() > 1 {
                    token::group::varying(&parts, &members)
                } else {
                    Vec::new()
                },
                tokens: members,
                outcomes,
            }
        })
        .collect()
}

fn outcome_text(outcome: &AuthOutcome) -> &'static str {
    match outcome {
        AuthOutcome::Pending => "no answer seen",
        AuthOutcome::Confirmed { .. } => "accepted",
        AuthOutcome::Rejected { .. } => "rejected",
        AuthOutcome::ExpiredInSession { .. } => "expired during the session",
    }
}

/// A `'server identity'` line naming the token's own issuer and subject proves the backend accepted that token,
/// even when the capture holds no identity-raising Transition for it (an HTTP call whose response was not read, a
/// frame the capture missed).
fn confirmed_by_identity_log(ev: &Evidence, token: &DecodedToken, out: &mut Vec<Finding>) {
    if out.iter().any(|f| f.code == Code::AuthConfirmed) {
        return;
    }
    let Some(mut seen) = ev.identity() else {
        return;
    };
    // The latest line may be a null of another client of the page (mode 5) while the latest token's answer never
    // came: the client refetches its token once the first is confirmed (convex npm-packages/convex/src/browser/
    // sync/authentication_manager.ts:213-220) and the page may close the socket before that one is answered. The
    // latest line that logged this user's identity still shows what the backend did with the user's token.
    let pending = ev
        .latest_token()
        .is_some_and(|(_, t)| matches!(t.outcome, AuthOutcome::Pending));
    if pending && seen.log == IdentityLog::Null {
        match ev.last_identity_log() {
            Some(identity) => seen = identity,
            None => return,
        }
    }
    let IdentityLog::Identity {
        issuer, subject, ..
    } = &seen.log
    else {
        return;
    };
    let same = |logged: &Option<String>, claim: Option<&str>| {
        logged.as_deref().is_some_and(|l| Some(l) == claim)
    };
    if same(subject, token.claim_str("sub"))
        && issuer.as_deref().is_some_and(|i| {
            token
                .iss()
                .is_some_and(|iss| normalise_issuer(i) == normalise_issuer(iss))
        })
    {
        out.push(
            Finding::new(
                Code::AuthConfirmed,
                "The backend accepted the token: a function logged the identity it carries.",
            )
            .with("from", "the 'server identity' log line")
            .with("time", seen.time),
        );
    }
}

/// Issue 13's diagnoses from the traffic around the Convex API (`around_rules`): a token accepted but unused leads
/// step 1 (it is why the page looks signed out); refresh failures, HTTP actions and cookies are step-2 facts.
fn around(ev: &Evidence, out: &mut Vec<Finding>) {
    if let Some(f) = around_rules::unused(ev) {
        out.insert(0, f);
    }
    around_rules::refresh(ev, out);
    around_rules::http_actions(ev, out);
    around_rules::cookies(ev, out);
}

/// Step 2: does the client send a valid JWT?
fn step2(ev: &Evidence, judged: Option<&Judged>, path: &TokenPath, out: &mut Vec<Finding>) {
    let counts = ev.counts();
    if ev.admin_key_used() {
        out.push(
            Finding::new(
                Code::TokenAdmin,
                "The client authenticates with an admin key, not a user token.",
            )
            .with("times", counts.admin_auth),
        );
    }
    if let Some(time) = ev.cleared_at() {
        // The convex client clears auth itself once it gives up on a refused token: that is not a sign-out.
        let after_refusal = ev.refused_by(time);
        let message = if after_refusal {
            "After the backend refused the token, the client gave up and cleared its authentication."
        } else {
            "The client cleared its authentication (signed out, or its token fetcher returned null)."
        };
        out.push(
            Finding::new(Code::TokenCleared, message)
                .with("time", time)
                .with("after_refusal", after_refusal),
        );
    }
    if let Some((scheme, url)) = ev.bad_scheme() {
        out.push(
            Finding::new(
                Code::TokenBadScheme,
                format!("An Authorization header uses the scheme \"{scheme}\"; the backend takes only \"Bearer <jwt>\" (or \"Convex <admin key>\")."),
            )
            .with("scheme", scheme.to_owned())
            .with("request", url.to_owned()),
        );
    }
    let Some(j) = judged else {
        // When nothing ever reached the deployment, a missing token is not the story: the client may not have
        // fetched it before the socket died. Step 2 stays unknown and the cause is the connection.
        if ev.saw_convex() && ev.bad_scheme().is_none() && ev.reached_deployment() {
            let only_admin = ev.admin_key_used();
            // The provider's or auth library's own traffic may say why no token exists: then that is the cause.
            let cause = around_rules::why_absent(ev);
            let causes: Vec<String> = match &cause {
                Some(f) => vec![f.message.clone()],
                None => vec![
                    "The Convex client is not configured to fetch a JWT: use ConvexProviderWithClerk / ConvexProviderWithAuth0 / ConvexProviderWithAuth with ConvexReactClient, or call setAuth on ConvexClient / ConvexHttpClient.".to_owned(),
                    "You are not signed in, so the token is null and the client skipped authentication: log the token your auth provider returns (Clerk: getToken({ template: \"convex\" }); Auth0: the id_token).".to_owned(),
                ],
            };
            out.extend(cause);
            out.push(
                Finding::new(
                    Code::TokenAbsent,
                    if only_admin {
                        "No user token was sent: only an admin key."
                    } else {
                        "No user token was sent: no Authenticate with a user token, no Authorization: Bearer header."
                    },
                )
                .with("sockets", counts.sockets_seen)
                .with("http_calls", counts.http_calls)
                .causes(causes),
            );
        }
        return;
    };
    let token = match &j.decoded {
        Ok(t) => t,
        Err(m) => {
            let mut f = Finding::new(
                Code::TokenMalformed,
                format!("The token is not a valid JWT: {}", m.message),
            )
            .with("source", j.sent.source.as_str())
            .with("length", j.sent.text.len());
            if let Some(part) = m.part {
                f = f.with("part", json!(part));
            }
            for (k, v) in &m.evidence {
                f = f.with(k, v.clone());
            }
            out.push(f.causes([
                "The client passes something other than the whole JWT: an opaque access token, a token cut short, or one wrapped in quotes.",
                "The auth provider is misconfigured on the client and returns no ID token.",
            ]));
            return;
        }
    };
    let mut found = check_token(token, j.judged_at, path);
    for f in found.iter_mut() {
        f.evidence
            .insert("source".into(), json!(j.sent.source.as_str()));
        if j.judged_at != j.sent.last_sent {
            f.evidence
                .insert("sent_at_local_clock".into(), json!(j.sent.last_sent));
            f.evidence
                .insert("sent_at_server_clock".into(), json!(j.judged_at));
        }
    }
    out.extend(found);
}

/// Step 3: does the backend's configuration match the token?
fn step3(
    ev: &Evidence,
    judged: Option<&Judged>,
    config: Option<&AuthConfig>,
    out: &mut Vec<Finding>,
) {
    let token = judged.and_then(|j| j.decoded.as_ref().ok());
    // The server's own words, where they establish a step-3 (or step-2) fact by themselves.
    if let Some(r) = ev.latest_rejection() {
        let class = ServerError::classify(&r.message);
        if let ServerError::NoAuthProvider {
            no_providers_configured: true,
            ..
        } = class
        {
            out.push(
                Finding::new(
                    Code::ConfigNoProviders,
                    "The deployment has no authentication providers configured.",
                )
                .with("server_message", r.message.clone()),
            );
        } else if let Some(code) = class.implied_code() {
            let doc = code.doc();
            if doc.step >= 2 && code != Code::AuthDiscoveryFailed {
                out.push(
                    Finding::new(code, format!("The server says: \"{}\"", r.message))
                        .with("server_message", r.message.clone())
                        .with("meaning", class.explain()),
                );
            }
        }
    }
    let server_no_match = ev.latest_rejection().is_some_and(|r| {
        matches!(
            ServerError::classify(&r.message),
            ServerError::NoAuthProvider {
                no_providers_configured: false,
                ..
            }
        )
    });
    match (config, token) {
        (Some(config), Some(token)) => {
            let verdict = check_config(config, token);
            if server_no_match && verdict.matched.is_some() {
                out.push(
                    Finding::new(
                        Code::ConfigNoMatch,
                        "The configuration given here matches the token, but the deployment says none of its providers does: it runs another configuration.",
                    )
                    .causes([
                        "auth.config.ts was changed but not pushed (`npx convex dev` / `npx convex deploy`).",
                        "The deployment's environment variables differ from the values given here (dashboard Settings > Environment Variables).",
                        "The client talks to another deployment than the one this configuration belongs to.",
                    ]),
                );
            }
            if server_no_match {
                out.extend(super::unresolved_step::server_refused(&verdict.findings));
            }
            for mut f in verdict.findings {
                if config.source == ConfigSource::ServerMessage {
                    f.evidence
                        .insert("config_from".into(), json!("the server's error message"));
                }
                out.push(f);
            }
        }
        (Some(config), None) if config.providers.is_empty() => out.push(
            Finding::new(
                Code::ConfigNoProviders,
                "The configuration has no providers.",
            )
            .with("config_from", json!(config.source)),
        ),
        (Some(_), None) => {}
        (None, _) if server_no_match => out.push(
            Finding::new(
                Code::ConfigNoMatch,
                "The deployment says no provider matches the token's issuer and audience; its message does not list the providers, so paste auth.config.ts to see which differs.",
            )
            .with("server_message", ev.latest_rejection().map(|r| r.message.clone()).unwrap_or_default()),
        ),
        (None, _) => {
            if !out.iter().any(|f| f.step == 3) {
                out.push(Finding::new(
                    Code::ConfigUnknown,
                    "The backend's provider list is not known: paste convex/auth.config.ts, or reload so the server's error can be read.",
                ));
            }
        }
    }
}

/// Clock difference between this computer and the server.
fn clock(ev: &Evidence, out: &mut Vec<Finding>) {
    let Some(c) = ev.clock() else { return };
    let threshold = super::fidelity::CLOCK_THRESHOLD_S;
    if c.server_minus_local.abs() > threshold {
        let direction = if c.server_minus_local > 0.0 {
            "behind"
        } else {
            "ahead of"
        };
        out.push(
            Finding::new(
                Code::ClockSkew,
                format!(
                    "This computer's clock is {} {} the server's.",
                    token::human_duration(c.server_minus_local.abs()),
                    direction
                ),
            )
            .with("server_minus_local_seconds", c.server_minus_local)
            .with("from", c.source.as_str()),
        );
    }
}

/// Keeps one finding per code and step (the first, which carries the richest evidence), merging the server's
/// message into it.
fn dedupe(findings: &mut Vec<Finding>) {
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        if let Some(k) = kept
            .iter_mut()
            .find(|k| k.code == f.code && k.step == f.step && f.code != Code::TokenClaimMissing)
        {
            // The server's word can make a finding worse than the local rule alone (a `not_yet_valid` that is only
            // a warning on an unknown path, yet refused by the server): keep the worst.
            k.severity = k.severity.max(f.severity);
            for (key, value) in f.evidence {
                k.evidence.entry(key).or_insert(value);
            }
            continue;
        }
        kept.push(f);
    }
    *findings = kept;
}

fn step_verdict(step: u8, findings: &[Finding], input_only: bool, confirmed: bool) -> StepVerdict {
    let of_step: Vec<&Finding> = findings.iter().filter(|f| f.step == step).collect();
    let first = |sev: Severity| {
        of_step
            .iter()
            .find(|f| f.severity == sev)
            .map(|f| f.message.clone())
    };
    // The worst finding decides; info findings alone settle nothing, except that a token the backend accepted
    // proves steps 2 and 3 hold.
    let any = |sev: Severity| of_step.iter().any(|f| f.severity == sev);
    let (status, summary) = match () {
        _ if any(Severity::Fail) => (Status::Fail, first(Severity::Fail)),
        _ if any(Severity::Warn) => (Status::Warn, first(Severity::Warn)),
        _ if any(Severity::Pass) => (Status::Pass, first(Severity::Pass)),
        _ if confirmed && step > 1 => (
            Status::Pass,
            Some("The backend accepted the token, so this step holds.".to_owned()),
        ),
        _ => (Status::Unknown, None),
    };
    let summary = summary
        .or_else(|| super::capture::unknown_summary(findings, step))
        .unwrap_or_else(|| unknown_summary(step, input_only));
    StepVerdict {
        step,
        status,
        summary,
    }
}

fn unknown_summary(step: u8, input_only: bool) -> String {
    match (step, input_only) {
        (1, true) => "Not judged from a token alone: capture the app's traffic (the panel, or a HAR file) to see whether the backend accepts it.".into(),
        (1, false) => "Not settled yet: reload the page so the client connects and authenticates while DevTools is open.".into(),
        (2, _) => "Not settled yet: no token seen; reload the page with DevTools open.".into(),
        _ => "Not settled yet: paste convex/auth.config.ts (with its environment values), or reload so the server's error can be read.".into(),
    }
}

/// The guide's decision tree: nothing to find when step 1 passes; otherwise the first of steps 2 and 3 that fails,
/// else the first that warns (a refused `typ`, say, when the path is not known for sure), else step 1 itself when
/// it fails (not connected, discovery failing with everything else in order).
fn cause_step(steps: &[StepVerdict]) -> Option<u8> {
    let status = |n: u8| steps.iter().find(|s| s.step == n).map(|s| s.status);
    let step1 = status(1);
    if matches!(step1, Some(Status::Pass) | Some(Status::Warn)) {
        return None;
    }
    let first_with = |wanted: Status| [2u8, 3].into_iter().find(|&n| status(n) == Some(wanted));
    if let Some(n) = first_with(Status::Fail) {
        return Some(n);
    }
    if step1 == Some(Status::Fail) {
        return first_with(Status::Warn).or(Some(1));
    }
    None
}

fn verdict_line(steps: &[StepVerdict], cause: Option<u8>, findings: &[Finding]) -> String {
    let step1 = steps.iter().find(|s| s.step == 1);
    match cause {
        Some(n) => {
            // The cause step fails, or (step 1 failing) only warns: its worst finding says why.
            let first_with = |sev: Severity| {
                findings
                    .iter()
                    .find(|f| f.step == n && f.severity == sev)
                    .map(|f| f.message.clone())
            };
            let first_fail = first_with(Severity::Fail)
                .or_else(|| first_with(Severity::Warn))
                .unwrap_or_default();
            format!("Step {n} breaks: {first_fail}")
        }
        None if step1.is_some_and(|s| s.status == Status::Pass) => {
            "Authentication works: the backend sees the user.".to_owned()
        }
        None => step1
            .map(|s| s.summary.clone())
            .unwrap_or_else(|| "Not enough evidence yet.".to_owned()),
    }
}

/// The path the server's own words reveal when no configuration is known: some texts come only from the OIDC
/// path, others only from the customJwt path (convex-backend `crates/authentication/src/lib.rs`).
fn path_from_server(error: &ServerError) -> Option<TokenPath> {
    match error {
        ServerError::OidcClaimUnverified
        | ServerError::NotOidcToken
        | ServerError::DiscoveryFailed { .. } => Some(TokenPath::Oidc {
            application_id: None,
        }),
        ServerError::KidMissing { .. }
        | ServerError::KidNotInJwks { .. }
        | ServerError::InvalidIssuer { .. }
        | ServerError::InvalidAudience { .. }
        | ServerError::MissingAudience
        | ServerError::TokenExpired { .. }
        | ServerError::NotYetValid { .. }
        | ServerError::JwksUnavailable { .. }
        | ServerError::JwksUnparseable { .. } => Some(TokenPath::CustomJwt {
            algorithm: String::new(),
            application_id: None,
        }),
        _ => None,
    }
}
