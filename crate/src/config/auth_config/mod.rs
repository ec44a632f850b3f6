//! Reads `convex/auth.config.ts` / `.js` without a JavaScript engine.
//!
//! People paste the file as they wrote it, so the reader accepts the object-literal subset those files use:
//! `export default {…}`, `const x = {…}; export default x`, `satisfies AuthConfig`, `as const`,
//! `module.exports = {…}`, comments, trailing commas, every quote style, quoted or bare keys, `process.env.NAME` in
//! its usual spellings (`process.env["NAME"]`, `process.env.NAME!`, `process.env.NAME ?? "fallback"`), strings
//! built with template literals and `+` from text, constants and `process.env`, constants imported from the
//! project's own files (when the caller gives them: [`import_keys`], [`ImportedFile`]), and the documented helper
//! functions of the auth libraries (`helpers.rs`). Anything else it cannot evaluate (other calls, spreads,
//! package imports) becomes a clear error naming the line and what to write instead, never a guess and never a
//! panic: the input is untrusted, so sizes and nesting are capped and nothing is indexed blindly.
//!
//! The shape it produces follows the backend's `SerializedAuthInfo` (convex-backend `crates/common/src/auth.rs`):
//! a provider with `type: "customJwt"` has `issuer`, `jwks`, `algorithm`, optional `applicationID`; any other
//! provider is OIDC with `domain` and `applicationID`.
//!
//! Four stages, one file each: [`lexer`] (text to tokens), [`reader`] (tokens to values), [`program`] (statements:
//! bindings, imports and the export) and [`eval`] (the export to providers), which calls on [`helpers`].

mod eval;
mod helpers;
mod lexer;
mod program;
mod reader;

use super::AuthConfig;

/// Environment values given by the user (`--env NAME=VALUE`): a name's latest value wins.
///
/// A short list with the few map methods callers use (`new`, `insert`, `get`, `collect`), not a `BTreeMap`: a
/// config reads a handful of variables, and a map type of its own cost about 6 KB of the wasm module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: Vec<(String, String)>,
}

impl Env {
    pub fn new() -> Self {
        Env::default()
    }

    /// Sets a value; returns the one it replaces, as `BTreeMap::insert` does.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.vars.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.vars.push((name, value));
                None
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// `(name, value)` in the order first set.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.vars.iter().map(|(n, v)| (n, v))
    }
}

impl FromIterator<(String, String)> for Env {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut env = Env::new();
        for (n, v) in iter {
            env.insert(n, v);
        }
        env
    }
}

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

impl std::error::Error for ConfigError {}

/// Largest file accepted. Real auth configs are under 2 KB; this leaves room for long comments while keeping
/// memory bounded for whatever gets pasted.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// Deepest nesting of objects/arrays/parentheses accepted (real configs nest 3 deep).
pub const MAX_DEPTH: usize = 48;

/// How many `const a = b` hops are followed before giving up (guards against `a = b; b = a`).
pub(super) const MAX_REF_HOPS: usize = 16;

pub(super) fn err(line: usize, message: impl Into<String>) -> ConfigError {
    ConfigError {
        line,
        message: message.into(),
    }
}

/// How many imported files are read at most (real configs import one constants file, if any).
pub const MAX_IMPORTED_FILES: usize = 16;

/// A file the config imports, as the caller found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// Its path relative to the config's directory, `/`-separated, without extension, as [`import_keys`] names it.
    pub key: String,
    /// Its text, or why it could not be read (outside the project, missing, too large).
    pub text: Result<String, String>,
}

/// Parses `auth.config.ts` / `.js`, resolving `process.env.NAME` from `env` where given.
pub fn parse_auth_config(src: &str, env: &Env) -> Result<AuthConfig, ConfigError> {
    parse_auth_config_with(src, env, &[])
}

/// [`parse_auth_config`], with the files the config imports (by relative path) that the caller could read.
pub fn parse_auth_config_with(
    src: &str,
    env: &Env,
    files: &[ImportedFile],
) -> Result<AuthConfig, ConfigError> {
    let config = read_file(src)?;
    let Some(export) = config.export.clone() else {
        return Err(config.first_error.clone().unwrap_or_else(|| {
            err(
                1,
                "no `export default …` or `module.exports = …` found: paste the whole convex/auth.config.ts",
            )
        }));
    };
    let mut modules = vec![eval::Module {
        key: String::new(),
        program: Ok(config),
    }];
    for f in files.iter().take(MAX_IMPORTED_FILES) {
        let program = match &f.text {
            Ok(text) => read_file(text).map_err(|e| e.to_string()),
            Err(why) => Err(why.clone()),
        };
        modules.push(eval::Module {
            key: f.key.clone(),
            program,
        });
    }
    let ctx = eval::Eval {
        modules: &modules,
        env,
        depth: std::cell::Cell::new(0),
    };
    eval::to_auth_config(&ctx, &export)
}

/// The project files `src` imports by relative path (`import { DOMAIN } from "./constants"`), as keys relative
/// to the config's directory; `importer` is the key of `src` itself (`""` for the config). Empty when `src` does
/// not read.
pub fn import_keys(src: &str, importer: &str) -> Vec<String> {
    let Ok(program) = read_file(src) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = Vec::new();
    for (_, (value, _)) in &program.bindings {
        if let reader::Js::Import { source, .. } = value {
            // Convex's generated code is read for what it means (`env`), never as a file.
            if eval::is_generated_server(source) {
                continue;
            }
            if let Some(key) = eval::module_key(importer, source) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    keys
}

fn read_file(src: &str) -> Result<program::Program, ConfigError> {
    if src.len() > MAX_CONFIG_BYTES {
        return Err(err(
            0,
            format!(
                "the file is {} bytes; an auth config is a few hundred (the limit is {MAX_CONFIG_BYTES})",
                src.len()
            ),
        ));
    }
    let tokens = lexer::tokenize(src)?;
    program::read_program(&tokens)
}
