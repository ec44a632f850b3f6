//! The backend's own rules: which provider a token takes, what the server's error texts mean, and which identity
//! provider an issuer belongs to (for causes that name the user's real situation).

pub mod compare;
pub mod config_values;
pub mod issuer_url;
pub mod library;
pub mod matching;
pub mod provider_kind;
pub mod server_error;
pub mod unresolved;

pub use matching::{check_config, issuer_path, normalise_issuer, ConfigVerdict};
pub use provider_kind::ProviderKind;
pub use server_error::ServerError;
