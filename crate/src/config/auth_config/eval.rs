//! The evaluator: from the exported value to the provider list, following `const` references and reading
//! `process.env.NAME` from the given environment.

use super::program::Bindings;
use super::reader::Js;
use super::{err, ConfigError, Env, MAX_REF_HOPS};
use crate::config::{AuthConfig, ConfigSource, ConfigValue, Provider};

pub(super) struct Eval<'a> {
    pub(super) bindings: &'a Bindings,
    pub(super) env: &'a Env,
}

impl Eval<'_> {
    /// Follows `const` references to the value they name.
    fn resolve<'v>(&'v self, value: &'v Js, line: usize) -> Result<(&'v Js, usize), ConfigError> {
        let mut current = (value, line);
        for _ in 0..MAX_REF_HOPS {
            match current.0 {
                Js::Ref(name) => match self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, b)| b) {
                    Some((v, l)) => current = (v, *l),
                    None => {
                        return Err(err(
                            current.1,
                            format!("`{name}` is imported or defined elsewhere; paste its value in place of the name"),
                        ))
                    }
                },
                Js::Broken(e) => return Err(e.clone()),
                Js::Opaque(what) => {
                    return Err(err(current.1, format!("{what} can only be known by running the code; write the value itself")))
                }
                _ => return Ok(current),
            }
        }
        Err(err(line, "constants refer to each other in a loop"))
    }

    fn config_value(&self, value: &Js, line: usize, key: &str) -> Result<ConfigValue, ConfigError> {
        let (v, l) = self.resolve(value, line)?;
        match v {
            Js::Str(s) | Js::Num(s) => Ok(ConfigValue::Literal { value: s.clone() }),
            Js::Env { name, fallback } => {
                // The deployment's value wins; without one, a literal fallback is what the push evaluated.
                let value = self.env.get(name).cloned().or_else(|| fallback.clone());
                Ok(ConfigValue::Env {
                    name: name.clone(),
                    value,
                })
            }
            other => Err(err(
                l,
                format!("`{key}` should be a string, found {}", kind_name(other)),
            )),
        }
    }
}

fn kind_name(v: &Js) -> &'static str {
    match v {
        Js::Str(_) => "a string",
        Js::Num(_) => "a number",
        Js::Bool(_) => "a boolean",
        Js::Null => "null",
        Js::Obj(_) => "an object",
        Js::Arr(_) => "a list",
        Js::Env { .. } => "an environment variable",
        Js::Ref(_) => "a name",
        Js::Opaque(_) => "code",
        Js::Broken(_) => "an unreadable value",
    }
}

fn field<'v>(entries: &'v [(String, Js, usize)], key: &str) -> Option<(&'v Js, usize)> {
    // JavaScript keeps the last of duplicate keys.
    entries
        .iter()
        .rev()
        .find(|(k, _, _)| k == key)
        .map(|(_, v, l)| (v, *l))
}

pub(super) fn to_auth_config(
    ctx: &Eval<'_>,
    export: &(Js, usize),
) -> Result<AuthConfig, ConfigError> {
    let (top, top_line) = ctx.resolve(&export.0, export.1)?;
    let Js::Obj(entries) = top else {
        return Err(err(
            top_line,
            format!(
                "the export should be an object `{{ providers: [...] }}`, found {}",
                kind_name(top)
            ),
        ));
    };
    if let Some((_, Js::Opaque(what), line)) = entries.iter().find(|(k, _, _)| k == "...") {
        if field(entries, "providers").is_none() {
            return Err(err(
                *line,
                format!(
                    "{what} can only be known by running the code; write `providers: [...]` itself"
                ),
            ));
        }
    }
    let Some((providers, line)) = field(entries, "providers") else {
        return Err(err(top_line, "the exported object has no `providers` key"));
    };
    let (providers, line) = ctx.resolve(providers, line)?;
    let Js::Arr(items) = providers else {
        return Err(err(
            line,
            format!(
                "`providers` should be a list `[...]`, found {}",
                kind_name(providers)
            ),
        ));
    };
    let mut out = Vec::new();
    for (item, item_line) in items {
        out.push(to_provider(ctx, item, *item_line)?);
    }
    Ok(AuthConfig {
        providers: out,
        source: ConfigSource::User,
    })
}

fn to_provider(ctx: &Eval<'_>, item: &Js, line: usize) -> Result<Provider, ConfigError> {
    let (v, line) = ctx.resolve(item, line)?;
    let Js::Obj(entries) = v else {
        return Err(err(
            line,
            format!("a provider should be an object, found {}", kind_name(v)),
        ));
    };
    let get = |key: &str| -> Result<Option<ConfigValue>, ConfigError> {
        match field(entries, key) {
            None => Ok(None),
            Some((Js::Null, _)) => Ok(None),
            Some((v, l)) => ctx.config_value(v, l, key).map(Some),
        }
    };
    let need = |key: &str, what: &str| -> Result<ConfigValue, ConfigError> {
        get(key)?.ok_or_else(|| err(line, format!("this {what} provider has no `{key}`")))
    };
    let kind = get("type")?;
    let application_id = get("applicationID")?;
    match kind.as_ref().and_then(ConfigValue::resolved) {
        Some("customJwt") => Ok(Provider::CustomJwt {
            issuer: need("issuer", "customJwt")?,
            jwks: need("jwks", "customJwt")?,
            algorithm: need("algorithm", "customJwt")?,
            application_id,
        }),
        // The backend's `SerializedAuthInfo` makes OIDC the untagged fallback: any other `type` reads as OIDC.
        _ => Ok(Provider::Oidc {
            domain: need("domain", "OIDC")?,
            application_id,
        }),
    }
}
