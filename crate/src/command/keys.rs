//! Where the command gets signing keys: a JWKS file (`--jwks FILE`, offline) or the host's fetches (`--fetch`:
//! the issuer's discovery document then its `jwks_uri`, or a custom JWT provider's `jwks` URL / `data:` URI).
//!
//! Only public documents are fetched; the token itself is never sent anywhere. Fetch failures are findings
//! (`jwks.unreachable`, a warning: the backend fetches from the internet and may still reach what we cannot).

use super::io::{read_limited, Fetched, Host};
use crate::findings::{Code, Finding};
use crate::verify::{
    check_discovery_response, decode_data_uri, discovery_findings, discovery_unusable,
    discovery_url, jwks_unusable, parse_jwks_response, parse_oidc_jwks_response, DiscoveryDoc,
    Jwks,
};

/// Largest document read from the network or a file.
pub const MAX_DOCUMENT_BYTES: u64 = 512 * 1024;

/// Keys for verification and what was learnt getting them.
#[derive(Debug, Clone, Default)]
pub struct KeyMaterial {
    /// The key set, when one could be had.
    pub jwks: Option<Jwks>,
    /// Where the keys came from (a file path or URL), for the findings' evidence.
    pub source: String,
    /// The discovery document, when one was fetched.
    pub discovery: Option<DiscoveryDoc>,
    /// Findings made on the way: `discovery.issuer_mismatch`, `jwks.unreachable`.
    pub findings: Vec<Finding>,
}

/// `--jwks FILE`: reads a JWKS file. An unreadable or invalid file is unusable input (exit status 2).
pub fn load_file(host: &mut dyn Host, path: &str) -> Result<KeyMaterial, String> {
    let text = read_limited(host, path, MAX_DOCUMENT_BYTES)?;
    let jwks = Jwks::parse(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(KeyMaterial {
        jwks: Some(jwks),
        source: path.to_owned(),
        discovery: None,
        findings: Vec::new(),
    })
}

/// Where [`fetch`] stands.
pub enum Fetch {
    /// The keys, or the findings that say why there are none.
    Done(KeyMaterial),
    /// This document is needed first.
    Need(String),
}

/// One document, or `None` when it has not been fetched yet.
pub type Get<'a> = dyn FnMut(&str) -> Option<Result<Fetched, String>> + 'a;

/// `--fetch`: the keys the backend would use for a token with issuer `iss`, got through `get`.
///
/// `custom_jwks`: the matching custom JWT provider's `jwks` (URL or `data:` URI) when the token takes that path;
/// `None` for the OIDC path (discovery at `<iss>/.well-known/openid-configuration`, then its `jwks_uri`).
pub fn fetch(iss: &str, custom_jwks: Option<&str>, get: &mut Get) -> Fetch {
    let mut out = KeyMaterial::default();
    macro_rules! get {
        ($url:expr) => {
            match get($url) {
                Some(answer) => answer,
                None => return Fetch::Need($url.to_owned()),
            }
        };
    }
    let jwks_url = match custom_jwks {
        Some(uri)
            if uri
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("data:")) =>
        {
            out.source = "data: URI in auth.config".into();
            match decode_data_uri(uri)
                .and_then(|text| Jwks::parse(&text).map_err(|e| e.to_string()))
            {
                Ok(jwks) => out.jwks = Some(jwks),
                Err(e) => out.findings.push(unreachable("data: URI", &e)),
            }
            return Fetch::Done(out);
        }
        Some(url) => url.to_owned(),
        None => {
            let url = discovery_url(iss);
            let resp = match get!(&url) {
                Ok(resp) if resp.status == 200 => resp,
                // What the backend gets too (see `analysis/keys.rs`): refused, not "unreachable from here".
                Ok(resp) if resp.status == 404 => {
                    out.source = url.clone();
                    out.findings.push(discovery_unusable(
                        iss,
                        &format!("{url} answered 404 Not Found"),
                    ));
                    return Fetch::Done(out);
                }
                Ok(resp) => {
                    // The backend's text for this case (convex-backend crates/authentication).
                    let e = format!(
                        "Auth provider discovery of {iss} failed: {} {}",
                        resp.status, resp.body
                    );
                    out.source = url.clone();
                    out.findings.push(unreachable(&url, &e));
                    return Fetch::Done(out);
                }
                Err(e) => {
                    out.source = url.clone();
                    out.findings.push(unreachable(&url, &e));
                    return Fetch::Done(out);
                }
            };
            match judge_discovery(iss, resp.content_type.as_deref(), &resp.body, &mut out) {
                Some(jwks_uri) => jwks_uri,
                None => {
                    out.source = url;
                    return Fetch::Done(out);
                }
            }
        }
    };
    out.source = jwks_url.clone();
    let answered = get!(&jwks_url);
    if let Ok(resp) = &answered {
        // An answer the backend gets too: a 404 or an unusable 200 refuses every token of the provider.
        let unusable = match resp.status {
            404 => Some(format!("{jwks_url} answered 404 Not Found")),
            200 if custom_jwks.is_some() => {
                parse_jwks_response(resp.content_type.as_deref(), &resp.body, &jwks_url).err()
            }
            200 => {
                parse_oidc_jwks_response(resp.content_type.as_deref(), &resp.body, &jwks_url).err()
            }
            _ => None,
        };
        if let Some(e) = unusable {
            out.findings.push(jwks_unusable(&jwks_url, &e));
            return Fetch::Done(out);
        }
    }
    let result = answered.and_then(|resp| {
        if resp.status != 200 {
            return Err(format!(
                "Could not fetch JWKS from URL '{jwks_url}': HTTP {}. Check that the URL is correct and accessible.",
                resp.status
            ));
        }
        if custom_jwks.is_some() {
            parse_jwks_response(resp.content_type.as_deref(), &resp.body, &jwks_url)
        } else {
            // Discovered keys: the OIDC path's rules (a missing Content-Type passes).
            parse_oidc_jwks_response(resp.content_type.as_deref(), &resp.body, &jwks_url)
        }
    });
    match result {
        Ok(jwks) => out.jwks = Some(jwks),
        Err(e) => out.findings.push(unreachable(&jwks_url, &e)),
    }
    Fetch::Done(out)
}

/// Judges a discovery document got for `iss` (fetched, or saved and given with `--discovery`): the findings go
/// to `out`; the `jwks_uri` comes back when the backend could use the document.
fn judge_discovery(
    iss: &str,
    content_type: Option<&str>,
    body: &str,
    out: &mut KeyMaterial,
) -> Option<String> {
    match check_discovery_response(content_type, body, iss) {
        Ok(doc) => {
            out.findings.extend(discovery_findings(&doc, iss));
            let jwks_uri = doc.jwks_uri.clone();
            out.discovery = Some(doc);
            Some(jwks_uri)
        }
        Err(e) => {
            out.findings.push(discovery_unusable(iss, &e));
            None
        }
    }
}

/// `--discovery FILE` (with `--jwks FILE` or without): the OIDC path offline. The document is judged as `--fetch`
/// judges the fetched one (a saved file has no Content-Type); the keys, when given, stand for its `jwks_uri`.
pub fn offline_oidc(iss: &str, name: &str, text: &str, keys: Option<KeyMaterial>) -> KeyMaterial {
    let mut out = KeyMaterial {
        source: name.to_owned(),
        ..KeyMaterial::default()
    };
    let Some(jwks_uri) = judge_discovery(iss, None, text, &mut out) else {
        return out;
    };
    if let Some(keys) = keys {
        out.jwks = keys.jwks;
        out.findings.extend(keys.findings);
        out.source = format!("{} (for {jwks_uri})", keys.source);
    }
    out
}

fn unreachable(url: &str, error: &str) -> Finding {
    Finding::new(
        Code::JwksUnreachable,
        format!("Could not get the keys from {url}: {error}. The backend fetches from the internet and may still reach it."),
    )
    .with("url", url)
    .with("error", error)
}
