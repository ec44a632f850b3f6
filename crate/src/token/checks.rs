//! STUB: the token helper replaces this file.
use super::DecodedToken;
use crate::findings::Finding;

/// Which backend path the token takes, as far as it is known (decides algorithms, leeways, `kid`, `aud`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPath {
    /// No provider known to match: judge by what every path requires.
    Unknown,
    /// An OIDC provider (`domain` + `applicationID`).
    Oidc { application_id: Option<String> },
    /// A customJwt provider with its configured algorithm.
    CustomJwt {
        algorithm: String,
        application_id: Option<String>,
    },
}

/// The step-2 findings for one decoded token sent at `sent_at` (Unix seconds).
pub fn check_token(_token: &DecodedToken, _sent_at: f64, _path: &TokenPath) -> Vec<Finding> {
    Vec::new()
}
