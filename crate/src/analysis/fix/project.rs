//! Fixes for what `convex-auth-doctor check` finds in a project's files (`analysis/project.rs`): worded from the
//! finding's evidence (the variable, the suggested value) and the deployment `.env.local` names.

use super::{env_set, ev_str, fix, push_command, Context, Page};
use crate::findings::{Code, Finding, Fix, Severity};
use crate::rules::config_values::is_secret_name;

/// The fix for a `check` finding; `None` for other codes.
pub(super) fn fix_for(f: &Finding, cx: &Context<'_>) -> Option<Fix> {
    let d = &cx.deployment;
    let on = d.describe();
    let env = ev_str(f, "env");
    let suggested = ev_str(f, "suggested");
    // Set the variable the value came from, else edit the file.
    let set_or_edit = |value: &str, what: &str| {
        match env {
        Some(name) => (
            format!("set {name} on {on} to {value} ({what}); the deployment re-reads auth.config.ts when a variable changes."),
            Some(env_set(cx, name, value)),
            vec![d.place(Page::EnvironmentVariables)],
        ),
        None => (
            format!("write {value} in convex/auth.config.ts ({what}) and push it."),
            Some(push_command(cx)),
            vec![d.place(Page::Authentication)],
        ),
    }
    };
    let (action, command, places) = match f.code {
        Code::ProjectNoAuthConfig => (
            format!(
                "create {}auth.config.ts exporting your provider ({{ providers: [{{ domain, applicationID }}] }}) and push it to {on}.",
                ev_str(f, "functions_dir").unwrap_or("convex/")
            ),
            Some(push_command(cx)),
            vec![d.place(Page::Authentication)],
        ),
        Code::ConfigEnvMissing => {
            let name = env.unwrap_or("the variable");
            let value = ev_str(f, "env_local_value")
                .filter(|_| !is_secret_name(name))
                .unwrap_or("<value>");
            (
                format!("set {name} on {on} (the value in .env.local is not seen by the deployment), then push again."),
                Some(env_set(cx, name, value)),
                vec![d.place(Page::EnvironmentVariables)],
            )
        }
        Code::ConfigPublishableKey => set_or_edit(
            suggested.unwrap_or("https://<your Frontend API host>"),
            "the Clerk Frontend API URL, not the publishable key",
        ),
        Code::ConfigJwksUrlAsDomain => set_or_edit(
            suggested.unwrap_or("the issuer URL"),
            "the issuer, without the key-set path",
        ),
        Code::ConfigConvexCloudDomain => (
            format!(
                "use domain: process.env.CONVEX_SITE_URL (here {}) with applicationID \"convex\" in convex/auth.config.ts, and push it to {on}.",
                suggested.unwrap_or("https://<deployment>.convex.site")
            ),
            Some(push_command(cx)),
            vec![d.place(Page::Authentication)],
        ),
        Code::ConfigDomainNoScheme => set_or_edit(
            suggested.unwrap_or("the https:// URL"),
            "the full URL as the issuer writes it in iss",
        ),
        Code::ConfigValueDecorated => match ev_str(f, "cleaned") {
            Some(clean) => set_or_edit(clean, "without the surrounding characters"),
            None => set_or_edit("<value>", "without surrounding whitespace or quotes"),
        },
        // Only `check` raises it to a failure (an OIDC provider without one is refused at push).
        Code::ConfigNoApplicationId if f.severity == Severity::Fail => (
            format!("add applicationID to the provider in convex/auth.config.ts (an OIDC provider must have one: the audience its tokens carry, Clerk: \"convex\", Auth0: the client ID), and push it to {on}."),
            Some(push_command(cx)),
            vec![d.place(Page::Authentication)],
        ),
        Code::ConfigAlgorithmUnsupported => set_or_edit(
            "RS256 or ES256",
            "the algorithm the tokens are signed with; sign with one of these two",
        ),
        Code::ConfigApplicationIdEmpty => set_or_edit(
            "the audience your tokens carry",
            "Clerk: convex; Auth0: the client ID",
        ),
        _ => return None,
    };
    Some(fix(action, command, places))
}
