//! `--fetch` for the native binary: one blocking GET with ureq (rustls), bounded in time and size. What the
//! documents mean is decided by the pure command (`convex_auth_doctor::command::keys`).

use std::time::Duration;

use convex_auth_doctor::command::keys::MAX_DOCUMENT_BYTES;
use convex_auth_doctor::command::Fetched;

/// Time allowed for one fetch, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// One GET with `Accept: application/json` (as the backend sends), bounded in time and size.
pub fn get(url: &str) -> Result<Fetched, String> {
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
    use convex_auth_doctor::command::keys::{fetch as fetch_keys, Fetch, KeyMaterial};
    use convex_auth_doctor::findings::Code;
    use std::io::Read;
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

    /// The command's `--fetch` with this module's GET.
    fn fetch(iss: &str, custom: Option<&str>) -> KeyMaterial {
        match fetch_keys(iss, custom, &mut |url| Some(get(url))) {
            Fetch::Done(keys) => keys,
            Fetch::Need(url) => panic!("{url} was fetched and still needed"),
        }
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
