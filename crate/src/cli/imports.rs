//! The project files `auth.config.ts` imports by relative path (`import { DOMAIN } from "./constants"`), read so
//! the engine can use their constants, as the Convex CLI's bundler does when it pushes the config (the backend
//! itself evaluates one bundled file and refuses any other import: convex-backend
//! `crates/isolate/src/environment/auth_config.rs:149-158`).
//!
//! Bounded and confined: only files inside the project directory (the nearest ancestor of the config with a
//! `package.json`, at most three levels up, else the config's own directory), at most
//! [`MAX_IMPORTED_FILES`] files, [`MAX_DEPTH`] imports deep, each no larger than a config may be. A file that
//! cannot be read is passed on with the reason, which the engine names if the config needs it.

use std::io::Read;
use std::path::{Path, PathBuf};

use convex_auth_doctor::config::auth_config::{MAX_CONFIG_BYTES, MAX_IMPORTED_FILES};
use convex_auth_doctor::config::{import_keys, ImportedFile};

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
pub fn read_imports(config_path: &Path, source: &str) -> Vec<ImportedFile> {
    let Some(dir) = config_path.parent().and_then(|d| d.canonicalize().ok()) else {
        return Vec::new();
    };
    let root = project_root(&dir);
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
            let text = read_key(&dir, &root, &key);
            if let Ok(t) = &text {
                next.extend(import_keys(t, &key));
            }
            files.push(ImportedFile { key, text });
        }
        level = next;
    }
    files
}

/// The nearest ancestor (up to three levels above `dir`, `dir` included) holding a `package.json`, else `dir`.
fn project_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .take(4)
        .find(|d| d.join("package.json").is_file())
        .unwrap_or(dir)
        .to_path_buf()
}

fn read_key(dir: &Path, root: &Path, key: &str) -> Result<String, String> {
    let mut outside = false;
    for ext in EXTENSIONS {
        let candidate = dir.join(format!("{key}{ext}"));
        let Ok(real) = candidate.canonicalize() else {
            continue;
        };
        if !real.starts_with(root) {
            outside = true;
            continue;
        }
        if real.is_file() {
            return read_bounded(&real);
        }
    }
    Err(if outside {
        format!(
            "it is outside the project directory {}, which is not read",
            root.display()
        )
    } else {
        format!("no ./{key}.ts or .js next to auth.config.ts")
    })
}

fn read_bounded(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(format!("it is larger than {MAX_CONFIG_BYTES} bytes"));
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_owned())
}
