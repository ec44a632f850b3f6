//! Claim-by-claim explanations for the panel's token view (what jwt.io shows, plus what Convex does with each
//! claim and how each time relates to the moment the token was sent).

use super::checks::typ_is_jwt_like;
use super::decode::DecodedToken;
use super::time::{human_duration, iso_utc};
use serde::Serialize;
use serde_json::Value;

/// One header parameter or payload claim, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimNote {
    /// The claim's name (`exp`), header parameters included (`alg`).
    pub name: String,
    pub value: Value,
    /// One line: what it is, what Convex does with it; times as UTC dates and relative to `sent_at`.
    pub explanation: String,
}

/// Explains every header parameter, then every payload claim, in the token's own order.
pub fn explain_claims(token: &DecodedToken, sent_at: f64) -> Vec<ClaimNote> {
    let mut notes = Vec::with_capacity(token.header.len() + token.payload.len());
    for (name, value) in &token.header {
        notes.push(ClaimNote {
            name: name.clone(),
            value: value.clone(),
            explanation: explain_header(name, value),
        });
    }
    for (name, value) in &token.payload {
        notes.push(ClaimNote {
            name: name.clone(),
            value: value.clone(),
            explanation: explain_payload(name, value, sent_at),
        });
    }
    notes
}

fn explain_header(name: &str, value: &Value) -> String {
    let s = value.as_str();
    match name {
        "alg" => match s {
            Some("RS256") => "Signing algorithm RS256 (RSA with SHA-256): accepted by OIDC and customJwt providers.".to_owned(),
            Some("ES256") => "Signing algorithm ES256 (ECDSA P-256 with SHA-256): accepted by customJwt providers only.".to_owned(),
            Some("EdDSA") => "Signing algorithm EdDSA (Ed25519): accepted by OIDC providers only.".to_owned(),
            Some(a) if a.eq_ignore_ascii_case("none") => "Signing algorithm: none, the token is unsigned; never accepted.".to_owned(),
            Some(a) => format!("Signing algorithm {a}: not accepted by Convex (OIDC: RS256, EdDSA; customJwt: RS256, ES256)."),
            None => "Signing algorithm: not a string; no provider can verify the token.".to_owned(),
        },
        "typ" => match s {
            Some(t) if typ_is_jwt_like(t) => "Token type: a JWT; fine for every provider.".to_owned(),
            Some(t) => format!("Token type {t}: not JWT-like, so OIDC providers refuse it (customJwt providers ignore it)."),
            None => "Token type: not a string; the backend cannot parse the header.".to_owned(),
        },
        "kid" => "Key ID: which key of the issuer's JWKS signed the token; customJwt providers require it.".to_owned(),
        "cty" => "Content type: OIDC providers refuse tokens that carry it (nested JWTs are unsupported).".to_owned(),
        "crit" => "Critical header parameters: OIDC providers refuse tokens that carry them.".to_owned(),
        "jku" | "x5u" => "URL of the signing keys: ignored; Convex reads keys from the provider's configured JWKS.".to_owned(),
        "x5t" | "x5t#S256" => "Thumbprint of the signing certificate: informational.".to_owned(),
        "enc" => "Content encryption: this is an encrypted token (JWE), which Convex cannot read.".to_owned(),
        _ => "Header parameter: not used by Convex.".to_owned(),
    }
}

fn explain_payload(name: &str, value: &Value, sent_at: f64) -> String {
    match name {
        "iss" => "Issuer: who made the token; must equal a provider's domain/issuer in auth.config.ts (a trailing / is ignored).".to_owned(),
        "sub" => "Subject: the user's ID at the issuer; becomes identity.subject and, with iss, identity.tokenIdentifier.".to_owned(),
        "aud" => match value {
            Value::Array(items) if items.len() > 1 => "Audience: several values; must contain the provider's applicationID, and OIDC providers refuse more than one.".to_owned(),
            Value::String(_) | Value::Array(_) => "Audience: whom the token is for; must contain the provider's applicationID.".to_owned(),
            _ => "Audience: neither a string nor an array of strings; the backend cannot parse it.".to_owned(),
        },
        "exp" => time_note("Expires", value, sent_at, |d| {
            if d > 0.0 {
                format!("valid for another {} after it was sent", human_duration(d))
            } else if d == 0.0 {
                "expired the moment it was sent".to_owned()
            } else {
                format!("expired {} before it was sent", human_duration(d))
            }
        }),
        "iat" => time_note("Issued", value, sent_at, |d| {
            if d <= 0.0 {
                format!("issued {} before it was sent", human_duration(d))
            } else {
                format!("issued {} after it was sent: a clock is off", human_duration(d))
            }
        }),
        "nbf" => time_note("Not before", value, sent_at, |d| {
            if d <= 0.0 {
                format!("valid from {} before it was sent", human_duration(d))
            } else {
                format!("not valid until {} after it was sent", human_duration(d))
            }
        }),
        "auth_time" => time_note("Signed in", value, sent_at, |d| {
            if d <= 0.0 {
                format!("the user signed in {} before it was sent", human_duration(d))
            } else {
                format!("{} after it was sent: a clock is off", human_duration(d))
            }
        }),
        "azp" => "Authorized party: the client the token was issued to (not checked by Convex).".to_owned(),
        "email" => "Email address: becomes identity.email.".to_owned(),
        "email_verified" => "Whether the issuer verified the email: becomes identity.emailVerified.".to_owned(),
        "name" => "Full name: becomes identity.name.".to_owned(),
        "given_name" | "family_name" | "nickname" | "preferred_username" | "picture" | "profile"
        | "website" | "gender" | "birthdate" | "zoneinfo" | "locale" | "phone_number"
        | "phone_number_verified" | "address" | "updated_at" => {
            "Standard profile claim: part of the identity ctx.auth.getUserIdentity() returns.".to_owned()
        }
        "sid" => "Session ID at the issuer.".to_owned(),
        "jti" => "Token ID: unique per token; dropped from the identity.".to_owned(),
        "nonce" => "Nonce from the sign-in request; not checked by Convex.".to_owned(),
        "at_hash" => "Hash of the access token issued alongside; not checked by Convex.".to_owned(),
        "scope" | "scp" => "Scopes: typical of access tokens; Convex wants the ID token.".to_owned(),
        "org_id" | "org_role" | "org_slug" => "Organization claim (Clerk): a custom claim on the identity.".to_owned(),
        "fva" => "Factor verification age (Clerk); dropped from the identity.".to_owned(),
        _ => "Custom claim: on the identity ctx.auth.getUserIdentity() returns.".to_owned(),
    }
}

/// `"<Label>: 2025-11-26T18:00:00Z; <relative>."`; `relative` gets `claim - sent_at` in seconds.
fn time_note(label: &str, value: &Value, sent_at: f64, relative: impl Fn(f64) -> String) -> String {
    let Some(secs) = value.as_f64() else {
        return format!("{label}: not a number of seconds; the backend cannot parse it.");
    };
    let Some(date) = iso_utc(secs) else {
        return format!("{label}: {value} is not a usable time.");
    };
    let ms = if secs > super::checks::MS_THRESHOLD {
        " (this looks like milliseconds)"
    } else {
        ""
    };
    if sent_at.is_finite() {
        format!("{label}: {date}{ms}; {}.", relative(secs - sent_at))
    } else {
        format!("{label}: {date}{ms}.")
    }
}
