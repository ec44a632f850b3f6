//! The judgement: evidence gathered from captured events (or a pasted token) turned into the guide's three steps.
//!
//! [`Session`] is fed events one at a time and keeps only what the verdict needs — per-socket state, the distinct
//! tokens sent, the server's answers, identity log lines — with fixed caps, so a long capture of a busy app uses
//! bounded memory. [`Session::report`] derives the findings from that evidence every time it is asked (cheap: the
//! evidence is small), so there is no incremental verdict state to keep consistent.

mod around;
mod around_rules;
mod capture;
mod compare;
mod evidence;
mod fidelity;
mod fix;
mod judge;
mod keys;
pub mod project;
mod signals;
mod unresolved_step;

pub use around::{fingerprint, Around, AuthCallSeen, CookieSeen, SigninResult, SiteSeen};
pub use evidence::{
    AuthOutcome, ClockEstimate, ClockSource, Counts, Evidence, NullRun, SentToken, TokenSource,
};
pub use keys::{FetchedDocument, KeyPurpose, KeyRequest, KeyStore};
pub use signals::{InternalError, PreAuthResult, Signals};

use crate::config::{parse_auth_config, AuthConfig, Env};
use crate::event::Event;
use crate::report::Report;
use crate::text::redact::Secrets;

/// A capture in progress: the evidence so far and the user's configuration.
#[derive(Debug, Default)]
pub struct Session {
    evidence: Evidence,
    user_config: Option<AuthConfig>,
    keys: KeyStore,
}

impl Session {
    pub fn new() -> Self {
        Session::default()
    }

    /// Feeds one captured event.
    pub fn push(&mut self, event: Event) {
        self.evidence.push(event);
    }

    /// Uses the user's `auth.config.ts` text with environment values.
    pub fn set_config_source(&mut self, source: &str, env: &Env) -> Result<(), String> {
        let config = parse_auth_config(source, env).map_err(|e| e.to_string())?;
        self.user_config = Some(config);
        Ok(())
    }

    /// Uses an already parsed configuration.
    pub fn set_config(&mut self, config: AuthConfig) {
        self.user_config = Some(config);
    }

    pub fn clear_config(&mut self) {
        self.user_config = None;
    }

    /// Forgets the captured traffic, keeping the configuration.
    pub fn reset_traffic(&mut self) {
        self.evidence = Evidence::default();
    }

    /// What the HAR file being read can and cannot show (from [`crate::traffic::har::HarStats::shape`]): absence
    /// is then concluded only where the file could have shown presence (`capture.rs`).
    pub fn set_capture(&mut self, shape: crate::traffic::har::HarShape) {
        self.evidence.set_capture(shape);
    }

    /// Adds a token given directly (command line, pasted), judged as if sent at `now`.
    pub fn add_input_token(&mut self, text: &str, now: f64) {
        self.evidence.add_input_token(text, now);
    }

    /// The evidence gathered so far (for tests and renderers that want raw facts).
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// The current verdicts, made safe to show: the tokens seen (whole, or their signatures) and anything
    /// JWT-shaped redacted in every text, controls and format characters escaped ([`crate::text::redact`]).
    pub fn report(&self) -> Report {
        let mut secrets = Secrets::default();
        for t in self.evidence.tokens() {
            secrets.add_token(&t.text);
        }
        judge::judge(&self.evidence, self.user_config.as_ref(), &self.keys).made_safe(&secrets)
    }

    /// The documents (discovery, JWKS) still to fetch to verify the latest token's signature; the front end
    /// fetches them only when the user allows it, and never sends the token.
    pub fn key_requests(&self) -> Vec<KeyRequest> {
        judge::with_latest_path(
            &self.evidence,
            self.user_config.as_ref(),
            |token, path, config, matched| self.keys.requests(token, path, config, matched),
        )
        .unwrap_or_default()
    }

    /// The issuer whose keys would verify the latest token, and the customJwt provider's `jwks` when that path.
    pub fn key_target(&self) -> Option<(String, Option<String>)> {
        judge::with_latest_path(&self.evidence, self.user_config.as_ref(), KeyStore::target)
            .flatten()
    }

    /// A document fetched for a [`KeyRequest`].
    pub fn set_fetched(&mut self, fetched: &FetchedDocument) {
        self.keys.set_fetched(fetched);
    }

    /// A fetch for a [`KeyRequest`] that failed before any response.
    pub fn set_unreachable(&mut self, url: &str, error: &str, fetched_at: f64) {
        self.keys.set_unreachable(url, error, fetched_at);
    }

    /// Keys got by the front end itself (`--jwks`, `--fetch`).
    pub fn set_keys(
        &mut self,
        source: &str,
        jwks: Option<crate::verify::Jwks>,
        findings: Vec<crate::findings::Finding>,
    ) {
        self.keys.set_manual(source, jwks, findings);
    }
}
