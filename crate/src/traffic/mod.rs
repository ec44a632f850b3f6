//! Convex traffic: the sync protocol's frames, HTTP API calls, function log lines and HAR files.
//! OWNER: traffic helper. The API below is the contract the analysis uses; keep it.

pub mod chunks;
pub mod har;
pub mod http;
pub mod log_line;
pub mod sync;

pub use chunks::ChunkAssembler;
pub use http::{classify_http, AuthHeader, HttpCall, HttpOutcome};
pub use log_line::{identity_in_log_line, IdentityLog};
pub use sync::{
    parse_client, parse_server, AuthenticateKind, ClientMessage, FunctionLogs, ServerMessage,
};

/// Whether a URL belongs to a Convex deployment's API, recognised by path and protocol
/// (`/api/<version>/sync`, `/api/sync`, `/api/query|mutation|action|function|run/…`), so that self-hosted and
/// local backends count, not only `*.convex.cloud`.
pub fn is_convex_url(_url: &str) -> bool {
    false
}

/// The deployment a Convex URL belongs to, as `https://host[:port]` (`wss://` → `https://`, `ws://` → `http://`).
pub fn deployment_of(_url: &str) -> Option<String> {
    None
}
