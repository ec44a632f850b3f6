//! What a configuration's values say by themselves, with no token: the mistakes people make when they fill in a
//! provider, judged by the rules the backend applies when it reads the pushed config (convex-backend
//! `crates/common/src/auth.rs`, `SerializedAuthInfo` and `deserialize_issuer_url`, lines cited below) and when it
//! matches a token (`AuthInfo::matches_token`, same file).
//!
//! One function per mistake; [`check_values`] runs them over every provider. Values whose variable's name looks
//! like a secret are never quoted (see [`is_secret_name`]).

use serde_json::{json, Value};

use super::issuer_url::IssuerParts;
use super::ProviderKind;
use crate::config::{AuthConfig, ConfigValue, Provider};
use crate::findings::{Code, Finding, Severity};
use crate::text::base64::Base64;

/// Where the value of one environment variable came from, in words for a report ("the deployment's env list",
/// ".env.local (not the deployment's value)").
pub type Sources<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A value the checks look at: which provider, which field, the value, and how it was written.
struct Field<'a> {
    index: usize,
    role: &'static str,
    value: &'a ConfigValue,
}

/// Well-known key-set and discovery paths people paste instead of the issuer (also used by
/// `matching::differences`, which explains a mismatch with a token).
pub const KEY_PATHS: &[&str] = &[
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
    "/.well-known/jwks",
    "/oauth/jwks",
    "/oauth2/jwks",
    "/jwks.json",
    "/jwks",
    "/certs",
    "/protocol/openid-connect/certs",
];

/// Names whose values are credentials: never quoted in a report (`CLERK_SECRET_KEY`, `JWT_PRIVATE_KEY`,
/// `CONVEX_DEPLOY_KEY`, `CONVEX_SELF_HOSTED_ADMIN_KEY`, `AUTH_GITHUB_SECRET`, `BETTER_AUTH_SECRET`, …). A
/// publishable key is public by design.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    if n.contains("PUBLISHABLE") {
        return false;
    }
    [
        "SECRET",
        "PRIVATE",
        "PASSWORD",
        "TOKEN",
        "ADMIN_KEY",
        "DEPLOY_KEY",
        "API_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n == "JWKS"
}

/// Every token-less finding about the configuration's values, provider by provider.
pub fn check_values(config: &AuthConfig, sources: Sources<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if config.providers.is_empty() {
        out.push(Finding::new(
            Code::ConfigNoProviders,
            "auth.config.ts exports no providers: the deployment refuses every token.",
        ));
    }
    for (index, p) in config.providers.iter().enumerate() {
        out.push(describe(index, p, sources));
        let (issuer_role, issuer) = match p {
            Provider::Oidc { domain, .. } => ("domain", domain),
            Provider::CustomJwt { issuer, .. } => ("issuer", issuer),
        };
        let issuer = Field {
            index,
            role: issuer_role,
            value: issuer,
        };
        issuer_findings(&issuer, sources, &mut out);
        application_id(index, p, sources, &mut out);
        if let Provider::CustomJwt {
            jwks, algorithm, ..
        } = p
        {
            let jwks = Field {
                index,
                role: "jwks",
                value: jwks,
            };
            if let Some(f) = decorated(&jwks, sources) {
                out.push(f);
            }
            let algorithm = Field {
                index,
                role: "algorithm",
                value: algorithm,
            };
            if let Some(f) = unsupported_algorithm(&algorithm) {
                out.push(about(f, &algorithm, sources));
            }
        }
    }
    out
}

/// `config.provider`: the provider as the doctor reads it, each value with where it came from.
fn describe(index: usize, p: &Provider, sources: Sources<'_>) -> Finding {
    let (kind, issuer, app) = match p {
        Provider::Oidc {
            domain,
            application_id,
        } => ("OIDC", domain, application_id.as_ref()),
        Provider::CustomJwt {
            issuer,
            application_id,
            ..
        } => ("customJwt", issuer, application_id.as_ref()),
    };
    let role = if kind == "OIDC" { "domain" } else { "issuer" };
    let recognised = issuer
        .resolved()
        .map(|v| ProviderKind::recognise(v.trim()).label());
    let mut message = format!(
        "Provider {} ({kind}): {role} {}, applicationID {}",
        index + 1,
        shown(issuer, sources),
        app.map_or_else(|| "(none)".to_owned(), |a| shown(a, sources)),
    );
    if let Some(label) = &recognised {
        message.push_str(&format!(" — {label}"));
    }
    let mut f = Finding::new(Code::ConfigProvider, message)
        .with("index", index + 1)
        .with("type", if kind == "OIDC" { "oidc" } else { "customJwt" })
        .with(role, value_json(issuer, sources));
    f = f.with(
        "application_id",
        app.map_or(Value::Null, |a| value_json(a, sources)),
    );
    if let Provider::CustomJwt {
        jwks, algorithm, ..
    } = p
    {
        f = f
            .with("jwks", value_json(jwks, sources))
            .with("algorithm", value_json(algorithm, sources));
    }
    if let Some(label) = recognised {
        f = f.with("recognised_as", label);
    }
    f
}

/// A value as a report may show it: the text (hidden when a secret-named variable holds it), the variables it
/// reads and where their values came from.
fn shown(v: &ConfigValue, sources: Sources<'_>) -> String {
    let names = v.env_names();
    let text = match v.resolved() {
        _ if names.iter().any(|n| is_secret_name(n)) => "(hidden: a secret's value)".to_owned(),
        Some(t) => format!("`{t}`"),
        None => "(unknown)".to_owned(),
    };
    if names.is_empty() {
        return text;
    }
    let reads: Vec<String> = names
        .iter()
        .map(|n| match sources(n) {
            Some(from) => format!("process.env.{n} from {from}"),
            None => format!("process.env.{n}, not set anywhere given"),
        })
        .collect();
    format!("{text} ({})", reads.join("; "))
}

fn value_json(v: &ConfigValue, sources: Sources<'_>) -> Value {
    let names = v.env_names();
    let secret = names.iter().any(|n| is_secret_name(n));
    let value = match v.resolved() {
        _ if secret => json!("(hidden)"),
        Some(t) => json!(t),
        None => Value::Null,
    };
    if names.is_empty() {
        return value;
    }
    json!({
        "value": value,
        "env": names,
        "from": names.iter().map(|n| sources(n)).collect::<Vec<_>>(),
    })
}

/// Adds what the provider's env variable is and where its value came from to a finding about `field`.
fn about(mut f: Finding, field: &Field<'_>, sources: Sources<'_>) -> Finding {
    f = f
        .with("provider", field.index + 1)
        .with("field", field.role);
    if let Some(name) = field.value.env_names().first() {
        f = f.with("env", *name);
        if let Some(from) = sources(name) {
            f = f.with("value_from", from);
        }
    }
    f
}

/// The checks of a domain/issuer: the first that applies of publishable key, key-set URL, `.convex.cloud`,
/// missing scheme; and, independently, surrounding whitespace/quotes/slash.
fn issuer_findings(field: &Field<'_>, sources: Sources<'_>, out: &mut Vec<Finding>) {
    let Some(raw) = field.value.resolved() else {
        return;
    };
    if field.value.env_names().iter().any(|n| is_secret_name(n)) {
        return;
    }
    if let Some(f) = decorated(field, sources) {
        out.push(f);
    }
    let value = bare(raw);
    let value = value.as_str();
    let found = publishable_key(field, value)
        .or_else(|| key_set_url(field, value))
        .or_else(|| convex_cloud(field, value))
        .or_else(|| no_scheme(field, value));
    if let Some(f) = found {
        out.push(about(f, field, sources));
    }
}

/// The value without what surrounds it by mistake (whitespace, quotes): what the other checks read.
fn bare(raw: &str) -> String {
    raw.trim()
        .trim_matches(['"', '\'', '`'])
        .trim()
        .chars()
        .filter(|c| !invisible(*c))
        .collect()
}

/// `config.value_decorated`: whitespace or quotes around a value (the backend refuses a domain that starts
/// with `"`, `auth.rs:210-214`, and otherwise compares the string as given, `auth.rs:76-81`, so whitespace never
/// matches), or a trailing `/` (harmless: trimmed on both sides when matching, `auth.rs:81`).
fn decorated(field: &Field<'_>, sources: Sources<'_>) -> Option<Finding> {
    let raw = field.value.resolved()?;
    let secret = field.value.env_names().iter().any(|n| is_secret_name(n));
    let mut what = Vec::new();
    if raw != raw.trim() {
        what.push("whitespace or a line break");
    }
    let t = raw.trim();
    if t.starts_with(['"', '\'', '`']) || t.ends_with(['"', '\'', '`']) {
        what.push("quotes");
    }
    // Copied from a web page or a terminal: zero-width spaces, byte-order marks, bidi marks, control characters.
    if t.chars().any(invisible) {
        what.push("invisible or control characters");
    }
    let n = field.index + 1;
    let role = field.role;
    if what.is_empty() {
        if role == "jwks" || role == "applicationID" || !t.ends_with('/') || t.ends_with("://") {
            return None;
        }
        let f = Finding::new(
            Code::ConfigValueDecorated,
            format!("Provider {n}'s {role} ends with `/`: harmless, the backend trims trailing slashes on both sides when it compares it with a token's iss."),
        )
        .severity(Severity::Info)
        .with("around", json!(["trailing slash"]));
        return Some(about(f, field, sources));
    }
    let cleaned = bare(raw);
    let mut f = Finding::new(
        Code::ConfigValueDecorated,
        format!(
            "Provider {n}'s {role} has {} around it{}: the backend takes the value as written, so no token matches it{}.",
            what.join(" and "),
            if secret { String::new() } else { format!(" (`{}`)", raw.escape_debug()) },
            if role == "domain" || role == "issuer" { " (a leading quote makes the push fail)" } else { "" }
        ),
    )
    .with("around", json!(what));
    if !secret {
        f = f.with("cleaned", cleaned);
    }
    Some(about(f, field, sources))
}

/// A character nobody means to put in a URL or an ID: controls, zero-width and bidi formatting characters.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// `config.publishable_key`: a Clerk publishable key (`pk_test_…`/`pk_live_…`) where the domain belongs. Its
/// payload is the base64 of the Frontend API host followed by `$` (Clerk's documented key format; its SDK's
/// parser is not among the sources read here), which is the issuer the domain must be. A payload that does not
/// decode to a plausible host still gets the finding, without a suggestion.
fn publishable_key(field: &Field<'_>, value: &str) -> Option<Finding> {
    let rest = value
        .strip_prefix("pk_test_")
        .or_else(|| value.strip_prefix("pk_live_"))?;
    let host = frontend_api(rest);
    let n = field.index + 1;
    let role = field.role;
    let mut f = Finding::new(
        Code::ConfigPublishableKey,
        match &host {
            Some(h) => format!("Provider {n}'s {role} is a Clerk publishable key, not a URL: the backend refuses it. The key names the Frontend API https://{h}, which is the {role} to use."),
            None => format!("Provider {n}'s {role} is a Clerk publishable key, not a URL: the backend refuses it. Use the Clerk Frontend API URL (Clerk Dashboard > API keys)."),
        },
    )
    .with("key_kind", if value.starts_with("pk_live_") { "live" } else { "test" });
    if let Some(h) = host {
        f = f.with("suggested", format!("https://{h}"));
    }
    Some(f)
}

/// The Frontend API host a publishable key's payload encodes, when it decodes to a plausible host.
fn frontend_api(payload: &str) -> Option<String> {
    if payload.len() > 512 {
        return None;
    }
    // Clerk writes it with `btoa` (standard alphabet, padded when the length asks for it).
    let bytes = Base64::STANDARD_PAD_OPTIONAL
        .decode(payload)
        .or_else(|_| Base64::URL_PAD_OPTIONAL.decode(payload))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let host = text.trim_end_matches('$');
    let plausible = host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    plausible.then(|| host.to_owned())
}

/// `config.jwks_url_as_domain`: the key set's or discovery document's URL where the issuer belongs. The backend
/// appends `/.well-known/openid-configuration` to an OIDC domain, and tokens' `iss` is the issuer, never this URL.
fn key_set_url(field: &Field<'_>, value: &str) -> Option<Finding> {
    let parts = IssuerParts::split(value);
    let path = KEY_PATHS.iter().find(|p| parts.path.ends_with(**p))?;
    let base = value
        .trim_end_matches('/')
        .strip_suffix(*path)
        .unwrap_or(value)
        .trim_end_matches('/');
    Some(
        Finding::new(
            Code::ConfigJwksUrlAsDomain,
            format!(
                "Provider {}'s {} `{value}` is a key-set/discovery URL (`{path}`), not the issuer: tokens' iss is the issuer, likely `{base}`.",
                field.index + 1,
                field.role
            ),
        )
        .with("value", value)
        .with("suggested", base),
    )
}

/// `config.convex_cloud_domain`: a deployment's `.convex.cloud` URL where its `.convex.site` URL belongs. Convex
/// Auth issues tokens with `iss` = `CONVEX_SITE_URL` (`https://<deployment>.convex.site`) and serves its discovery
/// document there, from HTTP actions; the `.convex.cloud` origin serves neither.
fn convex_cloud(field: &Field<'_>, value: &str) -> Option<Finding> {
    let parts = IssuerParts::split(value);
    let host = parts.hostname();
    let prefix = host.strip_suffix(".convex.cloud")?;
    if prefix.is_empty() {
        return None;
    }
    let suggested = format!("https://{prefix}.convex.site");
    Some(
        Finding::new(
            Code::ConfigConvexCloudDomain,
            format!(
                "Provider {}'s {} `{value}` is a deployment's .convex.cloud URL; Convex Auth's tokens are issued by its .convex.site URL `{suggested}` (process.env.CONVEX_SITE_URL).",
                field.index + 1,
                field.role
            ),
        )
        .with("value", value)
        .with("suggested", suggested),
    )
}

/// `config.domain_no_scheme`: no `scheme://`. The backend adds `https://` when the host ends with a top-level
/// domain and refuses the push otherwise (`auth.rs:215-233`); tokens' `iss` must then be `https://…`.
fn no_scheme(field: &Field<'_>, value: &str) -> Option<Finding> {
    let has_scheme = value.split_once("://").is_some_and(|(s, _)| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if has_scheme || value.is_empty() {
        return None;
    }
    let host = IssuerParts::split(value).hostname();
    let n = field.index + 1;
    let role = field.role;
    let f = if looks_like_tld_host(&host) {
        Finding::new(
            Code::ConfigDomainNoScheme,
            format!("Provider {n}'s {role} `{value}` has no scheme: the backend reads it as `https://{value}`; write it that way, and make sure tokens' iss is that https URL."),
        )
    } else {
        Finding::new(
            Code::ConfigDomainNoScheme,
            format!("Provider {n}'s {role} `{value}` has no scheme and does not end with a top-level domain: the backend refuses it (\"Does not look like a URL\")."),
        )
        .severity(Severity::Fail)
    };
    Some(
        f.with("value", value)
            .with("suggested", format!("https://{value}")),
    )
}

/// `localhost`, or a dotted host whose last label could be a top-level domain (letters only). The backend
/// checks the label against the `tld` crate's list; this is the shape of that check, not the list.
fn looks_like_tld_host(host: &str) -> bool {
    host == "localhost"
        || host.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty()
                && (2..=24).contains(&tld.len())
                && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
}

/// `config.algorithm_unsupported`: a customJwt algorithm other than the two the backend's `SignatureAlgorithm`
/// has (`RS256`, `ES256`, `auth.rs:84-88`); serde reads the names exactly, so `rs256` is refused too.
fn unsupported_algorithm(field: &Field<'_>) -> Option<Finding> {
    let value = field.value.resolved()?;
    if matches!(value, "RS256" | "ES256") {
        return None;
    }
    Some(
        Finding::new(
            Code::ConfigAlgorithmUnsupported,
            format!(
                "Provider {}'s algorithm `{value}` is not RS256 or ES256, the only two the backend reads for a customJwt provider: the push is refused.",
                field.index + 1
            ),
        )
        .with("value", value),
    )
}

/// applicationID: absent (an OIDC provider needs one: `auth.rs:133-138`; a customJwt provider without one takes
/// every token of its issuer), empty (no token's `aud` is ever the empty string, `auth.rs:60-63`), or decorated.
fn application_id(index: usize, p: &Provider, sources: Sources<'_>, out: &mut Vec<Finding>) {
    let (oidc, app) = match p {
        Provider::Oidc { application_id, .. } => (true, application_id.as_ref()),
        Provider::CustomJwt { application_id, .. } => (false, application_id.as_ref()),
    };
    let n = index + 1;
    let Some(app) = app else {
        let f = if oidc {
            Finding::new(
                Code::ConfigNoApplicationId,
                format!("Provider {n} (OIDC) has no applicationID: the backend refuses an OIDC provider without one, so the push fails."),
            )
            .severity(Severity::Fail)
        } else {
            Finding::new(
                Code::ConfigNoApplicationId,
                format!("Provider {n} (customJwt) has no applicationID: any token from its issuer is accepted, whatever its aud."),
            )
        };
        out.push(f.with("provider", n));
        return;
    };
    let field = Field {
        index,
        role: "applicationID",
        value: app,
    };
    match app.resolved() {
        Some(v) if v.trim().is_empty() => out.push(about(
            Finding::new(
                Code::ConfigApplicationIdEmpty,
                format!("Provider {n}'s applicationID is empty: no token's aud is the empty string, so the provider never matches."),
            ),
            &field,
            sources,
        )),
        Some(_) => out.extend(decorated(&field, sources)),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse_auth_config, Env};

    fn findings(src: &str, env: &[(&str, &str)]) -> Vec<Finding> {
        let env: Env = env
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let config = parse_auth_config(src, &env).expect("config");
        check_values(&config, &|_| Some("test".to_owned()))
    }

    fn codes(fs: &[Finding]) -> Vec<&str> {
        fs.iter().map(|f| f.code.as_str()).collect()
    }

    const CLERK: &str =
        "export default { providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: \"convex\" }] };";

    #[test]
    fn a_publishable_key_names_the_frontend_api() {
        // "happy-cat-12.clerk.accounts.dev$" in base64.
        let pk = format!(
            "pk_test_{}",
            Base64::STANDARD.encode(b"happy-cat-12.clerk.accounts.dev$")
        );
        let fs = findings(CLERK, &[("CLERK_JWT_ISSUER_DOMAIN", &pk)]);
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigPublishableKey)
            .expect("publishable key finding");
        assert_eq!(f.severity, Severity::Fail);
        assert_eq!(
            f.evidence["suggested"],
            json!("https://happy-cat-12.clerk.accounts.dev")
        );
        assert_eq!(f.evidence["env"], json!("CLERK_JWT_ISSUER_DOMAIN"));
        // Not also called a scheme-less domain.
        assert!(!codes(&fs).contains(&"config.domain_no_scheme"));
    }

    #[test]
    fn key_set_urls_cloud_urls_and_missing_schemes() {
        let fs = findings(
            CLERK,
            &[(
                "CLERK_JWT_ISSUER_DOMAIN",
                "https://happy-cat-12.clerk.accounts.dev/.well-known/jwks.json",
            )],
        );
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigJwksUrlAsDomain)
            .expect("jwks");
        assert_eq!(
            f.evidence["suggested"],
            json!("https://happy-cat-12.clerk.accounts.dev")
        );
        let fs = findings(
            "export default { providers: [{ domain: \"https://happy-otter-123.convex.cloud\", applicationID: \"convex\" }] };",
            &[],
        );
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigConvexCloudDomain)
            .expect("cloud");
        assert_eq!(
            f.evidence["suggested"],
            json!("https://happy-otter-123.convex.site")
        );
        let fs = findings(CLERK, &[("CLERK_JWT_ISSUER_DOMAIN", "clerk.example.com")]);
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigDomainNoScheme)
            .expect("scheme");
        assert_eq!(f.severity, Severity::Warn);
        let fs = findings(CLERK, &[("CLERK_JWT_ISSUER_DOMAIN", "my-issuer")]);
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigDomainNoScheme)
            .expect("scheme");
        assert_eq!(f.severity, Severity::Fail);
    }

    #[test]
    fn decorations_and_empty_application_ids() {
        let fs = findings(
            CLERK,
            &[("CLERK_JWT_ISSUER_DOMAIN", "\"https://clerk.example.com\" ")],
        );
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigValueDecorated)
            .expect("decorated");
        assert_eq!(f.severity, Severity::Fail);
        assert_eq!(f.evidence["cleaned"], json!("https://clerk.example.com"));
        let fs = findings(
            CLERK,
            &[("CLERK_JWT_ISSUER_DOMAIN", "https://clerk.example.com/")],
        );
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigValueDecorated)
            .expect("slash");
        assert_eq!(f.severity, Severity::Info);
        let fs = findings(
            "export default { providers: [{ domain: \"https://clerk.example.com\", applicationID: \"\" }] };",
            &[],
        );
        assert!(codes(&fs).contains(&"config.application_id_empty"));
        let fs = findings(
            "export default { providers: [{ domain: \"https://clerk.example.com\" }] };",
            &[],
        );
        let f = fs
            .iter()
            .find(|f| f.code == Code::ConfigNoApplicationId)
            .expect("no app id");
        assert_eq!(f.severity, Severity::Fail);
        // A well-formed provider has only its description.
        let fs = findings(
            CLERK,
            &[("CLERK_JWT_ISSUER_DOMAIN", "https://clerk.example.com")],
        );
        assert_eq!(codes(&fs), vec!["config.provider"]);
    }

    #[test]
    fn custom_jwt_algorithms_are_the_backends_two() {
        let src = |alg: &str| {
            format!("export default {{ providers: [{{ type: \"customJwt\", issuer: \"https://i.example.com\", jwks: \"https://i.example.com/jwks\", algorithm: \"{alg}\", applicationID: \"a\" }}] }};")
        };
        for ok in ["RS256", "ES256"] {
            assert_eq!(codes(&findings(&src(ok), &[])), vec!["config.provider"]);
        }
        for bad in ["rs256", "EdDSA", "HS256"] {
            assert!(
                codes(&findings(&src(bad), &[])).contains(&"config.algorithm_unsupported"),
                "{bad}"
            );
        }
    }

    #[test]
    fn secret_named_values_are_never_quoted() {
        let fs = findings(
            "export default { providers: [{ domain: process.env.AUTH_SECRET, applicationID: \"convex\" }] };",
            &[("AUTH_SECRET", "pk_test_c2VjcmV0LXZhbHVlLmV4YW1wbGUuY29tJA== ")],
        );
        let text = format!("{fs:?}");
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(text.contains("AUTH_SECRET"));
    }
}
