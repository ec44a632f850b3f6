//! Which identity provider an issuer belongs to, so causes can name the user's real situation ("the Clerk JWT
//! template is not named `convex`") instead of the guide's generic "your client is misconfigured".
//!
//! Issuer shapes (shared/reference/convex-auth-facts.md §4): Clerk `https://<slug>.clerk.accounts.dev` (development)
//! and `https://clerk.<app domain>` (production); Auth0 `https://<tenant>[.<region>].auth0.com/`; Convex Auth
//! `https://<deployment>.convex.site`; WorkOS `https://api.workos.com/user_management/<client id>`.

use super::issuer_url::IssuerParts;
use crate::findings::Code;

/// The identity provider recognised from an issuer URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// `frontend_api` is the issuer's host (e.g. `happy-cat-12.clerk.accounts.dev`, `clerk.example.com`).
    Clerk {
        frontend_api: String,
        development: bool,
    },
    /// `tenant` is the first label of the host (`dev-abc` of `dev-abc.us.auth0.com`).
    Auth0 {
        tenant: String,
    },
    /// `site` is the deployment name (`happy-otter-123` of `happy-otter-123.convex.site`).
    ConvexAuth {
        site: String,
    },
    WorkOs,
    Custom,
}

impl ProviderKind {
    /// Recognises the provider from `iss` (or a configured domain; a scheme-less value is read the same way).
    pub fn recognise(iss: &str) -> ProviderKind {
        let parts = IssuerParts::split(iss);
        let host = parts.hostname();
        if host.is_empty() {
            return ProviderKind::Custom;
        }
        if let Some(slug) = host.strip_suffix(".clerk.accounts.dev") {
            if !slug.is_empty() {
                return ProviderKind::Clerk {
                    frontend_api: host.clone(),
                    development: true,
                };
            }
        }
        if host.starts_with("clerk.") && host.matches('.').count() >= 2 {
            return ProviderKind::Clerk {
                frontend_api: host.clone(),
                development: false,
            };
        }
        if host.ends_with(".auth0.com") {
            let tenant = host.split('.').next().unwrap_or_default().to_owned();
            return ProviderKind::Auth0 { tenant };
        }
        if let Some(site) = host.strip_suffix(".convex.site") {
            if !site.is_empty() {
                return ProviderKind::ConvexAuth {
                    site: site.to_owned(),
                };
            }
        }
        if host == "api.workos.com"
            || host.ends_with(".workos.com")
            || parts.path.starts_with("/user_management/")
        {
            return ProviderKind::WorkOs;
        }
        ProviderKind::Custom
    }

    /// A short human name ("Clerk (development instance)").
    pub fn label(&self) -> String {
        match self {
            ProviderKind::Clerk {
                frontend_api,
                development: true,
            } => {
                format!("Clerk (development instance {frontend_api})")
            }
            ProviderKind::Clerk {
                frontend_api,
                development: false,
            } => {
                format!("Clerk (production instance {frontend_api})")
            }
            ProviderKind::Auth0 { tenant } => format!("Auth0 (tenant {tenant})"),
            ProviderKind::ConvexAuth { site } => format!("Convex Auth ({site}.convex.site)"),
            ProviderKind::WorkOs => "WorkOS".into(),
            ProviderKind::Custom => "custom".into(),
        }
    }

    /// The guide's potential causes for `code` that fit this provider, most likely first.
    ///
    /// The wording follows shared/reference/debugging-authentication-guide.txt (steps 1–3), with the "Clerk:" /
    /// "Auth0:" / "Custom:" branches resolved to the provider at hand.
    pub fn causes(&self, code: Code) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |s: &str| out.push(s.to_owned());
        match code {
            Code::ConfigIssuerMismatch => {
                add("You copied the wrong value into auth.config.ts's domain/issuer, or into the environment variable it reads (set it in the deployment's environment, not only in .env.local).");
                match self {
                    ProviderKind::Clerk { development, .. } => {
                        add("Wrong publishableKey in the client: it belongs to another Clerk instance than the one auth.config.ts names.");
                        if *development {
                            add("The client uses the Clerk development instance while auth.config.ts names the production one (or the reverse): each has its own Frontend API URL.");
                        } else {
                            add("The client uses the Clerk production instance while auth.config.ts names a development one (or the reverse): each has its own Frontend API URL.");
                        }
                        add("The environment variable holds Clerk's JWKS URL instead of the Frontend API URL (the issuer).");
                    }
                    ProviderKind::Auth0 { .. } => {
                        add("Wrong Auth0 domain configured in the client: it must be the tenant that auth.config.ts names.");
                        add("auth.config.ts's domain is another tenant or region (Auth0 issuers look like https://<tenant>.<region>.auth0.com/).");
                    }
                    ProviderKind::ConvexAuth { .. } => {
                        add("auth.config.ts's domain is not this deployment's CONVEX_SITE_URL (a token from another deployment, e.g. dev vs prod).");
                    }
                    ProviderKind::WorkOs => {
                        add("auth.config.ts's issuer names another WorkOS client ID or environment than the client uses.");
                    }
                    ProviderKind::Custom => {
                        add("Your client is misconfigured: make sure it gets its token from the issuer that auth.config.ts names.");
                    }
                }
            }
            Code::ConfigAudienceMismatch => {
                match self {
                    ProviderKind::Clerk { .. } => {
                        add("The Clerk JWT template is not named `convex`: ConvexProviderWithClerk asks for the template `convex`, whose `aud` is `convex`.");
                        add("applicationID in auth.config.ts is not `convex` (the audience Clerk's Convex template uses).");
                        add("Wrong publishableKey in the client: it belongs to another Clerk instance than the one auth.config.ts names.");
                    }
                    ProviderKind::Auth0 { .. } => {
                        add("Wrong clientId in the client: applicationID must be the client ID of the Auth0 application the client uses.");
                        add("The client sends the access token instead of the ID token (the ID token's `aud` is the client ID).");
                    }
                    ProviderKind::ConvexAuth { .. } => {
                        add("applicationID is not `convex`, the audience Convex Auth puts in its tokens.");
                    }
                    ProviderKind::WorkOs => {
                        add("WorkOS access tokens often carry no `aud`: drop applicationID, or configure the audience in WorkOS.");
                    }
                    ProviderKind::Custom => {}
                }
                add("You copied the wrong value into auth.config.ts's applicationID, or into the environment variable it reads.");
                if matches!(self, ProviderKind::Custom) {
                    add("Your client is misconfigured: make sure it requests tokens for the audience in applicationID.");
                }
            }
            Code::ConfigNoProviders => {
                add("There is no auth.config.ts (or auth.config.js) in the convex directory, or it was not pushed: run `npx convex dev` (dev) or `npx convex deploy` (prod).");
            }
            Code::ConfigKidMissing => {
                if matches!(self, ProviderKind::ConvexAuth { .. }) {
                    add("Convex Auth tokens carry no `kid`: configure the provider as OIDC (`domain` + `applicationID: \"convex\"`), not customJwt.");
                }
                add("The token issuer does not put a `kid` in the header: add one that matches a key of the JWKS.");
            }
            Code::TokenAbsent | Code::IdentityLoggedNull => {
                add("The client is not supplying an auth token.");
                match self {
                    ProviderKind::Clerk { .. } => add("The app does not use ConvexProviderWithClerk (with Clerk's useAuth), or the user is not signed in to Clerk."),
                    ProviderKind::Auth0 { .. } => add("The app does not use ConvexProviderWithAuth0, or the user is not signed in to Auth0."),
                    ProviderKind::ConvexAuth { .. } => add("The app does not use ConvexAuthProvider, or the user is not signed in."),
                    _ => add("The Convex client is not configured to fetch a token (ConvexProviderWithAuth, or setAuth on ConvexHttpClient/ConvexClient)."),
                }
                add("You are not signed in, so the token is null and the client skipped authentication.");
                if code == Code::IdentityLoggedNull {
                    add("Your deployment is misconfigured (see step 3).");
                }
            }
            Code::ClientNoTraffic | Code::ClientConnectionFailed | Code::IdentityNoLog => {
                add("You don't have the right dashboard open: the deployment URL must match the client's.");
                add(
                    "Your client is not connected to Convex: check the browser console and reload.",
                );
                add("The code has not been pushed (`npx convex dev` running / `npx convex deploy` succeeded).");
            }
            Code::TokenExpired | Code::AuthExpiredInSession => {
                if let ProviderKind::Clerk { .. } = self {
                    add("Clerk session tokens live about a minute: the client must fetch a fresh one (ConvexProviderWithClerk does).");
                }
                add("The token fetcher returns a cached token and ignores `forceRefreshToken`.");
                add("This computer's clock is wrong.");
            }
            Code::AuthDiscoveryFailed => {
                add("The issuer in the token has no reachable `/.well-known/openid-configuration` (wrong issuer, private network, or the provider is down).");
                if matches!(self, ProviderKind::ConvexAuth { .. }) {
                    add("The deployment's HTTP routes do not serve Convex Auth's discovery endpoints (auth.addHttpRoutes(http) missing from convex/http.ts, or JWKS/JWT_PRIVATE_KEY not set).");
                }
            }
            _ => {}
        }
        out
    }
}
