//! OIDC discovery documents and how the backend finds and fetches keys (pure: the caller does the fetching).

use serde_json::Value;

use super::jwks::{Jwks, MAX_JWKS_BYTES};
use crate::findings::{Code, Finding};
use crate::text::base64::Base64;
use crate::text::url::percent_decode;

/// Largest discovery document accepted.
pub const MAX_DISCOVERY_BYTES: usize = 256 * 1024;

/// What the backend uses from a discovery document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryDoc {
    pub issuer: String,
    pub jwks_uri: String,
}

/// The URL the backend's OIDC library fetches for `iss`: openidconnect-rs `IssuerUrl::join` appends
/// `.well-known/openid-configuration` after exactly one `/` (an `iss` ending in `/` gets none added).
pub fn discovery_url(iss: &str) -> String {
    if iss.ends_with('/') {
        format!("{iss}.well-known/openid-configuration")
    } else {
        format!("{iss}/.well-known/openid-configuration")
    }
}

/// Reads a discovery document fetched for the token issuer `iss`. Errors say what is wrong with the document;
/// an `issuer` that differs from `iss` is not an error here but a finding ([`discovery_findings`]), so the report
/// can show both values.
pub fn check_discovery(doc_json: &str, iss: &str) -> Result<DiscoveryDoc, String> {
    let url = discovery_url(iss);
    if doc_json.len() > MAX_DISCOVERY_BYTES {
        return Err(format!(
            "the discovery document at {url} is {} bytes, over the {MAX_DISCOVERY_BYTES}-byte limit",
            doc_json.len()
        ));
    }
    let value: Value = serde_json::from_str(doc_json)
        .map_err(|e| format!("the discovery document at {url} is not valid JSON ({e})"))?;
    let Value::Object(obj) = value else {
        return Err(format!(
            "the discovery document at {url} is not a JSON object"
        ));
    };
    let field = |name: &str| -> Result<String, String> {
        obj.get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("the discovery document at {url} has no \"{name}\" string"))
    };
    let doc = DiscoveryDoc {
        issuer: field("issuer")?,
        jwks_uri: field("jwks_uri")?,
    };
    metadata_types(&obj, &url)?;
    Ok(doc)
}

/// The provider-metadata fields whose type is certain to fail openidconnect's parse (get-convex fork 15a9c55
/// `src/discovery/mod.rs:55-152`: only `issuer` and `jwks_uri` are required, both URLs; the optional URL
/// fields must be URLs, the flags booleans, the lists lists). Where a value may parse, it passes.
fn metadata_types(obj: &serde_json::Map<String, Value>, url: &str) -> Result<(), String> {
    let is_url = |v: &Value| {
        v.as_str().is_some_and(|s| {
            s.split_once("://").is_some_and(|(scheme, rest)| {
                !scheme.is_empty()
                    && !rest.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            })
        })
    };
    let present = |name: &str| obj.get(name).filter(|v| !v.is_null());
    for name in ["issuer", "jwks_uri"] {
        if !obj.get(name).is_some_and(is_url) {
            return Err(format!(
                "the discovery document at {url}: \"{name}\" is not an absolute URL"
            ));
        }
    }
    for name in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "registration_endpoint",
        "service_documentation",
        "op_policy_uri",
        "op_tos_uri",
    ] {
        if present(name).is_some_and(|v| !is_url(v)) {
            return Err(format!(
                "the discovery document at {url}: \"{name}\" is not a URL"
            ));
        }
    }
    for name in [
        "claims_parameter_supported",
        "request_parameter_supported",
        "request_uri_parameter_supported",
        "require_request_uri_registration",
    ] {
        if present(name).is_some_and(|v| !v.is_boolean()) {
            return Err(format!(
                "the discovery document at {url}: \"{name}\" is not true/false"
            ));
        }
    }
    for name in [
        "scopes_supported",
        "response_types_supported",
        "response_modes_supported",
        "grant_types_supported",
        "acr_values_supported",
        "subject_types_supported",
        "token_endpoint_auth_methods_supported",
        "display_values_supported",
        "claim_types_supported",
        "claims_supported",
        "claims_locales_supported",
        "ui_locales_supported",
        "id_token_signing_alg_values_supported",
    ] {
        if present(name)
            .is_some_and(|v| !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)))
        {
            return Err(format!(
                "the discovery document at {url}: \"{name}\" is not a list of strings"
            ));
        }
    }
    Ok(())
}

/// Reads a discovery response as openidconnect does (`src/discovery/mod.rs:359-384`): a `Content-Type`, when
/// present, must have the essence `application/json` (`src/http_utils.rs:24-43`; a missing one passes), then the
/// document must parse. The error is the reason the backend's discovery fails ("Auth provider discovery of
/// <iss> failed").
pub fn check_discovery_response(
    content_type: Option<&str>,
    body: &str,
    iss: &str,
) -> Result<DiscoveryDoc, String> {
    if let Some(ct) = content_type {
        let essence = ct.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(format!(
                "the discovery document at {} is served as \"{ct}\", not application/json",
                discovery_url(iss)
            ));
        }
    }
    check_discovery(body, iss)
}

/// A discovery document that the backend's OIDC library cannot use: the backend fails as it would on a fetch
/// error ("Auth provider discovery of <iss> failed"), so every token of the provider is refused.
pub fn discovery_unusable(iss: &str, reason: &str) -> Finding {
    Finding::new(
        Code::AuthDiscoveryFailed,
        format!("{reason}: the backend's discovery fails the same way (\"Auth provider discovery of {iss} failed\"), so it refuses every token of this provider."),
    )
    .with("iss", iss)
    .with("discovery_url", discovery_url(iss))
    .with("reason", reason)
}

/// The findings of a discovery document against the token's `iss`.
///
/// The backend's OIDC library (openidconnect-rs `discover_async`) requires the document's `issuer` to equal the
/// issuer URL it was fetched for, as strings: no trailing-slash or case folding. On a difference the backend
/// reports `Auth provider discovery of <iss> failed`, which hides this cause.
pub fn discovery_findings(doc: &DiscoveryDoc, iss: &str) -> Vec<Finding> {
    if doc.issuer == iss {
        return Vec::new();
    }
    let why = if doc.issuer.trim_end_matches('/') == iss.trim_end_matches('/') {
        "they differ only by a trailing slash, and the comparison is exact"
    } else if doc.issuer.eq_ignore_ascii_case(iss) {
        "they differ only in letter case, and the comparison is exact"
    } else {
        "the token was issued by another issuer than the one whose document this is"
    };
    vec![Finding::new(
        Code::DiscoveryIssuerMismatch,
        format!(
            "The discovery document says issuer \"{}\" but the token's iss is \"{iss}\": {why}. The backend fails \
             with \"Auth provider discovery of {iss} failed\".",
            doc.issuer
        ),
    )
    .with("iss", iss)
    .with("discovery_issuer", doc.issuer.as_str())
    .with("discovery_url", discovery_url(iss))]
}

/// Media types the backend accepts for a custom-JWT JWKS (convex-backend `crates/authentication` `JWKS_MEDIA_TYPES`).
const JWKS_MEDIA_TYPES: [&str; 2] = ["application/json", "application/jwk-set+json"];

/// Whether a `Content-Type` passes the backend's check: essence one of [`JWKS_MEDIA_TYPES`] (any case), and a
/// `charset` parameter, if any, `utf-8`.
pub fn jwks_content_type_ok(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !JWKS_MEDIA_TYPES
        .iter()
        .any(|t| essence.eq_ignore_ascii_case(t))
    {
        return false;
    }
    parts.all(|param| {
        let param = param.trim();
        if param.is_empty() {
            return true;
        }
        let Some((name, value)) = param.split_once('=') else {
            return false; // not a parameter: the backend's media-type parser rejects the whole header
        };
        if !name.trim().eq_ignore_ascii_case("charset") {
            return true;
        }
        value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
    })
}

/// Reads a JWKS response as the backend's custom-JWT path does, with its error texts
/// (convex-backend `crates/authentication/src/lib.rs` `fetch_jwks` and the `JWKSet` parse after it).
pub fn parse_jwks_response(
    content_type: Option<&str>,
    body: &str,
    url: &str,
) -> Result<Jwks, String> {
    if !content_type.is_some_and(jwks_content_type_ok) {
        let shown = content_type.unwrap_or("unknown");
        return Err(format!(
            "Invalid Content-Type '{shown}' when fetching JWKS from '{url}'. Expected 'application/json' or \
             'application/jwk-set+json'."
        ));
    }
    let invalid = || {
        format!(
            "Invalid JWKS response body from '{url}'. The response is not valid JSON or doesn't match the \
             expected JWKS format."
        )
    };
    if body.len() > MAX_JWKS_BYTES {
        return Err(invalid());
    }
    Jwks::parse(body).map_err(|_| invalid())
}

/// Reads a JWKS response as the OIDC path does (openidconnect-rs `src/types/jwks.rs:140-162` and
/// `src/http_utils.rs:24-43`): a missing `Content-Type` passes, a present one needs the essence
/// `application/json` or `application/jwk-set+json` (parameters are not looked at); keys it cannot read are skipped.
pub fn parse_oidc_jwks_response(
    content_type: Option<&str>,
    body: &str,
    url: &str,
) -> Result<Jwks, String> {
    if let Some(ct) = content_type {
        let essence = ct.split(';').next().unwrap_or("").trim();
        if !JWKS_MEDIA_TYPES
            .iter()
            .any(|t| essence.eq_ignore_ascii_case(t))
        {
            return Err(format!(
                "the JWKS at {url} is served as \"{ct}\", not application/json"
            ));
        }
    }
    if body.len() > MAX_JWKS_BYTES {
        return Err(format!("the JWKS at {url} is over {MAX_JWKS_BYTES} bytes"));
    }
    Jwks::parse(body).map_err(|e| format!("the JWKS at {url}: {e}"))
}

/// Decodes a `data:` URI (as a custom JWT provider's `jwks` may be; the backend skips the content-type check for
/// these). Error text as the backend's.
pub fn decode_data_uri(uri: &str) -> Result<String, String> {
    const ERR: &str =
        "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid \
                       base64-encoded JSON.";
    let rest = uri
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .and_then(|_| uri.get(5..))
        .ok_or_else(|| ERR.to_owned())?;
    let (meta, data) = rest.split_once(',').ok_or_else(|| ERR.to_owned())?;
    if data.len() > MAX_JWKS_BYTES * 2 {
        return Err(ERR.to_owned());
    }
    let bytes = if meta.to_ascii_lowercase().ends_with(";base64") {
        let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        Base64::STANDARD_PAD_OPTIONAL
            .decode(&cleaned)
            .map_err(|_| ERR.to_owned())?
    } else {
        percent_decode(data)
    };
    String::from_utf8(bytes).map_err(|_| ERR.to_owned())
}

/// The JWKS URL answered with something the backend cannot use either (its texts for this map to
/// `auth.discovery_failed`: `rules/server_error.rs` `JwksUnavailable`): every token of the provider is refused.
pub fn jwks_unusable(url: &str, error: &str) -> Finding {
    Finding::new(
        Code::AuthDiscoveryFailed,
        format!("The provider's keys at {url} are unusable: {error}. The backend gets the same answer, so it refuses every token of this provider."),
    )
    .with("url", url)
    .with("error", error)
}
