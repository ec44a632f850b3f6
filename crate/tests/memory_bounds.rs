//! The session's memory stays bounded whatever the capture holds: many hosts, huge host names, unfinished
//! `TransitionChunk`s on many sockets. Measured, not assumed: this test binary counts every byte allocated
//! (a counting global allocator), so "retained" is what the session still holds after the events and "peak"
//! the most the process held while reading them.
//!
//! One test function: the counter is process-wide, so the cases run one after another.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::event::{Direction, Event};
use convex_auth_doctor::render;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;
const T: f64 = 1_764_180_000.0;

/// Runs `feed` on a fresh session; returns (bytes retained by the session, peak bytes above the start, the
/// session) — retained is measured with the session still alive.
fn measure(feed: impl FnOnce(&mut Session)) -> (usize, usize, Session) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut session = Session::new();
    feed(&mut session);
    let retained = CURRENT.load(Ordering::Relaxed).saturating_sub(base);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    (retained, peak, session)
}

fn connect_frame(socket: String, url: String) -> Event {
    Event::WsFrame {
        socket,
        url,
        direction: Direction::Send,
        time: T,
        data: r#"{"type":"Connect","sessionId":"s","connectionCount":0,"lastCloseReason":"InitialConnect"}"#
            .into(),
    }
}

fn chunk_frame(socket: &str, transition: &str, part: u32, total: u32, chunk: &str) -> Event {
    Event::WsFrame {
        socket: socket.into(),
        url: "wss://a.convex.cloud/api/1.49.0/sync".into(),
        direction: Direction::Receive,
        time: T,
        data: format!(
            r#"{{"type":"TransitionChunk","chunk":"{chunk}","partNumber":{part},"totalParts":{total},"transitionId":"{transition}"}}"#
        ),
    }
}

#[test]
fn the_session_stays_within_its_budget() {
    many_hosts();
    huge_hosts();
    unfinished_chunks_on_many_sockets();
    one_huge_frame();
    a_huge_chunked_transition_that_matters();
}

fn many_hosts() {
    // 50,000 by default (seconds in a debug build); `MEMORY_BOUNDS_HOSTS=1000000 cargo test --release --test
    // memory_bounds -- --nocapture` measures the million of issue 9.
    let hosts: usize = std::env::var("MEMORY_BOUNDS_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let (retained, _, session) = measure(|s| {
        for i in 0..hosts {
            let url = format!("wss://host-{i}.convex.cloud/api/1.49.0/sync");
            s.push(connect_frame(format!("ws{i}"), url));
        }
    });
    let report = session.report();
    let json = serde_json::to_string(&report).expect("serialises");
    println!(
        "{hosts} sockets on {hosts} hosts: session holds {:.1} MiB, JSON report {} bytes",
        retained as f64 / MIB as f64,
        json.len()
    );
    assert!(retained < 16 * MIB, "retained {retained} bytes");
    assert!(json.len() < 256 * 1024, "report of {} bytes", json.len());
    assert_eq!(report.deployments.len(), 17, "{:?}", report.deployments);
    // Counted exactly up to 65,536 beyond the 16 named.
    let more = match hosts - 16 {
        n if n <= 65_536 => format!("and {n} more"),
        _ => "and more than 65536 more".to_owned(),
    };
    assert_eq!(report.deployments.last(), Some(&more));
    assert!(render::text(&report).contains(&more));
}

fn huge_hosts() {
    let (retained, peak, session) = measure(|s| {
        for i in 0..300 {
            let host = format!("{i}{}", "h".repeat(MIB));
            s.push(connect_frame(
                format!("ws{i}"),
                format!("wss://{host}/api/1.49.0/sync"),
            ));
        }
    });
    let json = serde_json::to_string(&session.report()).expect("serialises");
    println!(
        "300 sockets with a 1 MiB host each: session holds {:.1} MiB (peak {:.1} MiB), JSON report {} bytes",
        retained as f64 / MIB as f64,
        peak as f64 / MIB as f64,
        json.len()
    );
    assert!(retained < 8 * MIB, "retained {retained} bytes");
    // The events themselves are 1 MiB each; a few copies of one in flight, never hundreds.
    assert!(peak < 16 * MIB, "peak {peak} bytes");
    assert!(json.len() < 256 * 1024, "report of {} bytes", json.len());
}

fn unfinished_chunks_on_many_sockets() {
    // 40 sockets each start a 4-part transition with 2 MiB parts and send three of them: 240 MiB of parts that
    // never finish. The session keeps at most its pending budget (64 MiB) of them.
    let part = "x".repeat(2 * MIB);
    let (retained, peak, _session) = measure(|s| {
        for i in 0..40 {
            let socket = format!("ws{i}");
            for n in 0..3 {
                s.push(chunk_frame(&socket, &format!("t{i}"), n, 4, &part));
            }
        }
    });
    println!(
        "40 sockets × 3 unfinished 2 MiB TransitionChunks: session holds {:.1} MiB (peak {:.1} MiB)",
        retained as f64 / MIB as f64,
        peak as f64 / MIB as f64
    );
    assert!(retained <= 66 * MIB, "retained {retained} bytes");
    assert!(peak <= 90 * MIB, "peak {peak} bytes");
}

/// A Transition that needs the full parse (it carries a log line), its query value made of `bytes` of small
/// objects: the shape whose parse tree is largest for its size.
fn transition_that_matters(bytes: usize) -> String {
    let item = r#"{"_id":"k1234567890","n":1,"s":"hello world"},"#;
    format!(
        r#"{{"type":"Transition","startVersion":{{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="}},"endVersion":{{"querySet":1,"identity":1,"ts":"AAAAAAAAAAA="}},"modifications":[{{"type":"QueryUpdated","queryId":0,"value":[{}{{}}],"logLines":["[LOG] 'server identity' null"],"journal":null}}]}}"#,
        item.repeat(bytes / item.len())
    )
}

fn one_huge_frame() {
    let data = transition_that_matters(50 * MIB);
    let (retained, peak, session) = measure(|s| {
        s.push(Event::WsFrame {
            socket: "ws1".into(),
            url: "wss://a.convex.cloud/api/1.49.0/sync".into(),
            direction: Direction::Receive,
            time: T,
            data,
        });
    });
    println!(
        "one 50 MiB Transition: session holds {:.1} MiB, peak {:.1} MiB above the frame itself",
        retained as f64 / MIB as f64,
        peak.saturating_sub(50 * MIB) as f64 / MIB as f64
    );
    // The frame (moved in) is all; no copy, no parse tree (that would be hundreds of MiB).
    assert!(peak < 52 * MIB, "peak {peak} bytes");
    assert!(retained < MIB, "retained {retained} bytes");
    let report = session.report();
    assert!(
        report.timeline.iter().any(|t| t
            .text
            .contains("was not read: longer than the 8388608 bytes")),
        "the timeline says what happened"
    );
}

fn a_huge_chunked_transition_that_matters() {
    // 20 MiB reassembled from 5 MiB chunks (as the backend splits), needing the full parse: not parsed.
    let whole = transition_that_matters(20 * MIB);
    let parts: Vec<String> = whole
        .as_bytes()
        .chunks(5 * MIB)
        .map(|c| String::from_utf8_lossy(c).replace('"', "\\\""))
        .collect();
    let total = parts.len() as u32;
    let (_, peak, _session) = measure(|s| {
        for (n, part) in parts.iter().enumerate() {
            s.push(chunk_frame("ws1", "big", n as u32, total, part));
        }
    });
    println!(
        "a 20 MiB chunked Transition that needs the full parse: peak {:.1} MiB",
        peak as f64 / MIB as f64
    );
    assert!(peak < 80 * MIB, "peak {peak} bytes");
}
