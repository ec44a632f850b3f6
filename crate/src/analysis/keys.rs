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
use crate::token::{DecodedToken, TokenPath};
use crate::verify::{self, DiscoveryDoc, Jwks};

/// At most this many fetched documents are kept.
const MAX_DOCUMENTS: usize = 16;

/// What a [`KeyRequest`]'s document is; serialised as `"discovery"` / `"jwks"` for the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyPurpose {
    /// `<iss>/.well-known/openid-configuration`: read against the issuer, it names the JWKS.
    Discovery,
    /// A JWK set.
    Jwks,
}

impl KeyPurpose {
    /// The purpose a front end hands back with a fetched document: `"discovery"`, and anything else is read as a
    /// JWK set (as before this was an enum).
    pub fn from_name(name: &str) -> Self {
        if name == "discovery" {
            KeyPurpose::Discovery
        } else {
            KeyPurpose::Jwks
        }
    }
}

/// A URL the front end may fetch to verify the latest token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRequest {
    pub url: String,
    pub purpose: KeyPurpose,
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
struct Manual {
    source: String,
    jwks: Option<Jwks>,
    findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
struct Fetched {
    document: Document,
    fetched_at: f64,
}

/// A document the front end fetched for a [`KeyRequest`], as it got it.
#[derive(Debug, Clone, Copy)]
pub struct FetchedDocument<'a> {
    pub url: &'a str,
    /// The request's purpose.
    pub purpose: KeyPurpose,
    /// The request's issuer: a discovery document is read against it.
    pub issuer: &'a str,
    /// The response's `Content-Type`, when it had one.
    pub content_type: Option<&'a str>,
    pub status: u16,
    pub body: &'a str,
    /// When it was fetched (Unix seconds).
    pub fetched_at: f64,
}

/// Keys and discovery documents handed in by the front end.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    fetched: BTreeMap<String, Fetched>,
    /// Keys got by the front end on its own (`--jwks FILE`, `--fetch`): used for whatever issuer the token
    /// names, with the findings made while getting them.
    manual: Option<Manual>,
}

/// Where the keys for a token come from, given the path it takes.
fn plan(
    token: &DecodedToken,
    path: &TokenPath,
    config: Option<&AuthConfig>,
    matched: Option<usize>,
) -> Option<(String, Source)> {
    let iss = token.iss()?;
    if let TokenPath::CustomJwt { .. } = path {
        let provider = matched.and_then(|i| config?.providers.get(i));
        if let Some(Provider::CustomJwt { jwks, .. }) = provider {
            return match jwks.resolved() {
                Some(url) if url.starts_with("data:") => {
                    Some((iss.to_owned(), Source::DataUri(url.to_owned())))
                }
                Some(url) if !url.is_empty() => {
                    Some((iss.to_owned(), Source::Jwks(url.to_owned())))
                }
                _ => None,
            };
        }
        return None;
    }
    // Discovery starts from the token's raw `iss` (convex-backend `crates/authentication/src/lib.rs:208`): a
    // scheme-less one never gets that far (the backend fails parsing it: `token.iss_no_scheme`), so there are no
    // keys to look at.
    if !iss.starts_with("https://") && !iss.starts_with("http://") {
        return None;
    }
    Some((
        iss.to_owned(),
        Source::Discovery(verify::discovery_url(iss)),
    ))
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
        let request = |url: String, purpose| KeyRequest {
            url,
            purpose,
            issuer: issuer.clone(),
        };
        match source {
            Source::DataUri(_) => Vec::new(),
            Source::Jwks(url) if !self.fetched.contains_key(&url) => {
                vec![request(url, KeyPurpose::Jwks)]
            }
            Source::Jwks(_) => Vec::new(),
            Source::Discovery(url) => match self.fetched.get(&url).map(|f| &f.document) {
                None => vec![request(url, KeyPurpose::Discovery)],
                Some(Document::Discovery(Ok(doc))) if !self.fetched.contains_key(&doc.jwks_uri) => {
                    vec![request(doc.jwks_uri.clone(), KeyPurpose::Jwks)]
                }
                _ => Vec::new(),
            },
        }
    }

    /// Records a fetched document.
    pub fn set_fetched(&mut self, fetched: &FetchedDocument) {
        let document = if fetched.status == 404 {
            // A 404 is what the backend gets from the same URL too (no network or CORS story): it refuses every
            // token of the provider (discovery: close 1000 AuthProviderDiscoveryFailed; customJwt: "Could not
            // fetch JWKS from URL … HTTP 404"). Other statuses may be transient or this browser's own.
            let e = format!("{} answered 404 Not Found", fetched.url);
            match fetched.purpose {
                KeyPurpose::Discovery => Document::Discovery(Err(e)),
                KeyPurpose::Jwks => Document::Jwks(Err(e)),
            }
        } else if !(200..300).contains(&fetched.status) {
            Document::Unreachable(format!("HTTP {}", fetched.status))
        } else {
            match fetched.purpose {
                KeyPurpose::Discovery => Document::Discovery(verify::check_discovery_response(
                    fetched.content_type,
                    fetched.body,
                    fetched.issuer,
                )),
                // Keys a discovery document named: the OIDC path's rules (a missing Content-Type passes there).
                KeyPurpose::Jwks if self.named_by_discovery(fetched.url) => {
                    Document::Jwks(verify::parse_oidc_jwks_response(
                        fetched.content_type,
                        fetched.body,
                        fetched.url,
                    ))
                }
                KeyPurpose::Jwks => Document::Jwks(verify::parse_jwks_response(
                    fetched.content_type,
                    fetched.body,
                    fetched.url,
                )),
            }
        };
        self.insert(
            fetched.url,
            Fetched {
                document,
                fetched_at: fetched.fetched_at,
            },
        );
    }

    /// Whether a fetched discovery document names `url` as its `jwks_uri` (then it is the OIDC path's JWKS).
    fn named_by_discovery(&self, url: &str) -> bool {
        self.fetched
            .values()
            .any(|f| matches!(&f.document, Document::Discovery(Ok(doc)) if doc.jwks_uri == url))
    }

    /// Records a fetch that failed before any response.
    pub fn set_unreachable(&mut self, url: &str, error: &str, fetched_at: f64) {
        let error: String = error.chars().take(500).collect();
        self.insert(
            url,
            Fetched {
                document: Document::Unreachable(error),
                fetched_at,
            },
        );
    }

    /// Keys the front end got by itself (`--jwks FILE`, `--fetch`), and the findings made getting them
    /// (`jwks.unreachable`, `discovery.issuer_mismatch`). Used for whatever issuer the token names.
    pub fn set_manual(&mut self, source: &str, jwks: Option<Jwks>, findings: Vec<Finding>) {
        self.manual = Some(Manual {
            source: source.to_owned(),
            jwks,
            findings,
        });
    }

    /// The issuer to get keys for, and the customJwt provider's `jwks` (URL or `data:` URI) when the token takes
    /// that path (`None`: OIDC discovery).
    pub fn target(
        token: &DecodedToken,
        path: &TokenPath,
        config: Option<&AuthConfig>,
        matched: Option<usize>,
    ) -> Option<(String, Option<String>)> {
        match plan(token, path, config, matched)? {
            (iss, Source::Discovery(_)) => Some((iss, None)),
            (iss, Source::Jwks(url)) | (iss, Source::DataUri(url)) => Some((iss, Some(url))),
        }
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
        if let Some(m) = &self.manual {
            let mut out = m.findings.clone();
            if let Some(jwks) = &m.jwks {
                out.extend(verify_with(token, path, jwks, &m.source, None));
            }
            return out;
        }
        let Some((issuer, source)) = plan(token, path, config, matched) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let jwks_url = match source {
            Source::DataUri(uri) => {
                return match verify::decode_data_uri(&uri)
                    .and_then(|json| Jwks::parse(&json).map_err(|e| e.to_string()))
                {
                    Ok(jwks) => {
                        verify_with(token, path, &jwks, "the data: URI in auth.config.ts", None)
                    }
                    Err(e) => vec![Finding::new(
                        Code::JwksUnreachable,
                        format!("The JWKS data: URI in auth.config.ts cannot be read: {e}"),
                    )],
                };
            }
            Source::Jwks(url) => url,
            Source::Discovery(url) => match self.fetched.get(&url) {
                None => return Vec::new(),
                Some(Fetched {
                    document: Document::Discovery(Ok(doc)),
                    fetched_at,
                }) => {
                    out.extend(with_source(
                        verify::discovery_findings(doc, &issuer),
                        &url,
                        Some(*fetched_at),
                    ));
                    doc.jwks_uri.clone()
                }
                // Fetched, and unusable: the backend gets the same document and fails on it.
                Some(Fetched {
                    document: Document::Discovery(Err(e)),
                    fetched_at,
                }) => {
                    out.extend(with_source(
                        vec![verify::discovery_unusable(&issuer, e)],
                        &url,
                        Some(*fetched_at),
                    ));
                    return out;
                }
                Some(Fetched {
                    document: Document::Unreachable(e) | Document::Jwks(Err(e)),
                    fetched_at,
                }) => {
                    out.push(unreachable(&url, e, *fetched_at));
                    return out;
                }
                Some(Fetched {
                    document: Document::Jwks(Ok(_)),
                    ..
                }) => return out,
            },
        };
        match self.fetched.get(&jwks_url) {
            Some(Fetched {
                document: Document::Jwks(Ok(jwks)),
                fetched_at,
            }) => {
                out.extend(verify_with(token, path, jwks, &jwks_url, Some(*fetched_at)));
            }
            // Answered, and unusable: the backend reads the same answer and refuses every token of the provider.
            Some(Fetched {
                document: Document::Jwks(Err(e)),
                fetched_at,
            }) => {
                out.extend(with_source(
                    vec![verify::jwks_unusable(&jwks_url, e)],
                    &jwks_url,
                    Some(*fetched_at),
                ));
            }
            Some(Fetched {
                document: Document::Unreachable(e),
                fetched_at,
            })
            | Some(Fetched {
                document: Document::Discovery(Err(e)),
                fetched_at,
            }) => {
                out.push(unreachable(&jwks_url, e, *fetched_at));
            }
            _ => {}
        }
        out
    }
}

/// The signature findings for `token` with `jwks`, unless the token takes the customJwt path and the backend's
/// parser refuses the whole set (`config.jwks_unparseable`): then the backend never gets to the signature.
fn verify_with(
    token: &DecodedToken,
    path: &TokenPath,
    jwks: &Jwks,
    source: &str,
    fetched_at: Option<f64>,
) -> Vec<Finding> {
    if let (TokenPath::CustomJwt { .. }, Some(why)) = (path, &jwks.custom_jwt_refusal) {
        return with_source(vec![jwks_unparseable(source, why)], source, fetched_at);
    }
    with_source(verify::verify_token(token, path, jwks), source, fetched_at)
}

/// `config.jwks_unparseable`: convex-backend `crates/authentication/src/lib.rs:280-289` parses the customJwt JWKS
/// as a whole with biscuit; one key it cannot represent fails every token of the provider.
fn jwks_unparseable(source: &str, why: &str) -> Finding {
    Finding::new(
        Code::ConfigJwksUnparseable,
        format!(
            "The customJwt provider's JWKS ({source}) has a key the backend's JWKS parser cannot read ({why}): the whole set fails, so the backend refuses every token of this provider with \"Invalid JWKS response body from '…'\"."
        ),
    )
    .with("jwks", source)
    .with("key", why)
    .causes([
        "The key set publishes a key type or algorithm Convex's customJwt path does not know (e.g. an Ed25519 key with \"alg\": \"EdDSA\"): publish a separate JWKS for Convex with only the RS256/ES256 keys, or leave \"alg\" out of that key.",
        "If the provider is OIDC-compliant (it serves /.well-known/openid-configuration), declare it with `domain` + `applicationID` instead: that path skips keys it cannot read.",
    ])
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
