//! Hostile text in every output: server texts, `FatalError`s and identity log lines that quote the token; claims,
//! headers, config values and server texts carrying terminal escapes, C1 controls and bidi/format characters;
//! inputs over the size limits; times no calendar shows. Checked in what a user reads: the text, markdown and JSON
//! reports (the JSON is what the wasm session hands the panel), and the command line's exit status and words.

use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::Env;
use convex_auth_doctor::event::{Direction, Event, HttpExchange};
use convex_auth_doctor::findings::Code;
use convex_auth_doctor::redact;
use convex_auth_doctor::render;
use convex_auth_doctor::report::Report;
use serde_json::{json, Value};

const T: f64 = 1_764_180_000.0;
const WS: &str = "wss://happy-otter-123.convex.cloud/api/1.49.0/sync";
const ISS: &str = "https://doctor-fixture.example.com";

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

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWS with these header and payload and a 256-byte signature (an RS256 length; not a valid signature).
fn token_with(header: &Value, payload: &Value) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes()),
        b64(&[0x5a; 256])
    )
}

fn frame(direction: Direction, time: f64, msg: Value) -> Event {
    Event::WsFrame {
        socket: "s1".into(),
        url: WS.into(),
        direction,
        time,
        data: msg.to_string(),
    }
}

fn authenticate(time: f64, token: &str) -> Event {
    frame(
        Direction::Send,
        time,
        json!({"type": "Authenticate", "tokenType": "User", "value": token, "baseVersion": 0}),
    )
}

fn transition_with_logs(time: f64, log_lines: &[&str]) -> Event {
    let ts = "AAAAAAAAAAA=";
    frame(
        Direction::Receive,
        time,
        json!({"type": "Transition",
               "startVersion": {"querySet": 0, "identity": 0, "ts": ts},
               "endVersion": {"querySet": 1, "identity": 0, "ts": ts},
               "modifications": [{"type": "QueryUpdated", "queryId": 0, "value": [], "logLines": log_lines,
                                  "journal": null}]}),
    )
}

fn run(events: Vec<Event>, config: Option<(&str, Env)>) -> Report {
    let mut s = Session::new();
    if let Some((source, env)) = config {
        s.set_config_source(source, &env).expect("config parses");
    }
    for e in events {
        s.push(e);
    }
    s.report()
}

/// Everything a user can read of a report: text, markdown, and the JSON the CLI prints and the panel receives.
fn outputs(r: &Report) -> [(&'static str, String); 3] {
    [
        ("text", render::text(r)),
        ("markdown", render::markdown(r)),
        ("json", serde_json::to_string(r).expect("serialises")),
    ]
}

#[test]
fn server_texts_that_quote_the_token_are_redacted_in_every_output() {
    let token = fixture_token("rs256_valid");
    let signature = token.rsplit('.').next().unwrap_or_default().to_owned();
    // A token this session never sent, quoted by a server text: redacted by its shape alone (and its signature
    // alone, 86 characters of mixed-case base64url, as a signature).
    let stranger = fixture_token("es256_valid");
    let stranger_sig = stranger.rsplit('.').next().unwrap_or_default().to_owned();
    let events = vec![
        authenticate(T, &token),
        transition_with_logs(
            T + 0.1,
            &[&format!(
                "[LOG] 'server identity' {{ tokenIdentifier: '{ISS}|{token}', issuer: '{ISS}', subject: '{token}' }}"
            )],
        ),
        frame(
            Direction::Receive,
            T + 0.2,
            json!({"type": "AuthError", "baseVersion": 0, "authUpdateAttempted": false,
                   "error": format!("Could not verify token {token}: InvalidSignature")}),
        ),
        frame(
            Direction::Receive,
            T + 0.3,
            json!({"type": "FatalError", "error": format!("Bad token \"{stranger}\" and {token}.")}),
        ),
        Event::Http(HttpExchange {
            url: "https://happy-otter-123.convex.cloud/api/query".into(),
            method: "POST".into(),
            time: T + 0.4,
            request_headers: vec![("Authorization".into(), format!("Bearer {token}"))],
            status: 401,
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: Some(
                json!({"code": "InvalidAuthHeader",
                       "message": format!("signature {signature} does not verify (also {stranger_sig})")})
                .to_string(),
            ),
            ..HttpExchange::default()
        }),
    ];
    let r = run(events, None);
    assert!(r.has_failure(), "the refusal is still judged");
    for (name, out) in outputs(&r) {
        for (what, secret) in [
            ("the token", &token),
            ("its signature", &signature),
            ("another token", &stranger),
            ("another token's signature", &stranger_sig),
        ] {
            assert!(
                !out.contains(secret.as_str()),
                "{name} output contains {what}"
            );
        }
        assert!(out.contains("token redacted"), "{name}: no redaction mark");
        assert!(
            out.contains("signature redacted"),
            "{name}: the signature quoted alone is not marked"
        );
        assert!(
            out.contains("does not verify"),
            "{name}: the server's own words around the token are gone:\n{out}"
        );
    }
}

/// The characters that drive a terminal or reorder a line: C0 (ESC, BEL, NUL, CR), DEL, C1 (CSI), bidi
/// overrides/isolates/marks, zero-width and BOM.
const INVISIBLE: &[char] = &[
    '\u{1b}', '\u{7}', '\u{0}', '\r', '\u{7f}', '\u{9b}', '\u{85}', '\u{202e}', '\u{202a}',
    '\u{2066}', '\u{2067}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{feff}',
    '\u{2028}',
];

#[test]
fn controls_and_bidi_characters_are_escaped_in_every_output() {
    let hostile = "x\u{1b}]0;owned\u{7}\u{0}\r\u{7f}\u{9b}2J\u{85}\u{202e}exe.txt\u{202a}\u{2066}a\u{2067}b\u{2069}\u{200e}\u{200f}\u{61c}\u{200b}\u{feff}\u{2028}";
    let token = token_with(
        &json!({"alg": "RS256", "kid": hostile, "typ": "JWT"}),
        &json!({"iss": format!("{ISS}{hostile}"), "sub": hostile, "aud": "convex", "iat": T - 10.0,
                "exp": T + 3600.0, hostile: hostile}),
    );
    let mut env = Env::new();
    env.insert("ISSUER".into(), format!("https://idp.example.com{hostile}"));
    let config = "export default { providers: [{ domain: process.env.ISSUER, applicationID: \"convex\" }] };";
    let events = vec![
        authenticate(T, &token),
        frame(
            Direction::Receive,
            T + 0.2,
            json!({"type": "AuthError", "baseVersion": 0, "authUpdateAttempted": false,
                   "error": format!("No auth provider found matching the given token {hostile}")}),
        ),
    ];
    let r = run(events, Some((config, env)));
    for (name, out) in outputs(&r) {
        for c in INVISIBLE {
            assert!(
                !out.contains(*c),
                "{name} output contains U+{:04X} raw",
                *c as u32
            );
        }
        assert!(out.contains("u{1b}"), "{name}: ESC is not shown escaped");
        assert!(
            out.contains("u{202e}"),
            "{name}: U+202E is not shown escaped"
        );
    }
}

#[test]
fn every_renderer_escapes_even_a_report_that_did_not_come_from_a_session() {
    let mut r = run(vec![], None);
    r.verdict = "owned\u{1b}[2J\u{202e}".into();
    r.deployments = vec!["https://x.convex.cloud\u{9b}1m".into()];
    for (name, out) in [
        ("text", render::text(&r)),
        ("markdown", render::markdown(&r)),
    ] {
        for c in ['\u{1b}', '\u{202e}', '\u{9b}'] {
            assert!(!out.contains(c), "{name} renders U+{:04X} raw", c as u32);
        }
    }
}

#[test]
fn ordinary_dotted_words_are_not_taken_for_tokens() {
    for text in [
        "wss://happy-otter-123.convex.cloud/api/1.49.0/sync",
        "https://example.com.evil.example/path",
        "version 1.49.0.1 of eu-west-1.example.com",
    ] {
        assert_eq!(redact::visible(text), text);
    }
    // An unsigned token (empty signature) and a JWE (five parts) are tokens.
    let unsigned = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(br#"{"sub":"u"}"#));
    assert_eq!(
        redact::visible(&format!("got {unsigned} here")),
        "got [token redacted]. here"
    );
    let jwe = format!("{}.a.b.c.d", b64(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#));
    assert_eq!(redact::visible(&format!("({jwe})")), "([token redacted])");
    // The line feed stays (multi-line server texts); the escape is idempotent.
    let once = redact::visible("a\nb\u{1b}c\u{202e}");
    assert_eq!(once, "a\nb\\u{1b}c\\u{202e}");
    assert_eq!(redact::visible(&once), once);
}

#[test]
fn a_captured_token_over_the_limit_is_not_judged_rather_than_called_cut() {
    let padding = "a".repeat(70 * 1024);
    let token = token_with(
        &json!({"alg": "RS256", "typ": "JWT"}),
        &json!({"iss": ISS, "sub": "u", "aud": "convex", "iat": T, "exp": T + 3600.0, "pad": padding}),
    );
    let r = run(vec![authenticate(T, &token)], None);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::TokenMalformed)
        .expect("the token is not judged");
    assert!(
        f.message.contains(&format!(
            "{} bytes, longer than 65536 bytes: not judged",
            token.len()
        )),
        "{}",
        f.message
    );
    assert_eq!(f.evidence.get("truncated"), None, "nothing says it was cut");
    assert!(!f.message.contains("cut") && !f.message.contains("truncated"));
}

#[test]
fn times_no_calendar_shows_read_as_plain_text() {
    for (claim, value) in [
        ("exp", json!(18446744073709551616.0)),
        ("iat", json!(1e308)),
    ] {
        let mut payload =
            json!({"iss": ISS, "sub": "u", "aud": "convex", "iat": T, "exp": T + 3600.0});
        payload[claim] = value;
        let token = token_with(&json!({"alg": "RS256", "typ": "JWT"}), &payload);
        let mut s = Session::new();
        s.add_input_token(&token, T);
        let r = s.report();
        let text = render::text(&r);
        for garble in ["the a date", "it is ?", "0000000000000000000000000000"] {
            assert!(!text.contains(garble), "{claim}: `{garble}` in\n{text}");
        }
        let ms = r.findings.iter().find(|f| f.code == Code::TokenExpInMs);
        assert!(
            ms.is_some_and(|f| f.message.contains("too large to be a date")),
            "{claim}: {:?}",
            ms.map(|f| &f.message)
        );
    }
}

fn cli(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    child.wait_with_output().expect("the binary finishes")
}

fn refused(out: &Output, words: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "no report for input not judged");
    assert!(stderr.contains(words), "{stderr}");
    assert!(
        !stderr.contains("UTF-8") && !stderr.contains("cut"),
        "{stderr}"
    );
}

#[test]
fn cli_stdin_over_a_mebibyte_is_refused_whole_even_when_the_limit_splits_a_character() {
    let mut input = vec![b'a'; 1024 * 1024 + 10];
    refused(
        &cli(&["token", "-"], &input),
        "stdin is longer than 1048576 bytes: not judged",
    );
    // "é" (two bytes) straddles the 1 MiB mark: still "too long", never "not UTF-8".
    input.truncate(1024 * 1024 - 1);
    input.extend_from_slice("é".as_bytes());
    refused(
        &cli(&["token", "-"], &input),
        "stdin is longer than 1048576 bytes: not judged",
    );
}

#[test]
fn cli_token_over_64_kib_is_refused_not_called_cut() {
    let token = token_with(
        &json!({"alg": "RS256"}),
        &json!({"iss": ISS, "sub": "u", "aud": "convex", "pad": "a".repeat(70 * 1024)}),
    );
    let words = format!(
        "the token is {} bytes, longer than 65536 bytes: not judged",
        token.len()
    );
    refused(&cli(&["token", &token], b""), &words);
    refused(&cli(&["token", "-"], token.as_bytes()), &words);
}

#[test]
fn cli_markdown_of_a_hostile_token_has_no_raw_controls() {
    let hostile = "\u{1b}]0;title\u{7}\u{1b}[2J\u{9b}\u{202e}\u{2066}";
    let token = token_with(
        &json!({"alg": "RS256", "kid": hostile}),
        &json!({"iss": ISS, "sub": hostile, "aud": "convex", "exp": T + 60.0, "iat": T}),
    );
    for format in ["markdown", "text", "json"] {
        let out = cli(
            &["token", "-", "--now", "1764180000", "--format", format],
            token.as_bytes(),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.is_empty(), "{format}: a report");
        for c in hostile.chars().filter(|c| redact::is_invisible(*c)) {
            assert!(!stdout.contains(c), "{format}: U+{:04X} raw", c as u32);
        }
        assert!(!stdout.contains(&token), "{format}: the token");
    }
}

/// What the fuzz targets assert on every input, over every captured HAR fixture: each output is already what
/// `redact::visible` makes of it (nothing raw to escape, nothing JWT-shaped left).
#[test]
fn every_fixture_report_is_already_safe_to_show() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/har");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let mut s = Session::new();
        let file = std::fs::File::open(&path).expect("open");
        convex_auth_doctor::traffic::har::read_har(file, &mut |e| s.push(e)).expect("reads");
        assert_safe_to_show(&s.report(), &path.display().to_string());
        seen += 1;
    }
    assert!(seen > 30, "{seen} fixtures");
}

#[test]
fn cli_errors_quoting_a_hostile_config_show_no_raw_controls() {
    let dir = std::env::temp_dir().join(format!("hostile-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("auth.config.ts");
    std::fs::write(
        &path,
        "export default { providers: [ \u{1b}]0;owned\u{7}\u{202e} ] ",
    )
    .expect("write");
    let out = cli(
        &["token", "-", "--config", path.to_str().unwrap_or_default()],
        fixture_token("rs256_valid").as_bytes(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for c in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!stderr.contains(c), "U+{:04X} raw in {stderr:?}", c as u32);
    }
}

/// The fuzz targets' oracle (crate/fuzz): text and markdown are already what `redact::visible` makes of them, and
/// so is every string of the JSON report (as the panel reads it).
fn assert_safe_to_show(r: &Report, what: &str) {
    for (name, out) in [("text", render::text(r)), ("markdown", render::markdown(r))] {
        assert_eq!(redact::visible(&out), out, "{what}: {name}");
    }
    fn strings(v: &Value, what: &str) {
        match v {
            Value::String(s) => assert_eq!(&redact::visible(s), s, "{what}: json"),
            Value::Array(items) => items.iter().for_each(|i| strings(i, what)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                assert_eq!(&redact::visible(k), k, "{what}: json key");
                strings(v, what);
            }),
            _ => {}
        }
    }
    strings(&serde_json::to_value(r).expect("serialises"), what);
}

/// Crash found by `cargo fuzz run session` (input: fixtures/fuzz/session-crash-44952da2.jsonl, one event per
/// line as the target reads them): a server text quoting part of a signature glued to a word
/// (`givenQ.sZwe…`) was left whole in the report, while markdown's escaping of `_` cut it into pieces that did
/// look like a signature. Segments of a dotted run are now judged one by one.
#[test]
fn fuzz_session_crash_44952da2_a_glued_signature_quote_is_redacted() {
    let input = include_str!("fixtures/fuzz/session-crash-44952da2.jsonl");
    let mut s = Session::new();
    for line in input.lines() {
        if let Ok(Ok(e)) = serde_json::from_str::<Value>(line).map(Event::from_json) {
            s.push(e);
        }
    }
    let r = s.report();
    assert_safe_to_show(&r, "session-crash-44952da2");
    let json = serde_json::to_string(&r).expect("serialises");
    assert!(
        json.contains("No auth provider found matching the given"),
        "the server text is still shown"
    );
    assert!(!json.contains("sZweWbzWDzgIcXorPkwZGNCsEPwNSwNWx7Fdc6MN19ScpT"));
}
