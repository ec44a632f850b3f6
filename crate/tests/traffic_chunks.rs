//! `TransitionChunk` reassembly, following `assembleTransition` in convex 1.48.0 `web_socket_manager.ts`
//! (in order only, state cleared on any inconsistency) with a memory cap.

use convex_auth_doctor::traffic::chunks::{MAX_PARTS, MAX_TRANSITION_BYTES};
use convex_auth_doctor::traffic::{parse_server, ChunkAssembler, ServerMessage};

const WHOLE: &str = r#"{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":1,"ts":"AQAAAAAAAAA="},"modifications":[],"clientClockSkew":1.0,"serverTs":1000000000}"#;

fn parts(n: usize) -> Vec<&'static str> {
    let size = WHOLE.len().div_ceil(n);
    WHOLE
        .as_bytes()
        .chunks(size)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect()
}

#[test]
fn in_order_parts_give_the_transition_back() {
    let p = parts(3);
    let mut a = ChunkAssembler::default();
    assert_eq!(a.push("t1", 0, 3, p[0]).unwrap(), None);
    assert!(a.is_buffering());
    assert_eq!(a.push("t1", 1, 3, p[1]).unwrap(), None);
    let text = a.push("t1", 2, 3, p[2]).unwrap().unwrap();
    assert_eq!(text, WHOLE);
    assert!(!a.is_buffering());
    assert!(matches!(
        parse_server(&text).unwrap(),
        ServerMessage::Transition {
            end_identity: 1,
            ..
        }
    ));
}

#[test]
fn single_part_transition() {
    let mut a = ChunkAssembler::default();
    assert_eq!(a.push("t", 0, 1, WHOLE).unwrap().as_deref(), Some(WHOLE));
}

#[test]
fn out_of_order_is_an_error_and_resets() {
    let p = parts(3);
    let mut a = ChunkAssembler::default();
    a.push("t1", 0, 3, p[0]).unwrap();
    let err = a.push("t1", 2, 3, p[2]).unwrap_err();
    assert!(err.contains("out of order"), "{err}");
    assert!(!a.is_buffering());
    // Starting over works.
    a.push("t1", 0, 3, p[0]).unwrap();
    a.push("t1", 1, 3, p[1]).unwrap();
    assert_eq!(a.push("t1", 2, 3, p[2]).unwrap().as_deref(), Some(WHOLE));
}

#[test]
fn first_part_missing_is_an_error() {
    let mut a = ChunkAssembler::default();
    assert!(a.push("t1", 1, 3, "x").is_err());
    assert!(!a.is_buffering());
}

#[test]
fn a_new_transition_drops_an_unfinished_one() {
    let p = parts(2);
    let mut a = ChunkAssembler::default();
    a.push("old", 0, 5, "{\"lost").unwrap();
    assert_eq!(a.push("new", 0, 2, p[0]).unwrap(), None);
    assert_eq!(a.push("new", 1, 2, p[1]).unwrap().as_deref(), Some(WHOLE));
    // …but a new id that does not start at part 0 is an error.
    a.push("x", 0, 3, "a").unwrap();
    assert!(a.push("y", 1, 3, "b").is_err());
    assert!(!a.is_buffering());
}

#[test]
fn inconsistent_headers_are_errors() {
    let mut a = ChunkAssembler::default();
    assert!(a.push("t", 0, 0, "").is_err());
    assert!(a.push("t", 3, 3, "").is_err());
    assert!(a.push("t", 0, MAX_PARTS + 1, "").is_err());
    a.push("t", 0, 3, "a").unwrap();
    assert!(a.push("t", 1, 4, "b").is_err(), "totalParts changed");
    assert!(!a.is_buffering());
}

#[test]
fn oversized_transition_is_refused_and_memory_released() {
    let piece = "x".repeat(8 * 1024 * 1024);
    let total = (MAX_TRANSITION_BYTES / piece.len()) as u32 + 2;
    let mut a = ChunkAssembler::default();
    let mut failed_at = None;
    for part in 0..total {
        if let Err(e) = a.push("big", part, total, &piece) {
            assert!(e.contains("exceeds"), "{e}");
            failed_at = Some(part);
            break;
        }
    }
    assert_eq!(
        failed_at,
        Some(total - 2),
        "the part that crosses the cap fails"
    );
    assert!(!a.is_buffering());
}

#[test]
fn reset_drops_buffered_parts() {
    let mut a = ChunkAssembler::default();
    a.push("t", 0, 2, "{").unwrap();
    a.reset();
    assert!(!a.is_buffering());
    assert!(a.push("t", 1, 2, "}").is_err());
}
