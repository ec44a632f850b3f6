//! The provider list a development deployment prints when no provider matches a token.
//!
//! The text is built by `enhance_no_provider_error` in convex-backend `crates/authentication/src/lib.rs`:
//!
//! ```text
//! No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your
//! configured providers: [OIDC(domain=<domain>, app_id=<application_id>), CustomJWT(issuer=<issuer>, app_id=<id or none>)]
//! ```
//!
//! joined with `", "`; `(no providers configured)` when the list is empty; and only
//! `No auth provider found matching the given token` when errors are redacted (production). Values are printed
//! raw, so a value may itself contain `, ` or `)`: entries are therefore split on the next `, OIDC(domain=` /
//! `, CustomJWT(issuer=` and each entry on its last `, app_id=`, not on the first comma.

use super::{AuthConfig, ConfigSource, ConfigValue, Provider};

const HEAD: &str = "No auth provider found matching the given token";
const LIST_INTRO: &str = "configured providers: [";
const NO_PROVIDERS: &str = "(no providers configured)";
const OIDC: &str = "OIDC(domain=";
const CUSTOM: &str = "CustomJWT(issuer=";
const APP_ID: &str = ", app_id=";

/// The provider list in a development deployment's `No auth provider found…` message
/// (an empty list for `(no providers configured)`); `None` when the message has none (e.g. production's redacted form).
///
/// The server's list has no JWKS or algorithm for custom JWT providers: those come back as empty literals, and
/// the config's `source` says [`ConfigSource::ServerMessage`] so readers know. A CustomJWT `app_id=none` is read
/// as "no applicationID" (the backend prints `none` for a missing one).
pub fn providers_from_server_message(message: &str) -> Option<AuthConfig> {
    let at = message.find(HEAD)?;
    let rest = message.get(at + HEAD.len()..)?;
    if rest.trim_start().starts_with(NO_PROVIDERS) {
        return Some(AuthConfig {
            providers: Vec::new(),
            source: ConfigSource::ServerMessage,
        });
    }
    let list_start = rest.find(LIST_INTRO)? + LIST_INTRO.len();
    let list = rest.get(list_start..)?;
    // The list ends at its last `)]`; anything after (a request id, a log suffix) is not part of it. A list cut
    // short (no `)]`) gives `None`: a partial list would make a missing provider look like a mismatch.
    let list = match list.rfind(")]") {
        Some(end) => list.get(..=end)?,
        None if list.starts_with(']') => "",
        None => return None,
    };
    let mut providers = Vec::new();
    for entry in split_entries(list) {
        providers.push(parse_entry(entry)?);
    }
    Some(AuthConfig {
        providers,
        source: ConfigSource::ServerMessage,
    })
}

/// Splits `A(..), B(..)` at the starts of entries, so commas inside values stay in their entry.
fn split_entries(list: &str) -> Vec<&str> {
    // Each prefix's starts come in ascending order; merging the two lists keeps them sorted without a sort
    // (core's sort would add kilobytes to the wasm module).
    let of = |prefix: &str| -> Vec<usize> {
        let mut v = Vec::new();
        if list.starts_with(prefix) {
            v.push(0);
        }
        let sep = format!(", {prefix}");
        v.extend(list.match_indices(&sep).map(|(i, _)| i + 2));
        v
    };
    let (a, b) = (of(OIDC), of(CUSTOM));
    let mut starts: Vec<usize> = Vec::with_capacity(a.len() + b.len());
    let (mut ia, mut ib) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (ia.peek(), ib.peek()) {
            (Some(&x), Some(&y)) if x <= y => ia.next(),
            (Some(_), Some(_)) => ib.next(),
            (Some(_), None) => ia.next(),
            (None, _) => ib.next(),
        };
        let Some(n) = next else { break };
        starts.push(n);
    }
    starts.dedup();
    let mut out = Vec::new();
    for (n, start) in starts.iter().enumerate() {
        let end = starts
            .get(n + 1)
            .map_or(list.len(), |next| next.saturating_sub(2));
        if let Some(entry) = list.get(*start..end) {
            out.push(entry);
        }
    }
    out
}

fn parse_entry(entry: &str) -> Option<Provider> {
    let (is_oidc, body) = if let Some(b) = entry.strip_prefix(OIDC) {
        (true, b)
    } else {
        (false, entry.strip_prefix(CUSTOM)?)
    };
    let body = body.strip_suffix(')')?;
    let (url, app_id) = body.rsplit_once(APP_ID)?;
    let literal = |v: &str| ConfigValue::Literal {
        value: v.to_owned(),
    };
    Some(if is_oidc {
        Provider::Oidc {
            domain: literal(url),
            application_id: Some(literal(app_id)),
        }
    } else {
        Provider::CustomJwt {
            issuer: literal(url),
            jwks: literal(""),
            algorithm: literal(""),
            application_id: (app_id != "none").then(|| literal(app_id)),
        }
    })
}
