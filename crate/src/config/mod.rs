//! The backend's authentication configuration: `auth.config.ts` as people write it, and the provider list the
//! development deployment prints in its `No auth provider found…` error.

pub mod auth_config;
pub mod server_text;

pub use auth_config::{parse_auth_config, ConfigError, Env};
pub use server_text::providers_from_server_message;

use serde::Serialize;

/// Environment values from JSON text `{"NAME": "value", …}` (the panel's form). Every value must be a string.
/// Read from a `serde_json::Value` rather than deserialized into [`Env`] directly, which would add a map
/// deserializer to the wasm module for this one call.
pub fn env_from_json(text: &str) -> Result<Env, String> {
    let serde_json::Value::Object(o) = serde_json::from_str(text).map_err(|e| e.to_string())?
    else {
        return Err("environment values must be a JSON object {\"NAME\": \"value\"}".to_owned());
    };
    let mut env = Env::new();
    for (name, value) in o {
        match value {
            serde_json::Value::String(v) => env.insert(name, v),
            _ => return Err(format!("the value of {name} must be a string")),
        };
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    #[test]
    fn env_from_json_wants_an_object_of_strings() {
        let env = super::env_from_json(r#"{"A": "1", "B": ""}"#).expect("env");
        assert_eq!(env.get("A").map(String::as_str), Some("1"));
        assert_eq!(env.len(), 2);
        let mut env = env;
        assert_eq!(env.insert("A".into(), "2".into()), Some("1".to_owned()));
        assert_eq!(env.get("A").map(String::as_str), Some("2"));
        assert_eq!(env.len(), 2);
        assert!(super::env_from_json(r#"{"A": 1}"#).is_err());
        assert!(super::env_from_json("[]").is_err());
        assert!(super::env_from_json("{").is_err());
    }
}

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
