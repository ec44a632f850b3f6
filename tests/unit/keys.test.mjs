// The key fetcher (extension/devtools/keys.js) against a stubbed engine session and a stubbed `fetch`: what it
// GETs, in which rounds, what it hands the engine, and how it asks for access when the browser cannot read keys.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createKeyFetcher } from '../../extension/devtools/keys.js';

const ISSUER = 'https://idp.example/clerk';
const DISCOVERY = `${ISSUER}/.well-known/openid-configuration`;
const JWKS = `${ISSUER}/.well-known/jwks.json`;
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** An engine session that wants the discovery document, then the JWKS it names, as the real one does. */
function stubSession() {
  const handed = [];
  return {
    handed,
    keyRequests() {
      const got = new Set(handed.map((h) => h.url));
      if (!got.has(DISCOVERY)) return JSON.stringify([{ url: DISCOVERY, purpose: 'discovery', issuer: ISSUER }]);
      if (!got.has(JWKS) && handed.find((h) => h.url === DISCOVERY).ok)
        return JSON.stringify([{ url: JWKS, purpose: 'jwks', issuer: ISSUER }]);
      return '[]';
    },
    setFetched(url, purpose, issuer, type, status, body) {
      handed.push({ url, purpose, issuer, type, status, body, ok: status === 200 });
    },
    setUnreachable(url, error) {
      handed.push({ url, error });
    },
  };
}

/** Serves `docs` (url -> body, or an Error to throw as a network failure); records every request. */
function stubFetch(docs) {
  const requests = [];
  globalThis.fetch = async (url, init) => {
    requests.push({ url, init });
    const doc = typeof docs === 'function' ? docs(url, requests.length) : docs[url];
    if (doc instanceof Error) throw doc;
    if (doc === undefined) return new Response('not found', { status: 404 });
    return new Response(doc, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return requests;
}

function fetcher(session, { auto = false } = {}) {
  let changes = 0;
  const keys = createKeyFetcher({ session: () => session, autoOn: () => auto, onChange: () => changes++ });
  return { keys, changes: () => changes };
}

test('a check GETs the discovery document, then the JWKS it leads to, without credentials, and hands both on', async () => {
  const session = stubSession();
  const requests = stubFetch({ [DISCOVERY]: `{"jwks_uri":"${JWKS}"}`, [JWKS]: '{"keys":[]}' });
  const { keys, changes } = fetcher(session);
  await keys.checkByUser(null, false);
  assert.deepEqual(
    requests.map((r) => r.url),
    [DISCOVERY, JWKS],
  );
  for (const { init } of requests) {
    assert.equal(init.method, 'GET');
    assert.equal(init.credentials, 'omit');
    assert.equal(init.referrerPolicy, 'no-referrer');
    assert.equal(init.body, undefined);
  }
  assert.deepEqual(
    session.handed.map((h) => [h.url, h.purpose, h.issuer, h.status, h.type]),
    [
      [DISCOVERY, 'discovery', ISSUER, 200, 'application/json'],
      [JWKS, 'jwks', ISSUER, 200, 'application/json'],
    ],
  );
  const state = keys.state();
  assert.equal(state.running, false);
  assert.deepEqual(state.pending, []);
  assert.deepEqual(
    state.fetched.map((f) => [f.url, f.error]),
    [
      [DISCOVERY, ''],
      [JWKS, ''],
    ],
  );
  assert.ok(changes() > 0);
});

test('a document the engine cannot use is fetched once per check, not in a loop', async () => {
  const session = stubSession();
  session.setFetched = () => {}; // the engine keeps asking for the same URL
  const requests = stubFetch({ [DISCOVERY]: '{}' });
  const { keys } = fetcher(session);
  await keys.checkByUser(null, false);
  assert.deepEqual(
    requests.map((r) => r.url),
    [DISCOVERY],
  );
});

test('a body over 512 KB is not read; a non-http(s) URL is not fetched', async () => {
  const session = stubSession();
  stubFetch({ [DISCOVERY]: 'x'.repeat(512 * 1024 + 1) });
  const { keys } = fetcher(session);
  await keys.checkByUser(null, false);
  assert.deepEqual(session.handed, [{ url: DISCOVERY, error: 'the response is larger than 512 KB' }]);

  const odd = stubSession();
  odd.keyRequests = () => JSON.stringify([{ url: 'file:///etc/passwd', purpose: 'jwks', issuer: ISSUER }]);
  const requests = stubFetch({});
  await fetcher(odd).keys.checkByUser(null, false);
  assert.equal(requests.length, 0);
  assert.deepEqual(odd.handed, [
    { url: 'file:///etc/passwd', error: 'not an http(s) URL; the panel fetches nothing else' },
  ]);
});

test('blocked by CORS: the user is asked for that origin, and the document is fetched again when granted', async () => {
  const session = stubSession();
  let allowed = false;
  const requests = stubFetch((url) => {
    if (!allowed) return new TypeError('Failed to fetch');
    return url === DISCOVERY ? `{"jwks_uri":"${JWKS}"}` : '{"keys":[]}';
  });
  const asked = [];
  const { keys } = fetcher(session);
  const ask = async (origins) => {
    asked.push(origins);
    assert.equal(keys.state().asking, 'https://idp.example', 'the panel shows that a prompt is open');
    allowed = true;
    return true;
  };
  await keys.checkByUser(ask, false);
  assert.deepEqual(asked, [['https://idp.example/*']]);
  assert.deepEqual(
    requests.map((r) => r.url),
    [DISCOVERY, DISCOVERY, JWKS],
  );
  assert.deepEqual(keys.state().blocked, []);
  assert.equal(keys.state().asking, '');
});

test('refused: a clear message, the origin remembered as blocked and asked for first at the next click', async () => {
  const session = stubSession();
  stubFetch(() => new TypeError('Failed to fetch'));
  const { keys } = fetcher(session);
  await keys.checkByUser(async () => false, false);
  assert.match(
    session.handed[0].error,
    /^the browser could not read it \(Failed to fetch; access to https:\/\/idp\.example was not granted\)/,
  );
  assert.deepEqual(keys.state().blocked, ['https://idp.example']);
  // The next click asks for the blocked origin before anything else (still in the click's chain).
  const order = [];
  const ask = (origins) => {
    order.push(origins.join());
    return Promise.resolve(false);
  };
  const done = keys.checkByUser(ask, true);
  assert.deepEqual(order, ['https://idp.example/*'], 'asked synchronously');
  await done;
  assert.deepEqual(order, ['https://idp.example/*'], 'refused once: not asked again in the same check');
  // Without a click (automatic check): never asked.
  assert.match(session.handed.at(-1).error, /blocked by CORS, or not reachable/);
});

test('the automatic check runs only with the opt-in, once per URL, never asking', async () => {
  const due = [];
  const timers = { setTimeout: (fn, ms) => due.push({ fn, ms }) };
  const session = stubSession();
  const requests = stubFetch({ [DISCOVERY]: `{"jwks_uri":"${JWKS}"}`, [JWKS]: '{"keys":[]}' });
  const off = createKeyFetcher({ session: () => session, autoOn: () => false, onChange: () => {}, timers });
  off.maybeAutoCheck();
  assert.equal(due.length, 0);
  const on = createKeyFetcher({ session: () => session, autoOn: () => true, onChange: () => {}, timers });
  on.maybeAutoCheck();
  on.maybeAutoCheck(); // a burst of changes: one check
  assert.deepEqual(
    due.map((d) => d.ms),
    [300],
  );
  due.shift().fn();
  await until(() => !on.state().running);
  assert.deepEqual(
    requests.map((r) => r.url),
    [DISCOVERY, JWKS],
  );
  // Everything fetched: a later change starts nothing.
  on.maybeAutoCheck();
  due.shift().fn();
  await until(() => !on.state().running);
  assert.equal(requests.length, 2);
});

/** Lets promises settle until `cond()` holds (at most 100 turns). */
async function until(cond) {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond());
}
