//! The streaming HAR reader (hand-written scanner), with a small per-entry budget so budget paths are reached.
#![no_main]
use convex_auth_doctor::traffic::har::read_har_with_budget;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut events = 0u64;
    let _ = read_har_with_budget(data, &mut |_| events += 1, 64 * 1024);
});
