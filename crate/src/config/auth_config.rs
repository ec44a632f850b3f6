//! STUB: the config helper replaces this file.
use super::AuthConfig;

/// Environment values given by the user (`--env NAME=VALUE`).
pub type Env = std::collections::BTreeMap<String, String>;

/// Why a configuration file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parses `auth.config.ts` / `.js`.
pub fn parse_auth_config(_src: &str, _env: &Env) -> Result<AuthConfig, ConfigError> {
    Err(ConfigError {
        line: 0,
        message: "stub".into(),
    })
}
