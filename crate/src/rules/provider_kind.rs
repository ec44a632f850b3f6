//! STUB: the config helper replaces this file.
use crate::findings::Code;

/// The identity provider recognised from an issuer URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    Clerk {
        frontend_api: String,
        development: bool,
    },
    Auth0 {
        tenant: String,
    },
    ConvexAuth {
        site: String,
    },
    WorkOs,
    Custom,
}

impl ProviderKind {
    /// Recognises the provider from `iss`.
    pub fn recognise(_iss: &str) -> ProviderKind {
        ProviderKind::Custom
    }

    /// A short human name ("Clerk (development instance)").
    pub fn label(&self) -> String {
        String::from("custom")
    }

    /// The guide's potential causes for `code` that fit this provider, most likely first.
    pub fn causes(&self, _code: Code) -> Vec<String> {
        Vec::new()
    }
}
