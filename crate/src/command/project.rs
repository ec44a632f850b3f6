//! `check`'s file gathering: finds a Convex project's functions directory, its `auth.config.ts`/`.js` (and the
//! files it imports) and `.env.local`, as the `convex` CLI finds them (convex-backend `npm-packages/convex`:
//! `convex.json`'s `functions`, `src/cli/lib/config.ts:542-563`; `auth.config.ts` before `.js`, both refused,
//! `src/bundler/index.ts:327-347`; `.env.local`, `src/cli/lib/utils/utils.ts:40`), through the [`Host`] only, and
//! hands their texts to the engine's judgement ([`crate::analysis::project::check`]). Every read is bounded; a
//! file that exists but cannot be read (a symlink loop, a directory, binary or oversized content, a link that
//! leaves the project) is an error naming it, which the command exits 2 with.

use super::imports::{inside, join, read_imports};
use super::io::{read_stdin_limited, read_text, Host, Unread};
use crate::analysis::project::{ConfigFile, ProjectInput};
use crate::config::auth_config::MAX_CONFIG_BYTES;
use crate::config::dotenv::MAX_DOTENV_BYTES;
use crate::config::project::{functions_dir, MAX_PROJECT_JSON_BYTES};
use crate::config::Env;
use crate::report::Report;

/// `ENOENT`: the one open failure that means "no such file" rather than "unreadable".
const NOT_FOUND: i32 = 2;

/// Reads the project at `dir` (and the env list: a file, or `-` for stdin) and judges it.
pub fn check(
    host: &mut dyn Host,
    dir: &str,
    env_list: Option<&str>,
    env: &Env,
) -> Result<Report, String> {
    let mut input = gather(host, dir)?;
    input.env_list = match env_list {
        None => None,
        Some("-") => Some(
            read_stdin_limited(host, MAX_DOTENV_BYTES as u64).map_err(|e| {
                e.replace("the token on stdin", "stdin")
                    .replace("the token from stdin", "stdin")
            })?,
        ),
        Some(path) => {
            Some(read_text(host, path, MAX_DOTENV_BYTES as u64).map_err(|e| e.say(path))?)
        }
    };
    input.env = env.clone();
    crate::analysis::project::check(&input)
}

/// The project's files as the engine's input (without the env list and `--env`).
fn gather(host: &mut dyn Host, dir: &str) -> Result<ProjectInput, String> {
    let root = host
        .real_path(dir)
        .ok_or_else(|| format!("cannot open the project directory {dir}: no such directory"))?;
    if host.is_file(&root) {
        return Err(format!("{dir} is a file, not a project directory"));
    }
    let convex_json = read_optional(host, &root, "convex.json", MAX_PROJECT_JSON_BYTES)?;
    // package.json is only read for create-react-app's default, and only when convex.json is absent.
    let package_json = match &convex_json {
        Some(_) => None,
        None => read_optional(host, &root, "package.json", MAX_PROJECT_JSON_BYTES).unwrap_or(None),
    };
    let functions = functions_dir(convex_json.as_deref(), package_json.as_deref())?;
    match host.real_path(&join(&root, &functions)) {
        Some(real) if !host.is_file(&real) && inside(&real, &root) => {}
        Some(_) => {
            return Err(format!(
                "{functions} in {dir} is not a directory inside the project"
            ))
        }
        None if convex_json.is_some() => {
            return Err(format!(
                "convex.json names the functions directory {functions}, which {dir} does not have"
            ))
        }
        None => {
            return Err(format!(
                "{dir} has no {functions} directory: not a Convex project (run `check` in the project's root, or pass --project DIR)"
            ))
        }
    }
    let ts_rel = format!("{functions}auth.config.ts");
    let js_rel = format!("{functions}auth.config.js");
    let ts = read_optional(host, &root, &ts_rel, MAX_CONFIG_BYTES)?;
    let js = read_optional(host, &root, &js_rel, MAX_CONFIG_BYTES)?;
    let auth_config = match (ts, js) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "both {ts_rel} and {js_rel} exist: the convex CLI refuses to push either; keep one"
            ))
        }
        (Some(text), None) => Some(config_file(host, &root, ts_rel, text)),
        (None, Some(text)) => Some(config_file(host, &root, js_rel, text)),
        (None, None) => None,
    };
    let env_local = read_optional(host, &root, ".env.local", MAX_DOTENV_BYTES)?;
    Ok(ProjectInput {
        functions_dir: functions,
        auth_config,
        env_local,
        env_list: None,
        env: Env::new(),
    })
}

fn config_file(host: &mut dyn Host, root: &str, rel: String, text: String) -> ConfigFile {
    let imported = read_imports(host, &join(root, &rel), &text);
    ConfigFile {
        path: rel,
        text,
        imported,
    }
}

/// The text of `root/rel`, `None` when there is no such file; any other failure is an error naming the file.
fn read_optional(
    host: &mut dyn Host,
    root: &str,
    rel: &str,
    max: usize,
) -> Result<Option<String>, String> {
    let path = join(root, rel);
    // A symlink may point anywhere: only files inside the project are read.
    if let Some(real) = host.real_path(&path) {
        if !inside(&real, root) {
            return Err(format!(
                "{rel} points outside the project directory, which is not read"
            ));
        }
    }
    match read_text(host, &path, max as u64) {
        Err(Unread::Open(e)) if e.errno == Some(NOT_FOUND) => Ok(None),
        Err(e) => Err(e.say(rel)),
        Ok(text) => Ok(Some(text)),
    }
}
