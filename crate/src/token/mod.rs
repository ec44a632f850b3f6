//! JWTs: lenient decoding (what people paste and what clients send) and the step-2 checks on their claims.
//! OWNER: token helper. The API below is the contract the analysis uses; keep it.

pub mod checks;
pub mod decode;

pub use checks::{check_token, TokenPath};
pub use decode::{decode, Audience, DecodedToken, Malformed, Part};

/// STUB (token helper replaces): one claim explained.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClaimNote {
    pub name: String,
    pub value: serde_json::Value,
    pub explanation: String,
}

/// STUB (token helper replaces).
pub fn explain_claims(_token: &DecodedToken, _sent_at: f64) -> Vec<ClaimNote> {
    Vec::new()
}

/// STUB (token helper replaces).
pub fn human_duration(secs: f64) -> String {
    format!("{secs:.0} s")
}
