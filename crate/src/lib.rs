//! Convex Auth Doctor's verdict engine.
//!
//! A pure core: no I/O, no clocks, no browser types. Front ends (the command line in [`command`], a pure
//! function hosted by the binary `main.rs` and the npm wrapper; the wasm boundary in [`wasm`], the extension) feed it [`event::Event`]s, a configuration and a token, and render the
//! [`report::Report`] it returns. See `ARCHITECTURE.md` for the map.

pub mod analysis;
pub mod command;
pub mod config;
pub mod event;
pub mod findings;
/// Native only: the catalogue prose it renders is not compiled into wasm.
#[cfg(not(target_arch = "wasm32"))]
pub mod findings_doc;
pub mod render;
pub mod report;
pub mod rules;
pub(crate) mod text;
pub use text::redact;
pub mod token;
pub mod traffic;
pub mod verify;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The engine's version, as reports state it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
