//! Streaming HAR reader: a HAR file (Chrome's, with `_webSocketMessages`, or Firefox's, HTTP only) into
//! [`Event`]s, never holding the whole document.
//!
//! HAR captures of a busy Convex app are hundreds of megabytes, nearly all of it query results in `Transition`
//! frames. So the reader walks `log.entries` with serde visitors over `serde_json::Deserializer::from_reader`
//! (no `Value` tree), skips whatever it does not need with `IgnoredAny`, and runs the sync module's cheap
//! pre-check on each frame's text while it is still serde's scratch buffer, copying only frames that can matter.
//!
//! What is passed on (only Convex traffic, recognised by [`is_convex_url`]):
//! - per WebSocket entry, in the entry's own (time) order: client frames; server frames the pre-check keeps
//!   ([`server_frame_may_matter`](super::server_frame_may_matter)), plus the socket's first `Transition`
//!   even when skippable, so the analysis still sees that the socket got one; `error` frames and close
//!   frames (opcode 8) as [`Event::WsClose`]. Binary frames are dropped. The socket id is `"<url> <startedDateTime>"`.
//! - HTTP entries to the Convex API as [`Event::Http`].
//!
//! Order: events come out entry by entry, in file order (HAR lists entries by start time), each socket's frames
//! in their own (time) order. A WebSocket entry's frames are passed on while they are read when the entry gave
//! its URL and `startedDateTime` before `_webSocketMessages` (Chrome writes the messages last); otherwise (keys
//! in alphabetical order) they are buffered and passed on when the entry ends. Either way an HTTP call made
//! while a socket was open comes out before or after all of that socket's frames, not interleaved by time.
//! That is enough because the analysis keeps state per socket (its frames are in order) and every event
//! carries its own time, so a caller that needs one global order can sort the (small, filtered) event list by
//! `time`. Sorting here is not possible without holding every event of the file.
//!
//! Memory: besides serde's scratch buffer (as large as the longest string in the file), one entry's retained
//! text — headers, bodies of Convex calls, buffered frames — is held until the entry ends, capped at
//! [`ENTRY_BUDGET`] bytes. Past the cap a non-Convex entry is simply dropped; a Convex socket whose frames had
//! to be buffered (URL after the frames) fails with an error rather than giving a partial picture silently.

use std::fmt;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::is_convex_url;
use super::sync::{classify_frame, FrameClass};
use crate::event::{Direction, Event, HttpExchange};

/// Most text one entry may keep while it is read (headers, Convex bodies, kept frames).
pub const ENTRY_BUDGET: usize = 64 * 1024 * 1024;

/// What reading a HAR file gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HarStats {
    /// Entries read (all of them, Convex or not).
    pub entries: u64,
    /// WebSocket messages read in Convex sockets' entries (kept or not).
    pub frames: u64,
    /// Events handed to the sink.
    pub events: u64,
    /// Convex socket frames dropped by the pre-check (pings, skippable transitions, binary frames).
    pub frames_skipped: u64,
}

/// Streams a HAR file (Chrome's, with `_webSocketMessages`, or Firefox's) into events, never holding the whole
/// document. Only Convex traffic is passed on.
pub fn read_har<R: std::io::Read>(
    reader: R,
    sink: &mut dyn FnMut(Event),
) -> Result<HarStats, String> {
    read_har_with_budget(reader, sink, ENTRY_BUDGET)
}

/// [`read_har`] with another per-entry budget than [`ENTRY_BUDGET`] (front ends with tighter memory; tests).
pub fn read_har_with_budget<R: std::io::Read>(
    reader: R,
    sink: &mut dyn FnMut(Event),
    entry_budget: usize,
) -> Result<HarStats, String> {
    let mut ctx = Ctx {
        entry_budget,
        sink,
        stats: HarStats::default(),
        saw_entries: false,
    };
    // serde_json reads byte by byte: without a buffer, an unbuffered `File` would cost a system call per byte.
    // (Over a caller's own `BufReader` this costs nothing: large reads bypass the inner buffer.)
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 * 1024, reader));
    DocSeed { ctx: &mut ctx }
        .deserialize(&mut de)
        .map_err(describe)?;
    de.end()
        .map_err(|e| format!("not a HAR file: unexpected data after the document ({e})"))?;
    if !ctx.saw_entries {
        return Err("not a HAR file: no log.entries array".to_string());
    }
    Ok(ctx.stats)
}

fn describe(e: serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => format!("HAR file is truncated: {e}"),
        Category::Io => format!("could not read the HAR file: {e}"),
        Category::Syntax => format!("not a HAR file (invalid JSON): {e}"),
        Category::Data => format!("not a HAR file: {e}"),
    }
}

struct Ctx<'s> {
    entry_budget: usize,
    sink: &'s mut dyn FnMut(Event),
    stats: HarStats,
    saw_entries: bool,
}

impl Ctx<'_> {
    fn emit(&mut self, event: Event) {
        self.stats.events += 1;
        (self.sink)(event);
    }
}

/// A map key among `names`, read without allocating: its index, or `None` for any other key.
struct KeyOf(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyOf {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyOf {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|n| *n == v))
    }
}

// --- document and log --------------------------------------------------------------------------------------

struct DocSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR document (a JSON object with \"log\")")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeyOf(&["log"]))? {
            match key {
                Some(_) => map.next_value_seed(LogSeed {
                    ctx: &mut *self.ctx,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct LogSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR \"log\" object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeyOf(&["entries"]))? {
            match key {
                Some(_) => {
                    self.ctx.saw_entries = true;
                    map.next_value_seed(EntriesSeed {
                        ctx: &mut *self.ctx,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct EntriesSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of HAR entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let mut entry = Entry {
                budget: self.ctx.entry_budget,
                ..Entry::default()
            };
            if seq
                .next_element_seed(EntrySeed {
                    entry: &mut entry,
                    ctx: &mut *self.ctx,
                })?
                .is_none()
            {
                break;
            }
            self.ctx.stats.entries += 1;
            entry.finish(self.ctx).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

// --- one entry ------------------------------------------------------------------------------------------------

#[derive(Default)]
struct Entry {
    started: Option<String>,
    resource_type: Option<String>,
    method: Option<String>,
    url: Option<String>,
    request_headers: Vec<(String, String)>,
    post_text: Option<String>,
    status: Option<u16>,
    response_headers: Vec<(String, String)>,
    content_text: Option<String>,
    content_base64: bool,
    frames: Vec<Frame>,
    saw_messages: bool,
    frames_read: u64,
    frames_skipped: u64,
    first_transition_kept: bool,
    /// Bytes retained so far, against `budget` ([`ENTRY_BUDGET`] unless the caller chose another).
    retained: usize,
    budget: usize,
    over_budget: bool,
}

struct Frame {
    kind: FrameKind,
    time: f64,
    data: String,
}

enum FrameKind {
    Text(Direction),
    Close,
}

impl Frame {
    fn into_event(self, socket: &str, url: &str) -> Event {
        match self.kind {
            FrameKind::Text(direction) => Event::WsFrame {
                socket: socket.to_string(),
                url: url.to_string(),
                direction,
                time: self.time,
                data: self.data,
            },
            FrameKind::Close => Event::WsClose {
                socket: socket.to_string(),
                url: url.to_string(),
                time: self.time,
                reason: Some(self.data).filter(|d| !d.is_empty()),
            },
        }
    }
}

impl Entry {
    /// Counts `len` bytes against the budget; false (and the entry marked) when they do not fit.
    fn retain(&mut self, len: usize) -> bool {
        if self.over_budget || self.retained.saturating_add(len) > self.budget {
            self.over_budget = true;
            return false;
        }
        self.retained += len;
        true
    }

    fn is_socket(&self) -> bool {
        let scheme_ws = self.url.as_deref().is_some_and(|u| {
            let l = u.trim_start().as_bytes();
            l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case(b"wss:/"))
                || l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"ws:/"))
        });
        scheme_ws || self.resource_type.as_deref() == Some("websocket") || self.saw_messages
    }

    /// Whether the URL is known and not a Convex one: then bodies and frames need not be read at all.
    fn known_foreign(&self) -> bool {
        self.url.as_deref().is_some_and(|u| !is_convex_url(u))
    }

    fn finish(self, ctx: &mut Ctx) -> Result<(), String> {
        let Some(url) = self.url.clone() else {
            return Ok(());
        };
        if !is_convex_url(&url) {
            return Ok(());
        }
        let time = self.started.as_deref().and_then(parse_iso8601);
        if self.is_socket() {
            if self.over_budget {
                return Err(format!(
                    "HAR entry for {url} keeps more than {} bytes of frames",
                    self.budget
                ));
            }
            ctx.stats.frames += self.frames_read;
            ctx.stats.frames_skipped += self.frames_skipped;
            let socket = format!("{url} {}", self.started.as_deref().unwrap_or(""));
            for frame in self.frames {
                ctx.emit(frame.into_event(&socket, &url));
            }
            return Ok(());
        }
        let response_body = match self.content_text {
            Some(text) if self.content_base64 => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|e| {
                        format!("HAR entry for {url}: response content is not valid base64 ({e})")
                    })?;
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            other => other,
        };
        ctx.emit(Event::Http(HttpExchange {
            url,
            method: self.method.unwrap_or_default(),
            time: time.unwrap_or(0.0),
            request_headers: self.request_headers,
            request_body: self.post_text,
            status: self.status.unwrap_or(0),
            response_headers: self.response_headers,
            response_body,
        }));
        Ok(())
    }
}

struct EntrySeed<'e, 'c, 's> {
    entry: &'e mut Entry,
    /// For frames passed on while the entry is read (when its URL came first).
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

const ENTRY_KEYS: &[&str] = &[
    "startedDateTime",
    "_resourceType",
    "request",
    "response",
    "_webSocketMessages",
];

impl<'de> Visitor<'de> for EntrySeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR entry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let e = self.entry;
        while let Some(key) = map.next_key_seed(KeyOf(ENTRY_KEYS))? {
            match key {
                Some(0) => e.started = map.next_value()?,
                Some(1) => e.resource_type = map.next_value()?,
                Some(2) => map.next_value_seed(RequestSeed { entry: &mut *e })?,
                Some(3) if e.known_foreign() => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(3) => map.next_value_seed(ResponseSeed { entry: &mut *e })?,
                Some(4) if e.known_foreign() => {
                    e.saw_messages = true;
                    map.next_value::<IgnoredAny>()?;
                }
                Some(4) => {
                    e.saw_messages = true;
                    map.next_value_seed(MessagesSeed {
                        entry: &mut *e,
                        ctx: &mut *self.ctx,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Header {
    name: String,
    value: String,
}

fn keep_headers(entry: &mut Entry, headers: Vec<Header>) -> Vec<(String, String)> {
    let len: usize = headers.iter().map(|h| h.name.len() + h.value.len()).sum();
    if !entry.retain(len) {
        return Vec::new();
    }
    headers.into_iter().map(|h| (h.name, h.value)).collect()
}

struct RequestSeed<'e> {
    entry: &'e mut Entry,
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR request object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let e = self.entry;
        while let Some(key) = map.next_key_seed(KeyOf(&["method", "url", "headers", "postData"]))? {
            match key {
                Some(0) => e.method = map.next_value()?,
                Some(1) => e.url = map.next_value()?,
                Some(2) => {
                    let headers: Option<Vec<Header>> = map.next_value()?;
                    e.request_headers = keep_headers(e, headers.unwrap_or_default());
                }
                Some(3) => {
                    #[derive(Deserialize)]
                    struct PostData {
                        text: Option<String>,
                    }
                    let post: Option<PostData> = map.next_value()?;
                    let text = post.and_then(|p| p.text);
                    if let Some(t) = text {
                        if e.retain(t.len()) {
                            e.post_text = Some(t);
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct ResponseSeed<'e> {
    entry: &'e mut Entry,
}

impl<'de> DeserializeSeed<'de> for ResponseSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResponseSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR response object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let e = self.entry;
        while let Some(key) = map.next_key_seed(KeyOf(&["status", "headers", "content"]))? {
            match key {
                Some(0) => {
                    let status: Option<f64> = map.next_value()?;
                    // Firefox and Chrome write 0 (or -1) for a request that got no response.
                    e.status = status.map(|s| {
                        if (0.0..=u16::MAX as f64).contains(&s) {
                            s as u16
                        } else {
                            0
                        }
                    });
                }
                Some(1) => {
                    let headers: Option<Vec<Header>> = map.next_value()?;
                    e.response_headers = keep_headers(e, headers.unwrap_or_default());
                }
                Some(2) => {
                    #[derive(Deserialize)]
                    struct Content {
                        text: Option<String>,
                        encoding: Option<String>,
                    }
                    let content: Option<Content> = map.next_value()?;
                    if let Some(c) = content {
                        e.content_base64 = c.encoding.as_deref() == Some("base64");
                        if let Some(t) = c.text {
                            if e.retain(t.len()) {
                                e.content_text = Some(t);
                            }
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

// --- WebSocket messages ---------------------------------------------------------------------------------------

struct MessagesSeed<'e, 'c, 's> {
    entry: &'e mut Entry,
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for MessagesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MessagesSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of WebSocket messages")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let e = self.entry;
        // URL (a Convex one: foreign sockets are skipped before this) and start known: pass frames on at once,
        // nothing buffered. Otherwise (keys in alphabetical order) buffer them until the entry ends.
        let live = match (&e.url, &e.started) {
            (Some(url), Some(started)) => Some((format!("{url} {started}"), url.clone())),
            _ => None,
        };
        loop {
            let mut msg = Message::default();
            if seq
                .next_element_seed(MessageSeed {
                    entry: &mut *e,
                    msg: &mut msg,
                })?
                .is_none()
            {
                break;
            }
            e.frames_read += 1;
            let kind = match (msg.ty, msg.opcode) {
                (Some(MsgType::Error), _) => Some(FrameKind::Close),
                (_, Some(8)) => Some(FrameKind::Close),
                (Some(MsgType::Send), None | Some(1)) => Some(FrameKind::Text(Direction::Send)),
                (Some(MsgType::Receive), None | Some(1)) => {
                    Some(FrameKind::Text(Direction::Receive))
                }
                _ => None,
            };
            let time = msg.time.unwrap_or(0.0);
            let frame = match (kind, msg.data) {
                (Some(kind), Some(data)) => Frame { kind, time, data },
                (Some(FrameKind::Close), None) => Frame {
                    kind: FrameKind::Close,
                    time,
                    data: String::new(),
                },
                _ => {
                    e.frames_skipped += 1;
                    continue;
                }
            };
            match &live {
                Some((socket, url)) => self.ctx.emit(frame.into_event(socket, url)),
                None => {
                    if e.retain(frame.data.len()) {
                        e.frames.push(frame);
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MsgType {
    Send,
    Receive,
    Error,
}

#[derive(Default)]
struct Message {
    ty: Option<MsgType>,
    time: Option<f64>,
    opcode: Option<u64>,
    data: Option<String>,
}

struct MessageSeed<'e, 'm> {
    entry: &'e mut Entry,
    msg: &'m mut Message,
}

impl<'de> DeserializeSeed<'de> for MessageSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a WebSocket message object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let msg = self.msg;
        while let Some(key) = map.next_key_seed(KeyOf(&["type", "time", "opcode", "data"]))? {
            match key {
                Some(0) => {
                    let t = map.next_value_seed(KeyOf(&["send", "receive", "error"]))?;
                    msg.ty = match t {
                        Some(0) => Some(MsgType::Send),
                        Some(1) => Some(MsgType::Receive),
                        Some(2) => Some(MsgType::Error),
                        _ => None,
                    };
                }
                Some(1) => msg.time = map.next_value()?,
                Some(2) => msg.opcode = map.next_value()?,
                Some(3) => {
                    msg.data = map.next_value_seed(DataSeed {
                        entry: &mut *self.entry,
                        ty: msg.ty,
                        opcode: msg.opcode,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A frame's `data`, copied out of serde's scratch buffer only when it can matter. The check is run on the
/// borrowed text; `type`/`opcode` may not be known yet (keys in any order), which the check does not need:
/// client frames always pass it.
struct DataSeed<'e> {
    entry: &'e mut Entry,
    ty: Option<MsgType>,
    opcode: Option<u64>,
}

impl<'de> DeserializeSeed<'de> for DataSeed<'_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a frame's data string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if self.ty == Some(MsgType::Error) || self.opcode == Some(8) {
            return Ok(Some(v.to_string()));
        }
        if self.opcode.is_some_and(|o| o != 1) {
            return Ok(None); // binary (base64) frames: the sync protocol is text only
        }
        match classify_frame(v) {
            FrameClass::Matters => Ok(Some(v.to_string())),
            FrameClass::TransitionMatters => {
                self.entry.first_transition_kept = true;
                Ok(Some(v.to_string()))
            }
            FrameClass::SkippableTransition if !self.entry.first_transition_kept => {
                self.entry.first_transition_kept = true;
                Ok(Some(v.to_string()))
            }
            FrameClass::SkippableTransition | FrameClass::Noise => Ok(None),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

// --- time -----------------------------------------------------------------------------------------------------

/// Parses an ISO 8601 / RFC 3339 date-time as HAR writes `startedDateTime` (`2024-05-01T12:34:56.789Z`, Firefox
/// with an offset `…+02:00`) into Unix seconds. `None` for anything else.
pub fn parse_iso8601(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = s.get(from..from + len)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = i64::from(num(0, 4)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (month, day) = (num(5, 2)?, num(8, 2)?);
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day == 0 || day > super::http::days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut pos = 19;
    let mut frac = 0.0;
    if b.get(pos) == Some(&b'.') {
        let digits = b
            .get(pos + 1..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        frac = s.get(pos..pos + 1 + digits)?.parse::<f64>().ok()?;
        pos += 1 + digits;
    }
    let offset_secs: i64 = match b.get(pos) {
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = i64::from(num(pos + 1, 2)?);
            let rest = s.get(pos + 3..)?;
            let om = match rest.len() {
                0 => 0,
                2 => i64::from(num(pos + 3, 2)?),
                3 if rest.starts_with(':') => i64::from(num(pos + 4, 2)?),
                _ => return None,
            };
            let o = oh * 3600 + om * 60;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        // No zone: HAR requires one; read it as UTC rather than guess a local zone.
        None => 0,
        _ => return None,
    };
    let days = super::http::days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    Some(secs as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_iso8601("2024-05-01T12:34:56.5Z"), Some(1714566896.5));
        assert_eq!(
            parse_iso8601("2024-05-01T14:34:56.5+02:00"),
            Some(1714566896.5)
        );
        assert_eq!(
            parse_iso8601("2024-05-01T10:34:56.5-0200"),
            Some(1714566896.5)
        );
        assert_eq!(parse_iso8601("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_iso8601("2024-05-01"), None);
        assert_eq!(parse_iso8601("2024-05-01T00:00:00Zjunk"), None);
        assert_eq!(parse_iso8601("ééééééééééééééééééééé"), None);
    }
}
