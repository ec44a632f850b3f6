//! Where the command-line tool gets signing keys: a JWKS file (`--jwks FILE`, offline) or the network (`--fetch`:
//! the issuer's discovery document then its `jwks_uri`, or a custom JWT provider's `jwks` URL / `data:` URI).
//!
//! Only public documents are fetched; the token itself is never sent anywhere. Fetch failures are findings
//! (`jwks.unreachable`, a warning: the backend fetches from the internet and may still reach what we cannot).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use convex_auth_doctor::findings::{Code, Finding};
use convex_auth_doctor::verify::{
    check_discovery_response, decode_data_uri, discovery_findings, discovery_unusable,
    discovery_url, jwks_unusable, parse_jwks_response, parse_oidc_jwks_response, DiscoveryDoc,
    Jwks,
};

/// Largest document read from the network or a file.
pub const MAX_DOCUMENT_BYTES: u64 = 512 * 1024;
/// Time allowed for one fetch, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

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
pub fn load_file(path: &Path) -> Result<KeyMaterial, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let jwks = Jwks::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(KeyMaterial {
        jwks: Some(jwks),
        source: path.display().to_string(),
        discovery: None,
        findings: Vec::new(),
    })
}

/// `--fetch`: gets the keys the backend would use for a token with issuer `iss`.
///
/// `custom_jwks`: the matching custom JWT provider's `jwks` (URL or `data:` URI) when the token takes that path;
/// `None` for the OIDC path (discovery at `<iss>/.well-known/openid-configuration`, then its `jwks_uri`).
pub fn fetch(iss: &str, custom_jwks: Option<&str>) -> KeyMaterial {
    let mut out = KeyMaterial::default();
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
            return out;
        }
        Some(url) => url.to_owned(),
        None => {
            let url = discovery_url(iss);
            let resp = match get(&url) {
                Ok(resp) if resp.status == 200 => resp,
                // What the backend gets too (see `analysis/keys.rs`): refused, not "unreachable from here".
                Ok(resp) if resp.status == 404 => {
                    out.source = url.clone();
                    out.findings.push(discovery_unusable(
                        iss,
                        &format!("{url} answered 404 Not Found"),
                    ));
                    return out;
                }
                Ok(resp) => {
                    // The backend's text for this case (convex-backend crates/authentication).
                    let e = format!(
                        "Auth provider discovery of {iss} failed: {} {}",
                        resp.status, resp.body
                    );
                    out.source = url.clone();
                    out.findings.push(unreachable(&url, &e));
                    return out;
                }
                Err(e) => {
                    out.source = url.clone();
                    out.findings.push(unreachable(&url, &e));
                    return out;
                }
            };
            match judge_discovery(iss, resp.content_type.as_deref(), &resp.body, &mut out) {
                Some(jwks_uri) => jwks_uri,
                None => {
                    out.source = url;
                    return out;
                }
            }
        }
    };
    out.source = jwks_url.clone();
    let answered = get(&jwks_url);
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
            return out;
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
    out
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

struct Fetched {
    status: u16,
    content_type: Option<String>,
    body: String,
}

/// One GET with `Accept: application/json` (as the backend sends), bounded in time and size.
fn get(url: &str) -> Result<Fetched, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(FETCH_TIMEOUT))
        .build()
        .into();
    let mut resp = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| format!("Could not fetch '{url}': {e}"))?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_DOCUMENT_BYTES)
        .read_to_string()
        .map_err(|e| format!("Could not read the response from '{url}': {e}"))?;
    Ok(Fetched {
        status,
        content_type,
        body,
    })
}

#[cfg(test)]
mod tests {
    //! Against a one-shot HTTP server on 127.0.0.1 (no other network).
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    /// Serves the given responses, one per connection, then stops; returns the base URL.
    fn serve(responses: Vec<(String, String)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        serve_on(listener, responses);
        base
    }

    /// Answers one connection per response on an already bound listener, in a thread.
    fn serve_on(listener: TcpListener, responses: Vec<(String, String)>) {
        std::thread::spawn(move || {
            for (head, body) in responses {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
    }

    const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

    #[test]
    fn oidc_discovery_then_jwks() {
        // The discovery document names the JWKS on the same server; the port is only known after binding.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let doc = format!(r#"{{"issuer":"{base}","jwks_uri":"{base}/jwks"}}"#);
        let responses = vec![
            ("200 OK\r\nContent-Type: application/json".to_owned(), doc),
            (
                "200 OK\r\nContent-Type: application/jwk-set+json".to_owned(),
                JWKS.to_owned(),
            ),
        ];
        serve_on(listener, responses);
        let m = fetch(&base, None);
        assert!(m.findings.is_empty(), "{:#?}", m.findings);
        assert_eq!(m.jwks.unwrap().kids(), ["k1"]);
        assert_eq!(m.source, format!("{base}/jwks"));
    }

    #[test]
    fn custom_jwks_with_html_content_type_is_refused_with_the_backend_text() {
        let base = serve(vec![(
            "200 OK\r\nContent-Type: text/html".into(),
            "<html></html>".into(),
        )]);
        let url = format!("{base}/jwks");
        let m = fetch("https://issuer.test", Some(&url));
        assert!(m.jwks.is_none());
        // The backend gets the same answer (authentication/src/lib.rs:445-471): refused, not unreachable.
        assert_eq!(m.findings[0].code, Code::AuthDiscoveryFailed);
        assert!(m.findings[0]
            .message
            .contains("Invalid Content-Type 'text/html'"));
    }

    #[test]
    fn discovery_500_is_reported_with_the_backend_text() {
        let base = serve(vec![(
            "500 Internal Server Error\r\nContent-Type: text/plain".into(),
            "boom".into(),
        )]);
        let m = fetch(&base, None);
        assert_eq!(m.findings[0].code, Code::JwksUnreachable);
        assert!(m.findings[0].message.contains(&format!(
            "Auth provider discovery of {base} failed: 500 boom"
        )));
    }

    #[test]
    fn data_uri_needs_no_network() {
        let uri = format!("data:application/json,{}", JWKS.replace('"', "%22"));
        let m = fetch("https://issuer.test", Some(&uri));
        assert_eq!(m.jwks.unwrap().kids(), ["k1"]);
    }
}
