//! The wasm boundary: a thin adapter from JS to the pure core. No judgement here.
//!
//! Values cross as JSON text (`JSON.stringify` / `JSON.parse` on the JS side): the engine already carries
//! serde_json, and skipping serde-wasm-bindgen and js-sys keeps the module small (measured: see README).
//! The command line's run for the npm wrapper is in `command`.
//! The panel creates one [`DoctorSession`] per inspected page, feeds it captured events, and asks for the report.

#[cfg(feature = "cli-wasm")]
mod command;

use crate::analysis::{FetchedDocument, KeyPurpose, Session};
use crate::event::Event;
use wasm_bindgen::prelude::*;

/// One inspected page's capture and verdicts.
#[wasm_bindgen]
pub struct DoctorSession {
    inner: Session,
}

#[wasm_bindgen]
impl DoctorSession {
    #[wasm_bindgen(constructor)]
    pub fn new() -> DoctorSession {
        DoctorSession {
            inner: Session::new(),
        }
    }

    /// Feeds one event, as JSON text (`{"kind": "ws_frame" | "ws_close" | "http" | "navigated", …}`, see
    /// `event.rs`). A malformed event is rejected with an error text; the session is unchanged.
    #[wasm_bindgen(js_name = pushEvent)]
    pub fn push_event(&mut self, event_json: &str) -> Result<(), JsValue> {
        let value: serde_json::Value =
            serde_json::from_str(event_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let event = Event::from_json(value).map_err(|e| JsValue::from_str(&e))?;
        self.inner.push(event);
        Ok(())
    }

    /// Feeds a JSON array of events; returns how many were accepted (malformed ones are skipped).
    #[wasm_bindgen(js_name = pushEvents)]
    pub fn push_events(&mut self, events_json: &str) -> u32 {
        // Parsed as one `Value` (not `Vec<Value>`), so that no typed deserializer joins the module.
        let Ok(serde_json::Value::Array(values)) = serde_json::from_str(events_json) else {
            return 0;
        };
        let mut accepted = 0;
        for value in values {
            if let Ok(event) = Event::from_json(value) {
                self.inner.push(event);
                accepted += 1;
            }
        }
        accepted
    }

    /// Sets the user's `auth.config.ts` text and environment values (JSON object text `{"NAME": "value"}`, or
    /// empty); returns an error text when the configuration cannot be read (the previous one stays).
    #[wasm_bindgen(js_name = setConfig)]
    pub fn set_config(&mut self, source: &str, env_json: &str) -> Result<(), JsValue> {
        let env = if env_json.trim().is_empty() {
            crate::config::Env::default()
        } else {
            crate::config::env_from_json(env_json).map_err(|e| JsValue::from_str(&e))?
        };
        // The error quotes the configuration: shown as reports show text.
        self.inner
            .set_config_source(source, &env)
            .map_err(|e| JsValue::from_str(&crate::text::redact::visible(&e)))
    }

    /// Forgets the user's configuration.
    #[wasm_bindgen(js_name = clearConfig)]
    pub fn clear_config(&mut self) {
        self.inner.clear_config();
    }

    /// Forgets all captured traffic (a new capture begins).
    pub fn reset(&mut self) {
        self.inner.reset_traffic();
    }

    /// The current report as JSON text (the spec's report, plus `verdict`, per-claim notes and `timeline`).
    /// Redacted: no token, no signature.
    pub fn report(&self) -> String {
        serde_json::to_string(&self.inner.report()).unwrap_or_default()
    }

    /// The documents to fetch to verify the latest token's signature, as JSON text
    /// `[{"url", "purpose": "discovery" | "jwks", "issuer"}]`; empty once everything needed is known. The panel
    /// fetches them (without credentials, never with the token) only when the user allows it, and hands each
    /// answer back with [`Self::set_fetched`] or [`Self::set_unreachable`]; then asks again (discovery names the
    /// JWKS).
    #[wasm_bindgen(js_name = keyRequests)]
    pub fn key_requests(&self) -> String {
        serde_json::to_string(&self.inner.key_requests()).unwrap_or_else(|_| "[]".to_owned())
    }

    /// A document fetched for a key request: its URL, the request's purpose and issuer, the response's
    /// `Content-Type` (empty when none), status and body, and when it was fetched (Unix seconds).
    #[wasm_bindgen(js_name = setFetched)]
    #[allow(clippy::too_many_arguments)] // the panel's call, flat for wasm-bindgen; one value from here down
    pub fn set_fetched(
        &mut self,
        url: &str,
        purpose: &str,
        issuer: &str,
        content_type: &str,
        status: u16,
        body: &str,
        fetched_at: f64,
    ) {
        self.inner.set_fetched(&FetchedDocument {
            url,
            purpose: KeyPurpose::from_name(purpose),
            issuer,
            content_type: (!content_type.is_empty()).then_some(content_type),
            status,
            body,
            fetched_at,
        });
    }

    /// A key request whose fetch failed before any response (network, CORS, permission refused).
    #[wasm_bindgen(js_name = setUnreachable)]
    pub fn set_unreachable(&mut self, url: &str, error: &str, fetched_at: f64) {
        self.inner.set_unreachable(url, error, fetched_at);
    }

    /// The redacted markdown report for a support thread ("Copy report").
    pub fn markdown(&self) -> String {
        crate::render::markdown(&self.inner.report())
    }
}

impl Default for DoctorSession {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a request URL is Convex traffic worth capturing (recognised by path and protocol, so self-hosted and
/// local deployments count).
#[wasm_bindgen(js_name = isConvexUrl)]
pub fn is_convex_url(url: &str) -> bool {
    crate::traffic::is_convex_url(url)
}

/// What the engine wants of an HTTP request that the front end sees: 0 nothing, 1 its request headers only (it
/// carries an auth library's cookies), 2 headers and bodies (Convex API calls, token endpoints, HTTP actions).
/// `cookie` is the request's `Cookie` header or empty; only its names are looked at here.
#[wasm_bindgen(js_name = httpInterest)]
pub fn http_interest(url: &str, cookie: &str) -> u8 {
    crate::traffic::http_interest(url, cookie)
}

/// The largest WebSocket frame the engine reads, in bytes ([`crate::event::MAX_FRAME_BYTES`]). The extension
/// sends a `ws_frame_too_large` event for a longer frame instead of copying it into wasm memory.
#[wasm_bindgen(js_name = maxFrameBytes)]
pub fn max_frame_bytes() -> u32 {
    crate::event::MAX_FRAME_BYTES as u32
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}
