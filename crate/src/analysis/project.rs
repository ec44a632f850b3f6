//! `convex-auth-doctor check` (issue 15): what a Convex project's own files say about authentication, with no
//! traffic and no token. Pure: the front end finds and reads the files ([`ProjectInput`]) and renders the
//! [`Report`].
//!
//! What counts is the deployment: the backend evaluates auth.config.ts with the deployment's environment —
//! its built-in `CONVEX_CLOUD_URL`/`CONVEX_SITE_URL` (possibly overridden by canonical URLs) then the variables
//! set on it (convex-backend `crates/application/src/application_function_runner/mod.rs:1906-1923`) — and a
//! variable it lacks fails the push whatever fallback the code gives, since `process.env` is a proxy whose every
//! read asks the backend (`npm-packages/udf-runtime/src/setup.ts:113-127`), which answers a missing one with
//! `AuthConfigMissingEnvironmentVariable` (`crates/isolate/src/environment/auth_config.rs:121-139`).
//! `.env.local` is read by the front end and by the CLI for `CONVEX_DEPLOYMENT`, never by the deployment. So the
//! values the check uses are layered, lowest first: built in (from the deployment's name or the URLs the CLI
//! wrote to `.env.local`), `.env.local` (flagged as not the deployment's), `npx convex env list` output
//! (`--env-list`, the deployment's own), `--env NAME=VALUE`.

use super::fix::{self, Deployment};
use crate::config::dotenv::parse_dotenv;
use crate::config::project::DeploymentRef;
use crate::config::{parse_auth_config_with, AuthConfig, ConfigValue, Env, ImportedFile, Provider};
use crate::findings::{Code, Finding, Severity, Status};
use crate::report::{Report, StepVerdict};
use crate::rules::config_values::{check_values, is_secret_name};
use crate::rules::unresolved::env_unresolved;
use crate::rules::ProviderKind;
use crate::text::redact::Secrets;

/// The project's files as the front end found them.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    /// The functions directory, relative to the project (`convex/`), as shown in the report.
    pub functions_dir: String,
    /// `auth.config.ts`/`.js`, when the functions directory has one.
    pub auth_config: Option<ConfigFile>,
    /// `.env.local`'s text, when the project has one.
    pub env_local: Option<String>,
    /// The output of `npx convex env list` for the deployment (`--env-list`), when given.
    pub env_list: Option<String>,
    /// `--env NAME=VALUE`.
    pub env: Env,
}

/// The auth config file: its path as shown, its text, and the project files it imports (as `cli/imports.rs`
/// reads them).
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    pub path: String,
    pub text: String,
    pub imported: Vec<ImportedFile>,
}

/// Where a variable's value came from, lowest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    BuiltIn,
    EnvLocal,
    EnvList,
    Flag,
}

impl Source {
    fn words(self) -> &'static str {
        match self {
            Source::BuiltIn => "the deployment's built-in value",
            Source::EnvLocal => ".env.local, not the deployment's value",
            Source::EnvList => "the deployment's env list",
            Source::Flag => "--env",
        }
    }
}

/// The values the check evaluates the config with, each with its source.
struct Values {
    vars: Vec<(String, String, Source)>,
}

impl Values {
    fn set(&mut self, name: &str, value: &str, source: Source) {
        match self.vars.iter_mut().find(|(n, _, _)| n == name) {
            Some(slot) => *slot = (name.to_owned(), value.to_owned(), source),
            None => self.vars.push((name.to_owned(), value.to_owned(), source)),
        }
    }

    fn source(&self, name: &str) -> Option<Source> {
        self.vars
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, _, s)| *s)
    }

    fn env(&self) -> Env {
        self.vars
            .iter()
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect()
    }
}

/// Built-in variables of every deployment (convex-backend `crates/udf/src/environment.rs:21-31`).
const BUILT_IN: &[&str] = &["CONVEX_SITE_URL", "CONVEX_CLOUD_URL"];

/// Judges the project. `Err` for input that cannot be used (an unreadable `.env.local` or env list, a config
/// the reader cannot evaluate): the front end exits 2 with it.
pub fn check(input: &ProjectInput) -> Result<Report, String> {
    let local = match &input.env_local {
        Some(text) => parse_dotenv(text).map_err(|e| format!("cannot read .env.local: {e}"))?,
        None => Vec::new(),
    };
    let list = match &input.env_list {
        Some(text) => Some(read_env_list(text)?),
        None => None,
    };
    let local_get = |name: &str| {
        local
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let deployment_ref = local_get("CONVEX_DEPLOYMENT").and_then(DeploymentRef::parse);
    let self_hosted = local_get("CONVEX_SELF_HOSTED_URL").map(str::to_owned);

    let values = layered_values(&local, list.as_deref(), &input.env, deployment_ref.as_ref());
    let deployment = deployment_of(deployment_ref.as_ref(), self_hosted.as_deref(), &local);
    let production = deployment_ref
        .as_ref()
        .is_some_and(|d| d.kind.as_deref() == Some("prod"));

    let mut findings = vec![deployment_finding(
        input,
        deployment_ref.as_ref(),
        self_hosted.as_deref(),
        list.is_some(),
    )];
    let config = match &input.auth_config {
        None => {
            findings.push(
                Finding::new(
                    Code::ProjectNoAuthConfig,
                    format!(
                        "No {dir}auth.config.ts or {dir}auth.config.js: a push configures no providers, so the deployment refuses every user token.",
                        dir = input.functions_dir
                    ),
                )
                .with("functions_dir", input.functions_dir.as_str()),
            );
            None
        }
        Some(file) => {
            let config = parse_auth_config_with(&file.text, &values.env(), &file.imported)
                .map_err(|e| format!("cannot read {}: {e}", file.path))?;
            let sources = |name: &str| values.source(name).map(|s| s.words().to_owned());
            let mut shapes = check_values(&config, &sources);
            tentative_when_local(&mut shapes);
            findings.extend(shapes);
            findings.extend(variable_findings(&config, &values, list.is_some(), &local));
            Some(config)
        }
    };

    findings.sort_by_key(|f| (f.step, std::cmp::Reverse(f.severity)));
    let provider = config
        .as_ref()
        .and_then(|c| c.providers.first())
        .and_then(|p| issuer_of(p).resolved())
        .map_or(ProviderKind::Custom, |v| ProviderKind::recognise(v.trim()));
    let cx = fix::Context {
        deployment,
        provider,
        token: None,
        config: config.as_ref(),
        production,
    };
    fix::attach(&mut findings, &cx);
    let steps = steps(&findings);
    let cause_step = steps
        .iter()
        .find(|s| s.status == Status::Fail)
        .map(|s| s.step);
    let verdict =
        fix::headline(&findings, cause_step, &cx).unwrap_or_else(|| quiet_verdict(&findings));
    let deployments = match &deployment_ref {
        Some(d) => d.cloud_url().into_iter().collect(),
        None => self_hosted.into_iter().collect(),
    };
    let report = Report {
        doctor: crate::VERSION,
        verdict,
        steps,
        cause_step,
        findings,
        tokens: Vec::new(),
        // No token: nothing to group.
        token_groups: Vec::new(),
        deployments,
        timeline: Vec::new(),
        // No token: nothing to set side by side with the providers.
        comparison: None,
    };
    Ok(report.made_safe(&secrets(&local, list.as_deref())))
}

/// The values the config is evaluated with, lowest precedence first: built in, `.env.local`, the deployment's
/// list, `--env`.
fn layered_values(
    local: &[(String, String)],
    list: Option<&[(String, String)]>,
    flags: &Env,
    deployment: Option<&DeploymentRef>,
) -> Values {
    let mut values = Values { vars: Vec::new() };
    for (name, value) in built_in_values(local, deployment) {
        values.set(name, &value, Source::BuiltIn);
    }
    for (name, value) in local {
        if !BUILT_IN.contains(&name.as_str()) {
            values.set(name, value, Source::EnvLocal);
        }
    }
    for (name, value) in list.into_iter().flatten() {
        values.set(name, value, Source::EnvList);
    }
    for (name, value) in flags.iter() {
        values.set(name, value, Source::Flag);
    }
    values
}

/// The deployment the fixes name: a cloud deployment by its name, a local one by the URL `.env.local` gives it
/// (the CLI's default port otherwise), a self-hosted one by its URL.
fn deployment_of(
    deployment: Option<&DeploymentRef>,
    self_hosted: Option<&str>,
    local: &[(String, String)],
) -> Deployment {
    match (deployment, self_hosted) {
        (Some(d), _) if !d.is_local() => Deployment::Cloud {
            name: d.name.clone(),
        },
        (Some(_), _) => Deployment::Local {
            origin: local_url(local).unwrap_or_else(|| "http://127.0.0.1:3210".to_owned()),
        },
        (None, Some(url)) => Deployment::from_origin(url),
        (None, None) => Deployment::Unknown,
    }
}

/// The verdict without a failure: the first warning when there is one, else what to capture next.
fn quiet_verdict(findings: &[Finding]) -> String {
    const NEXT: &str = "capture the app signing in (DevTools with the Convex Auth panel, or a HAR file for `convex-auth-doctor har`).";
    match findings.iter().find(|f| f.severity == Severity::Warn) {
        Some(w) => format!(
            "No failure established, but check this: {} Then {NEXT}",
            w.message
        ),
        None => format!("auth.config.ts shows no known mistake without traffic; next, {NEXT}"),
    }
}

/// A mistake seen in a value taken from `.env.local` is the deployment's only if it holds the same value: a
/// warning that says so, never a failure (the deployment's own list, `--env-list`, settles it).
fn tentative_when_local(findings: &mut [Finding]) {
    let local = Source::EnvLocal.words();
    for f in findings.iter_mut() {
        let from_local = f.evidence.get("value_from").and_then(|v| v.as_str()) == Some(local);
        if from_local && f.severity == Severity::Fail {
            f.severity = Severity::Warn;
            f.message.push_str(" (Seen in .env.local's value: it is the deployment's mistake if the deployment has the same value; `--env-list` settles it.)");
        }
    }
}

/// `npx convex env list` output: dotenv lines. Text with no assignment at all is not that output (an empty list
/// prints nothing on stdout: the CLI says "No environment variables set" on stderr, `src/cli/lib/env.ts:179-182`).
fn read_env_list(text: &str) -> Result<Vec<(String, String)>, String> {
    let vars = parse_dotenv(text).map_err(|e| format!("cannot read the env list: {e}"))?;
    if vars.is_empty() && !text.trim().is_empty() {
        return Err(
            "the env list has no NAME=value line: give the output of `npx convex env list`"
                .to_owned(),
        );
    }
    Ok(vars)
}

/// `CONVEX_SITE_URL`/`CONVEX_CLOUD_URL` as the deployment has them: the URLs the CLI wrote to `.env.local` for
/// the front end (`…CONVEX_SITE_URL`, `…CONVEX_URL` with the framework's prefix: `src/cli/lib/envvars.ts:60-80,
/// 136-232`), else from the cloud deployment's name.
fn built_in_values(
    local: &[(String, String)],
    deployment: Option<&DeploymentRef>,
) -> Vec<(&'static str, String)> {
    let written = |suffix: &str| {
        local
            .iter()
            .find(|(n, v)| n.ends_with(suffix) && !v.is_empty())
            .map(|(_, v)| v.trim().to_owned())
    };
    let cloud = written("CONVEX_URL").or_else(|| deployment.and_then(DeploymentRef::cloud_url));
    let site = written("CONVEX_SITE_URL")
        .or_else(|| {
            cloud
                .as_deref()
                .and_then(|c| c.strip_suffix(".convex.cloud"))
                .map(|c| format!("{c}.convex.site"))
        })
        .or_else(|| deployment.and_then(DeploymentRef::cloud_site_url));
    let mut out = Vec::new();
    if let Some(c) = cloud {
        out.push(("CONVEX_CLOUD_URL", c));
    }
    if let Some(s) = site {
        out.push(("CONVEX_SITE_URL", s));
    }
    out
}

fn local_url(local: &[(String, String)]) -> Option<String> {
    local
        .iter()
        .find(|(n, _)| n.ends_with("CONVEX_URL"))
        .map(|(_, v)| v.clone())
}

/// `project.deployment`: which deployment, and that its environment is what counts.
fn deployment_finding(
    input: &ProjectInput,
    deployment: Option<&DeploymentRef>,
    self_hosted: Option<&str>,
    env_list: bool,
) -> Finding {
    let which = match (deployment, self_hosted) {
        (Some(d), _) => format!(
            "Deployment {}{} (CONVEX_DEPLOYMENT in .env.local)",
            d.kind.as_deref().map_or(String::new(), |k| format!("{k}:")),
            d.name
        ),
        (None, Some(url)) => format!("Self-hosted deployment {url} (CONVEX_SELF_HOSTED_URL in .env.local)"),
        (None, None) if input.env_local.is_some() => {
            "No CONVEX_DEPLOYMENT in .env.local: the deployment is not known (run `npx convex dev` once)".to_owned()
        }
        (None, None) => "No .env.local: the deployment is not known (run `npx convex dev` once)".to_owned(),
    };
    let how = if env_list {
        "auth.config.ts is evaluated on the deployment with the deployment's own environment variables, taken here from the env list given."
    } else {
        "auth.config.ts is evaluated on the deployment with the deployment's own environment variables, not .env.local; give them with `npx convex env list | convex-auth-doctor check --env-list -`."
    };
    let mut f = Finding::new(Code::ProjectDeployment, format!("{which}. {how}"))
        .with("env_list_given", env_list)
        .with("functions_dir", input.functions_dir.as_str());
    if let Some(d) = deployment {
        f = f.with("deployment", d.name.as_str());
        if let Some(k) = &d.kind {
            f = f.with("deployment_type", k.as_str());
        }
    }
    f
}

fn issuer_of(p: &Provider) -> &ConfigValue {
    match p {
        Provider::Oidc { domain, .. } => domain,
        Provider::CustomJwt { issuer, .. } => issuer,
    }
}

/// Every `(provider index, field, variable)` the configuration reads, each variable once, in order.
fn variables_read(config: &AuthConfig) -> Vec<(usize, &'static str, &str)> {
    let mut out: Vec<(usize, &'static str, &str)> = Vec::new();
    for (i, p) in config.providers.iter().enumerate() {
        let fields: Vec<(&'static str, Option<&ConfigValue>)> = match p {
            Provider::Oidc {
                domain,
                application_id,
            } => vec![
                ("domain", Some(domain)),
                ("applicationID", application_id.as_ref()),
            ],
            Provider::CustomJwt {
                issuer,
                jwks,
                algorithm,
                application_id,
            } => vec![
                ("issuer", Some(issuer)),
                ("jwks", Some(jwks)),
                ("algorithm", Some(algorithm)),
                ("applicationID", application_id.as_ref()),
            ],
        };
        for (role, value) in fields {
            for name in value.map(ConfigValue::env_names).unwrap_or_default() {
                if !out.iter().any(|(_, _, n)| *n == name) {
                    out.push((i, role, name));
                }
            }
        }
    }
    out
}

/// One finding per variable the configuration reads whose deployment value is not established: missing from
/// the deployment's list (`config.env_missing`), known only from `.env.local` (`config.env_unverified`), or not
/// known at all (`config.env_unresolved`).
fn variable_findings(
    config: &AuthConfig,
    values: &Values,
    env_list: bool,
    local: &[(String, String)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (index, role, name) in variables_read(config) {
        let n = index + 1;
        let in_local = local.iter().any(|(l, _)| l == name);
        match values.source(name) {
            Some(Source::BuiltIn | Source::EnvList | Source::Flag) => {}
            _ if BUILT_IN.contains(&name) => {
                out.push(env_unresolved(name, role, index, None));
            }
            _ if env_list => {
                let local_value = local
                    .iter()
                    .find(|(l, _)| l == name)
                    .map(|(_, v)| v.as_str());
                let mut f = Finding::new(
                    Code::ConfigEnvMissing,
                    format!(
                        "process.env.{name} ({role} of provider {n}) is not set on the deployment{}: the backend refuses the push (AuthConfigMissingEnvironmentVariable), even with a fallback in the code, and keeps its previous auth configuration.",
                        if in_local { " — only in .env.local, which the deployment never reads" } else { "" }
                    ),
                )
                .with("env", name)
                .with("role", role)
                .with("provider", n)
                .with("in_env_local", in_local);
                if let Some(v) = local_value.filter(|_| !is_secret_name(name)) {
                    f = f.with("env_local_value", v);
                }
                out.push(f);
            }
            Some(Source::EnvLocal) => out.push(
                Finding::new(
                    Code::ConfigEnvUnverified,
                    format!("process.env.{name} ({role} of provider {n}) was taken from .env.local; the deployment uses its own value, which may differ or be missing."),
                )
                .with("env", name)
                .with("role", role)
                .with("provider", n),
            ),
            None => out.push(env_unresolved(name, role, index, None).with("in_env_local", false)),
        }
    }
    out
}

/// The three steps without traffic: steps 1 and 2 say what to capture; step 3 fails or warns on the findings,
/// and otherwise stays unknown, since only a token shows whether the configuration matches it.
fn steps(findings: &[Finding]) -> Vec<StepVerdict> {
    let worst = findings
        .iter()
        .filter(|f| f.step == 3)
        .map(|f| f.severity)
        .max();
    let step3 = match worst {
        Some(Severity::Fail) => StepVerdict {
            step: 3,
            status: Status::Fail,
            summary: "auth.config.ts as the deployment would read it has a mistake that refuses tokens (below).".to_owned(),
        },
        Some(Severity::Warn) => StepVerdict {
            step: 3,
            status: Status::Warn,
            summary: "auth.config.ts reads, with warnings (below); whether it matches the token needs a token: `convex-auth-doctor token - --config <auth.config.ts>`.".to_owned(),
        },
        _ => StepVerdict {
            step: 3,
            status: Status::Unknown,
            summary: "auth.config.ts reads without a known mistake; whether it matches the token needs a token: `convex-auth-doctor token - --config <auth.config.ts>`.".to_owned(),
        },
    };
    vec![
        StepVerdict {
            step: 1,
            status: Status::Unknown,
            summary: "Not judged without traffic: open the app with DevTools and the Convex Auth panel, sign in, and read the panel; or export a HAR file and run `convex-auth-doctor har FILE`.".to_owned(),
        },
        StepVerdict {
            step: 2,
            status: Status::Unknown,
            summary: "No token checked: capture the app signing in (the panel, or `convex-auth-doctor har FILE`), or paste a token into `convex-auth-doctor token -`.".to_owned(),
        },
        step3,
    ]
}

/// Values of secret-named variables, redacted wherever a report text might quote them.
fn secrets(local: &[(String, String)], list: Option<&[(String, String)]>) -> Secrets {
    let mut s = Secrets::default();
    for (name, value) in local.iter().chain(list.into_iter().flatten()) {
        if is_secret_name(name) {
            s.add_secret(value);
        }
    }
    s
}
