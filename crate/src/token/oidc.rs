//! Step-2 rules only the OIDC path applies: what openidconnect-rs (get-convex fork 15a9c55) refuses before or
//! while it verifies an ID token, and the one input that makes the backend fail internally.
//!
//! The order the backend applies them (convex-backend 94a42c3 `crates/authentication/src/lib.rs`):
//! - lib.rs:208 `IssuerUrl::new(token_issuer)` parses the token's raw `iss` as a URL (openidconnect
//!   `src/macros.rs:334-335`, `url::Url::parse`). The provider was matched after adding `https://` to a
//!   scheme-less `iss` (`crates/common/src/auth.rs:66-81`), but this parse uses the raw value: `foo.example.com`
//!   fails with an error that carries no `ErrorMetadata`, so the client gets no AuthError: the WebSocket closes
//!   1011 `InternalServerError` (`crates/errors/src/lib.rs:1048-1056`) and HTTP answers 500
//!   "Your request couldn't be completed. Try again later." (`errors/src/lib.rs:1102`).
//! - lib.rs:261 `CoreIdTokenWithCustomClaims::from_str`: the header's `crit` (list of strings), `cty`, `kid`,
//!   `typ` (strings) and the payload's typed claims must deserialize (`src/jwt/mod.rs:195-215`,
//!   `src/id_token/mod.rs:202-245`, `src/claims.rs:193-330`), else "Could not parse as OIDC ID token".
//!   `accept-string-booleans` is not enabled (convex-backend `Cargo.toml:147`), so `"true"` is not a boolean.
//! - lib.rs:267 verification: any `cty`, any `crit`, a `typ` that is not JWT-like
//!   (`src/verification/mod.rs:231-279`) give "Could not verify OIDC token claim".
//!
//! biscuit (the customJwt path) keeps unknown claims as JSON values and does not look at `cty`/`crit`, so none of
//! these apply there; on an unknown path they are warnings.

use serde_json::Value;

use super::checks::TokenPath;
use super::decode::DecodedToken;
use crate::findings::{Code, Finding, Severity};

/// The severity of an OIDC-only refusal on `path`; `None` where the rule does not apply (customJwt).
fn oidc_severity(path: &TokenPath) -> Option<Severity> {
    match path {
        TokenPath::Oidc { .. } => Some(Severity::Fail),
        TokenPath::Unknown => Some(Severity::Warn),
        TokenPath::CustomJwt { .. } => None,
    }
}

/// Every OIDC-only rule.
pub(super) fn check_oidc(token: &DecodedToken, path: &TokenPath, out: &mut Vec<Finding>) {
    let Some(severity) = oidc_severity(path) else {
        return;
    };
    issuer_scheme(token, path, severity, out);
    header_refused(token, path, severity, out);
    claim_types(token, path, severity, out);
}

/// Whether `url::Url::parse` can read `iss` at all: an absolute URL starts with a scheme (`ALPHA *( ALPHA /
/// DIGIT / "+" / "-" / "." )`) and a `:`; anything else is a relative URL without a base and fails.
fn has_url_scheme(iss: &str) -> bool {
    let Some((scheme, _)) = iss.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `token.iss_no_scheme`: an `iss` without `https://` or `http://`.
fn issuer_scheme(
    token: &DecodedToken,
    path: &TokenPath,
    severity: Severity,
    out: &mut Vec<Finding>,
) {
    let Some(iss) = token.iss() else { return };
    if iss.starts_with("https://") || iss.starts_with("http://") {
        return;
    }
    let fix = format!("https://{iss}");
    let (message, severity) = if has_url_scheme(iss) {
        // `x.y:443` or `https:host` parse as URLs of another form; discovery then fetches a URL built from the
        // raw text, which no provider publishes its document under (or which names another issuer).
        (
            format!(
                "`iss` is \"{iss}\", without `https://`: the OIDC provider matches it, but the backend discovers keys from the raw value, which is not an https URL, so discovery fails."
            ),
            Severity::Warn,
        )
    } else {
        let tail = match path {
            TokenPath::Oidc { .. } => "",
            _ => " (customJwt providers add the scheme themselves and accept it)",
        };
        (
            format!(
                "`iss` is \"{iss}\", without `https://`: an OIDC provider matches it, then the backend cannot parse it as a URL and fails internally: no AuthError, the socket closes 1011 InternalServerError on every reconnect (HTTP: 500){tail}."
            ),
            severity,
        )
    };
    out.push(
        Finding::new(Code::TokenIssNoScheme, message)
            .with("iss", iss)
            .with("expected", fix.as_str())
            .with("path", path.name())
            .severity(severity)
            .causes([
                format!("The provider puts a bare host in `iss`: configure it to issue `{fix}` (OIDC discovery needs the full issuer URL)."),
                "Or declare the provider as `type: \"customJwt\"` with `issuer` and `jwks`: that path adds `https://` itself.".to_owned(),
            ]),
    );
}

/// `token.header_refused`: `cty` or `crit` in the header (a `null` reads as absent).
fn header_refused(
    token: &DecodedToken,
    path: &TokenPath,
    severity: Severity,
    out: &mut Vec<Finding>,
) {
    for (name, what) in [
        ("cty", "a content type (`cty`), used only for nested JWTs"),
        ("crit", "critical extensions (`crit`)"),
    ] {
        let Some(value) = token.header.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let verb = match path {
            TokenPath::Oidc { .. } => "the OIDC provider refuses any token that has one",
            _ => "an OIDC provider refuses any token that has one (customJwt providers ignore it)",
        };
        out.push(
            Finding::new(
                Code::TokenHeaderRefused,
                format!("The header declares {what}: {verb} (\"Could not verify OIDC token claim\")."),
            )
            .with("header_field", name)
            .with("value", value.clone())
            .with("path", path.name())
            .severity(severity)
            .causes(["The token is built by custom code or a gateway that adds header fields: issue a plain ID token (header with `alg`, `kid`, `typ: JWT` only)."]),
        );
    }
}

/// The JSON type a standard OIDC claim must have.
#[derive(Clone, Copy)]
enum Want {
    /// A string (or `null`).
    Str,
    /// A string or `null`, also under `name#language` keys.
    LocalizedStr,
    /// `true`/`false` (or `null`): `"true"` is refused.
    Bool,
    /// Seconds (a number) or an RFC 3339 date string (`accept-rfc3339-timestamps` is on), or `null`.
    Time,
    /// A list of strings (or `null`).
    Strings,
    /// An object whose members are strings or `null` (or `null` itself).
    Address,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Want::Str | Want::LocalizedStr => "a string",
            Want::Bool => "a JSON boolean (true/false, not a string)",
            Want::Time => "a number of seconds (or an RFC 3339 date string)",
            Want::Strings => "a list of strings",
            Want::Address => "an object of strings",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) => true,
            (Want::Str | Want::LocalizedStr, Value::String(_)) => true,
            (Want::Bool, Value::Bool(_)) => true,
            // chrono's range ends near ±8.21e12 s (year ±262 142): refuse only what is surely beyond it.
            (Want::Time, Value::Number(n)) => n.as_f64().is_some_and(|s| s.abs() < 8.3e12),
            // A date must at least start like one (`YYYY-`): anything else cannot be RFC 3339.
            (Want::Time, Value::String(s)) => {
                let b = s.as_bytes();
                b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
            }
            (Want::Strings, Value::Array(items)) => items.iter().all(Value::is_string),
            (Want::Address, Value::Object(members)) => members
                .iter()
                .filter(|(k, _)| {
                    matches!(
                        k.as_str(),
                        "formatted"
                            | "street_address"
                            | "locality"
                            | "region"
                            | "postal_code"
                            | "country"
                    )
                })
                .all(|(_, v)| v.is_string() || v.is_null()),
            _ => false,
        }
    }
}

/// The typed claims of an OIDC ID token besides `iss`/`sub`/`aud`/`exp`/`iat` (checked on every path in
/// `checks.rs`): openidconnect `IdTokenClaims` (`src/id_token/mod.rs:202-245`) and `StandardClaims`
/// (`src/claims.rs:256-297`).
const TYPED: &[(&str, Want)] = &[
    ("auth_time", Want::Time),
    ("nonce", Want::Str),
    ("acr", Want::Str),
    ("amr", Want::Strings),
    ("azp", Want::Str),
    ("at_hash", Want::Str),
    ("c_hash", Want::Str),
    ("name", Want::LocalizedStr),
    ("given_name", Want::LocalizedStr),
    ("family_name", Want::LocalizedStr),
    ("middle_name", Want::LocalizedStr),
    ("nickname", Want::LocalizedStr),
    ("profile", Want::LocalizedStr),
    ("picture", Want::LocalizedStr),
    ("website", Want::LocalizedStr),
    ("preferred_username", Want::Str),
    ("email", Want::Str),
    ("email_verified", Want::Bool),
    ("gender", Want::Str),
    ("birthday", Want::Str),
    ("birthdate", Want::Str),
    ("zoneinfo", Want::Str),
    ("locale", Want::Str),
    ("phone_number", Want::Str),
    ("phone_number_verified", Want::Bool),
    ("address", Want::Address),
    ("updated_at", Want::Time),
];

/// Standard claims read through `StandardClaims`' visitor, which refuses a `#language` suffix on the
/// non-localized ones (`src/helpers.rs:89-95`).
fn standard_claim(name: &str) -> Option<Want> {
    TYPED
        .iter()
        .skip(7) // the IdTokenClaims fields take no language tag: `acr#en` is just an unknown claim
        .find(|(n, _)| *n == name)
        .map(|(_, w)| *w)
}

/// `token.claim_type`: standard claims of the wrong JSON type (one finding per claim, at most a few).
fn claim_types(token: &DecodedToken, path: &TokenPath, severity: Severity, out: &mut Vec<Finding>) {
    let mut found = 0;
    let mut push = |claim: &str, value: &Value, expected: &str, why: String| {
        if found >= 4 {
            return;
        }
        found += 1;
        let whose = match path {
            TokenPath::Oidc { .. } => "the OIDC provider cannot parse the ID token",
            _ => "an OIDC provider cannot parse the ID token (customJwt providers accept it)",
        };
        out.push(
            Finding::new(
                Code::TokenClaimType,
                format!("`{claim}` is {why}: {whose} (\"Could not parse as OIDC ID token\")."),
            )
            .with("claim", claim)
            .with("value", bounded(value))
            .with("expected", expected)
            .with("path", path.name())
            .severity(severity)
            .causes([
                "The provider or a custom claim template puts a non-standard value in a standard OIDC claim: rename the claim (e.g. `email_verified_str`) or emit the standard type.",
            ]),
        );
    };
    for (name, want) in TYPED {
        let Some(value) = token.payload.get(*name) else {
            continue;
        };
        if !want.accepts(value) {
            let why = format!("{}, not {}", kind_of(value), want.describe());
            push(name, value, want.describe(), why);
        }
    }
    // `name#en`, `email#en`: localized keys of standard claims.
    for (key, value) in &token.payload {
        let Some((base, tag)) = key.split_once('#') else {
            continue;
        };
        let Some(want) = standard_claim(base) else {
            continue;
        };
        if tag.is_empty() {
            // `name#` is `name` again: a duplicate field when both are present.
            if token.payload.contains_key(base) {
                push(
                    key,
                    value,
                    want.describe(),
                    format!("a second `{base}` (an empty language tag)"),
                );
            }
        } else if !matches!(want, Want::LocalizedStr) {
            push(
                key,
                value,
                "no language tag",
                format!("`{base}` with a language tag, which only name-like claims take"),
            );
        } else if !want.accepts(value) {
            let why = format!("{}, not {}", kind_of(value), want.describe());
            push(key, value, want.describe(), why);
        }
    }
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string \"{}\"", s.chars().take(40).collect::<String>()),
        other => crate::text::json::kind_name(other).to_owned(),
    }
}

/// A claim value for evidence, cut when large (a whole nested object is not needed to see its type).
fn bounded(v: &Value) -> Value {
    let text = v.to_string();
    if text.len() <= 200 {
        v.clone()
    } else {
        Value::String(format!("{}…", text.chars().take(200).collect::<String>()))
    }
}

#[cfg(test)]
mod tests {
    use super::has_url_scheme;

    #[test]
    fn url_scheme_detection_follows_rfc3986() {
        assert!(!has_url_scheme("foo.clerk.accounts.dev"));
        assert!(!has_url_scheme("foo.example.com/path"));
        assert!(!has_url_scheme("1host:443"));
        assert!(has_url_scheme("example.com:443"));
        assert!(has_url_scheme("https:host"));
    }
}
