//! Step 3 field by field: each provider's domain/issuer and applicationID against the token's `iss` and `aud`, as
//! the backend compares them, and which provider it picks (or would, but for one field).
//!
//! The rules are [`super::matching`]'s (convex-backend `crates/common/src/auth.rs:48-82` `matches_token`, and
//! `:209-240` `deserialize_issuer_url` for the configured side): the configured domain/issuer gets `https://` when
//! it has no `\w+://` scheme, the token's `iss` gets it unless it starts with `https://` or `http://`, both lose
//! trailing `/`, and then the strings must be equal, byte for byte: `IssuerUrl` compares the text it was built
//! from (openidconnect-rs `src/macros.rs:331-352`, its `Deref` to the original `String`), so letter case, a path,
//! a port or whitespace all count. The applicationID must equal one of the audiences exactly
//! (`audiences.contains`, `auth.rs:60-64`); a provider without one accepts any `aud` (customJwt only: OIDC requires
//! it, `auth.rs:124-139`). The first provider that passes both is the one used
//! (`crates/authentication/src/lib.rs:187-191`).

use super::matching::{audience_fit, closeness, issuer_fit_of, normalise_config_domain};
use super::normalise_issuer;
use crate::config::{AuthConfig, ConfigValue, Provider};
use crate::token::DecodedToken;

/// One field of one provider against the token, as the backend reads both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCheck {
    /// `domain`, `issuer` or `applicationID`, as auth.config.ts names it.
    pub field: &'static str,
    /// The configured value as given (resolved), when known and set.
    pub configured: Option<String>,
    /// The configured value after normalisation, when known and set.
    pub expected: Option<String>,
    /// Variables the configured value reads whose values are not known.
    pub unresolved: Vec<String>,
    /// The token's value as written (`iss`, or the chosen audience); `None` when the claim is absent.
    pub token_raw: Option<String>,
    /// The token's value after normalisation.
    pub actual: Option<String>,
    /// The token's other audiences (the applicationID row shows the one closest to the expected value).
    pub other_audiences: Vec<String>,
    /// Equal for the backend; `None` when unknown.
    pub matches: Option<bool>,
}

/// Which provider the backend picks, or would but for one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// The first provider whose issuer and applicationID both match: the one the backend uses.
    Matched,
    /// No provider matches; this one differs in one field only (the issuer equal and the audience not, else the
    /// closest issuer among those whose audience fits).
    Near,
}

impl Marker {
    pub fn as_str(self) -> &'static str {
        match self {
            Marker::Matched => "matched",
            Marker::Near => "near",
        }
    }
}

/// One provider against the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCheck {
    pub index: usize,
    /// `oidc` or `customJwt`.
    pub kind: &'static str,
    pub marker: Option<Marker>,
    pub issuer: FieldCheck,
    pub application_id: FieldCheck,
}

/// Every provider of `config` against `token`, in the configuration's order.
pub fn compare(config: &AuthConfig, token: &DecodedToken) -> Vec<ProviderCheck> {
    let iss = token.iss();
    let aud = super::matching::token_audiences(token);
    let mut checks: Vec<ProviderCheck> = config
        .providers
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let f = fields(p);
            ProviderCheck {
                index,
                kind: f.kind,
                marker: None,
                issuer: issuer_check(f.issuer_name, f.issuer, iss),
                application_id: audience_check(f.application_id, &aud),
            }
        })
        .collect();
    mark(&mut checks, iss);
    checks
}

/// The parts of a provider the comparison reads.
struct Fields<'a> {
    kind: &'static str,
    /// What auth.config.ts calls the issuer: `domain` (OIDC) or `issuer` (customJwt).
    issuer_name: &'static str,
    issuer: &'a ConfigValue,
    application_id: Option<&'a ConfigValue>,
}

fn fields(p: &Provider) -> Fields<'_> {
    match p {
        Provider::Oidc {
            domain,
            application_id,
        } => Fields {
            kind: "oidc",
            issuer_name: "domain",
            issuer: domain,
            application_id: application_id.as_ref(),
        },
        Provider::CustomJwt {
            issuer,
            application_id,
            ..
        } => Fields {
            kind: "customJwt",
            issuer_name: "issuer",
            issuer,
            application_id: application_id.as_ref(),
        },
    }
}

fn issuer_check(field: &'static str, configured: &ConfigValue, iss: Option<&str>) -> FieldCheck {
    let raw = configured.resolved().map(str::to_owned);
    FieldCheck {
        field,
        expected: raw.as_deref().map(normalise_config_domain),
        configured: raw,
        unresolved: configured
            .unresolved_names()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        token_raw: iss.map(str::to_owned),
        actual: iss.map(normalise_issuer),
        other_audiences: Vec::new(),
        // Without `iss` the backend stops before comparing ("Missing issuer claim"): no provider can match.
        matches: iss.map_or(Some(false), |iss| issuer_fit_of(configured, iss)),
    }
}

fn audience_check(app: Option<&ConfigValue>, aud: &[String]) -> FieldCheck {
    let raw = app.and_then(ConfigValue::resolved).map(str::to_owned);
    // The audience shown is the one equal to the applicationID, else the one sharing its longest start.
    let chosen = raw.as_deref().map_or_else(
        || aud.first().cloned(),
        |want| {
            let shared = |a: &String| {
                a.chars()
                    .zip(want.chars())
                    .take_while(|(x, y)| x == y)
                    .count()
            };
            aud.iter()
                .find(|a| *a == want)
                .or_else(|| aud.iter().rev().max_by_key(|a| shared(a)))
                .cloned()
        },
    );
    FieldCheck {
        field: "applicationID",
        expected: raw.clone(),
        configured: raw,
        unresolved: app
            .map(ConfigValue::unresolved_names)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        other_audiences: aud
            .iter()
            .filter(|a| Some(*a) != chosen.as_ref())
            .cloned()
            .collect(),
        token_raw: chosen.clone(),
        actual: chosen,
        matches: audience_fit(app, aud),
    }
}

/// The provider the backend picks, else the one a single field keeps from being picked.
fn mark(checks: &mut [ProviderCheck], iss: Option<&str>) {
    let both = |c: &ProviderCheck| {
        c.issuer.matches == Some(true) && c.application_id.matches == Some(true)
    };
    if let Some(c) = checks.iter_mut().find(|c| both(c)) {
        c.marker = Some(Marker::Matched);
        return;
    }
    let issuer_only = checks
        .iter()
        .position(|c| c.issuer.matches == Some(true) && c.application_id.matches == Some(false));
    let audience_only = || {
        let iss = normalise_issuer(iss?);
        checks
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.issuer.matches == Some(false) && c.application_id.matches == Some(true)
            })
            .filter_map(|(i, c)| Some((i, closeness(c.issuer.expected.as_deref()?, &iss))))
            // The first of equally close providers, as the backend walks them in order.
            .rev()
            .max_by_key(|(_, score)| *score)
            .map(|(i, _)| i)
    };
    if let Some(i) = issuer_only.or_else(audience_only) {
        if let Some(c) = checks.get_mut(i) {
            c.marker = Some(Marker::Near);
        }
    }
}
