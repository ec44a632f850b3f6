//! The backend's authentication configuration: `auth.config.ts` as people write it, and the provider list the
//! development deployment prints in its `No auth provider found…` error.
//! OWNER: config helper. The API below is the contract the analysis uses; keep it.

pub mod auth_config;
pub mod server_text;

pub use auth_config::{parse_auth_config, ConfigError, Env};
pub use server_text::providers_from_server_message;

use serde::Serialize;

/// A configured value: a literal, or `process.env.NAME` with its value if known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfigValue {
    Literal { value: String },
    Env { name: String, value: Option<String> },
}

impl ConfigValue {
    /// The value, when known.
    pub fn resolved(&self) -> Option<&str> {
        match self {
            ConfigValue::Literal { value } => Some(value),
            ConfigValue::Env { value, .. } => value.as_deref(),
        }
    }
}

/// One provider of `providers: [...]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Provider {
    Oidc {
        domain: ConfigValue,
        application_id: Option<ConfigValue>,
    },
    CustomJwt {
        issuer: ConfigValue,
        jwks: ConfigValue,
        algorithm: ConfigValue,
        application_id: Option<ConfigValue>,
    },
}

/// Where a configuration came from (the server's error text lists providers without their JWKS/algorithm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// Given by the user (`--config`, pasted in the panel).
    User,
    /// Read from the server's `No auth provider found…` message.
    ServerMessage,
}

/// A provider list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthConfig {
    pub providers: Vec<Provider>,
    pub source: ConfigSource,
}
