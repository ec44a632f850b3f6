//! STUB: the token helper replaces this file.
use serde_json::{Map, Value};

/// Which part of a JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Header,
    Payload,
    Signature,
}

/// Why a token could not be decoded, precisely.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// The part at fault, if one is.
    pub part: Option<Part>,
    /// One line, plain words ("the payload is not valid base64url: it looks truncated").
    pub message: String,
    /// Extra facts for the finding's evidence (e.g. `parts: 2`, `truncated: true`, `standard_base64: true`).
    pub evidence: Map<String, Value>,
}

/// The `aud` claim as the backend reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Audience {
    Absent,
    One(String),
    Many(Vec<String>),
    /// Present but neither a string nor an array of strings.
    Invalid(Value),
}

/// A decoded (not verified) JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedToken {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    /// The signature's base64url text. Never rendered: reports say `<redacted>`.
    pub signature: String,
    /// `header.payload` exactly as given: what the signature covers.
    pub signing_input: String,
    /// What had to be cleaned off to decode it (surrounding quotes, `Bearer `, whitespace, padding).
    pub notes: Vec<String>,
}

impl DecodedToken {
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }
    /// A numeric claim (`exp`, `iat`, `nbf`) as seconds; `None` when absent or not a number.
    pub fn claim_num(&self, name: &str) -> Option<f64> {
        self.payload.get(name).and_then(Value::as_f64)
    }
    pub fn iss(&self) -> Option<&str> {
        self.claim_str("iss")
    }
    pub fn aud(&self) -> Audience {
        Audience::Absent
    }
}

/// Decodes a token leniently.
pub fn decode(_input: &str) -> Result<DecodedToken, Malformed> {
    Err(Malformed {
        part: None,
        message: "stub".into(),
        evidence: Map::new(),
    })
}
