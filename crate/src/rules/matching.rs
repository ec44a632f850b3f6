//! Step 3: which configured provider the backend picks for a token, and, when none, why.
//!
//! The selection mirrors `validate_id_token` in convex-backend `crates/authentication/src/lib.rs` and
//! `AuthInfo::matches_token` in `crates/common/src/auth.rs`: the FIRST provider whose domain/issuer equals the
//! token's `iss` after trimming trailing `/` on both sides (a token `iss` without `http://`/`https://` gets
//! `https://`), and whose `applicationID`, when set, is one of the token's audiences (`aud` string or array).
//! Config domains without a `scheme://` also get `https://` (`deserialize_issuer_url`, same file). Comparison is
//! exact and case-sensitive: the backend compares strings, not parsed URLs.

use serde_json::{json, Value};

use super::issuer_url::IssuerParts;
use super::unresolved::{self, issuer_fit, IssuerFit};
use super::ProviderKind;
use crate::config::{AuthConfig, ConfigValue, Provider};
use crate::findings::{Code, Finding};
use crate::token::{DecodedToken, TokenPath};

/// The backend's issuer normalisation (trailing `/` trimmed, `https://` added to a scheme-less value).
///
/// Token side (`matches_token`): `https://` is added unless the value starts with `https://` or `http://`.
pub fn normalise_issuer(s: &str) -> String {
    let with_scheme = if s.starts_with("https://") || s.starts_with("http://") {
        s.to_owned()
    } else {
        format!("https://{s}")
    };
    with_scheme.trim_end_matches('/').to_owned()
}

/// The configuration side: `deserialize_issuer_url` adds `https://` unless the value matches `^\w+://`.
pub fn normalise_config_domain(s: &str) -> String {
    let has_scheme = s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    let with_scheme = if has_scheme {
        s.to_owned()
    } else {
        format!("https://{s}")
    };
    with_scheme.trim_end_matches('/').to_owned()
}

/// The token's audiences as the backend reads them (biscuit's `SingleOrMultiple`): a string is one audience, an
/// array of strings many, anything else none.
pub fn token_audiences(token: &DecodedToken) -> Vec<String> {
    match token.payload.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// What step 3 says of one token against one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigVerdict {
    /// Step-3 findings (`config.*`).
    pub findings: Vec<Finding>,
    /// The path the token takes (the matched provider's), `Unknown` when none matches.
    pub path: TokenPath,
    /// Index of the matched provider in `config.providers`.
    pub matched: Option<usize>,
}

/// The parts of a provider the selection looks at.
struct View<'a> {
    index: usize,
    kind: &'static str,
    issuer: &'a ConfigValue,
    application_id: Option<&'a ConfigValue>,
}

fn view(index: usize, p: &Provider) -> View<'_> {
    match p {
        Provider::Oidc {
            domain,
            application_id,
        } => View {
            index,
            kind: "oidc",
            issuer: domain,
            application_id: application_id.as_ref(),
        },
        Provider::CustomJwt {
            issuer,
            application_id,
            ..
        } => View {
            index,
            kind: "customJwt",
            issuer,
            application_id: application_id.as_ref(),
        },
    }
}

fn value_json(v: &ConfigValue) -> Value {
    match v {
        ConfigValue::Literal { value } => json!(value),
        ConfigValue::Env { name, value } => json!({ "env": name, "value": value }),
        ConfigValue::Composed { parts, value, via } => {
            let mut v = json!({
                "env": parts.iter().flat_map(ConfigValue::env_names).collect::<Vec<_>>(),
                "value": value,
            });
            if let (Some(via), Some(o)) = (via, v.as_object_mut()) {
                o.insert("via".into(), json!(via));
            }
            v
        }
    }
}

fn provider_json(v: &View<'_>) -> Value {
    json!({
        "index": v.index,
        "type": v.kind,
        "issuer": value_json(v.issuer),
        "application_id": v.application_id.map(value_json),
    })
}

/// Does this provider's issuer equal `iss`? `None` when it reads an environment variable whose value is unknown
/// and could make it equal.
fn issuer_matches(v: &View<'_>, iss: &str) -> Option<bool> {
    issuer_fit_of(v.issuer, iss)
}

/// Does a configured domain/issuer equal `iss` for the backend? `None` when it reads an environment variable whose
/// value is unknown and could make it equal.
pub(super) fn issuer_fit_of(configured: &ConfigValue, iss: &str) -> Option<bool> {
    match issuer_fit(configured, iss) {
        IssuerFit::Known(same) => Some(same),
        IssuerFit::Impossible => Some(false),
        IssuerFit::Needs { .. } | IssuerFit::Unknown => None,
    }
}

/// Is the provider's applicationID (when set) among `aud`? `None` when it is an unresolved variable.
fn audience_matches(v: &View<'_>, aud: &[String]) -> Option<bool> {
    audience_fit(v.application_id, aud)
}

/// Is an applicationID (when set) one of the audiences (`audiences.contains`, convex-backend
/// `crates/common/src/auth.rs:60-64`)? `None` when it reads an unknown variable.
pub(super) fn audience_fit(app: Option<&ConfigValue>, aud: &[String]) -> Option<bool> {
    match app {
        None => Some(true),
        Some(app) => app.resolved().map(|a| aud.iter().any(|x| x == a)),
    }
}

fn path_of(p: &Provider) -> TokenPath {
    match p {
        Provider::Oidc { application_id, .. } => TokenPath::Oidc {
            application_id: application_id
                .as_ref()
                .and_then(|a| a.resolved())
                .map(str::to_owned),
        },
        Provider::CustomJwt {
            algorithm,
            application_id,
            ..
        } => TokenPath::CustomJwt {
            algorithm: algorithm.resolved().unwrap_or_default().to_owned(),
            application_id: application_id
                .as_ref()
                .and_then(|a| a.resolved())
                .map(str::to_owned),
        },
    }
}

fn env_unresolved(name: &str, role: &str, v: &View<'_>, needed: Option<&str>) -> Finding {
    let mut f =
        unresolved::env_unresolved(name, role, v.index, needed).with("provider", provider_json(v));
    // An unset variable is `undefined`, which JSON drops: the push then lacks the provider's required domain/issuer
    // (convex-backend `crates/common/src/auth.rs:124-139`, `SerializedAuthInfo`) and is refused.
    if role != "applicationID" && matches!(v.issuer, ConfigValue::Env { .. }) {
        f.causes.push(format!(
            "If {name} is not set on the deployment at all, pushing the config fails (its {role} is missing) and the deployment keeps its previous configuration: check the output of `npx convex dev`."
        ));
    }
    f
}

/// Applies the backend's provider selection to a token.
pub fn check_config(config: &AuthConfig, token: &DecodedToken) -> ConfigVerdict {
    let mut findings = Vec::new();
    let unknown = |findings| ConfigVerdict {
        findings,
        path: TokenPath::Unknown,
        matched: None,
    };
    if config.providers.is_empty() {
        findings.push(
            Finding::new(
                Code::ConfigNoProviders,
                "The backend has no authentication providers configured",
            )
            .with("source", json!(config.source))
            .causes(ProviderKind::Custom.causes(Code::ConfigNoProviders)),
        );
        return unknown(findings);
    }
    // Without `iss` the backend stops before selection ("Missing issuer claim"): step 2 reports it.
    let Some(iss) = token.iss() else {
        return unknown(findings);
    };
    let aud = token_audiences(token);
    let kind = ProviderKind::recognise(iss);
    let views: Vec<View<'_>> = config
        .providers
        .iter()
        .enumerate()
        .map(|(i, p)| view(i, p))
        .collect();

    // Walk in order as the backend does. A provider whose values are unknown might be the one it picks: say so.
    let mut uncertain: Vec<&View<'_>> = Vec::new();
    let mut matched: Option<&View<'_>> = None;
    for v in &views {
        match (issuer_matches(v, iss), audience_matches(v, &aud)) {
            (Some(true), Some(true)) => {
                matched = Some(v);
                break;
            }
            (Some(false), _) | (_, Some(false)) => {}
            _ => uncertain.push(v),
        }
    }

    // One finding per variable, even when several providers read it.
    let mut reported: Vec<&str> = Vec::new();
    for v in &uncertain {
        let role = if v.kind == "oidc" { "domain" } else { "issuer" };
        let needed = match issuer_fit(v.issuer, iss) {
            IssuerFit::Needs { name, value } => Some((name, value)),
            _ => None,
        };
        for name in v.issuer.unresolved_names() {
            if reported.contains(&name) {
                continue;
            }
            reported.push(name);
            let must = needed
                .as_ref()
                .filter(|(n, _)| n == name)
                .map(|(_, value)| value.as_str());
            let mut f = env_unresolved(name, role, v, must);
            if matches!(v.issuer, ConfigValue::Env { .. }) {
                f = f.with("must_equal", normalise_issuer(iss));
            }
            findings.push(f);
        }
        for name in v
            .application_id
            .map(ConfigValue::unresolved_names)
            .unwrap_or_default()
        {
            if reported.contains(&name) {
                continue;
            }
            reported.push(name);
            // A bare variable read as applicationID must be one of the token's audiences.
            let must = match (v.application_id, aud.as_slice()) {
                (Some(ConfigValue::Env { .. }), [one]) => Some(one.as_str()),
                _ => None,
            };
            findings.push(
                env_unresolved(name, "applicationID", v, must).with("must_be_one_of", json!(aud)),
            );
        }
    }

    if let Some(v) = matched {
        let provider = config.providers.get(v.index);
        let mut f = Finding::new(
            Code::ConfigMatched,
            format!(
                "The token's issuer and audience match provider {} ({})",
                v.index + 1,
                kind.label()
            ),
        )
        .with("provider", provider_json(v))
        .with("iss", iss)
        .with("aud", json!(aud));
        if !uncertain.is_empty() {
            let earlier: Vec<usize> = uncertain.iter().map(|u| u.index + 1).collect();
            f = f.with("earlier_unresolved_providers", json!(earlier));
        }
        findings.push(f);
        if v.application_id.is_none() {
            let mut f = Finding::new(
                Code::ConfigNoApplicationId,
                format!(
                    "Provider {} has no applicationID: any token from {iss} is accepted",
                    v.index + 1
                ),
            )
            .with("provider", provider_json(v));
            if v.kind == "oidc" {
                // SerializedAuthInfo::Oidc requires applicationID: the push itself would have been refused.
                f = f.with(
                    "note",
                    "OIDC providers require applicationID; the backend refuses a config without it",
                );
            }
            findings.push(f);
        }
        if v.kind == "customJwt" && token.header_str("kid").is_none() {
            findings.push(
                Finding::new(
                    Code::ConfigKidMissing,
                    format!(
                        "The token takes customJwt provider {} and its header has no `kid`",
                        v.index + 1
                    ),
                )
                .with("header", Value::Object(token.header.clone()))
                .with("provider", provider_json(v))
                .causes(kind.causes(Code::ConfigKidMissing)),
            );
        }
        let path = provider.map_or(TokenPath::Unknown, path_of);
        return ConfigVerdict {
            findings,
            path,
            matched: Some(v.index),
        };
    }

    // Nothing matched for sure. The backend would reject; which rule broke?
    let issuer_hits: Vec<&View<'_>> = views
        .iter()
        .filter(|v| issuer_matches(v, iss) == Some(true))
        .collect();
    if let Some(v) = issuer_hits
        .iter()
        .find(|v| audience_matches(v, &aud) == Some(false))
    {
        if uncertain.is_empty() {
            let app = v
                .application_id
                .and_then(|a| a.resolved())
                .unwrap_or_default();
            let mut f = Finding::new(
                Code::ConfigAudienceMismatch,
                format!(
                    "Provider {} has the token's issuer but its applicationID `{app}` is not in the token's aud {}",
                    v.index + 1,
                    if aud.is_empty() {
                        "(absent)".to_owned()
                    } else {
                        aud.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                    }
                ),
            )
            .with("aud", json!(aud))
            .with("application_id", app)
            .with("provider", provider_json(v))
            .causes(kind.causes(Code::ConfigAudienceMismatch));
            if matches!(kind, ProviderKind::Clerk { .. }) && app == "convex" {
                f = f.with("clerk_template_not_convex", true);
            }
            findings.push(f);
        }
        return unknown(findings);
    }
    if !uncertain.is_empty() {
        // An unresolved provider may well be the match: calling this a mismatch would be a guess.
        return unknown(findings);
    }
    findings.push(issuer_mismatch(&views, iss, &kind));
    unknown(findings)
}

/// Builds `config.issuer_mismatch` naming the closest provider and how it differs.
fn issuer_mismatch(views: &[View<'_>], iss: &str, kind: &ProviderKind) -> Finding {
    let token_norm = normalise_issuer(iss);
    let closest = views
        .iter()
        .filter_map(|v| v.issuer.resolved().map(|c| (v, c)))
        .max_by_key(|(_, c)| closeness(&normalise_config_domain(c), &token_norm));
    let mut f = Finding::new(
        Code::ConfigIssuerMismatch,
        format!("No provider's domain/issuer equals the token's iss `{iss}`"),
    )
    .with("iss", iss);
    let mut causes = Vec::new();
    if let Some((v, configured)) = closest {
        let diffs = differences(configured, iss);
        let mut msg = format!("No provider's domain/issuer equals the token's iss `{iss}`; closest is provider {} `{configured}`", v.index + 1);
        if let Some(first) = diffs.first() {
            msg.push_str(": ");
            msg.push_str(first.1.as_str());
        }
        f.message = msg;
        f = f
            .with("closest_provider", provider_json(v))
            .with(
                "differences",
                json!(diffs.iter().map(|(code, _)| *code).collect::<Vec<_>>()),
            )
            .with(
                "explanations",
                json!(diffs
                    .iter()
                    .map(|(_, text)| text.clone())
                    .collect::<Vec<_>>()),
            );
        for (_, text) in &diffs {
            causes.push(text.clone());
        }
    }
    causes.extend(kind.causes(Code::ConfigIssuerMismatch));
    f.causes(causes)
}

/// Higher is closer: same host first, then the same provider family, then a long common prefix.
pub(super) fn closeness(configured: &str, iss: &str) -> (u8, u8, usize) {
    let a = IssuerParts::split(configured);
    let b = IssuerParts::split(iss);
    let same_host = u8::from(a.hostname() == b.hostname());
    let family = u8::from(
        family(&a.hostname()) == family(&b.hostname()) && !family(&a.hostname()).is_empty(),
    );
    let prefix = configured
        .chars()
        .zip(iss.chars())
        .take_while(|(x, y)| x == y)
        .count();
    (same_host, family, prefix)
}

/// The part of a host that names the provider family (`clerk.accounts.dev`, `auth0.com`, `convex.site`).
fn family(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    let n = if host.ends_with(".clerk.accounts.dev") {
        3
    } else {
        2
    };
    if labels.len() <= n {
        return String::new();
    }
    labels
        .get(labels.len() - n..)
        .map(|l| l.join("."))
        .unwrap_or_default()
}

use super::config_values::KEY_PATHS;

/// How a configured value and `iss` differ, as (code, explanation), most telling first. Trailing slashes are not
/// a difference (the backend trims them).
fn differences(configured: &str, iss: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if configured != configured.trim() {
        out.push((
            "whitespace",
            "the configured value has spaces or a line break around it (check the environment variable's value)".to_owned(),
        ));
    }
    let c = IssuerParts::split(configured);
    let t = IssuerParts::split(iss);
    let c_norm = normalise_config_domain(configured.trim());
    let t_norm = normalise_issuer(iss);
    if let Some(p) = KEY_PATHS.iter().find(|p| c.path.ends_with(**p)) {
        let base = c_norm.strip_suffix(*p).unwrap_or(&c_norm);
        let same = base.trim_end_matches('/') == t_norm;
        out.push((
            "jwks_url_instead_of_issuer",
            if same {
                format!("the configured value is the key-set/discovery URL (`{p}`), not the issuer: use `{t_norm}`")
            } else {
                format!("the configured value looks like a key-set/discovery URL (`{p}`), not an issuer")
            },
        ));
        if same {
            return out;
        }
    }
    if c.scheme.is_empty() && !t.scheme.is_empty() && t.scheme != "https" {
        out.push(("scheme", format!("the configured value has no scheme, so the backend adds https://, but the token's iss uses {}://", t.scheme)));
    } else if !c.scheme.is_empty() && !t.scheme.is_empty() && c.scheme != t.scheme {
        out.push((
            "scheme",
            format!(
                "scheme differs: {}:// configured, {}:// in the token",
                c.scheme, t.scheme
            ),
        ));
    }
    let (ch, th) = (c.hostname(), t.hostname());
    if c.host != t.host {
        if c.host.eq_ignore_ascii_case(&t.host) {
            out.push((
                "host_case",
                "the hosts differ only in letter case, and the backend compares exactly".to_owned(),
            ));
        } else {
            match (
                ProviderKind::recognise(&c_norm),
                ProviderKind::recognise(&t_norm),
            ) {
                (
                    ProviderKind::Clerk { development: a, .. },
                    ProviderKind::Clerk { development: b, .. },
                ) if a == b => {
                    out.push(("other_clerk_instance", format!("another Clerk instance: `{ch}` configured, `{th}` in the token (wrong publishableKey, or a value copied from another Clerk app)")));
                }
                (ProviderKind::Clerk { development: a, .. }, ProviderKind::Clerk { .. }) => {
                    let (conf, tok) = if a {
                        ("development", "production")
                    } else {
                        ("production", "development")
                    };
                    out.push(("clerk_dev_vs_prod", format!("auth.config.ts names the Clerk {conf} instance `{ch}`, the token comes from the {tok} instance `{th}`")));
                }
                (ProviderKind::Auth0 { tenant: a }, ProviderKind::Auth0 { tenant: b }) => {
                    out.push(("other_auth0_tenant", format!("another Auth0 tenant or region: `{ch}` configured (tenant {a}), `{th}` in the token (tenant {b})")));
                }
                _ => out.push((
                    "host",
                    format!("host differs: `{ch}` configured, `{th}` in the token"),
                )),
            }
        }
    }
    if c.path != t.path
        && !out
            .iter()
            .any(|(code, _)| *code == "jwks_url_instead_of_issuer")
    {
        let show = |p: &str| {
            if p.is_empty() {
                "(none)".to_owned()
            } else {
                format!("`{p}`")
            }
        };
        out.push((
            "path",
            format!(
                "path differs: {} configured, {} in the token",
                show(&c.path),
                show(&t.path)
            ),
        ));
    }
    if c.scheme.is_empty() && matches!(ProviderKind::recognise(&c_norm), ProviderKind::Auth0 { .. })
    {
        out.push(("scheme_less_domain", "the configured Auth0 domain has no scheme; the backend reads it as https://… (that part is fine)".to_owned()));
    }
    if out.is_empty() {
        out.push((
            "other",
            format!("`{c_norm}` configured, `{t_norm}` in the token"),
        ));
    }
    out
}

/// The path a token takes as far as its issuer decides it, with the index of the provider it fully matched: the
/// matched provider's path, else that of the first provider whose issuer equals `iss` (the audience is then the
/// only obstacle, so that provider's rules still apply to the token: an OIDC provider needs `aud`), else `Unknown`.
pub fn issuer_path(config: &AuthConfig, token: &DecodedToken) -> (TokenPath, Option<usize>) {
    let verdict = check_config(config, token);
    if verdict.matched.is_some() {
        return (verdict.path, verdict.matched);
    }
    let Some(iss) = token.iss() else {
        return (TokenPath::Unknown, None);
    };
    let path = config
        .providers
        .iter()
        .enumerate()
        .find(|(i, p)| issuer_matches(&view(*i, p), iss) == Some(true))
        .map_or(TokenPath::Unknown, |(_, p)| path_of(p));
    (path, None)
}

/// Whether the backend is certain to find no provider for `token` in `config`: it picks the first provider whose
/// issuer equals `iss` and whose applicationID (when set) is among `aud`, and with none answers NoAuthProvider
/// before fetching anything (convex-backend `crates/authentication/src/lib.rs:185-196`). A provider whose values
/// read an unknown variable might match: then this is `false`. Without `iss` the backend stops even earlier
/// (`lib.rs:174-179`): `true`.
pub fn no_provider_matches(config: &AuthConfig, token: &DecodedToken) -> bool {
    let Some(iss) = token.iss() else {
        return true;
    };
    let aud = token_audiences(token);
    config.providers.iter().enumerate().all(|(i, p)| {
        let v = view(i, p);
        issuer_matches(&v, iss) == Some(false) || audience_matches(&v, &aud) == Some(false)
    })
}
