//! STUB: the config helper replaces this file.

/// What one of the backend's authentication error texts means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// `No auth provider found matching the given token…` (any form).
    NoAuthProvider {
        no_providers_configured: bool,
        redacted: bool,
    },
    /// `Auth provider discovery of <iss> failed…`.
    DiscoveryFailed { issuer: String },
    /// `Convex token identity expired` (expired during the session).
    IdentityExpired,
    /// Any other recognised text (`Could not verify OIDC token claim…`, `Could not decode token…`, …).
    Other { kind: &'static str },
    /// Not a text this engine knows.
    Unknown,
}

impl ServerError {
    /// Classifies a server message (the `AuthError.error`, or an HTTP error body's `message`).
    pub fn classify(_message: &str) -> ServerError {
        ServerError::Unknown
    }

    /// The finding code this text establishes on its own (e.g. `config.kid_missing` for the missing-`kid` text,
    /// `auth.discovery_failed` for discovery), `None` when it only says "rejected".
    pub fn implied_code(&self) -> Option<crate::findings::Code> {
        None
    }

    /// What the message means, in plain words, one or two sentences.
    pub fn explain(&self) -> String {
        String::new()
    }
}
