//! Just enough URL splitting to say how two issuers differ (scheme, host, path) without a URL crate: issuers
//! are compared by the backend as plain strings, so this is only used to explain a mismatch, never to decide one.

/// An issuer split into the parts people get wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerParts {
    /// `https`, `http`, or empty when the value has no `scheme://`.
    pub scheme: String,
    /// The host (and port), as written: case is kept because the backend compares case-sensitively.
    pub host: String,
    /// Everything after the host, trailing `/` trimmed.
    pub path: String,
}

impl IssuerParts {
    /// Splits `s`; never fails (odd input just lands in `host`/`path`).
    pub fn split(s: &str) -> IssuerParts {
        let s = s.trim();
        let (scheme, rest) = match s.split_once("://") {
            Some((scheme, rest))
                if !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                (scheme.to_ascii_lowercase(), rest)
            }
            _ => (String::new(), s),
        };
        let (host, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (rest.get(..i).unwrap_or(rest), rest.get(i..).unwrap_or("")),
            None => (rest, ""),
        };
        IssuerParts {
            scheme,
            host: host.to_owned(),
            path: path.trim_end_matches('/').to_owned(),
        }
    }

    /// The host without a port, lower-cased: for recognising providers.
    pub fn hostname(&self) -> String {
        let h = self
            .host
            .rsplit_once('@')
            .map_or(self.host.as_str(), |(_, h)| h);
        let h = match h.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => h,
        };
        h.to_ascii_lowercase()
    }
}
