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

/// The codes of the spec's tables with their steps, as the spec stood on 2026-11-29 (the 39 codes of the first
/// issues and the 7 additions read from the real backend). Kept here, in the repository, so the test never reads
/// anything outside it; when the spec gains a code, add it here and to the catalogue.
const SPEC_CODES: &[(&str, u8)] = &[
    ("client.no_traffic", 1),
    ("client.connection_failed", 1),
    ("deployment.seen", 1),
    ("deployment.multiple", 1),
    ("identity.logged", 1),
    ("identity.logged_null", 1),
    ("identity.no_log", 1),
    ("auth.confirmed", 1),
    ("auth.rejected", 1),
    ("auth.expired_in_session", 1),
    ("auth.discovery_failed", 1),
    ("token.absent", 2),
    ("token.cleared", 2),
    ("token.admin", 2),
    ("token.bad_scheme", 2),
    ("token.malformed", 2),
    ("token.well_formed", 2),
    ("token.typ", 2),
    ("token.claim_missing", 2),
    ("token.expired", 2),
    ("token.not_yet_valid", 2),
    ("token.exp_in_ms", 2),
    ("token.alg_none", 2),
    ("token.alg_unsupported", 2),
    ("token.aud_multiple", 2),
    ("config.unknown", 3),
    ("config.no_providers", 3),
    ("config.issuer_mismatch", 3),
    ("config.audience_mismatch", 3),
    ("config.matched", 3),
    ("config.env_unresolved", 3),
    ("config.no_application_id", 3),
    ("config.kid_missing", 3),
    ("signature.valid", 3),
    ("signature.invalid", 3),
    ("jwks.kid_not_found", 3),
    ("jwks.unreachable", 3),
    ("discovery.issuer_mismatch", 3),
    ("clock.skew", 3),
];

/// The spec's additions of 2026-11-29 (`token.header_refused` … `identity.null_before_auth`), with their steps.
/// Listed apart until the engine emits them; the test below requires them too.
const SPEC_ADDITIONS: &[(&str, u8)] = &[
    ("token.header_refused", 2),
    ("token.claim_type", 2),
    ("token.iss_no_scheme", 2),
    ("token.wrapped", 2),
    ("config.jwks_unparseable", 3),
    ("auth.internal_error", 1),
    ("identity.null_before_auth", 1),
];

/// Issue 13's codes (`docs/spec-extensions.md`): public names, never renamed, with their steps.
const ISSUE_13_CODES: &[(&str, u8)] = &[
    ("auth.unused", 1),
    ("refresh.cleared", 2),
    ("refresh.same_token", 2),
    ("refresh.provider_failed", 2),
    ("mint.template_missing", 2),
    ("mint.request_failed", 2),
    ("mint.signin_failed", 2),
    ("mint.not_sent", 2),
    ("http_action.no_bearer", 2),
    ("http_action.cors_blocked", 2),
    ("http_action.refused", 2),
    ("cookie.token_absent", 2),
    ("cookie.token_expired", 2),
    ("cookie.token_invalid", 2),
    ("cookie.token_mismatch", 2),
    ("cookie.token_seen", 2),
];

/// Issue 15's codes (`check`, `docs/spec-extensions.md`): public names, never renamed, with their steps.
const ISSUE_15_CODES: &[(&str, u8)] = &[
    ("project.no_auth_config", 3),
    ("project.deployment", 3),
    ("config.provider", 3),
    ("config.env_missing", 3),
    ("config.env_unverified", 3),
    ("config.publishable_key", 3),
    ("config.jwks_url_as_domain", 3),
    ("config.convex_cloud_domain", 3),
    ("config.domain_no_scheme", 3),
    ("config.value_decorated", 3),
    ("config.application_id_empty", 3),
    ("config.algorithm_unsupported", 3),
];

#[test]
fn issue_13_codes_keep_their_names_and_steps() {
    let ext = std::fs::read_to_string(repo().join("docs/spec-extensions.md")).unwrap_or_default();
    for &(name, step) in ISSUE_13_CODES.iter().chain(ISSUE_15_CODES) {
        let code = Code::from_name(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(code.doc().step, step, "{name}");
        assert!(
            ext.contains(&format!("`{name}`")),
            "{name} is not in docs/spec-extensions.md"
        );
    }
}

/// Every code of the spec is in the catalogue with the spec's step, and documented in `docs/findings.md`.
#[test]
fn every_spec_code_is_in_the_catalogue() {
    let docs = std::fs::read_to_string(repo().join("docs/findings.md")).unwrap_or_default();
    for &(name, step) in SPEC_CODES.iter().chain(SPEC_ADDITIONS) {
        let code = Code::from_name(name)
            .unwrap_or_else(|| panic!("spec code {name} missing from the catalogue"));
        assert_eq!(
            code.doc().step,
            step,
            "{name} is a step-{step} code in the spec"
        );
        assert!(
            docs.contains(&format!("`{name}`")),
            "{name} is not in docs/findings.md"
        );
    }
}
