//! STUB: the traffic helper replaces this file.
use crate::event::HttpExchange;

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
    /// 560 `{"status":"error"}`: the function ran and threw.
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
pub fn classify_http(_exchange: &HttpExchange) -> Option<HttpCall> {
    None
}
