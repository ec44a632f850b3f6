//! Convex HTTP API calls: request shapes from convex 1.48.0 `src/browser/http_client.ts`, response bodies as the
//! backend writes them (`local_backend/src/public_api.rs` `UdfResponse`, `HttpResponseError` `{code,message}`).

use convex_auth_doctor::event::HttpExchange;
use convex_auth_doctor::traffic::http::parse_http_date;
use convex_auth_doctor::traffic::{
    classify_http, deployment_of, is_convex_url, AuthHeader, HttpOutcome,
};

const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

fn exchange(
    url: &str,
    auth: Option<&str>,
    body: Option<&str>,
    status: u16,
    response: Option<&str>,
) -> HttpExchange {
    let mut request_headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("Convex-Client".to_string(), "npm-1.48.0".to_string()),
    ];
    if let Some(a) = auth {
        request_headers.push(("Authorization".to_string(), a.to_string()));
    }
    HttpExchange {
        url: url.to_string(),
        method: "POST".into(),
        time: 1795686400.0,
        request_headers,
        request_body: body.map(str::to_string),
        status,
        response_headers: vec![("date".into(), "Wed, 25 Nov 2026 10:00:00 GMT".into())],
        response_body: response.map(str::to_string),
    }
}

const QUERY_BODY: &str = r#"{"path":"users:viewer","format":"convex_encoded_json","args":[{}]}"#;

#[test]
fn success_with_log_lines() {
    let x = exchange(
        "https://happy-animal-123.convex.cloud/api/query",
        Some(&format!("Bearer {JWT}")),
        Some(QUERY_BODY),
        200,
        Some(r#"{"status":"success","value":null,"logLines":["[LOG] 'server identity' null"]}"#),
    );
    let call = classify_http(&x).unwrap();
    assert_eq!(call.deployment, "https://happy-animal-123.convex.cloud");
    assert_eq!(call.udf_path.as_deref(), Some("users:viewer"));
    assert_eq!(call.auth, AuthHeader::Bearer { token: JWT.into() });
    assert_eq!(
        call.outcome,
        HttpOutcome::Success {
            log_lines: vec!["[LOG] 'server identity' null".into()]
        }
    );
    assert_eq!(call.time, 1795686400.0);
    assert_eq!(call.server_date, Some(1795600800.0));
}

#[test]
fn success_without_log_lines_field() {
    // The backend omits empty logLines (`skip_serializing_if = RedactedLogLines::is_empty`).
    let x = exchange(
        "https://x.convex.cloud/api/mutation",
        None,
        Some(QUERY_BODY),
        200,
        Some(r#"{"status":"success","value":{"$integer":"AQAAAAAAAAA="}}"#),
    );
    let call = classify_http(&x).unwrap();
    assert_eq!(call.auth, AuthHeader::Absent);
    assert_eq!(call.outcome, HttpOutcome::Success { log_lines: vec![] });
}

#[test]
fn function_error_560_and_200() {
    let body = r#"{"status":"error","errorMessage":"[Request ID: 1a2b] Server Error\nUncaught Error: Unauthenticated call to ai:ask\n    at handler (../convex/ai.ts:7:11)","logLines":["[LOG] 'server identity' null"]}"#;
    for status in [560, 200] {
        let x = exchange(
            "https://x.convex.cloud/api/action",
            Some(&format!("Bearer {JWT}")),
            Some(QUERY_BODY),
            status,
            Some(body),
        );
        match classify_http(&x).unwrap().outcome {
            HttpOutcome::FunctionError { message, log_lines } => {
                assert!(message.contains("Unauthenticated call to ai:ask"));
                assert_eq!(log_lines.len(), 1);
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[test]
fn api_errors_keep_code_and_message() {
    let cases = [
        (
            401,
            r#"{"code":"NoAuthProvider","message":"No auth provider found matching the given token"}"#,
            "NoAuthProvider",
        ),
        (
            400,
            r#"{"code":"InvalidAdminKey","message":"Invalid admin key"}"#,
            "InvalidAdminKey",
        ),
        (
            503,
            r#"{"code":"AuthProviderDiscoveryFailed","message":"Auth provider discovery of https://x failed"}"#,
            "AuthProviderDiscoveryFailed",
        ),
    ];
    for (status, body, code) in cases {
        let x = exchange(
            "https://x.convex.cloud/api/query",
            Some("Token abc"),
            Some(QUERY_BODY),
            status,
            Some(body),
        );
        let call = classify_http(&x).unwrap();
        match call.outcome {
            HttpOutcome::ApiError {
                status: s,
                code: c,
                message,
            } => {
                assert_eq!((s, c.as_str()), (status, code));
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            call.auth,
            AuthHeader::Other {
                scheme: "Token".into()
            }
        );
    }
}

#[test]
fn failures_without_a_readable_body() {
    let none = exchange(
        "https://x.convex.cloud/api/query",
        None,
        Some(QUERY_BODY),
        0,
        None,
    );
    assert_eq!(
        classify_http(&none).unwrap().outcome,
        HttpOutcome::Failed { status: 0 }
    );
    let html = exchange(
        "https://x.convex.cloud/api/query",
        None,
        Some(QUERY_BODY),
        502,
        Some("<html>Bad gateway</html>"),
    );
    assert_eq!(
        classify_http(&html).unwrap().outcome,
        HttpOutcome::Failed { status: 502 }
    );
    let missing = exchange(
        "https://x.convex.cloud/api/query",
        None,
        Some(QUERY_BODY),
        200,
        None,
    );
    assert_eq!(
        classify_http(&missing).unwrap().outcome,
        HttpOutcome::Failed { status: 200 }
    );
    let odd = exchange(
        "https://x.convex.cloud/api/query",
        None,
        Some(QUERY_BODY),
        200,
        Some(r#"{"status":"weird"}"#),
    );
    assert_eq!(
        classify_http(&odd).unwrap().outcome,
        HttpOutcome::Failed { status: 200 }
    );
}

#[test]
fn admin_key_is_recognised_and_never_kept() {
    let x = exchange(
        "https://x.convex.cloud/api/function",
        Some("Convex prod:x|SECRETKEY"),
        Some(
            r#"{"componentPath":"chat","path":"messages:list","format":"convex_encoded_json","args":{}}"#,
        ),
        200,
        Some(r#"{"status":"success","value":[]}"#),
    );
    let call = classify_http(&x).unwrap();
    assert_eq!(call.auth, AuthHeader::Admin);
    assert_eq!(call.udf_path.as_deref(), Some("messages:list"));
    assert!(!format!("{call:?}").contains("SECRETKEY"));
    let lower = exchange(
        "https://x.convex.cloud/api/query",
        Some("convex abc"),
        None,
        200,
        None,
    );
    assert_eq!(classify_http(&lower).unwrap().auth, AuthHeader::Admin);
}

#[test]
fn udf_path_from_the_url() {
    let run = exchange(
        "https://x.convex.cloud/api/run/messages/list",
        None,
        Some(r#"{"args":{}}"#),
        200,
        None,
    );
    assert_eq!(
        classify_http(&run).unwrap().udf_path.as_deref(),
        Some("messages:list")
    );
    let nested = exchange(
        "https://x.convex.cloud/api/run/folder/sub/fn",
        None,
        None,
        200,
        None,
    );
    assert_eq!(
        classify_http(&nested).unwrap().udf_path.as_deref(),
        Some("folder/sub:fn")
    );
    let mut get = exchange(
        "https://x.convex.cloud/api/query?path=users%3Aviewer&args=%7B%7D&format=json",
        None,
        None,
        200,
        None,
    );
    get.method = "GET".into();
    assert_eq!(
        classify_http(&get).unwrap().udf_path.as_deref(),
        Some("users:viewer")
    );
}

#[test]
fn self_hosted_and_local_backends_count() {
    let local = exchange(
        "http://127.0.0.1:3210/api/query",
        None,
        Some(QUERY_BODY),
        200,
        None,
    );
    assert_eq!(
        classify_http(&local).unwrap().deployment,
        "http://127.0.0.1:3210"
    );
    let hosted = exchange(
        "https://convex.mycompany.dev/api/mutation",
        None,
        Some(QUERY_BODY),
        200,
        None,
    );
    assert_eq!(
        classify_http(&hosted).unwrap().deployment,
        "https://convex.mycompany.dev"
    );
}

#[test]
fn other_traffic_is_not_a_convex_call() {
    for url in [
        "https://x.convex.site/api/webhook",
        "https://x.convex.cloud/api/storage/abc",
        "https://x.convex.cloud/api/query_ts",
        "https://example.com/graphql",
        "wss://x.convex.cloud/api/1.48.0/sync",
        "garbage",
    ] {
        assert!(
            classify_http(&exchange(url, None, None, 200, None)).is_none(),
            "{url}"
        );
    }
    assert!(is_convex_url("wss://x.convex.cloud/api/1.48.0/sync"));
    assert_eq!(
        deployment_of("wss://x.convex.cloud/api/1.48.0/sync").as_deref(),
        Some("https://x.convex.cloud")
    );
}

#[test]
fn date_header() {
    assert_eq!(
        parse_http_date("Wed, 25 Nov 2026 10:00:00 GMT"),
        Some(1795600800.0)
    );
    let mut x = exchange("https://x.convex.cloud/api/query", None, None, 200, None);
    x.response_headers = vec![("Date".into(), "yesterday".into())];
    assert_eq!(classify_http(&x).unwrap().server_date, None);
}

#[test]
fn a_cors_preflight_is_not_a_call() {
    // The browser's preflight for a cross-origin call with `Authorization`: no body, no `Authorization`, 204.
    let mut x = exchange("https://x.convex.cloud/api/query", None, None, 204, None);
    x.method = "OPTIONS".into();
    x.request_headers = vec![
        ("Access-Control-Request-Method".into(), "POST".into()),
        (
            "Access-Control-Request-Headers".into(),
            "authorization,content-type".into(),
        ),
    ];
    assert_eq!(classify_http(&x), None);
    x.method = "options".into();
    assert_eq!(classify_http(&x), None);
}
