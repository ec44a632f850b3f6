//! The traffic around the Convex API that explains what happens to the token before and beside it: the identity
//! provider's and the auth library's token requests, sign-outs, calls to the deployment's HTTP actions, and the
//! cookies a server-rendered page reads its token from.
//!
//! Sources (paths in the libraries' GitHub repositories, read 2026-11-29):
//! - Clerk: `clerk/javascript packages/clerk-js/src/core/resources/Session.ts` — `getToken({template})` POSTs to
//!   `<frontend api>/v1/client/sessions/<sid>/tokens/<template>` (`tokens` alone for the session token) and gets
//!   `{"object":"token","jwt":…}`; 4xx errors are not retried (`is4xxError` in `getToken`), a missing template
//!   answers 404. Sign-out: `…/sessions/<sid>/end` or `/remove`. Cookies `__session` (the session token the
//!   server's `auth()` reads) and `__client_uat` (signed-in marker), both possibly suffixed (`__session_<id>`).
//! - better-auth with `get-convex/better-auth src/plugins/convex/index.ts`: `GET <basePath>/convex/token`
//!   (`/api/auth` by default) answers `{token}` and sets the `convex_jwt` cookie through `createAuthCookie`, so it
//!   is named `better-auth.convex_jwt` (`__Secure-` in front on https); sign-out is `<basePath>/sign-out`; the
//!   session cookie is `better-auth.session_token`.
//! - Convex Auth: `get-convex/convex-auth src/nextjs/server/cookies.ts` — `__convexAuthJWT` and
//!   `__convexAuthRefreshToken`, with `__Host-` in front unless the Host is `localhost:<port>`. Its sign-in runs as
//!   the Convex actions `auth:signIn` / `auth:signOut` (read in `analysis`, from the sync protocol).
//! - HTTP actions: `convex-backend crates/local_backend/src/router.rs:410` serves them under `/http/` on the
//!   deployment's own origin as well as on `<name>.convex.site`; an unmatched route (an `OPTIONS` preflight
//!   included) answers 404 "No matching routes found" (`crates/isolate/src/environment/action/mod.rs:484`).
//!
//! Nothing here keeps a cookie's value or a token beyond the call: callers get the token text to judge and drop.

use super::http::{auth_header, AuthHeader};
use crate::event::HttpExchange;
use crate::text::json::parse_object;
use crate::text::url::split_url;

/// Whether the engine wants an HTTP exchange that is not a Convex API call, and how much of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    None,
    /// Its request headers (cookies) only.
    Headers,
    /// Headers and bodies (token endpoints, HTTP actions).
    Full,
}

/// What the front ends ask before passing on an exchange they would otherwise drop. `cookie` is the request's
/// `Cookie` header (empty when none); it is only looked at for names, never kept.
pub fn interest(url: &str, cookie: &str) -> Interest {
    if url_wants_body(url) {
        return Interest::Full;
    }
    if !cookie.is_empty() && cookie_names(cookie).any(|n| cookie_kind(n).is_some()) {
        return Interest::Headers;
    }
    Interest::None
}

/// URLs whose bodies matter: token endpoints, sign-outs and HTTP actions.
pub fn url_wants_body(url: &str) -> bool {
    let Some(u) = split_url(url) else {
        return false;
    };
    if !(u.scheme.eq_ignore_ascii_case("http") || u.scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    clerk_session_call(u.path).is_some()
        || better_auth_call(u.path).is_some()
        || is_site_host(u.authority)
        || u.path.starts_with("/http/")
}

/// Which library's token request or sign-out an exchange is.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthCallKind {
    /// Clerk's token for a JWT template (`None`: the default session token).
    ClerkToken { template: Option<String> },
    /// better-auth's Convex token endpoint.
    BetterAuthToken,
    /// A sign-out of either library: the user really left.
    SignOut { library: &'static str },
}

/// A token request or sign-out, with what the page got.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthCall {
    pub kind: AuthCallKind,
    /// `scheme://host` and path, without the query (which may carry a session id).
    pub endpoint: String,
    pub status: u16,
    pub time: f64,
    /// The token in a successful answer (`jwt` for Clerk, `token` for better-auth), for comparison only.
    pub token: Option<String>,
    /// The provider's error words, when it answered with some (Clerk: `errors[0].long_message`/`message`/`code`).
    pub error: Option<String>,
}

/// `sessions/<sid>/tokens[/<template>]`, `sessions/<sid>/end|remove` under Clerk's `/v1/client/`.
fn clerk_session_call(path: &str) -> Option<AuthCallKind> {
    let rest = path.strip_prefix("/v1/client/sessions/")?;
    let mut parts = rest.split('/');
    let sid = parts.next().filter(|s| !s.is_empty())?;
    let _ = sid;
    match (parts.next(), parts.next(), parts.next()) {
        (Some("tokens"), None, _) | (Some("tokens"), Some(""), None) => {
            Some(AuthCallKind::ClerkToken { template: None })
        }
        (Some("tokens"), Some(t), None) if !t.is_empty() => Some(AuthCallKind::ClerkToken {
            template: Some(t.chars().take(100).collect()),
        }),
        (Some("end" | "remove"), None, _) => Some(AuthCallKind::SignOut { library: "Clerk" }),
        _ => None,
    }
}

/// better-auth's `<basePath>/convex/token` and `<basePath>/sign-out`.
fn better_auth_call(path: &str) -> Option<AuthCallKind> {
    let path = path.trim_end_matches('/');
    if path.ends_with("/convex/token") {
        return Some(AuthCallKind::BetterAuthToken);
    }
    if path.ends_with("/auth/sign-out") {
        return Some(AuthCallKind::SignOut {
            library: "better-auth",
        });
    }
    None
}

/// Reads a token request or sign-out; `None` for anything else.
pub fn classify_auth_call(exchange: &HttpExchange) -> Option<AuthCall> {
    let u = split_url(&exchange.url)?;
    let kind = clerk_session_call(u.path).or_else(|| better_auth_call(u.path))?;
    // Clerk's token calls are POSTs; a GET of the same path is something else.
    if matches!(kind, AuthCallKind::ClerkToken { .. })
        && !exchange.method.is_empty()
        && !exchange.method.eq_ignore_ascii_case("POST")
    {
        return None;
    }
    let body = exchange
        .response_body
        .as_deref()
        .and_then(|b| parse_object(b).ok());
    let ok = (200..300).contains(&exchange.status);
    let token = body.as_ref().filter(|_| ok).and_then(|o| {
        let key = match kind {
            AuthCallKind::ClerkToken { .. } => "jwt",
            _ => "token",
        };
        o.get(key).and_then(|v| v.as_str()).map(str::to_owned)
    });
    let error = body
        .as_ref()
        .filter(|_| !ok)
        .and_then(provider_error_words)
        .map(|w| cut(&w, 300));
    Some(AuthCall {
        kind,
        endpoint: cut(&format!("{}://{}{}", u.scheme, u.authority, u.path), 300),
        status: exchange.status,
        time: exchange.time,
        token,
        error,
    })
}

/// Clerk's `{"errors":[{"message","long_message","code"}]}`, better-auth's `{"message","code"}`.
fn provider_error_words(o: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let first = o
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
        .and_then(|e| e.as_object());
    let from = first.unwrap_or(o);
    let text = |k: &str| {
        from.get(k)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    let words = text("long_message").or_else(|| text("message"))?;
    Some(match text("code") {
        Some(code) => format!("{words} ({code})"),
        None => words.to_owned(),
    })
}

// --- HTTP actions ------------------------------------------------------------------------------------------------

/// `<name>.convex.site` (any port).
fn is_site_host(authority: &str) -> bool {
    let host = authority.rsplit_once(':').map_or(authority, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    host.to_ascii_lowercase().ends_with(".convex.site")
}

/// A call to one of the deployment's HTTP actions.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteCall {
    /// `scheme://host` + path, no query.
    pub endpoint: String,
    /// `scheme://host[:port]`, lower-cased, as `deployment_of` writes a deployment.
    pub origin: String,
    /// On `*.convex.site`: an HTTP action whatever else the capture shows. Otherwise a `/http/…` route, which is one
    /// only on a deployment's origin (the caller checks, when it knows the deployments).
    pub site_host: bool,
    pub method: String,
    pub auth: AuthHeader,
    pub status: u16,
    pub time: f64,
    /// An `OPTIONS` request: a CORS preflight, even when the capture lacks its `Access-Control-Request-Method`
    /// header. Browsers send no `Authorization` on one, so it is never a call judged for a missing token (an app's
    /// `OPTIONS` route in `convex/http.ts` exists to answer exactly these).
    pub preflight: bool,
    /// The preflight asked to send `Authorization`.
    pub preflight_wants_authorization: bool,
    /// The answer's `Access-Control-Allow-Headers` allows `Authorization` (or `*`).
    pub allows_authorization: bool,
    /// The answer carried `Access-Control-Allow-Origin`.
    pub allows_origin: bool,
}

/// Reads an exchange as a possible HTTP-action call: to `*.convex.site`, or under `/http/` of any origin (an HTTP
/// action only when that origin is a deployment's, which the capture may show only later: the caller decides).
pub fn classify_site_call(exchange: &HttpExchange) -> Option<SiteCall> {
    let u = split_url(&exchange.url)?;
    let scheme = u.scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let origin = format!("{scheme}://{}", u.authority.to_ascii_lowercase());
    let site_host = is_site_host(u.authority);
    if !site_host && !u.path.starts_with("/http/") {
        return None;
    }
    let method = exchange.method.to_ascii_uppercase();
    let requested = exchange
        .request_header("access-control-request-headers")
        .unwrap_or("");
    let preflight = method == "OPTIONS";
    let allow_headers = exchange
        .response_header("access-control-allow-headers")
        .unwrap_or("");
    Some(SiteCall {
        endpoint: cut(&format!("{origin}{}", u.path), 300),
        origin: cut(&origin, 300),
        site_host,
        method: cut(&method, 16),
        auth: auth_header(exchange.request_header("authorization")),
        status: exchange.status,
        time: exchange.time,
        preflight,
        preflight_wants_authorization: list_has(requested, "authorization"),
        allows_authorization: list_has(allow_headers, "authorization")
            || list_has(allow_headers, "*"),
        allows_origin: exchange
            .response_header("access-control-allow-origin")
            .is_some(),
    })
}

fn list_has(list: &str, name: &str) -> bool {
    list.split(',').any(|h| h.trim().eq_ignore_ascii_case(name))
}

// --- cookies -----------------------------------------------------------------------------------------------------

/// A cookie an auth library uses, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieKind {
    /// The JWT a server sends to Convex (Convex Auth's `__convexAuthJWT`, better-auth's `convex_jwt`).
    ConvexToken(CookieLibrary),
    /// Clerk's `__session`: the session token the server's `auth()` reads (it then asks Clerk for the `convex`
    /// template token; this one is not the token Convex gets).
    ClerkSession,
    /// A marker that the library holds a session (refresh token, session token, `__client_uat`).
    SessionMarker(CookieLibrary),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CookieLibrary {
    ConvexAuth,
    BetterAuth,
    Clerk,
}

impl CookieLibrary {
    pub fn name(self) -> &'static str {
        match self {
            CookieLibrary::ConvexAuth => "Convex Auth",
            CookieLibrary::BetterAuth => "better-auth",
            CookieLibrary::Clerk => "Clerk",
        }
    }
}

/// What a cookie name means, after the `__Host-`/`__Secure-` prefixes browsers enforce.
pub fn cookie_kind(name: &str) -> Option<CookieKind> {
    let bare = name
        .strip_prefix("__Host-")
        .or_else(|| name.strip_prefix("__Secure-"))
        .unwrap_or(name);
    // Clerk suffixes its cookies with an instance id on multi-app domains (`__session_Abc123`).
    let clerk =
        |base: &str| bare == base || bare.strip_prefix(base).is_some_and(|s| s.starts_with('_'));
    Some(match bare {
        "__convexAuthJWT" => CookieKind::ConvexToken(CookieLibrary::ConvexAuth),
        "__convexAuthRefreshToken" => CookieKind::SessionMarker(CookieLibrary::ConvexAuth),
        _ if bare.ends_with(".convex_jwt") || bare == "convex_jwt" => {
            CookieKind::ConvexToken(CookieLibrary::BetterAuth)
        }
        _ if bare.ends_with(".session_token") => {
            CookieKind::SessionMarker(CookieLibrary::BetterAuth)
        }
        _ if clerk("__session") => CookieKind::ClerkSession,
        _ if clerk("__client_uat") => CookieKind::SessionMarker(CookieLibrary::Clerk),
        _ => return None,
    })
}

/// The names in a `Cookie` header.
pub fn cookie_names(header: &str) -> impl Iterator<Item = &str> {
    cookies(header).map(|(n, _)| n)
}

/// `name=value` pairs of a `Cookie` header (values as sent; the caller judges and drops them).
pub fn cookies(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header.split(';').filter_map(|pair| {
        let (n, v) = pair.split_once('=')?;
        let n = n.trim();
        (!n.is_empty()).then(|| (n, v.trim().trim_matches('"')))
    })
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(url: &str, method: &str, status: u16, body: Option<&str>) -> HttpExchange {
        HttpExchange {
            url: url.into(),
            method: method.into(),
            time: 10.0,
            status,
            response_body: body.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn clerk_template_request_and_its_404() {
        let e = exchange(
            "https://happy-cat-12.clerk.accounts.dev/v1/client/sessions/sess_2a/tokens/convex?_clerk_js_version=5.0.0",
            "POST",
            404,
            Some(r#"{"errors":[{"message":"Not Found","long_message":"No JWT template exists with name: convex","code":"resource_not_found"}]}"#),
        );
        let c = classify_auth_call(&e).expect("a Clerk token call");
        assert_eq!(
            c.kind,
            AuthCallKind::ClerkToken {
                template: Some("convex".into())
            }
        );
        assert_eq!(
            c.endpoint,
            "https://happy-cat-12.clerk.accounts.dev/v1/client/sessions/sess_2a/tokens/convex"
        );
        assert_eq!(
            c.error.as_deref(),
            Some("No JWT template exists with name: convex (resource_not_found)")
        );
        assert_eq!(c.token, None);
        let ok = exchange(
            "https://x.clerk.accounts.dev/v1/client/sessions/sess_2a/tokens",
            "POST",
            200,
            Some(r#"{"object":"token","jwt":"a.b.c"}"#),
        );
        let c = classify_auth_call(&ok).expect("session token call");
        assert_eq!(c.kind, AuthCallKind::ClerkToken { template: None });
        assert_eq!(c.token.as_deref(), Some("a.b.c"));
        assert!(classify_auth_call(&exchange(
            "https://x.clerk.accounts.dev/v1/client/sessions/sess_2a/tokens/convex",
            "GET",
            200,
            None
        ))
        .is_none());
    }

    #[test]
    fn better_auth_and_sign_outs() {
        let c = classify_auth_call(&exchange(
            "http://localhost:3000/api/auth/convex/token",
            "GET",
            404,
            None,
        ))
        .expect("better-auth token call");
        assert_eq!(c.kind, AuthCallKind::BetterAuthToken);
        assert_eq!(c.status, 404);
        assert!(matches!(
            classify_auth_call(&exchange(
                "http://localhost:3000/api/auth/sign-out",
                "POST",
                200,
                None
            ))
            .map(|c| c.kind),
            Some(AuthCallKind::SignOut { .. })
        ));
        assert!(matches!(
            classify_auth_call(&exchange(
                "https://x.clerk.accounts.dev/v1/client/sessions/sess_1/end",
                "POST",
                200,
                None
            ))
            .map(|c| c.kind),
            Some(AuthCallKind::SignOut { library: "Clerk" })
        ));
        assert!(
            classify_auth_call(&exchange("https://example.com/api/users", "GET", 200, None))
                .is_none()
        );
    }

    #[test]
    fn site_calls_by_host_or_http_route() {
        let mut e = exchange(
            "https://happy-otter-123.convex.site/stream?x=1",
            "POST",
            401,
            None,
        );
        e.request_headers = vec![("Authorization".into(), "Bearer a.b.c".into())];
        let s = classify_site_call(&e).expect("site call");
        assert_eq!(s.endpoint, "https://happy-otter-123.convex.site/stream");
        assert!(s.site_host);
        assert!(matches!(s.auth, AuthHeader::Bearer { .. }));
        let local = exchange("http://127.0.0.1:3210/http/whoami", "GET", 200, None);
        let s = classify_site_call(&local).expect("a possible HTTP action");
        assert!(!s.site_host);
        assert_eq!(s.origin, "http://127.0.0.1:3210");
        let other = exchange("http://127.0.0.1:9999/api/whoami", "GET", 200, None);
        assert!(classify_site_call(&other).is_none());
        let mut pre = exchange("https://a.convex.site/stream", "OPTIONS", 404, None);
        pre.request_headers = vec![
            ("Access-Control-Request-Method".into(), "POST".into()),
            (
                "Access-Control-Request-Headers".into(),
                "authorization,content-type".into(),
            ),
        ];
        let s = classify_site_call(&pre).expect("preflight");
        assert!(s.preflight && s.preflight_wants_authorization && !s.allows_authorization);
        // Without its request headers (a capture that dropped them) it is still no call missing a token.
        let bare = exchange("https://a.convex.site/stream", "OPTIONS", 204, None);
        let s = classify_site_call(&bare).expect("preflight");
        assert!(s.preflight && !s.preflight_wants_authorization);
    }

    #[test]
    fn cookie_names_by_library() {
        assert_eq!(
            cookie_kind("__Host-__convexAuthJWT"),
            Some(CookieKind::ConvexToken(CookieLibrary::ConvexAuth))
        );
        assert_eq!(
            cookie_kind("__Secure-better-auth.convex_jwt"),
            Some(CookieKind::ConvexToken(CookieLibrary::BetterAuth))
        );
        assert_eq!(cookie_kind("__session_Xyz"), Some(CookieKind::ClerkSession));
        assert_eq!(
            cookie_kind("__client_uat"),
            Some(CookieKind::SessionMarker(CookieLibrary::Clerk))
        );
        assert_eq!(cookie_kind("__sessionid"), None);
        assert_eq!(cookie_kind("theme"), None);
        assert_eq!(
            interest("https://app.example/", "theme=dark; __convexAuthJWT=x"),
            Interest::Headers
        );
        assert_eq!(
            interest("https://app.example/", "theme=dark"),
            Interest::None
        );
        assert_eq!(interest("https://a.convex.site/x", ""), Interest::Full);
        let pairs: Vec<_> = cookies("a=1; b=\"2\"; =3; c").collect();
        assert_eq!(pairs, vec![("a", "1"), ("b", "2")]);
    }
}
