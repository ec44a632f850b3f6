//! Keeps the "Architecture Invariant" lines of `ARCHITECTURE.md` true: reads every `crate::…` path (and every
//! `super::…` path that leaves a top-level module) in `crate/src` and fails when a layer reaches up or sideways.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of the library and the modules it may name. The order is the layering, bottom first;
/// a module may name only modules listed before it, and not all of those.
const LAYERS: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("event", &["text"]),
    ("findings", &["text"]),
    ("findings_doc", &["findings"]),
    ("token", &["text", "findings"]),
    ("traffic", &["text", "event"]),
    ("config", &["text", "findings"]),
    ("verify", &["text", "findings", "token"]),
    ("rules", &["text", "findings", "token", "config"]),
    ("report", &["text", "findings", "token"]),
    (
        "analysis",
        &[
            "text", "event", "findings", "token", "traffic", "config", "verify", "rules", "report",
        ],
    ),
    ("render", &["text", "findings", "token", "report"]),
    (
        "command",
        &[
            "text", "event", "findings", "token", "traffic", "config", "verify", "rules", "report",
            "analysis", "render",
        ],
    ),
    (
        "wasm",
        &[
            "text", "event", "findings", "token", "traffic", "config", "verify", "rules", "report",
            "analysis", "render", "command",
        ],
    ),
];

/// The binary (`main.rs`, `cli/`) is its own crate: it sees the library as `convex_auth_doctor::`, and its
/// `crate::` is itself.
const BINARY: &[&str] = &["main", "cli"];

/// The first path segments after `crate::` in one file's code (comment lines left out), with the line.
fn crate_paths(source: &str, module_path: &[String]) -> Vec<(usize, String)> {
    let code: String = source
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$') {
            continue;
        }
        for segment in first_segments(&code[at + "crate::".len()..]) {
            out.push((line_of(at), segment));
        }
    }
    // `super::` from a file's own module: only a chain that climbs to the crate root names a top-level module.
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let mut depth = module_path.len();
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            depth = depth.saturating_sub(1);
        }
        if depth == 0 {
            for segment in first_segments(rest) {
                out.push((line_of(at), segment));
            }
        }
    }
    out
}

/// `token::decode` → `token`; `{token::X, traffic}` → `token`, `traffic`.
fn first_segments(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(ident(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(ident(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    items.retain(|s| !s.is_empty());
    items
}

/// What one file breaks: `path:line: module names other`.
fn violations(file: &str, top: &str, module_path: &[String], source: &str) -> Vec<String> {
    let Some((_, allowed)) = LAYERS.iter().find(|(m, _)| *m == top) else {
        return vec![format!(
            "{file}: `{top}` is not in the layer table of tests/architecture.rs; add it there and to the \
             invariants in ARCHITECTURE.md"
        )];
    };
    let modules: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    crate_paths(source, module_path)
        .into_iter()
        .filter(|(_, seg)| {
            // Items of the crate root (`crate::VERSION`) are no layer; a module's own paths are fine.
            modules.contains(seg.as_str()) && seg != top && !allowed.contains(&seg.as_str())
        })
        .map(|(line, seg)| format!("{file}:{line}: `{top}` names `{seg}`"))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `traffic/har/scan.rs` → `["traffic", "har", "scan"]`; `traffic/mod.rs` → `["traffic"]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The table itself is a layering: no module may name one listed after it, so no cycle can be allowed.
#[test]
fn the_table_has_no_cycle() {
    for (i, (module, allowed)) in LAYERS.iter().enumerate() {
        for name in *allowed {
            let below = LAYERS[..i].iter().any(|(m, _)| m == name);
            assert!(below, "`{module}` may name `{name}`, which is not below it");
        }
    }
}

#[test]
fn each_layer_only_looks_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut broken = Vec::new();
    let mut paths_seen = 0;
    for path in files {
        let relative = path.strip_prefix(&src).expect("under src");
        let module = module_path(relative);
        let Some(top) = module.first().cloned() else {
            continue;
        };
        if top == "lib" || BINARY.contains(&top.as_str()) {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("read");
        paths_seen += crate_paths(&source, &module).len();
        broken.extend(violations(
            &relative.display().to_string(),
            &top,
            &module,
            &source,
        ));
    }
    assert!(paths_seen > 50, "only {paths_seen} crate paths read");
    assert!(
        broken.is_empty(),
        "layers reaching up or sideways (see \"Architecture Invariant\" in ARCHITECTURE.md):\n{}",
        broken.join("\n")
    );
}

/// What only a host may do: open files, read stdin, look at the clock or the environment, use the network.
const IO: &[&str] = &[
    "std::fs",
    "std::net",
    "io::stdin",
    "io::stdout",
    "io::stderr",
    "println!",
    "eprintln!",
    "SystemTime",
    "Instant::now",
    "std::env",
    "std::process",
];

/// The lines of `source` (comments left out) that do I/O.
fn io_uses(source: &str) -> Vec<String> {
    source
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| IO.iter().any(|io| l.contains(io)))
        .map(|(i, l)| format!("{}: {}", i + 1, l.trim()))
        .collect()
}

/// "`command/` does no I/O": every byte it reads comes through its `Host`, so the binary and the npm wrapper,
/// its two hosts, cannot differ in what the command does.
#[test]
fn the_command_does_no_io() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/command");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    assert!(files.len() >= 5, "found only {} files", files.len());
    let mut found = Vec::new();
    for path in files {
        let source = std::fs::read_to_string(&path).expect("read");
        // The unit tests of a file may use what they like.
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for line in io_uses(code) {
            found.push(format!("{}:{line}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "I/O in command/ (do it in a host):\n{}",
        found.join("\n")
    );
    assert_eq!(
        io_uses("let f = std::fs::File::open(p);\n// std::fs in a comment").len(),
        1
    );
}

/// The reader finds the forms the source uses, so the test above can fail.
#[test]
fn the_reader_catches_reaches() {
    let at = |f: &str| module_path(Path::new(f));
    let v = |file: &str, src: &str| {
        let m = at(file);
        violations(file, &m[0], &m, src)
    };
    assert_eq!(v("traffic/sync.rs", "use crate::token::decode;").len(), 1);
    assert_eq!(
        v("traffic/sync.rs", "let b = crate::token::decode::x(1);").len(),
        1
    );
    assert_eq!(
        v(
            "verify/mod.rs",
            "use crate::{\n    findings::Code,\n    traffic::http,\n};"
        ),
        vec!["verify/mod.rs:1: `verify` names `traffic`"]
    );
    assert_eq!(v("token/mod.rs", "use super::traffic::json;").len(), 1);
    assert_eq!(v("token/decode.rs", "use super::super::analysis;").len(), 1);
    // Allowed, own, root items, comments, other crates' paths.
    assert!(v("token/decode.rs", "use super::checks;").is_empty());
    assert!(v(
        "token/decode.rs",
        "use crate::token::x; use crate::text::y;"
    )
    .is_empty());
    assert!(v("analysis/judge.rs", "doctor: crate::VERSION,").is_empty());
    assert!(v("traffic/sync.rs", "// see crate::token::decode").is_empty());
    assert!(v("traffic/sync.rs", "use my_crate::token;").is_empty());
    assert_eq!(v("newthing.rs", "").len(), 1);
}
