//! The questions the judge asks of the [`Evidence`] (`never_connected()`, `input_only()`, …), answered from its
//! private counters, so that how a fact is counted stays in one place.

use std::collections::{BTreeSet, VecDeque};

use super::{
    AuthOutcome, ClockEstimate, Evidence, IdentitySeen, Rejection, SentToken, TokenSource,
};
use crate::report::TimelineItem;

/// The capture's numbers, for the evidence of findings (what the user reads); decisions use the questions below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub sockets_seen: u32,
    /// Sockets that closed without ever receiving a Transition.
    pub sockets_failed: u32,
    pub http_calls: u64,
    /// HTTP calls that never reached a function.
    pub http_failed: u64,
    pub transitions: u64,
    pub function_results: u64,
    pub results_with_logs: u64,
    /// `Authenticate` frames and `Authorization: Convex` headers with an admin key.
    pub admin_auth: u32,
    pub tokens_dropped: u32,
    pub identity_logged: u32,
    pub identity_null: u32,
    pub unreadable_frames: u64,
}

/// The questions the judge asks of the evidence.
impl Evidence {
    pub fn counts(&self) -> Counts {
        Counts {
            sockets_seen: self.sockets_seen,
            sockets_failed: self.sockets_failed,
            http_calls: self.http_calls,
            http_failed: self.http_failed,
            transitions: self.transitions,
            function_results: self.function_results,
            results_with_logs: self.results_with_logs,
            admin_auth: self.admin_auth,
            tokens_dropped: self.tokens_dropped,
            identity_logged: self.identity_logged,
            identity_null: self.identity_null,
            unreadable_frames: self.unreadable_frames,
        }
    }

    /// The frames too large to read (the first few) and how many there were in all.
    pub fn unread_frames(&self) -> (&[super::UnreadFrame], u64) {
        (&self.too_large, self.too_large_count)
    }

    /// Whether any Convex traffic (a frame of a Convex socket, a call to a Convex API) was captured.
    pub fn saw_convex(&self) -> bool {
        self.convex_events > 0
    }

    /// The client never got an answer from the deployment: its sockets closed before any Transition and it made
    /// no HTTP call, or every HTTP call failed and it opened no socket.
    pub fn never_connected(&self) -> bool {
        let sockets_died =
            self.transitions == 0 && self.sockets_seen > 0 && self.sockets_failed > 0;
        let http_all_failed = self.http_calls > 0 && self.http_failed == self.http_calls;
        (sockets_died && self.http_calls == 0)
            || (http_all_failed && self.transitions == 0 && self.sockets_seen == 0)
    }

    /// Whether anything the client sent was answered: a Transition, or an HTTP call that reached a function.
    pub fn reached_deployment(&self) -> bool {
        self.transitions > 0 || self.http_calls != self.http_failed
    }

    /// Whether functions ran: a Transition, or a function result read.
    pub fn functions_ran(&self) -> bool {
        self.function_results > 0 || self.transitions > 0
    }

    /// Functions ran and no user token (nor an admin key) went with them.
    pub fn ran_without_token(&self) -> bool {
        self.tokens.is_empty() && self.admin_auth == 0 && self.functions_ran()
    }

    /// Whether an admin key was used instead of a user token.
    pub fn admin_key_used(&self) -> bool {
        self.admin_auth > 0
    }

    /// The distinct tokens sent, oldest first.
    pub fn tokens(&self) -> &[SentToken] {
        &self.tokens
    }

    /// There are tokens, and all were given directly (no capture).
    pub fn input_only(&self) -> bool {
        !self.tokens.is_empty() && self.tokens.iter().all(|t| t.source == TokenSource::Input)
    }

    /// Whether the backend accepted any token.
    pub fn any_confirmed(&self) -> bool {
        self.tokens
            .iter()
            .any(|t| matches!(t.outcome, AuthOutcome::Confirmed { .. }))
    }

    /// When the backend last accepted a token.
    pub fn latest_confirmation(&self) -> Option<f64> {
        self.tokens
            .iter()
            .filter_map(|t| match t.outcome {
                AuthOutcome::Confirmed { time } => Some(time),
                _ => None,
            })
            .fold(None, |acc: Option<f64>, t| {
                Some(acc.map_or(t, |a| a.max(t)))
            })
    }

    /// The first token that expired during the session: the server's message and when.
    pub fn first_expiry_in_session(&self) -> Option<(&str, f64)> {
        self.tokens.iter().find_map(|t| match &t.outcome {
            AuthOutcome::ExpiredInSession { message, time } => Some((message.as_str(), *time)),
            _ => None,
        })
    }

    /// Whether the client sent a token first seen after `time`.
    pub fn fresh_token_after(&self, time: f64) -> bool {
        self.tokens.iter().any(|t| t.first_sent > time)
    }

    /// The refusals kept, oldest first.
    pub fn rejections(&self) -> &VecDeque<Rejection> {
        &self.rejections
    }

    pub fn latest_rejection(&self) -> Option<&Rejection> {
        self.rejections.back()
    }

    /// Whether the backend refused a token at or before `time`.
    pub fn refused_by(&self, time: f64) -> bool {
        self.rejections.iter().any(|r| r.time <= time)
    }

    /// The last `'server identity'` line.
    pub fn identity(&self) -> Option<&IdentitySeen> {
        self.identity.as_ref()
    }

    /// When the client last cleared its authentication.
    pub fn cleared_at(&self) -> Option<f64> {
        self.cleared_at
    }

    /// The last `Authorization` scheme that was neither Bearer nor Convex, and the request's URL.
    pub fn bad_scheme(&self) -> Option<(&str, &str)> {
        self.bad_scheme
            .as_ref()
            .map(|(scheme, url)| (scheme.as_str(), url.as_str()))
    }

    pub fn clock(&self) -> Option<&ClockEstimate> {
        self.clock.as_ref()
    }

    /// Facts for the backend-fidelity rules (`analysis/fidelity.rs`).
    pub fn signals(&self) -> &crate::analysis::Signals {
        &self.signals
    }

    /// The sockets' `lastCloseReason`s (distinct, capped).
    pub fn close_reasons(&self) -> &BTreeSet<String> {
        &self.close_reasons
    }

    /// A socket closed because the backend could not fetch the provider's discovery document.
    pub fn discovery_failed_on_close(&self) -> bool {
        self.discovery_close
    }

    pub fn deployments(&self) -> &super::Deployments {
        &self.deployments
    }

    /// What the panel lists, oldest first (capped).
    pub fn timeline_items(&self) -> &VecDeque<TimelineItem> {
        &self.timeline
    }

    /// What the HAR file read can and cannot show; `None` for a live capture, which is complete by construction.
    pub fn capture(&self) -> Option<&crate::traffic::har::HarShape> {
        self.capture.as_ref()
    }

    /// A function logged an identity object: the backend saw a user, whatever the capture shows of the token.
    pub fn backend_saw_user(&self) -> bool {
        self.identity_logged > 0
    }

    /// Whether any Convex WebSocket frame was read (a frame, not merely a socket entry).
    pub fn saw_socket_frames(&self) -> bool {
        self.sockets_seen > 0
    }

    /// `FatalError` messages from the server.
    pub fn fatal_errors(&self) -> &[String] {
        &self.fatal_errors
    }
}
