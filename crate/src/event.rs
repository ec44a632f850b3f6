//! What the engine is fed: captured traffic, one event at a time, already stripped of anything browser-specific.
//!
//! The extension builds these from `chrome.devtools.network` (HAR entries and `getHAR()` WebSocket frames), the
//! command-line tool from a HAR file. Times are Unix seconds as `f64` (HAR frames carry fractional epoch seconds).
//!
//! The JSON form (what the panel sends through the wasm boundary) is read by hand from a [`serde_json::Value`]
//! ([`Event::from_json`]) rather than by a serde derive: an internally tagged enum (`"kind"`) makes serde buffer
//! every event into its private `Content` tree first, and that machinery plus the derived visitors cost about
//! 10 KB of the wasm module, while the `Value` parser is in it anyway.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::{Map, Value};

/// Which way a WebSocket frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client → server (HAR `type: "send"`).
    Send,
    /// Server → client (HAR `type: "receive"`).
    Receive,
}

/// The largest frame the engine reads, in bytes. A front end that sees a longer one sends
/// [`Event::WsFrameTooLarge`] instead of copying it in (the extension asks the wasm module for this number);
/// the engine treats a longer [`Event::WsFrame`] the same way. Why this size: the backend splits Transitions
/// over 5 MB into `TransitionChunk`s (`convex-backend crates/local_backend/src/subs/mod.rs:373`, by an estimate
/// that can be low), and a frame read in full costs several times its size (the JSON text crossing into wasm,
/// its unescaped copy, the parse tree): 8 MiB keeps one frame's peak around 100 MiB at worst.
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// One captured event. JSON: an object with `"kind"`: `ws_frame`, `ws_frame_too_large`, `ws_close`, `http` or
/// `navigated`, and the variant's fields in snake case (`Http`'s fields are those of [`HttpExchange`], beside
/// `kind`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A WebSocket text frame. `socket` identifies one socket (the extension uses URL + startedDateTime):
    /// frames of one socket arrive in order; sockets may interleave.
    WsFrame {
        socket: String,
        url: String,
        direction: Direction,
        time: f64,
        data: String,
    },
    /// A WebSocket frame longer than [`MAX_FRAME_BYTES`], not passed in: only its length (bytes, or UTF-16
    /// units as JavaScript counts them).
    WsFrameTooLarge {
        socket: String,
        url: String,
        direction: Direction,
        time: f64,
        bytes: f64,
    },
    /// The socket closed or failed (HAR `type: "error"` frames, or the entry finishing).
    WsClose {
        socket: String,
        url: String,
        time: f64,
        /// Optional (absent or `null`: none).
        reason: Option<String>,
    },
    /// A finished HTTP request (fetch/XHR) with what the engine needs of it.
    Http(HttpExchange),
    /// The inspected page navigated or reloaded: a new page load starts.
    Navigated { url: String, time: f64 },
}

/// One HTTP request and its response. In JSON, `url` and `time` are required; the rest default to empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpExchange {
    pub url: String,
    pub method: String,
    /// When the request was sent (Unix seconds).
    pub time: f64,
    /// Request headers, names as sent (compare case-insensitively).
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// 0 when the request failed before any response (network error, blocked).
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
}

impl HttpExchange {
    /// The first request header with this name, compared case-insensitively.
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find_header(&self.request_headers, name)
    }

    /// The first response header with this name, compared case-insensitively.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find_header(&self.response_headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Event {
    /// Reads an event from its JSON form. Unknown fields are ignored; a missing required field, a value of the
    /// wrong type or an unknown `kind` is an error that names it. Optional fields (`reason`, `*_body`) accept
    /// `null`; the others do not.
    pub fn from_json(value: Value) -> Result<Event, String> {
        let Value::Object(mut o) = value else {
            return Err("an event must be a JSON object".to_owned());
        };
        let kind = take_string(&mut o, "kind")?;
        Ok(match kind.as_str() {
            "ws_frame" => Event::WsFrame {
                socket: take_string(&mut o, "socket")?,
                url: take_string(&mut o, "url")?,
                direction: take_direction(&mut o)?,
                time: take_f64(&mut o, "time")?,
                data: take_string(&mut o, "data")?,
            },
            "ws_frame_too_large" => Event::WsFrameTooLarge {
                socket: take_string(&mut o, "socket")?,
                url: take_string(&mut o, "url")?,
                direction: take_direction(&mut o)?,
                time: take_f64(&mut o, "time")?,
                bytes: take_f64(&mut o, "bytes")?,
            },
            "ws_close" => Event::WsClose {
                socket: take_string(&mut o, "socket")?,
                url: take_string(&mut o, "url")?,
                time: take_f64(&mut o, "time")?,
                reason: take_opt_string(&mut o, "reason")?,
            },
            "http" => Event::Http(HttpExchange {
                url: take_string(&mut o, "url")?,
                method: match o.contains_key("method") {
                    true => take_string(&mut o, "method")?,
                    false => String::new(),
                },
                time: take_f64(&mut o, "time")?,
                request_headers: take_headers(&mut o, "request_headers")?,
                request_body: take_opt_string(&mut o, "request_body")?,
                status: match o.remove("status") {
                    None => 0,
                    Some(v) => v
                        .as_u64()
                        .and_then(|n| u16::try_from(n).ok())
                        .ok_or_else(|| wrong("status", "an integer from 0 to 65535"))?,
                },
                response_headers: take_headers(&mut o, "response_headers")?,
                response_body: take_opt_string(&mut o, "response_body")?,
            }),
            "navigated" => Event::Navigated {
                url: take_string(&mut o, "url")?,
                time: take_f64(&mut o, "time")?,
            },
            other => {
                return Err(format!(
                    "unknown kind `{other}`, expected `ws_frame`, `ws_frame_too_large`, `ws_close`, `http` or `navigated`"
                ))
            }
        })
    }
}

/// Deserializes through [`Event::from_json`], so every front end reads events the same way.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Event::from_json(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

fn wrong(field: &str, expected: &str) -> String {
    format!("invalid `{field}`: expected {expected}")
}

fn take_string(o: &mut Map<String, Value>, field: &str) -> Result<String, String> {
    match o.remove(field) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(wrong(field, "a string")),
        None => Err(format!("missing field `{field}`")),
    }
}

fn take_direction(o: &mut Map<String, Value>) -> Result<Direction, String> {
    match take_string(o, "direction")?.as_str() {
        "send" => Ok(Direction::Send),
        "receive" => Ok(Direction::Receive),
        other => Err(format!(
            "unknown direction `{other}`, expected `send` or `receive`"
        )),
    }
}

fn take_opt_string(o: &mut Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match o.remove(field) {
        Some(Value::String(s)) => Ok(Some(s)),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(wrong(field, "a string or null")),
    }
}

fn take_f64(o: &mut Map<String, Value>, field: &str) -> Result<f64, String> {
    match o.remove(field) {
        Some(v) => v.as_f64().ok_or_else(|| wrong(field, "a number")),
        None => Err(format!("missing field `{field}`")),
    }
}

/// `[["name", "value"], …]`; absent means none.
fn take_headers(o: &mut Map<String, Value>, field: &str) -> Result<Vec<(String, String)>, String> {
    let Some(v) = o.remove(field) else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(wrong(field, "an array of [name, value] pairs"));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Array(pair) => match <[Value; 2]>::try_from(pair) {
                Ok([Value::String(n), Value::String(v)]) => Ok((n, v)),
                _ => Err(wrong(field, "an array of [name, value] string pairs")),
            },
            _ => Err(wrong(field, "an array of [name, value] pairs")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Event, String> {
        Event::from_json(v)
    }

    /// The shapes the panel sends (`extension/`), each variant with optional fields present and absent.
    #[test]
    fn reads_every_kind() {
        assert_eq!(
            parse(
                json!({"kind": "ws_frame", "socket": "s", "url": "u", "direction": "receive", "time": 1,
                         "data": "{}", "extra": true})
            ),
            Ok(Event::WsFrame {
                socket: "s".into(),
                url: "u".into(),
                direction: Direction::Receive,
                time: 1.0,
                data: "{}".into()
            })
        );
        assert_eq!(
            parse(
                json!({"kind": "ws_close", "socket": "s", "url": "u", "time": 2.5, "reason": null})
            ),
            Ok(Event::WsClose {
                socket: "s".into(),
                url: "u".into(),
                time: 2.5,
                reason: None
            })
        );
        assert_eq!(
            parse(
                json!({"kind": "http", "url": "u", "time": 3, "status": 200, "method": "POST",
                         "request_headers": [["Authorization", "Bearer x"]], "response_body": "{}"})
            ),
            Ok(Event::Http(HttpExchange {
                url: "u".into(),
                method: "POST".into(),
                time: 3.0,
                request_headers: vec![("Authorization".into(), "Bearer x".into())],
                status: 200,
                response_body: Some("{}".into()),
                ..Default::default()
            }))
        );
        assert_eq!(
            parse(json!({"kind": "http", "url": "u", "time": 3})),
            Ok(Event::Http(HttpExchange {
                url: "u".into(),
                time: 3.0,
                ..Default::default()
            }))
        );
        assert_eq!(
            parse(json!({"kind": "navigated", "url": "u", "time": 4})),
            Ok(Event::Navigated {
                url: "u".into(),
                time: 4.0
            })
        );
    }

    /// Malformed events are refused with a reason (the panel shows it), never half-read.
    #[test]
    fn refuses_malformed_events() {
        let bad = [
            json!([]),
            json!({"url": "u", "time": 1}),
            json!({"kind": "teleport", "url": "u", "time": 1}),
            json!({"kind": "navigated", "url": "u"}),
            json!({"kind": "navigated", "url": 5, "time": 1}),
            json!({"kind": "navigated", "url": "u", "time": "1"}),
            json!({"kind": "ws_frame", "socket": "s", "url": "u", "direction": "up", "time": 1, "data": ""}),
            json!({"kind": "ws_close", "socket": "s", "url": "u", "time": 1, "reason": 3}),
            json!({"kind": "http", "url": "u", "time": 1, "status": 70000}),
            json!({"kind": "http", "url": "u", "time": 1, "status": -1}),
            json!({"kind": "http", "url": "u", "time": 1, "method": null}),
            json!({"kind": "http", "url": "u", "time": 1, "request_headers": [["a"]]}),
            json!({"kind": "http", "url": "u", "time": 1, "request_headers": [["a", "b", "c"]]}),
            json!({"kind": "http", "url": "u", "time": 1, "response_headers": {"a": "b"}}),
        ];
        for v in bad {
            assert!(parse(v.clone()).is_err(), "{v}");
        }
        let e = parse(json!({"kind": "navigated", "url": "u"})).unwrap_err();
        assert!(e.contains("`time`"), "{e}");
    }

    #[test]
    fn deserialize_goes_through_from_json() {
        let e: Event =
            serde_json::from_str(r#"{"kind":"navigated","url":"u","time":1}"#).expect("event");
        assert_eq!(
            e,
            Event::Navigated {
                url: "u".into(),
                time: 1.0
            }
        );
        assert!(serde_json::from_str::<Event>(r#"{"kind":"navigated"}"#).is_err());
    }
}
