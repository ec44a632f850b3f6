//! Convex HTTP API calls (`ConvexHttpClient`, `fetch` to `/api/query` etc.) read from captured exchanges.
//!
//! Sources: `src/browser/http_client.ts` (convex 1.48.0: request bodies `{path, format, args}`, headers
//! `Authorization: Bearer <jwt>` or `Convex <admin key>`; the client takes 200 or 560 with `status: "error"` as "the
//! function threw"), and the backend's
//! `public_api.rs` (`UdfResponse`: `{"status":"success","value","logLines"}` / `{"status":"error",
//! "errorMessage","errorData"?,"logLines"?}`; `/api/run/<module path>/<function>`) and `authentication.rs`
//! (a `Convex ` prefix is matched case-insensitively; anything that is not a bearer token is answered 400
//! `InvalidAdminKey`).

use super::{deployment_of, http_api_kind};
use crate::event::HttpExchange;
use crate::text::date::{days_from_civil, days_in_month};
use crate::text::json::{opt_str, opt_strings, parse_object};
use crate::text::url::{percent_decode, split_url};

/// The `Authorization` header of a Convex HTTP call.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthHeader {
    Absent,
    /// `Bearer <jwt>`: the token text after the scheme.
    Bearer {
        token: String,
    },
    /// `Convex <admin key>` (never kept).
    Admin,
    /// Any other scheme (the backend answers 400 InvalidAdminKey).
    Other {
        scheme: String,
    },
}

/// How a Convex HTTP call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpOutcome {
    /// 200 `{"status":"success"}`.
    Success { log_lines: Vec<String> },
    /// 200 (or 560) `{"status":"error"}`: the function ran and threw.
    FunctionError {
        message: String,
        log_lines: Vec<String>,
    },
    /// 4xx/5xx `{"code","message"}`.
    ApiError {
        status: u16,
        code: String,
        message: String,
    },
    /// No response (status 0) or a body the engine cannot read.
    Failed { status: u16 },
}

/// A Convex HTTP API call.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpCall {
    pub deployment: String,
    /// `module:function` where the body or URL says it.
    pub udf_path: Option<String>,
    pub auth: AuthHeader,
    pub outcome: HttpOutcome,
    pub time: f64,
    /// The server's `Date` header, as Unix seconds.
    pub server_date: Option<f64>,
}

/// Reads an HTTP exchange as a Convex call; `None` when it is not one.
///
/// An `OPTIONS` request is never a call: the HTTP API's routes are `GET`/`POST` only (convex-backend
/// `crates/local_backend/src/public_api.rs:769-783`, nested under `/api` in `router.rs:386-403`), and the browser's CORS preflight is answered by the `CorsLayer`
/// wrapped around them (`router.rs:406`, `612-626`) without running a function. A preflight never carries
/// `Authorization` either (the browser only announces it in `Access-Control-Request-Headers`), so counting it would
/// make a "function ran without a token" out of nothing.
pub fn classify_http(exchange: &HttpExchange) -> Option<HttpCall> {
    if exchange.method.eq_ignore_ascii_case("OPTIONS") {
        return None;
    }
    let url = split_url(&exchange.url)?;
    if !(url.scheme.eq_ignore_ascii_case("http") || url.scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let kind = http_api_kind(url.path)?;
    let deployment = deployment_of(&exchange.url)?;
    let udf_path = udf_path_of(kind, url.query, exchange.request_body.as_deref());
    Some(HttpCall {
        deployment,
        udf_path,
        auth: auth_header(exchange.request_header("authorization")),
        outcome: outcome(exchange.status, exchange.response_body.as_deref()),
        time: exchange.time,
        server_date: exchange.response_header("date").and_then(parse_http_date),
    })
}

/// Reads an `Authorization` value. The admin key is never copied.
pub fn auth_header(value: Option<&str>) -> AuthHeader {
    let Some(value) = value else {
        return AuthHeader::Absent;
    };
    let value = value.trim();
    if value.is_empty() {
        return AuthHeader::Absent;
    }
    // The backend tests `get(..7).eq_ignore_ascii_case("convex ")` (local_backend/src/authentication.rs).
    if value
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("convex "))
    {
        return AuthHeader::Admin;
    }
    // The backend takes any case of `bearer ` and trims what follows (convex-backend
    // `crates/authentication/src/lib.rs:110-117`, reached from `local_backend/src/authentication.rs:51-81`).
    if value.eq_ignore_ascii_case("bearer") {
        // `Bearer ` with nothing after it: a token that was empty when the header was built.
        return AuthHeader::Bearer {
            token: String::new(),
        };
    }
    if let Some(token) = value
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .and_then(|_| value.get(7..))
    {
        return AuthHeader::Bearer {
            token: token.trim().to_string(),
        };
    }
    let scheme = value
        .split(|c: char| c.is_ascii_whitespace())
        .next()
        .unwrap_or("");
    // Keep only a short, scheme-like word: a header with no scheme at all must not leak a credential here.
    let scheme = if scheme.len() <= 32
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && scheme != value
    {
        scheme.to_string()
    } else {
        String::new()
    };
    AuthHeader::Other { scheme }
}

fn udf_path_of(kind: &str, query: Option<&str>, body: Option<&str>) -> Option<String> {
    if let Some(run) = kind.strip_prefix("run/") {
        // `/api/run/messages/list` → `messages:list` (backend `public_function_post_with_path`).
        let parts: Vec<String> = run
            .split('/')
            .map(|p| String::from_utf8_lossy(&percent_decode(p)).into_owned())
            .collect();
        let (function, module) = parts.split_last()?;
        if module.is_empty() || function.is_empty() {
            return None;
        }
        return Some(format!("{}:{}", module.join("/"), function));
    }
    // `{"path": "…", …}`; a body that is not such an object (or whose `path` is not a string) says nothing.
    if let Some(path) = body
        .and_then(|b| parse_object(b).ok())
        .and_then(|o| opt_str(&o, "path").ok().flatten().map(str::to_owned))
    {
        return Some(path);
    }
    // GET /api/query?path=…&args=…
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("path="))
        .map(|v| String::from_utf8_lossy(&percent_decode(&v.replace('+', " "))).into_owned())
}

/// The fields of a function response body (`{"status": "success" | "error", "value", "logLines",
/// "errorMessage"}`, or an API error `{"code", "message"}`). A field of the wrong type makes the body unreadable.
struct ResponseBody {
    status: Option<String>,
    log_lines: Option<Vec<String>>,
    error_message: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

impl ResponseBody {
    fn parse(text: &str) -> Option<ResponseBody> {
        let o = parse_object(text).ok()?;
        let owned = |key: &str| opt_str(&o, key).map(|s| s.map(str::to_owned));
        Some(ResponseBody {
            status: owned("status").ok()?,
            log_lines: opt_strings(&o, "logLines").ok()?,
            error_message: owned("errorMessage").ok()?,
            code: owned("code").ok()?,
            message: owned("message").ok()?,
        })
    }
}

fn outcome(status: u16, body: Option<&str>) -> HttpOutcome {
    if status == 0 {
        return HttpOutcome::Failed { status };
    }
    let Some(body) = body.and_then(ResponseBody::parse) else {
        return HttpOutcome::Failed { status };
    };
    match body.status.as_deref() {
        // convex-backend 94a42c3 answers function errors with 200 (`local_backend/src/public_api.rs:140-151`); nothing
        // there produces 560, which the client also accepts (`http_client.ts`). Both mean "ran and threw".
        Some("error") if status == 200 || status == 560 => HttpOutcome::FunctionError {
            message: body.error_message.unwrap_or_default(),
            log_lines: body.log_lines.unwrap_or_default(),
        },
        Some("success") if (200..300).contains(&status) => HttpOutcome::Success {
            log_lines: body.log_lines.unwrap_or_default(),
        },
        _ if status >= 400 => match (body.code, body.message) {
            (Some(code), Some(message)) => HttpOutcome::ApiError {
                status,
                code,
                message,
            },
            _ => HttpOutcome::Failed { status },
        },
        _ => HttpOutcome::Failed { status },
    }
}

/// Parses an RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers send in `Date`, into Unix
/// seconds. Other forms (obsolete RFC 850 / asctime) give `None`.
pub fn parse_http_date(value: &str) -> Option<f64> {
    let mut it = value.split_ascii_whitespace();
    let weekday = it.next()?;
    if weekday.len() != 4 || !weekday.ends_with(',') {
        return None;
    }
    let day: u32 = it.next().filter(|d| d.len() == 2)?.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month_name = it.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let year: i64 = it.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let mut hms = it.next()?.split(':');
    let mut field = |max: u32| -> Option<u32> {
        let s = hms.next().filter(|s| s.len() == 2)?;
        s.parse::<u32>().ok().filter(|v| *v <= max)
    };
    let (h, m, s) = (field(23)?, field(59)?, field(60)?);
    if it.next()? != "GMT" || it.next().is_some() {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imf_fixdate() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777.0)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1709208000.0)
        );
        assert_eq!(parse_http_date("Fri, 30 Feb 2024 12:00:00 GMT"), None);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
        assert_eq!(parse_http_date(""), None);
    }

    #[test]
    fn auth_schemes() {
        assert_eq!(auth_header(None), AuthHeader::Absent);
        assert_eq!(
            auth_header(Some("Bearer a.b.c")),
            AuthHeader::Bearer {
                token: "a.b.c".into()
            }
        );
        assert_eq!(auth_header(Some("convex prod:x|secret")), AuthHeader::Admin);
        assert_eq!(
            auth_header(Some("Basic dXNlcg==")),
            AuthHeader::Other {
                scheme: "Basic".into()
            }
        );
        // A bare token (no scheme) must not be echoed back as a "scheme".
        assert_eq!(
            auth_header(Some("eyJhbGciOi")),
            AuthHeader::Other {
                scheme: String::new()
            }
        );
    }

    #[test]
    fn run_paths() {
        assert_eq!(
            udf_path_of("run/messages/list", None, None).as_deref(),
            Some("messages:list")
        );
        assert_eq!(
            udf_path_of("run/a/b%20c/f", None, None).as_deref(),
            Some("a/b c:f")
        );
        assert_eq!(udf_path_of("run/list", None, None), None);
        assert_eq!(
            udf_path_of("query", Some("path=m%3Af&args=%7B%7D"), None).as_deref(),
            Some("m:f")
        );
    }
}
