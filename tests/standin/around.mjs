// What happens around the Convex API in the scenarios of issue 13: imitations of hosted services and of the app's
// own server, each following the real library's source (paths in the libraries' GitHub repositories):
//
// - Clerk's Frontend API token endpoint (a hosted service; imitated): clerk/javascript
//   packages/clerk-js/src/core/resources/Session.ts — `getToken({template})` POSTs
//   `/v1/client/sessions/<sid>/tokens/<template>` and gets `{"object":"token","jwt"}`; a template the instance
//   does not have answers 404 with Clerk's `{"errors":[{message,long_message,code}]}` body, which clerk-js throws
//   and does not retry (4xx). ConvexProviderWithClerk (convex src/react-clerk/ConvexProviderWithClerk.tsx:78-89)
//   catches that and returns null.
// - better-auth's Convex token route (an auth server; imitated): get-convex/better-auth
//   src/plugins/convex/index.ts — `GET <basePath>/convex/token` answers `{token}`; src/react/index.tsx maps any
//   failure to null (`data?.token || null`, `throw: false`), no retry.
// - A server-rendered page (the app's own server; imitated): get-convex/convex-auth
//   src/nextjs/server/cookies.ts names the cookies `__convexAuthJWT` / `__convexAuthRefreshToken` (on
//   `localhost:<port>`; `__Host-` prefixed elsewhere), httpOnly, path `/`.
// - HTTP actions: convex-backend crates/local_backend/src/router.rs:410 serves them under `/http/` of the
//   deployment; an unmatched route, OPTIONS included, answers 404 "No matching routes found"
//   (crates/isolate/src/environment/action/mod.rs:484); a token that fails validation makes
//   `ctx.auth.getUserIdentity()` throw inside the action (crates/local_backend/src/http_actions.rs:165-169).
//
// Scenario fields (tests/scenarios.json, `around`): `clerk` ("template-missing"), `better_auth` ("missing" |
// "fail-refresh"), `ssr_cookie` ("expired"), `http_action` ("no-bearer" | "bearer"), `second_client`,
// `signin` ("convex-auth"); drive.mjs turns the first two into query parameters of the imitated endpoints.

/** Clerk Frontend API imitation on the identity provider's server. Returns true when it answered. */
export async function clerkFapi(req, url, send, mint) {
  const m = url.pathname.match(/^\/v1\/client\/sessions\/([^/]+)\/tokens(?:\/([^/]+))?$/);
  if (!m || req.method !== 'POST') return false;
  const template = m[2];
  const mode = url.searchParams.get('standin_mode');
  if (template && mode === 'template-missing') {
    send(404, {
      errors: [
        {
          message: 'Not Found',
          long_message: `No JWT template exists with name: ${template}`,
          code: 'resource_not_found',
        },
      ],
      clerk_trace_id: 'standin',
    });
    return true;
  }
  const kind = url.searchParams.get('standin_kind') ?? 'clerk-convex';
  const variant = url.searchParams.get('standin_variant') ?? undefined;
  send(200, { object: 'token', jwt: await mint(kind, variant) });
  return true;
}

/** Per scenario, when the better-auth imitation first minted a token. */
const firstMint = new Map();

/**
 * better-auth's Convex token route, served by the auth server (here the identity provider's server, under
 * `/ba/<scenario>/api/auth`, the auth base path; with @convex-dev/better-auth it is usually the deployment's
 * `.convex.site` or the app's own origin). `standin_mode`: `missing` (the convex() plugin is not mounted: 404),
 * `fail-refresh` (calls within 3 s of the first token mint, later ones fail with 503). Returns true when it answered.
 */
export async function betterAuthRoute(req, url, send, mint) {
  const m = url.pathname.match(/^\/ba\/([^/]+)\/api\/auth\/convex\/token$/);
  if (!m || req.method !== 'GET') return false;
  const mode = url.searchParams.get('standin_mode');
  const first = firstMint.get(m[1]);
  if (mode === 'missing') {
    send(404, 'Not Found', 'text/plain');
    return true;
  }
  if (mode === 'fail-refresh' && first !== undefined && Date.now() - first > 3000) {
    send(503, { code: 'SERVICE_UNAVAILABLE', message: 'database connection timed out' });
    return true;
  }
  if (first === undefined) firstMint.set(m[1], Date.now());
  send(200, {
    token: await mint(
      url.searchParams.get('standin_kind') ?? 'convex-auth',
      url.searchParams.get('standin_variant') ?? undefined,
    ),
  });
  return true;
}

/**
 * The app server's routes under `/s/<scenario>/`: the page itself (with the cookies a server-rendered app
 * sets) and a probe a server component would answer. Returns true when it answered.
 */
export async function appRoute(_req, res, url, { scenarios, idp, page }) {
  const m = url.pathname.match(/^\/s\/([^/]+)\/(.*)$/);
  if (!m) return false;
  const scenario = scenarios.find((s) => s.id === m[1]);
  if (!scenario) return false;
  const rest = m[2];
  const around = scenario.around ?? {};
  if (rest === '') {
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (around.ssr_cookie === 'expired') {
      // What a Next.js server with Convex Auth leaves behind when its middleware did not refresh the JWT cookie.
      const expired = await idp.mint(scenario.token?.kind ?? 'convex-auth', 'expired');
      const attrs = `Path=/s/${scenario.id}/; HttpOnly; SameSite=Lax`;
      headers['set-cookie'] = [
        `__convexAuthJWT=${expired}; ${attrs}`,
        `__convexAuthRefreshToken=standin-refresh-token|opaque; ${attrs}`,
      ];
    }
    res.writeHead(200, headers);
    res.end(page());
    return true;
  }
  if (rest === 'ssr-probe') {
    // A server component's request: it reads the cookie (the doctor sees the Cookie header, never this body).
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.end('rendered on the server');
    return true;
  }
  return false;
}

/**
 * The deployment's HTTP actions (`convex/http.ts` of the demo): `GET /whoami` answers the identity, 401 without
 * one. No OPTIONS route is registered, as in most reports: a preflight gets the router's 404.
 * `identify(authorization)` resolves to the identity or throws the backend's validation error.
 */
export async function httpAction(req, res, url, identify, record) {
  const route = url.pathname.slice('/http'.length);
  const entry = {
    dir: 'http_action',
    method: req.method,
    path: url.pathname,
    authorization: req.headers.authorization ? 'present' : null,
    status: 0,
  };
  const reply = (status, body, headers = {}) => {
    entry.status = status;
    record(entry);
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
  if (route !== '/whoami' || req.method !== 'GET') return reply(404, 'No matching routes found');
  const cors = { 'access-control-allow-origin': '*' };
  let identity;
  try {
    identity = await identify(req.headers.authorization);
  } catch {
    // getUserIdentity() throws inside the action; uncaught, the action fails with 500.
    return reply(500, 'Server Error', cors);
  }
  if (identity === null) return reply(401, 'Unauthorized', cors);
  return reply(200, JSON.stringify({ subject: identity.subject }), { ...cors, 'content-type': 'application/json' });
}
