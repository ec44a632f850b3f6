//! The questions issue 13's rules (`analysis::around_rules`) ask of the evidence: the traffic around the Convex API,
//! when things last ran, expiries. A child module of `evidence`, so it reads the private fields.

use super::{AuthOutcome, Evidence, IdentitySeen, NullRun};
use crate::analysis::around::Around;

impl Evidence {
    /// Token requests, sign-ins, HTTP actions and auth cookies seen around the Convex API.
    pub fn around(&self) -> &Around {
        &self.around
    }

    /// The latest run that logged `'server identity' null`.
    pub fn last_null_run(&self) -> Option<&NullRun> {
        self.last_null_run.as_ref()
    }

    /// When a function last logged an identity.
    pub fn last_identity_run(&self) -> Option<f64> {
        self.last_identity_run
    }

    /// The latest line (by time) that logged an identity, whatever came after it.
    pub fn last_identity_log(&self) -> Option<&IdentitySeen> {
        self.last_identity_log.as_ref()
    }

    /// When a function result or a query Transition last arrived.
    pub fn last_result_time(&self) -> Option<f64> {
        self.last_result_time
    }

    /// The latest event's time.
    pub fn last_event_time(&self) -> f64 {
        self.last_event_time
    }

    /// Mid-session expiries: when, and the index of the token that expired.
    pub fn expiries(&self) -> impl Iterator<Item = (f64, Option<usize>)> + '_ {
        self.expiries.iter().copied()
    }

    /// Whether the backend ever accepted a token: confirmed, or expired during the session (accepted before).
    pub fn accepted_once(&self) -> bool {
        self.tokens.iter().any(|t| {
            matches!(
                t.outcome,
                AuthOutcome::Confirmed { .. } | AuthOutcome::ExpiredInSession { .. }
            )
        })
    }
}
