//! Convex traffic: the sync protocol's frames, HTTP API calls, function log lines and HAR files.

pub mod around;
pub mod chunks;
pub mod har;
pub mod http;
pub mod log_line;
pub mod sync;

pub use chunks::ChunkAssembler;
pub use http::{classify_http, AuthHeader, HttpCall, HttpOutcome};
pub use log_line::{identity_in_log_line, IdentityLog};
pub use sync::{
    parse_client, parse_server, server_frame_may_matter, AuthenticateKind, ClientMessage,
    FunctionLogs, ServerMessage,
};

use crate::text::url::split_url;

/// A client version segment as in `/api/1.48.0/sync` (the client puts its npm version there).
fn is_version_segment(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
}

/// The function-calling HTTP API paths, after `/api/` (backend `public_api_router`; `query_ts` and storage are
/// left out: they run no function and carry no identity).
pub(crate) fn http_api_kind(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/")?;
    let direct = |r: &str| -> bool {
        matches!(
            r,
            "query" | "query_at_ts" | "query_batch" | "mutation" | "action" | "function"
        ) || r.strip_prefix("run/").is_some_and(|p| !p.is_empty())
    };
    if direct(rest) {
        return Some(rest);
    }
    // Tolerate a version segment, as the sync route has one (`/api/<version>/query`), but only a version-like
    // one that starts with a digit, so `/api/v1/...` (the platform API) does not count.
    let (ver, tail) = rest.split_once('/')?;
    if ver.starts_with(|c: char| c.is_ascii_digit()) && is_version_segment(ver) && direct(tail) {
        return Some(tail);
    }
    None
}

fn is_sync_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/") else {
        return false;
    };
    let rest = rest.trim_end_matches('/');
    rest == "sync"
        || rest
            .strip_suffix("/sync")
            .is_some_and(|v| is_version_segment(v) && !v.contains('/'))
}

/// Whether a URL belongs to a Convex deployment's API, recognised by path and protocol
/// (`/api/<version>/sync`, `/api/sync`, `/api/query|mutation|action|function|run/…`), so that self-hosted and
/// local backends count, not only `*.convex.cloud`.
pub fn is_convex_url(url: &str) -> bool {
    let Some(u) = split_url(url) else {
        return false;
    };
    if u.scheme.eq_ignore_ascii_case("ws") || u.scheme.eq_ignore_ascii_case("wss") {
        is_sync_path(u.path)
    } else if u.scheme.eq_ignore_ascii_case("http") || u.scheme.eq_ignore_ascii_case("https") {
        http_api_kind(u.path).is_some()
    } else {
        false
    }
}

/// What a front end should pass on of an HTTP request: 0 nothing, 1 request headers only (auth cookies), 2 all of
/// it (Convex API calls, and the token endpoints, sign-outs and HTTP actions `around` reads).
pub fn http_interest(url: &str, cookie: &str) -> u8 {
    if is_convex_url(url) {
        return 2;
    }
    match around::interest(url, cookie) {
        around::Interest::Full => 2,
        around::Interest::Headers => 1,
        around::Interest::None => 0,
    }
}

/// The deployment a Convex URL belongs to, as `https://host[:port]` (`wss://` → `https://`, `ws://` → `http://`).
/// The host is lower-cased so that one deployment is one string.
pub fn deployment_of(url: &str) -> Option<String> {
    let u = split_url(url)?;
    let scheme = match u.scheme.to_ascii_lowercase().as_str() {
        "wss" | "https" => "https",
        "ws" | "http" => "http",
        _ => return None,
    };
    Some(format!("{scheme}://{}", u.authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_sockets_by_path_not_host() {
        assert!(is_convex_url(
            "wss://happy-animal-123.convex.cloud/api/1.48.0/sync"
        ));
        assert!(is_convex_url("ws://127.0.0.1:3210/api/1.17.0/sync"));
        assert!(is_convex_url("wss://convex.example.com/api/sync"));
        assert!(!is_convex_url("wss://example.com/socket"));
        assert!(!is_convex_url("wss://example.com/api/a/b/sync"));
        assert!(!is_convex_url(
            "https://happy-animal-123.convex.cloud/api/1.48.0/sync"
        ));
    }

    #[test]
    fn http_api_paths() {
        assert!(is_convex_url("https://x.convex.cloud/api/query"));
        assert!(is_convex_url("https://x.convex.cloud/api/mutation?x=1"));
        assert!(is_convex_url("http://127.0.0.1:3210/api/action"));
        assert!(is_convex_url("https://x.convex.cloud/api/function"));
        assert!(is_convex_url(
            "https://x.convex.cloud/api/run/messages/list"
        ));
        assert!(is_convex_url("https://x.convex.cloud/api/1.48.0/query"));
        assert!(!is_convex_url("https://x.convex.cloud/api/v1/query"));
        assert!(!is_convex_url("https://x.convex.cloud/api/run/"));
        assert!(!is_convex_url("https://x.convex.cloud/api/query_ts"));
        assert!(!is_convex_url("https://x.convex.site/webhook"));
        assert!(!is_convex_url("not a url"));
    }

    #[test]
    fn deployments() {
        assert_eq!(
            deployment_of("wss://X.convex.cloud/api/1.0/sync").as_deref(),
            Some("https://x.convex.cloud")
        );
        assert_eq!(
            deployment_of("ws://127.0.0.1:3210/api/sync").as_deref(),
            Some("http://127.0.0.1:3210")
        );
        assert_eq!(
            deployment_of("https://a.b/api/query?x#y").as_deref(),
            Some("https://a.b")
        );
        assert_eq!(deployment_of("ftp://a.b/"), None);
    }
}
