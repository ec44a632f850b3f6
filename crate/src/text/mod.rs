//! Text formats every layer reads: base64, fields of JSON values, URLs, calendar dates.
//!
//! The bottom layer: it knows nothing of the rest of the crate (see "Architecture Invariant" in
//! `ARCHITECTURE.md`), so that `traffic/`, `token/` and `verify/` can share these without knowing each other.

pub(crate) mod base64;
pub(crate) mod date;
pub mod diff;
pub(crate) mod json;
/// Public (re-exported as `crate::redact`): the tests, the fuzz targets and front ends use it.
pub mod redact;
pub(crate) mod url;
