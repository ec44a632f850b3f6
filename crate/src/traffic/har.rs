//! Streaming HAR reader: a HAR file (Chrome's, with `_webSocketMessages`, or Firefox's, HTTP only) into
//! [`Event`]s, never holding the whole document.
//!
//! HAR captures of a busy Convex app are hundreds of megabytes, nearly all of it query results in `Transition`
//! frames. So the reader walks `log.entries` with a small pull scanner of its own (`har::scan`: strict JSON over a
//! fixed read buffer, no `Value` tree), reads only the fields it needs, skips the rest, and runs the sync module's
//! cheap pre-check on each frame's text in one reused buffer, copying out only frames that can matter. (It used
//! serde_json's `from_reader` before: that copies every string byte by byte and made reading 1.1–1.4× slower
//! than merely tokenizing the file with serde_json; see `benches/README.md`.)
//!
//! What is passed on (only Convex traffic, recognised by [`is_convex_url`]):
//! - per WebSocket entry, in the entry's own (time) order: client frames; server frames the pre-check keeps
//!   ([`server_frame_may_matter`](super::server_frame_may_matter)), plus the socket's first `Transition`
//!   even when skippable, so the analysis still sees that the socket got one; `error` frames and close
//!   frames (opcode 8) as [`Event::WsClose`]. Binary frames are dropped. The socket id is `"<url> <startedDateTime>"`.
//! - HTTP entries to the Convex API as [`Event::Http`], and the other HTTP entries `traffic::around` wants
//!   (identity providers' token endpoints, HTTP actions, requests carrying an auth library's cookies). CORS
//!   preflights (`OPTIONS`) to the Convex API are not passed on (they run no function); those to HTTP actions are
//!   (whether they let `Authorization` through is `around`'s question). A socket entry written under its
//!   handshake's `http(s)://` URL (mitmproxy) is a `ws(s)://` socket to the rest of the crate.
//!
//! Beside the events, [`HarStats::shape`] says what the file can and cannot show ([`HarShape`]: who wrote it,
//! credential headers, preflights, sockets without messages or joined late): counters filled as entries go by,
//! nothing more kept. Foreign entries' headers are read for it; their bodies are still skipped unread.
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
//! Memory: the scanner's 256 KiB read buffer, one reused frame buffer, and one entry's retained text —
//! headers, bodies of Convex calls, buffered frames — held until the entry ends, capped at [`ENTRY_BUDGET`]
//! bytes (or the caller's budget). No single string is held past that budget either: a longer frame of a
//! Convex socket or a longer URL, header or key is an error; a longer body is read through and not kept. Past
//! the cap a non-Convex entry is simply dropped; a Convex socket whose frames had to be buffered (URL after the
//! frames) fails with an error rather than giving a partial picture silently. So peak memory is about three
//! budgets at worst, whatever the file.

use scan::{Next, Scanner};
pub use shape::{Exporter, HarShape};

use super::is_convex_url;
use super::sync::{classify_frame, parse_client, ClientMessage, FrameClass};
use crate::event::{Direction, Event, HttpExchange};
use crate::text::base64::Base64;
use crate::text::date::{days_from_civil, days_in_month};

mod scan;
mod shape;

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
    /// What the file can and cannot show (who wrote it, credentials, socket messages): see [`HarShape`].
    pub shape: HarShape,
}

/// Streams a HAR file (Chrome's, with `_webSocketMessages`, or Firefox's) into events, never holding the whole
/// document. Only Convex traffic, and what `traffic::around` reads, is passed on.
pub fn read_har<R: std::io::Read>(
    reader: R,
    sink: &mut dyn FnMut(Event),
) -> Result<HarStats, String> {
    read_har_with_budget(reader, sink, ENTRY_BUDGET)
}

/// [`read_har`] with another per-entry budget than [`ENTRY_BUDGET`] (front ends with tighter memory; tests).
pub fn read_har_with_budget<R: std::io::Read>(
    mut reader: R,
    sink: &mut dyn FnMut(Event),
    entry_budget: usize,
) -> Result<HarStats, String> {
    let mut ctx = Ctx {
        entry_budget,
        sink,
        stats: HarStats::default(),
        saw_entries: false,
    };
    // The scanner reads in large blocks of its own: over a caller's `BufReader` those bypass its buffer.
    let mut sc = Walker {
        sc: Scanner::new(&mut reader),
        key: Vec::new(),
        data: Vec::new(),
    };
    // No single string may be longer than a whole entry may keep: a hostile file cannot make one take all memory.
    sc.sc.max_string = entry_budget;
    sc.document(&mut ctx).map_err(|e| e.describe())?;
    if !sc.sc.at_end().map_err(|e| e.describe())? {
        return Err(format!(
            "not a HAR file: unexpected data after the document (at byte {})",
            sc.sc.offset()
        ));
    }
    if !ctx.saw_entries {
        return Err("not a HAR file: no log.entries array".to_string());
    }
    Ok(ctx.stats)
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

/// Walks the HAR's structure over the scanner, reading only the fields the doctor needs and skipping the rest.
struct Walker<'r> {
    sc: Scanner<'r>,
    /// The current key, unescaped (reused).
    key: Vec<u8>,
    /// The current frame's `data`, unescaped (reused: most frames are dropped by the pre-check).
    data: Vec<u8>,
}

impl Walker<'_> {
    fn document(&mut self, ctx: &mut Ctx) -> scan::Result<()> {
        self.sc
            .begin_object("a HAR document (a JSON object with \"log\")")?;
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            if self.key == b"log" {
                self.log(ctx)?;
            } else {
                self.sc.skip_value()?;
            }
        }
        Ok(())
    }

    fn log(&mut self, ctx: &mut Ctx) -> scan::Result<()> {
        self.sc.begin_object("a HAR \"log\" object")?;
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            if self.key == b"entries" {
                ctx.saw_entries = true;
                self.entries(ctx)?;
            } else if self.key == b"creator" {
                self.creator(ctx)?;
            } else {
                self.sc.skip_value()?;
            }
        }
        Ok(())
    }

    /// `log.creator`: `{name, version}` (anything else, or a missing one, is no creator).
    fn creator(&mut self, ctx: &mut Ctx) -> scan::Result<()> {
        if self.sc.next_kind()? != Next::Object {
            return self.sc.skip_value();
        }
        self.sc.begin_object("a HAR creator object")?;
        let (mut name, mut version) = (None, None);
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            match self.key.as_slice() {
                b"name" if self.sc.next_kind()? == Next::String => {
                    name = self.sc.opt_string("creator name")?
                }
                b"version" if self.sc.next_kind()? == Next::String => {
                    version = self.sc.opt_string("creator version")?
                }
                _ => self.sc.skip_value()?,
            }
        }
        ctx.stats.shape.set_creator(name, version);
        Ok(())
    }

    fn entries(&mut self, ctx: &mut Ctx) -> scan::Result<()> {
        self.sc.begin_array("an array of HAR entries")?;
        let mut first = true;
        while self.sc.next_element(&mut first)? {
            let mut entry = Entry {
                budget: ctx.entry_budget,
                ..Entry::default()
            };
            self.entry(&mut entry, ctx)?;
            ctx.stats.entries += 1;
            if let Err(e) = entry.finish(ctx) {
                return self.sc.data_error(e);
            }
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
    /// What the entry tells of the file's shape ([`HarShape`]).
    loads_page: bool,
    credential_headers: u64,
    preflight_announces_authorization: bool,
    /// The first client message: `Some(Some(reconnect))` a `Connect` (a reconnection when its `lastCloseReason`
    /// names an earlier socket's close), `Some(None)` another message.
    first_send: Option<Option<bool>>,
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

    /// The URL as the rest of the crate names it: a socket entry written with its handshake's `http(s)://` URL
    /// (mitmproxy writes `flow.request.pretty_url`) gets its `ws(s)://` scheme back.
    fn event_url(&self) -> Option<String> {
        let url = self.url.as_deref()?;
        if self.is_socket() {
            let t = url.trim_start();
            for (http, ws) in [("https://", "wss://"), ("http://", "ws://")] {
                if t.get(..http.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(http))
                {
                    return Some(format!("{ws}{}", t.get(http.len()..).unwrap_or_default()));
                }
            }
        }
        Some(url.to_owned())
    }

    /// Whether the URL is known and neither a Convex one nor one whose bodies `around` reads (token endpoints,
    /// HTTP actions): then bodies and frames need not be read at all.
    fn known_foreign(&self) -> bool {
        self.event_url()
            .is_some_and(|u| !is_convex_url(&u) && !super::around::url_wants_body(&u))
    }

    /// Adds what this entry tells of the file to `shape`; `convex` when it is Convex traffic.
    fn note_shape(&self, shape: &mut HarShape, convex: bool) {
        shape.credential_headers += self.credential_headers;
        shape.page_loads += u64::from(self.loads_page);
        if !convex {
            return;
        }
        if self.is_socket() {
            let first_socket = shape.convex_sockets == 0;
            shape.convex_sockets += 1;
            shape.sockets_without_messages += u64::from(!self.saw_messages);
            match self.first_send {
                Some(None) => shape.sockets_joined_late += 1,
                Some(Some(reconnect)) if first_socket => shape.first_socket_reconnects = reconnect,
                _ => {}
            }
        } else if self.is_preflight() {
            shape.convex_preflights += 1;
            shape.preflights_announcing_authorization +=
                u64::from(self.preflight_announces_authorization);
        } else {
            shape.convex_calls += 1;
            shape.convex_calls_authorized += u64::from(
                self.request_headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("authorization")),
            );
            shape.convex_calls_with_body += u64::from(self.content_text.is_some());
        }
    }

    fn is_preflight(&self) -> bool {
        self.method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("OPTIONS"))
    }

    fn finish(self, ctx: &mut Ctx) -> Result<(), String> {
        let Some(url) = self.event_url() else {
            self.note_shape(&mut ctx.stats.shape, false);
            return Ok(());
        };
        let convex = is_convex_url(&url);
        self.note_shape(&mut ctx.stats.shape, convex);
        // A CORS preflight to the Convex API runs no function: it only tells the shape what the request after it
        // carried. One to an HTTP action is passed on: whether it let `Authorization` through is `around`'s question.
        if self.is_preflight() && !self.is_socket() && convex {
            return Ok(());
        }
        if !convex {
            // Not Convex: passed on only when `around` wants it (token endpoints, HTTP actions, auth cookies).
            let cookie = self
                .request_headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
                .map_or("", |(_, v)| v.as_str());
            if self.is_socket() || super::http_interest(&url, cookie) == 0 {
                return Ok(());
            }
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
                let bytes = Base64::STANDARD.decode(text.trim()).map_err(|e| {
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

/// Per-entry reading (a second `impl` block, next to the entry it fills).
impl Walker<'_> {
    fn entry(&mut self, e: &mut Entry, ctx: &mut Ctx) -> scan::Result<()> {
        self.sc.begin_object("a HAR entry object")?;
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            match self.key.as_slice() {
                b"startedDateTime" => {
                    e.started = self.sc.opt_string("startedDateTime: a string")?
                }
                b"_resourceType" => {
                    e.resource_type = self.sc.opt_string("_resourceType: a string")?;
                    e.loads_page |= e.resource_type.as_deref() == Some("document");
                }
                b"request" => self.request(e)?,
                b"response" => self.response(e)?,
                b"_webSocketMessages" => {
                    e.saw_messages = true;
                    if e.known_foreign() {
                        self.sc.skip_value()?;
                    } else {
                        self.messages(e, ctx)?;
                    }
                }
                _ => self.sc.skip_value()?,
            }
        }
        Ok(())
    }

    /// `null` or an array of `{name, value}` (both strings, required), and their total length. Once that is past
    /// what the entry may still keep, the rest is read through and not collected (the entry will be over budget).
    fn headers(&mut self, e: &Entry) -> scan::Result<(Vec<(String, String)>, usize)> {
        let limit = e.budget.saturating_sub(e.retained);
        let mut len = 0usize;
        if self.sc.next_kind()? == Next::Null {
            self.sc.skip_value()?;
            return Ok((Vec::new(), len));
        }
        self.sc.begin_array("headers: an array")?;
        let mut headers = Vec::new();
        let mut first = true;
        while self.sc.next_element(&mut first)? {
            self.sc.begin_object("a header object")?;
            let (mut name, mut value) = (None, None);
            let mut first_key = true;
            while self.sc.next_key(&mut first_key, &mut self.key)? {
                match self.key.as_slice() {
                    b"name" => name = Some(self.sc.string("a header name string")?),
                    b"value" => value = Some(self.sc.string("a header value string")?),
                    _ => self.sc.skip_value()?,
                }
            }
            match (name, value) {
                (Some(n), Some(v)) => {
                    len = len.saturating_add(n.len()).saturating_add(v.len());
                    if len <= limit {
                        headers.push((n, v));
                    }
                }
                (None, _) => return self.sc.data_error("missing field `name` in a header"),
                (_, None) => return self.sc.data_error("missing field `value` in a header"),
            }
        }
        Ok((headers, len))
    }

    /// `null` or an object whose `text` (a string or null) is wanted; other fields read by `other`. A text
    /// longer than what the entry may still keep is read through, not kept, and marks the entry over budget.
    fn text_object(
        &mut self,
        e: &mut Entry,
        what: &str,
        mut other: impl FnMut(&mut Self, &[u8]) -> scan::Result<bool>,
    ) -> scan::Result<Option<String>> {
        if self.sc.next_kind()? == Next::Null {
            self.sc.skip_value()?;
            return Ok(None);
        }
        self.sc.begin_object(what)?;
        let mut text = None;
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            if self.key == b"text" {
                text = self.text(e)?;
            } else {
                let key = std::mem::take(&mut self.key);
                let handled = other(self, &key);
                self.key = key;
                if !handled? {
                    self.sc.skip_value()?;
                }
            }
        }
        Ok(text)
    }

    /// A body's `text`: null, or a string kept when it fits the entry's budget.
    fn text(&mut self, e: &mut Entry) -> scan::Result<Option<String>> {
        match self.sc.next_kind()? {
            Next::String => {
                let limit = e.budget.saturating_sub(e.retained);
                let mut out = Vec::new();
                if self.sc.read_string_into(&mut out, limit)?.is_none() {
                    e.over_budget = true;
                    return Ok(None);
                }
                // Checked as UTF-8 already.
                Ok(Some(String::from_utf8(out).unwrap_or_default()))
            }
            _ => self.sc.opt_string("text: a string"),
        }
    }

    fn request(&mut self, e: &mut Entry) -> scan::Result<()> {
        self.sc.begin_object("a HAR request object")?;
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            match self.key.as_slice() {
                b"method" => e.method = self.sc.opt_string("method: a string")?,
                b"url" => e.url = self.sc.opt_string("url: a string")?,
                b"headers" => {
                    let (headers, len) = self.headers(e)?;
                    for (name, value) in &headers {
                        e.credential_headers += u64::from(shape::is_credential_header(name));
                        if name.eq_ignore_ascii_case("sec-fetch-dest") {
                            e.loads_page |= value.eq_ignore_ascii_case("document");
                        }
                        if name.eq_ignore_ascii_case("access-control-request-headers") {
                            e.preflight_announces_authorization |=
                                shape::announces_authorization(value);
                        }
                    }
                    e.request_headers = keep_headers(e, headers, len);
                }
                b"postData" => {
                    let text = self.text_object(e, "postData: an object", |_, _| Ok(false))?;
                    if let Some(t) = text {
                        if e.retain(t.len()) {
                            e.post_text = Some(t);
                        }
                    }
                }
                _ => self.sc.skip_value()?,
            }
        }
        Ok(())
    }

    fn response(&mut self, e: &mut Entry) -> scan::Result<()> {
        self.sc.begin_object("a HAR response object")?;
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            match self.key.as_slice() {
                b"status" => {
                    let status = self.sc.opt_f64("status: a number")?;
                    // Firefox and Chrome write 0 (or -1) for a request that got no response.
                    e.status = status.map(|s| {
                        if (0.0..=u16::MAX as f64).contains(&s) {
                            s as u16
                        } else {
                            0
                        }
                    });
                }
                b"headers" => {
                    let (headers, len) = self.headers(e)?;
                    e.credential_headers += headers
                        .iter()
                        .filter(|(n, _)| shape::is_credential_header(n))
                        .count() as u64;
                    if !e.known_foreign() {
                        e.response_headers = keep_headers(e, headers, len);
                    }
                }
                // A foreign entry's body is never needed (its headers are, for the file's shape).
                b"content" if e.known_foreign() => self.sc.skip_value()?,
                b"content" => {
                    let is_object = self.sc.next_kind()? == Next::Object;
                    let mut encoding = None;
                    let text = self.text_object(e, "content: an object", |w, key| {
                        if key == b"encoding" {
                            encoding = w.sc.opt_string("encoding: a string")?;
                            return Ok(true);
                        }
                        Ok(false)
                    })?;
                    if is_object {
                        e.content_base64 = encoding.as_deref() == Some("base64");
                    }
                    if let Some(t) = text {
                        if e.retain(t.len()) {
                            e.content_text = Some(t);
                        }
                    }
                }
                _ => self.sc.skip_value()?,
            }
        }
        Ok(())
    }
}

fn keep_headers(
    entry: &mut Entry,
    headers: Vec<(String, String)>,
    len: usize,
) -> Vec<(String, String)> {
    if !entry.retain(len) {
        return Vec::new();
    }
    headers
}

// --- WebSocket messages ---------------------------------------------------------------------------------------

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

impl Walker<'_> {
    /// `null`, or the array of an entry's frames (Chrome's `_webSocketMessages`).
    fn messages(&mut self, e: &mut Entry, ctx: &mut Ctx) -> scan::Result<()> {
        if self.sc.next_kind()? == Next::Null {
            return self.sc.skip_value();
        }
        self.sc.begin_array("an array of WebSocket messages")?;
        // URL (a Convex one: foreign sockets are skipped before this) and start known: pass frames on at once,
        // nothing buffered. Otherwise (keys in alphabetical order) buffer them until the entry ends.
        let live = match (e.event_url(), &e.started) {
            (Some(url), Some(started)) => Some((format!("{url} {started}"), url)),
            _ => None,
        };
        let mut first = true;
        while self.sc.next_element(&mut first)? {
            let msg = self.message(e)?;
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
            if let (Some(FrameKind::Text(Direction::Send)), None, Some(data)) =
                (&kind, e.first_send, &msg.data)
            {
                // Not `connectionCount`: the client counts a socket opened while it waited for the token
                // (paused) before its first Connect is sent, so an app's first Connect often says 1
                // (convex `browser/sync/web_socket_manager.ts`, `ws.onopen`). `lastCloseReason` is
                // "InitialConnect" for the first socket and null after a paused open; a reason means an
                // earlier socket closed.
                e.first_send = Some(match parse_client(data) {
                    Ok(ClientMessage::Connect {
                        last_close_reason, ..
                    }) => Some(last_close_reason.is_some_and(|r| r != "InitialConnect")),
                    _ => None,
                });
            }
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
                Some((socket, url)) => ctx.emit(frame.into_event(socket, url)),
                None => {
                    if e.retain(frame.data.len()) {
                        e.frames.push(frame);
                    }
                }
            }
        }
        Ok(())
    }

    fn message(&mut self, e: &mut Entry) -> scan::Result<Message> {
        self.sc.begin_object("a WebSocket message object")?;
        let mut msg = Message::default();
        let mut first = true;
        while self.sc.next_key(&mut first, &mut self.key)? {
            match self.key.as_slice() {
                b"type" => {
                    let t = self.sc.string("type: a string")?;
                    msg.ty = match t.as_str() {
                        "send" => Some(MsgType::Send),
                        "receive" => Some(MsgType::Receive),
                        "error" => Some(MsgType::Error),
                        _ => None,
                    };
                }
                b"time" => msg.time = self.sc.opt_f64("time: a number")?,
                // Chrome writes `opcode: -1` on the `error` message of a socket that never connected.
                b"opcode" => {
                    msg.opcode = self.sc.opt_f64("opcode")?.map(|o| {
                        if (0.0..1e15).contains(&o) && o.fract() == 0.0 {
                            o as u64
                        } else {
                            u64::MAX
                        }
                    })
                }
                b"data" => msg.data = self.data(e, msg.ty, msg.opcode)?,
                _ => self.sc.skip_value()?,
            }
        }
        Ok(msg)
    }

    /// A frame's `data`, unescaped into the reused buffer and copied out only when it can matter. `type` and
    /// `opcode` may not be known yet (keys in any order), which the check does not need: client frames always
    /// pass it. Anything but a string is no frame text.
    fn data(
        &mut self,
        e: &mut Entry,
        ty: Option<MsgType>,
        opcode: Option<u64>,
    ) -> scan::Result<Option<String>> {
        if self.sc.next_kind()? != Next::String {
            self.sc.skip_value()?;
            return Ok(None);
        }
        // Read (and UTF-8 checked) even when dropped below, as every string value the walker looks at.
        let start = self.sc.offset();
        let Some(v) = self.sc.read_string_into(&mut self.data, e.budget)? else {
            if e.url.is_some() {
                return self.sc.data_error(format!(
                    "a WebSocket frame (from byte {start}) longer than {} bytes",
                    e.budget
                ));
            }
            // Frames before the URL (alphabetical keys): over budget, which fails the entry if it is Convex's.
            e.over_budget = true;
            return Ok(None);
        };
        if ty == Some(MsgType::Error) || opcode == Some(8) {
            return Ok(Some(v.to_string()));
        }
        if opcode.is_some_and(|o| o != 1) {
            return Ok(None); // binary (base64) frames: the sync protocol is text only
        }
        Ok(match classify_frame(v) {
            FrameClass::Matters => Some(v.to_string()),
            FrameClass::TransitionMatters => {
                e.first_transition_kept = true;
                Some(v.to_string())
            }
            FrameClass::SkippableTransition if !e.first_transition_kept => {
                e.first_transition_kept = true;
                Some(v.to_string())
            }
            FrameClass::SkippableTransition | FrameClass::Noise => None,
        })
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
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
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
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    Some(secs as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: &str = "wss://happy-animal-123.convex.cloud/api/1.48.0/sync";

    fn read(har: &str, budget: usize) -> Result<Vec<Event>, String> {
        let mut events = Vec::new();
        read_har_with_budget(har.as_bytes(), &mut |e| events.push(e), budget).map(|_| events)
    }

    /// No single string may take more memory than an entry may keep: one that would is an error when it is
    /// needed (a Convex frame, a URL), and is dropped like any other over-budget text when it is not.
    #[test]
    fn strings_longer_than_the_budget_are_not_held() {
        let budget = 64 * 1024;
        let big = "z".repeat(budget + 1);
        let frame = format!(
            r#"{{"log":{{"entries":[{{"request":{{"url":"{WS}"}},"startedDateTime":"2026-11-25T10:00:00Z","_webSocketMessages":[{{"type":"receive","time":1,"opcode":1,"data":"{big}"}}]}}]}}}}"#
        );
        let err = read(&frame, budget).unwrap_err();
        assert!(err.contains("longer than"), "{err}");
        assert_eq!(read(&frame, budget * 2).unwrap().len(), 1);

        let frames_first = format!(
            r#"{{"log":{{"entries":[{{"_webSocketMessages":[{{"type":"receive","time":1,"opcode":1,"data":"{big}"}}],"request":{{"url":"{WS}"}}}}]}}}}"#
        );
        assert!(read(&frames_first, budget)
            .unwrap_err()
            .contains("more than"));
        let foreign = frames_first.replace(WS, "wss://chat.example.com/socket");
        assert!(read(&foreign, budget).unwrap().is_empty());

        let url = format!(r#"{{"log":{{"entries":[{{"request":{{"url":"https://{big}"}}}}]}}}}"#);
        assert!(read(&url, budget).unwrap_err().contains("longer than"));

        let body = format!(
            r#"{{"log":{{"entries":[{{"request":{{"url":"https://x.convex.cloud/api/query"}},"response":{{"status":200,"content":{{"text":"{big}"}}}}}}]}}}}"#
        );
        let many = vec![r#"{"name":"x-a","value":"0123456789"}"#; budget / 13 + 1].join(",");
        let headers = format!(
            r#"{{"log":{{"entries":[{{"request":{{"url":"https://x.convex.cloud/api/query","headers":[{many}]}}}}]}}}}"#
        );
        match read(&headers, budget).unwrap().as_slice() {
            [Event::Http(call)] => assert!(
                call.request_headers.is_empty(),
                "{}",
                call.request_headers.len()
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(read(&headers, budget * 2).unwrap().len(), 1);
        match read(&body, budget).unwrap().as_slice() {
            [Event::Http(call)] => {
                assert_eq!(call.status, 200);
                assert_eq!(call.response_body, None);
            }
            other => panic!("{other:?}"),
        }
    }

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
