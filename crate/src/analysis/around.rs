//! Evidence from the traffic around the Convex API (`traffic::around`): token requests to the identity provider
//! or auth library, sign-outs, Convex Auth's sign-in actions, HTTP-action calls and the auth cookies a
//! server-rendered page reads. Bounded like the rest of [`Evidence`](super::Evidence).
//!
//! Tokens are never kept here: a token in a provider's answer or in a cookie is reduced at once to a
//! fingerprint (to tell "the same token" from "another one") and, for cookies, to its judgement.

use std::collections::VecDeque;

use crate::findings::{Code, Severity};
use crate::token::{self, check_token, TokenPath};
use crate::traffic::around::{
    classify_auth_call, cookie_kind, cookies, AuthCallKind, CookieKind, CookieLibrary, SiteCall,
};
use crate::traffic::AuthHeader;

const MAX_AUTH_CALLS: usize = 32;
const MAX_SITE_CALLS: usize = 32;
const MAX_COOKIES: usize = 8;
const MAX_SIGNIN_RESULTS: usize = 8;

/// A token request or sign-out the page made, without the token.
#[derive(Debug, Clone)]
pub struct AuthCallSeen {
    pub kind: AuthCallKind,
    pub endpoint: String,
    pub status: u16,
    pub time: f64,
    /// Fingerprint of the token in a successful answer.
    pub token_fp: Option<u64>,
    pub error: Option<String>,
}

impl AuthCallSeen {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
            && !matches!(self.kind, AuthCallKind::SignOut { .. })
            && self.token_fp.is_some()
    }

    pub fn failed(&self) -> bool {
        !(200..300).contains(&self.status)
    }
}

/// An HTTP-action call and the token it carried. The token is kept only to judge it (like
/// [`SentToken::text`](super::SentToken)): never rendered. It is not one of the tokens the client authenticates
/// with, so it stays out of [`Evidence::tokens`](super::Evidence) and cannot change their verdict.
#[derive(Debug, Clone)]
pub struct SiteSeen {
    pub call: SiteCall,
    pub token: Option<String>,
}

/// What a token cookie held, judged when it was seen (the value itself is dropped).
#[derive(Debug, Clone)]
pub struct CookieSeen {
    pub name: String,
    pub kind: CookieKind,
    pub time: f64,
    /// Fingerprint of the cookie's value as sent, and of the token in it (percent-decoded).
    pub fp: Option<u64>,
    pub token_fp: Option<u64>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub exp: Option<f64>,
    /// The failing (or warning) checks of step 2, as code and message, judged at `time`.
    pub problems: Vec<(Code, Severity, String)>,
    pub empty: bool,
}

/// A Convex Auth sign-in step (`auth:signIn`, `auth:store`) answered over the socket.
#[derive(Debug, Clone)]
pub struct SigninResult {
    pub function: String,
    pub time: f64,
    /// The server's error text (a development deployment sends the thrown message; production only a
    /// request id), `None` when it succeeded.
    pub error: Option<String>,
}

/// Everything `traffic::around` contributes.
#[derive(Debug, Default)]
pub struct Around {
    pub auth_calls: VecDeque<AuthCallSeen>,
    pub site_calls: VecDeque<SiteSeen>,
    /// Latest sighting per cookie name; kept across page loads (cookies outlive them).
    pub cookies: Vec<CookieSeen>,
    /// Cookie names of each library seen in the latest request that carried any of them.
    pub cookie_libraries: Vec<(CookieLibrary, f64)>,
    pub signins: VecDeque<SigninResult>,
}

/// FNV-1a over the token text: enough to tell tokens apart, useless to rebuild one.
pub fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn push_capped<T>(q: &mut VecDeque<T>, item: T, cap: usize) {
    if q.len() >= cap {
        q.pop_front();
    }
    q.push_back(item);
}

impl Around {
    /// A token request or sign-out; `false` when the exchange is not one.
    pub fn auth_call(&mut self, exchange: &crate::event::HttpExchange) -> bool {
        let Some(call) = classify_auth_call(exchange) else {
            return false;
        };
        let seen = AuthCallSeen {
            kind: call.kind,
            endpoint: call.endpoint,
            status: call.status,
            time: call.time,
            token_fp: call.token.as_deref().map(fingerprint),
            error: call.error,
        };
        push_capped(&mut self.auth_calls, seen, MAX_AUTH_CALLS);
        true
    }

    pub fn site_call(&mut self, call: SiteCall, token: Option<String>) {
        push_capped(
            &mut self.site_calls,
            SiteSeen { call, token },
            MAX_SITE_CALLS,
        );
    }

    /// Reads the auth cookies of a request's `Cookie` header; judges token cookies and forgets their values.
    pub fn cookie_header(&mut self, header: &str, time: f64) {
        let mut libraries: Vec<CookieLibrary> = Vec::new();
        for (name, value) in cookies(header) {
            let Some(kind) = cookie_kind(name) else {
                continue;
            };
            let library = match kind {
                CookieKind::ConvexToken(l) | CookieKind::SessionMarker(l) => l,
                CookieKind::ClerkSession => CookieLibrary::Clerk,
            };
            // Clerk writes `__client_uat=0` when signed out: not a session.
            let signed_out_marker =
                kind == CookieKind::SessionMarker(CookieLibrary::Clerk) && value == "0";
            if !signed_out_marker && !libraries.contains(&library) {
                libraries.push(library);
            }
            if matches!(kind, CookieKind::ConvexToken(_) | CookieKind::ClerkSession) {
                self.note_cookie(name, kind, value, time);
            }
        }
        for library in libraries {
            match self
                .cookie_libraries
                .iter_mut()
                .find(|(l, _)| *l == library)
            {
                Some(entry) => entry.1 = time,
                None => self.cookie_libraries.push((library, time)),
            }
        }
    }

    fn note_cookie(&mut self, name: &str, kind: CookieKind, value: &str, time: f64) {
        // Every same-site request carries the cookie: judge a value once, again only when it changed or has since
        // expired (the judgement depends on the moment).
        let fp = (!value.is_empty()).then(|| fingerprint(value));
        if let Some(old) = self
            .cookies
            .iter_mut()
            .find(|c| c.name == name && c.fp == fp)
        {
            let newly_expired = old.exp.is_some_and(|e| time > e)
                && !old.problems.iter().any(|p| p.0 == Code::TokenExpired);
            if !newly_expired {
                old.time = old.time.max(time);
                return;
            }
        }
        let seen = judge_cookie(name, kind, value, time);
        if let Some(old) = self.cookies.iter_mut().find(|c| c.name == seen.name) {
            if old.time <= time {
                *old = seen;
            }
            return;
        }
        if self.cookies.len() >= MAX_COOKIES {
            self.cookies.remove(0);
        }
        self.cookies.push(seen);
    }

    pub fn signin(&mut self, function: &str, error: Option<&str>, time: f64) {
        push_capped(
            &mut self.signins,
            SigninResult {
                function: function.chars().take(100).collect(),
                time,
                error: error.map(|e| e.chars().take(2000).collect()),
            },
            MAX_SIGNIN_RESULTS,
        );
    }

    /// Forgets what belonged to the previous page load; cookies stay (the browser keeps sending them).
    pub fn new_page(&mut self) -> Around {
        Around {
            cookies: std::mem::take(&mut self.cookies),
            cookie_libraries: std::mem::take(&mut self.cookie_libraries),
            ..Around::default()
        }
    }
}

/// A cookie's token judged with step 2's rules at the moment the request carried it (the path the server's
/// provider takes is not known from a cookie, so the rules every path shares).
fn judge_cookie(name: &str, kind: CookieKind, value: &str, time: f64) -> CookieSeen {
    let mut seen = CookieSeen {
        name: name.chars().take(100).collect(),
        kind,
        time,
        fp: None,
        token_fp: None,
        iss: None,
        sub: None,
        exp: None,
        problems: Vec::new(),
        empty: value.is_empty(),
    };
    if value.is_empty() {
        return seen;
    }
    // Cookie values may be percent-encoded; a JWT has nothing to encode, so decoding is only for safety.
    let text = String::from_utf8_lossy(&crate::text::url::percent_decode(value)).into_owned();
    seen.fp = Some(fingerprint(value));
    seen.token_fp = Some(fingerprint(&text));
    match token::decode(&text) {
        Ok(t) => {
            seen.iss = t.iss().map(|s| s.chars().take(300).collect());
            seen.sub = t.sub().map(|s| s.chars().take(300).collect());
            seen.exp = t.exp();
            seen.problems = check_token(&t, time, &TokenPath::Unknown)
                .into_iter()
                .filter(|f| f.severity >= Severity::Warn)
                .map(|f| (f.code, f.severity, f.message))
                .collect();
        }
        Err(m) => seen.problems.push((
            Code::TokenMalformed,
            Severity::Fail,
            format!("The cookie does not hold a valid JWT: {}", m.message),
        )),
    }
    seen
}

/// Whether an `Authorization` header carried a user token.
pub fn has_bearer(auth: &AuthHeader) -> bool {
    matches!(auth, AuthHeader::Bearer { token } if !token.is_empty())
}
