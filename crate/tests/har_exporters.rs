//! HAR files as people export them (issue 16): each exporter's shape, derived from the real Chrome captures by
//! `fixtures/har/exporters/make.py` (where each shape comes from: `fixtures/har/exporters/README.md`), judged by
//! the command-line tool. What is asserted: the exit status, the capture finding that says what the file lacks,
//! and that nothing is concluded absent from a file that could not show it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/har")
        .join(name)
}

/// The exit status and the JSON report of `har FILE --format json`.
fn judge(name: &str) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .args([
            "har",
            fixture(name).to_str().unwrap_or_default(),
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), report)
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn has(report: &Value, code: &str) -> bool {
    codes(report).iter().any(|c| c == code)
}

fn text(name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_convex-auth-doctor"))
        .args(["har", fixture(name).to_str().unwrap_or_default()])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const ABSENCE: [&str; 3] = ["token.absent", "client.no_traffic", "identity.no_log"];

/// The scenario: a `ConvexHttpClient` app (scenario `all-good-http`), exported with Chrome's default
/// (sanitized) button. The backend logged the user's identity; the file has no Authorization header. The report
/// must not say both "the backend sees the user" and "Step 2 FAIL: No user token was sent".
#[test]
fn chrome_sanitized_http_client_is_not_a_missing_token() {
    let (code, report) = judge("exporters/chrome-sanitized-http.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "identity.logged"), "{:?}", codes(&report));
    assert!(has(&report, "capture.sanitized"), "{:?}", codes(&report));
    assert!(!has(&report, "token.absent"), "{:?}", codes(&report));
    assert_eq!(
        report["verdict"],
        "Authentication works: the backend sees the user."
    );
    let sanitized = report["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["code"] == "capture.sanitized"))
        .cloned()
        .unwrap_or_default();
    // Positive evidence, not a guess: the preflights asked leave to send `authorization`.
    assert_eq!(
        sanitized["evidence"]["from"],
        "CORS preflights announced an Authorization header"
    );
    let causes = sanitized["causes"].to_string();
    assert!(
        causes.contains("Export HAR (with sensitive data)"),
        "{causes}"
    );
    assert!(causes.contains("token -"), "{causes}");
    let shown = text("exporters/chrome-sanitized-http.har");
    assert!(!shown.contains("No user token was sent"), "{shown}");
    assert!(shown.contains("the backend sees the user"), "{shown}");
}

/// The same capture, full (Chrome's "Export HAR (with sensitive data)", or the extension's getHAR()): nothing lacks.
#[test]
fn chrome_full_http_needs_no_capture_finding() {
    let (code, report) = judge("exporters/chrome-full-http.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "auth.confirmed") && has(&report, "token.well_formed"));
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("capture.")),
        "{:?}",
        codes(&report)
    );
}

/// A sanitized export whose preflights announced no `authorization`: the calls really carried no token, the
/// file can show that, and the backend ran the function without a user. `token.absent` stands.
#[test]
fn sanitized_file_still_shows_a_token_that_was_never_sent() {
    let (code, report) = judge("exporters/chrome-sanitized-no-token-http.har");
    assert_eq!(code, 1, "{report}");
    assert!(has(&report, "token.absent"), "{:?}", codes(&report));
    assert!(!has(&report, "capture.sanitized"), "{:?}", codes(&report));
}

/// Edge writes Chromium's HAR (creator `WebInspector`) and sanitizes the same way.
#[test]
fn edge_sanitized_http() {
    let (code, report) = judge("exporters/edge-sanitized-http.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "capture.sanitized") && !has(&report, "token.absent"));
}

/// Sanitizing removes headers, not WebSocket messages: a socket app's sanitized export is complete for the doctor.
#[test]
fn chrome_sanitized_socket_app_is_judged_in_full() {
    let (code, report) = judge("exporters/chrome-sanitized-ws.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "auth.confirmed") && has(&report, "token.well_formed"));
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("capture.")),
        "{:?}",
        codes(&report)
    );
}

/// Firefox lists the socket without its messages: no "no traffic", no "no token"; the finding says to use the panel.
#[test]
fn firefox_socket_app_is_not_an_app_without_traffic() {
    let (code, report) = judge("exporters/firefox-ws.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "capture.no_frames"), "{:?}", codes(&report));
    for absent in ABSENCE {
        assert!(!has(&report, absent), "{absent}: {:?}", codes(&report));
    }
    let verdict = report["verdict"].as_str().unwrap_or_default();
    assert!(verdict.contains("none of its messages"), "{verdict}");
    let finding = report["findings"].to_string();
    assert!(
        finding.contains("Convex Auth panel") && finding.contains("token -"),
        "{finding}"
    );
}

/// Firefox keeps HTTP headers and bodies: a ConvexHttpClient app is judged in full.
#[test]
fn firefox_http_app_is_judged_in_full() {
    let (code, report) = judge("exporters/firefox-http.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "auth.confirmed") && has(&report, "identity.logged"));
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("capture.")),
        "{:?}",
        codes(&report)
    );
}

/// Safari writes no socket messages (and may not list the socket): a socket app's export holds nothing of Convex.
#[test]
fn safari_socket_app_is_not_an_app_without_traffic() {
    let (code, report) = judge("exporters/safari-ws.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "capture.no_frames"), "{:?}", codes(&report));
    assert!(!has(&report, "client.no_traffic"), "{:?}", codes(&report));
}

/// mitmproxy writes Chrome's `_webSocketMessages` but under the handshake's `https://` URL: read as the socket it is.
#[test]
fn mitmproxy_socket_and_http_apps_are_judged_in_full() {
    for name in ["exporters/mitmproxy-ws.har", "exporters/mitmproxy-http.har"] {
        let (code, report) = judge(name);
        assert_eq!(code, 0, "{name}: {report}");
        assert!(
            has(&report, "auth.confirmed") && has(&report, "token.well_formed"),
            "{name}: {:?}",
            codes(&report)
        );
        assert!(
            !codes(&report).iter().any(|c| c.starts_with("capture.")),
            "{name}: {:?}",
            codes(&report)
        );
    }
}

/// A recording begun after the socket opened: the finding says so.
#[test]
fn late_recording_is_named() {
    let (code, report) = judge("exporters/chrome-truncated-ws.har");
    assert_eq!(code, 0, "{report}");
    assert!(has(&report, "capture.truncated"), "{:?}", codes(&report));
}

/// The extension's own captures (`chrome-*.har`, saved from getHAR() by the end-to-end runs) are complete: no
/// capture finding fires on any of them. They are told apart from sanitized exports by what they hold, not by
/// their creator (both say `WebInspector`): credentials where the app sent them, preflights that match.
#[test]
fn no_capture_finding_on_the_extensions_own_captures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/har");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !(name.starts_with("chrome-") && name.ends_with(".har")) {
            continue;
        }
        let (_, report) = judge(&name);
        assert!(
            !codes(&report).iter().any(|c| c.starts_with("capture.")),
            "{name}: {:?}",
            codes(&report)
        );
        seen += 1;
    }
    assert!(seen >= 30, "{seen}");
}
