//! What the backend's authentication error texts mean.
//!
//! Texts come from convex-backend:
//! - `crates/authentication/src/lib.rs` (`validate_id_token`, `fetch_jwks`, `enhance_no_provider_error`,
//!   `redact_jwt_error_if_needed`, `extract_bearer_token`);
//! - `crates/sync/src/state.rs` (`TokenExpired`: `Convex token identity expired`);
//! - `crates/keybroker/src/broker.rs` (`Missing subject` / `Missing issuer` / `Missing expiry`);
//! - `crates/common/src/auth.rs` (`InvalidProviderDomainUrl`, `InvalidSignatureAlgorithm`);
//! - `crates/local_backend/src/authentication.rs` and `crates/authentication/src/application_auth.rs`
//!   (`InvalidAdminKey`, `BadAdminKey`);
//! - biscuit's `ValidationError` Display (`Token expired N seconds ago`, `Token will be valid in N seconds`,
//!   `Token has been considered too old for N seconds`, `The following claims are required, but missing: …`),
//!   which the custom-JWT path wraps as `Could not validate token: …`.
//!
//! Matching is on stable fragments, not whole sentences, so a prefix (`Uncaught Error:`), a request id or a
//! rewording of the advice after the first sentence does not lose the meaning.

use crate::findings::Code;

/// What one of the backend's authentication error texts means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// `No auth provider found matching the given token…` (any form).
    NoAuthProvider {
        no_providers_configured: bool,
        redacted: bool,
    },
    /// `Auth provider discovery of <iss> failed…`.
    DiscoveryFailed { issuer: String },
    /// `Convex token identity expired` (expired during the session).
    IdentityExpired,
    /// `Could not parse JWT payload…`: not a JWT at all.
    PayloadUnparsable,
    /// `Missing issuer claim ('iss') in JWT payload…` (or the bare `Missing issuer`).
    MissingIssuer,
    /// `Missing subject` / `Missing expiry` / `The following claims are required, but missing: …`.
    MissingClaim { claim: String },
    /// `Could not parse as OIDC ID token…`: an OIDC provider matched but the token is not an ID token.
    NotOidcToken,
    /// `Could not verify OIDC token claim…`: signature, expiry, audience or algorithm failed on the OIDC path
    /// (the backend gives every such failure this one text).
    OidcClaimUnverified,
    /// `Could not decode token. JWT may be missing a 'kid'…` (`redacted`: production's "…or the JWT signature is
    /// invalid" form, which cannot tell the two apart).
    KidMissing { redacted: bool },
    /// `Could not decode token. The JWT's 'kid' (key ID) header is '<kid>'…` (no kid in the redacted form).
    KidNotInJwks { kid: Option<String> },
    /// `Invalid issuer: <iss> != <issuer>` (custom JWT path).
    InvalidIssuer { token: String, configured: String },
    /// `Missing audience claim ('aud') in JWT payload…` (custom JWT with applicationID).
    MissingAudience,
    /// `Invalid audience: <app> not in [...]` (custom JWT path).
    InvalidAudience { application_id: String },
    /// `Token expired N seconds ago` (custom JWT path, 5 s leeway already applied).
    TokenExpired { seconds_ago: Option<i64> },
    /// `Token will be valid in N seconds` (`nbf`/`iat` in the future, custom JWT path).
    NotYetValid { seconds: Option<i64> },
    /// `Token has been considered too old for N seconds`.
    TooOld,
    /// The token's `alg` is not the one allowed (`WrongAlgorithmHeader`, `Unsupported algorithm`).
    AlgorithmMismatch,
    /// `Could not fetch JWKS from URL '<url>'…`, `Invalid Content-Type … when fetching JWKS`, `Invalid JWKS
    /// response body`, `Invalid JWKS data URL`: the backend could not read the provider's keys.
    JwksUnavailable { url: Option<String> },
    /// `Invalid JWKS response body from '<url>'…`: the customJwt provider's JWKS was fetched, and biscuit's parser
    /// refused the set (convex-backend `crates/authentication/src/lib.rs:280-289`): every token of that provider
    /// is refused (`config.jwks_unparseable`).
    JwksUnparseable { url: Option<String> },
    /// `Header must begin with \`bearer \`` (InvalidAuthHeader) or `Invalid admin key` (InvalidAdminKey).
    BadAuthorizationScheme,
    /// `The provided admin key was invalid for this instance` (BadAdminKey).
    BadAdminKey,
    /// `Invalid provider domain URL …` / `Invalid signature algorithm …`: the push of auth.config.ts fails.
    InvalidConfig { detail: String },
    /// Any other recognised text (`Could not verify token claim…`, `Could not validate token: …`, …).
    Other { kind: &'static str },
    /// Not a text this engine knows.
    Unknown,
}

/// The fragment after `marker`, up to `end` (or the end of the text).
fn between<'a>(text: &'a str, marker: &str, end: &str) -> Option<&'a str> {
    let start = text.find(marker)? + marker.len();
    let rest = text.get(start..)?;
    Some(match rest.find(end) {
        Some(i) => rest.get(..i).unwrap_or(rest),
        None => rest,
    })
}

fn number_after(text: &str, marker: &str) -> Option<i64> {
    let rest = between(text, marker, " ")?;
    rest.trim().parse().ok()
}

impl ServerError {
    /// Classifies a server message (the `AuthError.error`, or an HTTP error body's `message`).
    pub fn classify(message: &str) -> ServerError {
        let m = message.trim();
        if m.is_empty() {
            return ServerError::Unknown;
        }
        if m.contains("No auth provider found matching the given token") {
            let no_providers_configured = m.contains("(no providers configured)");
            let redacted = !no_providers_configured && !m.contains("configured providers:");
            return ServerError::NoAuthProvider {
                no_providers_configured,
                redacted,
            };
        }
        if let Some(issuer) = between(m, "Auth provider discovery of ", " failed") {
            return ServerError::DiscoveryFailed {
                issuer: issuer.to_owned(),
            };
        }
        if m.contains("Convex token identity expired") {
            return ServerError::IdentityExpired;
        }
        if m.contains("Could not parse JWT payload") {
            return ServerError::PayloadUnparsable;
        }
        if m.contains("Missing issuer claim ('iss')") || m == "Missing issuer" {
            return ServerError::MissingIssuer;
        }
        if m.contains("Could not parse as OIDC ID token") {
            return ServerError::NotOidcToken;
        }
        if m.contains("Could not verify OIDC token claim") {
            return ServerError::OidcClaimUnverified;
        }
        if m.contains("JWT may be missing a 'kid'") {
            return ServerError::KidMissing { redacted: false };
        }
        if m.contains("JWT is missing a 'kid'") {
            return ServerError::KidMissing { redacted: true };
        }
        if let Some(kid) = between(
            m,
            "The JWT's 'kid' (key ID) header is '",
            "', does this key",
        ) {
            return ServerError::KidNotInJwks {
                kid: Some(kid.to_owned()),
            };
        }
        if m.contains("The JWT's 'kid' (key ID) header doesn't match") {
            return ServerError::KidNotInJwks { kid: None };
        }
        if let Some(rest) = between(m, "Invalid issuer: ", "\u{0}") {
            // `Invalid issuer: <iss> != <issuer>`; values are URLs, so ` != ` does not occur inside them.
            let (token, configured) = rest.split_once(" != ").unwrap_or((rest, ""));
            return ServerError::InvalidIssuer {
                token: token.to_owned(),
                configured: configured.to_owned(),
            };
        }
        if m.contains("Missing audience claim ('aud')") {
            return ServerError::MissingAudience;
        }
        if let Some(app) = between(m, "Invalid audience: ", " not in ") {
            return ServerError::InvalidAudience {
                application_id: app.to_owned(),
            };
        }
        if m.contains("Token expired") {
            return ServerError::TokenExpired {
                seconds_ago: number_after(m, "Token expired "),
            };
        }
        if m.contains("Token will be valid in") {
            return ServerError::NotYetValid {
                seconds: number_after(m, "Token will be valid in "),
            };
        }
        if m.contains("considered too old") {
            return ServerError::TooOld;
        }
        if let Some(fields) = between(m, "required, but missing: ", "\u{0}") {
            let claim = fields
                .trim_matches(|c: char| "[]\"' ".contains(c))
                .to_owned();
            return ServerError::MissingClaim { claim };
        }
        match m {
            "Missing subject" => {
                return ServerError::MissingClaim {
                    claim: "sub".into(),
                }
            }
            "Missing expiry" => {
                return ServerError::MissingClaim {
                    claim: "exp".into(),
                }
            }
            _ => {}
        }
        if m.contains("WrongAlgorithmHeader")
            || m.contains("Unsupported algorithm")
            || m.contains("algorithm mismatch")
        {
            return ServerError::AlgorithmMismatch;
        }
        if m.contains("Could not fetch JWKS from URL") {
            return ServerError::JwksUnavailable {
                url: between(m, "URL '", "'").map(str::to_owned),
            };
        }
        if m.contains("when fetching JWKS from") {
            return ServerError::JwksUnavailable {
                url: between(m, "fetching JWKS from '", "'").map(str::to_owned),
            };
        }
        if m.contains("Invalid JWKS response body") {
            return ServerError::JwksUnparseable {
                url: between(m, "body from '", "'").map(str::to_owned),
            };
        }
        if m.contains("Invalid JWKS data URL") {
            return ServerError::JwksUnavailable { url: None };
        }
        // `Invalid authentication header`: an Authorization value shorter than 7 characters
        // (local_backend/src/authentication.rs:55-62, 400 InvalidHeaderFailure).
        if m.contains("Header must begin with `bearer `")
            || m == "Invalid admin key"
            || m == "Invalid authentication header"
        {
            return ServerError::BadAuthorizationScheme;
        }
        if m.contains("The provided admin key was invalid") {
            return ServerError::BadAdminKey;
        }
        if m.contains("Invalid provider domain URL") || m.contains("Invalid signature algorithm") {
            return ServerError::InvalidConfig {
                detail: m.to_owned(),
            };
        }
        if m.contains("Could not verify token claim") {
            return ServerError::Other {
                kind: "custom_jwt_claims",
            };
        }
        if m.contains("Could not validate token") {
            return ServerError::Other {
                kind: "custom_jwt_validation",
            };
        }
        ServerError::Unknown
    }

    /// Classifies an HTTP error body `{code, message}`: the code settles the cases where the message alone is
    /// ambiguous or empty (codes from `ErrorMetadata` in convex-backend `crates/authentication/src/lib.rs`).
    pub fn classify_code(code: &str, message: &str) -> ServerError {
        let by_text = ServerError::classify(message);
        if by_text != ServerError::Unknown {
            return by_text;
        }
        match code {
            "NoAuthProvider" => ServerError::NoAuthProvider {
                no_providers_configured: false,
                redacted: true,
            },
            "AuthProviderDiscoveryFailed" => ServerError::DiscoveryFailed {
                issuer: String::new(),
            },
            "TokenExpired" => ServerError::IdentityExpired,
            "InvalidAdminKey" => ServerError::BadAuthorizationScheme,
            "BadAdminKey" => ServerError::BadAdminKey,
            "InvalidProviderDomainUrl" | "InvalidSignatureAlgorithm" => {
                ServerError::InvalidConfig {
                    detail: message.to_owned(),
                }
            }
            "InvalidAuthHeader" => ServerError::Other {
                kind: "invalid_auth_header",
            },
            "Unauthenticated" => ServerError::Other {
                kind: "unauthenticated",
            },
            _ => ServerError::Unknown,
        }
    }

    /// The finding code this text establishes on its own (e.g. `config.kid_missing` for the missing-`kid` text,
    /// `auth.discovery_failed` for discovery), `None` when it only says "rejected".
    pub fn implied_code(&self) -> Option<Code> {
        Some(match self {
            ServerError::NoAuthProvider {
                no_providers_configured: true,
                ..
            } => Code::ConfigNoProviders,
            // Issuer or audience: the message alone does not say which.
            ServerError::NoAuthProvider { .. } => return None,
            ServerError::DiscoveryFailed { .. } | ServerError::JwksUnavailable { .. } => {
                Code::AuthDiscoveryFailed
            }
            ServerError::JwksUnparseable { .. } => Code::ConfigJwksUnparseable,
            ServerError::IdentityExpired => Code::AuthExpiredInSession,
            ServerError::PayloadUnparsable => Code::TokenMalformed,
            ServerError::MissingIssuer | ServerError::MissingClaim { .. } => {
                Code::TokenClaimMissing
            }
            ServerError::MissingAudience => Code::TokenClaimMissing,
            ServerError::KidMissing { .. } => Code::ConfigKidMissing,
            ServerError::KidNotInJwks { .. } => Code::JwksKidNotFound,
            ServerError::InvalidIssuer { .. } => Code::ConfigIssuerMismatch,
            ServerError::InvalidAudience { .. } => Code::ConfigAudienceMismatch,
            ServerError::TokenExpired { .. } => Code::TokenExpired,
            ServerError::NotYetValid { .. } => Code::TokenNotYetValid,
            ServerError::AlgorithmMismatch => Code::TokenAlgUnsupported,
            ServerError::BadAuthorizationScheme => Code::TokenBadScheme,
            // authentication/src/lib.rs:379-385 replaces from_custom_jwt's "Missing subject"/"Missing expiry"
            // (keybroker/src/broker.rs:512-524) with this text: a claim is missing, the text hides which.
            ServerError::Other {
                kind: "custom_jwt_claims",
            } => Code::TokenClaimMissing,
            ServerError::NotOidcToken
            | ServerError::OidcClaimUnverified
            | ServerError::TooOld
            | ServerError::BadAdminKey
            | ServerError::InvalidConfig { .. }
            | ServerError::Other { .. }
            | ServerError::Unknown => return None,
        })
    }

    /// What the message means, in plain words, one or two sentences.
    pub fn explain(&self) -> String {
        match self {
            ServerError::NoAuthProvider { no_providers_configured: true, .. } => {
                "The deployment has no authentication providers: auth.config.ts is missing or was not pushed.".into()
            }
            ServerError::NoAuthProvider { redacted: true, .. } => "No configured provider has the token's issuer (iss) with its audience (aud). Production hides the provider list; compare iss and aud with auth.config.ts.".into(),
            ServerError::NoAuthProvider { .. } => "No configured provider has the token's issuer (iss) with its audience (aud); the message lists the providers the deployment has.".into(),
            ServerError::DiscoveryFailed { issuer } if !issuer.is_empty() => format!("The backend could not fetch {issuer}/.well-known/openid-configuration or the keys it points to, so it cannot check the token's signature."),
            ServerError::DiscoveryFailed { .. } => "The backend could not fetch the provider's discovery document or keys, so it cannot check the token's signature.".into(),
            ServerError::IdentityExpired => "The token the session authenticated with has expired; the client should have fetched a fresh one.".into(),
            ServerError::PayloadUnparsable => "What was sent is not a JWT: it needs three base64url parts separated by dots, the middle one a JSON object.".into(),
            ServerError::MissingIssuer => "The token has no `iss` claim, so the backend cannot tell which provider issued it.".into(),
            ServerError::MissingClaim { claim } => format!("The token lacks the `{claim}` claim, which the backend requires."),
            ServerError::NotOidcToken => "An OIDC provider matched, but the token is not an OIDC ID token (often an access token, or a `typ` such as `at+jwt`).".into(),
            ServerError::OidcClaimUnverified => "An OIDC provider matched but the token failed verification: bad signature, expired (no leeway), an `alg` other than RS256/EdDSA, or more than one audience; the backend does not say which.".into(),
            ServerError::KidMissing { redacted: false } => "The token matched a customJwt provider, which needs a `kid` header naming one of the JWKS keys, and the token has none.".into(),
            ServerError::KidMissing { redacted: true } => "The token matched a customJwt provider and either has no `kid` header or its signature does not verify (production does not say which).".into(),
            ServerError::KidNotInJwks { kid: Some(kid) } => format!("No key in the provider's JWKS has the token's kid `{kid}`, or the signature/algorithm does not fit that key."),
            ServerError::KidNotInJwks { kid: None } => "The token's `kid` matches no key of the provider's JWKS, or the signature is invalid.".into(),
            ServerError::InvalidIssuer { token, configured } => format!("The token's issuer `{token}` is not the configured issuer `{configured}`."),
            ServerError::MissingAudience => "The customJwt provider has an applicationID but the token has no `aud` claim.".into(),
            ServerError::InvalidAudience { application_id } => format!("The token's `aud` does not contain the provider's applicationID `{application_id}`."),
            ServerError::TokenExpired { seconds_ago: Some(s) } => format!("The token had expired {s} seconds before the backend checked it (after 5 s leeway)."),
            ServerError::TokenExpired { seconds_ago: None } => "The token had expired when the backend checked it.".into(),
            ServerError::NotYetValid { seconds: Some(s) } => format!("The token's `nbf`/`iat` lies {s} seconds in the future for the backend: a clock is wrong."),
            ServerError::NotYetValid { seconds: None } => "The token is not valid yet for the backend (`nbf`/`iat` in the future): a clock is wrong.".into(),
            ServerError::TooOld => "The token was issued too long ago to be accepted.".into(),
            ServerError::AlgorithmMismatch => "The token's `alg` is not the algorithm the provider accepts.".into(),
            ServerError::JwksUnavailable { url: Some(url) } => format!("The backend could not read the provider's keys from `{url}` (unreachable, not JSON, or wrong Content-Type)."),
            ServerError::JwksUnavailable { url: None } => "The backend could not read the provider's keys (JWKS).".into(),
            ServerError::JwksUnparseable { url } => format!("The backend fetched the customJwt provider's JWKS{} and its parser refused the whole set: one key it cannot represent (an Ed25519 key with \"alg\": \"EdDSA\", an unknown key type or curve) or a body that is not a JWKS. Every token of this provider is refused until the set changes.", url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default()),
            ServerError::BadAuthorizationScheme => "The Authorization header is not `Bearer <jwt>` (nor `Convex <admin key>`).".into(),
            ServerError::BadAdminKey => "An admin key was sent and this deployment does not accept it.".into(),
            ServerError::InvalidConfig { detail } => format!("auth.config.ts itself is refused by the backend: {detail}"),
            ServerError::Other { kind: "custom_jwt_claims" } => "The custom JWT passed every check (signature, issuer, audience, times), but the backend could not build an identity from it: it has no `sub` or no `exp` (the backend needs both; its message does not say which).".into(),
            ServerError::Other { kind: "custom_jwt_validation" } => "The custom JWT failed the backend's time or claim validation.".into(),
            ServerError::Other { .. } => "The backend refused the token.".into(),
            ServerError::Unknown => "A message this tool does not recognise.".into(),
        }
    }
}
