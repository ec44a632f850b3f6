//! The documented `convex/auth.config.ts` of each auth library Convex documents (Clerk, Auth0, WorkOS AuthKit,
//! Convex Auth, Better Auth, custom JWT), with a token of the shape that library really mints
//! (`fixtures/libraries/mint.mjs`: Convex Auth's and Better Auth's own code signs theirs), judged by the command
//! line as a user runs it. What each should say is a judgement from the backend's rules: the provider the
//! backend would select, the signature against the published keys, and never a pass on a value not known.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libraries")
}

fn library(name: &str) -> Value {
    let all: Value =
        serde_json::from_str(include_str!("fixtures/libraries/tokens.json")).expect("fixture JSON");
    all["libraries"][name].clone()
}

/// A scratch directory of this test process, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("cad-libraries-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        Scratch(p)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: Option<i32>,
    report: Value,
    stderr: String,
}

impl Run {
    fn step(&self, n: u64) -> &str {
        self.report["steps"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["step"] == n))
            .and_then(|s| s["status"].as_str())
            .unwrap_or("missing")
    }
    fn summary(&self, n: u64) -> String {
        self.report["steps"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["step"] == n))
            .and_then(|s| s["summary"].as_str())
            .unwrap_or_default()
            .to_owned()
    }
    fn finding(&self, code: &str) -> Option<&Value> {
        self.report["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["code"] == code))
    }
    fn codes(&self) -> Vec<String> {
        self.report["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|f| f["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Runs `token` for library `name` with its documented config, `env` pairs and extra arguments.
fn judge(name: &str, env: &[(&str, &str)], extra: &[&str]) -> Run {
    let lib = library(name);
    let config = dir().join(lib["config"].as_str().expect("config name"));
    let now = lib["now"].as_u64().expect("now").to_string();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"));
    cmd.args(["token", "-", "--format", "json", "--now", &now, "--config"])
        .arg(&config);
    for (k, v) in env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.args(extra);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(lib["token"].as_str().expect("token").as_bytes());
    }
    let out = child.wait_with_output().expect("the binary finishes");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    Run {
        code: out.status.code(),
        report,
        stderr,
    }
}

/// The library's documented environment values, as `--env` pairs.
fn env_of(name: &str) -> Vec<(String, String)> {
    library(name)["env"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn judge_with_env(name: &str, extra: &[&str]) -> Run {
    let env = env_of(name);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    judge(name, &pairs, extra)
}

fn jwks_file(scratch: &Scratch, name: &str) -> String {
    scratch
        .write(
            &format!("{name}.jwks.json"),
            &library(name)["jwks"].to_string(),
        )
        .display()
        .to_string()
}

#[test]
fn every_documented_config_matches_its_librarys_token_and_the_signature_verifies() {
    let scratch = Scratch::new("match");
    for name in [
        "clerk",
        "auth0",
        "workos",
        "convex-auth",
        "better-auth",
        "custom-jwt",
    ] {
        let jwks = jwks_file(&scratch, name);
        let run = judge_with_env(name, &["--jwks", &jwks]);
        assert_eq!(run.code, Some(0), "{name}: {}\n{}", run.stderr, run.report);
        // WorkOS's documented user-management provider has no applicationID: matched, with the warning that
        // any token of that issuer is accepted.
        let step3 = if name == "workos" { "warn" } else { "pass" };
        assert_eq!(run.step(3), step3, "{name}: {}", run.summary(3));
        assert!(
            run.finding("config.matched").is_some(),
            "{name}: {:?}",
            run.codes()
        );
        assert!(
            run.finding("signature.valid").is_some(),
            "{name}: {:?}",
            run.codes()
        );
        assert!(run.finding("config.env_unresolved").is_none(), "{name}");
        // WorkOS access tokens carry no `aud`: step 2 says so without failing.
        let step2 = if name == "workos" { "warn" } else { "pass" };
        assert_eq!(run.step(2), step2, "{name}: {}", run.summary(2));
    }
}

#[test]
fn better_auths_helper_is_the_custom_jwt_provider_its_source_returns() {
    let run = judge_with_env("better-auth", &[]);
    let matched = run.finding("config.matched").expect("matched");
    let provider = &matched["evidence"]["provider"];
    assert_eq!(provider["type"], "customJwt", "{provider}");
    assert_eq!(
        provider["issuer"]["value"], "https://happy-otter-123.convex.site",
        "{provider}"
    );
    assert_eq!(provider["application_id"], "convex", "{provider}");
}

#[test]
fn better_auths_static_jwks_becomes_a_data_url_that_verifies_offline() {
    // `--fetch` reads a data: URL without the network; the keys come from the JWKS variable alone.
    let run = judge_with_env("better-auth-jwks", &["--fetch"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stderr, run.report);
    assert_eq!(run.step(3), "pass", "{}", run.summary(3));
    let valid = run.finding("signature.valid").expect("signature.valid");
    assert!(
        valid.to_string().contains("data: URI"),
        "the keys should come from the config's data: URL: {valid}"
    );
    // The stored key documents carry the (encrypted) private key: the report must not.
    let private = serde_json::from_str::<Value>(
        library("better-auth-jwks")["env"]["JWKS"]
            .as_str()
            .expect("JWKS"),
    )
    .expect("JWKS JSON")[0]["privateKey"]
        .as_str()
        .expect("privateKey")
        .to_owned();
    assert!(!run.report.to_string().contains(&private[..40]));
}

#[test]
fn an_unknown_variable_never_passes_step_3_and_says_what_to_set() {
    // name, the variable the documented config reads, the value the token needs it to have
    let cases = [
        (
            "clerk",
            "CLERK_JWT_ISSUER_DOMAIN",
            "https://happy-cat-12.clerk.accounts.dev",
        ),
        (
            "auth0",
            "AUTH0_DOMAIN",
            "https://doctor-fixture.us.auth0.com",
        ),
        ("workos", "WORKOS_CLIENT_ID", "client_01DOCTORFIXTURE"),
        (
            "convex-auth",
            "CONVEX_SITE_URL",
            "https://happy-otter-123.convex.site",
        ),
        (
            "better-auth",
            "CONVEX_SITE_URL",
            "https://happy-otter-123.convex.site",
        ),
    ];
    for (name, var, needed) in cases {
        let run = judge(name, &[], &[]);
        assert_eq!(run.code, Some(0), "{name}: {}", run.stderr);
        assert_eq!(run.step(3), "unknown", "{name}: {}", run.summary(3));
        let summary = run.summary(3);
        assert!(summary.contains(var), "{name}: {summary}");
        assert!(summary.contains(needed), "{name}: {summary}");
        let f = run
            .finding("config.env_unresolved")
            .expect("env_unresolved");
        assert_eq!(f["evidence"]["name"], var, "{name}");
        if var == "CONVEX_SITE_URL" {
            // Built into every deployment: nothing to set there, and never the .env.local mix-up.
            assert!(!summary.contains("npx convex env set"), "{summary}");
            assert_eq!(f["evidence"]["env_local_mixup"], "no");
        } else {
            assert!(
                summary.contains(&format!("npx convex env set {var} {needed}")),
                "{summary}"
            );
            assert!(summary.contains("Environment Variables"), "{summary}");
            assert_eq!(f["evidence"]["env_local_mixup"], "possible");
            assert!(f.to_string().contains(".env.local"), "{f}");
        }
    }
}

#[test]
fn a_wrong_value_in_the_template_is_a_mismatch_not_a_guess() {
    let run = judge(
        "workos",
        &[("WORKOS_CLIENT_ID", "client_01SOMEONEELSE")],
        &[],
    );
    assert_eq!(run.code, Some(1), "{}", run.report);
    assert_eq!(run.step(3), "fail");
    assert!(
        run.finding("config.issuer_mismatch").is_some(),
        "{:?}",
        run.codes()
    );
}

#[test]
fn convex_auth_keys_that_are_not_one_pair_are_named() {
    let scratch = Scratch::new("pair");
    let jwks = jwks_file(&scratch, "convex-auth-key-mismatch");
    let run = judge_with_env("convex-auth-key-mismatch", &["--jwks", &jwks]);
    assert_eq!(run.code, Some(1), "{}", run.report);
    let bad = run.finding("signature.invalid").expect("signature.invalid");
    let text = bad.to_string();
    assert!(
        text.contains("JWT_PRIVATE_KEY") && text.contains("JWKS"),
        "{text}"
    );
    assert!(text.contains("npx @convex-dev/auth"), "{text}");
    // Convex Auth tokens have no `kid`: nothing may say the token has one.
    assert!(!text.contains("same kid"), "{text}");
    assert!(!text.contains("token's kid"), "{text}");
}

#[test]
fn an_issuer_of_undefined_names_the_unset_variable() {
    let run = judge_with_env("better-auth-unset-issuer", &[]);
    assert_eq!(run.code, Some(1), "{}", run.report);
    let f = run
        .finding("config.issuer_mismatch")
        .expect("issuer_mismatch");
    let first_cause = f["causes"][0].as_str().unwrap_or_default();
    assert!(
        first_cause.contains("`undefined`") && first_cause.contains("CONVEX_SITE_URL"),
        "{f}"
    );
}

#[test]
fn a_convex_auth_token_under_better_auths_custom_jwt_provider_lacks_a_kid() {
    // Convex Auth's token (no `kid`) judged against Better Auth's helper (customJwt, which requires one).
    let lib = library("convex-auth");
    let now = lib["now"].as_u64().expect("now").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .args([
            "token",
            lib["token"].as_str().expect("token"),
            "--format",
            "json",
        ])
        .args(["--now", &now, "--config"])
        .arg(dir().join("better-auth.auth.config.ts"))
        .args([
            "--env",
            "CONVEX_SITE_URL=https://happy-otter-123.convex.site",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.to_string().contains("config.kid_missing"),
        "{report}"
    );
}

#[test]
fn the_cli_follows_relative_imports_inside_the_project_only() {
    let scratch = Scratch::new("imports");
    scratch.write("app/package.json", "{}");
    scratch.write(
        "app/convex/constants.ts",
        "export const CLERK_DOMAIN = `https://${process.env.CLERK_SLUG}.clerk.accounts.dev`;\n",
    );
    let config = scratch.write(
        "app/convex/auth.config.ts",
        "import { CLERK_DOMAIN } from \"./constants\";\nexport default { providers: [{ domain: CLERK_DOMAIN, applicationID: \"convex\" }] };\n",
    );
    scratch.write(
        "secret.ts",
        "export const D = \"https://happy-cat-12.clerk.accounts.dev\";\n",
    );
    let outside = scratch.write(
        "app/convex/outside.config.ts",
        "import { D } from \"../../secret\";\nexport default { providers: [{ domain: D, applicationID: \"convex\" }] };\n",
    );
    let lib = library("clerk");
    let token = lib["token"].as_str().expect("token");
    let now = lib["now"].as_u64().expect("now").to_string();
    let run = |config: &Path, env: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"));
        cmd.args([
            "token", token, "--format", "json", "--now", &now, "--config",
        ])
        .arg(config);
        for e in env {
            cmd.args(["--env", e]);
        }
        cmd.stdin(Stdio::null()).output().expect("runs")
    };
    let inside = run(&config, &["CLERK_SLUG=happy-cat-12"]);
    let report: Value = serde_json::from_slice(&inside.stdout).expect("json");
    assert_eq!(inside.status.code(), Some(0), "{report}");
    assert!(report.to_string().contains("config.matched"), "{report}");
    // Without the variable the imported template's variable is what is missing.
    let unknown = run(&config, &[]);
    let report: Value = serde_json::from_slice(&unknown.stdout).expect("json");
    assert!(report.to_string().contains("CLERK_SLUG"), "{report}");
    assert!(report.to_string().contains("happy-cat-12"), "{report}");

    let refused = run(&outside, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("outside the project directory"), "{err}");
    assert!(err.contains("`D`"), "{err}");
}

#[test]
fn an_unknown_variable_with_the_servers_refusal_fails_step_3_on_the_servers_word() {
    // A real Chrome capture where the deployment answered "No auth provider found…", judged with the Clerk
    // config and no value for the variable it reads: the server has decided step 3, the variable is where to look.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let out = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .arg("har")
        .arg(fixtures.join("har/chrome-issuer-other-clerk.har"))
        .args(["--format", "json", "--config"])
        .arg(dir().join("clerk.auth.config.ts"))
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let run = Run {
        code: out.status.code(),
        report,
        stderr: String::new(),
    };
    assert_eq!(run.code, Some(1), "{}", run.report);
    assert_eq!(run.step(3), "fail", "{}", run.summary(3));
    let no_match = run.finding("config.no_match").expect("config.no_match");
    assert!(
        no_match.to_string().contains("CLERK_JWT_ISSUER_DOMAIN"),
        "{no_match}"
    );
    assert!(run.finding("config.env_unresolved").is_some());
}

#[test]
fn an_issuer_of_null_names_the_unset_variable_too() {
    // A Better Auth-shaped token (kid, sessionId) whose iss is JSON null, as a serialiser writes an unset value.
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = serde_json::json!({"alg": "RS256", "kid": "jwk1doctorfixture"});
    let payload = serde_json::json!({"iss": null, "aud": "convex", "sub": "user1", "sessionId": "s1", "iat": 1795946519, "exp": 1795947419});
    let token = format!("{}.{}.{}", b64(&header), b64(&payload), "A".repeat(342));
    let out = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .args([
            "token",
            &token,
            "--format",
            "json",
            "--now",
            "1795946600",
            "--config",
        ])
        .arg(dir().join("better-auth.auth.config.ts"))
        .args([
            "--env",
            "CONVEX_SITE_URL=https://happy-otter-123.convex.site",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let missing = report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "token.claim_missing"))
        .expect("token.claim_missing");
    let first = missing["causes"][0].as_str().unwrap_or_default();
    assert!(
        first.contains("`null`") && first.contains("CONVEX_SITE_URL"),
        "{missing}"
    );
}
