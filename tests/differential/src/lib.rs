//! A differential test of Convex Auth Doctor: generated tokens × configurations, each judged by the doctor
//! (its library API) and by the JOSE libraries the Convex backend uses, configured as the backend configures
//! them. See README.md.

pub mod backend;
pub mod case;
pub mod doctor;
pub mod gen;
pub mod keys;
pub mod known;
