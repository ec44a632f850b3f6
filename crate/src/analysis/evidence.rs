//! What the capture has shown so far, reduced to the facts the verdict needs, with fixed caps.
//!
//! Every event is read once here; nothing re-reads old events when the report is asked for. Frames are parsed by
//! `traffic::sync`, which passes over `Transition`s that cannot matter without a full parse.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod bounds;
mod questions;

pub use bounds::Deployments;
pub use questions::Counts;

mod around_questions;

use super::around::{has_bearer, Around};
use crate::event::{Direction, Event, MAX_FRAME_BYTES};
use crate::report::TimelineItem;
use crate::rules::ServerError;
use crate::traffic::{
    self, classify_http, identity_in_log_line, parse_client, parse_server, AuthHeader,
    AuthenticateKind, ChunkAssembler, ClientMessage, FunctionLogs, HttpOutcome, IdentityLog,
    ServerMessage,
};
use bounds::{socket_key, MAX_URL_LEN};

/// At most this many distinct tokens are kept (a refreshing client sends one per hour; a broken one may loop).
const MAX_TOKENS: usize = 32;
/// At most this many sockets are tracked; the oldest closed ones are forgotten first.
const MAX_SOCKETS: usize = 128;
/// Timeline length kept for the panel.
const MAX_TIMELINE: usize = 400;
/// Rejections kept (most recent).
const MAX_REJECTIONS: usize = 16;
/// Function names remembered per socket (queryId / requestId → udfPath), for naming the function that logged.
const MAX_NAMES_PER_SOCKET: usize = 256;
/// Longest function name kept (`dir/file:export`; real ones are tens of bytes).
const MAX_NAME_LEN: usize = 128;
/// Longest token text kept; of a longer one only this much is kept (to tell it from others) with its length,
/// and it is reported as not judged (`fidelity::decode_sent`), never decoded from the cut.
const MAX_TOKEN_LEN: usize = crate::token::MAX_INPUT_BYTES;
/// Bytes of unfinished `TransitionChunk`s kept across all sockets: one chunked Transition fits (the backend
/// splits at 5 MB, `convex-backend crates/local_backend/src/subs/mod.rs:373`; one transition is capped at the
/// same size by the assembler). Past it, the other sockets' buffers are dropped, the largest first.
pub const MAX_PENDING_CHUNK_BYTES: usize = crate::traffic::chunks::MAX_TRANSITION_BYTES;
/// Longest server message or log line kept.
const MAX_TEXT_LEN: usize = 4096;

/// Where a token was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Ws,
    Http,
    Input,
}

impl TokenSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::Ws => "ws",
            TokenSource::Http => "http",
            TokenSource::Input => "input",
        }
    }
}

/// What the backend did with a token, as far as the capture shows.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthOutcome {
    /// Sent, no answer seen yet.
    Pending,
    /// Accepted: a Transition raised the identity version, or an HTTP call with it succeeded.
    Confirmed { time: f64 },
    /// Refused with the server's words.
    Rejected { message: String, time: f64 },
    /// Accepted, then expired while the session went on (`AuthError` without `authUpdateAttempted`).
    ExpiredInSession { message: String, time: f64 },
}

/// One distinct token the client sent.
#[derive(Debug, Clone)]
pub struct SentToken {
    /// The token text as sent (at most `MAX_TOKEN_LEN` bytes of it). Kept for decoding only: never rendered,
    /// never stored on disk.
    pub text: String,
    /// The token's length as sent, in bytes.
    pub bytes: usize,
    pub source: TokenSource,
    pub first_sent: f64,
    pub last_sent: f64,
    pub times_sent: u32,
    pub outcome: AuthOutcome,
    pub deployment: Option<String>,
}

/// A refusal of a token, with the server's words.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub message: String,
    /// The HTTP body's `code`, for HTTP calls.
    pub code: Option<String>,
    pub time: f64,
    pub source: TokenSource,
    /// Index into [`Evidence::tokens`] of the token refused, when known.
    pub token: Option<usize>,
    /// The socket or request URL.
    pub origin: String,
    /// `AuthError.authUpdateAttempted`.
    pub update_attempted: Option<bool>,
}

/// The last `'server identity'` line seen.
#[derive(Debug, Clone)]
pub struct IdentitySeen {
    pub log: IdentityLog,
    pub line: String,
    pub function: Option<String>,
    pub time: f64,
}

/// Where a clock estimate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// A Transition's `clientClockSkew` (the Connect's `clientTs` minus the server's receive time), corrected with
    /// the Connect frame's capture time (`signals.rs`): alone it includes the page's age.
    ClientClockSkew,
    /// An HTTP response's `Date` header: one-second resolution, and read after the request.
    DateHeader,
}

impl ClockSource {
    /// As findings' evidence names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockSource::ClientClockSkew => "clientClockSkew",
            ClockSource::DateHeader => "Date header",
        }
    }
}

/// An estimate of the server's clock minus this computer's, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockEstimate {
    pub server_minus_local: f64,
    pub source: ClockSource,
}

/// User tokens per socket awaiting their answer (a client sends one at a time; a few cover a burst of refetches).
const MAX_UNANSWERED: usize = 8;

/// Takes from the socket's unanswered tokens those an identity-raising Transition (`start` → `end`) answers: the
/// ones sent against a version in `start..end` (the backend raises the identity version once per `Authenticate`,
/// sync protocol `Authenticate.baseVersion`). A refusal would have come as an AuthError instead.
fn answered_tokens(s: &mut SocketState, start: u64, end: u64) -> Vec<usize> {
    if end <= start {
        return Vec::new();
    }
    let (answered, waiting): (Vec<_>, Vec<_>) = s
        .unanswered
        .drain(..)
        .partition(|&(base, _)| base >= start && base < end);
    s.unanswered = waiting;
    answered.into_iter().map(|(_, i)| i).collect()
}

#[derive(Debug, Default)]
struct SocketState {
    url: String,
    transitions: u64,
    /// The token of the last `Authenticate` on this socket, awaiting or past its answer.
    token: Option<usize>,
    /// The user tokens sent on this socket that no identity-raising Transition has answered yet, with the
    /// identity version each was sent against (`baseVersion`), oldest first; at most [`MAX_UNANSWERED`].
    unanswered: Vec<(u64, usize)>,
    chunks: ChunkAssembler,
    /// queryId → udfPath (from ModifyQuerySet).
    queries: BTreeMap<u64, String>,
    /// requestId → udfPath (from Mutation/Action).
    requests: BTreeMap<u64, String>,
    closed: bool,
    /// When the socket's first frame was seen.
    opened: f64,
    /// The client sent a user token on this socket.
    authenticated: bool,
    /// The client subscribed queries on this socket.
    queried: bool,
    /// The Connect clock and the first confirmation, for the backend-fidelity rules.
    signal: super::signals::SocketClock,
}

/// A function run that logged `'server identity' null`, and whether what carried it had a user token.
#[derive(Debug, Clone)]
pub struct NullRun {
    pub time: f64,
    pub function: Option<String>,
    /// The socket or HTTP call carried a user token the backend had confirmed.
    pub with_token: bool,
    /// `socket` or `http`.
    pub carrier: &'static str,
}

/// A WebSocket frame over [`MAX_FRAME_BYTES`] that was not read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadFrame {
    pub time: f64,
    pub bytes: f64,
    pub received: bool,
    /// A user token sent on the socket was still waiting for its answer when the frame came.
    pub token_pending: bool,
}

/// Unread frames kept (the first ones); all are counted.
const MAX_UNREAD_FRAMES: usize = 8;

/// Everything the verdict rests on. Read through its questions (below), not its counters: the judge asks
/// `never_connected()`, not `transitions == 0 && …`.
#[derive(Debug, Default)]
pub struct Evidence {
    /// Convex events seen (frames, calls).
    convex_events: u64,
    deployments: Deployments,
    sockets: BTreeMap<String, SocketState>,
    sockets_seen: u32,
    /// Sockets that closed without ever receiving a Transition.
    sockets_failed: u32,
    /// Non-initial `Connect.lastCloseReason` values (distinct, capped).
    close_reasons: BTreeSet<String>,
    /// `AuthProviderDiscoveryFailed` was a close reason: the backend could not reach the provider.
    discovery_close: bool,
    tokens: Vec<SentToken>,
    /// Tokens not kept because the cap was reached.
    tokens_dropped: u32,
    admin_auth: u32,
    /// Time of the last `Authenticate` with tokenType None.
    cleared_at: Option<f64>,
    /// The last `Authorization` scheme that was neither Bearer nor Convex, and the URL.
    bad_scheme: Option<(String, String)>,
    http_calls: u64,
    /// HTTP calls that never reached a function (no response, unreadable body).
    http_failed: u64,
    /// Transitions received (on any socket), and function responses read.
    transitions: u64,
    function_results: u64,
    /// Function results that carried log lines.
    results_with_logs: u64,
    identity: Option<IdentitySeen>,
    identity_logged: u32,
    identity_null: u32,
    rejections: VecDeque<Rejection>,
    fatal_errors: Vec<String>,
    clock: Option<ClockEstimate>,
    /// Frames that were not valid sync messages.
    unreadable_frames: u64,
    /// Frames too large to read (the first [`MAX_UNREAD_FRAMES`]), and how many there were.
    too_large: Vec<UnreadFrame>,
    too_large_count: u64,
    timeline: VecDeque<TimelineItem>,
    /// Token requests, sign-ins, HTTP actions and auth cookies around the Convex API (`analysis::around`).
    around: Around,
    /// The latest `'server identity' null` run, and the time of the latest run that logged an identity.
    last_null_run: Option<NullRun>,
    last_identity_run: Option<f64>,
    /// The latest line (by time) that logged an identity: `identity` may be a later null of another client.
    last_identity_log: Option<IdentitySeen>,
    /// The latest function result's or Transition's time, and the latest event's.
    last_result_time: Option<f64>,
    last_event_time: f64,
    /// Mid-session expiries (`AuthError` "identity expired" without `authUpdateAttempted`): time and token index,
    /// kept apart from the token's outcome, which a re-send of the same token resets.
    expiries: VecDeque<(f64, Option<usize>)>,
    /// Facts for the backend-fidelity rules (internal errors, the identity race, the Connect clock).
    signals: super::signals::Signals,
    /// What the HAR file read can and cannot show; `None` for a live capture (complete by construction).
    capture: Option<crate::traffic::har::HarShape>,
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}

impl Evidence {
    /// A frame arrived on `socket`: whether it belongs to a Convex socket (counted then). Per frame the URL is read
    /// only once, when its socket is first seen.
    fn frame_of_convex_socket(&mut self, socket: &str, url: &str, time: f64) -> bool {
        if !self.sockets.contains_key(socket) {
            if !traffic::is_convex_url(url) {
                return false;
            }
            self.note_socket(socket, url, time);
        }
        self.convex_events += 1;
        true
    }

    /// Reads one event.
    pub fn push(&mut self, event: Event) {
        let time = match &event {
            Event::WsFrame { time, .. }
            | Event::WsFrameTooLarge { time, .. }
            | Event::WsClose { time, .. } => *time,
            Event::Http(e) => e.time,
            Event::Navigated { time, .. } => *time,
        };
        if time.is_finite() && time > self.last_event_time {
            self.last_event_time = time;
        }
        match event {
            Event::WsFrame {
                socket,
                url,
                direction,
                time,
                data,
            } => {
                let socket = socket_key(&socket);
                if !self.frame_of_convex_socket(&socket, &url, time) {
                    return;
                }
                if data.len() > MAX_FRAME_BYTES {
                    return self.frame_too_large(&socket, direction, time, data.len() as f64);
                }
                match direction {
                    Direction::Send => self.client_frame(&socket, &url, time, &data),
                    Direction::Receive => self.server_frame(&socket, &url, time, &data, 0),
                }
            }
            Event::WsFrameTooLarge {
                socket,
                url,
                direction,
                time,
                bytes,
            } => {
                let socket = socket_key(&socket);
                if !self.frame_of_convex_socket(&socket, &url, time) {
                    return;
                }
                self.frame_too_large(&socket, direction, time, bytes);
            }
            Event::WsClose {
                socket,
                url,
                time,
                reason,
            } => {
                let socket = socket_key(&socket);
                // A socket that never connected has no frames: its close (Chrome: an `error` message "Error in
                // connection establishment") is all there is, and is what `client.connection_failed` rests on.
                if !self.sockets.contains_key(socket.as_ref()) {
                    if !traffic::is_convex_url(&url) {
                        return;
                    }
                    self.convex_events += 1;
                    self.note_socket(&socket, &url, time);
                }
                let Some(state) = self.sockets.get_mut(socket.as_ref()) else {
                    return;
                };
                if state.closed {
                    return;
                }
                state.closed = true;
                let pending = self.latest_pending();
                self.signals.closed(time, reason.as_deref(), pending);
                let Some(state) = self.sockets.get_mut(socket.as_ref()) else {
                    return;
                };
                let failed = state.transitions == 0;
                if failed {
                    self.sockets_failed += 1;
                }
                let text = match (&reason, failed) {
                    (Some(r), _) => format!("socket closed: {}", cut(r, 200)),
                    (None, true) => "socket closed before any Transition".to_owned(),
                    (None, false) => "socket closed".to_owned(),
                };
                self.timeline(&socket, time, "close", text);
            }
            Event::Http(exchange) => self.http(&exchange),
            Event::Navigated { url, time } => {
                // A new page load: what the old page did no longer describes the app. Keep only the timeline.
                let timeline = std::mem::take(&mut self.timeline);
                let capture = self.capture.take();
                let around = self.around.new_page();
                *self = Evidence {
                    timeline,
                    capture,
                    around,
                    ..Evidence::default()
                };
                self.timeline(
                    "page",
                    time,
                    "navigated",
                    format!("page loaded: {}", cut(&url, 300)),
                );
            }
        }
    }

    /// What the HAR file the events came from can and cannot show (`analysis/capture.rs` reads it).
    pub fn set_capture(&mut self, shape: crate::traffic::har::HarShape) {
        self.capture = Some(shape);
    }

    /// The evidence a token pasted next to this capture starts from: the deployments the app talked to (its fixes
    /// name them and their dashboard pages), none of the traffic.
    pub fn for_input(&self) -> Evidence {
        let mut ev = Evidence::default();
        for d in self.deployments.iter() {
            ev.deployments.insert(d);
        }
        ev
    }

    /// A token given by the user rather than captured.
    pub fn add_input_token(&mut self, text: &str, now: f64) {
        self.token_index(text, TokenSource::Input, now, None);
    }

    fn note_socket(&mut self, socket: &str, url: &str, time: f64) {
        if let Some(d) = traffic::deployment_of(url) {
            self.deployments.insert(&d);
        }
        if self.sockets.contains_key(socket) {
            return;
        }
        self.sockets_seen += 1;
        if self.sockets.len() >= MAX_SOCKETS {
            let victim = self
                .sockets
                .iter()
                .find(|(_, s)| s.closed)
                .or_else(|| self.sockets.iter().next())
                .map(|(k, _)| k.clone());
            if let Some(k) = victim {
                self.sockets.remove(&k);
            }
        }
        self.sockets.insert(
            socket.to_owned(),
            SocketState {
                url: cut(url, MAX_URL_LEN),
                opened: time,
                ..SocketState::default()
            },
        );
    }

    fn timeline(&mut self, connection: &str, time: f64, kind: &'static str, text: String) {
        if self.timeline.len() >= MAX_TIMELINE {
            self.timeline.pop_front();
        }
        self.timeline.push_back(TimelineItem {
            connection: cut(connection, 300),
            time,
            kind,
            text,
        });
    }

    /// The index of a token in `tokens`, adding it when new.
    fn token_index(
        &mut self,
        text: &str,
        source: TokenSource,
        time: f64,
        deployment: Option<String>,
    ) -> Option<usize> {
        let bytes = text.len();
        let text = cut(text, MAX_TOKEN_LEN);
        if let Some(i) = self
            .tokens
            .iter()
            .position(|t| t.text == text && t.bytes == bytes)
        {
            // A send at or before the last one is the same frame delivered again (captures overlap): it must not
            // undo the answer that frame already got.
            if let Some(t) = self.tokens.get_mut(i).filter(|t| time > t.last_sent) {
                t.last_sent = time;
                t.times_sent = t.times_sent.saturating_add(1);
                // A send older than the answer already recorded (frames delivered out of order between two
                // captures) is not waiting for an answer: it got that one.
                if outcome_time(&t.outcome).map_or(true, |answered| time > answered) {
                    t.outcome = AuthOutcome::Pending;
                }
            }
            return Some(i);
        }
        if self.tokens.len() >= MAX_TOKENS {
            self.tokens_dropped = self.tokens_dropped.saturating_add(1);
            return None;
        }
        self.tokens.push(SentToken {
            text,
            bytes,
            source,
            first_sent: time,
            last_sent: time,
            times_sent: 1,
            outcome: AuthOutcome::Pending,
            deployment,
        });
        Some(self.tokens.len() - 1)
    }

    fn set_outcome(&mut self, token: Option<usize>, outcome: AuthOutcome) {
        if let Some(t) = token.and_then(|i| self.tokens.get_mut(i)) {
            t.outcome = outcome;
        }
    }

    fn reject(&mut self, rejection: Rejection) {
        let outcome = AuthOutcome::Rejected {
            message: rejection.message.clone(),
            time: rejection.time,
        };
        self.set_outcome(rejection.token, outcome);
        if self.rejections.len() >= MAX_REJECTIONS {
            self.rejections.pop_front();
        }
        self.rejections.push_back(rejection);
    }

    /// A frame over [`MAX_FRAME_BYTES`], not read. Only `Transition`s and their chunks grow this large, so a
    /// received one still shows that the socket got answers (it is not "never connected"); what it said (log
    /// lines, an identity change) is unknown, and the timeline says so.
    fn frame_too_large(&mut self, socket: &str, direction: Direction, time: f64, bytes: f64) {
        self.unreadable_frames += 1;
        self.too_large_count = self.too_large_count.saturating_add(1);
        if self.too_large.len() < MAX_UNREAD_FRAMES {
            let token_pending = self
                .sockets
                .get(socket)
                .and_then(|s| s.token)
                .and_then(|i| self.tokens.get(i))
                .is_some_and(|t| t.outcome == AuthOutcome::Pending);
            self.too_large.push(UnreadFrame {
                time,
                bytes,
                received: direction == Direction::Receive,
                token_pending,
            });
        }
        if direction == Direction::Receive {
            if let Some(s) = self.sockets.get_mut(socket) {
                s.transitions += 1;
                // Whatever was being reassembled cannot be finished now.
                s.chunks.reset();
            }
        }
        let from = match direction {
            Direction::Send => "sent",
            Direction::Receive => "received",
        };
        let text = format!(
            "a {from} frame of {} bytes was not read: longer than the {MAX_FRAME_BYTES} bytes read per frame",
            crate::token::time::plain_number(bytes.max(0.0).round())
        );
        self.timeline(socket, time, "frame_not_read", text);
    }

    fn client_frame(&mut self, socket: &str, url: &str, time: f64, data: &str) {
        let message = match parse_client(data) {
            Ok(m) => m,
            Err(_) => {
                self.unreadable_frames += 1;
                return;
            }
        };
        match message {
            ClientMessage::Connect {
                connection_count,
                last_close_reason,
                client_ts,
            } => {
                let pending = self.latest_pending();
                self.signals.connect(
                    self.sockets.get_mut(socket).map(|s| &mut s.signal),
                    time,
                    client_ts,
                    last_close_reason.as_deref(),
                    pending,
                );
                let mut text = format!("connect #{}", connection_count.saturating_add(1));
                if let Some(reason) = last_close_reason.filter(|r| r != "InitialConnect") {
                    if reason.contains("AuthProviderDiscoveryFailed") {
                        self.discovery_close = true;
                    }
                    text.push_str(&format!(" (previous socket closed: {})", cut(&reason, 200)));
                    if self.close_reasons.len() < 16 {
                        self.close_reasons.insert(cut(&reason, 200));
                    }
                }
                self.timeline(socket, time, "connect", text);
            }
            ClientMessage::Authenticate { auth, base_version } => match auth {
                AuthenticateKind::User { token } => {
                    let deployment = traffic::deployment_of(url);
                    let index = self.token_index(&token, TokenSource::Ws, time, deployment);
                    if let Some(s) = self.sockets.get_mut(socket) {
                        s.token = index;
                        s.authenticated = true;
                        if let Some(i) = index {
                            if s.unanswered.len() >= MAX_UNANSWERED {
                                s.unanswered.remove(0);
                            }
                            s.unanswered.push((base_version, i));
                        }
                    }
                    self.timeline(
                        socket,
                        time,
                        "authenticate",
                        "Authenticate with a user token".into(),
                    );
                }
                AuthenticateKind::Admin { impersonating } => {
                    self.admin_auth = self.admin_auth.saturating_add(1);
                    if let Some(s) = self.sockets.get_mut(socket) {
                        s.token = None;
                    }
                    let text = if impersonating {
                        "Authenticate with an admin key, impersonating a user"
                    } else {
                        "Authenticate with an admin key"
                    };
                    self.timeline(socket, time, "authenticate", text.into());
                }
                AuthenticateKind::None => {
                    self.cleared_at = Some(time);
                    if let Some(s) = self.sockets.get_mut(socket) {
                        s.token = None;
                    }
                    self.timeline(
                        socket,
                        time,
                        "authenticate",
                        "Authenticate with no token: auth cleared".into(),
                    );
                }
            },
            ClientMessage::ModifyQuerySet { .. } => {
                // Query ids name the function whose log lines come back in Transitions.
                if let Some(s) = self.sockets.get_mut(socket) {
                    s.queried = true;
                }
                if let (Ok(added), Some(s)) = (
                    traffic::sync::added_queries(data),
                    self.sockets.get_mut(socket),
                ) {
                    for (id, path) in added {
                        if s.queries.len() < MAX_NAMES_PER_SOCKET {
                            s.queries.insert(id, cut(&path, MAX_NAME_LEN));
                        }
                    }
                }
            }
            ClientMessage::Other { .. } => {}
            ClientMessage::Mutation {
                request_id,
                udf_path,
            }
            | ClientMessage::Action {
                request_id,
                udf_path,
            } => {
                if let Some(s) = self.sockets.get_mut(socket) {
                    if s.requests.len() < MAX_NAMES_PER_SOCKET {
                        s.requests.insert(request_id, cut(&udf_path, MAX_NAME_LEN));
                    }
                }
            }
        }
    }

    fn server_frame(&mut self, socket: &str, url: &str, time: f64, data: &str, depth: u8) {
        let message = match parse_server(data) {
            Ok(m) => m,
            Err(_) => {
                self.unreadable_frames += 1;
                return;
            }
        };
        match message {
            ServerMessage::Transition {
                start_identity,
                end_identity,
                results,
                updated,
                client_clock_skew,
                ..
            } => {
                self.transitions += 1;
                if end_identity <= start_identity {
                    // A Transition that is not the answer to an Authenticate carries query results.
                    self.last_result_time =
                        Some(self.last_result_time.map_or(time, |t| t.max(time)));
                }
                let (token, answered) = self
                    .sockets
                    .get_mut(socket)
                    .map(|s| {
                        s.transitions += 1;
                        (s.token, answered_tokens(s, start_identity, end_identity))
                    })
                    .unwrap_or_default();
                if end_identity > start_identity {
                    // The user tokens this Transition answers: those sent against an identity version it moved
                    // past. A later `Authenticate` (the app clearing auth as it unmounts) may already have replaced
                    // the socket's current token before the answer arrived; the answer still accepts the earlier one.
                    for &i in answered.iter().filter(|&&i| Some(i) != token) {
                        self.set_outcome(Some(i), AuthOutcome::Confirmed { time });
                    }
                    if let Some(i) = token {
                        self.set_outcome(Some(i), AuthOutcome::Confirmed { time });
                        self.timeline(
                            socket,
                            time,
                            "confirmed",
                            "the server accepted the token (identity version raised)".into(),
                        );
                    }
                }
                // `clientClockSkew` alone is no clock offset: it includes the page's age (backend-fidelity B5).
                // Only with the socket's Connect (`clientTs` and its capture time) does it give one.
                self.signals.transition(
                    self.sockets.get_mut(socket).map(|s| &mut s.signal),
                    time,
                    end_identity > start_identity && token.is_some(),
                    client_clock_skew.filter(|s| s.is_finite()),
                    &updated,
                );
                if let Some(offset) = self.signals.connect_clock {
                    self.clock = Some(ClockEstimate {
                        server_minus_local: offset,
                        source: ClockSource::ClientClockSkew,
                    });
                }
                for result in results {
                    self.identityless(socket, time, &result);
                    self.function_result(socket, time, &result);
                }
            }
            ServerMessage::TransitionChunk {
                transition_id,
                part_number,
                total_parts,
                chunk,
            } => {
                self.make_room_for_chunk(socket, chunk.len());
                let whole = self.sockets.get_mut(socket).map(|s| {
                    s.chunks
                        .push(&transition_id, part_number, total_parts, &chunk)
                });
                match whole {
                    // A whole Transition over the per-frame size is read only when the cheap pre-check can read
                    // it (no parse tree); one that needs the full parse is not read, as a frame that large.
                    Some(Ok(Some(text)))
                        if depth == 0
                            && text.len() > MAX_FRAME_BYTES
                            && traffic::server_frame_may_matter(&text) =>
                    {
                        self.frame_too_large(socket, Direction::Receive, time, text.len() as f64)
                    }
                    Some(Ok(Some(text))) if depth == 0 => {
                        self.server_frame(socket, url, time, &text, depth + 1)
                    }
                    Some(Err(_)) => self.unreadable_frames += 1,
                    _ => {}
                }
            }
            ServerMessage::MutationResponse(result) | ServerMessage::ActionResponse(result) => {
                self.function_result(socket, time, &result);
            }
            ServerMessage::AuthError {
                error,
                auth_update_attempted,
                ..
            } => {
                let message = cut(&error, MAX_TEXT_LEN);
                let token = self.sockets.get(socket).and_then(|s| s.token);
                let expired_in_session = auth_update_attempted != Some(true)
                    && matches!(
                        ServerError::classify(&message),
                        ServerError::IdentityExpired
                    );
                self.timeline(socket, time, "auth_error", format!("AuthError: {message}"));
                if expired_in_session {
                    if self.expiries.len() >= MAX_REJECTIONS {
                        self.expiries.pop_front();
                    }
                    self.expiries.push_back((time, token));
                    self.set_outcome(token, AuthOutcome::ExpiredInSession { message, time });
                } else {
                    self.reject(Rejection {
                        message,
                        code: None,
                        time,
                        source: TokenSource::Ws,
                        token,
                        origin: url.to_owned(),
                        update_attempted: auth_update_attempted,
                    });
                }
            }
            ServerMessage::FatalError { error } => {
                if self.fatal_errors.len() < 8 {
                    self.fatal_errors.push(cut(&error, MAX_TEXT_LEN));
                }
                self.timeline(
                    socket,
                    time,
                    "fatal_error",
                    format!("FatalError: {}", cut(&error, 300)),
                );
            }
            ServerMessage::Ping | ServerMessage::Other { .. } => {}
        }
    }

    /// Keeps the unfinished `TransitionChunk`s of all sockets within [`MAX_PENDING_CHUNK_BYTES`] once `incoming`
    /// more bytes join `socket`'s: other sockets' buffers are dropped, the largest first (each counts as an
    /// unreadable frame). `socket`'s own buffer is bounded by the assembler.
    fn make_room_for_chunk(&mut self, socket: &str, incoming: usize) {
        loop {
            let total: usize = self
                .sockets
                .values()
                .map(|s| s.chunks.pending_bytes())
                .sum();
            if total.saturating_add(incoming) <= MAX_PENDING_CHUNK_BYTES {
                return;
            }
            let largest = self
                .sockets
                .iter_mut()
                .filter(|(k, s)| k.as_str() != socket && s.chunks.is_buffering())
                .max_by_key(|(_, s)| s.chunks.pending_bytes());
            match largest {
                Some((_, s)) => {
                    s.chunks.reset();
                    self.unreadable_frames += 1;
                }
                None => return,
            }
        }
    }

    /// Whether the latest token sent is still waiting for an answer.
    fn latest_pending(&self) -> bool {
        self.latest_token()
            .is_some_and(|(_, t)| t.outcome == AuthOutcome::Pending)
    }

    /// A query result that may have run without an identity: a `'server identity'` null line, or any failure (its
    /// wording is the app's, in any language: whether it came from the missing user is decided by the protocol,
    /// see `Signals::transition`).
    fn identityless(&mut self, socket: &str, time: f64, result: &FunctionLogs) {
        let Some(query_id) = result.query_id else {
            return;
        };
        let logged_null = result
            .log_lines
            .iter()
            .any(|l| matches!(identity_in_log_line(l), Some(IdentityLog::Null)));
        let what = match &result.error {
            _ if logged_null => "logged 'server identity' null".to_owned(),
            Some(e) => format!("failed: {}", cut(e, 200)),
            None => return,
        };
        let Some(s) = self.sockets.get_mut(socket) else {
            return;
        };
        let function = s.queries.get(&query_id).cloned();
        self.signals
            .identityless_result(Some(&mut s.signal), time, query_id, function, what);
    }

    fn function_result(&mut self, socket: &str, time: f64, result: &FunctionLogs) {
        self.function_results += 1;
        self.last_result_time = Some(time);
        let state = self.sockets.get(socket);
        let function = state.and_then(|s| match (result.request_id, result.query_id) {
            (Some(id), _) => s.requests.get(&id).cloned(),
            (None, Some(id)) => s.queries.get(&id).cloned(),
            (None, None) => None,
        });
        let with_token = state
            .and_then(|s| s.token)
            .and_then(|i| self.tokens.get(i))
            .is_some_and(|t| matches!(t.outcome, AuthOutcome::Confirmed { .. }));
        if result.request_id.is_some() {
            if let Some(f) = function.as_deref().filter(|f| is_signin_step(f)) {
                self.around.signin(f, result.error.as_deref(), time);
            }
        }
        if result.log_lines.is_empty() {
            return;
        }
        self.results_with_logs += 1;
        self.log_lines(&result.log_lines, function, time, with_token, "socket");
    }

    fn log_lines(
        &mut self,
        lines: &[String],
        function: Option<String>,
        time: f64,
        with_token: bool,
        carrier: &'static str,
    ) {
        for line in lines {
            if let Some(log) = identity_in_log_line(line) {
                match log {
                    IdentityLog::Null => {
                        self.identity_null = self.identity_null.saturating_add(1);
                        self.last_null_run = Some(NullRun {
                            time,
                            function: function.clone(),
                            with_token,
                            carrier,
                        });
                    }
                    IdentityLog::Identity { .. } => {
                        self.identity_logged = self.identity_logged.saturating_add(1);
                        self.last_identity_run = Some(time);
                    }
                }
                let seen = IdentitySeen {
                    log,
                    line: cut(line, 1000),
                    function: function.clone(),
                    time,
                };
                if matches!(seen.log, IdentityLog::Identity { .. })
                    && !self
                        .last_identity_log
                        .as_ref()
                        .is_some_and(|i| i.time > time)
                {
                    self.last_identity_log = Some(seen.clone());
                }
                // The latest by time, not by arrival: the extension hands over one socket's frames after another's.
                if self.identity.as_ref().is_some_and(|i| i.time > time) {
                    continue;
                }
                self.identity = Some(seen);
            }
        }
    }

    fn http(&mut self, exchange: &crate::event::HttpExchange) {
        let Some(call) = classify_http(exchange) else {
            self.around_http(exchange);
            return;
        };
        self.convex_events += 1;
        self.http_calls += 1;
        self.deployments.insert(&call.deployment);
        if let Some(date) = call.server_date {
            let offset = date - call.time;
            // The Date header has one-second resolution and the response comes after the request: only a
            // difference well past that noise says anything about the clock.
            if offset.is_finite()
                && self
                    .clock
                    .as_ref()
                    .map_or(true, |c| c.source != ClockSource::ClientClockSkew)
            {
                self.clock = Some(ClockEstimate {
                    server_minus_local: offset,
                    source: ClockSource::DateHeader,
                });
            }
        }
        let function = call
            .udf_path
            .clone()
            .unwrap_or_else(|| "a function".to_owned());
        let token = match &call.auth {
            AuthHeader::Bearer { token } => self.token_index(
                token,
                TokenSource::Http,
                call.time,
                Some(call.deployment.clone()),
            ),
            AuthHeader::Admin => {
                self.admin_auth = self.admin_auth.saturating_add(1);
                None
            }
            AuthHeader::Other { scheme } => {
                self.bad_scheme = Some((cut(scheme, 100), cut(&exchange.url, 300)));
                None
            }
            AuthHeader::Absent => None,
        };
        let with_token = if token.is_some() { " with a token" } else { "" };
        // Convex Auth refreshes through an unauthenticated ConvexHttpClient call of `auth:signIn`
        // (`get-convex/convex-auth src/react/index.tsx`, `unauthenticatedCall`).
        if let Some(f) = call.udf_path.as_deref().filter(|f| is_signin_step(f)) {
            let error = match &call.outcome {
                HttpOutcome::FunctionError { message, .. } => Some(message.clone()),
                HttpOutcome::ApiError { message, .. } => Some(message.clone()),
                HttpOutcome::Failed { status } if !(200..300).contains(status) => {
                    Some(format!("HTTP {status}"))
                }
                _ => None,
            };
            self.around.signin(f, error.as_deref(), call.time);
        }
        match &call.outcome {
            HttpOutcome::Success { log_lines } | HttpOutcome::FunctionError { log_lines, .. } => {
                if token.is_some() {
                    self.set_outcome(token, AuthOutcome::Confirmed { time: call.time });
                }
                self.function_results += 1;
                if !log_lines.is_empty() {
                    self.results_with_logs += 1;
                    let with_token = token.is_some();
                    self.log_lines(
                        log_lines,
                        call.udf_path.clone(),
                        call.time,
                        with_token,
                        "http",
                    );
                }
                self.timeline(
                    "http",
                    call.time,
                    "http",
                    format!("call {function}{with_token}: ran"),
                );
            }
            HttpOutcome::ApiError { status: 500, .. } if token.is_some() => {
                // errors/src/lib.rs:1102: an error without ErrorMetadata answers 500 InternalServerError "Your request
                // couldn't be completed": not a verdict on the token (`auth.internal_error` names the likely cause).
                self.signals.http_internal(call.time, true);
                self.timeline(
                    "http",
                    call.time,
                    "http",
                    format!("call {function}{with_token}: 500 InternalServerError"),
                );
            }
            HttpOutcome::ApiError {
                status,
                code,
                message,
            } => {
                self.timeline(
                    "http",
                    call.time,
                    "http",
                    format!(
                        "call {function}{with_token}: {status} {code}: {}",
                        cut(message, 300)
                    ),
                );
                if token.is_some() || is_auth_code(code) {
                    self.reject(Rejection {
                        message: cut(message, MAX_TEXT_LEN),
                        code: Some(cut(code, 100)),
                        time: call.time,
                        source: TokenSource::Http,
                        token,
                        origin: cut(&exchange.url, 300),
                        update_attempted: None,
                    });
                } else {
                    self.http_failed += 1;
                }
            }
            // Chrome's getHAR() carries no response bodies (the panel reads them with getContent(), a HAR export
            // may not): the status alone still tells a call that ran from one refused at the door.
            HttpOutcome::Failed { status } if (200..300).contains(status) || *status == 560 => {
                if token.is_some() {
                    self.set_outcome(token, AuthOutcome::Confirmed { time: call.time });
                }
                self.function_results += 1;
                self.timeline(
                    "http",
                    call.time,
                    "http",
                    format!("call {function}{with_token}: ran (status {status})"),
                );
            }
            HttpOutcome::Failed { status }
                if token.is_some() && matches!(status, 400 | 401 | 403) =>
            {
                let message = format!("HTTP {status} (the response body was not captured)");
                self.timeline(
                    "http",
                    call.time,
                    "http",
                    format!("call {function}{with_token}: {message}"),
                );
                self.reject(Rejection {
                    message,
                    code: None,
                    time: call.time,
                    source: TokenSource::Http,
                    token,
                    origin: cut(&exchange.url, 300),
                    update_attempted: None,
                });
            }
            HttpOutcome::Failed { status } => {
                if *status == 500 && token.is_some() {
                    self.signals.http_internal(call.time, true);
                }
                self.http_failed += 1;
                self.timeline(
                    "http",
                    call.time,
                    "http",
                    format!("call {function}{with_token}: failed (status {status})"),
                );
            }
        }
    }

    /// An exchange outside the Convex API: auth cookies, token requests, HTTP actions (`analysis::around`).
    fn around_http(&mut self, exchange: &crate::event::HttpExchange) {
        if let Some(cookie) = exchange.request_header("cookie") {
            self.around.cookie_header(cookie, exchange.time);
        }
        if self.around.auth_call(exchange) {
            return;
        }
        let Some(call) = traffic::around::classify_site_call(exchange) else {
            return;
        };
        let token = match &call.auth {
            AuthHeader::Bearer { token } if has_bearer(&call.auth) => {
                Some(cut(token, MAX_TOKEN_LEN))
            }
            _ => None,
        };
        let text = format!(
            "HTTP action {} {}{}: {}",
            call.method,
            call.endpoint,
            if token.is_some() { " with a token" } else { "" },
            match call.status {
                0 => "no response (blocked or failed)".to_owned(),
                s => format!("status {s}"),
            }
        );
        if call.site_host || self.deployments.contains(&call.origin) {
            self.timeline("http", call.time, "http_action", text);
        }
        self.around.site_call(call, token);
    }

    /// Sockets opened at or after `time` that subscribed queries but never sent a user token: the client went
    /// on without authentication. The earliest one's opening time.
    pub fn unauthenticated_socket_after(&self, time: f64) -> Option<f64> {
        self.sockets
            .values()
            .filter(|s| s.opened >= time && s.queried && !s.authenticated)
            .map(|s| s.opened)
            .min_by(f64::total_cmp)
    }

    /// The token of the most recent attempt, preferring the one the latest rejection names.
    pub fn latest_token(&self) -> Option<(usize, &SentToken)> {
        self.tokens
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.last_sent.total_cmp(&b.last_sent))
    }

    /// The socket URLs seen, for evidence.
    pub fn socket_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self.sockets.values().map(|s| s.url.clone()).collect();
        urls.sort();
        urls.dedup();
        urls.truncate(8);
        urls
    }
}

/// Convex Auth's sign-in steps, run as actions over the socket (`get-convex/convex-auth src/react/client.tsx`
/// calls `auth:signIn`; `auth:store` is the internal step the sign-in runs, whose errors surface through it).
fn is_signin_step(function: &str) -> bool {
    matches!(
        function.trim_end_matches(".js"),
        "auth:signIn" | "auth:store" | "auth:signOut"
    )
}

/// When a token's answer came, if it has one.
fn outcome_time(outcome: &AuthOutcome) -> Option<f64> {
    match outcome {
        AuthOutcome::Pending => None,
        AuthOutcome::Confirmed { time }
        | AuthOutcome::Rejected { time, .. }
        | AuthOutcome::ExpiredInSession { time, .. } => Some(*time),
    }
}

/// HTTP error codes that are about authentication (convex-backend's `ErrorMetadata` codes for auth failures).
fn is_auth_code(code: &str) -> bool {
    matches!(
        code,
        "NoAuthProvider"
            | "InvalidAuthHeader"
            | "AuthProviderDiscoveryFailed"
            | "Unauthenticated"
            | "InvalidAdminKey"
            | "BadAdminKey"
            | "BadDeployKey"
            | "InvalidJwt"
            | "AccessTokenInvalid"
    ) || code.to_ascii_lowercase().contains("auth")
}
