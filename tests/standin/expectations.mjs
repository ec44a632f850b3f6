// What each scenario must make the stand-in do on the wire, checked by the tests in Node
// (standin.test.mjs) and in Chromium (browser.test.mjs). Texts are the backend's exact ones
// (crates/authentication/src/lib.rs, crates/sync/src/state.rs), written out literally here so a
// drift in auth.mjs fails the tests.

const noProvider = (list) =>
  `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [${list}]`;
const VERIFY =
  "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";
const PARSE_OIDC = 'Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.';
const PARSE_PAYLOAD =
  'Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.';

/**
 * Per scenario id: given the IdP's URL, the expected traffic.
 *   token: a `Authenticate{tokenType:"User"}` (or Bearer header) is sent
 *   confirmed: the backend raised the identity version after it
 *   authError: [text, authUpdateAttempted] of the first AuthError (then the server closes)
 *   close: [code, reason] of a server close without AuthError
 *   log: "identity" | "null" | "none" | "null-then-identity" — the 'server identity' log lines that come back
 *   lazyExpiry: the expiry AuthError answers a Mutation sent after `exp`, and nothing came in between
 *   http: [status, body] of every HTTP call
 */
export function expectations(idp) {
  const clerk = `OIDC(domain=${idp}/clerk, app_id=convex)`;
  const auth0 = (d) => `OIDC(domain=${d}/auth0, app_id=Auth0ClientIdStandin)`;
  const ok = { token: true, confirmed: true, log: 'identity' };
  const rejected = (text) => ({ token: true, confirmed: false, authError: [text, true], log: 'null' });
  return {
    'all-good': ok,
    'all-good-client': ok,
    'all-good-http': { token: true, log: 'identity', http: [200, 'success'] },
    'convex-auth': ok,
    'workos-no-aud': ok,
    'custom-jwt': ok,
    'better-auth': ok,
    // Better Auth's getAuthConfigProvider() makes a custom JWT provider with applicationID "convex".
    'better-auth-site-url-unset': rejected(noProvider(`CustomJWT(issuer=${idp}/better-auth, app_id=convex)`)),
    eddsa: ok,
    'not-connected': { token: false, noTraffic: true, log: 'none' },
    'code-not-pushed': { token: true, confirmed: true, log: 'none' },
    'identity-null-http': { token: false, log: 'null', http: [200, 'success'] },
    'no-token-not-wired': { token: false, log: 'null' },
    'no-token-signed-out': { token: false, log: 'null' },
    'token-malformed': rejected(PARSE_PAYLOAD),
    'token-truncated': rejected(PARSE_PAYLOAD),
    'no-providers': rejected(
      'No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.',
    ),
    'issuer-other-clerk': rejected(noProvider(clerk)),
    'issuer-jwks-url': rejected(noProvider(`OIDC(domain=${idp}/clerk/.well-known/jwks.json, app_id=convex)`)),
    'issuer-auth0-schemeless': rejected(noProvider(auth0(idp.replace('http://', 'https://')))),
    'audience-clerk-template': rejected(noProvider(clerk)),
    'audience-auth0-client-id': rejected(noProvider(auth0(idp))),
    'token-expired': rejected(VERIFY),
    // The token is minted 30 s ahead; validation may fall a second or two later on a loaded machine.
    'clock-skew': rejected(/^Could not validate token: Token will be valid in (2[5-9]|30) seconds$/),
    // crates/sync/src/state.rs:282-305: no timer; the Mutation sent after `exp` is what meets the expired identity.
    'expiring-mid-session': {
      token: true,
      confirmed: true,
      authError: ['Convex token identity expired', false],
      reconfirmed: true,
      lazyExpiry: true,
      log: 'identity',
    },
    'discovery-failing': { token: true, confirmed: false, close: [1013, 'AuthProviderDiscoveryFailed'], log: 'none' },
    'discovery-issuer-mismatch': rejected(`Auth provider discovery of ${idp}/discovery-issuer-mismatch failed`),
    'wrong-signature': rejected(VERIFY),
    'wrong-kid': rejected(VERIFY),
    'alg-none': rejected(VERIFY),
    'typ-at-jwt': rejected(VERIFY),
    'aud-multiple': rejected(VERIFY),
    'missing-sub': rejected(PARSE_OIDC),
    'token-header-refused': rejected(VERIFY),
    'token-claim-type': rejected(PARSE_OIDC),
    // lib.rs:208 IssuerUrl::new fails without ErrorMetadata: 1011 on the socket, 500 over HTTP, no AuthError.
    'iss-no-scheme': { token: true, confirmed: false, close: [1011, 'InternalServerError'], log: 'none' },
    'iss-no-scheme-http': {
      token: true,
      log: 'none',
      http: [500, { code: 'InternalServerError', message: "Your request couldn't be completed. Try again later." }],
    },
    // Step 1 decodes only the payload, so "Bearer <jwt>" reaches the OIDC parser, which refuses its header part.
    'token-wrapped': rejected(PARSE_OIDC),
    'jwks-unparseable': rejected(
      `Invalid JWKS response body from '${idp}/custom-mixed/.well-known/jwks.json'. The response is not valid JSON or doesn't match the expected JWKS format.`,
    ),
    'identity-null-before-auth': { token: true, confirmed: true, log: 'null-then-identity' },
    'custom-jwt-no-kid': rejected("Could not decode token. JWT may be missing a 'kid' (key ID) header."),
    'production-redacted': { ...rejected('No auth provider found matching the given token'), log: 'none' },
    'http-issuer-mismatch': {
      token: true,
      log: 'none',
      http: [401, { code: 'NoAuthProvider', message: noProvider(clerk) }],
    },
    busy: { ...ok, busy: true },
    // Issue 13 (tests/standin/around.mjs).
    'refresh-provider-error': { token: true, confirmed: true, authError: ['Convex token identity expired', false] },
    'refresh-same-token': { token: true, confirmed: true, authError: ['Convex token identity expired', false] },
    'clerk-template-missing': { token: false, log: 'null' },
    'better-auth-token-missing': { token: false, log: 'null' },
    'convex-auth-no-key': { token: false, log: 'null' },
    'http-action-no-bearer': ok,
    'http-action-cors': ok,
    'ssr-cookie-expired': ok,
    'auth-unused-second-client': { token: true, confirmed: true },
    hostile: { ...ok, hostile: true },
  };
}

/** Check recorded frames against an expectation; returns a list of problems (empty = fine). */
export function checkTraffic(scenario, e, frames) {
  const problems = [];
  const need = (cond, what) => {
    if (!cond) problems.push(what);
  };
  const ins = frames.filter((f) => f.dir === 'in').map((f) => f.frame);
  const outs = frames.filter((f) => f.dir === 'out');
  const https = frames.filter((f) => f.dir === 'http');
  const logLines = frames.flatMap((f) => [
    ...(f.frame?.modifications ?? []).flatMap((m) => m.logLines ?? []),
    ...(f.frame?.logLines ?? []),
    ...(f.response?.logLines ?? []),
  ]);

  if (e.noTraffic) {
    need(frames.length === 0, `expected no traffic, got ${frames.length} records`);
    return problems;
  }
  const userAuth =
    ins.some((m) => m.type === 'Authenticate' && m.tokenType === 'User') ||
    https.some((h) => /^Bearer /.test(h.authorization ?? ''));
  need(userAuth === e.token, e.token ? 'no token was sent' : 'a token was sent');

  if (scenario.client !== 'http') {
    need(ins[0]?.type === 'Connect', 'first frame is not Connect');
    const confirmedOn = outs.filter(
      (f) => f.frame.type === 'Transition' && f.frame.endVersion.identity > f.frame.startVersion.identity,
    );
    const confirmedUser = confirmedOn.some((t) =>
      frames.some(
        (f) =>
          f.socket === t.socket &&
          f.dir === 'in' &&
          f.frame.type === 'Authenticate' &&
          f.frame.tokenType === 'User' &&
          f.t <= t.t,
      ),
    );
    if (e.confirmed !== undefined)
      need(
        confirmedUser === e.confirmed,
        e.confirmed ? 'the backend never confirmed the token' : 'the backend confirmed a token',
      );
    const authErrors = outs.filter((f) => f.frame.type === 'AuthError');
    if (e.authError) {
      const first = authErrors[0]?.frame;
      const want = e.authError[0];
      const same =
        want instanceof RegExp ? typeof first?.error === 'string' && want.test(first.error) : first?.error === want;
      need(
        same,
        `AuthError text: got ${JSON.stringify(first?.error)}, want ${want instanceof RegExp ? want : JSON.stringify(want)}`,
      );
      need(first?.authUpdateAttempted === e.authError[1], `authUpdateAttempted: got ${first?.authUpdateAttempted}`);
      const closed = frames.find((f) => f.dir === 'close' && f.socket === authErrors[0]?.socket && !f.by);
      need(closed !== undefined, 'the server did not close the socket after AuthError');
    } else {
      need(authErrors.length === 0, `unexpected AuthError: ${authErrors[0]?.frame.error}`);
    }
    if (e.close) {
      const c = frames.filter((f) => f.dir === 'close' && !f.by);
      need(
        c.length >= 2 && c.every((f) => f.code === e.close[0] && f.reason === e.close[1]),
        `server closes: ${JSON.stringify(c.map((f) => [f.code, f.reason]))}`,
      );
      // The client reports the close reason on its next Connect (web_socket_manager.ts lastCloseReason).
      need(
        ins
          .filter((m) => m.type === 'Connect')
          .slice(1)
          .every((m) => m.lastCloseReason === e.close[1]),
        'reconnects do not carry the close reason in Connect.lastCloseReason',
      );
    }
    if (e.lazyExpiry) {
      const authError = authErrors[0];
      const before = frames.filter((f) => f.socket === authError?.socket && f.t <= authError.t && f.dir !== 'close');
      const lastIn = before.filter((f) => f.dir === 'in').at(-1)?.frame;
      need(lastIn?.type === 'Mutation', `the expiry AuthError answered ${lastIn?.type}, not a Mutation`);
      const auth = ins.find((m) => m.type === 'Authenticate' && m.tokenType === 'User');
      const exp = auth ? JSON.parse(Buffer.from(String(auth.value).split('.')[1], 'base64url')).exp : 0;
      need(
        authError && authError.t >= exp * 1000 + 1000,
        'the expiry AuthError came at exp, not when the app next acted',
      );
      const idle = before.filter(
        (f) => f.dir === 'out' && f.t > exp * 1000 && f.frame.type !== 'Ping' && f.frame.type !== 'AuthError',
      );
      need(idle.length === 0, `the backend sent ${idle.map((f) => f.frame.type)} after exp before the mutation`);
    }
    if (e.reconfirmed) {
      const after = confirmedOn.filter((t) => t.socket > (authErrors[0]?.socket ?? Infinity));
      need(after.length > 0, 'no confirmation of a fresh token after the expiry');
    }
    if (!e.close && !e.busy) {
      need(
        ins.some((m) => m.type === 'Mutation') && outs.some((f) => f.frame.type === 'MutationResponse'),
        'no Mutation/MutationResponse',
      );
      need(
        ins.some((m) => m.type === 'Action') && outs.some((f) => f.frame.type === 'ActionResponse'),
        'no Action/ActionResponse',
      );
    }
    if (e.busy) {
      const updates = outs.filter(
        (f) => f.frame.type === 'Transition' && f.frame.modifications.some((m) => m.type === 'QueryUpdated'),
      );
      const span = (updates.at(-1)?.t ?? 0) - (updates[0]?.t ?? 0);
      need(
        updates.length >= 200 && updates.length / (span / 1000) >= 100,
        `busy: ${updates.length} updating transitions in ${span} ms`,
      );
    }
  } else {
    need(https.length === 3, `expected 3 HTTP calls, got ${https.length}`);
    for (const h of https) {
      need(h.status === e.http[0], `HTTP ${h.path}: status ${h.status}, want ${e.http[0]}`);
      if (typeof e.http[1] === 'string')
        need(h.response?.status === e.http[1], `HTTP ${h.path}: body status ${h.response?.status}`);
      else
        need(
          JSON.stringify(h.response) === JSON.stringify(e.http[1]),
          `HTTP ${h.path}: body ${JSON.stringify(h.response)}`,
        );
    }
  }

  const identityLine = logLines.find((l) => l.startsWith("[LOG] 'server identity' {\n  tokenIdentifier: '"));
  const nullLine = logLines.includes("[LOG] 'server identity' null");
  if (e.log === 'identity') need(identityLine !== undefined && !nullLine, 'no identity log line (or a null one too)');
  if (e.log === 'null') need(nullLine && identityLine === undefined, "no 'server identity' null log line");
  if (e.log === 'none') need(logLines.length === 0, `log lines came back: ${logLines[0]}`);
  if (e.log === 'null-then-identity') {
    const firstNull = logLines.indexOf("[LOG] 'server identity' null");
    const firstIdentity = logLines.findIndex((l) => l.startsWith("[LOG] 'server identity' {\n  tokenIdentifier: '"));
    need(firstNull !== -1 && firstIdentity > firstNull, "no 'server identity' null line before the identity line");
  }
  if (e.hostile)
    need(
      identityLine?.includes("name: '<img src=x onerror=alert(1)>'") &&
        identityLine.includes("'<b>claim</b>': '<iframe src=javascript:alert(1)>'"),
      'hostile claims missing from the log line',
    );
  return problems;
}
