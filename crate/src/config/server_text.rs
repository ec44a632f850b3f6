//! STUB: the config helper replaces this file.
use super::AuthConfig;

/// The provider list in a development deployment's `No auth provider found…` message
/// (an empty list for `(no providers configured)`); `None` when the message has none (e.g. production's redacted form).
pub fn providers_from_server_message(_message: &str) -> Option<AuthConfig> {
    None
}
