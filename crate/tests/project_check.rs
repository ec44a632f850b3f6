//! `analysis::project::check`, the pure judgement behind `convex-auth-doctor check`: a project's texts in, the
//! report out. What the deployment's environment decides (built-in URLs, the env list over `.env.local`, a
//! fallback that does not save the push) and what is never shown.

use convex_auth_doctor::analysis::project::{check, ConfigFile, ProjectInput};
use convex_auth_doctor::config::Env;
use convex_auth_doctor::findings::{Finding, Severity};
use convex_auth_doctor::report::Report;

fn input(config: &str, env_local: Option<&str>, env_list: Option<&str>) -> ProjectInput {
    ProjectInput {
        functions_dir: "convex/".to_owned(),
        auth_config: Some(ConfigFile {
            path: "convex/auth.config.ts".to_owned(),
            text: config.to_owned(),
            imported: Vec::new(),
        }),
        env_local: env_local.map(str::to_owned),
        env_list: env_list.map(str::to_owned),
        env: Env::new(),
    }
}

fn find<'r>(report: &'r Report, code: &str) -> Option<&'r Finding> {
    report.findings.iter().find(|f| f.code.as_str() == code)
}

const CONVEX_AUTH: &str =
    "export default { providers: [{ domain: process.env.CONVEX_SITE_URL, applicationID: \"convex\" }] };";

#[test]
fn convex_site_url_is_the_deployments_own_and_never_missing() {
    let report = check(&input(
        CONVEX_AUTH,
        Some("CONVEX_DEPLOYMENT=dev:happy-otter-123\n"),
        Some("JWT_PRIVATE_KEY=x\nJWKS={}\nSITE_URL=http://localhost:5173\n"),
    ))
    .expect("judged");
    assert!(!report.has_failure(), "{:#?}", report.findings);
    assert!(find(&report, "config.env_missing").is_none());
    let p = find(&report, "config.provider").expect("provider");
    assert!(
        p.message.contains("https://happy-otter-123.convex.site"),
        "{}",
        p.message
    );
    assert!(p.message.contains("built-in"), "{}", p.message);
    assert_eq!(
        report.deployments,
        vec!["https://happy-otter-123.convex.cloud".to_owned()]
    );

    // A local deployment's site URL is not derived from its name: said, not guessed.
    let report = check(&input(
        CONVEX_AUTH,
        Some("CONVEX_DEPLOYMENT=local:local-me-app\n"),
        None,
    ))
    .expect("judged");
    let f = find(&report, "config.env_unresolved").expect("unresolved");
    assert!(f.message.contains("CONVEX_SITE_URL"), "{}", f.message);
    assert!(!report.has_failure());
}

#[test]
fn a_fallback_in_the_code_does_not_save_a_push_the_list_lacks() {
    let config = "export default { providers: [{ domain: process.env.ISSUER ?? \"https://issuer.example.com\", applicationID: \"app\" }] };";
    let report = check(&input(config, None, Some("OTHER=1\n"))).expect("judged");
    let f = find(&report, "config.env_missing").expect("missing");
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(f.evidence["env"], "ISSUER");
    assert_eq!(report.cause_step, Some(3));
}

#[test]
fn the_env_list_wins_over_env_local_and_its_quoting_is_undone() {
    let config =
        "export default { providers: [{ domain: process.env.ISSUER, applicationID: \"app\" }] };";
    // `npx convex env list` wraps a value that itself starts and ends with `"` in single quotes.
    let report = check(&input(
        config,
        Some("ISSUER=https://issuer.example.com\n"),
        Some("ISSUER='\"https://issuer.example.com\"'\n"),
    ))
    .expect("judged");
    let f = find(&report, "config.value_decorated").expect("decorated");
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(f.evidence["cleaned"], "https://issuer.example.com");
    assert_eq!(f.evidence["value_from"], "the deployment's env list");
    assert!(find(&report, "config.env_unverified").is_none());
}

#[test]
fn secret_values_are_never_in_the_report() {
    let secret = "sk_live_VerySecretValueThatMustNotLeak1234";
    let config = "export default { providers: [{ domain: process.env.CLERK_SECRET_KEY, applicationID: \"convex\" }] };";
    let report = check(&input(
        config,
        Some(&format!(
            "CLERK_SECRET_KEY={secret}\nCONVEX_DEPLOYMENT=dev:a-b-1\n"
        )),
        None,
    ))
    .expect("judged");
    let json = serde_json::to_string(&report).expect("json");
    assert!(!json.contains("VerySecretValue"), "{json}");
    assert!(json.contains("CLERK_SECRET_KEY"));
    // And with the list: the value is the deployment's, still never shown.
    let report = check(&input(
        config,
        None,
        Some(&format!("CLERK_SECRET_KEY=\"  {secret}\"\n")),
    ))
    .expect("judged");
    let json = serde_json::to_string(&report).expect("json");
    assert!(!json.contains("VerySecretValue"), "{json}");
}

#[test]
fn unusable_texts_are_errors_not_reports() {
    let config = "export default { providers: [] };";
    assert!(check(&input(config, Some("A=\0"), None)).is_err());
    assert!(check(&input(config, None, Some("not an env list at all"))).is_err());
    assert!(check(&input("export default nothing(", None, None)).is_err());
    // An empty list is a deployment without variables.
    let report = check(&input(config, None, Some(""))).expect("judged");
    assert!(find(&report, "config.no_providers").is_some());
    assert!(report.has_failure());
}

#[test]
fn an_oidc_provider_without_application_id_fails_with_what_to_add() {
    let config = "export default { providers: [{ domain: \"https://clerk.example.com\" }] };";
    let report = check(&input(
        config,
        Some("CONVEX_DEPLOYMENT=prod:tall-tree-9\n"),
        None,
    ))
    .expect("judged");
    let f = find(&report, "config.no_application_id").expect("no app id");
    assert_eq!(f.severity, Severity::Fail);
    let fix = f.fix.as_ref().expect("a fix");
    assert!(
        fix.action.starts_with("Add applicationID"),
        "{}",
        fix.action
    );
    // A production deployment is pushed with `npx convex deploy`.
    assert_eq!(fix.command.as_deref(), Some("npx convex deploy"));
}
