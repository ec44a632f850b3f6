//! The documentation of finding codes is generated from the code, and every code of the spec exists.

use convex_auth_doctor::findings::{Code, CATALOGUE};
use convex_auth_doctor::findings_doc::catalogue_markdown;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new(".."))
}

#[test]
fn docs_findings_md_is_generated_from_the_catalogue() {
    let path = repo().join("docs/findings.md");
    let generated = catalogue_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/findings.md");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/findings.md differs from the catalogue in crate/src/findings.rs; run UPDATE_DOCS=1 cargo test --test catalogue"
    );
}

#[test]
fn every_code_is_unique_and_round_trips_by_name() {
    for (i, d) in CATALOGUE.iter().enumerate() {
        assert_eq!(Code::from_name(d.code.as_str()), Some(d.code));
        assert_eq!(d.code.doc().code, d.code);
        assert!(CATALOGUE
            .iter()
            .skip(i + 1)
            .all(|o| o.code.as_str() != d.code.as_str()));
        let prefix_step_ok = (1..=3).contains(&d.step);
        assert!(prefix_step_ok, "{} has step {}", d.code, d.step);
    }
}

/// Every code named in the spec's tables (`shared/spec/findings.md`, beside the repository) is in the catalogue
/// with the spec's step.
#[test]
fn every_spec_code_is_in_the_catalogue() {
    let spec_path = repo().join("../shared/spec/findings.md");
    let spec = std::fs::read_to_string(&spec_path)
        .unwrap_or_else(|e| panic!("the spec is expected at {}: {e}", spec_path.display()));
    let mut step = 0u8;
    let mut seen = 0;
    for line in spec.lines() {
        if let Some(rest) = line.strip_prefix("### Step ") {
            step = rest
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .unwrap_or(0) as u8;
        } else if line.starts_with("### Verification") {
            step = 3;
        }
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some(name) = rest.split('`').next() else {
            continue;
        };
        let code = Code::from_name(name)
            .unwrap_or_else(|| panic!("spec code {name} missing from the catalogue"));
        assert_eq!(
            code.doc().step,
            step,
            "{name} is a step-{step} code in the spec"
        );
        seen += 1;
    }
    assert!(seen >= 39, "read only {seen} codes from the spec");
}
