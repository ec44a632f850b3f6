//! How long checking one token against a configuration takes natively (target: under 20 µs).
//!
//! `cargo bench --bench check`. Two measurements, each the median (and best) of 30 timed batches of 1000:
//! - the check itself: lenient decoding, the backend's provider selection against a four-provider
//!   `auth.config.ts`, and the step-2 rules on the path the token takes;
//! - the whole report a bare token gets (the CLI's `token` command minus printing): the check plus the causes,
//!   the per-claim explanations with dates, and the steps.

use std::hint::black_box;
use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::{parse_auth_config, Env};
use convex_auth_doctor::rules::check_config;
use convex_auth_doctor::token::{check_token, decode};

const CONFIG: &str = r#"
export default {
  providers: [
    { domain: "https://other-instance.clerk.accounts.dev", applicationID: "convex" },
    { domain: "https://tenant.eu.auth0.com/", applicationID: "abc123" },
    { type: "customJwt", issuer: "https://api.example.com", jwks: "https://api.example.com/jwks", algorithm: "ES256" },
    { domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" },
  ],
};
"#;

fn token() -> String {
    let header = r#"{"alg":"RS256","typ":"JWT","kid":"ins_2abc"}"#;
    let payload = r#"{"aud":"convex","azp":"http://localhost:3000","exp":1764183600,"iat":1764180000,"iss":"https://happy-otter-12.clerk.accounts.dev","nbf":1764179990,"sid":"sess_2abc","sub":"user_2abcdef","email":"ada@example.com","name":"Ada"}"#;
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode([7u8; 256])
    )
}

fn main() {
    let mut env = Env::new();
    env.insert(
        "CLERK_JWT_ISSUER_DOMAIN".into(),
        "https://happy-otter-12.clerk.accounts.dev".into(),
    );
    let config = parse_auth_config(CONFIG, &env).ok();
    let token = token();
    let check = || {
        let decoded = decode(black_box(&token)).ok()?;
        let verdict = check_config(config.as_ref()?, &decoded);
        Some((
            check_token(&decoded, 1_764_180_100.0, &verdict.path),
            verdict.findings,
        ))
    };
    let report = || {
        let mut session = Session::new();
        if let Some(c) = &config {
            session.set_config(c.clone());
        }
        session.add_input_token(black_box(&token), 1_764_180_100.0);
        session.report()
    };
    let (median, best) = time(|| {
        black_box(check());
    });
    println!(
        "check one token against a 4-provider config (decode + provider selection + step-2 rules): median {:.2} µs, best {:.2} µs{}",
        median * 1e6,
        best * 1e6,
        if config.is_none() { " (config did not parse: provider matching not exercised)" } else { "" }
    );
    let (median, best) = time(|| {
        black_box(report());
    });
    println!(
        "the whole report for that token (check + causes + claim explanations + steps): median {:.2} µs, best {:.2} µs",
        median * 1e6,
        best * 1e6
    );
}

/// Median and best seconds per call over 30 batches of 1000, after a warm-up.
fn time(mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..1000 {
        f();
    }
    let batch = 1000;
    let mut per_call: Vec<f64> = (0..30)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed().as_secs_f64() / batch as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    let median = per_call
        .get(per_call.len() / 2)
        .copied()
        .unwrap_or(f64::NAN);
    let best = per_call.first().copied().unwrap_or(f64::NAN);
    (median, best)
}
