//! Time per signature verification, per algorithm, natively (`cargo bench --bench verify`).
//! The target from issue 5: one verification well under a millisecond.

use std::time::Instant;

use base64::Engine;
use convex_auth_doctor::token::{DecodedToken, TokenPath};
use convex_auth_doctor::verify::{verify_token, Jwks};
use serde_json::{Map, Value};

fn from_compact(text: &str) -> Option<DecodedToken> {
    let mut parts = text.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    let part = |t: &str| -> Option<Map<String, Value>> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    Some(DecodedToken {
        header: part(h)?,
        payload: part(p)?,
        signature: s.to_owned(),
        signing_input: format!("{h}.{p}"),
        notes: vec![],
    })
}

fn main() {
    let fixtures: Value =
        serde_json::from_str(include_str!("../tests/fixtures/verify/fixtures.json"))
            .expect("fixtures");
    let jwks_text = fixtures["jwks"]["main"].to_string();
    let start = Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        std::hint::black_box(Jwks::parse(&jwks_text).expect("jwks"));
    }
    println!(
        "Jwks::parse (5 keys: 2 RSA-2048, P-256, P-384, Ed25519): {:>9.0} ns",
        start.elapsed().as_nanos() as f64 / rounds as f64
    );
    let keys = Jwks::parse(&jwks_text).expect("jwks");
    let path = TokenPath::Oidc {
        application_id: None,
    };
    for alg in [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
    ] {
        let token = fixtures["tokens"][alg]
            .as_str()
            .and_then(from_compact)
            .expect("token");
        let iterations = 500;
        let start = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(verify_token(&token, &path, &keys));
        }
        let ns = start.elapsed().as_nanos() as f64 / iterations as f64;
        println!("verify_token {alg:<6} {ns:>9.0} ns  ({:.3} ms)", ns / 1e6);
    }
}
