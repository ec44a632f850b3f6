//! The sync WebSocket's JSON frames, both directions, read as far as the doctor needs them.
//!
//! Shapes follow the `convex` npm package's `src/browser/sync/protocol.ts` (1.48.0) and the backend's
//! `sync_types` JSON encoding. Two facts drive the design:
//! - A busy app receives thousands of large `Transition`s whose query values never matter to an auth diagnosis.
//!   [`server_frame_may_matter`] recognises those with a few `memchr` scans (no JSON tree, no allocation), and
//!   [`parse_server`] uses the same fast path before falling back to a full parse.
//! - Admin keys travel in `Authenticate` frames (`tokenType: "Admin"`): the key is only in the parse tree,
//!   which is dropped when the frame has been read; it is never copied into a result.
//!
//! Frames that get the full parse are read into a [`serde_json::Value`] and their fields picked with
//! [`super::json`], not through serde derives: the derives (and their `IgnoredAny` skipping) were the largest
//! part of the wasm module. The fast path above keeps the cost where it matters, on the many frames that
//! cannot matter.

use std::sync::OnceLock;

#[cfg(not(target_arch = "wasm32"))]
use memchr::memmem;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::text::base64::Base64;
use crate::text::json::{
    opt_bool, opt_f64, opt_objects, opt_str, opt_strings, opt_u32, opt_u64, parse_object, req_str,
};

/// The auth part of an `Authenticate` frame.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthenticateKind {
    /// `tokenType: "User"`: the JWT text as sent.
    User { token: String },
    /// `tokenType: "Admin"` (the key is never kept).
    Admin { impersonating: bool },
    /// `tokenType: "None"`: auth cleared.
    None,
}

/// A client → server message, as far as the doctor needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    Connect {
        connection_count: u32,
        last_close_reason: Option<String>,
        /// `clientTs` (ms): the client's first `Date.now()` plus `performance.now()` (`web_socket_manager.ts`
        /// `monotonicMillis`), so it runs ahead of the wall clock by the page's age at that first reading.
        client_ts: Option<f64>,
    },
    Authenticate {
        auth: AuthenticateKind,
        base_version: u64,
    },
    ModifyQuerySet {
        udf_paths: Vec<String>,
    },
    Mutation {
        request_id: u64,
        udf_path: String,
    },
    Action {
        request_id: u64,
        udf_path: String,
    },
    /// `Event` and any type this engine does not know.
    Other {
        message_type: String,
    },
}

/// Log lines of one function result.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionLogs {
    /// `udfPath` where the frame tells it (mutations/actions through their requestId are matched by the caller).
    pub query_id: Option<u64>,
    pub request_id: Option<u64>,
    pub log_lines: Vec<String>,
    /// The error text of a failed query/mutation/action.
    pub error: Option<String>,
}

/// The most `queryId`s a Transition's [`ServerMessage::Transition::updated`] keeps.
pub const MAX_UPDATED_IDS: usize = 4096;

/// A server → client message, as far as the doctor needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// A Transition. Frames that cannot matter (no log lines, no identity change) are recognised without a full
    /// parse and come back with empty `results`.
    ///
    /// `results` holds only modifications that say something: `QueryUpdated` with log lines, and every
    /// `QueryFailed`. `client_clock_skew` is in milliseconds as the server sends it: the Connect frame's `clientTs`
    /// minus the server's time when it received it (convex-backend `sync/src/worker.rs:613-616`), so it includes
    /// the page's age at the client's first clock reading and is no clock offset by itself; `server_ts` is the server's clock when it sent the frame, converted from
    /// the wire's nanoseconds to Unix seconds.
    Transition {
        start_identity: u64,
        end_identity: u64,
        results: Vec<FunctionLogs>,
        /// The `queryId` of every `QueryUpdated`/`QueryFailed` in a fully read Transition, log lines or not (at most
        /// [`MAX_UPDATED_IDS`]); empty for one read by the cheap pre-check. The backend sends a query's result only
        /// when it changed (convex-backend `crates/sync/src/state.rs:454-483`), so an id here is a changed result.
        updated: Vec<u64>,
        client_clock_skew: Option<f64>,
        server_ts: Option<f64>,
    },
    TransitionChunk {
        transition_id: String,
        part_number: u32,
        total_parts: u32,
        chunk: String,
    },
    MutationResponse(FunctionLogs),
    ActionResponse(FunctionLogs),
    AuthError {
        error: String,
        base_version: u64,
        auth_update_attempted: Option<bool>,
    },
    FatalError {
        error: String,
    },
    Ping,
    Other {
        message_type: String,
    },
}

/// Decodes a wire `ts` (`startVersion.ts`, `MutationResponse.ts`): standard base64 of 8 little-endian bytes
/// (`u64ToLong` in `protocol.ts`, `SerializedTs` in the backend). `None` when it is not exactly that.
pub fn decode_ts(encoded: &str) -> Option<u64> {
    // 8 bytes encode to 11 characters and one `=`: anything longer is refused before decoding.
    if encoded.len() != 12 {
        return None;
    }
    let bytes = Base64::STANDARD.decode(encoded).ok()?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

// ---------------------------------------------------------------------------------------------------------------
// Client → server

/// The fields of a client frame the doctor reads, borrowed from its parse tree.
struct RawClient<'a> {
    ty: &'a str,
    connection_count: Option<u32>,
    last_close_reason: Option<&'a str>,
    client_ts: Option<f64>,
    token_type: Option<&'a str>,
    /// The JWT for `User`, the admin key for `Admin`.
    value: Option<&'a str>,
    /// `None` for absent or `null`, `Some` for an identity object.
    impersonating: bool,
    base_version: Option<u64>,
    modifications: Option<Vec<RawQueryChange<'a>>>,
    request_id: Option<u64>,
    udf_path: Option<&'a str>,
}

struct RawQueryChange<'a> {
    ty: &'a str,
    query_id: Option<u64>,
    udf_path: Option<&'a str>,
}

impl<'a> RawClient<'a> {
    fn read(o: &'a Map<String, Value>) -> Result<Self, String> {
        let modifications = match opt_objects(o, "modifications")? {
            Some(list) => Some(
                list.into_iter()
                    .map(|m| {
                        Ok(RawQueryChange {
                            ty: req_str(m, "type")?,
                            query_id: opt_u64(m, "queryId")?,
                            udf_path: opt_str(m, "udfPath")?,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
            None => None,
        };
        Ok(RawClient {
            ty: req_str(o, "type")?,
            connection_count: opt_u32(o, "connectionCount")?,
            last_close_reason: opt_str(o, "lastCloseReason")?,
            client_ts: opt_f64(o, "clientTs")?,
            token_type: opt_str(o, "tokenType")?,
            value: opt_str(o, "value")?,
            impersonating: o.get("impersonating").is_some_and(|v| !v.is_null()),
            base_version: opt_u64(o, "baseVersion")?,
            modifications,
            request_id: opt_u64(o, "requestId")?,
            udf_path: opt_str(o, "udfPath")?,
        })
    }
}

fn client_tree(data: &str) -> Result<Map<String, Value>, String> {
    parse_object(data).map_err(|e| format!("client frame is not a sync message: {e}"))
}

/// Parses a client → server frame.
pub fn parse_client(data: &str) -> Result<ClientMessage, String> {
    let tree = client_tree(data)?;
    let raw =
        RawClient::read(&tree).map_err(|e| format!("client frame is not a sync message: {e}"))?;
    let missing = |field: &str| format!("{} frame without `{field}`", raw.ty);
    Ok(match raw.ty {
        "Connect" => ClientMessage::Connect {
            connection_count: raw.connection_count.unwrap_or(0),
            last_close_reason: raw.last_close_reason.map(str::to_owned),
            client_ts: raw.client_ts,
        },
        "Authenticate" => {
            let auth = match raw.token_type {
                Some("User") => AuthenticateKind::User {
                    token: raw.value.ok_or_else(|| missing("value"))?.to_owned(),
                },
                // The admin key (`value`) is dropped here on purpose.
                Some("Admin") => AuthenticateKind::Admin {
                    impersonating: raw.impersonating,
                },
                Some("None") => AuthenticateKind::None,
                Some(other) => {
                    return Err(format!(
                        "Authenticate frame with unknown tokenType {other:?}"
                    ))
                }
                None => return Err(missing("tokenType")),
            };
            ClientMessage::Authenticate {
                auth,
                base_version: raw.base_version.unwrap_or(0),
            }
        }
        "ModifyQuerySet" => ClientMessage::ModifyQuerySet {
            udf_paths: raw
                .modifications
                .unwrap_or_default()
                .into_iter()
                .filter(|m| m.ty == "Add")
                .filter_map(|m| m.udf_path.map(str::to_owned))
                .collect(),
        },
        "Mutation" | "Action" => {
            let request_id = raw.request_id.ok_or_else(|| missing("requestId"))?;
            let udf_path = raw.udf_path.ok_or_else(|| missing("udfPath"))?.to_owned();
            if raw.ty == "Mutation" {
                ClientMessage::Mutation {
                    request_id,
                    udf_path,
                }
            } else {
                ClientMessage::Action {
                    request_id,
                    udf_path,
                }
            }
        }
        other => ClientMessage::Other {
            message_type: other.to_string(),
        },
    })
}

/// The queries a `ModifyQuerySet` frame adds, as `(queryId, udfPath)`: a Transition's results name queries by
/// `queryId` only, so this is how a `'server identity'` line is tied to its function. Other frames give an
/// empty list.
pub fn added_queries(data: &str) -> Result<Vec<(u64, String)>, String> {
    let tree = client_tree(data)?;
    let raw =
        RawClient::read(&tree).map_err(|e| format!("client frame is not a sync message: {e}"))?;
    if raw.ty != "ModifyQuerySet" {
        return Ok(Vec::new());
    }
    Ok(raw
        .modifications
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.ty == "Add")
        .filter_map(|m| Some((m.query_id?, m.udf_path?.to_owned())))
        .collect())
}

// ---------------------------------------------------------------------------------------------------------------
// Server → client: the cheap pre-check

/// Whether a server → client frame can matter to the diagnosis. `false` only for frames known to be noise:
/// `Ping`, and `Transition`s with no log lines, no failed query and no identity change. Anything unclear
/// (unexpected layout, keys that also occur inside query values, unreadable versions) counts as mattering, so
/// callers may drop `false` frames safely. Runs a handful of `memchr` scans and reads two tiny objects; it never
/// parses query values.
pub fn server_frame_may_matter(data: &str) -> bool {
    matches!(
        classify_frame(data),
        FrameClass::Matters | FrameClass::TransitionMatters
    )
}

/// What the cheap pre-check says of a frame (either direction: client frames always matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameClass {
    /// Anything but a Transition that may matter (client frames included).
    Matters,
    /// A Transition with log lines, a failed query or an identity change (or one the check is not sure of).
    TransitionMatters,
    /// A `Transition` with nothing for the doctor. Callers that drop these still keep one per socket, so that
    /// "this socket received a Transition" stays visible.
    SkippableTransition,
    /// `Ping`.
    Noise,
}

pub(crate) fn classify_frame(data: &str) -> FrameClass {
    match quick_server_kind(data) {
        QuickKind::Ping => FrameClass::Noise,
        QuickKind::Transition if skippable_transition(data, false).is_some() => {
            FrameClass::SkippableTransition
        }
        QuickKind::Transition => FrameClass::TransitionMatters,
        QuickKind::Unknown => FrameClass::Matters,
    }
}

enum QuickKind {
    Ping,
    Transition,
    Unknown,
}

/// The message type when the top-level `type` key sits where serializers put it: first (insertion order) or last
/// (sorted keys, the backend's `serde_json` default). A `"type":"Transition"` anywhere else may be user data.
fn quick_server_kind(data: &str) -> QuickKind {
    let trimmed = data
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .as_bytes();
    if trimmed == b"{\"type\":\"Ping\"}" {
        QuickKind::Ping
    } else if has_type_at_edge(trimmed, b"Transition") {
        QuickKind::Transition
    } else {
        QuickKind::Unknown
    }
}

/// `{"type":"<name>"…` or `…"type":"<name>"}`, without allocating (this runs once per captured frame).
fn has_type_at_edge(trimmed: &[u8], name: &[u8]) -> bool {
    const HEAD: &[u8] = b"{\"type\":\"";
    const TAIL: &[u8] = b"\"type\":\"";
    let at_head = trimmed
        .strip_prefix(HEAD)
        .and_then(|r| r.strip_prefix(name))
        .is_some_and(|r| r.first() == Some(&b'"'));
    let at_tail = trimmed
        .strip_suffix(b"\"}")
        .and_then(|r| r.strip_suffix(name))
        .is_some_and(|r| r.ends_with(TAIL));
    at_head || at_tail
}

/// The parts of a skippable Transition: (identity, clientClockSkew, serverTs).
struct Skippable {
    identity: u64,
    client_clock_skew: Option<f64>,
    server_ts: Option<f64>,
}

/// `identity` of a `startVersion`/`endVersion` object (required, a non-negative integer).
fn version_identity(v: &Value) -> Option<u64> {
    v.as_object()?.get("identity")?.as_u64()
}

/// The substring searcher: `memchr::memmem` natively (SIMD; HAR files hold hundreds of MB of frames).
#[cfg(not(target_arch = "wasm32"))]
type Finder = memmem::Finder<'static>;

/// The substring searcher of the wasm build: wasm32 gets no SIMD from `memmem`, whose searchers cost about
/// 6 KB there. Candidates come from `memchr` on the needle's first byte and are compared in full; the needles
/// are short (at most 20 bytes), so the search stays linear in the frame.
#[cfg(target_arch = "wasm32")]
type Finder = PlainFinder;

/// See [`Finder`] on wasm; compiled natively for its test.
#[cfg(any(target_arch = "wasm32", test))]
struct PlainFinder {
    needle: &'static [u8],
}

#[cfg(any(target_arch = "wasm32", test))]
impl PlainFinder {
    fn new(needle: &'static [u8]) -> Self {
        PlainFinder { needle }
    }

    fn needle(&self) -> &[u8] {
        self.needle
    }

    fn find(&self, hay: &[u8]) -> Option<usize> {
        let (&first, _) = self.needle.split_first()?;
        let mut from = 0;
        while let Some(i) = hay.get(from..).and_then(|h| memchr::memchr(first, h)) {
            let at = from + i;
            if hay.get(at..)?.starts_with(self.needle) {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }

    /// Non-overlapping matches, left to right (as `memmem::Finder::find_iter`).
    fn find_iter<'h>(&'h self, hay: &'h [u8]) -> impl Iterator<Item = usize> + 'h {
        let mut from = 0;
        std::iter::from_fn(move || {
            let at = from + self.find(hay.get(from..)?)?;
            from = at + self.needle.len().max(1);
            Some(at)
        })
    }
}

/// Searchers built once: building a `memmem::Finder` per frame would cost as much as the search itself.
struct Needles {
    modifications: Finder,
    log_lines: Finder,
    query_failed: Finder,
    start_version: Finder,
    end_version: Finder,
    client_clock_skew: Finder,
    server_ts: Finder,
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| Needles {
        modifications: Finder::new(b"\"modifications\":["),
        log_lines: Finder::new(LOG_LINES),
        query_failed: Finder::new(b"\"QueryFailed\""),
        start_version: Finder::new(b"\"startVersion\":"),
        end_version: Finder::new(b"\"endVersion\":"),
        client_clock_skew: Finder::new(b"\"clientClockSkew\":"),
        server_ts: Finder::new(b"\"serverTs\":"),
    })
}

const LOG_LINES: &[u8] = b"\"logLines\":[";

/// The value after `"key":` when the key occurs exactly once in `header` and `tail` together (a second
/// occurrence means the reading is unsure). `Ok(None)` when absent, `Err(())` when unsure.
fn top_level_value<'a>(
    header: &'a str,
    tail: &'a str,
    key: &Finder,
) -> Result<Option<&'a str>, ()> {
    let mut found = None;
    for part in [header, tail] {
        for pos in key.find_iter(part.as_bytes()) {
            if found.is_some() {
                return Err(());
            }
            found = part.get(pos + key.needle().len()..);
        }
    }
    Ok(found)
}

/// Reads one JSON value at the start of `text`, ignoring what follows.
fn read_value(text: &str) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    Value::deserialize(&mut de).ok()
}

/// A Transition that carries nothing for the doctor, read without parsing its modifications; `None` when it may
/// matter (or when the cheap reading is not sure).
///
/// Layout: the only top-level field holding user data is `modifications`. Before the first `"modifications":[`
/// there can only be fixed-shape fields (`type`, the versions, `clientClockSkew`), because inside JSON strings
/// quotes are escaped and the pattern cannot occur; after the last `]` of the frame there can only be fields
/// that follow the array. So the versions and clock fields are looked up in that short header and tail only,
/// and the body is scanned twice (memchr speed) for non-empty `logLines` and `QueryFailed`. A `"logLines":[`
/// of user data inside a value only makes the check conservative.
///
/// `with_clock`: also read `clientClockSkew` and `serverTs` (the HAR pre-check does not need them).
fn skippable_transition(data: &str, with_clock: bool) -> Option<Skippable> {
    let n = needles();
    let bytes = data.as_bytes();
    let body_start = n.modifications.find(bytes)?;
    let body_end = memchr::memrchr(b']', bytes)?;
    if body_end < body_start {
        return None;
    }
    let body = bytes.get(body_start..=body_end)?;
    for pos in n.log_lines.find_iter(body) {
        let next = body
            .get(pos + LOG_LINES.len()..)?
            .iter()
            .find(|b| !b.is_ascii_whitespace());
        if next != Some(&b']') {
            return None;
        }
    }
    if n.query_failed.find(body).is_some() {
        return None;
    }
    let header = data.get(..body_start)?;
    let tail = data.get(body_end + 1..)?;
    let start = version_identity(&read_value(
        top_level_value(header, tail, &n.start_version).ok()??,
    )?)?;
    let end = version_identity(&read_value(
        top_level_value(header, tail, &n.end_version).ok()??,
    )?)?;
    if start != end {
        return None;
    }
    if !with_clock {
        return Some(Skippable {
            identity: start,
            client_clock_skew: None,
            server_ts: None,
        });
    }
    // A value of the wrong type makes the frame unsure (`None`), as a failed typed read did.
    let client_clock_skew = match top_level_value(header, tail, &n.client_clock_skew).ok()? {
        Some(text) => match read_value(text)? {
            Value::Null => None,
            v => Some(v.as_f64()?),
        },
        None => None,
    };
    let server_ts = match top_level_value(header, tail, &n.server_ts).ok()? {
        Some(text) => ts_seconds(Some(&read_value(text)?)).ok()?,
        None => None,
    };
    Some(Skippable {
        identity: start,
        client_clock_skew,
        server_ts,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Server → client: the typed parse

/// `serverTs` in Unix seconds: the backend sends nanoseconds since the epoch as a plain number; the base64 `ts`
/// form is accepted too (`None` when it does not decode). Absent or `null` is `None`; another type is an error.
fn ts_seconds(v: Option<&Value>) -> Result<Option<f64>, String> {
    let nanos = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => decode_ts(s).map(|n| n as f64),
        Some(_) => return Err("invalid `serverTs`: expected a number or a base64 ts".to_owned()),
    };
    Ok(nanos.map(|n| n / 1e9))
}

/// A modification of a Transition, as far as the doctor reads it.
struct RawModification<'a> {
    ty: &'a str,
    query_id: Option<u64>,
    log_lines: Option<Vec<String>>,
    error_message: Option<&'a str>,
}

/// The fields of a server frame the doctor reads. Every field is checked for its type whatever the frame's
/// type, as the typed parse this replaces did.
struct RawServer<'a> {
    ty: &'a str,
    start_version: Option<u64>,
    end_version: Option<u64>,
    modifications: Option<Vec<RawModification<'a>>>,
    client_clock_skew: Option<f64>,
    server_ts: Option<f64>,
    chunk: Option<&'a str>,
    part_number: Option<u32>,
    total_parts: Option<u32>,
    transition_id: Option<&'a str>,
    request_id: Option<u64>,
    success: Option<bool>,
    /// `result` when it is a string (the error text when `success: false`; the function's value otherwise).
    result_text: Option<&'a str>,
    log_lines: Option<Vec<String>>,
    error: Option<&'a str>,
    base_version: Option<u64>,
    auth_update_attempted: Option<bool>,
}

impl<'a> RawServer<'a> {
    fn read(o: &'a Map<String, Value>) -> Result<Self, String> {
        let version = |key: &str| -> Result<Option<u64>, String> {
            match o.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => version_identity(v).map(Some).ok_or_else(|| {
                    format!("invalid `{key}`: expected an object with an integer `identity`")
                }),
            }
        };
        let modifications = match opt_objects(o, "modifications")? {
            Some(list) => Some(
                list.into_iter()
                    .map(|m| {
                        Ok(RawModification {
                            ty: req_str(m, "type")?,
                            query_id: opt_u64(m, "queryId")?,
                            log_lines: opt_strings(m, "logLines")?,
                            error_message: opt_str(m, "errorMessage")?,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
            None => None,
        };
        Ok(RawServer {
            ty: req_str(o, "type")?,
            start_version: version("startVersion")?,
            end_version: version("endVersion")?,
            modifications,
            client_clock_skew: opt_f64(o, "clientClockSkew")?,
            server_ts: ts_seconds(o.get("serverTs"))?,
            chunk: opt_str(o, "chunk")?,
            part_number: opt_u32(o, "partNumber")?,
            total_parts: opt_u32(o, "totalParts")?,
            transition_id: opt_str(o, "transitionId")?,
            request_id: opt_u64(o, "requestId")?,
            success: opt_bool(o, "success")?,
            result_text: o.get("result").and_then(Value::as_str),
            log_lines: opt_strings(o, "logLines")?,
            error: opt_str(o, "error")?,
            base_version: opt_u64(o, "baseVersion")?,
            auth_update_attempted: opt_bool(o, "authUpdateAttempted")?,
        })
    }
}

/// Parses a server → client frame.
pub fn parse_server(data: &str) -> Result<ServerMessage, String> {
    if let QuickKind::Transition = quick_server_kind(data) {
        if let Some(s) = skippable_transition(data, true) {
            return Ok(ServerMessage::Transition {
                start_identity: s.identity,
                end_identity: s.identity,
                results: Vec::new(),
                updated: Vec::new(),
                client_clock_skew: s.client_clock_skew,
                server_ts: s.server_ts,
            });
        }
    }
    let tree =
        parse_object(data).map_err(|e| format!("server frame is not a sync message: {e}"))?;
    let raw =
        RawServer::read(&tree).map_err(|e| format!("server frame is not a sync message: {e}"))?;
    let missing = |field: &str| format!("{} frame without `{field}`", raw.ty);
    Ok(match raw.ty {
        "Transition" => {
            let start = raw.start_version.ok_or_else(|| missing("startVersion"))?;
            let end = raw.end_version.ok_or_else(|| missing("endVersion"))?;
            let modifications = raw.modifications.unwrap_or_default();
            let updated = modifications
                .iter()
                .filter(|m| matches!(m.ty, "QueryUpdated" | "QueryFailed"))
                .filter_map(|m| m.query_id)
                .take(MAX_UPDATED_IDS)
                .collect();
            let results = modifications
                .into_iter()
                .filter_map(|m| {
                    let log_lines = m.log_lines.unwrap_or_default();
                    let failed = m.ty == "QueryFailed";
                    if !failed && log_lines.is_empty() {
                        return None;
                    }
                    Some(FunctionLogs {
                        query_id: m.query_id,
                        request_id: None,
                        log_lines,
                        error: if failed {
                            Some(m.error_message.unwrap_or_default().to_owned())
                        } else {
                            None
                        },
                    })
                })
                .collect();
            ServerMessage::Transition {
                start_identity: start,
                end_identity: end,
                results,
                updated,
                client_clock_skew: raw.client_clock_skew,
                server_ts: raw.server_ts,
            }
        }
        "TransitionChunk" => ServerMessage::TransitionChunk {
            transition_id: raw
                .transition_id
                .ok_or_else(|| missing("transitionId"))?
                .to_owned(),
            part_number: raw.part_number.ok_or_else(|| missing("partNumber"))?,
            total_parts: raw.total_parts.ok_or_else(|| missing("totalParts"))?,
            chunk: raw.chunk.ok_or_else(|| missing("chunk"))?.to_owned(),
        },
        "MutationResponse" | "ActionResponse" => {
            let success = raw.success.ok_or_else(|| missing("success"))?;
            let error = if success {
                None
            } else {
                // `result` is the error text when `success` is false (protocol.ts MutationFailed/ActionFailed).
                Some(raw.result_text.unwrap_or_default().to_owned())
            };
            let logs = FunctionLogs {
                query_id: None,
                request_id: raw.request_id,
                log_lines: raw.log_lines.unwrap_or_default(),
                error,
            };
            if raw.ty == "MutationResponse" {
                ServerMessage::MutationResponse(logs)
            } else {
                ServerMessage::ActionResponse(logs)
            }
        }
        "AuthError" => ServerMessage::AuthError {
            error: raw.error.ok_or_else(|| missing("error"))?.to_owned(),
            base_version: raw.base_version.unwrap_or(0),
            auth_update_attempted: raw.auth_update_attempted,
        },
        "FatalError" => ServerMessage::FatalError {
            error: raw.error.ok_or_else(|| missing("error"))?.to_owned(),
        },
        "Ping" => ServerMessage::Ping,
        other => ServerMessage::Other {
            message_type: other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::decode_ts;
    use base64::Engine as _;

    /// The wasm build's searcher finds what `memmem` finds, overlapping candidates and needles at the edges
    /// included.
    #[test]
    fn plain_finder_matches_memmem() {
        let hays: [&[u8]; 6] = [
            b"",
            b"\"",
            br#"{"type":"Transition","modifications":[{"logLines":[]},{"logLines":["a"]}],"logLines":[]}"#,
            br#""logLines":["logLines":["logLines":["#,
            br#"""""logLines":[""#,
            br#"x"logLines""logLines":"#,
        ];
        for needle in [
            &br#""logLines":["#[..],
            br#""modifications":["#,
            b"\"",
            b"x",
        ] {
            let plain = super::PlainFinder::new(needle);
            let fast = memchr::memmem::Finder::new(needle);
            assert_eq!(plain.needle(), fast.needle());
            for hay in hays {
                assert_eq!(plain.find(hay), fast.find(hay));
                assert_eq!(
                    plain.find_iter(hay).collect::<Vec<_>>(),
                    fast.find_iter(hay).collect::<Vec<_>>()
                );
            }
        }
    }

    /// `decode_ts` accepts exactly what the standard `base64` engine decodes to 8 bytes.
    #[test]
    fn decode_ts_matches_the_standard_engine() {
        let reference = |s: &str| -> Option<u64> {
            let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
            Some(u64::from_le_bytes(bytes.try_into().ok()?))
        };
        let mut cases: Vec<String> = vec![
            "AAAAAAAAAAA=".into(),
            "ZAAAAAAAAAA=".into(),
            "AAAAAAAAAAE=".into(),
            "AAAAAAAAAAB=".into(),
            "AAAAAAAAAA==".into(),
            "AAAAAAAAAAA".into(),
            "AAAAAAAAAAAA".into(),
            "AAAAAAAAAA-=".into(),
            "AAAAAAAAAA/=".into(),
            "".into(),
        ];
        for n in [0u64, 1, 255, 1 << 40, u64::MAX, 1_764_180_000_000_000_000] {
            cases.push(base64::engine::general_purpose::STANDARD.encode(n.to_le_bytes()));
        }
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (i, c) in alphabet.iter().enumerate() {
            cases.push(format!("{}{}=", "x".repeat(10), *c as char));
            cases.push(format!("{}{}=", "A".repeat(10 - i % 10), *c as char).repeat(1));
        }
        for s in cases {
            assert_eq!(decode_ts(&s), reference(&s), "{s:?}");
        }
    }
}
