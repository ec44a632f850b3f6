//! STUB: the traffic helper replaces this file.

/// A `'server identity'` log line, as the guide's step 1 has users add it.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityLog {
    /// `[LOG] 'server identity' null`
    Null,
    /// `[LOG] 'server identity' { tokenIdentifier: '…', issuer: '…', subject: '…', … }`; fields as far as readable
    /// (a truncated line keeps what came before the cut).
    Identity {
        issuer: Option<String>,
        subject: Option<String>,
        token_identifier: Option<String>,
        truncated: bool,
    },
}

/// Reads one log line; `None` when it is not a `'server identity'` line.
pub fn identity_in_log_line(_line: &str) -> Option<IdentityLog> {
    None
}
