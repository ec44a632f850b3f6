//! HAR reading: hand-written Chrome-style (with `_webSocketMessages`, as `chrome.devtools.network.getHAR()` and
//! DevTools' export write them) and Firefox-style (HTTP only, dates with offsets) fixtures, and hostile files.

use std::io::Read;

use convex_auth_doctor::event::{Direction, Event};
use convex_auth_doctor::traffic::har::{read_har, read_har_with_budget, HarStats};
use convex_auth_doctor::traffic::{
    classify_http, parse_client, parse_server, ClientMessage, HttpOutcome, ServerMessage,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/har/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn read_all(bytes: &[u8]) -> Result<(Vec<Event>, HarStats), String> {
    let mut events = Vec::new();
    let stats = read_har(bytes, &mut |e| events.push(e))?;
    Ok((events, stats))
}

const WS: &str = "wss://happy-animal-123.convex.cloud/api/1.48.0/sync";

#[test]
fn chrome_har_gives_convex_events_only() {
    let (events, stats) = read_all(&fixture("chrome_small.har")).unwrap();
    assert_eq!(stats.entries, 6);
    assert_eq!(stats.frames, 13, "frames of the two Convex sockets");
    assert_eq!(
        stats.frames_skipped, 3,
        "a Ping, a skippable Transition, a binary frame"
    );
    assert_eq!(stats.events, events.len() as u64);
    assert_eq!(events.len(), 12);

    // HTTP: the query (200) and the mutation (401, base64 body); the CDN script is not Convex traffic.
    let http: Vec<_> = events
        .iter()
        .filter_map(|e| {
            if let Event::Http(x) = e {
                Some(x)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(http.len(), 2);
    assert_eq!(http[0].time, 1795600800.0);
    let q = classify_http(http[0]).unwrap();
    assert_eq!(q.udf_path.as_deref(), Some("users:viewer"));
    assert_eq!(
        q.outcome,
        HttpOutcome::Success {
            log_lines: vec!["[LOG] 'server identity' null".into()]
        }
    );
    let m = classify_http(http[1]).unwrap();
    assert!(
        matches!(m.outcome, HttpOutcome::ApiError { status: 401, ref code, .. } if code == "NoAuthProvider")
    );

    // The first socket, in order.
    let socket = format!("{WS} 2026-11-25T10:00:00.000Z");
    let first: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::WsFrame { socket: s, .. } | Event::WsClose { socket: s, .. } if *s == socket))
        .collect();
    assert_eq!(first.len(), 7);
    let kinds: Vec<String> = first
        .iter()
        .map(|e| match e {
            Event::WsFrame {
                direction: Direction::Send,
                data,
                ..
            } => format!("{:?}", parse_client(data).unwrap()),
            Event::WsFrame {
                direction: Direction::Receive,
                data,
                ..
            } => format!("{:?}", parse_server(data).unwrap()),
            Event::WsClose { reason, .. } => format!("close {reason:?}"),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(kinds[0].starts_with("Connect"));
    assert!(kinds[1].starts_with("Authenticate { auth: User"));
    assert!(kinds[2].starts_with("ModifyQuerySet"));
    assert!(kinds[3].starts_with("Transition { start_identity: 0, end_identity: 1"));
    assert!(kinds[4].starts_with("Mutation"));
    assert!(kinds[5].starts_with("MutationResponse"));
    assert_eq!(kinds[6], "close Some(\"WebSocket closed abnormally\")");
    let times: Vec<f64> = first
        .iter()
        .map(|e| match e {
            Event::WsFrame { time, .. } | Event::WsClose { time, .. } => *time,
            _ => 0.0,
        })
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "frames in time order: {times:?}"
    );

    // The socket whose keys come alphabetically (frames before the URL): its first Transition is kept even
    // though it carries nothing, so the analysis knows the socket got one.
    let second = format!("{WS} 2026-11-25T10:00:20.000Z");
    let data: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::WsFrame { socket, data, .. } if *socket == second => Some(data.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(data.len(), 3);
    assert_eq!(
        parse_client(data[0]).unwrap(),
        ClientMessage::Connect {
            connection_count: 1,
            last_close_reason: Some("AuthProviderDiscoveryFailed".into()),
            client_ts: Some(1.0),
        }
    );
    assert!(matches!(
        parse_server(data[1]).unwrap(),
        ServerMessage::Transition { .. }
    ));
    assert!(matches!(
        parse_server(data[2]).unwrap(),
        ServerMessage::AuthError {
            auth_update_attempted: Some(true),
            ..
        }
    ));

    // Nothing from the other chat socket.
    assert!(!events
        .iter()
        .any(|e| format!("{e:?}").contains("chat.example.com")));
}

#[test]
fn firefox_har_http_only() {
    let (events, stats) = read_all(&fixture("firefox_small.har")).unwrap();
    assert_eq!(stats.entries, 3);
    assert_eq!(stats.frames, 0);
    // The action (560) and the failed local query; the socket entry has no frames and gives no event.
    assert_eq!(events.len(), 2);
    let Event::Http(action) = &events[0] else {
        panic!()
    };
    assert_eq!(action.time, 1795600800.25, "11:00:00.250+01:00");
    let call = classify_http(action).unwrap();
    assert!(
        matches!(call.outcome, HttpOutcome::FunctionError { ref message, .. } if message.contains("Unauthenticated"))
    );
    assert_eq!(call.udf_path.as_deref(), Some("ai:ask"));
    let Event::Http(local) = &events[1] else {
        panic!()
    };
    let call = classify_http(local).unwrap();
    assert_eq!(call.deployment, "http://127.0.0.1:3210");
    assert_eq!(call.outcome, HttpOutcome::Failed { status: 0 });
}

#[test]
fn reading_from_a_slow_reader_gives_the_same_events() {
    /// Hands out one byte at a time, as a pipe might.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }
    let bytes = fixture("chrome_small.har");
    let (expected, _) = read_all(&bytes).unwrap();
    let mut got = Vec::new();
    read_har(Trickle(&bytes), &mut |e| got.push(e)).unwrap();
    assert_eq!(got, expected);
}

fn err_of(bytes: &[u8]) -> String {
    read_all(bytes).map(|_| ()).unwrap_err()
}

#[test]
fn not_json() {
    assert!(err_of(b"hello world").contains("not a HAR file"));
    assert!(err_of(&[0xff, 0xfe, 0x00, 0x01, 0x02, 0x80]).contains("not a HAR file"));
    assert!(err_of(b"").contains("truncated"));
}

#[test]
fn json_but_not_har() {
    assert!(err_of(b"[1,2,3]").contains("not a HAR file"));
    assert!(err_of(b"{}").contains("no log.entries"));
    assert!(err_of(br#"{"log":{"version":"1.2"}}"#).contains("no log.entries"));
    assert!(err_of(br#"{"log":[]}"#).contains("not a HAR file"));
    assert!(err_of(br#"{"log":{"entries":{}}}"#).contains("not a HAR file"));
    assert!(err_of(br#"{"log":{"entries":[]}} trailing"#).contains("after the document"));
    assert!(read_all(br#"{"log":{"entries":[]}}"#).is_ok());
}

#[test]
fn truncated_file() {
    let bytes = fixture("chrome_small.har");
    for cut in [10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 5] {
        let err = err_of(&bytes[..cut]);
        assert!(
            err.contains("truncated") || err.contains("not a HAR file"),
            "{cut}: {err}"
        );
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut s = String::from(
        r#"{"log":{"entries":[{"request":{"url":"https://x.convex.cloud/api/query"},"response":{"status":200,"content":{"text":"#,
    );
    s.push_str(&"[".repeat(depth));
    s.push_str(&"]".repeat(depth));
    s.push_str("}}}]}}");
    assert!(err_of(s.as_bytes()).contains("not a HAR file"));
    let mut ignored = String::from(r#"{"extra":"#);
    ignored.push_str(&"{\"a\":".repeat(depth));
    assert!(read_all(ignored.as_bytes()).is_err());
}

#[test]
fn huge_strings_are_read_without_trouble() {
    let huge = "x".repeat(8 * 1024 * 1024);
    let har = format!(
        r#"{{"log":{{"entries":[{{"request":{{"url":"https://cdn.example.com/big.js"}},"response":{{"status":200,"content":{{"text":"{huge}"}}}}}},{{"request":{{"url":"{WS}"}},"startedDateTime":"2026-11-25T10:00:00Z","_webSocketMessages":[{{"type":"receive","time":1,"opcode":1,"data":"{huge}"}}]}}]}}}}"#
    );
    let (events, stats) = read_all(har.as_bytes()).unwrap();
    assert_eq!(stats.entries, 2);
    // An 8 MiB frame of unknown shape is kept (conservative), unchanged.
    assert_eq!(events.len(), 1);
}

#[test]
fn wrong_types_inside_entries_are_errors() {
    for bad in [
        r#"{"log":{"entries":[{"request":{"url":5}}]}}"#,
        r#"{"log":{"entries":[{"request":{"headers":"x"}}]}}"#,
        r#"{"log":{"entries":[{"_webSocketMessages":[{"time":"soon"}]}]}}"#,
        r#"{"log":{"entries":[{"request":{"url":"https://x.convex.cloud/api/query"},"response":{"content":{"text":"!!!","encoding":"base64"}}}]}}"#,
        r#"{"log":{"entries":[1]}}"#,
    ] {
        assert!(read_all(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn random_bytes_never_panic() {
    // A small deterministic generator: no dependency, same cases every run.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let base = fixture("chrome_small.har");
    for _ in 0..300 {
        let mut bytes = base.clone();
        for _ in 0..8 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state as usize) % bytes.len();
            bytes[i] = (state >> 32) as u8;
        }
        let _ = read_all(&bytes);
    }
}

#[test]
fn big_convex_sockets_stream_when_the_url_comes_first() {
    // 9 frames of 256 KiB that all matter (TransitionChunks): over a 2 MiB per-entry budget if buffered.
    let budget = 2 * 1024 * 1024;
    let chunk = "y".repeat(256 * 1024);
    let frame = format!(
        r#"{{"type":"receive","time":1,"opcode":1,"data":"{{\"type\":\"TransitionChunk\",\"chunk\":\"{chunk}\",\"partNumber\":0,\"totalParts\":9,\"transitionId\":\"t\"}}"}}"#
    );
    let frames = vec![frame; 9].join(",");
    let url_first = format!(
        r#"{{"log":{{"entries":[{{"request":{{"url":"{WS}"}},"startedDateTime":"2026-11-25T10:00:00Z","_webSocketMessages":[{frames}]}}]}}}}"#
    );
    let mut n = 0;
    let stats = read_har_with_budget(url_first.as_bytes(), &mut |_| n += 1, budget).unwrap();
    assert_eq!((n, stats.frames), (9, 9));
    // Frames before the URL must be buffered: past the budget that is an error, not a silent partial result.
    let frames_first = format!(
        r#"{{"log":{{"entries":[{{"_webSocketMessages":[{frames}],"request":{{"url":"{WS}"}},"startedDateTime":"2026-11-25T10:00:00Z"}}]}}}}"#
    );
    let err = read_har_with_budget(frames_first.as_bytes(), &mut |_| {}, budget).unwrap_err();
    assert!(err.contains("more than"), "{err}");
    // …while a foreign socket of the same size is just dropped.
    let foreign = frames_first.replace(WS, "wss://chat.example.com/socket");
    assert_eq!(
        read_har_with_budget(foreign.as_bytes(), &mut |_| {}, budget)
            .unwrap()
            .events,
        0
    );
    // The default budget holds it.
    assert_eq!(
        read_har(frames_first.as_bytes(), &mut |_| {})
            .unwrap()
            .events,
        9
    );
}

/// What a file can show is read while it streams, whatever the order of its keys (issue 16): creator, credential
/// headers, preflights announcing `authorization`, socket entries with and without messages, a socket whose
/// first client message is not its Connect, and a socket written under its handshake's `https://` URL.
#[test]
fn the_files_shape_is_read_in_any_key_order() {
    let https = WS.replace("wss://", "https://");
    let har = format!(
        r#"{{"log":{{"entries":[
 {{"request":{{"method":"GET","url":"https://app.example.com/","headers":[{{"name":"Sec-Fetch-Dest","value":"document"}},{{"name":"Cookie","value":"a=b"}}]}},"response":{{"status":200,"headers":[{{"name":"set-cookie","value":"c=d"}}]}}}},
 {{"request":{{"method":"OPTIONS","url":"https://happy-animal-123.convex.cloud/api/query","headers":[{{"name":"Access-Control-Request-Headers","value":"authorization,content-type"}}]}},"response":{{"status":204}}}},
 {{"request":{{"method":"POST","url":"https://happy-animal-123.convex.cloud/api/query","headers":[]}},"response":{{"status":200,"content":{{"text":"{{}}"}}}}}},
 {{"_resourceType":"websocket","_webSocketMessages":[{{"type":"send","time":1,"opcode":1,"data":"{{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,\"modifications\":[]}}"}}],"request":{{"method":"GET","url":"{https}"}},"startedDateTime":"2026-11-25T10:00:00+00:00"}},
 {{"request":{{"method":"GET","url":"{WS}"}},"response":{{"status":101}},"startedDateTime":"2026-11-25T10:00:01Z"}}
],"creator":{{"name":"mitmproxy","version":"11.0.2","comment":""}}}}}}"#
    );
    let (events, stats) = read_all(har.as_bytes()).unwrap();
    let shape = &stats.shape;
    assert_eq!(shape.creator.as_deref(), Some("mitmproxy"));
    assert_eq!(shape.creator_version.as_deref(), Some("11.0.2"));
    assert_eq!(shape.page_loads, 1);
    assert_eq!(shape.credential_headers, 2);
    assert_eq!(
        (
            shape.convex_calls,
            shape.convex_calls_authorized,
            shape.convex_calls_with_body
        ),
        (1, 0, 1)
    );
    assert_eq!(
        (
            shape.convex_preflights,
            shape.preflights_announcing_authorization
        ),
        (1, 1)
    );
    assert_eq!(
        (
            shape.convex_sockets,
            shape.sockets_without_messages,
            shape.sockets_joined_late
        ),
        (2, 1, 1)
    );
    // The preflight is no call; the `https://` socket's frame comes out as a `wss://` socket's.
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::WsFrame { url, .. } if url == WS)),
        "{events:?}"
    );
}
