//! Facts the backend-fidelity rules (`fidelity.rs`) need, gathered while the evidence is read, with fixed caps.
//!
//! Kept apart from [`super::evidence::Evidence`]'s own counters so the two can change independently.

/// Events of each kind kept (the first ones: they are the story).
const MAX_EVENTS: usize = 8;

/// A sign that the backend failed internally: a socket closed `InternalServerError` (seen in the next
/// `Connect.lastCloseReason`, or the close itself), or an HTTP call with a token answered 500.
#[derive(Debug, Clone, PartialEq)]
pub struct InternalError {
    pub time: f64,
    /// `ws` or `http`.
    pub via: &'static str,
    /// Whether a user token was sent before it (the socket's last Authenticate, or the call's header).
    pub with_token: bool,
}

/// A query result that came back on a socket whose token was not confirmed yet (a `'server identity'` null line,
/// or a `QueryFailed`), and that the Transition confirming the token then replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct PreAuthResult {
    pub time: f64,
    pub query_id: u64,
    pub function: Option<String>,
    /// `logged null` or `failed: <message>`.
    pub what: String,
}

/// What one socket contributes (kept in the evidence's own per-socket state).
#[derive(Debug, Default, Clone)]
pub struct SocketClock {
    /// The last `Connect` on the socket: its `clientTs` (ms) and the time the frame was captured (s).
    connect: Option<(f64, f64)>,
    /// When a Transition first raised the identity with a user token on this socket.
    confirmed_at: Option<f64>,
    /// Results seen before that, waiting to learn whether the confirming Transition replaced them.
    pre_auth: Vec<PreAuthResult>,
}

/// What the fidelity rules read.
#[derive(Debug, Default, Clone)]
pub struct Signals {
    pub internal_errors: Vec<InternalError>,
    pub pre_auth_results: Vec<PreAuthResult>,
    /// When some socket's token was first confirmed after a pre-auth result.
    pub confirmed_after_pre_auth: Option<f64>,
    /// The server's clock minus this computer's from `clientClockSkew` corrected for the page's age:
    /// `(clientTs − clientClockSkew) / 1000 − capture time of the Connect` (s). Includes the one-way latency.
    pub connect_clock: Option<f64>,
    /// `Connect.lastCloseReason` values that name an auth-provider discovery failure, with no AuthError seen.
    pub discovery_closes: u32,
}

impl Signals {
    /// A `Connect` frame on a socket. `pending_token`: a user token was sent and has no answer yet.
    pub fn connect(
        &mut self,
        state: Option<&mut SocketClock>,
        time: f64,
        client_ts: Option<f64>,
        last_close_reason: Option<&str>,
        pending_token: bool,
    ) {
        if let Some(state) = state {
            state.connect = client_ts.filter(|t| t.is_finite()).map(|t| (t, time));
        }
        if let Some(reason) = last_close_reason {
            if reason.contains("InternalServerError") {
                self.internal(time, "ws", pending_token);
            }
            if reason.contains("AuthProviderDiscoveryFailed") {
                self.discovery_closes = self.discovery_closes.saturating_add(1);
            }
        }
    }

    /// A socket closed with `reason` (when the capture carries one).
    pub fn closed(&mut self, time: f64, reason: Option<&str>, pending_token: bool) {
        if reason.is_some_and(|r| r.contains("InternalServerError")) {
            self.internal(time, "ws", pending_token);
        }
    }

    /// An HTTP call answered 500 (`InternalServerError`, "Your request couldn't be completed").
    pub fn http_internal(&mut self, time: f64, with_token: bool) {
        self.internal(time, "http", with_token);
    }

    fn internal(&mut self, time: f64, via: &'static str, with_token: bool) {
        if self.internal_errors.len() < MAX_EVENTS {
            self.internal_errors.push(InternalError {
                time,
                via,
                with_token,
            });
        }
    }

    /// A Transition on a socket; `raised`: it raised the identity version after a user token.
    /// `client_clock_skew`: its `clientClockSkew` (ms).
    /// `updated`: the query ids whose result it carries.
    pub fn transition(
        &mut self,
        state: Option<&mut SocketClock>,
        time: f64,
        raised: bool,
        client_clock_skew: Option<f64>,
        updated: &[u64],
    ) {
        let Some(state) = state else { return };
        if let (Some(skew), Some((client_ts, captured))) = (client_clock_skew, state.connect) {
            // sync/src/worker.rs:613-616: skew = clientTs − server receive time, so the server received the
            // Connect at clientTs − skew on its clock; the capture time is this computer's clock when it was sent.
            let offset = (client_ts - skew) / 1000.0 - captured;
            if offset.is_finite() {
                self.connect_clock = Some(offset);
            }
        }
        if raised && state.confirmed_at.is_none() {
            state.confirmed_at = Some(time);
            // The identity race (backend-fidelity E), read from the protocol rather than from what the function
            // printed: on an identity change the backend re-runs every query of the set with the new identity
            // (convex-backend `crates/sync/src/worker.rs:954-965`, `:1113-1114` `QueryInvocation::IdentityChange`)
            // and sends a query's result in that same Transition only when its value or log lines differ from
            // the last one sent (`crates/sync/src/state.rs:454-483`). So a result from before the confirmation that
            // the confirming Transition replaces came from a run without the user; one it does not replace was the
            // same with the user (a null identity then is real, not a race).
            let replaced: Vec<PreAuthResult> = std::mem::take(&mut state.pre_auth)
                .into_iter()
                .filter(|r| updated.contains(&r.query_id))
                .collect();
            if !replaced.is_empty() && self.confirmed_after_pre_auth.is_none() {
                self.confirmed_after_pre_auth = Some(time);
            }
            for r in replaced {
                if self.pre_auth_results.len() < MAX_EVENTS {
                    self.pre_auth_results.push(r);
                }
            }
        }
    }

    /// A query result that may have run without identity (`what`: `logged … null` / `failed: …`); kept only
    /// while the socket's token is unconfirmed, the first per query.
    pub fn identityless_result(
        &mut self,
        state: Option<&mut SocketClock>,
        time: f64,
        query_id: u64,
        function: Option<String>,
        what: String,
    ) {
        let Some(state) = state.filter(|s| s.confirmed_at.is_none()) else {
            return;
        };
        if state.pre_auth.len() < MAX_EVENTS
            && !state.pre_auth.iter().any(|r| r.query_id == query_id)
        {
            state.pre_auth.push(PreAuthResult {
                time,
                query_id,
                function,
                what,
            });
        }
    }
}
