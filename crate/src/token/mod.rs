//! JWTs: lenient decoding (what people paste and what clients send) and the step-2 checks on their claims.
//! OWNER: token helper. The API below is the contract the analysis uses; keep it.

pub mod checks;
pub mod decode;

pub use checks::{check_token, TokenPath};
pub use decode::{decode, Audience, DecodedToken, Malformed, Part};
