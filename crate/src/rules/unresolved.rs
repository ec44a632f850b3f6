//! Configuration values the doctor cannot know: `process.env.NAME` with no value given. The backend evaluates
//! auth.config.ts with the deployment's environment variables (convex-backend
//! `crates/isolate/src/environment/auth_config.rs:122-130`, `get_environment_variable`), which the doctor does not
//! see; a provider that reads an unknown variable may or may not be the one the token takes, so step 3 cannot pass
//! on it. What the user needs to hear: which variable, which value this token needs, where to set it, and whether
//! `.env.local` (read by the front end, never by the deployment) is the likely mix-up.

use serde_json::json;

use super::matching::normalise_issuer;
use crate::config::ConfigValue;
use crate::findings::{Code, Finding};

/// What a configured issuer/domain says about a token's `iss`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerFit {
    /// Known value: equal or not after the backend's normalisation.
    Known(bool),
    /// Unknown variable `name`, which would have to be `value` for the issuer to equal `iss`.
    Needs { name: String, value: String },
    /// The literal parts already differ from `iss`: no value of the variable makes them equal.
    Impossible,
    /// Unknown, and what it would need cannot be told (several variables, a scheme-less template).
    Unknown,
}

/// Compares a configured issuer/domain with a token's `iss`, solving for one unknown variable when it can.
pub fn issuer_fit(configured: &ConfigValue, iss: &str) -> IssuerFit {
    if let Some(value) = configured.resolved() {
        let same = super::matching::normalise_config_domain(value) == normalise_issuer(iss);
        return IssuerFit::Known(same);
    }
    // `undefined` / `null` is what an unset variable leaves on the issuing side: no deployment's issuer is that.
    if iss == "undefined" || iss == "null" {
        return IssuerFit::Impossible;
    }
    let target = normalise_issuer(iss);
    if let ConfigValue::Env { name, .. } = configured {
        // A bare variable can hold anything, scheme-less included: it needs the token's issuer.
        return IssuerFit::Needs {
            name: name.clone(),
            value: target,
        };
    }
    // A template: its literal start must carry the scheme for the backend's normalisation (it adds `https://` to a
    // scheme-less value, trims trailing `/`) to leave the literal parts as written.
    let starts_with_scheme = matches!(configured, ConfigValue::Composed { parts, .. }
        if parts.first().and_then(ConfigValue::resolved).is_some_and(|p| p.contains("://")));
    if !starts_with_scheme {
        return IssuerFit::Unknown;
    }
    match configured.solve_for(&target) {
        Ok(Some((name, value))) => IssuerFit::Needs {
            name: name.to_owned(),
            value: value.trim_end_matches('/').to_owned(),
        },
        Ok(None) => IssuerFit::Unknown,
        // The variable might end in `/` where the literal suffix starts: try the suffix without its slashes.
        Err(_) => match configured.solve_for(&format!("{target}/")) {
            Ok(Some((name, value))) => IssuerFit::Needs {
                name: name.to_owned(),
                value,
            },
            _ => IssuerFit::Impossible,
        },
    }
}

/// Built-in variables every deployment has (convex-backend `crates/udf/src/environment.rs:21-31`): never set by
/// the user, and never the `.env.local` mix-up.
const SYSTEM_VARIABLES: &[(&str, &str)] = &[
    (
        "CONVEX_SITE_URL",
        "the deployment's HTTP actions URL, https://<deployment>.convex.site",
    ),
    (
        "CONVEX_CLOUD_URL",
        "the deployment's URL, https://<deployment>.convex.cloud",
    ),
];

/// Prefixes front-end bundlers expose to the browser: such a variable lives in `.env.local`.
const FRONT_END_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "PUBLIC_",
    "NUXT_PUBLIC_",
];

/// `config.env_unresolved` for variable `name` read as `role` of provider `index` (0-based); `needed` is the value
/// this token needs it to have, when that can be told.
pub fn env_unresolved(name: &str, role: &str, index: usize, needed: Option<&str>) -> Finding {
    let value_text = needed.map_or_else(|| "<value>".to_owned(), shell_word);
    let needs = needed.map_or_else(String::new, |v| {
        format!(": for this token it must be `{v}`")
    });
    let system = SYSTEM_VARIABLES.iter().find(|(n, _)| *n == name);
    let (message, env_local, mut causes) = match system {
        Some((_, what)) => (
            format!(
                "`process.env.{name}` ({role} of provider {}) has no known value{needs}. Convex sets {name} on every deployment itself ({what}): give that value here.",
                index + 1
            ),
            "no",
            vec![format!(
                "{name} is built into every deployment: a token whose issuer is another deployment's URL comes from another deployment (dev vs prod), or the issuing side runs elsewhere with {name} unset."
            )],
        ),
        None => {
            let front_end = FRONT_END_PREFIXES.iter().any(|p| name.starts_with(p));
            (
                format!(
                    "`process.env.{name}` ({role} of provider {}) has no known value{needs}. Set it on the deployment with `npx convex env set {name} {value_text}` (or the dashboard: this deployment's Settings > Environment Variables), and give it here.",
                    index + 1
                ),
                if front_end { "likely" } else { "possible" },
                if front_end {
                    vec![format!("{name} is a front-end variable name: it is probably set in .env.local, which the browser bundle reads and the Convex deployment never does. Set it on the deployment too.")]
                } else {
                    vec![format!("If {name} is only in .env.local: that file is read by your front end (and by `npx convex dev` for CONVEX_DEPLOYMENT), never by the deployment that evaluates auth.config.ts.")]
                },
            )
        }
    };
    causes.push(format!(
        "A development and a production deployment each have their own variables: set {name} on the one the app talks to (`npx convex env set --prod …` for production)."
    ));
    let mut f = Finding::new(Code::ConfigEnvUnresolved, message)
        .with("name", name)
        .with("role", role)
        .with("env_local_mixup", env_local)
        .causes(causes);
    if system.is_none() {
        f = f
            .with(
                "set_with",
                format!("npx convex env set {name} {value_text}"),
            )
            .with(
                "dashboard",
                "this deployment's Settings > Environment Variables",
            );
    }
    if let Some(v) = needed {
        f = f.with("needed_value", json!(v));
    }
    f
}

/// `value` quoted for a POSIX shell when it needs it.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composed(parts: Vec<ConfigValue>) -> ConfigValue {
        ConfigValue::Composed {
            parts,
            value: None,
            via: None,
        }
    }
    fn lit(v: &str) -> ConfigValue {
        ConfigValue::Literal { value: v.into() }
    }
    fn var(n: &str) -> ConfigValue {
        ConfigValue::Env {
            name: n.into(),
            value: None,
        }
    }

    #[test]
    fn a_template_is_solved_for_its_one_variable() {
        let workos = composed(vec![
            lit("https://api.workos.com/user_management/"),
            var("ID"),
        ]);
        assert_eq!(
            issuer_fit(
                &workos,
                "https://api.workos.com/user_management/client_01ABC"
            ),
            IssuerFit::Needs {
                name: "ID".into(),
                value: "client_01ABC".into()
            }
        );
        assert_eq!(
            issuer_fit(&workos, "https://happy-cat-1.clerk.accounts.dev"),
            IssuerFit::Impossible
        );
        let jwks_like = composed(vec![var("SITE"), lit("/api/auth")]);
        assert_eq!(
            issuer_fit(&jwks_like, "https://x.convex.site/api/auth"),
            IssuerFit::Unknown
        );
        assert_eq!(
            issuer_fit(&var("D"), "x.example.com/"),
            IssuerFit::Needs {
                name: "D".into(),
                value: "https://x.example.com".into()
            }
        );
    }

    #[test]
    fn advice_names_the_command_and_the_env_local_mixup() {
        let f = env_unresolved("NEXT_PUBLIC_ISSUER", "issuer", 0, Some("https://a b"));
        assert!(f
            .message
            .contains("npx convex env set NEXT_PUBLIC_ISSUER 'https://a b'"));
        assert_eq!(f.evidence.get("env_local_mixup"), Some(&json!("likely")));
        let f = env_unresolved("CONVEX_SITE_URL", "issuer", 1, None);
        assert!(!f.message.contains("npx convex env set"), "{}", f.message);
        assert_eq!(f.evidence.get("env_local_mixup"), Some(&json!("no")));
    }
}
