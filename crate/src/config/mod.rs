//! The backend's authentication configuration: `auth.config.ts` as people write it, and the provider list the
//! development deployment prints in its `No auth provider found…` error.

pub mod auth_config;
pub mod dotenv;
pub mod project;
pub mod server_text;

pub use auth_config::{
    import_keys, parse_auth_config, parse_auth_config_with, ConfigError, Env, ImportedFile,
};
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

/// A configured value: a literal, `process.env.NAME` with its value if known, or a string built from those.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfigValue {
    Literal {
        value: String,
    },
    Env {
        name: String,
        value: Option<String>,
    },
    /// A string built from literals and variables: the concatenation of `parts` (a template literal, `+`), or,
    /// when `via` names a library helper's computation, what that computation makes of them (Better Auth's JWKS
    /// data URL). `value` is known when every variable it reads is.
    Composed {
        parts: Vec<ConfigValue>,
        value: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
}

impl ConfigValue {
    /// The value, when known.
    pub fn resolved(&self) -> Option<&str> {
        match self {
            ConfigValue::Literal { value } => Some(value),
            ConfigValue::Env { value, .. } | ConfigValue::Composed { value, .. } => {
                value.as_deref()
            }
        }
    }

    /// The concatenation of `parts` (a template literal, `+`), nested concatenations flattened: one literal when
    /// every part is literal text, else a composed value, known when every part is.
    pub(crate) fn joined(parts: Vec<ConfigValue>) -> ConfigValue {
        let mut flat = Vec::with_capacity(parts.len());
        for p in parts {
            match p {
                ConfigValue::Composed {
                    parts, via: None, ..
                } => flat.extend(parts),
                other => flat.push(other),
            }
        }
        let mut value = Some(String::new());
        for p in &flat {
            match (value.as_mut(), p.resolved()) {
                (Some(v), Some(text)) => v.push_str(text),
                _ => value = None,
            }
        }
        if flat
            .iter()
            .all(|p| matches!(p, ConfigValue::Literal { .. }))
        {
            return ConfigValue::Literal {
                value: value.unwrap_or_default(),
            };
        }
        ConfigValue::Composed {
            parts: flat,
            value,
            via: None,
        }
    }

    /// The environment variables this value reads, known or not.
    pub fn env_names(&self) -> Vec<&str> {
        match self {
            ConfigValue::Literal { .. } => Vec::new(),
            ConfigValue::Env { name, .. } => vec![name.as_str()],
            ConfigValue::Composed { parts, .. } => {
                parts.iter().flat_map(ConfigValue::env_names).collect()
            }
        }
    }

    /// The environment variables this value reads whose values are not known, in order, each once.
    pub fn unresolved_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.collect_unresolved(&mut out);
        out
    }

    fn collect_unresolved<'s>(&'s self, out: &mut Vec<&'s str>) {
        match self {
            ConfigValue::Literal { .. } => {}
            ConfigValue::Env { name, value: None } if !out.contains(&name.as_str()) => {
                out.push(name)
            }
            ConfigValue::Env { .. } => {}
            ConfigValue::Composed { parts, .. } => {
                for p in parts {
                    p.collect_unresolved(out);
                }
            }
        }
    }

    /// For a value built as `prefix + process.env.NAME + suffix` (a template literal or `+`) with NAME unknown,
    /// the value NAME must have for the whole to equal `target`: `Ok(Some((NAME, value)))`; `Ok(None)` when that
    /// cannot be told (no single unknown variable, or a helper's computation); `Err(NAME)` when the literal parts
    /// already differ from `target`, so no value of NAME makes them equal.
    pub fn solve_for<'s>(&'s self, target: &str) -> Result<Option<(&'s str, String)>, &'s str> {
        let (prefix, name, suffix) = match self {
            ConfigValue::Env { name, value: None } => ("".to_owned(), name.as_str(), "".to_owned()),
            ConfigValue::Composed {
                parts,
                value: None,
                via: None,
            } => {
                let mut prefix = String::new();
                let mut suffix = String::new();
                let mut name: Option<&str> = None;
                for p in parts {
                    match (p, name) {
                        (
                            ConfigValue::Env {
                                name: n,
                                value: None,
                            },
                            None,
                        ) => name = Some(n),
                        (ConfigValue::Env { value: None, .. }, Some(_)) => return Ok(None),
                        (ConfigValue::Composed { .. }, _) => return Ok(None),
                        (known, None) => prefix.push_str(known.resolved().unwrap_or_default()),
                        (known, Some(_)) => suffix.push_str(known.resolved().unwrap_or_default()),
                    }
                }
                match name {
                    Some(n) => (prefix, n, suffix),
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        match target
            .strip_prefix(prefix.as_str())
            .and_then(|rest| rest.strip_suffix(suffix.as_str()))
        {
            Some(middle) if !middle.is_empty() => Ok(Some((name, middle.to_owned()))),
            _ => Err(name),
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
