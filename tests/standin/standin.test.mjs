// The stand-in's own tests: every scenario driven by the real `convex` client in Node
// (ConvexClient / ConvexReactClient over the `ws` package, ConvexHttpClient over fetch), with the
// frames and responses the stand-in produced checked against expectations.mjs; plus focused
// tests of the validation rules and protocol details. Run: node --test tests/standin/
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConvexClient, ConvexHttpClient } from 'convex/browser';
import { ConvexReactClient } from 'convex/react';
import { anyApi } from 'convex/server';
import { startStack, loadScenarios } from './stack.mjs';
import { startIdp } from './idp.mjs';
import { startDeployment } from './backend.mjs';
import { drive } from './app/drive.mjs';
import { expectations, checkTraffic } from './expectations.mjs';
import http from 'node:http';
import {
  validateUserToken,
  matchesToken,
  loadAuthConfig,
  joseHeaderRefused,
  oidcClaimTypeError,
  biscuitKeyRefusal,
  cachedFetcher,
  freshFor,
} from './auth.mjs';
import { formatLogLine } from './functions.mjs';

const lib = { ConvexClient, ConvexHttpClient, ConvexReactClient, anyApi };
const scenarios = loadScenarios();

describe('scenario list (tests/scenarios.json)', () => {
  const CODES =
    /^(client|deployment|identity|auth|token|config|signature|jwks|discovery|clock|refresh|mint|http_action|cookie)\.[a-z_]+$/; // the last four: issue 13
  test("ids are unique and every scenario has the contract's fields", () => {
    assert.equal(new Set(scenarios.map((s) => s.id)).size, scenarios.length);
    for (const s of scenarios) {
      assert.ok(s.title && s.guide, s.id);
      assert.ok(['react', 'client', 'http'].includes(s.client), s.id);
      assert.ok([null, 1, 2, 3].includes(s.expect.cause_step), s.id);
      assert.deepEqual(Object.keys(s.expect.step_status).sort(), ['1', '2', '3'], s.id);
      for (const v of Object.values(s.expect.step_status))
        assert.ok(['pass', 'fail', 'warn', 'unknown'].includes(v), s.id);
      for (const c of s.expect.codes) assert.match(c, CODES, s.id);
    }
  });
  test("the guide's branches and the load/hostile cases are all present", () => {
    const ids = new Set(scenarios.map((s) => s.id));
    for (const id of [
      'all-good',
      'not-connected',
      'code-not-pushed',
      'identity-null-http',
      'no-token-not-wired',
      'no-token-signed-out',
      'token-malformed',
      'token-truncated',
      'no-providers',
      'issuer-other-clerk',
      'issuer-jwks-url',
      'issuer-auth0-schemeless',
      'audience-clerk-template',
      'token-expired',
      'clock-skew',
      'expiring-mid-session',
      'discovery-failing',
      'wrong-signature',
      'busy',
      'hostile',
    ]) {
      assert.ok(ids.has(id), id);
    }
    for (const kind of ['react', 'client', 'http'])
      assert.ok(
        scenarios.some((s) => s.client === kind),
        kind,
      );
  });
  test('every scenario has a traffic expectation (a new scenario needs one)', () => {
    const e = expectations('http://idp');
    for (const s of scenarios) assert.ok(e[s.id], `no expectation for ${s.id}`);
  });
});

describe('every scenario with the real convex client', { concurrency: 8 }, () => {
  let stack;
  before(async () => {
    stack = await startStack({ build: false });
  });
  after(() => stack?.close());
  for (const s of scenarios) {
    test(`${s.id}: ${s.title}`, { timeout: 120000 }, async () => {
      const state = await drive({
        scenario: s,
        deploymentUrl: stack.backendUrl(s.id),
        idpUrl: stack.idpUrl,
        lib,
        webSocketConstructor: WebSocket,
        timeoutMs: 50000,
      });
      assert.deepEqual(state.errors, [], "the scenario's traffic did not complete");
      const problems = checkTraffic(s, expectations(stack.idpUrl)[s.id], stack.frames(s.id));
      assert.deepEqual(problems, []);
      if (s.backend && s.client !== 'http') {
        // Every frame the stand-in sends must be one the client's protocol knows.
        for (const f of stack.frames(s.id).filter((f) => f.dir === 'out'))
          assert.ok(
            ['Transition', 'MutationResponse', 'ActionResponse', 'AuthError', 'FatalError', 'Ping'].includes(
              f.frame.type,
            ),
          );
      }
    });
  }
});

describe("the real client's reaction", () => {
  test("after the retries it prints Failed to authenticate with the server's text (facts §1)", async () => {
    const stack = await startStack({ scenarios: ['issuer-other-clerk'], build: false });
    try {
      const errors = [];
      const logger = { logVerbose() {}, log() {}, warn() {}, error: (...a) => errors.push(a.join(' ')) };
      const s = stack.scenarios[0];
      await drive({
        scenario: s,
        deploymentUrl: stack.backendUrl(s.id),
        idpUrl: stack.idpUrl,
        lib,
        webSocketConstructor: WebSocket,
        logger,
      });
      const text = `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=${stack.idpUrl}/clerk, app_id=convex)]`;
      assert.ok(
        errors.includes(`Failed to authenticate: "${text}", check your server auth config`),
        JSON.stringify(errors),
      );
      // The client tried the token more than once (cached, then force-refreshed) before giving up.
      const tries = stack
        .frames(s.id)
        .filter((f) => f.dir === 'in' && f.frame.type === 'Authenticate' && f.frame.tokenType === 'User');
      assert.ok(tries.length >= 2, `${tries.length} Authenticate frames`);
    } finally {
      await stack.close();
    }
  });
});

describe('validation rules (crates/authentication, crates/common/src/auth.rs)', () => {
  let idp;
  before(async () => {
    idp = await startIdp();
  });
  after(() => idp?.close());
  const now = () => Math.floor(Date.now() / 1000);
  const clerk = () => [{ type: 'oidc', domain: idp.issuer('clerk'), applicationID: 'convex' }];

  test('issuer match trims trailing slashes on both sides and adds https:// to a scheme-less iss', () => {
    const p = { type: 'oidc', domain: 'https://tenant.auth0.com', applicationID: 'a' };
    assert.ok(matchesToken(p, ['a'], 'https://tenant.auth0.com/'));
    assert.ok(matchesToken(p, ['a'], 'tenant.auth0.com'));
    assert.ok(!matchesToken(p, ['a'], 'http://tenant.auth0.com/'));
    assert.ok(!matchesToken(p, ['b'], 'https://tenant.auth0.com/'));
    assert.ok(
      matchesToken({ type: 'customJwt', issuer: 'https://x.example', applicationID: null }, [], 'https://x.example'),
    );
  });

  test('production redacts the provider list', async () => {
    const token = await idp.mint('clerk-other');
    await assert.rejects(validateUserToken(token, clerk(), { nowSeconds: now(), redact: true }), {
      message: 'No auth provider found matching the given token',
      short: 'NoAuthProvider',
      httpStatus: 401,
    });
  });

  test('missing iss', async () => {
    const t = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.sig`;
    await assert.rejects(validateUserToken(t, clerk(), { nowSeconds: now() }), {
      message:
        "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
    });
  });

  test('OIDC: exp has no leeway, iat/nbf are not checked', async () => {
    const t = await idp.mint('clerk-convex');
    const { exp, iat } = JSON.parse(Buffer.from(t.split('.')[1], 'base64url'));
    await assert.rejects(validateUserToken(t, clerk(), { nowSeconds: exp }), { short: 'Unauthenticated' });
    assert.ok(await validateUserToken(t, clerk(), { nowSeconds: exp - 1 }));
    assert.ok(await validateUserToken(t, clerk(), { nowSeconds: iat - 1000 }));
  });

  test('custom JWT: 5 s leeway on exp, and the exact texts', async () => {
    const cfg = [
      {
        type: 'customJwt',
        issuer: idp.issuer('custom'),
        jwks: `${idp.issuer('custom')}/.well-known/jwks.json`,
        algorithm: 'ES256',
        applicationID: 'my-app',
      },
    ];
    const t = await idp.mint('custom');
    const { exp } = JSON.parse(Buffer.from(t.split('.')[1], 'base64url'));
    assert.ok(await validateUserToken(t, cfg, { nowSeconds: exp + 5 }));
    await assert.rejects(validateUserToken(t, cfg, { nowSeconds: exp + 6 }), {
      message: 'Could not validate token: Token expired 6 seconds ago',
    });
    await assert.rejects(validateUserToken(t, [{ ...cfg[0], algorithm: 'RS256' }], { nowSeconds: now() }), {
      message:
        "Could not decode token. The JWT's 'kid' (key ID) header is 'es-1', does this key match any key in the provider's JWKS?",
    });
    await assert.rejects(
      validateUserToken(t, [{ ...cfg[0], algorithm: 'RS256' }], { nowSeconds: now(), redact: true }),
      {
        message:
          "Could not decode token. The JWT's 'kid' (key ID) header doesn't match any key in the provider's JWKS, or the JWT signature is invalid.",
      },
    );
    // A trailing slash on the configured issuer still matches.
    assert.ok(await validateUserToken(t, [{ ...cfg[0], issuer: `${idp.issuer('custom')}/` }], { nowSeconds: now() }));
    // With applicationID set, a token for another audience finds no provider.
    await assert.rejects(validateUserToken(await idp.mint('custom', 'wrongaud'), cfg, { nowSeconds: now() }), {
      short: 'NoAuthProvider',
    });
    // Issued 30 s in the future: refused beyond the 5 s leeway.
    await assert.rejects(validateUserToken(await idp.mint('custom', 'future'), cfg, { nowSeconds: now() }), {
      message: /^Could not validate token: Token will be valid in (2[5-9]|30) seconds$/,
    });
  });

  test('custom JWT: JWKS fetch errors', async () => {
    const base = { type: 'customJwt', issuer: idp.issuer('custom'), algorithm: 'ES256', applicationID: null };
    const t = await idp.mint('custom');
    const missing = `${idp.url}/nowhere/jwks.json`;
    await assert.rejects(validateUserToken(t, [{ ...base, jwks: missing }], { nowSeconds: now() }), {
      message: `Could not fetch JWKS from URL '${missing}': HTTP 404 Not Found. Check that the URL is correct and accessible.`,
    });
    const jwks = await (await fetch(`${idp.issuer('custom')}/.well-known/jwks.json`)).text();
    const dataUri = `data:text/plain;base64,${Buffer.from(jwks).toString('base64')}`;
    assert.ok(await validateUserToken(t, [{ ...base, jwks: dataUri }], { nowSeconds: now() }));
  });

  test('OIDC discovery failing with 500 is an Overloaded error (503 over HTTP)', async () => {
    const t = await idp.mint('broken-discovery');
    const iss = idp.issuer('broken-discovery');
    await assert.rejects(
      validateUserToken(t, [{ type: 'oidc', domain: iss, applicationID: 'convex' }], { nowSeconds: now() }),
      {
        message: `Auth provider discovery of ${iss} failed: 500 Internal Server Error upstream identity service unavailable`,
        short: 'AuthProviderDiscoveryFailed',
        httpStatus: 503,
      },
    );
  });

  test('key rotation: the previous key stays valid, the retired one is refused', async () => {
    const before = await idp.mint('clerk-convex');
    await idp.rotate();
    assert.ok(await validateUserToken(before, clerk(), { nowSeconds: now() }));
    await idp.rotate();
    await assert.rejects(validateUserToken(before, clerk(), { nowSeconds: now() }), { short: 'Unauthenticated' });
    assert.ok(await validateUserToken(await idp.mint('clerk-convex'), clerk(), { nowSeconds: now() }));
  });

  test('auth.config.ts files read process.env like a deployment', () => {
    const p = loadAuthConfig(new URL('./configs/auth0.auth.config.ts', import.meta.url).pathname, {
      AUTH0_DOMAIN: 'tenant.eu.auth0.com',
      AUTH0_CLIENT_ID: 'abc',
    });
    assert.deepEqual(p, [{ type: 'oidc', domain: 'https://tenant.eu.auth0.com', applicationID: 'abc' }]);
  });
});

describe('protocol details', () => {
  let idp, d;
  before(async () => {
    idp = await startIdp();
    d = await startDeployment({
      providers: [{ type: 'oidc', domain: idp.issuer('clerk'), applicationID: 'convex' }],
      pingMs: 50,
    });
  });
  after(async () => {
    await d?.close();
    await idp?.close();
  });
  const open = (path) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(d.url.replace('http', 'ws') + path);
      const got = [];
      ws.on('message', (m) => got.push(JSON.parse(String(m))));
      ws.on('open', () => resolve({ ws, got }));
      ws.on('error', reject);
    });
  const closed = (ws) => new Promise((r) => ws.on('close', (code, reason) => r([code, String(reason)])));
  const waitFor = async (fn) => {
    for (let i = 0; i < 100 && !fn(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(fn());
  };

  test('/api/sync works too, and Ping frames arrive', async () => {
    const { ws, got } = await open('/api/sync');
    ws.send(
      JSON.stringify({
        type: 'Connect',
        sessionId: 's',
        connectionCount: 0,
        lastCloseReason: 'InitialConnect',
        clientTs: Date.now(),
      }),
    );
    await waitFor(() => got.some((m) => m.type === 'Ping'));
    ws.close();
  });

  test('a ModifyQuerySet with the wrong base version gets a FatalError', async () => {
    const { ws, got } = await open('/api/1.48.0/sync');
    const done = closed(ws);
    ws.send(JSON.stringify({ type: 'ModifyQuerySet', baseVersion: 5, newVersion: 6, modifications: [] }));
    await done;
    assert.equal(got.at(-1).type, 'FatalError');
  });

  test('a rejected Authenticate: AuthError with the identity base version, then close without status', async () => {
    const { ws, got } = await open('/api/1.48.0/sync');
    const done = closed(ws);
    ws.send(JSON.stringify({ type: 'Authenticate', tokenType: 'User', value: 'not-a-jwt', baseVersion: 0 }));
    assert.deepEqual(await done, [1005, '']);
    assert.deepEqual(
      got.filter((m) => m.type !== 'Ping'),
      [
        {
          type: 'AuthError',
          error:
            'Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.',
          baseVersion: 0,
          authUpdateAttempted: true,
        },
      ],
    );
  });

  test('HTTP: a non-Bearer Authorization header is 400 InvalidAdminKey; a bad token is 401', async () => {
    const call = (authorization) =>
      fetch(`${d.url}/api/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ path: 'messages:whoami', format: 'convex_encoded_json', args: [{}] }),
      });
    const r1 = await call('Basic abc');
    assert.equal(r1.status, 400);
    assert.deepEqual(await r1.json(), { code: 'InvalidAdminKey', message: 'Invalid admin key' });
    const r2 = await call('Bearer abc');
    assert.equal(r2.status, 401);
    assert.equal((await r2.json()).code, 'InvalidAuthHeader');
  });

  test('HTTP: a missing function is a 200 with status error (public_api.rs:130-156; validation.rs:353-365)', async () => {
    const r = await fetch(`${d.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'nope:nothing', format: 'convex_encoded_json', args: [{}] }),
    });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.deepEqual(Object.keys(body), ['status', 'errorMessage']); // empty logLines and errorData are omitted
    assert.match(
      body.errorMessage,
      /^\[Request ID: [0-9a-f]{16}\] Server Error\nCould not find public function for 'nope:nothing'\.\n$/,
    );
  });

  test("log lines are formatted like the runtime's object-inspect output and truncated in bytes (log_lines.rs:189-228)", () => {
    const cut = formatLogLine('LOG', ['a'.repeat(30000), 'b'.repeat(5000)]);
    assert.equal(Buffer.byteLength(cut), '[LOG] '.length + 32768 + ' (truncated due to length)'.length);
    assert.ok(!formatLogLine('LOG', ['é'.repeat(20000)]).includes('\uFFFD'));
    assert.equal(formatLogLine('LOG', ['server identity', null]), "[LOG] 'server identity' null");
    assert.equal(
      formatLogLine('LOG', ['server identity', { tokenIdentifier: 'i|s', emailVerified: true }]),
      "[LOG] 'server identity' {\n  tokenIdentifier: 'i|s',\n  emailVerified: true\n}",
    );
    const long = formatLogLine('WARN', ['x'.repeat(40000)]);
    assert.ok(long.startsWith("[WARN] 'xxx") && long.endsWith(' (truncated due to length)'));
  });
});

// What the real backend does where a stand-in is easily wrong (tests/standin/README.md cites the source lines).
describe('backend fidelity', { timeout: 120000 }, () => {
  let idp, d, custom;
  const now = () => Math.floor(Date.now() / 1000);
  before(async () => {
    idp = await startIdp();
    const clerk = { type: 'oidc', domain: idp.issuer('clerk'), applicationID: 'convex' };
    const cust = {
      type: 'customJwt',
      issuer: idp.issuer('custom'),
      jwks: `${idp.issuer('custom')}/.well-known/jwks.json`,
      algorithm: 'ES256',
      applicationID: 'my-app',
    };
    // A scheme-less domain in auth.config.ts gets https://, so a scheme-less `iss` on this host matches it.
    const noScheme = {
      type: 'oidc',
      domain: `${idp.issuer('clerk').replace('http://', 'https://')}-noscheme`,
      applicationID: 'convex',
    };
    d = await startDeployment({ providers: [clerk, noScheme], pingMs: 60000 });
    custom = await startDeployment({ providers: [cust], pingMs: 60000 });
  });
  after(async () => {
    await d?.close();
    await custom?.close();
    await idp?.close();
  });

  /** A raw sync session: send frames, collect what comes back, know when and how it closed. */
  async function session(dep) {
    const ws = new WebSocket(`${dep.url.replace('http', 'ws')}/api/1.49.0/sync`);
    const got = [];
    let closedWith = null;
    ws.on('message', (m) => got.push({ t: Date.now(), ...JSON.parse(String(m)) }));
    ws.on('close', (code, reason) => (closedWith = [code, String(reason)]));
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const send = (m) => ws.send(JSON.stringify(m));
    send({
      type: 'Connect',
      sessionId: 's',
      connectionCount: 0,
      lastCloseReason: 'InitialConnect',
      clientTs: Date.now(),
    });
    const until = async (fn, ms = 5000) => {
      const end = Date.now() + ms;
      while (!fn() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.ok(fn(), `timed out; got ${JSON.stringify(got.map((m) => m.type))} closed ${JSON.stringify(closedWith)}`);
    };
    return { ws, got, send, until, closed: () => closedWith, close: () => ws.close() };
  }
  const whoami = {
    type: 'ModifyQuerySet',
    baseVersion: 0,
    newVersion: 1,
    modifications: [{ type: 'Add', queryId: 0, udfPath: 'messages:whoami', args: [{}] }],
  };
  const user = (value, baseVersion = 0) => ({ type: 'Authenticate', tokenType: 'User', value, baseVersion });
  const transitions = (got) => got.filter((m) => m.type === 'Transition');

  test('B1: no expiry timer; the first Mutation after exp gets AuthError(false) and is not run', async () => {
    const token = await idp.mint('clerk-convex', 'short', now() - 6); // exp in 2 s
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).exp;
    const s = await session(d);
    s.send(user(token));
    s.send(whoami);
    await s.until(() => transitions(s.got).some((t) => t.endVersion.identity === 1));
    while (Date.now() < exp * 1000 + 1500) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      s.got.filter((m) => m.type === 'AuthError'),
      [],
      'an idle socket hears nothing at exp',
    );
    assert.equal(s.closed(), null);
    s.send({ type: 'Mutation', requestId: 0, udfPath: 'messages:send', args: [{ body: 'late' }] });
    await s.until(() => s.closed());
    const last = s.got.at(-1);
    assert.deepEqual(
      { ...last, t: undefined },
      {
        t: undefined,
        type: 'AuthError',
        error: 'Convex token identity expired',
        baseVersion: 1,
        authUpdateAttempted: false,
      },
    );
    assert.ok(!s.got.some((m) => m.type === 'MutationResponse'));
    assert.deepEqual(s.closed(), [1005, '']);
  });

  test('B2: a token refresh for the same user confirms with an empty Transition; a mutation re-runs nothing', async () => {
    const s = await session(d);
    s.send(user(await idp.mint('clerk-convex')));
    s.send(whoami);
    await s.until(() => transitions(s.got).some((t) => t.modifications.some((m) => m.type === 'QueryUpdated')));
    s.send(user(await idp.mint('clerk-convex'), 1)); // a fresh `jti`: another token, the same identity
    await s.until(() => transitions(s.got).some((t) => t.endVersion.identity === 2));
    assert.deepEqual(transitions(s.got).find((t) => t.endVersion.identity === 2).modifications, []);
    s.send({ type: 'Mutation', requestId: 0, udfPath: 'messages:send', args: [{ body: 'hi' }] });
    await s.until(() => s.got.some((m) => m.type === 'MutationResponse') && transitions(s.got).length >= 4);
    assert.deepEqual(transitions(s.got).at(-1).modifications, []);
    s.close();
  });

  test('B3: a custom JWT past exp but within the 5 s leeway is accepted, then AuthError(false), never confirmed', async () => {
    const token = await idp.mint('custom', undefined, now() - 3603); // exp 3 s ago
    const s = await session(custom);
    s.send(user(token));
    await s.until(() => s.closed());
    assert.deepEqual(
      s.got.map((m) => [m.type, m.error, m.authUpdateAttempted]),
      [['AuthError', 'Convex token identity expired', false]],
    );
  });

  test("B4: admin keys are checked (sync AuthError(true), HTTP 401 BadAdminKey); the deployment's own key works", async () => {
    const s = await session(d);
    s.send({ type: 'Authenticate', tokenType: 'Admin', value: 'prod:other|0123', baseVersion: 0 });
    await s.until(() => s.closed());
    assert.deepEqual(
      s.got.map((m) => [m.type, m.error, m.authUpdateAttempted]),
      [['AuthError', 'The provided admin key was invalid for this instance', true]],
    );
    const ok = await session(d);
    ok.send({ type: 'Authenticate', tokenType: 'Admin', value: d.adminKey, baseVersion: 0 });
    await ok.until(() => transitions(ok.got).some((t) => t.endVersion.identity === 1));
    ok.close();
    const r = await fetch(`${d.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Convex prod:other|0123' },
      body: JSON.stringify({ path: 'messages:whoami', args: {} }),
    });
    assert.deepEqual(
      [r.status, await r.json()],
      [401, { code: 'BadAdminKey', message: 'The provided admin key was invalid for this instance' }],
    );
  });

  test('A1: an OIDC iss without a scheme closes 1011 InternalServerError (no AuthError); HTTP answers 500', async () => {
    const token = await idp.mint('clerk-convex', 'noscheme');
    const iss = JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).iss;
    assert.ok(!/^https?:/.test(iss));
    // Re-mint under the issuer the second provider names.
    const forged = token.replace(
      token.split('.')[1],
      Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(token.split('.')[1], 'base64url')), iss: `${iss}-noscheme` }),
      ).toString('base64url'),
    );
    const s = await session(d);
    s.send(user(forged));
    await s.until(() => s.closed());
    assert.deepEqual(s.got, []);
    assert.deepEqual(s.closed(), [1011, 'InternalServerError']);
    const r = await fetch(`${d.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
      body: JSON.stringify({ path: 'messages:whoami', args: {} }),
    });
    assert.deepEqual(
      [r.status, await r.json()],
      [500, { code: 'InternalServerError', message: "Your request couldn't be completed. Try again later." }],
    );
  });

  test('A8: discovery answered 429/425/421/5xx closes 1013, 404 closes 1000, all without AuthError; 403 is an AuthError', async () => {
    let status = 429;
    const server = http.createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('busy');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const iss = `http://127.0.0.1:${server.address().port}/idp`;
    const dep = await startDeployment({
      providers: [{ type: 'oidc', domain: iss, applicationID: 'convex' }],
      pingMs: 60000,
    });
    try {
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const token = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss, aud: 'convex', sub: 'u', iat: now(), exp: now() + 60 })}.c2ln`;
      for (const [code, want] of [
        [429, [1013, 'AuthProviderDiscoveryFailed']],
        [425, [1013, 'AuthProviderDiscoveryFailed']],
        [421, [1013, 'AuthProviderDiscoveryFailed']],
        [503, [1013, 'AuthProviderDiscoveryFailed']],
        [404, [1000, 'AuthProviderDiscoveryFailed']],
      ]) {
        status = code;
        const s = await session(dep);
        s.send(user(token));
        await s.until(() => s.closed());
        assert.deepEqual([code, s.got, s.closed()], [code, [], want]);
      }
      status = 403;
      const s = await session(dep);
      s.send(user(token));
      await s.until(() => s.closed());
      assert.deepEqual(
        s.got.map((m) => [m.type, m.error, m.authUpdateAttempted]),
        [['AuthError', `Auth provider discovery of ${iss} failed: 403 Forbidden busy`, true]],
      );
      // A7: a 200 that is not JSON is a Response error too ("… failed: 200 OK <body>"), categorised as BadRequest.
      status = 200;
      const t = await session(dep);
      t.send(user(token));
      await t.until(() => t.closed());
      assert.deepEqual(
        t.got.map((m) => [m.type, m.error, m.authUpdateAttempted]),
        [['AuthError', `Auth provider discovery of ${iss} failed: 200 OK busy`, true]],
      );
    } finally {
      await dep.close();
      await new Promise((r) => server.close(r));
    }
  });

  test('A2/A3/A5/A6: header refusals, typed claims, custom JWT without sub, a token without its signature part', async () => {
    const clerk = [{ type: 'oidc', domain: idp.issuer('clerk'), applicationID: 'convex' }];
    const cust = [
      {
        type: 'customJwt',
        issuer: idp.issuer('custom'),
        jwks: `${idp.issuer('custom')}/.well-known/jwks.json`,
        algorithm: 'ES256',
        applicationID: 'my-app',
      },
    ];
    const v = (t, p) => validateUserToken(t, p, { nowSeconds: now() });
    const VERIFY =
      "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.";
    const PARSE = 'Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.';
    for (const variant of ['crit', 'cty', 'atjwt'])
      await assert.rejects(v(await idp.mint('clerk-convex', variant), clerk), { message: VERIFY }, variant);
    assert.equal(joseHeaderRefused({ typ: 'JOSE' }), null);
    assert.equal(joseHeaderRefused({ typ: 'application/JWT' }), null);
    assert.equal(joseHeaderRefused({ typ: 'at+jwt' }), 'typ');
    await assert.rejects(v(await idp.mint('clerk-convex', 'claimtype'), clerk), { message: PARSE });
    assert.equal(oidcClaimTypeError({ name: { first: 'Ada' } }), 'name');
    assert.equal(oidcClaimTypeError({ updated_at: '2026-11-29T10:00:00Z', email_verified: false }), null);
    await assert.rejects(v(await idp.mint('custom', 'nosub'), cust), {
      message:
        'Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration.',
    });
    const [h, p] = (await idp.mint('clerk-convex')).split('.');
    await assert.rejects(v(`${h}.${p}`, clerk), { message: PARSE });
    const [ch, cp] = (await idp.mint('custom')).split('.');
    await assert.rejects(v(`${ch}.${cp}`, cust), {
      message:
        "Could not decode token. The JWT's 'kid' (key ID) header is 'es-1', does this key match any key in the provider's JWKS?",
    });
    // Padding is not base64url without padding: the payload does not decode.
    await assert.rejects(v(`${h}.${p}==.sig`, clerk), { message: /^Could not parse JWT payload/ });
  });

  test('A4: one key biscuit cannot represent fails the whole JWKS; the same key without alg parses', async () => {
    const ed = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'ed' };
    assert.equal(biscuitKeyRefusal({ ...ed, alg: 'EdDSA' }), 'alg "EdDSA"');
    assert.equal(biscuitKeyRefusal(ed), null);
    const mixed = [
      {
        type: 'customJwt',
        issuer: idp.issuer('custom-mixed'),
        jwks: `${idp.issuer('custom-mixed')}/.well-known/jwks.json`,
        algorithm: 'ES256',
        applicationID: 'my-app',
      },
    ];
    await assert.rejects(validateUserToken(await idp.mint('custom-mixed'), mixed, { nowSeconds: now() }), {
      message: `Invalid JWKS response body from '${mixed[0].jwks}'. The response is not valid JSON or doesn't match the expected JWKS format.`,
    });
  });

  test('A9: discovery and JWKS are cached by Cache-Control: after a rotation a new key is refused until the cache expires', async () => {
    const clerk = [{ type: 'oidc', domain: idp.issuer('clerk'), applicationID: 'convex' }];
    let clock = Date.now();
    const cache = cachedFetcher(() => clock);
    const v = async (t) => validateUserToken(t, clerk, { nowSeconds: now(), http: cache });
    idp.setCacheControl('public, max-age=300');
    try {
      assert.ok(await v(await idp.mint('clerk-convex')));
      await idp.rotate();
      await idp.rotate(); // the cached JWKS knows neither new key
      await assert.rejects(v(await idp.mint('clerk-convex')), { short: 'Unauthenticated' });
      clock += 301_000;
      assert.ok(await v(await idp.mint('clerk-convex')));
      assert.equal(freshFor('no-store, max-age=60'), 0);
      assert.equal(freshFor('max-age=60, s-maxage=10'), 10);
    } finally {
      idp.setCacheControl('no-store');
    }
  });

  test('C2/C3: every endpoint; the Authorization header variants; Content-Type is required', async () => {
    const post = (path, body, headers = {}) =>
      fetch(`${d.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const json = async (r) => [r.status, await r.json()];
    assert.deepEqual(
      await json(await fetch(`${d.url}/api/query?path=messages:whoami&args=${encodeURIComponent('{}')}`)),
      [200, { status: 'success', value: null, logLines: ["[LOG] 'server identity' null"] }],
    );
    assert.equal(
      (await json(await post('/api/query_batch', { queries: [{ path: 'messages:whoami', args: {} }] })))[1].results
        .length,
      1,
    );
    assert.equal((await json(await post('/api/run/messages/whoami', { args: {} })))[1].status, 'success');
    assert.equal((await json(await post('/api/function', { path: 'messages:act', args: {} })))[1].status, 'success');
    assert.equal((await post('/api/query_ts', {})).status, 200);
    const q = { path: 'messages:whoami', args: {} };
    assert.deepEqual(await json(await post('/api/query', q, { authorization: 'Bear' })), [
      400,
      { code: 'InvalidHeaderFailure', message: 'Invalid authentication header' },
    ]);
    assert.deepEqual(await json(await post('/api/query', q, { authorization: 'Basic dXNlcjpwYXNz' })), [
      400,
      { code: 'InvalidAdminKey', message: 'Invalid admin key' },
    ]);
    // fetch trims header values: "Bearer " arrives as "Bearer", shorter than 7 bytes.
    assert.deepEqual(await json(await post('/api/query', q, { authorization: 'Bearer ' })), [
      400,
      { code: 'InvalidHeaderFailure', message: 'Invalid authentication header' },
    ]);
    assert.deepEqual(await json(await post('/api/query', q, { authorization: 'Bearer\tx' })), [
      400,
      { code: 'InvalidAdminKey', message: 'Invalid admin key' },
    ]);
    const raw = await new Promise((resolve) => {
      const req = http.request(
        `${d.url}/api/query`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: Buffer.from('Bearer \xe9t\xe9', 'latin1').toString('latin1'),
          },
        },
        (res) => resolve(res.statusCode),
      );
      req.end(JSON.stringify(q));
    });
    assert.equal(raw, 400);
    assert.deepEqual(
      await json(
        await fetch(`${d.url}/api/query`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify(q),
        }),
      ),
      [400, { code: 'BadJsonBody', message: 'Expected request with `Content-Type: application/json`' }],
    );
    // A Bearer token is trimmed (authentication/src/lib.rs:105-118), so surrounding spaces pass over HTTP.
    assert.equal(
      (await json(await post('/api/query', q, { authorization: `Bearer   ${await idp.mint('clerk-convex')}  ` })))[1]
        .status,
      'success',
    );
  });

  test('issue 9: a socket closed while its Authenticate and a ticking query are in flight leaves no timer armed', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const idp2 = await startIdp();
    const dep = await startDeployment({
      providers: [{ type: 'oidc', domain: idp2.issuer('clerk'), applicationID: 'convex' }],
      functions: 'busy',
      pingMs: 50,
    });
    const before = timers();
    const ws = new WebSocket(`${dep.url.replace('http', 'ws')}/api/1.49.0/sync`);
    await new Promise((r) => ws.once('open', r));
    ws.send(
      JSON.stringify({
        type: 'Connect',
        sessionId: 's',
        connectionCount: 0,
        lastCloseReason: 'InitialConnect',
        clientTs: Date.now(),
      }),
    );
    ws.send(JSON.stringify(user(await idp2.mint('clerk-convex', 'short'))));
    ws.send(
      JSON.stringify({
        type: 'ModifyQuerySet',
        baseVersion: 0,
        newVersion: 1,
        modifications: [{ type: 'Add', queryId: 0, udfPath: 'ticker:tick', args: [{}] }],
      }),
    );
    ws.terminate(); // the queue still holds the Authenticate and the ModifyQuerySet
    await new Promise((r) => setTimeout(r, 300));
    await dep.close();
    await idp2.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(timers() <= before, `${timers()} timers armed, ${before} before`);
  });

  test('D1/D3: function errors carry the request id; production sends no details and no log lines', async () => {
    const prod = await startDeployment({ providers: [], production: true, pingMs: 60000 });
    try {
      const r = await fetch(`${prod.url}/api/mutation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: 'nope:x', args: {} }),
      });
      const body = await r.json();
      assert.equal(r.status, 200);
      assert.match(body.errorMessage, /^\[Request ID: [0-9a-f]{16}\] Server Error$/);
      assert.equal(body.logLines, undefined);
    } finally {
      await prod.close();
    }
  });
});
