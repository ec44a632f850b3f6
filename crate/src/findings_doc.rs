//! Renders the catalogue of finding codes as markdown (`docs/findings.md` is this text; a test keeps them equal).

use crate::findings::{Severity, CATALOGUE};

/// The finding-code reference, generated from [`CATALOGUE`].
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\n\
         Generated from `crate/src/findings.rs` (`CATALOGUE`); `cargo test` fails when this file and the code differ.\n\
         Regenerate with `UPDATE_DOCS=1 cargo test -p convex-auth-doctor --test catalogue`.\n\n\
         Codes are stable: they are added, never renamed or reused. Severity is the usual one; where a finding can be\n\
         raised or lowered, its meaning says when. This list extends `shared/spec/findings.md` where noted in\n\
         `docs/spec-extensions.md`.\n",
    );
    for step in 1..=3u8 {
        let title = match step {
            1 => "Step 1: does the backend see an identity?",
            2 => "Step 2: does the client send a valid JWT?",
            _ => "Step 3: does the backend configuration match the token? (with verification)",
        };
        out.push_str(&format!("\n## {title}\n\n| code | severity | meaning | evidence | what to do |\n|---|---|---|---|---|\n"));
        for d in CATALOGUE.iter().filter(|d| d.step == step) {
            let sev = match d.severity {
                Severity::Pass => "pass",
                Severity::Info => "info",
                Severity::Warn => "warn",
                Severity::Fail => "fail",
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                d.code.as_str(),
                sev,
                d.meaning.replace('|', "\\|"),
                d.evidence.replace('|', "\\|"),
                d.action.replace('|', "\\|")
            ));
        }
    }
    out
}
