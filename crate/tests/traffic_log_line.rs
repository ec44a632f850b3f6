//! `'server identity'` log lines. The runtime formats `console.log` arguments with the `object-inspect` package,
//! `indent: 2` (convex-backend `npm-packages/udf-runtime/src/02_console.ts`): objects are multi-line, strings
//! single-quoted with `\'` escapes, non-identifier keys quoted. The strings below were produced by
//! object-inspect 1.14.0 with those options; long lines end with ` (truncated due to length)`.

use convex_auth_doctor::traffic::{identity_in_log_line, IdentityLog};

const OBJECT_INSPECT: &str = "[LOG] 'server identity' {\n  tokenIdentifier: 'https://example.clerk.accounts.dev|user_2abc',\n  issuer: 'https://example.clerk.accounts.dev',\n  subject: 'user_2abc',\n  name: 'Ada O\\'Brien',\n  email: 'ada@example.com',\n  emailVerified: true,\n  'https://example.com/claims': {\n    issuer: 'https://nested.example',\n    subject: 'nested'\n  },\n  updatedAt: '2026-11-25T10:00:00+00:00'\n}";

fn identity(
    iss: Option<&str>,
    sub: Option<&str>,
    tid: Option<&str>,
    truncated: bool,
) -> IdentityLog {
    IdentityLog::Identity {
        issuer: iss.map(str::to_string),
        subject: sub.map(str::to_string),
        token_identifier: tid.map(str::to_string),
        truncated,
    }
}

#[test]
fn null_identity() {
    assert_eq!(
        identity_in_log_line("[LOG] 'server identity' null"),
        Some(IdentityLog::Null)
    );
    assert_eq!(
        identity_in_log_line("[LOG] 'server identity' undefined"),
        Some(IdentityLog::Null)
    );
    assert_eq!(
        identity_in_log_line("[INFO] \"server identity\" null"),
        Some(IdentityLog::Null)
    );
    assert_eq!(
        identity_in_log_line("[WARN] 'Server Identity:' null"),
        Some(IdentityLog::Null)
    );
}

#[test]
fn multiline_object_from_the_runtime() {
    assert_eq!(
        identity_in_log_line(OBJECT_INSPECT),
        Some(identity(
            Some("https://example.clerk.accounts.dev"),
            Some("user_2abc"),
            Some("https://example.clerk.accounts.dev|user_2abc"),
            false
        ))
    );
}

#[test]
fn single_line_node_inspect_form() {
    let line = "[LOG] 'server identity' { tokenIdentifier: 'https://a.example/|u1', issuer: 'https://a.example/', subject: 'u1' }";
    assert_eq!(
        identity_in_log_line(line),
        Some(identity(
            Some("https://a.example/"),
            Some("u1"),
            Some("https://a.example/|u1"),
            false
        ))
    );
}

#[test]
fn nested_claims_do_not_shadow_the_identity() {
    let line = "[LOG] 'server identity' {\n  custom: {\n    issuer: 'https://wrong',\n    subject: 'wrong'\n  },\n  issuer: 'https://right',\n  subject: 'right'\n}";
    assert_eq!(
        identity_in_log_line(line),
        Some(identity(Some("https://right"), Some("right"), None, false))
    );
}

#[test]
fn escaped_quotes_in_values() {
    let line = "[LOG] 'server identity' {\n  subject: 'it\\'s \\\\ me',\n  issuer: 'https://i'\n}";
    assert_eq!(
        identity_in_log_line(line),
        Some(identity(Some("https://i"), Some("it's \\ me"), None, false))
    );
}

#[test]
fn json_stringified_identity() {
    let line = "[INFO] 'Server identity:' '{\"tokenIdentifier\":\"https://a|b\",\"issuer\":\"https://a\",\"subject\":\"b\"}'";
    assert_eq!(
        identity_in_log_line(line),
        Some(identity(
            Some("https://a"),
            Some("b"),
            Some("https://a|b"),
            false
        ))
    );
}

#[test]
fn truncated_line_keeps_what_was_complete() {
    let cut = "[LOG] 'server identity' {\n  tokenIdentifier: 'https://example.clerk.accounts.dev|user_2abc',\n  issuer: 'https://example.clerk.accounts.dev',\n  subject: 'user_2a (truncated due to length)";
    assert_eq!(
        identity_in_log_line(cut),
        Some(identity(
            Some("https://example.clerk.accounts.dev"),
            None,
            Some("https://example.clerk.accounts.dev|user_2abc"),
            true
        ))
    );
    // Cut right after the label: still an identity line, nothing readable.
    assert_eq!(
        identity_in_log_line("[LOG] 'server identity' (truncated due to length)"),
        Some(identity(None, None, None, true))
    );
    // A huge custom claim before the identity fields pushes them past the cut.
    let long = format!(
        "[LOG] 'server identity' {{\n  avatar: '{}",
        "A".repeat(32_000)
    );
    assert_eq!(
        identity_in_log_line(&format!("{long} (truncated due to length)")),
        Some(identity(None, None, None, true))
    );
}

#[test]
fn other_lines_are_not_identity_lines() {
    for line in [
        "[LOG] 'hello'",
        "[LOG] 'user' { subject: 'x' }",
        "[ERROR] Uncaught Error: Not authenticated",
        "[LOG] 'server identity' 'user_2abc'",
        "[LOG] 'server identity' 42",
        "",
        "[LOG]",
        "'server",
        "[LOG] 'server identity",
    ] {
        assert_eq!(identity_in_log_line(line), None, "{line:?}");
    }
}

#[test]
fn hostile_text_does_not_panic() {
    for line in [
        "[LOG] 'server identity' {{{{{{{{{{{{{{{{",
        "[LOG] 'server identity' {'\\",
        "[LOG] 'server identity' { a: '\\x' }",
        "[LOG] 'server identity' { a: '\\u12' }",
        "[LOG] 'server identity' { é: 'ü', issuer: '日本' }",
        "[LOG] 'server identity' }}}}",
    ] {
        let _ = identity_in_log_line(line);
    }
    let deep = format!("[LOG] 'server identity' {}", "{ a: ".repeat(100_000));
    let _ = identity_in_log_line(&deep);
    assert_eq!(
        identity_in_log_line("[LOG] 'server identity' { é: 'ü', issuer: '日本' }"),
        Some(identity(Some("日本"), None, None, false))
    );
}
