//! Captured tokens are judged as the backend reads them: nothing around them is stripped.
//!
//! The backend passes the WebSocket `Authenticate` value to validation as it is (convex-backend 94a42c3
//! `crates/authentication/src/lib.rs:162` `JWT::new_encoded(&token_str.0)`), and takes an HTTP token as the
//! `Authorization` value after its first 7 characters (`bearer `, any case), trimmed (`lib.rs:110-117`). Both of
//! its JWT libraries split on `.` and decode each part as unpadded base64url (biscuit `src/lib.rs:545-551`,
//! openidconnect-rs `src/jwt/mod.rs:467-498`), so quotes, whitespace, a second `Bearer ` or a stray trailing `.`
//! make the token unreadable: refused. A pasted token (the CLI's `token` argument, the panel's input) stays
//! lenient: people copy with quotes and line breaks, and the doctor should read what they meant.

use super::decode::{decode, DecodedToken, Malformed};

/// A captured token decoded leniently, and what the backend would not have stripped from it (empty when the
/// token was sent clean).
pub fn decode_captured(text: &str) -> (Result<DecodedToken, Malformed>, Vec<String>) {
    let mut wrappers = Vec::new();
    // `header.payload.signature.`: the lenient decoder counts four parts; the backend refuses it too.
    let trimmed = text.trim_end();
    let body = match trimmed.strip_suffix('.') {
        Some(rest) if rest.matches('.').count() == 2 && !rest.ends_with('.') => {
            wrappers.push("a trailing `.` (a fourth, empty part)".to_owned());
            rest.to_owned() + &text[trimmed.len()..]
        }
        _ => text.to_owned(),
    };
    let decoded = decode(&body);
    if let Ok(token) = &decoded {
        // The decoder's clean-up notes all start with "removed"; its other notes (padding, the standard alphabet,
        // an empty signature) are `token.malformed` findings of their own.
        wrappers.extend(
            token
                .notes
                .iter()
                .filter(|n| n.starts_with("removed"))
                .map(|n| n.trim_start_matches("removed ").to_owned()),
        );
    }
    (decoded, wrappers)
}
