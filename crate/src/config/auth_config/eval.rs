//! The evaluator: from the exported value to the provider list, following `const` references (into the files the
//! config imports, when they were given), reading `process.env.NAME` from the given environment, joining template
//! literals and `+`, and applying the auth libraries' documented helpers (`helpers.rs`).

use super::program::Program;
use super::reader::Js;
use super::{err, helpers, ConfigError, Env, MAX_DEPTH, MAX_REF_HOPS};
use crate::config::{AuthConfig, ConfigSource, ConfigValue, Provider};

/// One file: the config itself (index 0, key `""`) or a file it imports, keyed by its path relative to the
/// config's directory without extension (`constants`, `../shared/auth`).
pub(super) struct Module {
    pub(super) key: String,
    /// The file's statements, or why it could not be read.
    pub(super) program: Result<Program, String>,
}

pub(super) struct Eval<'a> {
    pub(super) modules: &'a [Module],
    pub(super) env: &'a Env,
    /// How many string values are being evaluated inside each other: constants can refer to themselves through
    /// a template or a member (`const a = `${a}``), which would otherwise recurse without end.
    pub(super) depth: std::cell::Cell<usize>,
}

/// Where a value was written: the file (index into the modules) and line.
#[derive(Debug, Clone, Copy)]
pub(super) struct At {
    pub(super) module: usize,
    pub(super) line: usize,
}

impl At {
    pub(super) fn config(line: usize) -> At {
        At { module: 0, line }
    }
    fn with_line(self, line: usize) -> At {
        At { line, ..self }
    }
}

impl Eval<'_> {
    /// An error at `at`, naming the file when it is not the config itself.
    pub(super) fn err(&self, at: At, message: impl Into<String>) -> ConfigError {
        let message = message.into();
        match self.modules.get(at.module) {
            Some(m) if at.module > 0 => err(at.line, format!("{message} (in `./{}`)", m.key)),
            _ => err(at.line, message),
        }
    }

    fn program(&self, module: usize) -> Option<&Program> {
        self.modules
            .get(module)
            .and_then(|m| m.program.as_ref().ok())
    }

    /// Follows `const` references and relative imports to the value they name. A package import is returned as
    /// it is only when `imports_ok` (a helper's callee); otherwise it is an error naming it.
    fn follow<'v>(
        &'v self,
        value: &'v Js,
        at: At,
        imports_ok: bool,
    ) -> Result<(&'v Js, At), ConfigError> {
        let mut current = (value, at);
        // The last name followed, for errors about imports (an `Import` does not know its local name).
        let mut name_used = String::new();
        for _ in 0..MAX_REF_HOPS {
            let (v, at) = current;
            match v {
                Js::Ref(name) => {
                    let found = self
                        .program(at.module)
                        .and_then(|p| p.bindings.iter().rev().find(|(n, _)| n == name))
                        .map(|(_, b)| b);
                    match found {
                        // An import is reported where the name is used, not on the import line.
                        Some((v @ Js::Import { .. }, _)) => current = (v, at),
                        Some((v, l)) => current = (v, at.with_line(*l)),
                        None => {
                            return Err(self.err(
                                at,
                                format!("`{name}` is imported or defined elsewhere; paste its value in place of the name"),
                            ))
                        }
                    }
                    name_used = name.clone();
                }
                Js::Import { source, name } => match module_key(self.key_of(at.module), source) {
                    Some(key) => current = self.imported(&key, source, name, &name_used, at)?,
                    None if imports_ok => return Ok(current),
                    None => {
                        return Err(self.err(
                            at,
                            format!("`{name_used}` is imported from the package `{source}`: this reader runs no package code; paste its value in place of the name"),
                        ))
                    }
                },
                Js::Broken(e) => return Err(e.clone()),
                Js::Opaque(what) => {
                    return Err(self.err(at, format!("{what} can only be known by running the code; write the value itself")))
                }
                _ => return Ok(current),
            }
        }
        Err(self.err(at, "constants refer to each other in a loop"))
    }

    /// Follows references to the value they name (see [`Eval::follow`]).
    pub(super) fn resolve<'v>(
        &'v self,
        value: &'v Js,
        at: At,
    ) -> Result<(&'v Js, At), ConfigError> {
        self.follow(value, at, false)
    }

    fn key_of(&self, module: usize) -> &str {
        self.modules.get(module).map_or("", |m| m.key.as_str())
    }

    /// `name` of the file `key`, imported as `local` from `source` at `at`.
    fn imported(
        &self,
        key: &str,
        source: &str,
        name: &str,
        local: &str,
        at: At,
    ) -> Result<(&Js, At), ConfigError> {
        let Some(index) = self.modules.iter().position(|m| m.key == key) else {
            return Err(self.err(
                at,
                format!("`{local}` is imported from `{source}`, which was not given here: paste its value in place of the name"),
            ));
        };
        let program = match self.modules.get(index).map(|m| &m.program) {
            Some(Ok(p)) => p,
            Some(Err(why)) => {
                return Err(self.err(
                    at,
                    format!("`{local}` is imported from `{source}`, which could not be read ({why}): paste its value in place of the name"),
                ))
            }
            None => return Err(self.err(at, format!("`{local}` is imported from `{source}`"))),
        };
        let there = At {
            module: index,
            line: 1,
        };
        if name == "default" {
            return match &program.export {
                Some((v, l)) => Ok((v, there.with_line(*l))),
                None => Err(self.err(
                    at,
                    format!("`{source}` has no default export for `{local}`"),
                )),
            };
        }
        match program.bindings.iter().rev().find(|(n, _)| n == name) {
            Some((_, (v, l))) => Ok((v, there.with_line(*l))),
            None => Err(self.err(
                at,
                format!("`{source}` defines no constant `{name}` this reader can see (write `export const {name} = …` there, or paste the value in place of `{local}`)"),
            )),
        }
    }

    /// A string-valued field: a literal, an environment variable, or a string built from those.
    pub(super) fn config_value(
        &self,
        value: &Js,
        at: At,
        key: &str,
    ) -> Result<ConfigValue, ConfigError> {
        if self.depth.get() >= MAX_DEPTH {
            return Err(self.err(at, "constants refer to each other in a loop"));
        }
        self.depth.set(self.depth.get() + 1);
        let result = self.config_value_inner(value, at, key);
        self.depth.set(self.depth.get() - 1);
        result
    }

    fn config_value_inner(
        &self,
        value: &Js,
        at: At,
        key: &str,
    ) -> Result<ConfigValue, ConfigError> {
        let (v, at) = self.resolve(value, at)?;
        match v {
            Js::Str(s) | Js::Num(s) => Ok(ConfigValue::Literal { value: s.clone() }),
            Js::Env { name, .. } => {
                // Only the deployment's value counts: a literal fallback (`?? "…"`, `|| "…"`) never is. Reading an
                // unset variable while evaluating auth.config fails the push (AuthConfigMissingEnvironmentVariable,
                // convex-backend `crates/isolate/src/environment/auth_config.rs:121-139`), so the deployment keeps
                // its previous configuration. (`|| "…"` over a variable set to "" would take the fallback; too rare
                // to model.)
                let value = self.env.get(name).cloned();
                Ok(ConfigValue::Env {
                    name: name.clone(),
                    value,
                })
            }
            Js::Concat(parts) => self.concat(parts, at, key),
            Js::Member { object, member } => self.member(object, member, at, key),
            Js::Call { callee, .. } => Err(self.err(
                at,
                format!("`{key}` is the result of a call to `{callee}(…)`, which only running the code would tell: write the value itself"),
            )),
            other => Err(self.err(
                at,
                format!("`{key}` should be a string, found {}", kind_name(other)),
            )),
        }
    }

    /// `object.member`: `env.NAME` of Convex's generated `env`, or a field of a constant object.
    fn member(
        &self,
        object: &str,
        member: &str,
        at: At,
        key: &str,
    ) -> Result<ConfigValue, ConfigError> {
        if self.generated_env(object, at) {
            return Ok(ConfigValue::Env {
                name: member.to_owned(),
                value: self.env.get(member).cloned(),
            });
        }
        let unknowable = || {
            self.err(
                at,
                format!("`{object}.{member}` can only be known by running the code; write the value itself"),
            )
        };
        let name = Js::Ref(object.to_owned());
        let (value, obj_at) = self.resolve(&name, at).map_err(|_| unknowable())?;
        match value {
            Js::Obj(entries) => match field(entries, member) {
                Some((v, l)) => self.config_value(v, obj_at.with_line(l), key),
                None => Err(self.err(at, format!("`{object}` has no `{member}`"))),
            },
            _ => Err(unknowable()),
        }
    }

    /// Is `name` (in the file of `at`) the `env` object of `convex/_generated/server`? Convex 1.49's codegen makes
    /// it `process.env` itself (`node_modules/convex/src/cli/codegen_templates/server.ts:57-60`), and the
    /// auth.config.ts reference (docs.convex.dev/config/auth.config.ts) reads `env.CONVEX_SITE_URL` from it.
    fn generated_env(&self, name: &str, at: At) -> bool {
        let binding = self
            .program(at.module)
            .and_then(|p| p.bindings.iter().rev().find(|(n, _)| n == name))
            .map(|(_, (v, _))| v);
        matches!(binding, Some(Js::Import { source, name })
            if name == "env" && is_generated_server(source))
    }

    /// A template literal or `+` chain: each part evaluated, then joined.
    fn concat(&self, parts: &[Js], at: At, key: &str) -> Result<ConfigValue, ConfigError> {
        let mut values = Vec::with_capacity(parts.len());
        for part in parts {
            values.push(self.config_value(part, at, key)?);
        }
        Ok(ConfigValue::joined(values))
    }
}

/// `./_generated/server` (with or without extension), the module Convex generates next to auth.config.ts.
pub(super) fn is_generated_server(source: &str) -> bool {
    let stem = source.trim_end_matches(".js").trim_end_matches(".ts");
    stem == "./_generated/server" || stem.ends_with("/_generated/server")
}

/// The key of the file `source` imports, from the file `importer` (keys as in [`Module`]); `None` for a package.
/// Pure path arithmetic on `/`-separated text: the command line decides which files it may read.
pub(super) fn module_key(importer: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = importer.split('/').filter(|p| !p.is_empty()).collect();
    parts.pop(); // the importer's own name: paths are relative to its directory
    let mut ups = 0usize;
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    ups += 1;
                }
            }
            s => parts.push(s),
        }
    }
    let last = parts.pop()?;
    let stem = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"]
        .iter()
        .find_map(|ext| last.strip_suffix(ext))
        .unwrap_or(last);
    parts.push(stem);
    let mut key = "../".repeat(ups);
    key.push_str(&parts.join("/"));
    Some(key)
}

pub(super) fn kind_name(v: &Js) -> &'static str {
    match v {
        Js::Str(_) => "a string",
        Js::Num(_) => "a number",
        Js::Bool(_) => "a boolean",
        Js::Null => "null",
        Js::Obj(_) => "an object",
        Js::Arr(_) => "a list",
        Js::Env { .. } => "an environment variable",
        Js::Concat(_) => "a string built from parts",
        Js::Call { .. } => "a function call",
        Js::Ref(_) => "a name",
        Js::Member { .. } => "a property access",
        Js::Import { .. } => "an import",
        Js::Opaque(_) => "code",
        Js::Broken(_) => "an unreadable value",
    }
}

pub(super) fn field<'v>(entries: &'v [(String, Js, usize)], key: &str) -> Option<(&'v Js, usize)> {
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
    let (top, top_at) = ctx.resolve(&export.0, At::config(export.1))?;
    let Js::Obj(entries) = top else {
        return Err(ctx.err(
            top_at,
            format!(
                "the export should be an object `{{ providers: [...] }}`, found {}",
                kind_name(top)
            ),
        ));
    };
    if let Some((_, Js::Opaque(what), line)) = entries.iter().find(|(k, _, _)| k == "...") {
        if field(entries, "providers").is_none() {
            return Err(ctx.err(
                top_at.with_line(*line),
                format!(
                    "{what} can only be known by running the code; write `providers: [...]` itself"
                ),
            ));
        }
    }
    let Some((providers, line)) = field(entries, "providers") else {
        return Err(ctx.err(top_at, "the exported object has no `providers` key"));
    };
    let (providers, at) = ctx.resolve(providers, top_at.with_line(line))?;
    let Js::Arr(items) = providers else {
        let hint = match providers {
            Js::Call { callee, .. } => {
                format!(": a call to `{callee}(…)` only running the code would tell")
            }
            _ => String::new(),
        };
        return Err(ctx.err(
            at,
            format!(
                "`providers` should be a list `[...]`, found {}{hint}",
                kind_name(providers)
            ),
        ));
    };
    let mut out = Vec::new();
    for (item, item_line) in items {
        out.push(to_provider(ctx, item, at.with_line(*item_line))?);
    }
    Ok(AuthConfig {
        providers: out,
        source: ConfigSource::User,
    })
}

fn to_provider(ctx: &Eval<'_>, item: &Js, at: At) -> Result<Provider, ConfigError> {
    let (v, at) = ctx.resolve(item, at)?;
    if let Js::Call { callee, args } = v {
        return provider_from_call(ctx, callee, args, at);
    }
    let Js::Obj(entries) = v else {
        return Err(ctx.err(
            at,
            format!("a provider should be an object, found {}", kind_name(v)),
        ));
    };
    let get = |key: &str| -> Result<Option<ConfigValue>, ConfigError> {
        match field(entries, key) {
            None => Ok(None),
            Some((Js::Null, _)) => Ok(None),
            Some((v, l)) => ctx.config_value(v, at.with_line(l), key).map(Some),
        }
    };
    let need = |key: &str, what: &str| -> Result<ConfigValue, ConfigError> {
        get(key)?.ok_or_else(|| ctx.err(at, format!("this {what} provider has no `{key}`")))
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

/// A provider written as a call: one of the documented helpers, else an error naming the call.
fn provider_from_call(
    ctx: &Eval<'_>,
    callee: &str,
    args: &[(Js, usize)],
    at: At,
) -> Result<Provider, ConfigError> {
    let name = Js::Ref(callee.to_owned());
    let (target, _) = ctx.follow(&name, at, true)?;
    if let Js::Import { source, name } = target {
        if let Some(provider) = helpers::provider(ctx, source, name, args, at) {
            return provider;
        }
    }
    Err(ctx.err(at, format!(
        "a call to `{callee}(…)` can only be known by running the code: write the provider object itself ({{ domain: \"https://…\", applicationID: \"…\" }} for OIDC, or {{ type: \"customJwt\", issuer, jwks, algorithm }}); the helpers this reader knows are {}",
        helpers::KNOWN
    )))
}
