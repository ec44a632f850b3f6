//! The command-line tool as a user runs it: arguments, exit statuses, formats, and the real Chrome captures that
//! the extension's end-to-end runs saved (`fixtures/har/chrome-<scenario>.har`, made through `getHAR()`), judged
//! against what `tests/scenarios.json` says the doctor should say.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    child.wait_with_output().expect("the binary finishes")
}

fn fixture_token(name: &str) -> String {
    let v: Value =
        serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixture JSON");
    v["tokens"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .and_then(|t| t["token"].as_str())
        .unwrap_or_else(|| panic!("no fixture token {name}"))
        .to_owned()
}

const SENT_AT: &str = "1764180000";

#[test]
fn a_valid_token_exits_0_and_an_expired_one_exits_1() {
    let ok = run(&["token", &fixture_token("rs256_valid"), "--now", SENT_AT]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let expired = run(&["token", &fixture_token("rs256_expired"), "--now", SENT_AT]);
    assert_eq!(expired.status.code(), Some(1));
    let text = String::from_utf8_lossy(&expired.stdout);
    assert!(text.contains("token.expired"), "{text}");
    assert!(text.contains("3 min 12 s"), "{text}");
}

#[test]
fn a_token_from_stdin_with_bearer_and_quotes() {
    let input = format!("  \"Bearer {}\"\n", fixture_token("rs256_valid"));
    let out = run_stdin(
        &["token", "-", "--now", SENT_AT, "--format", "json"],
        input.as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["tokens"][0]["source"], "input");
    assert_eq!(report["tokens"][0]["signature"], "<redacted>");
}

#[test]
fn json_report_follows_the_spec_and_never_holds_the_token() {
    let token = fixture_token("rs256_valid");
    let out = run(&["token", &token, "--now", SENT_AT, "--format", "json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text).expect("JSON report");
    for key in [
        "doctor",
        "steps",
        "cause_step",
        "findings",
        "tokens",
        "deployments",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    assert_eq!(report["steps"].as_array().map(Vec::len), Some(3));
    let signature = token.rsplit('.').next().unwrap_or_default();
    assert!(!text.contains(signature), "the signature is redacted");
    assert!(!text.contains(&token));
}

#[test]
fn markdown_is_redacted_and_keeps_markup_inert() {
    let token = fixture_token("rs256_valid");
    let out = run(&["token", &token, "--now", SENT_AT, "--format", "markdown"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("### Convex Auth Doctor"), "{text}");
    assert!(!text.contains(token.rsplit('.').next().unwrap_or_default()));
    // A hostile capture from the end-to-end runs: claims full of markup must not come out as live HTML.
    let har = fixtures().join("har/chrome-hostile.har");
    if har.exists() {
        let out = run(&[
            "har",
            har.to_str().unwrap_or_default(),
            "--format",
            "markdown",
        ]);
        let md = String::from_utf8_lossy(&out.stdout);
        assert!(md.contains("script"), "the hostile claims are shown: {md}");
        // Markup may appear only inside code spans, where renderers show it as text.
        for line in md.lines() {
            let outside: String = line.split('`').step_by(2).collect();
            assert!(!outside.contains('<'), "markup outside a code span: {line}");
        }
    }
}

#[test]
fn the_config_and_env_options_settle_step_3() {
    let dir = std::env::temp_dir().join(format!("cad-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("auth.config.ts");
    std::fs::write(
        &config,
        "export default {\n  providers: [\n    { domain: process.env.ISSUER, applicationID: 'convex' },\n  ],\n};\n",
    )
    .expect("write config");
    let config = config.to_str().unwrap_or_default();
    let token = fixture_token("rs256_valid");
    let matched = run(&[
        "token",
        &token,
        "--now",
        SENT_AT,
        "--config",
        config,
        "--env",
        "ISSUER=https://doctor-fixture.example.com/",
    ]);
    assert!(String::from_utf8_lossy(&matched.stdout).contains("config.matched"));
    let mismatch = run(&[
        "token",
        &token,
        "--now",
        SENT_AT,
        "--config",
        config,
        "--env",
        "ISSUER=https://other.example.com",
    ]);
    assert_eq!(mismatch.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&mismatch.stdout).contains("config.issuer_mismatch"));
    let unresolved = run(&["token", &token, "--now", SENT_AT, "--config", config]);
    assert!(String::from_utf8_lossy(&unresolved.stdout).contains("config.env_unresolved"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unusable_input_exits_2_with_one_clear_line_and_no_report() {
    for args in [
        vec![],
        vec!["token"],
        vec!["frobnicate", "x"],
        vec!["token", "x", "--format", "yaml"],
        vec!["token", "x", "--now", "soon"],
        vec!["token", "x", "--env", "NOEQUALS"],
        vec!["har", "/nonexistent/file.har"],
        vec!["token", "x", "--config", "/nonexistent/auth.config.ts"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed a report");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("convex-auth-doctor: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let garbage = run_stdin(&["har", "-"], &[0xff, 0x00, 0x13, 0x37]);
    assert_eq!(garbage.status.code(), Some(2));
    let truncated = run_stdin(&["har", "-"], b"{\"log\":{\"entries\":[{\"request\":");
    assert_eq!(truncated.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&truncated.stderr).contains("panicked"));
}

/// Codes that need the issuer's keys: a HAR alone cannot show them (the panel fetches keys; the CLI needs --fetch
/// or --jwks).
fn needs_keys(code: &str) -> bool {
    code.starts_with("signature.") || code.starts_with("jwks.") || code.starts_with("discovery.")
}

#[test]
fn real_chrome_captures_give_each_scenarios_verdict() {
    let scenarios_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios.json");
    let scenarios: Value = serde_json::from_str(
        &std::fs::read_to_string(&scenarios_path).expect("tests/scenarios.json"),
    )
    .expect("JSON");
    let mut checked = 0;
    let mut failures = Vec::new();
    for s in scenarios.as_array().into_iter().flatten() {
        let id = s["id"].as_str().unwrap_or_default();
        let har = fixtures().join(format!("har/chrome-{id}.har"));
        if !har.exists() {
            continue;
        }
        checked += 1;
        let out = run(&["har", har.to_str().unwrap_or_default(), "--format", "json"]);
        let report: Value = match serde_json::from_slice(&out.stdout) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!(
                    "{id}: no JSON report ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["code"].as_str())
            .collect();
        let expect = &s["expect"];
        let wanted: Vec<&str> = expect["codes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let keyless = wanted.iter().any(|c| needs_keys(c));
        for code in wanted.iter().filter(|c| !needs_keys(c)) {
            if !codes.contains(code) {
                failures.push(format!("{id}: missing {code}; got {codes:?}"));
            }
        }
        // Without the keys, the verdict of a scenario that rests on them is open; the rest must match exactly.
        if !keyless {
            if report["cause_step"] != expect["cause_step"] {
                failures.push(format!(
                    "{id}: cause_step {} != {}",
                    report["cause_step"], expect["cause_step"]
                ));
            }
            for step in report["steps"].as_array().into_iter().flatten() {
                let n = step["step"].to_string();
                if step["status"] != expect["step_status"][&n] {
                    failures.push(format!(
                        "{id}: step {n} {} != {}",
                        step["status"], expect["step_status"][&n]
                    ));
                }
            }
        }
        let failing = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["severity"] == "fail");
        assert_eq!(
            out.status.code(),
            Some(if failing { 1 } else { 0 }),
            "{id}: exit status"
        );
    }
    assert!(checked >= 30, "only {checked} Chrome captures found");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn jwks_file_verifies_the_signature_offline() {
    let v: Value =
        serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixture JSON");
    let dir = std::env::temp_dir().join(format!("cad-jwks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, v["jwks"].to_string()).expect("write jwks");
    let jwks_path = jwks.to_str().unwrap_or_default();
    let token = fixture_token("rs256_valid");
    let out = run(&[
        "token", &token, "--now", SENT_AT, "--jwks", jwks_path, "--format", "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"signature.valid"), "{codes:?}");

    // The same token with its payload changed by one claim no longer verifies.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = b64.decode(&parts[1]).expect("payload");
    let tampered = String::from_utf8_lossy(&payload).replace("user_2fixture", "user_2attacker");
    parts[1] = b64.encode(tampered);
    let out = run(&[
        "token",
        &parts.join("."),
        "--now",
        SENT_AT,
        "--jwks",
        jwks_path,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature.invalid"));

    // A key set without the token's kid: rotated keys.
    let mut rotated = v["jwks"].clone();
    if let Some(keys) = rotated["keys"].as_array_mut() {
        keys.retain(|k| k["kid"] != "rsa-1");
    }
    std::fs::write(&jwks, rotated.to_string()).expect("write jwks");
    let out = run(&[
        "token", &token, "--now", SENT_AT, "--jwks", jwks_path, "--format", "json",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("jwks.kid_not_found"));

    std::fs::write(&jwks, "{not json").expect("write jwks");
    let out = run(&["token", &token, "--now", SENT_AT, "--jwks", jwks_path]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unusable JWKS file is unusable input"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Serves `responses` (status line + headers, body) one per connection on 127.0.0.1, then stops.
fn serve_documents(
    listener: std::net::TcpListener,
    responses: Vec<(String, String)>,
) -> std::thread::JoinHandle<()> {
    use std::io::{Read, Write};
    listener.set_nonblocking(false).expect("blocking listener");
    std::thread::spawn(move || {
        for (head, body) in responses {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    })
}

/// A token for `iss` (signed by no one: both modes must say so the same way).
fn unsigned_token(iss: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1"});
    let payload = serde_json::json!({"iss": iss, "sub": "user_1", "aud": "convex",
                                     "iat": 1_764_179_940u64, "exp": 1_764_183_600u64});
    format!(
        "{}.{}.{}",
        b64.encode(header.to_string()),
        b64.encode(payload.to_string()),
        b64.encode([9u8; 256])
    )
}

/// What a report says, without where the keys came from (a URL for --fetch, file names offline).
fn verdict(out: &Output) -> Vec<(String, String, String)> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut v: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["step"].to_string(),
            )
        })
        .collect();
    v.push((
        "cause_step".into(),
        report["cause_step"].to_string(),
        String::new(),
    ));
    v
}

/// Item 4 of issue 8: with the discovery document and the JWKS saved, `--discovery FILE --jwks FILE` gives the
/// answer `--fetch` gives on the same documents (issuer equality, jwks_uri, the keys), fully offline.
#[test]
fn saved_discovery_and_jwks_give_the_fetch_answer_offline() {
    let keys: Value =
        serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixture JSON");
    let jwks = keys["jwks"].to_string();
    let dir = std::env::temp_dir().join(format!("cad-discovery-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let json = "200 OK\r\nContent-Type: application/json".to_owned();

    // Three documents: a good one, one naming the issuer with a trailing slash (refused: exact comparison,
    // openidconnect discovery/mod.rs:376-383), one without jwks_uri (not provider metadata).
    for case in ["good", "slash", "no_jwks_uri"] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let doc = match case {
            "good" => serde_json::json!({"issuer": base, "jwks_uri": format!("{base}/jwks")}),
            "slash" => serde_json::json!({"issuer": format!("{base}/"), "jwks_uri": format!("{base}/jwks")}),
            _ => serde_json::json!({"issuer": base}),
        }
        .to_string();
        let mut responses = vec![(json.clone(), doc.clone())];
        if case != "no_jwks_uri" {
            responses.push((json.clone(), jwks.clone()));
        }
        let server = serve_documents(listener, responses);
        let token = unsigned_token(&base);
        let fetched = run(&[
            "token", &token, "--now", SENT_AT, "--fetch", "--format", "json",
        ]);
        let _ = server.join();

        let doc_path = dir.join(format!("{case}-openid-configuration.json"));
        let jwks_path = dir.join("jwks.json");
        std::fs::write(&doc_path, &doc).expect("write doc");
        std::fs::write(&jwks_path, &jwks).expect("write jwks");
        let offline = run(&[
            "token",
            &token,
            "--now",
            SENT_AT,
            "--discovery",
            doc_path.to_str().unwrap_or_default(),
            "--jwks",
            jwks_path.to_str().unwrap_or_default(),
            "--format",
            "json",
        ]);
        assert_eq!(verdict(&offline), verdict(&fetched), "{case}");
        assert_eq!(offline.status.code(), fetched.status.code(), "{case}");
        let codes: Vec<String> = verdict(&offline).into_iter().map(|(c, ..)| c).collect();
        match case {
            // The keys are read: the token's kid is there, its fake signature is not valid.
            "good" => assert!(codes.contains(&"signature.invalid".to_owned()), "{codes:?}"),
            "slash" => assert!(
                codes.contains(&"discovery.issuer_mismatch".to_owned()),
                "{codes:?}"
            ),
            _ => assert!(
                codes.contains(&"auth.discovery_failed".to_owned()),
                "{codes:?}"
            ),
        }
    }

    // --discovery alone checks the document (no keys, no signature verdict); with --fetch it is refused.
    let doc_path = dir.join("alone.json");
    std::fs::write(
        &doc_path,
        serde_json::json!({"issuer": "https://doctor-fixture.example.com/", "jwks_uri": "https://doctor-fixture.example.com/jwks"}).to_string(),
    )
    .expect("write doc");
    let token = fixture_token("rs256_valid");
    let doc_arg = doc_path.to_str().unwrap_or_default();
    let out = run(&[
        "token",
        &token,
        "--now",
        SENT_AT,
        "--discovery",
        doc_arg,
        "--format",
        "json",
    ]);
    let codes: Vec<String> = verdict(&out).into_iter().map(|(c, ..)| c).collect();
    assert!(
        codes.contains(&"discovery.issuer_mismatch".to_owned()),
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|c| c.starts_with("signature.")),
        "{codes:?}"
    );
    let both = run(&["token", &token, "--discovery", doc_arg, "--fetch"]);
    assert_eq!(both.status.code(), Some(2));
    let missing = run(&["token", &token, "--discovery", "/nonexistent/openid.json"]);
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
