//! The command line as a pure function (`convex_auth_doctor::command`), with a host made of memory: what the binary
//! and the npm wrapper both run. `tests/npm/` compares the two hosts byte for byte; this file holds the command's
//! own contract: no I/O but the host's, unusable input as one line and exit 2, and `--fetch` in rounds.

use std::collections::HashMap;

use convex_auth_doctor::command::{self, Fetched, Host, HostError, Run, Source};
use serde_json::Value;

/// Files and stdin in memory; fetches answered from a map (or never, for the round-based form).
#[derive(Default)]
struct Memory {
    files: HashMap<String, Vec<u8>>,
    stdin: Vec<u8>,
    documents: HashMap<String, Fetched>,
    fetched: Vec<String>,
}

struct Bytes(Vec<u8>, usize);

impl Source for Bytes {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        let n = buf.len().min(self.0.len() - self.1);
        buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
        self.1 += n;
        Ok(n)
    }
}

impl Host for Memory {
    fn open(&mut self, path: &str) -> Result<Box<dyn Source + '_>, HostError> {
        match self.files.get(path) {
            Some(data) => Ok(Box::new(Bytes(data.clone(), 0))),
            None => Err(HostError {
                errno: Some(2),
                text: "gone".into(),
            }),
        }
    }
    fn stdin(&mut self) -> Box<dyn Source + '_> {
        Box::new(Bytes(self.stdin.clone(), 0))
    }
    fn now(&mut self) -> f64 {
        1764180000.0
    }
    fn real_path(&mut self, _path: &str) -> Option<String> {
        None
    }
    fn is_file(&mut self, path: &str) -> bool {
        self.files.contains_key(path)
    }
    fn fetch(&mut self, url: &str) -> Option<Result<Fetched, String>> {
        self.fetched.push(url.to_owned());
        Some(
            self.documents
                .get(url)
                .cloned()
                .ok_or_else(|| format!("no route to {url}")),
        )
    }
}

fn fixtures() -> Value {
    serde_json::from_str(include_str!("fixtures/tokens.json")).expect("fixture JSON")
}

fn token(name: &str) -> String {
    fixtures()["tokens"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .and_then(|t| t["token"].as_str())
        .expect("fixture token")
        .to_owned()
}

/// The fixture JWKS's RSA key, as a document served with a JSON content type.
fn rsa_jwks() -> Fetched {
    let mut jwks = fixtures()["jwks"].clone();
    jwks["keys"]
        .as_array_mut()
        .expect("keys")
        .retain(|k| k["kty"] == "RSA");
    Fetched {
        status: 200,
        content_type: Some("application/json".into()),
        body: jwks.to_string(),
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn codes(stdout: &str) -> Vec<String> {
    let report: Value = serde_json::from_str(stdout).expect("a JSON report");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn unusable_input_is_one_line_and_exit_2_whatever_the_host() {
    let mut host = Memory {
        stdin: vec![b'a'; 1024 * 1024 + 1],
        ..Memory::default()
    };
    let out = command::run(&args(&["token", "-"]), &mut host);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "convex-auth-doctor: stdin is longer than 1048576 bytes: not judged\n"
    );
    assert!(out.stdout.is_empty());
    // The host's OS error number is worded by the command, the same on every host.
    let out = command::run(&args(&["har", "x.har"]), &mut Memory::default());
    assert_eq!(
        out.stderr,
        "convex-auth-doctor: cannot open x.har: No such file or directory (os error 2)\n"
    );
}

#[test]
fn fetch_runs_in_rounds_and_ends_as_the_blocking_host_ends() {
    let config = "export default { providers: [{ type: 'customJwt', issuer: 'https://doctor-fixture.example.com', \
                  jwks: 'https://keys.example/jwks.json', algorithm: 'RS256', applicationID: 'convex' }] };";
    let argv = args(&[
        "token",
        &token("rs256_valid"),
        "--now",
        "1764180000",
        "--config",
        "auth.config.ts",
        "--fetch",
        "--format",
        "json",
    ]);
    let files = HashMap::from([("auth.config.ts".to_owned(), config.as_bytes().to_vec())]);
    // Round-based: the host is asked nothing; the run names the document it needs.
    let mut host = Memory {
        files: files.clone(),
        ..Memory::default()
    };
    let Ok(mut run) = Run::start(&argv, &mut host) else {
        panic!("the run starts")
    };
    assert_eq!(
        run.need().as_deref(),
        Some("https://keys.example/jwks.json")
    );
    run.provide("https://keys.example/jwks.json", Ok(rsa_jwks()));
    assert_eq!(run.need(), None, "nothing more once the JWKS is given");
    let rounds = run.finish();
    assert!(host.fetched.is_empty());
    assert_eq!(rounds.code, 0, "{}", rounds.stdout);
    assert!(codes(&rounds.stdout).contains(&"signature.valid".to_owned()));
    // Blocking: the same output, the same single fetch.
    let mut host = Memory {
        files,
        documents: HashMap::from([("https://keys.example/jwks.json".to_owned(), rsa_jwks())]),
        ..Memory::default()
    };
    let blocking = command::run(&argv, &mut host);
    assert_eq!(blocking, rounds);
    assert_eq!(host.fetched, ["https://keys.example/jwks.json"]);
}

#[test]
fn the_oidc_path_needs_discovery_then_the_keys_it_names() {
    let argv = args(&[
        "token",
        &token("rs256_valid"),
        "--now",
        "1764180000",
        "--fetch",
        "--format",
        "json",
    ]);
    let Ok(mut run) = Run::start(&argv, &mut Memory::default()) else {
        panic!("the run starts")
    };
    let discovery = run.need().expect("discovery first");
    assert_eq!(
        discovery,
        "https://doctor-fixture.example.com/.well-known/openid-configuration"
    );
    run.provide(
        &discovery,
        Ok(Fetched {
            status: 200,
            content_type: Some("application/json".into()),
            body: r#"{"issuer":"https://doctor-fixture.example.com","jwks_uri":"https://doctor-fixture.example.com/keys"}"#.into(),
        }),
    );
    assert_eq!(
        run.need().as_deref(),
        Some("https://doctor-fixture.example.com/keys")
    );
    run.provide(
        "https://doctor-fixture.example.com/keys",
        Err("connection refused".into()),
    );
    assert_eq!(run.need(), None);
    let out = run.finish();
    assert!(
        codes(&out.stdout).contains(&"jwks.unreachable".to_owned()),
        "{}",
        out.stdout
    );
}
