//! What to do, in plain words and with the capture's own values: a `Fix` for every finding of severity `warn` or
//! worse, and the headline (the report's `verdict`) that names the cause and its fix.
//!
//! Choices the issues leave open are in `docs/spec-extensions.md` ("Fixes and the headline"). The judge decides
//! what is wrong; this module only words what to do about it, from the findings' evidence, the token, the
//! configuration and the deployment the app talks to.

mod deployment;
mod project;

use serde_json::Value;

use crate::config::{AuthConfig, ConfigValue, Provider};
use crate::findings::{Code, Finding, Fix, Severity};
use crate::rules::{ProviderKind, ServerError};
use crate::token::{Audience, DecodedToken};
pub use deployment::{Deployment, Page};

/// What the fixes are worded from.
pub(super) struct Context<'a> {
    pub deployment: Deployment,
    pub provider: ProviderKind,
    pub token: Option<&'a DecodedToken>,
    pub config: Option<&'a AuthConfig>,
    /// The server's texts were production's redacted forms: push with `npx convex deploy`, set with `--prod`.
    pub production: bool,
}

/// Gives every finding of severity `warn` or worse its fix.
pub(super) fn attach(findings: &mut [Finding], cx: &Context<'_>) {
    let others: Vec<(Code, u8, Severity)> = findings
        .iter()
        .map(|f| (f.code, f.step, f.severity))
        .collect();
    for f in findings.iter_mut() {
        if f.severity >= Severity::Warn {
            f.fix = Some(fix_for(f, cx, &others));
        }
    }
}

/// The headline: the cause in plain words, then its fix. `cause` is the report's cause step.
pub(super) fn headline(
    findings: &[Finding],
    cause: Option<u8>,
    cx: &Context<'_>,
) -> Option<String> {
    let step = cause?;
    let f = lead_finding(findings, step)?;
    let cause_words = cause_words(f, cx);
    let fix = f.fix.as_ref().map(|x| x.action.as_str()).unwrap_or("");
    let label = if refusal_unexplained(f) {
        "Next check"
    } else {
        "Fix"
    };
    Some(format!("Step {step} breaks: {cause_words} {label}: {fix}"))
}

/// The finding the headline is about: the first failing one of the cause step, except that what the server said
/// (a refusal, a failed discovery, an internal error) outranks its symptom `identity.logged_null`.
fn lead_finding(findings: &[Finding], step: u8) -> Option<&Finding> {
    let rank = |f: &Finding| match f.code {
        Code::AuthDiscoveryFailed
        | Code::AuthInternalError
        | Code::ClientConnectionFailed
        | Code::ClientNoTraffic => 0,
        Code::AuthRejected => 1,
        Code::IdentityLoggedNull => 3,
        _ => 2,
    };
    let of_step = || findings.iter().filter(|f| f.step == step);
    let worst = of_step().map(|f| f.severity).max()?;
    of_step()
        .filter(|f| f.severity == worst)
        .min_by_key(|f| rank(f))
}

/// A refusal whose reason the doctor cannot tell yet (the lead finding is the server's word itself).
fn refusal_unexplained(f: &Finding) -> bool {
    f.code == Code::AuthRejected
}

/// The cause as a person says it; provider-specific where the issuer is recognised.
fn cause_words(f: &Finding, cx: &Context<'_>) -> String {
    let aud = aud_text(cx);
    let app = ev_str(f, "application_id").unwrap_or_default();
    match (f.code, &cx.provider) {
        (Code::ConfigAudienceMismatch, ProviderKind::Clerk { .. }) => format!(
            "the Clerk JWT template is not named convex: the token's aud is {aud}, the deployment expects {app}."
        ),
        (Code::ConfigAudienceMismatch, ProviderKind::Auth0 { .. }) => format!(
            "the token is for another client ID: its aud is {aud}, the deployment expects the client ID {app}."
        ),
        (Code::TokenClaimMissing, ProviderKind::Clerk { .. }) if ev_str(f, "claim") == Some("aud") => {
            "the token has no aud: it is Clerk's session token, not one from the JWT template named convex.".to_owned()
        }
        (Code::ConfigIssuerMismatch, ProviderKind::Clerk { .. }) => format!(
            "the token comes from the Clerk instance {}, which the deployment does not trust ({}).",
            iss(cx),
            closest_domain(f).unwrap_or_else(|| "no provider has it".to_owned())
        ),
        (Code::ConfigIssuerMismatch, _) => match closest_domain(f) {
            Some(c) => format!(
                "the deployment trusts the issuer {c}, but the token's iss is {}.",
                iss(cx)
            ),
            None => format!("no provider of the deployment has the token's iss {}.", iss(cx)),
        },
        (Code::ConfigAudienceMismatch, _) => format!(
            "the token's aud is {aud}, but the deployment's provider expects {app}."
        ),
        (Code::AuthRejected, _) => {
            let meaning = ev_str(f, "meaning").unwrap_or("the server did not say why");
            format!(
                "the backend refused the token and this capture does not yet show why. The refusal means: {}",
                end_sentence(meaning)
            )
        }
        _ => end_sentence(&lower_first(&f.message)),
    }
}

fn fix_for(f: &Finding, cx: &Context<'_>, others: &[(Code, u8, Severity)]) -> Fix {
    let d = &cx.deployment;
    let on = d.describe();
    let push = push_command(cx);
    let explained_elsewhere = |step: u8| {
        others
            .iter()
            .any(|(c, s, sev)| *s > step && *sev == Severity::Fail && *c != f.code)
    };
    if let Some(x) = project::fix_for(f, cx) {
        return x;
    }
    match f.code {
        Code::ClientNoTraffic => fix(
            "reload the page with DevTools open (a socket opened before DevTools is never seen), then check the app's deployment URL and the browser console.",
            None,
            vec![d.place(Page::Logs)],
        ),
        Code::ClientConnectionFailed => fix(
            format!("make sure {on} is running and is the URL the client uses (VITE_CONVEX_URL / NEXT_PUBLIC_CONVEX_URL); for a dev deployment keep `npx convex dev` running."),
            Some("npx convex dev".to_owned()),
            vec![d.place(Page::Logs)],
        ),
        Code::IdentityNullBeforeAuth => fix(
            "render the query inside <Authenticated>, or pass \"skip\" until useConvexAuth().isAuthenticated is true.",
            None,
            vec![d.place(Page::Logs)],
        ),
        Code::IdentityLoggedNull if explained_elsewhere(1) => fix(
            "see the cause found at step 2 or 3 below: this null identity is its symptom.",
            None,
            vec![d.place(Page::Logs)],
        ),
        Code::IdentityLoggedNull
            if others.iter().any(|(c, _, _)| {
                matches!(
                    c,
                    Code::AuthRejected | Code::AuthInternalError | Code::AuthDiscoveryFailed
                )
            }) =>
        {
            fix(
                "see why the backend refused the token (the server's word, at step 1): this null identity is its symptom.",
                None,
                vec![d.place(Page::Logs)],
            )
        }
        Code::IdentityLoggedNull => fix(
            "make the client send the user's token (ConvexProviderWithClerk / ConvexProviderWithAuth0 / ConvexProviderWithAuth, or setAuth), with the user signed in.",
            None,
            vec![d.place(Page::Logs), d.place(Page::Functions)],
        ),
        Code::AuthRejected if explained_elsewhere(1) => fix(
            "see the cause found at step 2 or 3 below: the refusal follows from it.",
            None,
            vec![d.place(Page::Logs), d.place(Page::Authentication)],
        ),
        Code::AuthRejected => rejected_next_check(f, cx),
        Code::AuthDiscoveryFailed => fix(
            format!(
                "make {}/.well-known/openid-configuration and its jwks_uri publicly reachable JSON, or correct the provider's domain in convex/auth.config.ts on {on}.",
                iss(cx).trim_end_matches('/')
            ),
            None,
            vec![d.place(Page::Authentication)],
        ),
        Code::AuthInternalError => fix(
            format!("make the identity provider issue iss as a full https:// URL, and use that same URL as the provider's domain on {on}."),
            None,
            vec![d.place(Page::Authentication), d.place(Page::Logs)],
        ),
        Code::TokenExpired => fix(
            format!(
                "make the token fetcher return a fresh token when called with forceRefreshToken: true; this one expired at {} ({} before it was sent).",
                ev_str(f, "exp_utc").unwrap_or("its exp"),
                duration(f.evidence.get("seconds_before_sent").and_then(Value::as_f64))
            ),
            None,
            vec![],
        ),
        Code::AuthExpiredInSession => fix(
            "make the token fetcher return a fresh token when called with forceRefreshToken: true (never a cached one); if the token looks fresh, check this computer's clock.",
            None,
            vec![],
        ),
        Code::TokenAbsent => fix(
            match &cx.provider {
                ProviderKind::Clerk { .. } => format!("wrap the app in ConvexProviderWithClerk with Clerk's useAuth, and sign in, so that calls to {on} carry the user's token."),
                ProviderKind::Auth0 { .. } => format!("wrap the app in ConvexProviderWithAuth0, and sign in, so that calls to {on} carry the user's token."),
                _ => format!("give the Convex client a token fetcher (ConvexProviderWithAuth, or setAuth on ConvexClient/ConvexHttpClient) and sign in, so that calls to {on} carry the user's token."),
            },
            None,
            vec![],
        ),
        Code::TokenWrapped => fix(
            format!("return the bare JWT from the token fetcher, without {}.", list(f, "wrappers").unwrap_or_else(|| "quotes, a `Bearer ` prefix or whitespace".to_owned())),
            None,
            vec![],
        ),
        Code::TokenBadScheme => fix("send `Authorization: Bearer <jwt>` (ConvexHttpClient.setAuth does).", None, vec![]),
        Code::TokenMalformed => fix(
            format!(
                "pass the whole JWT (an ID token, not an opaque access token) to the client, uncut: what was sent has {} part(s) and {} characters, a JWT has 3.",
                num(f, "parts"),
                num(f, "length")
            ),
            None,
            vec![],
        ),
        Code::TokenIssNoScheme => fix(
            format!(
                "make the identity provider issue iss as https://{}, and set the provider's domain to that same URL on {on}.",
                iss(cx)
            ),
            None,
            vec![d.place(Page::Authentication)],
        ),
        Code::TokenClaimMissing => claim_missing(f, cx),
        Code::TokenAudMultiple => fix(
            format!(
                "issue the token for one audience, {}, instead of {} (or configure a customJwt provider).",
                wanted_app(cx).unwrap_or_else(|| "the provider's applicationID".to_owned()),
                aud_text(cx)
            ),
            None,
            vec![],
        ),
        Code::TokenAlgNone => fix("sign the token (RS256 or ES256): its header says alg none, and unsigned tokens are never accepted.", None, vec![]),
        Code::TokenAlgUnsupported => fix(
            format!("sign with an algorithm the path takes (OIDC: RS256 or EdDSA), or set the customJwt provider's algorithm to {} on {on}.", cx.token.and_then(|t| t.alg()).unwrap_or("the token's alg")),
            Some(push),
            vec![],
        ),
        Code::TokenTyp => fix(
            format!("send the ID token (typ JWT), not this typ {} token, or configure a customJwt provider for it.", ev_str(f, "typ").or(cx.token.and_then(|t| t.typ())).unwrap_or("other")),
            None,
            vec![],
        ),
        Code::TokenHeaderRefused => fix(
            format!("mint the token without the {} header parameter, or configure a customJwt provider for it.", ev_str(f, "header_field").unwrap_or("cty/crit")),
            None,
            vec![],
        ),
        Code::TokenClaimType => fix(
            format!(
                "emit {} as {}, or rename the custom claim.",
                ev_str(f, "claim").unwrap_or("the claim"),
                ev_str(f, "expected").unwrap_or("its standard JSON type")
            ),
            None,
            vec![],
        ),
        Code::TokenNotYetValid => fix(
            format!(
                "sync the clock of the machine that issues the tokens: its {} lies {} after the token was sent.",
                ev_str(f, "claim").unwrap_or("nbf/iat"),
                duration(f.evidence.get("seconds_after_sent").and_then(Value::as_f64))
            ),
            None,
            vec![],
        ),
        Code::ClockSkew => fix("sync the clock of this computer and of the machine that issues the tokens.", None, vec![]),
        Code::TokenExpInMs => fix("write JWT times in seconds since 1970 where the token is made (divide by 1000).", None, vec![]),
        Code::ConfigNoProviders => fix(
            format!("create convex/auth.config.ts with your provider and push it to {on}."),
            Some(push),
            vec![d.place(Page::Authentication), d.place(Page::Functions)],
        ),
        Code::ConfigIssuerMismatch => issuer_mismatch(f, cx),
        Code::ConfigAudienceMismatch => audience_mismatch(f, cx),
        Code::ConfigNoMatch => fix(
            format!("compare the token's iss {} and aud {} with the providers on {on}, and push the configuration you checked here.", iss(cx), aud_text(cx)),
            Some(push),
            vec![d.place(Page::Authentication), d.place(Page::EnvironmentVariables)],
        ),
        Code::ConfigNoApplicationId => fix("set applicationID unless you mean to accept every token of that issuer.", Some(push), vec![d.place(Page::Authentication)]),
        Code::ConfigKidMissing => fix(
            match &cx.provider {
                ProviderKind::ConvexAuth { site } => format!("configure the provider as OIDC: domain https://{site}.convex.site (CONVEX_SITE_URL), applicationID \"convex\", not customJwt; push to {on}."),
                _ => format!("make {} put a kid matching a key of its JWKS in the token's header, or configure an OIDC provider for it on {on}.", iss(cx)),
            },
            Some(push),
            vec![d.place(Page::Authentication)],
        ),
        Code::ConfigJwksUnparseable => fix(
            format!(
                "publish {} without the field the backend's parser refuses (for an Ed25519 key, drop alg), or sign with RS256/ES256 keys.",
                jwks_url(f).unwrap_or_else(|| "the JWKS".to_owned())
            ),
            None,
            vec![],
        ),
        Code::SignatureInvalid => fix(
            format!("get tokens from the instance whose keys {} publishes (another instance, environment or a tampered token signed this one).", iss(cx)),
            None,
            vec![],
        ),
        Code::JwksKidNotFound => fix(
            format!(
                "sign in again to get a token signed with a current key of {} (this one names kid {}), or correct the issuer.",
                iss(cx),
                cx.token.and_then(|t| t.kid()).unwrap_or("none")
            ),
            None,
            vec![],
        ),
        Code::JwksUnreachable => fix("make the discovery document and JWKS reachable from the internet (the backend fetches them).", None, vec![]),
        Code::DiscoveryIssuerMismatch => fix(
            format!(
                "make the token's iss ({}) exactly the discovery document's issuer ({}), trailing slash included.",
                iss(cx),
                ev_str(f, "discovery_issuer").or(ev_str(f, "issuer")).unwrap_or("its issuer")
            ),
            None,
            vec![d.place(Page::Authentication)],
        ),
        Code::DeploymentMultiple => fix("check the auth configuration of the deployment that received the token.", None, vec![d.place(Page::Authentication)]),
        // A code added elsewhere without a wording here yet: its first cause is the most likely thing to fix.
        _ => fix(
            f.causes.first().cloned().unwrap_or_else(|| "see the finding above.".to_owned()),
            None,
            vec![d.place(Page::Logs)],
        ),
    }
}

/// `auth.rejected` when nothing at steps 2 and 3 explains it: what to check next, by what the server said.
fn rejected_next_check(f: &Finding, cx: &Context<'_>) -> Fix {
    let d = &cx.deployment;
    let error = ServerError::classify(ev_str(f, "server_message").unwrap_or_default());
    let keys = "verify the signature with the issuer's keys: press \"Check the signature\" in the panel (command line: add --fetch, or --jwks with the issuer's key set).";
    let action = match error {
        ServerError::OidcClaimUnverified
        | ServerError::KidMissing { .. }
        | ServerError::KidNotInJwks { .. }
        | ServerError::AlgorithmMismatch => keys.to_owned(),
        ServerError::NoAuthProvider { .. } => format!(
            "paste convex/auth.config.ts with the values of {}'s environment variables, so the doctor can say whether iss {} or aud {} differs.",
            d.describe(),
            iss(cx),
            aud_text(cx)
        ),
        ServerError::JwksUnavailable { url: Some(url) } => format!(
            "open {url} from the internet: the backend must get the provider's key set there, as JSON with Content-Type application/json."
        ),
        ServerError::DiscoveryFailed { issuer } => format!(
            "open {}/.well-known/openid-configuration from the internet: the backend must get the discovery document there.",
            issuer.trim_end_matches('/')
        ),
        _ => format!(
            "read the logs of {} at the time of the refusal, and paste convex/auth.config.ts with its environment values.",
            d.describe()
        ),
    };
    fix(
        action,
        None,
        vec![d.place(Page::Logs), d.place(Page::Authentication)],
    )
}

fn claim_missing(f: &Finding, cx: &Context<'_>) -> Fix {
    let claim = ev_str(f, "claim").unwrap_or("the claim");
    if claim == "aud" {
        let app = wanted_app(cx).unwrap_or_else(|| "the provider's applicationID".to_owned());
        return match &cx.provider {
            ProviderKind::Clerk { .. } => fix(
                format!("in the Clerk dashboard create a JWT template named convex (its aud is {app}) and use ConvexProviderWithClerk, which asks for it."),
                None,
                vec![],
            ),
            _ => fix(
                format!("make the identity provider put aud {app} in the token (Clerk: the JWT template named convex; Auth0: the ID token, whose aud is the client ID)."),
                None,
                vec![],
            ),
        };
    }
    fix(
        format!("configure the provider's token (or template) to include {claim}."),
        None,
        vec![],
    )
}

fn issuer_mismatch(f: &Finding, cx: &Context<'_>) -> Fix {
    let d = &cx.deployment;
    let on = d.describe();
    let token_iss = iss(cx);
    let configured = closest_domain(f);
    let jwks_url = f
        .evidence
        .get("differences")
        .and_then(Value::as_array)
        .is_some_and(|d| {
            d.iter()
                .any(|x| x.as_str() == Some("jwks_url_instead_of_issuer"))
        });
    // The configured value was the key set's URL: the value to set is plainly the issuer. Otherwise the doctor
    // cannot know which side is right, so it offers the other one too.
    let (what, also) = match &configured {
        Some(_) if jwks_url => (
            " (the issuer, not its key set URL)".to_owned(),
            String::new(),
        ),
        Some(c) => (
            String::new(),
            format!(" — or, if {c} is the right issuer, make the client get its tokens there"),
        ),
        None => (String::new(), String::new()),
    };
    match closest_env(f, cx) {
        Some(name) => fix(
            format!("set {name} to {token_iss}{what} on {on}{also}."),
            Some(env_set(cx, &name, &token_iss)),
            vec![d.place(Page::EnvironmentVariables), d.place(Page::Authentication)],
        ),
        None => fix(
            format!("make the provider's domain {token_iss}{what} on {on} (in convex/auth.config.ts, or in the environment variable it reads), then push{also}."),
            Some(push_command(cx)),
            vec![d.place(Page::Authentication), d.place(Page::EnvironmentVariables)],
        ),
    }
}

fn audience_mismatch(f: &Finding, cx: &Context<'_>) -> Fix {
    let d = &cx.deployment;
    let on = d.describe();
    let app = ev_str(f, "application_id")
        .unwrap_or("applicationID")
        .to_owned();
    let aud = aud_text(cx);
    let env = provider_index(f)
        .and_then(|i| provider_app_env(cx, i))
        .map(str::to_owned);
    match &cx.provider {
        ProviderKind::Clerk { .. } => fix(
            format!("in the Clerk dashboard name the JWT template convex (its aud is {app}) and have the client ask for it (ConvexProviderWithClerk does); the token's aud is {aud}."),
            None,
            vec![d.place(Page::Authentication)],
        ),
        ProviderKind::Auth0 { .. } => {
            let target = env.clone().unwrap_or_else(|| "applicationID".to_owned());
            fix(
                format!("use the client ID {app} in the app's Auth0Provider (clientId) — or, if {aud} is the app's client ID, set {target} to {aud} on {on}."),
                env.as_deref().map(|name| env_set(cx, name, &aud)),
                vec![d.place(Page::EnvironmentVariables), d.place(Page::Authentication)],
            )
        }
        _ => match env {
            Some(name) => fix(
                format!("set {name} to {aud} on {on}, or make the client request tokens for the audience {app}."),
                Some(env_set(cx, &name, &aud)),
                vec![d.place(Page::EnvironmentVariables), d.place(Page::Authentication)],
            ),
            None => fix(
                format!("make the token's aud contain {app} (request tokens for that audience), or set the provider's applicationID to {aud} on {on}."),
                Some(push_command(cx)),
                vec![d.place(Page::Authentication)],
            ),
        },
    }
}

fn fix(
    action: impl Into<String>,
    command: Option<String>,
    places: Vec<crate::findings::Place>,
) -> Fix {
    let mut action = action.into();
    if let Some(first) = action.get(..1) {
        let upper = first.to_ascii_uppercase();
        action.replace_range(..1, &upper);
    }
    Fix {
        action,
        command,
        places,
    }
}

/// `npx convex env set NAME 'value'` for this deployment. The value is single-quoted for a POSIX shell (a quote
/// inside is closed, escaped and reopened), since it came from a token.
fn env_set(cx: &Context<'_>, name: &str, value: &str) -> String {
    let quoted = format!("'{}'", value.replace('\'', "'\\''"));
    let prod = if cx.production && !matches!(cx.deployment, Deployment::Cloud { .. }) {
        " --prod"
    } else {
        ""
    };
    format!(
        "npx convex env set {name} {quoted}{}{prod}",
        cx.deployment.env_option()
    )
}

fn push_command(cx: &Context<'_>) -> String {
    if cx.production {
        "npx convex deploy".to_owned()
    } else {
        "npx convex dev".to_owned()
    }
}

fn iss(cx: &Context<'_>) -> String {
    cx.token
        .and_then(|t| t.iss())
        .unwrap_or("(no iss)")
        .to_owned()
}

fn aud_text(cx: &Context<'_>) -> String {
    match cx.token.map(|t| t.aud()) {
        Some(Audience::One(a)) => a,
        Some(Audience::Many(list)) => list.join(", "),
        Some(Audience::Invalid(v)) => v.to_string(),
        Some(Audience::Absent) | None => "(none)".to_owned(),
    }
}

/// The applicationID of the first provider that has one (the audience the token should carry).
fn wanted_app(cx: &Context<'_>) -> Option<String> {
    cx.config?.providers.iter().find_map(|p| {
        let app = match p {
            Provider::Oidc { application_id, .. } | Provider::CustomJwt { application_id, .. } => {
                application_id.as_ref()
            }
        };
        app.and_then(|v| v.resolved()).map(str::to_owned)
    })
}

fn ev_str<'f>(f: &'f Finding, key: &str) -> Option<&'f str> {
    f.evidence.get(key).and_then(Value::as_str)
}

/// The key set's URL: from the evidence, else from the server's words.
fn jwks_url(f: &Finding) -> Option<String> {
    if let Some(url) = ev_str(f, "jwks").or(ev_str(f, "url")) {
        return Some(url.to_owned());
    }
    match ServerError::classify(ev_str(f, "server_message")?) {
        ServerError::JwksUnavailable { url } | ServerError::JwksUnparseable { url } => url,
        _ => None,
    }
}

/// The index of the provider a finding names (`closest_provider` or `provider`).
fn provider_index(f: &Finding) -> Option<usize> {
    ["closest_provider", "provider"].iter().find_map(|k| {
        f.evidence
            .get(*k)?
            .get("index")?
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
    })
}

/// The configured domain/issuer of the provider closest to the token, as configured.
fn closest_domain(f: &Finding) -> Option<String> {
    let issuer = f.evidence.get("closest_provider")?.get("issuer")?;
    match issuer {
        Value::String(s) => Some(s.clone()),
        other => other.get("value")?.as_str().map(str::to_owned),
    }
}

/// The environment variable the closest provider's domain/issuer reads, when the configuration says.
fn closest_env(f: &Finding, cx: &Context<'_>) -> Option<String> {
    let provider = cx.config?.providers.get(provider_index(f)?)?;
    let value = match provider {
        Provider::Oidc { domain, .. } => domain,
        Provider::CustomJwt { issuer, .. } => issuer,
    };
    // A value built from several parts (`https://${process.env.X}`) is not set by one variable to the token's iss:
    // the fix then names the provider's domain instead.
    match value {
        ConfigValue::Env { name, .. } => Some(name.clone()),
        ConfigValue::Literal { .. } | ConfigValue::Composed { .. } => None,
    }
}

/// The environment variable a provider's applicationID reads, when the configuration says.
fn provider_app_env<'c>(cx: &Context<'c>, index: usize) -> Option<&'c str> {
    let provider = cx.config?.providers.get(index)?;
    let app = match provider {
        Provider::Oidc { application_id, .. } | Provider::CustomJwt { application_id, .. } => {
            application_id.as_ref()?
        }
    };
    match app {
        ConfigValue::Env { name, .. } => Some(name),
        ConfigValue::Literal { .. } | ConfigValue::Composed { .. } => None,
    }
}

/// A duration in plain words ("100 s", "3 min 12 s"); "some time" when the evidence has none.
fn duration(seconds: Option<f64>) -> String {
    seconds.map_or_else(
        || "some time".to_owned(),
        crate::token::time::human_duration,
    )
}

/// A list of strings in the evidence, joined ("the `Bearer ` prefix, quotes").
fn list(f: &Finding, key: &str) -> Option<String> {
    let items: Vec<&str> = f
        .evidence
        .get(key)?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    (!items.is_empty()).then(|| items.join(", "))
}

/// A number in the evidence, as text ("?" when absent).
fn num(f: &Finding, key: &str) -> String {
    f.evidence
        .get(key)
        .and_then(Value::as_u64)
        .map_or_else(|| "?".to_owned(), |n| n.to_string())
}

fn lower_first(s: &str) -> String {
    let mut out = s.to_owned();
    if let Some(first) = out.get(..1) {
        if !out
            .get(1..2)
            .is_some_and(|c| c.chars().all(|c| c.is_ascii_uppercase()))
        {
            let lower = first.to_ascii_lowercase();
            out.replace_range(..1, &lower);
        }
    }
    out
}

fn end_sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}
