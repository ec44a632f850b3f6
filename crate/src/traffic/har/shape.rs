//! What a HAR file can and cannot show, gathered while it streams by (counters only: no entry is kept).
//!
//! A HAR file is not the traffic: it is what one tool chose to write of it. Chrome (since 130) removes the
//! `Authorization`, `Cookie` and `Set-Cookie` headers from its default export ("Export HAR (sanitized)"; the
//! full one needs "Allow to generate HAR with sensitive data" in DevTools' Network preferences); Firefox and
//! Safari write WebSocket connections without their messages; any tool writes only what happened while it was
//! recording. This module records the facts that tell these apart — who wrote the file, which credentials and
//! which CORS preflights it holds, whether its sockets carry messages and start at their beginning — and judges
//! nothing: `analysis/capture.rs` decides what they mean for the verdict.

/// The tool that wrote a HAR file, read from `log.creator.name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exporter {
    /// Chrome, Edge and other Chromium browsers' DevTools (and `chrome.devtools.network.getHAR()`): `WebInspector`.
    Chromium,
    /// Firefox's Network Monitor: `Firefox` (`devtools/client/netmonitor/src/har/har-builder.js`).
    Firefox,
    /// Safari's Web Inspector: `WebKit Web Inspector` (`Source/WebInspectorUI/UserInterface/Controllers/HARBuilder.js`).
    WebKit,
    /// mitmproxy's `save.har` / `hardump` (`mitmproxy/addons/savehar.py`): `mitmproxy` (older: `mitmproxy exporthar`).
    Mitmproxy,
    /// Charles Proxy.
    Charles,
    /// Proxyman.
    Proxyman,
    /// Anything else, or no creator.
    Other,
}

impl Exporter {
    pub fn from_creator(name: &str) -> Exporter {
        let n = name.trim().to_ascii_lowercase();
        if n == "webinspector"
            || n.contains("chrome")
            || n.contains("chromium")
            || n.contains("edge")
        {
            Exporter::Chromium
        } else if n.contains("firefox") {
            Exporter::Firefox
        } else if n.contains("webkit") || n.contains("safari") {
            Exporter::WebKit
        } else if n.starts_with("mitmproxy") {
            Exporter::Mitmproxy
        } else if n.contains("charles") {
            Exporter::Charles
        } else if n.contains("proxyman") {
            Exporter::Proxyman
        } else {
            Exporter::Other
        }
    }

    /// A name for people.
    pub fn as_str(self) -> &'static str {
        match self {
            Exporter::Chromium => "Chrome/Edge DevTools",
            Exporter::Firefox => "Firefox",
            Exporter::WebKit => "Safari (WebKit Web Inspector)",
            Exporter::Mitmproxy => "mitmproxy",
            Exporter::Charles => "Charles",
            Exporter::Proxyman => "Proxyman",
            Exporter::Other => "an unknown tool",
        }
    }

    /// Whether this tool writes WebSocket messages at all: `Some(false)` for the ones whose HAR writer has no
    /// place for them (Firefox's and WebKit's builders write no `_webSocketMessages`), `Some(true)` for those
    /// that write Chrome's `_webSocketMessages` (Chromium, mitmproxy ≥ 10), `None` when not known.
    pub fn writes_socket_messages(self) -> Option<bool> {
        match self {
            Exporter::Chromium | Exporter::Mitmproxy => Some(true),
            Exporter::Firefox | Exporter::WebKit => Some(false),
            Exporter::Charles | Exporter::Proxyman | Exporter::Other => None,
        }
    }

    /// Whether this tool's default export may remove credential headers (Chrome ≥ 130's sanitized export).
    pub fn may_sanitize(self) -> bool {
        self == Exporter::Chromium
    }
}

/// Longest creator name or version kept.
const MAX_CREATOR: usize = 100;

/// What a HAR file holds, as far as it decides what the file can show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HarShape {
    /// `log.creator.name` and `.version` (cut to 100 bytes).
    pub creator: Option<String>,
    pub creator_version: Option<String>,
    /// Entries that load a page (Chrome's `_resourceType: document`, or a request with `Sec-Fetch-Dest: document`).
    pub page_loads: u64,
    /// `Authorization`, `Cookie` and `Set-Cookie` headers anywhere in the file.
    pub credential_headers: u64,
    /// HTTP calls to a Convex API (preflights apart), those with an `Authorization` header, those whose response
    /// body is in the file.
    pub convex_calls: u64,
    pub convex_calls_authorized: u64,
    pub convex_calls_with_body: u64,
    /// CORS preflights (`OPTIONS`) to a Convex API.
    pub convex_preflights: u64,
    /// CORS preflights (`OPTIONS`) to a Convex API whose `Access-Control-Request-Headers` name `authorization`:
    /// the browser was about to send that header, whatever the file shows of the request itself.
    pub preflights_announcing_authorization: u64,
    /// WebSocket entries to a Convex deployment; those with no message list at all; those whose first client
    /// message is not a `Connect` (the recording began after the socket opened).
    pub convex_sockets: u64,
    pub sockets_without_messages: u64,
    pub sockets_joined_late: u64,
    /// The file's first Convex socket opens with a `Connect` whose `lastCloseReason` names an earlier socket's
    /// close: that earlier socket of the same page is not in the file.
    pub first_socket_reconnects: bool,
}

impl HarShape {
    pub fn exporter(&self) -> Exporter {
        self.creator
            .as_deref()
            .map_or(Exporter::Other, Exporter::from_creator)
    }

    pub(super) fn set_creator(&mut self, name: Option<String>, version: Option<String>) {
        let cut = |s: String| -> String {
            let mut end = s.len().min(MAX_CREATOR);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.get(..end).unwrap_or_default().to_owned()
        };
        self.creator = name.map(cut);
        self.creator_version = version.map(cut);
    }
}

/// Whether a header is one Chrome's sanitized export removes.
pub(super) fn is_credential_header(name: &str) -> bool {
    ["authorization", "cookie", "set-cookie"]
        .iter()
        .any(|c| name.eq_ignore_ascii_case(c))
}

/// Whether an `Access-Control-Request-Headers` value names `authorization` (a comma-separated list).
pub(super) fn announces_authorization(value: &str) -> bool {
    value
        .split(',')
        .any(|h| h.trim().eq_ignore_ascii_case("authorization"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporters_by_creator() {
        assert_eq!(Exporter::from_creator("WebInspector"), Exporter::Chromium);
        assert_eq!(Exporter::from_creator("Firefox"), Exporter::Firefox);
        assert_eq!(
            Exporter::from_creator("WebKit Web Inspector"),
            Exporter::WebKit
        );
        assert_eq!(Exporter::from_creator("mitmproxy"), Exporter::Mitmproxy);
        assert_eq!(
            Exporter::from_creator("mitmproxy exporthar"),
            Exporter::Mitmproxy
        );
        assert_eq!(Exporter::from_creator("Charles Proxy"), Exporter::Charles);
        assert_eq!(Exporter::from_creator("Proxyman"), Exporter::Proxyman);
        assert_eq!(Exporter::from_creator("Insomnia"), Exporter::Other);
    }

    #[test]
    fn preflight_header_lists() {
        assert!(announces_authorization(
            "authorization,content-type,convex-client"
        ));
        assert!(announces_authorization("content-type, Authorization"));
        assert!(!announces_authorization("content-type,convex-client"));
        assert!(!announces_authorization("x-authorization"));
    }
}
