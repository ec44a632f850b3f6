//! `convex-auth-doctor check` run as a user runs it, in the fixture projects of `fixtures/projects/`: exit
//! statuses, the findings each project's mistake calls for, the deployment's env list from stdin, every format,
//! secrets of `.env.local` and of the env list never printed, and hostile project files refused with exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
}

fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/projects")
        .join(name)
}

/// Runs the binary in `dir` (its working directory) with `args`, feeding `stdin`.
fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut s) = child.stdin.take() {
        let _ = s.write_all(stdin);
    }
    child.wait_with_output().expect("the binary finishes")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("a JSON report on stdout")
}

/// `(code, severity)` of every finding.
fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn finding<'r>(report: &'r Value, code: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

/// What no output may ever hold: the fixtures' secret values.
const SECRETS: &[&str] = &[
    "FAKEsecretVALUEforDoctorTests",
    "FAKEPRIVATEKEYFORDOCTORTESTS",
    "FAKEauth0SECRETforDoctorTests",
    "FAKEwebhookSECRETforDoctorTests",
];

fn assert_no_secret(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        for s in SECRETS {
            assert!(!text.contains(s), "a secret value was printed: {s}\n{text}");
        }
    }
}

#[test]
fn a_clerk_publishable_key_is_a_warning_from_env_local_and_a_failure_on_the_deployment() {
    let dir = project("clerk-publishable-key");
    // Run inside the project, as a user would: no DIR argument.
    let out = run_in(&dir, &["check", "--format", "json"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_secret(&out);
    let report = json(&out);
    let f = finding(&report, "config.publishable_key");
    assert_eq!(f["severity"], "warn");
    // The key's payload decodes to the Frontend API host: the domain to use.
    assert_eq!(
        f["evidence"]["suggested"],
        "https://happy-cat-12.clerk.accounts.dev"
    );
    assert!(findings(&report).contains(&("config.env_unverified".into(), "info".into())));
    let dep = finding(&report, "project.deployment");
    assert_eq!(dep["evidence"]["deployment"], "happy-otter-123");
    assert!(dep["message"]
        .as_str()
        .is_some_and(|m| m.contains("npx convex env list")));

    // The deployment's own list has the key too: now it is the deployment's mistake.
    let list = std::fs::read(dir.join("env-list.txt")).expect("env list");
    let out = run_in(
        &dir,
        &["check", "--env-list", "-", "--format", "json"],
        &list,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out);
    let report = json(&out);
    let f = finding(&report, "config.publishable_key");
    assert_eq!(f["severity"], "fail");
    assert_eq!(report["cause_step"], 3);
    let fix = f["fix"]["command"].as_str().expect("a command");
    assert_eq!(
        fix,
        "npx convex env set CLERK_JWT_ISSUER_DOMAIN 'https://happy-cat-12.clerk.accounts.dev' --deployment happy-otter-123"
    );
    assert!(report["verdict"]
        .as_str()
        .is_some_and(|v| v.starts_with("Step 3 breaks")));
}

#[test]
fn convex_auth_with_a_convex_cloud_domain_fails_and_names_the_site_url() {
    let dir = project("convex-auth-cloud");
    let out = run_in(&dir, &["check"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL config.convex_cloud_domain"), "{text}");
    assert!(
        text.contains("https://happy-otter-123.convex.site"),
        "{text}"
    );
    assert!(text.contains("process.env.CONVEX_SITE_URL"), "{text}");
    assert!(out.stderr.is_empty());
}

#[test]
fn a_variable_only_in_env_local_is_missing_on_the_deployment_given_on_stdin() {
    let dir = project("env-list");
    let list = std::fs::read(dir.join("env-list.txt")).expect("env list");
    let out = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "check",
            "--project",
            dir.to_str().expect("path"),
            "--env-list",
            "-",
            "--format",
            "json",
        ],
        &list,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out);
    let report = json(&out);
    let f = finding(&report, "config.env_missing");
    assert_eq!(f["severity"], "fail");
    assert_eq!(f["evidence"]["env"], "AUTH0_DOMAIN");
    assert_eq!(f["evidence"]["in_env_local"], true);
    assert_eq!(
        f["fix"]["command"],
        "npx convex env set AUTH0_DOMAIN 'https://dev-doctor.us.auth0.com' --deployment quiet-fox-456"
    );
    // The variable the list has is not reported missing; the secret it also holds is never shown.
    assert!(!report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["code"] == "config.env_missing" && f["evidence"]["env"] == "AUTH0_CLIENT_ID"));

    // With the whole list, nothing fails: the trailing slash is harmless, and said so.
    let complete = dir.join("env-list-complete.txt");
    let out = run_in(
        &dir,
        &[
            "check",
            "--env-list",
            complete.to_str().expect("path"),
            "--format",
            "json",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_no_secret(&out);
    let report = json(&out);
    assert_eq!(
        finding(&report, "config.value_decorated")["severity"],
        "info"
    );
    assert!(findings(&report)
        .iter()
        .all(|(_, s)| s != "fail" && s != "warn"));
    // Without a token step 3 cannot pass: it stays unknown.
    assert_eq!(report["steps"][2]["status"], "unknown");

    // Without the list: the .env.local value is used, flagged as not the deployment's; the other is unresolved.
    let out = run_in(&dir, &["check", "--format", "json"], b"");
    assert_eq!(out.status.code(), Some(0));
    let codes: Vec<String> = findings(&json(&out)).into_iter().map(|(c, _)| c).collect();
    assert!(
        codes.contains(&"config.env_unverified".to_owned()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"config.env_unresolved".to_owned()),
        "{codes:?}"
    );
}

#[test]
fn no_auth_config_fails_and_convex_json_moves_the_functions_directory() {
    let out = run_in(
        &project("no-auth-config"),
        &["check", "--format", "markdown"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("`project.no_auth_config`"), "{md}");

    let out = run_in(&project("convex-json"), &["check", "--format", "json"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let p = finding(&report, "config.provider");
    // The domain comes from the constants file auth.config.ts imports, under src/backend/.
    assert_eq!(p["evidence"]["domain"], "https://clerk.example.com");
    assert_eq!(
        finding(&report, "project.deployment")["evidence"]["functions_dir"],
        "src/backend/"
    );
}

/// A scratch project under the target directory (inside the clone), rebuilt for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("convex")).expect("scratch dir");
    std::fs::write(
        dir.join("convex/auth.config.ts"),
        "export default { providers: [{ domain: \"https://clerk.example.com\", applicationID: \"convex\" }] };\n",
    )
    .expect("config");
    dir
}

/// Exit 2, one line on stderr naming the problem, nothing on stdout.
fn assert_refused(out: &Output, words: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(words), "{err}");
}

#[test]
fn hostile_project_files_exit_2_with_one_clear_line() {
    let dir = scratch("binary-env");
    std::fs::write(dir.join(".env.local"), b"CONVEX_DEPLOYMENT=dev:a\0\xff\xfe").expect("write");
    assert_refused(&run_in(&dir, &["check"], b""), ".env.local");

    let dir = scratch("huge-env");
    std::fs::write(dir.join(".env.local"), "A=1\n".repeat(100_000)).expect("write");
    assert_refused(&run_in(&dir, &["check"], b""), ".env.local is larger than");

    let dir = scratch("huge-stdin");
    let out = run_in(
        &dir,
        &["check", "--env-list", "-"],
        "A=1\n".repeat(100_000).as_bytes(),
    );
    assert_refused(&out, "stdin is longer than");

    let dir = scratch("not-a-list");
    let out = run_in(&dir, &["check", "--env-list", "-"], b"{\"json\": true}");
    assert_refused(&out, "npx convex env list");

    #[cfg(unix)]
    {
        let dir = scratch("loop");
        std::os::unix::fs::symlink("loop-b", dir.join("loop-a")).expect("symlink");
        std::os::unix::fs::symlink("loop-a", dir.join("loop-b")).expect("symlink");
        std::fs::remove_file(dir.join("convex/auth.config.ts")).expect("rm");
        std::os::unix::fs::symlink("../loop-a", dir.join("convex/auth.config.ts"))
            .expect("symlink");
        assert_refused(&run_in(&dir, &["check"], b""), "auth.config.ts");

        let dir = scratch("outside");
        std::os::unix::fs::symlink("/etc/hostname", dir.join(".env.local")).expect("symlink");
        assert_refused(&run_in(&dir, &["check"], b""), "outside the project");
    }

    // Terminal escapes and bidi overrides in a value the config reads are shown escaped, never raw.
    let dir = scratch("escapes");
    std::fs::write(
        dir.join("convex/auth.config.ts"),
        "export default { providers: [{ domain: process.env.ISSUER, applicationID: \"convex\" }] };\n",
    )
    .expect("config");
    std::fs::write(
        dir.join(".env.local"),
        "ISSUER=https://x.example.com\u{1b}[2J\u{202e}\n",
    )
    .expect("write");
    for format in ["text", "markdown", "json"] {
        let out = run_in(&dir, &["check", "--format", format], b"");
        assert_ne!(out.status.code(), Some(2));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{format}: {text}"
        );
        assert!(text.contains("x.example.com"), "{format}");
    }

    let dir = scratch("both");
    std::fs::write(
        dir.join("convex/auth.config.js"),
        "module.exports = { providers: [] };",
    )
    .expect("js");
    assert_refused(&run_in(&dir, &["check"], b""), "keep one");

    let dir = scratch("unreadable-config");
    std::fs::write(
        dir.join("convex/auth.config.ts"),
        "export default makeConfig();",
    )
    .expect("ts");
    assert_refused(
        &run_in(&dir, &["check"], b""),
        "cannot read convex/auth.config.ts",
    );

    let dir = scratch("not-a-project");
    std::fs::remove_dir_all(dir.join("convex")).expect("rm");
    assert_refused(&run_in(&dir, &["check"], b""), "not a Convex project");

    let dir = scratch("options");
    assert_refused(
        &run_in(&dir, &["check", "--now", "1"], b""),
        "belong to `token`",
    );
    assert_refused(
        &run_in(&dir, &["token", "x", "--env-list", "-"], b""),
        "belong to `check`",
    );
    assert_refused(
        &run_in(&dir, &["check", "a", "--project", "b"], b""),
        "once",
    );
}
