//! The issuer's published keys, as far as the front end was allowed to fetch them, and what they say of the token.
//!
//! The engine never does I/O: it says which URLs would settle verification ([`KeyStore::requests`]) — the
//! discovery document at `<iss>/.well-known/openid-configuration` then its `jwks_uri` for OIDC providers, the
//! configured `jwks` URL for customJwt providers — and the front end (panel, CLI `--fetch`) fetches them when the
//! user allows it and hands back what it got. The token itself is never part of a request.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{AuthConfig, Provider};
use crate::findings::{Code, Finding};
use crate::rules::normalise_issuer;
use crate::token::{DecodedToken, TokenPath};
use crate::verify::{self, DiscoveryDoc, Jwks};

/// At most this many fetched documents are kept.
const MAX_DOCUMENTS: usize = 16;

/// A URL the front end may fetch to verify the latest token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRequest {
    pub url: String,
    /// `discovery` or `jwks`.
    pub purpose: &'static str,
    /// The issuer the keys belong to.
    pub issuer: String,
}

#[derive(Debug, Clone)]
enum Document {
    Discovery(Result<DiscoveryDoc, String>),
    Jwks(Result<Jwks, String>),
    /// The fetch itself failed (network, CORS, permission refused).
    Unreachable(String),
}

#[derive(Debug, Clone)]
struct Fetched {
    document: Document,
    fetched_at: f64,
}

/// Keys and discovery documents handed in by the front end.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    fetched: BTreeMap<String, Fetched>,
    /// A JWKS given directly (`--jwks FILE`): used for whatever issuer the token names.
    manual: Option<(String, Jwks)>,
}

/// Where the keys for a token come from, given the path it takes.
fn plan(token: &DecodedToken, path: &TokenPath, config: Option<&AuthConfig>, matched: Option<usize>) -> Option<(String, Source)> {
    let iss = token.iss()?;
    if let TokenPath::CustomJwt { .. } = path {
        let provider = matched.and_then(|i| config?.providers.get(i));
        if let Some(Provider::CustomJwt { jwks, .. }) = provider {
            return match jwks.resolved() {
                Some(url) if url.starts_with("data:") => Some((iss.to_owned(), Source::DataUri(url.to_owned()))),
                Some(url) if !url.is_empty() => Some((iss.to_owned(), Source::Jwks(url.to_owned()))),
                _ => None,
            };
        }
        return None;
    }
    let base = normalise_issuer(iss);
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return None;
    }
    Some((iss.to_owned(), Source::Discovery(format!("{base}/.well-known/openid-configuration"))))
}

enum Source {
    Discovery(String),
    Jwks(String),
    DataUri(String),
}

impl KeyStore {
    /// The URLs still to fetch to verify `token` on `path` (none once everything needed is known).
    pub fn requests(
        &self,
        token: &DecodedToken,
        path: &TokenPath,
        config: Option<&AuthConfig>,
        matched: Option<usize>,
    ) -> Vec<KeyRequest> {
        if self.manual.is_some() {
            return Vec::new();
        }
        let Some((issuer, source)) = plan(token, path, config, matched) else {
            return Vec::new();
        };
        let request = |url: String, purpose| KeyRequest { url, purpose, issuer: issuer.clone() };
        match source {
            Source::DataUri(_) => Vec::new(),
            Source::Jwks(url) if !self.fetched.contains_key(&url) => vec![request(url, "jwks")],
            Source::Jwks(_) => Vec::new(),
            Source::Discovery(url) => match self.fetched.get(&url).map(|f| &f.document) {
                None => vec![request(url, "discovery")],
                Some(Document::Discovery(Ok(doc))) if !self.fetched.contains_key(&doc.jwks_uri) => {
                    vec![request(doc.jwks_uri.clone(), "jwks")]
                }
                _ => Vec::new(),
            },
        }
    }

    /// Records a fetched document. `purpose` is the one the request named.
    pub fn set_fetched(&mut self, url: &str, purpose: &str, content_type: Option<&str>, status: u16, body: &str, fetched_at: f64) {
        let document = if !(200..300).contains(&status) {
            Document::Unreachable(format!("HTTP {status}"))
        } else if purpose == "discovery" {
            Document::Discovery(verify::parse_discovery(body))
        } else {
            Document::Jwks(verify::parse_jwks_response(content_type, body, url))
        };
        self.insert(url, Fetched { document, fetched_at });
    }

    /// Records a fetch that failed before any response.
    pub fn set_unreachable(&mut self, url: &str, error: &str, fetched_at: f64) {
        let error: String = error.chars().take(500).collect();
        self.insert(url, Fetched { document: Document::Unreachable(error), fetched_at });
    }

    /// A JWKS given by the user, used for any issuer.
    pub fn set_manual_jwks(&mut self, label: &str, json: &str) -> Result<(), String> {
        let jwks = Jwks::parse(json).map_err(|e| e.to_string())?;
        self.manual = Some((label.to_owned(), jwks));
        Ok(())
    }

    fn insert(&mut self, url: &str, fetched: Fetched) {
        if self.fetched.len() >= MAX_DOCUMENTS && !self.fetched.contains_key(url) {
            if let Some(oldest) = self
                .fetched
                .iter()
                .min_by(|a, b| a.1.fetched_at.total_cmp(&b.1.fetched_at))
                .map(|(k, _)| k.clone())
            {
                self.fetched.remove(&oldest);
            }
        }
        self.fetched.insert(url.to_owned(), fetched);
    }

    /// The verification findings for `token`, from what is known; empty when nothing was fetched.
    pub fn findings(
        &self,
        token: &DecodedToken,
        path: &TokenPath,
        config: Option<&AuthConfig>,
        matched: Option<usize>,
    ) -> Vec<Finding> {
        if let Some((label, jwks)) = &self.manual {
            return with_source(verify::verify_token(token, path, jwks), label, None);
        }
        let Some((issuer, source)) = plan(token, path, config, matched) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let jwks_url = match source {
            Source::DataUri(uri) => {
                return match verify::jwks_from_data_uri(&uri) {
                    Ok(jwks) => with_source(verify::verify_token(token, path, &jwks), "the data: URI in auth.config.ts", None),
                    Err(e) => vec![Finding::new(Code::JwksUnreachable, format!("The JWKS data: URI in auth.config.ts cannot be read: {e}"))],
                };
            }
            Source::Jwks(url) => url,
            Source::Discovery(url) => match self.fetched.get(&url) {
                None => return Vec::new(),
                Some(Fetched { document: Document::Discovery(Ok(doc)), fetched_at }) => {
                    out.extend(with_source(verify::discovery_findings(doc, &issuer), &url, Some(*fetched_at)));
                    doc.jwks_uri.clone()
                }
                Some(Fetched { document: Document::Discovery(Err(e)) | Document::Unreachable(e), fetched_at })
                | Some(Fetched { document: Document::Jwks(Err(e)), fetched_at }) => {
                    out.push(unreachable(&url, e, *fetched_at));
                    return out;
                }
                Some(Fetched { document: Document::Jwks(Ok(_)), .. }) => return out,
            },
        };
        match self.fetched.get(&jwks_url) {
            Some(Fetched { document: Document::Jwks(Ok(jwks)), fetched_at }) => {
                out.extend(with_source(verify::verify_token(token, path, jwks), &jwks_url, Some(*fetched_at)));
            }
            Some(Fetched { document: Document::Jwks(Err(e)) | Document::Unreachable(e), fetched_at })
            | Some(Fetched { document: Document::Discovery(Err(e)), fetched_at }) => {
                out.push(unreachable(&jwks_url, e, *fetched_at));
            }
            _ => {}
        }
        out
    }
}

fn unreachable(url: &str, error: &str, fetched_at: f64) -> Finding {
    Finding::new(
        Code::JwksUnreachable,
        format!("{url} could not be fetched from here: {error}. The backend may still reach it."),
    )
    .with("url", url)
    .with("error", error)
    .with("fetched_at", fetched_at)
}

fn with_source(mut findings: Vec<Finding>, source: &str, fetched_at: Option<f64>) -> Vec<Finding> {
    for f in findings.iter_mut() {
        f.evidence.insert("keys_from".into(), source.into());
        if let Some(at) = fetched_at {
            f.evidence.insert("keys_fetched_at".into(), at.into());
        }
    }
    findings
}
