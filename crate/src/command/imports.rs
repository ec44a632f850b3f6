//! The project files `auth.config.ts` imports by relative path (`import { DOMAIN } from "./constants"`), read so
//! the engine can use their constants, as the Convex CLI's bundler does when it pushes the config (the backend
//! itself evaluates one bundled file and refuses any other import: convex-backend
//! `crates/isolate/src/environment/auth_config.rs:149-158`).
//!
//! Bounded and confined: only files inside the project directory (the nearest ancestor of the config with a
//! `package.json`, at most three levels up, else the config's own directory), at most
//! [`MAX_IMPORTED_FILES`] files, [`MAX_DEPTH`] imports deep, each no larger than a config may be. A file that
//! cannot be read is passed on with the reason, which the engine names if the config needs it. Paths are `/`
//! separated (Unix and macOS; the npm wrapper on Windows gives real paths with `\`, which never match).

use super::io::{read_text, Host};
use crate::config::auth_config::{MAX_CONFIG_BYTES, MAX_IMPORTED_FILES};
use crate::config::{import_keys, ImportedFile};

/// Deepest chain of imports followed (config → constants → shared).
const MAX_DEPTH: usize = 4;

/// How a key (a path without extension) may be written on disk, in the order the bundler tries them.
const EXTENSIONS: &[&str] = &[
    ".ts",
    ".tsx",
    ".mts",
    ".cts",
    ".js",
    ".mjs",
    ".cjs",
    "/index.ts",
    "/index.js",
];

/// The files the config at `config_path` (text `source`) imports, directly or through each other.
pub fn read_imports(host: &mut dyn Host, config_path: &str, source: &str) -> Vec<ImportedFile> {
    let Some(dir) = host.real_path(parent(config_path)) else {
        return Vec::new();
    };
    let root = project_root(host, &dir);
    let mut files: Vec<ImportedFile> = Vec::new();
    let mut level = import_keys(source, "");
    for _ in 0..MAX_DEPTH {
        let mut next = Vec::new();
        for key in level {
            if files.len() >= MAX_IMPORTED_FILES {
                return files;
            }
            if files.iter().any(|f| f.key == key) {
                continue;
            }
            let text = read_key(host, &dir, &root, &key);
            if let Ok(t) = &text {
                next.extend(import_keys(t, &key));
            }
            files.push(ImportedFile { key, text });
        }
        level = next;
    }
    files
}

/// The directory part of a path as written (`.` when there is none), as `Path::parent` gives it.
fn parent(path: &str) -> &str {
    match path.trim_end_matches('/').rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// The nearest ancestor (up to three levels above `dir`, `dir` included) holding a `package.json`, else `dir`.
fn project_root(host: &mut dyn Host, dir: &str) -> String {
    let mut at = dir.to_owned();
    for _ in 0..4 {
        if host.is_file(&join(&at, "package.json")) {
            return at;
        }
        if at == "/" {
            break;
        }
        at = parent(&at).to_owned();
    }
    dir.to_owned()
}

pub(super) fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether `path` is `root` or below it (whole components, as `Path::starts_with`).
pub(super) fn inside(path: &str, root: &str) -> bool {
    path == root
        || root == "/"
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn read_key(host: &mut dyn Host, dir: &str, root: &str, key: &str) -> Result<String, String> {
    let mut outside = false;
    for ext in EXTENSIONS {
        let candidate = join(dir, &format!("{key}{ext}"));
        let Some(real) = host.real_path(&candidate) else {
            continue;
        };
        if !inside(&real, root) {
            outside = true;
            continue;
        }
        if host.is_file(&real) {
            return read_text(host, &real, MAX_CONFIG_BYTES as u64).map_err(|e| e.say("it"));
        }
    }
    Err(if outside {
        format!("it is outside the project directory {root}, which is not read")
    } else {
        format!("no ./{key}.ts or .js next to auth.config.ts")
    })
}
