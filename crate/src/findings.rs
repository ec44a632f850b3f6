//! The vocabulary every front end speaks: finding codes, severities and the catalogue that documents them.
//!
//! Codes are a public interface (`shared/spec/findings.md`): people grep for them and script on the JSON.
//! Add codes, never rename or reuse one. `docs/findings.md` is generated from [`CATALOGUE`] and a test
//! (`tests/catalogue.rs`) fails when the two drift apart.
//!
//! The catalogue's prose (meaning, evidence, action) exists only in native builds: nothing the browser runs
//! reads it, and it was about a fifth of the wasm module (`docs/wasm-size.md`). The wasm build keeps each
//! code's step and severity, which findings need.

use serde::Serialize;
use serde_json::{Map, Value};

/// How bad a finding is. Ordered: `Pass < Info < Warn < Fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Pass,
    Info,
    Warn,
    Fail,
}

/// A step's verdict. `Unknown` means not enough evidence yet; the summary says what would settle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Unknown,
}

/// One finding, as the report and every renderer show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub step: u8,
    pub severity: Severity,
    /// One line, plain words.
    pub message: String,
    /// The values the finding rests on (claim values, where they came from, times).
    pub evidence: Map<String, Value>,
    /// The guide's potential causes that fit, most likely first.
    pub causes: Vec<String>,
    /// What to do about it, with the capture's own values (every finding of severity `warn` or worse has one;
    /// `docs/spec-extensions.md`). Filled in by `analysis/fix.rs` once all findings are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// The concrete action for one finding: one sentence (rendered after `Fix:`), the command that does it when there
/// is one, and where to look or click.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    /// What to change, with the exact values from the capture.
    pub action: String,
    /// A command to type (`npx convex env set …`, `npx convex dev`), when one does the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Dashboard pages (or, for local and self-hosted deployments, where the same things are).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<Place>,
}

/// A place to look: a dashboard page with its URL, or a description of where the same thing is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// `Logs`, `Functions`, `Settings → Authentication`, `Settings → Environment Variables`.
    pub label: String,
    /// Only for cloud deployments: `https://dashboard.convex.dev/d/<name>/<page>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where to find it when there is no URL to give (local and self-hosted deployments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// A finding with the code's own step and default severity, no evidence and no causes yet.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            step: code.step(),
            severity: code.default_severity(),
            message: message.into(),
            evidence: Map::new(),
            causes: Vec::new(),
            fix: None,
        }
    }

    /// Adds one piece of evidence (builder style).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.evidence.insert(key.to_owned(), value.into());
        self
    }

    /// Adds causes, most likely first (builder style).
    pub fn causes<I, S>(mut self, causes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.causes.extend(causes.into_iter().map(Into::into));
        self
    }

    /// Overrides the default severity (e.g. `token.claim_missing` for `aud` is `warn` unless a provider needs it).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// What the catalogue says of one code. The prose fields are native-only (see the module doc).
#[derive(Debug, Clone, Copy)]
pub struct CodeDoc {
    pub code: Code,
    pub step: u8,
    /// The usual severity; some findings lower or raise it, as `meaning` says.
    pub severity: Severity,
    /// When the doctor emits it.
    #[cfg(not(target_arch = "wasm32"))]
    pub meaning: &'static str,
    /// What the evidence holds.
    #[cfg(not(target_arch = "wasm32"))]
    pub evidence: &'static str,
    /// What the user should do.
    #[cfg(not(target_arch = "wasm32"))]
    pub action: &'static str,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $step:literal, $sev:ident,
        meaning: $meaning:literal, evidence: $evidence:literal, action: $action:literal; )*) => {
        /// A finding code. Its string form (`Code::as_str`) is the stable public name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        /// Every code the engine can emit, in report order, with its documentation.
        pub const CATALOGUE: &[CodeDoc] = &[ $( CodeDoc {
            code: Code::$variant, step: $step, severity: Severity::$sev,
            #[cfg(not(target_arch = "wasm32"))]
            meaning: $meaning,
            #[cfg(not(target_arch = "wasm32"))]
            evidence: $evidence,
            #[cfg(not(target_arch = "wasm32"))]
            action: $action,
        }, )* ];

        impl Code {
            /// The public name, e.g. `token.expired`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The guide's step this code belongs to (1–3). A `match`, not a catalogue lookup, so that code
            /// which only needs the step does not keep the catalogue in the binary.
            pub fn step(self) -> u8 {
                match self { $( Code::$variant => $step, )* }
            }

            /// The usual severity (a finding may override it).
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// Looks a code up by its public name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $( $name => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    // Step 1: does the backend see an identity?
    ClientNoTraffic = "client.no_traffic", 1, Fail,
        meaning: "No Convex traffic was seen since capture began.",
        evidence: "What was captured (nothing from a Convex deployment).",
        action: "Reload the page with DevTools open (a socket opened before DevTools is never seen); check the client's deployment URL and the browser console for connection errors.";
    CaptureNoFrames = "capture.no_frames", 1, Info,
        meaning: "The HAR file cannot show the app's WebSocket traffic: its Convex socket entries carry no messages, or it was written by a tool that exports none (Firefox, Safari). Nothing is concluded from what is missing (no `client.no_traffic`, no `token.absent`).",
        evidence: "The file's creator, the Convex socket entries and how many have no messages.",
        action: "Use the Convex Auth panel in Chrome or Edge (reload with DevTools open), or export the HAR from Chrome/Edge DevTools; or give the token directly with `convex-auth-doctor token -`.";
    CaptureTruncated = "capture.truncated", 1, Info,
        meaning: "The HAR file begins after the app had connected: a Convex socket's first message is not its `Connect`, the first socket is a reconnection, or no page load is in the file. What was sent before the recording began is missing, so absence is not concluded from it.",
        evidence: "The file's creator and what shows the recording began late.",
        action: "Open DevTools first, reload the page, let the app authenticate, then export the HAR.";
    CaptureNoBodies = "capture.no_bodies", 1, Info,
        meaning: "The HAR file holds no response body of any Convex HTTP call (and no socket messages), so function log lines such as `'server identity'` cannot be read from it; `identity.no_log` is not concluded.",
        evidence: "The file's creator and how many Convex calls it holds.",
        action: "Export the HAR with response content (Chrome/Edge: Export HAR; Firefox: Save All As HAR), or read the logs in the dashboard.";
    CaptureFrameUnread = "capture.frame_unread", 1, Info,
        meaning: "A WebSocket frame longer than the 8 MiB the doctor reads per frame was skipped: only its length is known. Only `Transition`s (or their chunks) grow that large, so it may have held query results with their log lines (the `'server identity'` line) and, when it came while a token waited for its answer, the identity change that accepted the token. The rest of the report is judged without it.",
        evidence: "How many frames, the largest size, when it came, and whether a token was waiting for its answer.",
        action: "Reload with less data on the page (the large part is query values) to see the frame read, or read the `'server identity'` line in the dashboard's logs. A token shown without an answer may have been accepted in the unread frame.";
    ClientConnectionFailed = "client.connection_failed", 1, Fail,
        meaning: "Sockets to the deployment closed or failed without ever receiving a Transition, or HTTP calls failed before reaching a function.",
        evidence: "The socket URLs, how many tries, the close reasons or HTTP statuses.",
        action: "Check the deployment URL the client uses, that the deployment exists and is running (`npx convex dev`), and the browser console.";
    DeploymentSeen = "deployment.seen", 1, Info,
        meaning: "The deployment URL(s) the app talks to.",
        evidence: "The deployment URLs.",
        action: "Open the dashboard of exactly this deployment when you read logs and settings.";
    DeploymentMultiple = "deployment.multiple", 1, Warn,
        meaning: "The app talks to more than one deployment.",
        evidence: "The deployment URLs.",
        action: "Make sure the auth configuration you are checking belongs to the deployment that received the token.";
    IdentityLogged = "identity.logged", 1, Pass,
        meaning: "A function logged `'server identity'` with an identity object: the backend sees the user.",
        evidence: "The log line, the function, the identity's issuer and subject.",
        action: "Nothing: authentication works for this function.";
    IdentityLoggedNull = "identity.logged_null", 1, Fail,
        meaning: "A function logged `'server identity' null`: it ran without an identity.",
        evidence: "The log line and the function that printed it.",
        action: "Follow steps 2 and 3: either no token was sent, or the backend refused it.";
    IdentityNoLog = "identity.no_log", 1, Info,
        meaning: "Functions ran but no `'server identity'` log line came back.",
        evidence: "How many function results carried log lines.",
        action: "Add `console.log(\"server identity\", await ctx.auth.getUserIdentity())` to a function the page calls and push it (`npx convex dev`); production deployments do not send logs to clients.";
    AuthConfirmed = "auth.confirmed", 1, Pass,
        meaning: "The backend accepted a token: a Transition raised the identity version after the Authenticate, or an HTTP call with the token succeeded.",
        evidence: "The socket or request, the identity versions, the time.",
        action: "Nothing: the token is accepted.";
    AuthRejected = "auth.rejected", 1, Fail,
        meaning: "The backend refused the token: an AuthError answered the Authenticate, or an HTTP call with the token got an authentication error.",
        evidence: "The server's message verbatim, its error code where there is one, the socket or request.",
        action: "Read the explanation of the server's message; steps 2 and 3 name the cause.";
    AuthExpiredInSession = "auth.expired_in_session", 1, Warn,
        meaning: "The token expired during the session (AuthError without `authUpdateAttempted`).",
        evidence: "The server's message, whether a fresh token was sent afterwards.",
        action: "If no fresh token followed, the client's token fetcher does not refresh: make it return a new token when called with `forceRefreshToken: true`.";
    AuthDiscoveryFailed = "auth.discovery_failed", 1, Fail,
        meaning: "The backend could not fetch the provider's discovery document or JWKS.",
        evidence: "The server's message or the socket close reason `AuthProviderDiscoveryFailed`.",
        action: "Check that `<iss>/.well-known/openid-configuration` and its `jwks_uri` are publicly reachable and return JSON; check the issuer URL in auth.config.ts.";
    AuthInternalError = "auth.internal_error", 1, Fail,
        meaning: "The backend failed internally while handling the token: sockets closed with 1011 `InternalServerError` right after an Authenticate, or HTTP calls with the token answered 500 \"Your request couldn't be completed\". No AuthError is ever sent for this, so the client retries for ever.",
        evidence: "The close code and reason or the HTTP status, how often it happened, the token's `iss`.",
        action: "Fix what the backend cannot handle; most often an OIDC token whose `iss` has no scheme (see `token.iss_no_scheme`): the provider's `domain` and the token's `iss` must both be full `https://` URLs.";
    IdentityNullBeforeAuth = "identity.null_before_auth", 1, Warn,
        meaning: "Authentication works, but a query ran (logging `'server identity' null` or failing) before the token was confirmed; later runs had the identity.",
        evidence: "The query, when it ran, and when the token was confirmed.",
        action: "Gate the query on authentication: render it inside `<Authenticated>`, or pass `\"skip\"` until `useConvexAuth().isAuthenticated` is true; functions that need a user should not throw for a null identity on the first run.";
    // Issue 13 (failures users report, `docs/spec-extensions.md`): a token accepted but not used.
    AuthUnused = "auth.unused", 1, Warn,
        meaning: "The backend accepted the token, yet afterwards functions ran without an identity (fail: on another socket or HTTP call that carried no token, so some client of the page is not authenticated), or no function ran at all after the acceptance (warn: the page did not go on to use it).",
        evidence: "When the token was accepted, the function that then ran without an identity and what carried it, or how long nothing ran.",
        action: "Use one authenticated client for the whole page (one ConvexReactClient under ConvexProviderWithAuth; give ConvexHttpClient calls the token with setAuth); if nothing runs after sign-in, the UI waits on an auth state that does not follow the provider's session: rebuild the `fetchAccessToken` callback when the session changes and gate queries on `useConvexAuth()`, not on the provider's own flag.";

    // Step 2: does the client send a valid JWT?
    TokenAbsent = "token.absent", 2, Fail,
        meaning: "Convex traffic was seen but no user token: no Authenticate with tokenType User and no `Authorization: Bearer` header.",
        evidence: "What was seen instead (sockets, HTTP calls).",
        action: "Wire the auth provider into the Convex client (ConvexProviderWithClerk / ConvexProviderWithAuth0 / ConvexProviderWithAuth, or setAuth) and check that the user is signed in.";
    CaptureSanitized = "capture.sanitized", 2, Info,
        meaning: "The HAR file cannot show whether the app's HTTP calls carried a token: it has no `Authorization` header although the browser's CORS preflights announced one, or although the backend saw the user, or it is a Chrome/Edge export with no `Authorization`, `Cookie` or `Set-Cookie` header anywhere (Chrome 130+ removes them in its default, sanitized export). `token.absent` is not concluded.",
        evidence: "The file's creator, why the file is taken as sanitized (`from`), the Convex calls and preflights it holds.",
        action: "Chrome/Edge: allow \"Allow to generate HAR with sensitive data\" in DevTools Settings > Preferences > Network, then use \"Export HAR (with sensitive data)\"; or give the token directly with `convex-auth-doctor token -`.";
    TokenCleared = "token.cleared", 2, Info,
        meaning: "The client cleared its authentication (Authenticate with tokenType None): it signed out or its token fetcher returned null.",
        evidence: "The socket and the time.",
        action: "If the user should be signed in, check the auth provider's session and the token fetcher.";
    TokenAdmin = "token.admin", 2, Info,
        meaning: "Admin-key authentication (tokenType Admin or `Authorization: Convex …`): not a user token.",
        evidence: "Where it was seen (the key itself is never shown).",
        action: "Nothing, unless you expected a user: admin keys act as the deployment's admin, not as a user.";
    TokenBadScheme = "token.bad_scheme", 2, Fail,
        meaning: "An Authorization header that is neither `Bearer …` nor `Convex …`; the backend answers 400 InvalidAdminKey.",
        evidence: "The scheme that was sent and the request.",
        action: "Send `Authorization: Bearer <jwt>` (ConvexHttpClient.setAuth does this).";
    TokenMalformed = "token.malformed", 2, Fail,
        meaning: "The token is not a JWT: not three dot-separated base64url parts, or its header/payload are not JSON objects.",
        evidence: "Which part is wrong and how (truncated, quoted, standard base64, not JSON).",
        action: "Pass the whole JWT (an id token, not an opaque access token); make sure nothing cuts or wraps it.";
    TokenWellFormed = "token.well_formed", 2, Pass,
        meaning: "A JWT whose header and payload decode, with `iss`, `sub` and `aud` present.",
        evidence: "The claims.",
        action: "Nothing.";
    TokenTyp = "token.typ", 2, Warn,
        meaning: "The header's `typ` is present and not JWT-like (e.g. `at+jwt`); OIDC providers refuse it.",
        evidence: "The `typ` value.",
        action: "Send the ID token, not an access token, or use a customJwt provider.";
    TokenHeaderRefused = "token.header_refused", 2, Fail,
        meaning: "The header has a `cty` or `crit` parameter; OIDC verification refuses any token that carries one.",
        evidence: "The header parameter and its value.",
        action: "Mint the token without `cty`/`crit`, or use a customJwt provider.";
    TokenClaimType = "token.claim_type", 2, Fail,
        meaning: "A standard OIDC claim has the wrong JSON type (e.g. `email_verified: \"true\"`, `name` an object); the OIDC path cannot parse the ID token.",
        evidence: "The claim, its JSON type, the type the standard requires.",
        action: "Emit the claim with its standard type (booleans as true/false, strings as strings, `updated_at` as a number), or rename the custom claim so it does not collide with a standard one.";
    TokenIssNoScheme = "token.iss_no_scheme", 2, Fail,
        meaning: "`iss` has no `https://` or `http://`: on the OIDC path the provider matches, then the backend fails internally (socket closes 1011, HTTP 500) and never sends an AuthError.",
        evidence: "The `iss` value.",
        action: "Make the identity provider issue `iss` as a full URL (`https://…`), and use the same URL as the provider's `domain`.";
    TokenWrapped = "token.wrapped", 2, Fail,
        meaning: "A captured token carries characters the backend does not strip (whitespace, quotes, a second `Bearer `, a trailing `.`), so it cannot be decoded. Pasted input is unwrapped leniently instead.",
        evidence: "What surrounds the token.",
        action: "Return the bare JWT from the token fetcher (no quotes, no `Bearer ` prefix, no whitespace).";
    TokenClaimMissing = "token.claim_missing", 2, Fail,
        meaning: "A claim the backend needs is missing: `iss`, `sub` or `exp` (fail); `aud` (fail when a provider needs it, else warn); `iat` (warn: the client cannot schedule refresh; fail on the OIDC path, whose library refuses an ID token without it).",
        evidence: "The missing claim.",
        action: "Configure the provider's token (template) to include the claim.";
    TokenExpired = "token.expired", 2, Fail,
        meaning: "`exp` is at or before the time the token was sent (OIDC: no leeway; custom JWT: 5 s).",
        evidence: "`exp`, the time it was sent, how long before.",
        action: "Make the token fetcher return a fresh token (honour `forceRefreshToken`); if the token looks fresh to you, check the computer's clock.";
    TokenNotYetValid = "token.not_yet_valid", 2, Fail,
        meaning: "`nbf` or `iat` lies more than 5 s after the time the token was sent; custom JWT providers refuse it (usually a skewed clock).",
        evidence: "The claim, the time it was sent, the difference.",
        action: "Check the clock of the machine that issued the token and of this computer.";
    TokenExpInMs = "token.exp_in_ms", 2, Warn,
        meaning: "`exp` or `iat` look like milliseconds, not seconds.",
        evidence: "The claim and its value.",
        action: "JWT times are seconds since 1970: divide by 1000 where the token is made.";
    TokenAlgNone = "token.alg_none", 2, Fail,
        meaning: "The header's `alg` is `none`: an unsigned token, never accepted.",
        evidence: "The header.",
        action: "Sign the token (RS256 or ES256).";
    TokenAlgUnsupported = "token.alg_unsupported", 2, Fail,
        meaning: "`alg` is not accepted on the path the token takes (OIDC: RS256, EdDSA; custom JWT: the configured algorithm).",
        evidence: "The `alg`, the path, what is accepted.",
        action: "Sign with an accepted algorithm, or set `algorithm` of the customJwt provider to match.";
    TokenAudMultiple = "token.aud_multiple", 2, Fail,
        meaning: "`aud` is an array of more than one value: refused on the OIDC path.",
        evidence: "The `aud` values.",
        action: "Issue the token for the one audience in `applicationID`, or use a customJwt provider.";
    // Issue 13: refreshes that fail, tokens never minted, HTTP actions, server-side rendering cookies.
    RefreshCleared = "refresh.cleared", 2, Fail,
        meaning: "After the token expired or was refused, the client did not send a fresh one: it cleared its authentication (Authenticate with tokenType None, or reconnected and subscribed without any token). The convex client does this when the token fetcher, called with `forceRefreshToken: true`, returns null or the very token it already had.",
        evidence: "When the token expired or was refused, when authentication was cleared and how, the provider's token requests in between (none, failed, or answered with the same token).",
        action: "Make the fetcher return a new token when called with `forceRefreshToken: true`; retry transient errors (network, 5xx, 429) instead of returning null, and return null only when the user really signed out.";
    RefreshSameToken = "refresh.same_token", 2, Fail,
        meaning: "After the backend said the token expired or refused it, the client got the identical token again: it re-sent it, or the provider answered the refresh with the same token (the convex client then gives up and clears authentication).",
        evidence: "When the token was refused, when the same token came back and from where.",
        action: "Honour `forceRefreshToken`: skip the provider's cache (Clerk: `getToken({ template: \"convex\", skipCache: true })`), and never hand back a token you already know expired.";
    RefreshProviderFailed = "refresh.provider_failed", 2, Fail,
        meaning: "The identity provider's or auth library's token request failed while the client refreshed, and the client then cleared its authentication: a transient failure became a sign-out.",
        evidence: "The failed request (endpoint without its query, status, the provider's error words), and when authentication was cleared.",
        action: "Retry transient failures (status 0, 5xx, 429) in the token fetcher before giving up; return null only when the provider says the session is gone (Convex Auth: single-use refresh tokens must not be spent twice, e.g. by two tabs).";
    MintTemplateMissing = "mint.template_missing", 2, Fail,
        meaning: "Clerk answered 404 to the request for a token of the JWT template the Convex client asks for (`convex`): the template does not exist in this Clerk instance, so no token is ever sent.",
        evidence: "The template name, the Clerk Frontend API host, Clerk's error words.",
        action: "Create a JWT template named exactly `convex` (Clerk Dashboard > JWT templates > New > Convex) in the Clerk instance whose publishable key the app uses.";
    MintRequestFailed = "mint.request_failed", 2, Fail,
        meaning: "The request that should mint the Convex token failed (Clerk's token endpoint, better-auth's `/convex/token`), so the client sent no token.",
        evidence: "The endpoint (without its query), the status, the provider's error words.",
        action: "For better-auth: a 404 means the `convex()` plugin or the route handler is not mounted at the auth base path (`/api/auth`), 401 that there is no session; for Clerk: read the error words (an inactive session, a wrong instance).";
    MintSigninFailed = "mint.signin_failed", 2, Fail,
        meaning: "Convex Auth's sign-in action (`auth:signIn`) failed, so no token was minted; development deployments send the error text (a missing or malformed `JWT_PRIVATE_KEY`, `JWKS`, `SITE_URL`, a refused redirect).",
        evidence: "The function, the server's error text, what it means.",
        action: "Run `npx @convex-dev/auth` to set `JWT_PRIVATE_KEY`, `JWKS` and `SITE_URL` on the deployment (the key must be the PKCS#8 PEM it generates, with its line breaks); check `SITE_URL` for redirect errors.";
    MintNotSent = "mint.not_sent", 2, Fail,
        meaning: "The provider minted a token for Convex, but the Convex client never sent one: the token fetcher is not wired into the Convex client.",
        evidence: "The token request that succeeded and when.",
        action: "Pass the provider to the Convex client (ConvexProviderWithClerk `useAuth`, ConvexBetterAuthProvider, ConvexProviderWithAuth with a `fetchAccessToken` that returns that token), not a plain ConvexProvider.";
    HttpActionNoBearer = "http_action.no_bearer", 2, Warn,
        meaning: "A call to one of the deployment's HTTP actions (`*.convex.site`, or `/http/…` on the deployment) carried no `Authorization: Bearer` header while the page holds a user token, so `ctx.auth.getUserIdentity()` is null there; fail when the action then answered 401/403.",
        evidence: "The endpoint, the method, the status.",
        action: "Send the Convex token yourself: `fetch(url, { headers: { Authorization: `Bearer ${token}` } })` with the token from your auth provider; HTTP actions get no token from the Convex client.";
    HttpActionCorsBlocked = "http_action.cors_blocked", 2, Fail,
        meaning: "The browser did not let the page call an HTTP action with its `Authorization` header: the CORS preflight (`OPTIONS`) failed or did not allow `Authorization`, or the request itself got no response.",
        evidence: "The endpoint, the preflight's status and `Access-Control-Allow-Headers`, or the call's status 0.",
        action: "Route `OPTIONS` for that path in `convex/http.ts` and answer it with `Access-Control-Allow-Origin`, `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers: Content-Type, Authorization`; add `Access-Control-Allow-Origin` to the action's own response too.";
    HttpActionRefused = "http_action.refused", 2, Fail,
        meaning: "An HTTP action called with a Bearer token answered 401, 403 or 500: with a token the backend cannot validate, `ctx.auth.getUserIdentity()` throws inside the action. The token is judged with step 2's rules.",
        evidence: "The endpoint, the status, what step 2's rules find wrong with the token.",
        action: "Send the same fresh token the Convex client uses (from the provider's fetcher), not a stale or different one; fix what step 2 reports about it.";
    CookieTokenAbsent = "cookie.token_absent", 2, Warn,
        meaning: "The auth library's session cookies are on the page's requests but not the cookie the server reads the Convex token from (Convex Auth `__convexAuthJWT`, better-auth `convex_jwt`, Clerk `__session`): server-side rendering and middleware run without a user.",
        evidence: "The library, which of its cookies were seen (names only).",
        action: "Convex Auth: the `__Host-` cookie names need https (only `localhost:<port>` gets unprefixed names), and the middleware must be `convexAuthNextjsMiddleware`; better-auth: sign in through the route handler so it sets `convex_jwt`; Clerk: the middleware must run on the route.";
    CookieTokenExpired = "cookie.token_expired", 2, Warn,
        meaning: "The token cookie a server reads (for `fetchQuery`/`preloadQuery`, middleware) held an expired token when the page's request carried it: server-side calls with it are refused.",
        evidence: "The cookie's name (never its value), the token's `exp`, when the request carried it.",
        action: "Refresh the cookie before server-side calls (Convex Auth's middleware does; better-auth: call the token endpoint, which re-sets `convex_jwt`), or fall back to client-side fetching when it is stale.";
    CookieTokenInvalid = "cookie.token_invalid", 2, Warn,
        meaning: "The token cookie a server reads holds something step 2's rules refuse (not a JWT, claims missing or wrong).",
        evidence: "The cookie's name (never its value) and what the rules found.",
        action: "Fix where the cookie is written: it must hold the same JWT the client sends to Convex.";
    CookieTokenMismatch = "cookie.token_mismatch", 2, Warn,
        meaning: "The token cookie a server reads names another user or issuer than the token the page sends over the socket: server-side rendering sees someone else.",
        evidence: "The cookie's name, both tokens' `iss` and `sub`.",
        action: "Clear the stale cookie on sign-out and session switch (sign out through the library's route so it deletes the cookie).";
    CookieTokenSeen = "cookie.token_seen", 2, Info,
        meaning: "The token cookie a server reads holds a valid-looking token for the same user as the socket's (or there is no socket token to compare with).",
        evidence: "The cookie's name (never its value), `exp`, whether it is the very token the socket sends.",
        action: "Nothing: server-side calls get a usable token.";

    // Step 3: does the backend configuration match the token?
    ConfigUnknown = "config.unknown", 3, Info,
        meaning: "No configuration known yet: neither a provider list from the server's error text nor one given by the user.",
        evidence: "Nothing yet.",
        action: "Paste convex/auth.config.ts (and its environment values), or reload so the server's error text can be read.";
    ConfigNoProviders = "config.no_providers", 3, Fail,
        meaning: "The backend has no authentication providers.",
        evidence: "The server's message or the given configuration.",
        action: "Create convex/auth.config.ts with your provider and push it (`npx convex dev` / `npx convex deploy`).";
    ConfigIssuerMismatch = "config.issuer_mismatch", 3, Fail,
        meaning: "No provider's domain/issuer equals the token's `iss` after the backend's normalisation.",
        evidence: "`iss`, the closest provider and how they differ.",
        action: "Put the token's issuer in auth.config.ts (or in the environment variable it reads), or point the client at the provider instance that auth.config.ts names.";
    ConfigAudienceMismatch = "config.audience_mismatch", 3, Fail,
        meaning: "A provider's issuer matches but `aud` does not contain its `applicationID`.",
        evidence: "`aud`, the provider's applicationID.",
        action: "Make applicationID and the token's audience agree (Clerk: a JWT template named `convex`; Auth0: the client ID).";
    ConfigNoMatch = "config.no_match", 3, Fail,
        meaning: "The server says no configured provider matches the token's issuer and audience, and which of the two differs cannot be told: production deployments redact the provider list, or the configuration given here matches although the deployment's does not (not pushed, other environment values, other deployment). Added by this project.",
        evidence: "The server's message; the configuration's verdict when one was given.",
        action: "Paste convex/auth.config.ts with the deployment's environment values (dashboard Settings > Environment Variables), and check that the code is pushed to this deployment.";
    ConfigMatched = "config.matched", 3, Pass,
        meaning: "A provider matches the token's `iss` and `aud`.",
        evidence: "The provider.",
        action: "Nothing for matching; if the backend still refuses the token, read the verification findings.";
    ConfigEnvUnresolved = "config.env_unresolved", 3, Info,
        meaning: "The configuration reads `process.env.NAME` and its value is not known.",
        evidence: "The variable's name.",
        action: "Give the value as set in the deployment's environment (dashboard Settings > Environment Variables), not .env.local.";
    ConfigNoApplicationId = "config.no_application_id", 3, Warn,
        meaning: "A provider without `applicationID`: any token from that issuer is accepted.",
        evidence: "The provider.",
        action: "Set applicationID unless you mean to accept every token of that issuer.";
    ConfigKidMissing = "config.kid_missing", 3, Fail,
        meaning: "The token would take a customJwt provider and has no `kid` header, which that path requires.",
        evidence: "The header and the provider.",
        action: "Add a `kid` to the token's header that matches a key of the JWKS, or use an OIDC provider.";
    ConfigJwksUnparseable = "config.jwks_unparseable", 3, Fail,
        meaning: "A customJwt provider's JWKS holds a key the backend's JWKS parser refuses (e.g. an Ed25519 key with `\"alg\": \"EdDSA\"`), so the whole set fails and every token of that provider is refused.",
        evidence: "The JWKS URL and the key that cannot be parsed, with why.",
        action: "Publish the key without the field the parser refuses (for an Ed25519 key, drop `alg`), or sign with RS256/ES256 keys.";

    // `convex-auth-doctor check` (issue 15): what a project's files say without traffic (`docs/spec-extensions.md`).
    ProjectNoAuthConfig = "project.no_auth_config", 3, Fail,
        meaning: "The project's functions directory (`convex/`, or `convex.json`'s `functions`) has no `auth.config.ts` or `auth.config.js`: a push then configures no providers, and the deployment refuses every user token. Added by this project.",
        evidence: "The functions directory looked in.",
        action: "Create `convex/auth.config.ts` exporting your provider (`{ providers: [{ domain, applicationID }] }`) and push it (`npx convex dev`).";
    ProjectDeployment = "project.deployment", 3, Info,
        meaning: "The deployment the project's `.env.local` names (`CONVEX_DEPLOYMENT`), and whose environment values the check used: auth.config.ts is evaluated on that deployment with its own environment variables, never with `.env.local`. Added by this project.",
        evidence: "The deployment, where its name came from, whether its environment list was given (`--env-list`).",
        action: "Give the deployment's own values: `npx convex env list | convex-auth-doctor check --env-list -`.";
    ConfigProvider = "config.provider", 3, Info,
        meaning: "One provider of auth.config.ts as the doctor reads it: its type, domain/issuer, applicationID, the variables they read and where each value came from (the deployment's list, `.env.local`, `--env`, built in). Added by this project.",
        evidence: "The provider's fields; secret-named variables' values are hidden.",
        action: "Nothing: compare it with what your identity provider issues.";
    ConfigEnvMissing = "config.env_missing", 3, Fail,
        meaning: "auth.config.ts reads `process.env.NAME`, and the deployment's environment list (given with `--env-list`) has no NAME: the backend refuses the push (\"Environment variable NAME is used in auth config file but its value was not set\"), even with a `??` fallback, and the deployment keeps its previous configuration. Added by this project.",
        evidence: "The variable, the provider field that reads it, whether `.env.local` sets it.",
        action: "Set it on the deployment: `npx convex env set NAME value` (or the dashboard's Settings > Environment Variables), then push again.";
    ConfigEnvUnverified = "config.env_unverified", 3, Info,
        meaning: "auth.config.ts reads `process.env.NAME`; the check used `.env.local`'s value, which the deployment never reads: its own value may differ or be missing. Added by this project.",
        evidence: "The variable and the provider field that reads it.",
        action: "Check the deployment's value: `npx convex env list | convex-auth-doctor check --env-list -`.";
    ConfigPublishableKey = "config.publishable_key", 3, Fail,
        meaning: "A provider's domain/issuer is a Clerk publishable key (`pk_test_…`/`pk_live_…`), not a URL: the backend refuses it. The key encodes the Clerk Frontend API host, which is the issuer to use. Added by this project.",
        evidence: "The key's kind (test/live), the Frontend API URL it encodes, the variable that holds it.",
        action: "Use the Clerk Frontend API URL (`https://<…>.clerk.accounts.dev`, Clerk Dashboard > API keys) as the domain (usually `CLERK_JWT_ISSUER_DOMAIN` on the deployment).";
    ConfigJwksUrlAsDomain = "config.jwks_url_as_domain", 3, Fail,
        meaning: "A provider's domain/issuer is a key-set or discovery document URL (`…/.well-known/jwks.json`, `…/openid-configuration`), not the issuer: no token's `iss` equals it. Added by this project.",
        evidence: "The value and the issuer it likely stands for.",
        action: "Use the issuer (the URL before `/.well-known/…`); for a customJwt provider the key-set URL belongs in `jwks`.";
    ConfigConvexCloudDomain = "config.convex_cloud_domain", 3, Fail,
        meaning: "A provider's domain/issuer is a deployment's `.convex.cloud` URL. Convex Auth issues tokens as the deployment's `.convex.site` URL (`CONVEX_SITE_URL`), where its discovery document is served; no token is issued as `.convex.cloud`. Added by this project.",
        evidence: "The value and the `.convex.site` URL.",
        action: "Use `domain: process.env.CONVEX_SITE_URL` (built into every deployment) with `applicationID: \"convex\"`.";
    ConfigDomainNoScheme = "config.domain_no_scheme", 3, Warn,
        meaning: "A provider's domain/issuer has no `https://`. The backend adds `https://` when the value ends with a top-level domain (fail: it refuses the push when it does not), so tokens must carry that https URL as `iss`. Added by this project.",
        evidence: "The value and the URL the backend reads.",
        action: "Write the full URL, `https://…`, as the issuer puts it in its tokens.";
    ConfigValueDecorated = "config.value_decorated", 3, Fail,
        meaning: "A provider's value has whitespace, a line break or quotes around it, or invisible characters in it (zero-width spaces, bidi marks, controls; often from copying into an environment variable): the backend compares values as written (and refuses a domain starting with a quote), so no token matches. Info for a trailing `/` on a domain, which the backend trims. Added by this project.",
        evidence: "What surrounds the value, the cleaned value (never for secret-named variables), the variable.",
        action: "Set the value without the surrounding characters (`npx convex env set NAME value`).";
    ConfigAlgorithmUnsupported = "config.algorithm_unsupported", 3, Fail,
        meaning: "A customJwt provider's `algorithm` is not `RS256` or `ES256`, the only two the backend reads (`SignatureAlgorithm`): the push is refused. Added by this project.",
        evidence: "The value and the variable that holds it.",
        action: "Sign the tokens with RS256 or ES256 and write that algorithm, exactly so (upper case), in the provider.";
    ConfigApplicationIdEmpty = "config.application_id_empty", 3, Fail,
        meaning: "A provider's applicationID is the empty string (often an environment variable set to nothing): no token's `aud` is empty, so the provider never matches. Added by this project.",
        evidence: "The provider and the variable.",
        action: "Set applicationID to the audience your tokens carry (Clerk: `convex`; Auth0: the application's client ID).";

    // Verification (beyond the guide; step 3)
    SignatureValid = "signature.valid", 3, Pass,
        meaning: "The signature verifies with the issuer's published key.",
        evidence: "The key id and algorithm, where the keys came from.",
        action: "Nothing.";
    SignatureInvalid = "signature.invalid", 3, Fail,
        meaning: "The signature does not verify with the issuer's published key.",
        evidence: "The key id and algorithm, where the keys came from.",
        action: "The token was signed by another key (another instance or environment, or a tampered token).";
    JwksKidNotFound = "jwks.kid_not_found", 3, Fail,
        meaning: "No key in the JWKS has the token's `kid`.",
        evidence: "The token's `kid` and the JWKS's key ids.",
        action: "Keys were rotated, or the token comes from another instance: sign in again, or fix the issuer.";
    JwksUnreachable = "jwks.unreachable", 3, Warn,
        meaning: "The discovery document or JWKS could not be fetched from here (it may still be reachable from the backend).",
        evidence: "The URL and the error.",
        action: "Check the URL; the backend fetches it from the internet, so it must be public.";
    DiscoveryIssuerMismatch = "discovery.issuer_mismatch", 3, Fail,
        meaning: "The discovery document's `issuer` differs from the token's `iss`.",
        evidence: "Both values.",
        action: "The token's `iss` must be exactly the provider's issuer, trailing slash included.";
    ClockSkew = "clock.skew", 3, Warn,
        meaning: "This computer's clock differs from the server's by more than 5 s.",
        evidence: "The estimated difference and where it came from.",
        action: "Sync the clock: expiry verdicts computed on this machine may be wrong by that much.";
}

impl Code {
    /// The catalogue entry for this code.
    pub fn doc(self) -> &'static CodeDoc {
        // Every variant is in CATALOGUE by construction of the macro; the fallback is never taken.
        CATALOGUE
            .iter()
            .find(|d| d.code == self)
            .unwrap_or(&CATALOGUE[0])
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `step`, `default_severity` and `from_name` are matches generated beside the catalogue; they must say what
    /// the catalogue says, since findings take their step and severity from them.
    #[test]
    fn matches_agree_with_the_catalogue() {
        for d in CATALOGUE {
            assert_eq!(d.code.step(), d.step, "{}", d.code);
            assert_eq!(d.code.default_severity(), d.severity, "{}", d.code);
            assert_eq!(Code::from_name(d.code.as_str()), Some(d.code));
            assert_eq!(d.code.doc().code, d.code);
            let f = Finding::new(d.code, "m");
            assert_eq!((f.step, f.severity), (d.step, d.severity), "{}", d.code);
        }
        assert_eq!(Code::from_name("token.nope"), None);
    }
}
