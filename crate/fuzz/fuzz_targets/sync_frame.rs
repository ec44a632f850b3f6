//! The sync protocol's frame readers: both directions, the pre-check that skips frames, the query list.
#![no_main]
use convex_auth_doctor::traffic::{parse_client, parse_server, server_frame_may_matter, sync};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_client(text);
    let _ = sync::added_queries(text);
    // The pre-check may skip a frame only when the full reader has nothing for the judgement in it; both run.
    let _ = server_frame_may_matter(text);
    let _ = parse_server(text);
});
