//! STUB: the config helper replaces this file.
use crate::config::AuthConfig;
use crate::findings::Finding;
use crate::token::{DecodedToken, TokenPath};

/// The backend's issuer normalisation (trailing `/` trimmed, `https://` added to a scheme-less value).
pub fn normalise_issuer(s: &str) -> String {
    s.trim_end_matches('/').to_owned()
}

/// What step 3 says of one token against one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigVerdict {
    /// Step-3 findings (`config.*`).
    pub findings: Vec<Finding>,
    /// The path the token takes (the matched provider's), `Unknown` when none matches.
    pub path: TokenPath,
    /// Index of the matched provider in `config.providers`.
    pub matched: Option<usize>,
}

/// Applies the backend's provider selection to a token.
pub fn check_config(_config: &AuthConfig, _token: &DecodedToken) -> ConfigVerdict {
    ConfigVerdict {
        findings: Vec::new(),
        path: TokenPath::Unknown,
        matched: None,
    }
}
