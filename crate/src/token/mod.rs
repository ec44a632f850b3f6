//! JWTs: lenient decoding (what people paste and what clients send) and the step-2 checks on their claims.

pub mod checks;
pub mod decode;
mod duplicates;
pub mod explain;
pub mod group;
mod oidc;
pub mod time;
pub mod wrapped;

pub use checks::{check_token, typ_is_jwt_like, TokenPath};
pub use decode::{decode, too_long, Audience, DecodedToken, Malformed, Part, MAX_INPUT_BYTES};
pub use explain::{explain_claims, ClaimNote};
pub use time::{human_duration, iso_utc};
pub use wrapped::decode_captured;
