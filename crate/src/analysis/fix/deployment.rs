//! Which kind of deployment the app talks to, and where its logs, functions, auth settings and environment
//! variables are.
//!
//! Cloud dashboard URLs: the `convex` CLI addresses a deployment's pages as `https://dashboard.convex.dev/d/<name>`
//! plus the page's path (node_modules/convex `src/cli/lib/dashboard.ts`, `deploymentDashboardUrlPage`; it builds
//! `/settings/snapshots` and `/settings/integrations` that way). The dashboard redirects `/d/<name>/<rest>` to the
//! deployment's page (convex-backend `npm-packages/dashboard/src/lib/ssr.ts:350`), whose pages are `logs`,
//! `functions`, `settings/authentication` and `settings/environment-variables`
//! (`npm-packages/dashboard/src/pages/t/[team]/[project]/[deploymentName]/…`). The self-hosted dashboard has the same
//! pages at its root (`npm-packages/dashboard-self-hosted/src/pages/`), by default on port 6791
//! (`self-hosted/docker/docker-compose.yml`).

use crate::findings::Place;

const DASHBOARD: &str = "https://dashboard.convex.dev/d/";

/// The deployment the fixes are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployment {
    /// `https://<name>[.<region>].convex.cloud`.
    Cloud { name: String },
    /// A backend on this machine (`npx convex dev --local`, or a self-hosted backend run locally).
    Local { origin: String },
    /// Any other origin: a self-hosted backend (or a custom domain).
    SelfHosted { origin: String },
    /// No deployment seen (a pasted token).
    Unknown,
}

impl Deployment {
    /// Reads a deployment origin as the evidence records it (`https://happy-otter-123.convex.cloud`,
    /// `http://127.0.0.1:3210`).
    pub fn from_origin(origin: &str) -> Deployment {
        let rest = origin
            .split_once("://")
            .map_or(origin, |(_, rest)| rest)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let host = match rest.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => rest.split(':').next().unwrap_or_default(),
        }
        .to_ascii_lowercase();
        if host.is_empty() {
            return Deployment::Unknown;
        }
        if let Some(prefix) = host.strip_suffix(".convex.cloud") {
            let name = prefix.split('.').next().unwrap_or_default();
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Deployment::Cloud {
                    name: name.to_owned(),
                };
            }
        }
        let origin = origin.to_owned();
        if host == "localhost" || host == "::1" || host == "0.0.0.0" || host.starts_with("127.") {
            Deployment::Local { origin }
        } else {
            Deployment::SelfHosted { origin }
        }
    }

    /// "deployment happy-otter-123", "the local deployment at http://127.0.0.1:3210", …
    pub fn describe(&self) -> String {
        match self {
            Deployment::Cloud { name } => format!("deployment {name}"),
            Deployment::Local { origin } => format!("the local deployment at {origin}"),
            Deployment::SelfHosted { origin } => format!("the self-hosted deployment at {origin}"),
            Deployment::Unknown => "your deployment".to_owned(),
        }
    }

    /// The option that points `npx convex env set` at this deployment (`--deployment <name>` takes a deployment
    /// name: node_modules/convex `src/cli/lib/command.ts`, `addDeploymentSelectionOptions`). Local and
    /// self-hosted deployments are chosen by the project's `.env.local`, so no option.
    pub fn env_option(&self) -> String {
        match self {
            Deployment::Cloud { name } => format!(" --deployment {name}"),
            _ => String::new(),
        }
    }

    /// A dashboard page: its URL for cloud deployments, else where the same page is.
    pub fn place(&self, page: Page) -> Place {
        let (label, path) = page.label_and_path();
        match self {
            Deployment::Cloud { name } => Place {
                label: label.to_owned(),
                url: Some(format!("{DASHBOARD}{name}/{path}")),
                hint: None,
            },
            Deployment::Local { origin } => Place {
                label: label.to_owned(),
                url: None,
                hint: Some(format!(
                    "in the dashboard of the local deployment {origin} (`npx convex dashboard` opens it), page {label}{}",
                    page.local_extra()
                )),
            },
            Deployment::SelfHosted { origin } => Place {
                label: label.to_owned(),
                url: None,
                hint: Some(format!(
                    "in the self-hosted dashboard of {origin} (port 6791 by default), page {label}{}",
                    page.local_extra()
                )),
            },
            Deployment::Unknown => Place {
                label: label.to_owned(),
                url: None,
                hint: Some(format!("in your deployment's dashboard, page {label}")),
            },
        }
    }
}

/// The dashboard pages a fix points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Logs,
    Functions,
    Authentication,
    EnvironmentVariables,
}

impl Page {
    fn label_and_path(self) -> (&'static str, &'static str) {
        match self {
            Page::Logs => ("Logs", "logs"),
            Page::Functions => ("Functions", "functions"),
            Page::Authentication => ("Settings → Authentication", "settings/authentication"),
            Page::EnvironmentVariables => (
                "Settings → Environment Variables",
                "settings/environment-variables",
            ),
        }
    }

    /// What else shows the same thing without a dashboard.
    fn local_extra(self) -> &'static str {
        match self {
            Page::Logs => "; the backend's own output, or `npx convex logs`",
            Page::Functions => "; `npx convex function-spec` lists them",
            Page::Authentication => {
                "; the providers are those of convex/auth.config.ts as last pushed"
            }
            Page::EnvironmentVariables => "; `npx convex env list`",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_as_the_deployments_they_name() {
        let cloud = |n: &str| Deployment::Cloud { name: n.to_owned() };
        assert_eq!(
            Deployment::from_origin("https://happy-otter-123.convex.cloud"),
            cloud("happy-otter-123")
        );
        // Regional hosts put the region between the name and `convex.cloud`.
        assert_eq!(
            Deployment::from_origin("wss://happy-otter-123.eu-west-1.convex.cloud/api/1.49.0/sync"),
            cloud("happy-otter-123")
        );
        assert!(matches!(
            Deployment::from_origin("http://127.0.0.1:3210"),
            Deployment::Local { .. }
        ));
        assert!(matches!(
            Deployment::from_origin("http://[::1]:3210"),
            Deployment::Local { .. }
        ));
        assert!(matches!(
            Deployment::from_origin("https://convex.example.com"),
            Deployment::SelfHosted { .. }
        ));
        // A look-alike host is not a cloud deployment, and a name with odd characters gets no URL.
        assert!(matches!(
            Deployment::from_origin("https://evil.convex.cloud.example.com"),
            Deployment::SelfHosted { .. }
        ));
        assert!(matches!(
            Deployment::from_origin("https://a%2Fb.convex.cloud"),
            Deployment::SelfHosted { .. }
        ));
        assert_eq!(Deployment::from_origin(""), Deployment::Unknown);
    }

    #[test]
    fn cloud_pages_are_the_dashboards_d_route_and_others_have_no_url() {
        let cloud = Deployment::from_origin("https://happy-otter-123.convex.cloud");
        assert_eq!(
            cloud.place(Page::EnvironmentVariables).url.as_deref(),
            Some("https://dashboard.convex.dev/d/happy-otter-123/settings/environment-variables")
        );
        assert_eq!(
            cloud.place(Page::Logs).url.as_deref(),
            Some("https://dashboard.convex.dev/d/happy-otter-123/logs")
        );
        let hosted = Deployment::from_origin("https://convex.example.com");
        let p = hosted.place(Page::Authentication);
        assert_eq!(p.url, None);
        assert!(p
            .hint
            .is_some_and(|h| h.contains("https://convex.example.com")));
    }
}
