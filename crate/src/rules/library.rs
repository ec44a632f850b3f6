//! Causes that name the auth library that minted the token, where its source tells what went wrong.
//!
//! Convex Auth and Better Auth both issue tokens from the deployment itself (`iss` is `CONVEX_SITE_URL`, a
//! `*.convex.site` URL on Convex's cloud), so the issuer alone does not tell them apart; the token's shape does:
//! - `@convex-dev/auth` 0.0.95 `src/server/implementation/tokens.ts:39-48` signs with the header `{ alg: "RS256" }`
//!   only (no `kid`, no `typ`), `sub` = `<userId>|<sessionId>` (`utils.ts:8`), `iss` from `requireEnv("CONVEX_SITE_URL")`
//!   (so it refuses to mint when the variable is unset), keys from `JWT_PRIVATE_KEY` (`tokens.ts:20`) published as
//!   `JWKS`; its CLI `npx @convex-dev/auth` generates and sets both together (`src/cli/index.ts:195-213`).
//! - `better-auth` 1.6.34 `dist/plugins/jwt/sign.mjs:42-45` signs with `{ alg, kid }` (no `typ`); the
//!   `@convex-dev/better-auth` 0.12.5 convex plugin (`src/plugins/convex/index.ts:189-201`) sets `iss` to
//!   `${process.env.CONVEX_SITE_URL}` (the text `undefined` when unset), `aud` `convex`, and a `sessionId` claim;
//!   with a static `JWKS` variable it signs with the keys in that variable (`index.ts:208-228`).

use serde_json::Value;

use super::ProviderKind;
use crate::findings::{Code, Finding, Severity};
use crate::token::DecodedToken;

/// The library recognised from a token's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    ConvexAuth,
    BetterAuth,
}

impl Library {
    /// Recognises Convex Auth or Better Auth from the token; `None` for anything else.
    pub fn recognise(token: &DecodedToken) -> Option<Library> {
        let has_kid = token.header.get("kid").is_some();
        let site_issuer = token.iss().is_some_and(|iss| {
            matches!(
                ProviderKind::recognise(iss),
                ProviderKind::ConvexAuth { .. }
            )
        });
        let convex_auth_sub = token.sub().is_some_and(|s| s.split('|').count() == 2);
        let better_auth_session = token.payload.contains_key("sessionId");
        match () {
            _ if !has_kid && convex_auth_sub && (site_issuer || unset_issuer(token).is_some()) => {
                Some(Library::ConvexAuth)
            }
            _ if has_kid && better_auth_session => Some(Library::BetterAuth),
            _ if site_issuer && !has_kid => Some(Library::ConvexAuth),
            _ if site_issuer => Some(Library::BetterAuth),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Library::ConvexAuth => "Convex Auth",
            Library::BetterAuth => "Better Auth",
        }
    }
}

/// `iss` as the text an unset variable leaves: JSON `null`, or the strings `undefined` / `null` a template
/// literal or string conversion makes of it.
fn unset_issuer(token: &DecodedToken) -> Option<&'static str> {
    match token.payload.get("iss") {
        Some(Value::Null) => Some("null"),
        Some(Value::String(s)) if s == "undefined" => Some("undefined"),
        Some(Value::String(s)) if s == "null" => Some("null"),
        _ => None,
    }
}

/// Puts library-specific causes first on the findings they explain.
pub fn add_library_causes(token: &DecodedToken, findings: &mut [Finding]) {
    let library = Library::recognise(token);
    let unset = unset_issuer(token);
    for f in findings.iter_mut().filter(|f| f.severity >= Severity::Warn) {
        let mut first: Vec<String> = Vec::new();
        if let Some(text) = unset {
            if matches!(
                f.code,
                Code::TokenClaimMissing
                    | Code::TokenIssNoScheme
                    | Code::ConfigIssuerMismatch
                    | Code::ConfigNoMatch
            ) {
                first.push(unset_issuer_cause(text, library));
            }
        }
        if f.code == Code::SignatureInvalid {
            match library {
                Some(Library::ConvexAuth) => first.push(
                    "Convex Auth: the deployment's JWKS and JWT_PRIVATE_KEY variables are not one key pair (one was regenerated, or copied from another deployment). Regenerate both together with `npx @convex-dev/auth` (it sets both), then sign in again.".to_owned(),
                ),
                Some(Library::BetterAuth) => first.push(
                    "Better Auth: the token was signed with a key the configured JWKS does not hold. With a static JWKS (`getAuthConfigProvider({ jwks: process.env.JWKS })`), set JWKS again from the keys Better Auth signs with (`npx convex run auth:rotateKeys | npx convex env set JWKS`) and pass the same value to the convex plugin; then sign in again.".to_owned(),
                ),
                None => {}
            }
        }
        if !first.is_empty() {
            first.retain(|c| !f.causes.contains(c));
            f.causes.splice(0..0, first);
        }
    }
}

fn unset_issuer_cause(text: &str, library: Option<Library>) -> String {
    let who = library.map_or_else(
        || "The issuing side".to_owned(),
        |l| format!("{} (the issuing side)", l.name()),
    );
    format!(
        "The token's iss is `{text}`: {who} built it from an unset variable. For Convex Auth and Better Auth that is CONVEX_SITE_URL where the token is minted: Convex sets it on its deployments, a self-hosted backend from CONVEX_SITE_ORIGIN, and a server outside Convex (Next.js, say) must have it in its own environment. Better Auth writes `${{process.env.CONVEX_SITE_URL}}` into iss, which reads `undefined` when unset."
    )
}
