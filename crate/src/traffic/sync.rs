//! The sync WebSocket's JSON frames, both directions, read as far as the doctor needs them.
//!
//! Shapes follow the `convex` npm package's `src/browser/sync/protocol.ts` (1.48.0) and the backend's
//! `sync_types` JSON encoding. Two facts drive the design:
//! - A busy app receives thousands of large `Transition`s whose query values never matter to an auth diagnosis.
//!   [`server_frame_may_matter`] recognises those with a few `memchr` scans (no JSON tree, no allocation), and
//!   [`parse_server`] uses the same fast path before falling back to a typed, borrowing serde parse that skips
//!   query values with `IgnoredAny`.
//! - Admin keys travel in `Authenticate` frames (`tokenType: "Admin"`): the key is read as a borrowed slice and
//!   dropped, never copied into a result.

use std::borrow::Cow;
use std::sync::OnceLock;

use base64::Engine as _;
use memchr::memmem;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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

/// A server → client message, as far as the doctor needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// A Transition. Frames that cannot matter (no log lines, no identity change) are recognised without a full
    /// parse and come back with empty `results`.
    ///
    /// `results` holds only modifications that say something: `QueryUpdated` with log lines, and every
    /// `QueryFailed`. `client_clock_skew` is in milliseconds as the server sends it ("how far the client clock is
    /// behind", `web_socket_manager.ts`); `server_ts` is the server's clock when it sent the frame, converted from
    /// the wire's nanoseconds to Unix seconds.
    Transition {
        start_identity: u64,
        end_identity: u64,
        results: Vec<FunctionLogs>,
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
    let mut buf = [0u8; 9];
    // 8 bytes encode to 12 characters; a longer text cannot be a ts and must not overflow the buffer.
    if encoded.len() > 12 {
        return None;
    }
    let n = base64::engine::general_purpose::STANDARD
        .decode_slice(encoded, &mut buf)
        .ok()?;
    let bytes: [u8; 8] = buf.get(..n)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

// ---------------------------------------------------------------------------------------------------------------
// Client → server

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawClient<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    connection_count: Option<u32>,
    #[serde(default, borrow)]
    last_close_reason: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    token_type: Option<Cow<'a, str>>,
    /// The JWT for `User`, the admin key for `Admin`: borrowed so the admin key is never copied.
    #[serde(default, borrow)]
    value: Option<Cow<'a, str>>,
    /// `Option<IgnoredAny>`: `None` for absent or `null`, `Some` for an identity object.
    #[serde(default)]
    impersonating: Option<IgnoredAny>,
    base_version: Option<u64>,
    #[serde(default, borrow)]
    modifications: Option<Vec<RawQueryChange<'a>>>,
    request_id: Option<u64>,
    #[serde(default, borrow)]
    udf_path: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawQueryChange<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    query_id: Option<u64>,
    #[serde(default, borrow)]
    udf_path: Option<Cow<'a, str>>,
}

/// Parses a client → server frame.
pub fn parse_client(data: &str) -> Result<ClientMessage, String> {
    let raw: RawClient = serde_json::from_str(data)
        .map_err(|e| format!("client frame is not a sync message: {e}"))?;
    let missing = |field: &str| format!("{} frame without `{field}`", raw.ty);
    Ok(match raw.ty.as_ref() {
        "Connect" => ClientMessage::Connect {
            connection_count: raw.connection_count.unwrap_or(0),
            last_close_reason: raw.last_close_reason.map(Cow::into_owned),
        },
        "Authenticate" => {
            let auth = match raw.token_type.as_deref() {
                Some("User") => AuthenticateKind::User {
                    token: raw.value.ok_or_else(|| missing("value"))?.into_owned(),
                },
                // The admin key (`value`) is dropped here on purpose.
                Some("Admin") => AuthenticateKind::Admin {
                    impersonating: raw.impersonating.is_some(),
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
                .filter_map(|m| m.udf_path.map(Cow::into_owned))
                .collect(),
        },
        "Mutation" | "Action" => {
            let request_id = raw.request_id.ok_or_else(|| missing("requestId"))?;
            let udf_path = raw.udf_path.ok_or_else(|| missing("udfPath"))?.into_owned();
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
    let raw: RawClient = serde_json::from_str(data)
        .map_err(|e| format!("client frame is not a sync message: {e}"))?;
    if raw.ty != "ModifyQuerySet" {
        return Ok(Vec::new());
    }
    Ok(raw
        .modifications
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.ty == "Add")
        .filter_map(|m| Some((m.query_id?, m.udf_path?.into_owned())))
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

#[derive(Deserialize)]
struct RawVersion {
    identity: u64,
}

/// Searchers built once: building a `memmem::Finder` per frame would cost as much as the search itself.
struct Needles {
    modifications: memmem::Finder<'static>,
    log_lines: memmem::Finder<'static>,
    query_failed: memmem::Finder<'static>,
    start_version: memmem::Finder<'static>,
    end_version: memmem::Finder<'static>,
    client_clock_skew: memmem::Finder<'static>,
    server_ts: memmem::Finder<'static>,
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| Needles {
        modifications: memmem::Finder::new(b"\"modifications\":["),
        log_lines: memmem::Finder::new(LOG_LINES),
        query_failed: memmem::Finder::new(b"\"QueryFailed\""),
        start_version: memmem::Finder::new(b"\"startVersion\":"),
        end_version: memmem::Finder::new(b"\"endVersion\":"),
        client_clock_skew: memmem::Finder::new(b"\"clientClockSkew\":"),
        server_ts: memmem::Finder::new(b"\"serverTs\":"),
    })
}

const LOG_LINES: &[u8] = b"\"logLines\":[";

/// The value after `"key":` when the key occurs exactly once in `header` and `tail` together (a second
/// occurrence means the reading is unsure). `Ok(None)` when absent, `Err(())` when unsure.
fn top_level_value<'a>(
    header: &'a str,
    tail: &'a str,
    key: &memmem::Finder<'static>,
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

/// Reads one JSON value of type `T` at the start of `text`, ignoring what follows.
fn read_value<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    T::deserialize(&mut de).ok()
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
    let start: RawVersion = read_value(top_level_value(header, tail, &n.start_version).ok()??)?;
    let end: RawVersion = read_value(top_level_value(header, tail, &n.end_version).ok()??)?;
    if start.identity != end.identity {
        return None;
    }
    if !with_clock {
        return Some(Skippable {
            identity: start.identity,
            client_clock_skew: None,
            server_ts: None,
        });
    }
    let client_clock_skew = match top_level_value(header, tail, &n.client_clock_skew).ok()? {
        Some(text) => read_value::<Option<f64>>(text)?,
        None => None,
    };
    let server_ts = match top_level_value(header, tail, &n.server_ts).ok()? {
        Some(text) => read_value::<Option<TsValue>>(text)?.and_then(TsValue::seconds),
        None => None,
    };
    Some(Skippable {
        identity: start.identity,
        client_clock_skew,
        server_ts,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Server → client: the typed parse

/// `serverTs`: the backend sends nanoseconds since the epoch as a plain number; accept the base64 `ts` form too.
/// Hand-written rather than `#[serde(untagged)]`, which buffers the value first (this runs once per frame).
enum TsValue {
    Number(f64),
    Encoded(String),
}

impl<'de> Deserialize<'de> for TsValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TsValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a base64 ts")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TsValue, E> {
                Ok(TsValue::Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TsValue, E> {
                Ok(TsValue::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TsValue, E> {
                Ok(TsValue::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TsValue, E> {
                Ok(TsValue::Encoded(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl TsValue {
    fn seconds(self) -> Option<f64> {
        let nanos = match self {
            TsValue::Number(n) => n,
            TsValue::Encoded(s) => decode_ts(&s)? as f64,
        };
        Some(nanos / 1e9)
    }
}

/// A field that is an error text when it is a string and anything else otherwise (`result` of a response:
/// the error message when `success: false`, the function's value when `success: true`).
struct TextOrIgnored(Option<String>);

impl<'de> Deserialize<'de> for TextOrIgnored {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextOrIgnored;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(Some(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TextOrIgnored(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TextOrIgnored(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TextOrIgnored(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawServer<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    start_version: Option<RawVersion>,
    end_version: Option<RawVersion>,
    #[serde(default)]
    modifications: Option<Vec<RawModification>>,
    #[serde(default)]
    client_clock_skew: Option<f64>,
    #[serde(default)]
    server_ts: Option<TsValue>,
    chunk: Option<String>,
    part_number: Option<u32>,
    total_parts: Option<u32>,
    transition_id: Option<String>,
    request_id: Option<u64>,
    success: Option<bool>,
    result: Option<TextOrIgnored>,
    #[serde(default)]
    log_lines: Option<Vec<String>>,
    #[serde(default)]
    error: Option<String>,
    base_version: Option<u64>,
    #[serde(default)]
    auth_update_attempted: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawModification {
    #[serde(rename = "type")]
    ty: String,
    query_id: Option<u64>,
    #[serde(default)]
    log_lines: Option<Vec<String>>,
    #[serde(default)]
    error_message: Option<String>,
}

/// Parses a server → client frame.
pub fn parse_server(data: &str) -> Result<ServerMessage, String> {
    if let QuickKind::Transition = quick_server_kind(data) {
        if let Some(s) = skippable_transition(data, true) {
            return Ok(ServerMessage::Transition {
                start_identity: s.identity,
                end_identity: s.identity,
                results: Vec::new(),
                client_clock_skew: s.client_clock_skew,
                server_ts: s.server_ts,
            });
        }
    }
    let raw: RawServer = serde_json::from_str(data)
        .map_err(|e| format!("server frame is not a sync message: {e}"))?;
    let missing = |field: &str| format!("{} frame without `{field}`", raw.ty);
    Ok(match raw.ty.as_ref() {
        "Transition" => {
            let start = raw.start_version.ok_or_else(|| missing("startVersion"))?;
            let end = raw.end_version.ok_or_else(|| missing("endVersion"))?;
            let results = raw
                .modifications
                .unwrap_or_default()
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
                            Some(m.error_message.unwrap_or_default())
                        } else {
                            None
                        },
                    })
                })
                .collect();
            ServerMessage::Transition {
                start_identity: start.identity,
                end_identity: end.identity,
                results,
                client_clock_skew: raw.client_clock_skew,
                server_ts: raw.server_ts.and_then(TsValue::seconds),
            }
        }
        "TransitionChunk" => ServerMessage::TransitionChunk {
            transition_id: raw.transition_id.ok_or_else(|| missing("transitionId"))?,
            part_number: raw.part_number.ok_or_else(|| missing("partNumber"))?,
            total_parts: raw.total_parts.ok_or_else(|| missing("totalParts"))?,
            chunk: raw.chunk.ok_or_else(|| missing("chunk"))?,
        },
        "MutationResponse" | "ActionResponse" => {
            let success = raw.success.ok_or_else(|| missing("success"))?;
            let error = if success {
                None
            } else {
                // `result` is the error text when `success` is false (protocol.ts MutationFailed/ActionFailed).
                Some(raw.result.and_then(|r| r.0).unwrap_or_default())
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
            error: raw.error.ok_or_else(|| missing("error"))?,
            base_version: raw.base_version.unwrap_or(0),
            auth_update_attempted: raw.auth_update_attempted,
        },
        "FatalError" => ServerMessage::FatalError {
            error: raw.error.ok_or_else(|| missing("error"))?,
        },
        "Ping" => ServerMessage::Ping,
        other => ServerMessage::Other {
            message_type: other.to_string(),
        },
    })
}
