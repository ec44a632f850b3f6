//! `check`'s file gathering: finds a Convex project's functions directory, its `auth.config.ts`/`.js` (and the
//! files it imports) and `.env.local`, as the `convex` CLI finds them (convex-backend `npm-packages/convex`:
//! `convex.json`'s `functions`, `src/cli/lib/config.ts:542-563`; `auth.config.ts` before `.js`, both refused,
//! `src/bundler/index.ts:327-347`; `.env.local`, `src/cli/lib/utils/utils.ts:40`), and hands their texts to the
//! engine's pure judgement (`analysis::project::check`). Every read is bounded; an unreadable file (a symlink
//! loop, a directory, binary or huge content) is an error naming it, which the command exits 2 with.

use std::io::Read;
use std::path::{Path, PathBuf};

use convex_auth_doctor::analysis::project::{ConfigFile, ProjectInput};
use convex_auth_doctor::config::auth_config::MAX_CONFIG_BYTES;
use convex_auth_doctor::config::dotenv::MAX_DOTENV_BYTES;
use convex_auth_doctor::config::project::{functions_dir, MAX_PROJECT_JSON_BYTES};

/// Reads the project at `dir` into the engine's input (without the env list and `--env`, which the caller adds).
pub fn gather(dir: &Path) -> Result<ProjectInput, String> {
    let root = dir
        .canonicalize()
        .map_err(|e| format!("cannot open the project directory {}: {e}", dir.display()))?;
    if !root.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let convex_json = read_optional(&root, "convex.json", MAX_PROJECT_JSON_BYTES)?;
    // package.json is only read for create-react-app's default, and only when convex.json is absent.
    let package_json = match &convex_json {
        Some(_) => None,
        None => read_optional(&root, "package.json", MAX_PROJECT_JSON_BYTES).unwrap_or(None),
    };
    let functions = functions_dir(convex_json.as_deref(), package_json.as_deref())?;
    let functions_path = root.join(&functions);
    match functions_path.canonicalize() {
        Ok(real) if real.is_dir() && real.starts_with(&root) => {}
        Ok(_) => {
            return Err(format!(
                "{functions} in {} is not a directory inside the project",
                dir.display()
            ))
        }
        Err(_) if convex_json.is_some() => {
            return Err(format!(
                "convex.json names the functions directory {functions}, which {} does not have",
                dir.display()
            ))
        }
        Err(_) => {
            return Err(format!(
                "{} has no {functions} directory: not a Convex project (run `check` in the project's root, or pass --project DIR)",
                dir.display()
            ))
        }
    }
    let ts = read_optional(
        &root,
        &format!("{functions}auth.config.ts"),
        MAX_CONFIG_BYTES,
    )?;
    let js = read_optional(
        &root,
        &format!("{functions}auth.config.js"),
        MAX_CONFIG_BYTES,
    )?;
    let auth_config = match (ts, js) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "both {functions}auth.config.ts and {functions}auth.config.js exist: the convex CLI refuses to push either; keep one"
            ))
        }
        (Some(text), None) => Some(config_file(&root, &format!("{functions}auth.config.ts"), text)),
        (None, Some(text)) => Some(config_file(&root, &format!("{functions}auth.config.js"), text)),
        (None, None) => None,
    };
    let env_local = read_optional(&root, ".env.local", MAX_DOTENV_BYTES)?;
    Ok(ProjectInput {
        functions_dir: functions,
        auth_config,
        env_local,
        env_list: None,
        env: Default::default(),
    })
}

fn config_file(root: &Path, rel: &str, text: String) -> ConfigFile {
    let imported = super::imports::read_imports(&root.join(rel), &text);
    ConfigFile {
        path: rel.to_owned(),
        text,
        imported,
    }
}

/// The text of `root/rel`, `None` when there is no such file. Any other failure (a symlink loop, a directory, a
/// file outside the project, binary or oversized content) is an error naming the file.
fn read_optional(root: &Path, rel: &str, max: usize) -> Result<Option<String>, String> {
    let path: PathBuf = root.join(rel);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open {rel}: {e}")),
    };
    // A symlink may point anywhere: only files inside the project are read.
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot open {rel}: {e}"))?;
    if !real.starts_with(root) {
        return Err(format!(
            "{rel} points outside the project directory, which is not read"
        ));
    }
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {rel}: {e}"))?;
    if bytes.len() > max {
        return Err(format!("{rel} is larger than {max} bytes"));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{rel} is not UTF-8 text"))
}
