//! The token decoder, then the whole report for a token given on the command line (checks, explanations,
//! every renderer), as `convex-auth-doctor token -` would make it.
#![no_main]
use convex_auth_doctor::analysis::Session;
use libfuzzer_sys::fuzz_target;

#[path = "common/safe.rs"]
mod safe;
use safe::safe_to_show;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = convex_auth_doctor::token::decode(&text);
    let mut session = Session::new();
    session.add_input_token(&text, 1_764_180_000.0);
    safe_to_show(&session.report());
});
