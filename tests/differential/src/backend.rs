//! The reference judge: the libraries the Convex backend validates tokens with, `openidconnect` and `biscuit`
//! from crates.io, configured as the backend configures them. Written for this test from reading the backend
//! (get-convex/convex-backend 94a42c3); no code is copied from it. Each step cites the lines it follows.
//!
//! "Accepts" means what a client sees: the backend's `validate_id_token` returns a user identity and that
//! identity is not already expired (a customJwt token past `exp` but within biscuit's 5 s leeway is validated,
//! then refused at once with `Convex token identity expired`: crates/sync/src/state.rs:297-303,
//! crates/keybroker/src/broker.rs:671-673).

use std::collections::BTreeMap;

use biscuit::jwa::SignatureAlgorithm;
use biscuit::jwk::JWKSet;
use biscuit::{Empty, SingleOrMultiple, TemporalOptions, ValidationOptions, JWT};
use chrono::{DateTime, TimeZone, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreIdTokenVerifier, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::http::{HeaderValue, Response, StatusCode};
use openidconnect::{AdditionalClaims, ClientId, IdToken, IssuerUrl, Nonce};
use serde::{Deserialize, Serialize};

use crate::case::{Case, Doc, ProviderSpec, Transport};

/// The reference verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Accept,
    /// Where and why (the library's own error text).
    Refuse(String),
}

/// The custom-claims type the backend parses OIDC tokens with: every extra claim kept as JSON
/// (crates/keybroker/src/broker.rs:495-505).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ExtraClaims(std::collections::HashMap<String, serde_json::Value>);
impl AdditionalClaims for ExtraClaims {}

type BackendIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// A provider as the backend holds it after `auth.config.ts` is pushed: `domain`/`issuer` given a scheme when
/// it has none (crates/common/src/auth.rs:209-241).
#[derive(Debug, Clone)]
enum Provider {
    Oidc {
        domain: String,
        application_id: String,
    },
    CustomJwt {
        issuer: String,
        jwks: String,
        algorithm: SignatureAlgorithm,
        application_id: Option<String>,
    },
}

/// The backend's reading of a configured domain (common/src/auth.rs:209-241): `None` when the push itself
/// would be refused, so the case is not a token case at all.
fn deployed_url(original: &str) -> Option<String> {
    if original.starts_with('"') {
        return None;
    }
    // `^\w+://` decides whether a scheme was given (auth.rs:203, 215).
    let had_scheme = original
        .split_once("://")
        .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let url = if had_scheme {
        original.to_owned()
    } else {
        format!("https://{original}")
    };
    let parsed = openidconnect::url::Url::parse(&url).ok()?;
    if !["http", "https"].contains(&parsed.scheme()) {
        return None;
    }
    // Without a scheme the host must end in a top-level domain (auth.rs:232-251); the cases use only these.
    if !had_scheme {
        let host = parsed.host_str()?;
        let tld_ok = host == "localhost"
            || host
                .rsplit_once('.')
                .is_some_and(|(_, t)| ["com", "dev", "io", "app", "net", "org"].contains(&t));
        if !tld_ok {
            return None;
        }
    }
    IssuerUrl::new(url.clone()).ok()?;
    Some(url)
}

fn deploy(specs: &[ProviderSpec]) -> Option<Vec<Provider>> {
    specs
        .iter()
        .map(|p| match p {
            ProviderSpec::Oidc {
                domain,
                application_id,
            } => Some(Provider::Oidc {
                domain: deployed_url(domain)?,
                application_id: application_id.clone(),
            }),
            ProviderSpec::CustomJwt {
                issuer,
                jwks,
                algorithm,
                application_id,
            } => Some(Provider::CustomJwt {
                issuer: deployed_url(issuer)?,
                jwks: jwks.clone(),
                // Only RS256 and ES256 deploy (auth.rs:85-118).
                algorithm: match algorithm.as_str() {
                    "RS256" => SignatureAlgorithm::RS256,
                    "ES256" => SignatureAlgorithm::ES256,
                    _ => return None,
                },
                application_id: application_id.clone(),
            }),
        })
        .collect()
}

/// Whether the backend would deploy this provider list at all.
pub fn deployable(case: &Case) -> bool {
    deploy(&case.providers).is_some()
}

/// `https://` is added to a scheme-less `iss` (auth.rs:66-74, lib.rs:324-329).
fn with_scheme(iss: &str) -> String {
    if iss.starts_with("https://") || iss.starts_with("http://") {
        iss.to_owned()
    } else {
        format!("https://{iss}")
    }
}

/// Provider selection: the first whose `applicationID` (when it has one) is among the audiences and whose
/// issuer equals `iss` up to the scheme and trailing slashes (common/src/auth.rs:48-82).
fn matches(p: &Provider, audiences: &[String], iss: &str) -> bool {
    let (app, domain) = match p {
        Provider::Oidc {
            application_id,
            domain,
        } => (Some(application_id), domain),
        Provider::CustomJwt {
            application_id,
            issuer,
            ..
        } => (application_id.as_ref(), issuer),
    };
    if app.is_some_and(|a| !audiences.contains(a)) {
        return false;
    }
    domain.trim_end_matches('/') == with_scheme(iss).trim_end_matches('/')
}

/// The identity providers, in process: each URL answers its document, any other 404.
fn serve(docs: &BTreeMap<String, Doc>, url: &str) -> Response<Vec<u8>> {
    let (status, content_type, body) = match docs.get(url) {
        Some(d) if url.ends_with("/.well-known/openid-configuration") => (
            d.status,
            d.content_type.clone(),
            fork_discovery(&d.body).into_bytes(),
        ),
        Some(d) => (
            d.status,
            d.content_type.clone(),
            d.body.clone().into_bytes(),
        ),
        None => (404, Some("text/plain".into()), b"not found".to_vec()),
    };
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert("content-type", ct);
    }
    r
}

/// The discovery document as the backend's fork of openidconnect reads it (get-convex/openidconnect-rs b9d9a15
/// and 1472516, src/discovery/mod.rs): `authorization_endpoint` optional, `response_types_supported`,
/// `subject_types_supported` and `id_token_signing_alg_values_supported` empty when absent. crates.io 4.0.1
/// requires them, so they are filled with values the verifier never reads before it parses the document.
fn fork_discovery(body: &str) -> String {
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str::<serde_json::Value>(body)
    else {
        return body.to_owned();
    };
    let defaults = [
        (
            "authorization_endpoint",
            serde_json::json!("https://fork-default.invalid/authorize"),
        ),
        ("response_types_supported", serde_json::json!([])),
        ("subject_types_supported", serde_json::json!([])),
        (
            "id_token_signing_alg_values_supported",
            serde_json::json!([]),
        ),
    ];
    for (field, value) in defaults {
        doc.entry(field).or_insert(value);
    }
    serde_json::Value::Object(doc).to_string()
}

/// The fork verifies RSA signatures with AWS-LC's `RSA_PKCS1_2048_8192_SHA256` (openidconnect-rs 15a9c55,
/// src/core/jwk/mod.rs), crates.io 4.0.1 with the `rsa` crate (any size up to 4096 bits): a key outside 2048–8192
/// bits that the token would be verified with fails in the backend. `Some(bits)` for such a key.
fn fork_refuses_rsa_key(case: &Case, metadata: &CoreProviderMetadata) -> Option<usize> {
    use openidconnect::JsonWebKey;
    let header = case.token.split('.').next()?;
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).ok()?,
    )
    .ok()?;
    let kid = header.get("kid").and_then(serde_json::Value::as_str);
    let keys = metadata.jwks().keys();
    let candidates: Vec<_> = keys
        .iter()
        .filter(|k| *k.key_type() == openidconnect::core::CoreJsonWebKeyType::RSA)
        .filter(|k| kid.is_none() || k.key_id().map(|id| id.as_str()) == kid)
        .collect();
    let [key] = candidates.as_slice() else {
        return None;
    };
    let n = serde_json::to_value(key)
        .ok()?
        .get("n")?
        .as_str()?
        .to_owned();
    let n = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, n).ok()?;
    let bits = n.len() * 8 - n.first().map_or(0, |b| b.leading_zeros() as usize);
    (!(2048..=8192).contains(&bits)).then_some(bits)
}

/// The token an HTTP API call carries: `Authorization` must start with `bearer ` in any case and have more after
/// it; the rest, trimmed, is the token (local_backend/src/authentication.rs:51-79, authentication/src/lib.rs:105-118).
/// A `Convex ` header is an admin key, anything else `InvalidAdminKey`.
fn bearer_token(header: &str) -> Option<String> {
    let head = header.get(..7)?;
    if head.eq_ignore_ascii_case("convex ")
        || header.len() <= 7
        || !head.eq_ignore_ascii_case("bearer ")
    {
        return None;
    }
    Some(header[7..].trim().to_owned())
}

/// Judges a case as the backend would.
pub fn judge(case: &Case) -> Verdict {
    if case.transport == Transport::Http {
        let Some(token) = bearer_token(&case.token) else {
            return Verdict::Refuse("http: not a Bearer header".into());
        };
        let fork_token = case.fork_token.as_deref().and_then(bearer_token);
        let bare = Case {
            token,
            fork_token,
            transport: Transport::Frame,
            ..case.clone()
        };
        return judge(&bare);
    }
    let refuse = |why: String| Verdict::Refuse(why);
    let Some(providers) = deploy(&case.providers) else {
        return refuse("config: the backend would not deploy this provider list".into());
    };
    let now: DateTime<Utc> = Utc.timestamp_opt(case.now, 0).unwrap();
    // Routing: biscuit reads the payload without verifying anything (authentication/src/lib.rs:161-198). The
    // fork's timestamp reading applies here (see `case::fork_timestamps`).
    let Some(fork_token) = &case.fork_token else {
        return refuse("route: a negative timestamp, which the fork's biscuit refuses".into());
    };
    let payload = match JWT::<Empty, Empty>::new_encoded(fork_token).unverified_payload() {
        Ok(p) => p,
        Err(e) => return refuse(format!("route: payload does not parse: {e}")),
    };
    let Some(iss) = payload.registered.issuer.clone() else {
        return refuse("route: no iss".into());
    };
    let audiences = match payload.registered.audience {
        Some(SingleOrMultiple::Single(a)) => vec![a],
        Some(SingleOrMultiple::Multiple(a)) => a,
        None => vec![],
    };
    let Some(provider) = providers.iter().find(|p| matches(p, &audiences, &iss)) else {
        return refuse("route: no provider matches".into());
    };
    match provider {
        Provider::Oidc { application_id, .. } => oidc(case, &iss, application_id, now),
        Provider::CustomJwt {
            issuer,
            jwks,
            algorithm,
            application_id,
        } => custom_jwt(
            case,
            fork_token,
            issuer,
            jwks,
            *algorithm,
            application_id.as_deref(),
            now,
        ),
    }
}

/// The OIDC path (authentication/src/lib.rs:202-272, keybroker/src/broker.rs:548-560).
fn oidc(case: &Case, iss: &str, application_id: &str, now: DateTime<Utc>) -> Verdict {
    // The token's own `iss`, unnormalised, is the issuer to discover (lib.rs:208): a scheme-less one fails here
    // with an internal error (no AuthError reaches the client).
    let issuer_url = match IssuerUrl::new(iss.to_owned()) {
        Ok(u) => u,
        Err(e) => return Verdict::Refuse(format!("oidc: internal error, iss is not a URL: {e}")),
    };
    let client =
        |req: openidconnect::HttpRequest| -> Result<openidconnect::HttpResponse, std::io::Error> {
            Ok(serve(&case.docs, &req.uri().to_string()))
        };
    let metadata = match CoreProviderMetadata::discover(&issuer_url, &client) {
        Ok(m) => m,
        Err(e) => return Verdict::Refuse(format!("oidc: discovery failed: {e:?}")),
    };
    // lib.rs:247-260: a public client, the discovered issuer and keys, RS256 and EdDSA only, issuer and
    // audience required to match, the clock fixed at the moment of validation (whole seconds, lib.rs:153-157).
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(application_id.to_owned()),
        metadata.issuer().clone(),
        metadata.jwks().clone(),
    )
    .set_allowed_algs([
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        CoreJwsSigningAlgorithm::EdDsa,
    ])
    .require_issuer_match(true)
    .require_audience_match(true)
    .set_time_fn(move || now);
    let rs256 = case.token.split('.').next().is_some_and(|h| {
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, h)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|h| h.get("alg") == Some(&serde_json::json!("RS256")))
    });
    if rs256 {
        if let Some(bits) = fork_refuses_rsa_key(case, &metadata) {
            return Verdict::Refuse(format!("oidc: fork: AWS-LC refuses a {bits}-bit RSA key"));
        }
    }
    let token: BackendIdToken = match case.token.parse() {
        Ok(t) => t,
        Err(e) => return Verdict::Refuse(format!("oidc: not an ID token: {e}")),
    };
    // No nonce is checked (broker.rs:552-555).
    match token.claims(&verifier, |_: Option<&Nonce>| Ok(())) {
        Ok(_) => Verdict::Accept,
        Err(e) => Verdict::Refuse(format!("oidc: claims: {e}")),
    }
}

/// The JWKS body: a `data:` URI decoded, or fetched with a 200 and a JSON media type (lib.rs:399-475).
fn fetch_jwks(case: &Case, uri: &str) -> Result<Vec<u8>, String> {
    if let Ok(data) = data_url::DataUrl::process(uri) {
        return data
            .decode_to_vec()
            .map(|(body, _)| body)
            .map_err(|_| "jwks: the data: URI does not decode".into());
    }
    let r = serve(&case.docs, uri);
    if r.status() != StatusCode::OK {
        return Err(format!("jwks: HTTP {}", r.status()));
    }
    let ok_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(json_media_type);
    if !ok_type {
        return Err("jwks: Content-Type is not JSON".into());
    }
    Ok(r.into_body())
}

/// `application/json` or `application/jwk-set+json`, any case, with no charset or `utf-8` (lib.rs:445-458).
fn json_media_type(value: &str) -> bool {
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    let type_ok = ["application/json", "application/jwk-set+json"]
        .iter()
        .any(|t| essence.eq_ignore_ascii_case(t));
    let charset_ok = parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    type_ok && charset_ok
}

/// The customJwt path (authentication/src/lib.rs:273-386, keybroker/src/broker.rs:507-546).
#[allow(clippy::too_many_arguments)]
fn custom_jwt(
    case: &Case,
    fork_token: &str,
    issuer: &str,
    jwks_uri: &str,
    algorithm: SignatureAlgorithm,
    application_id: Option<&str>,
    now: DateTime<Utc>,
) -> Verdict {
    let refuse = |why: String| Verdict::Refuse(why);
    let body = match fetch_jwks(case, jwks_uri) {
        Ok(b) => b,
        Err(e) => return refuse(e),
    };
    // The whole set is parsed by biscuit: one key it cannot represent fails every token (lib.rs:280-289).
    let jwks: JWKSet<Empty> = match serde_json::from_slice(&body) {
        Ok(j) => j,
        Err(e) => return refuse(format!("jwks: biscuit cannot parse the set: {e}")),
    };
    let token = JWT::<serde_json::Value, Empty>::new_encoded(fork_token);
    let decoded = match token.decode_with_jwks(&jwks, Some(algorithm)) {
        Ok(d) => d,
        Err(e) => return refuse(format!("custom: decode_with_jwks: {e}")),
    };
    let payload = match decoded.payload() {
        Ok(p) => p,
        Err(e) => return refuse(format!("custom: payload: {e}")),
    };
    let Some(token_iss) = payload.registered.issuer.as_deref() else {
        return refuse("custom: no iss".into());
    };
    if with_scheme(token_iss).trim_end_matches('/') != issuer.trim_end_matches('/') {
        return refuse("custom: issuer differs".into());
    }
    if let Some(app) = application_id {
        let Some(aud) = &payload.registered.audience else {
            return refuse("custom: no aud".into());
        };
        if !aud.iter().any(|a| a == app) {
            return refuse("custom: aud does not contain the applicationID".into());
        }
    }
    let options = ValidationOptions {
        temporal_options: TemporalOptions {
            now: Some(now),
            epsilon: chrono::Duration::seconds(5),
        },
        ..Default::default()
    };
    if let Err(e) = decoded.validate(options) {
        return refuse(format!("custom: validate: {e}"));
    }
    // The identity needs `sub` and `exp` (and `iss`) (broker.rs:507-524)…
    if payload.registered.subject.is_none() {
        return refuse("custom: identity: no sub".into());
    }
    let Some(exp) = payload.registered.expiry else {
        return refuse("custom: identity: no exp".into());
    };
    // …and is refused at once when already expired (sync/src/state.rs:297-303, broker.rs:671-673).
    if now >= *exp {
        return refuse("custom: validated within the 5 s leeway, then expired at once".into());
    }
    Verdict::Accept
}
