//! `auth.config.ts` through the public entry point, with environment values some fixtures read.
#![no_main]
use convex_auth_doctor::config::{parse_auth_config, Env};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let mut env = Env::new();
    env.insert(
        "CLERK_JWT_ISSUER_DOMAIN".to_owned(),
        "https://x.clerk.accounts.dev".to_owned(),
    );
    env.insert(
        "CONVEX_SITE_URL".to_owned(),
        "https://x.convex.site".to_owned(),
    );
    let _ = parse_auth_config(src, &env);
    let _ = convex_auth_doctor::config::providers_from_server_message(src);
});
