//! What the engine is fed: captured traffic, one event at a time, already stripped of anything browser-specific.
//!
//! The extension builds these from `chrome.devtools.network` (HAR entries and `getHAR()` WebSocket frames), the
//! command-line tool from a HAR file. Times are Unix seconds as `f64` (HAR frames carry fractional epoch seconds).

use serde::Deserialize;

/// Which way a WebSocket frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Client → server (HAR `type: "send"`).
    Send,
    /// Server → client (HAR `type: "receive"`).
    Receive,
}

/// One captured event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A WebSocket text frame. `socket` identifies one socket (the extension uses URL + startedDateTime):
    /// frames of one socket arrive in order; sockets may interleave.
    WsFrame {
        socket: String,
        url: String,
        direction: Direction,
        time: f64,
        data: String,
    },
    /// The socket closed or failed (HAR `type: "error"` frames, or the entry finishing).
    WsClose {
        socket: String,
        url: String,
        time: f64,
        #[serde(default)]
        reason: Option<String>,
    },
    /// A finished HTTP request (fetch/XHR) with what the engine needs of it.
    Http(HttpExchange),
    /// The inspected page navigated or reloaded: a new page load starts.
    Navigated { url: String, time: f64 },
}

/// One HTTP request and its response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct HttpExchange {
    pub url: String,
    #[serde(default)]
    pub method: String,
    /// When the request was sent (Unix seconds).
    pub time: f64,
    /// Request headers, names as sent (compare case-insensitively).
    #[serde(default)]
    pub request_headers: Vec<(String, String)>,
    #[serde(default)]
    pub request_body: Option<String>,
    /// 0 when the request failed before any response (network error, blocked).
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    #[serde(default)]
    pub response_body: Option<String>,
}

impl HttpExchange {
    /// The first request header with this name, compared case-insensitively.
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find_header(&self.request_headers, name)
    }

    /// The first response header with this name, compared case-insensitively.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find_header(&self.response_headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
