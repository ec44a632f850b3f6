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
import { validateUserToken, matchesToken, loadAuthConfig } from './auth.mjs';
import { formatLogLine } from './functions.mjs';

const lib = { ConvexClient, ConvexHttpClient, ConvexReactClient, anyApi };
const scenarios = loadScenarios();

describe('scenario list (tests/scenarios.json)', () => {
  const CODES = /^(client|deployment|identity|auth|token|config|signature|jwks|discovery|clock)\.[a-z_]+$/;
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

describe('every scenario with the real convex client', { concurrency: 8, timeout: 240000 }, () => {
  let stack;
  before(async () => {
    stack = await startStack({ build: false });
  });
  after(() => stack?.close());
  for (const s of scenarios) {
    test(`${s.id}: ${s.title}`, async () => {
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

  test('HTTP: a missing function is a 560 function error', async () => {
    const r = await fetch(`${d.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'nope:nothing', format: 'convex_encoded_json', args: [{}] }),
    });
    assert.equal(r.status, 560);
    assert.equal((await r.json()).status, 'error');
  });

  test("log lines are formatted like the runtime's object-inspect output", () => {
    assert.equal(formatLogLine('LOG', ['server identity', null]), "[LOG] 'server identity' null");
    assert.equal(
      formatLogLine('LOG', ['server identity', { tokenIdentifier: 'i|s', emailVerified: true }]),
      "[LOG] 'server identity' {\n  tokenIdentifier: 'i|s',\n  emailVerified: true\n}",
    );
    const long = formatLogLine('WARN', ['x'.repeat(40000)]);
    assert.ok(long.startsWith("[WARN] 'xxx") && long.endsWith(' (truncated due to length)'));
  });
});
