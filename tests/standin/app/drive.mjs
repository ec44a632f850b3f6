// Runs one scenario with the real `convex` client. Shared by the demo page (in Chromium) and the
// stand-in's tests (in Node), so both produce the same traffic. No Node or DOM APIs here: the
// caller passes the client classes, a WebSocket constructor (Node) and a state callback.

/** The token fetcher an auth provider integration would give the Convex client. */
export function makeTokenFetcher(scenario, idpUrl, log = () => {}) {
  const t = scenario.token;
  if (!t) return async () => null; // not signed in: the provider has no token
  const expOf = (jwt) => {
    try {
      return JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp ?? 0;
    } catch {
      return 0;
    }
  };
  const around = scenario.around ?? {};
  // Issue 13's fetchers (around.mjs) record the `exp` of what they hand out, as the default one does.
  const tracked = (f) => {
    const w = async (args) => {
      const token = await f(args);
      if (token) w.lastExp = expOf(token);
      return token;
    };
    w.lastExp = 0;
    return w;
  };
  const q = (extra) =>
    new URLSearchParams({ standin_kind: t.kind, ...(t.variant ? { standin_variant: t.variant } : {}), ...extra });
  if (around.clerk) {
    // ConvexProviderWithClerk (convex src/react-clerk/ConvexProviderWithClerk.tsx:78-89): getToken({ template:
    // "convex", skipCache: forceRefreshToken }), any error → null. clerk-js POSTs to its Frontend API
    // (around.mjs imitates it) and throws on a 4xx answer.
    return tracked(async ({ forceRefreshToken }) => {
      try {
        const res = await fetch(
          `${idpUrl}/v1/client/sessions/sess_standin/tokens/convex?${q({ _clerk_js_version: 'standin', standin_mode: around.clerk, ...(forceRefreshToken ? { skip_cache: 'true' } : {}) })}`,
          { method: 'POST' },
        );
        // clerk-js reads the Frontend API's JSON answer, errors included, before it throws (fapiClient.ts).
        const body = await res.json();
        if (!res.ok) throw new Error(`Clerk: ${res.status} ${body?.errors?.[0]?.long_message ?? ''}`);
        return body.jwt;
      } catch {
        return null;
      }
    });
  }
  if (around.better_auth) {
    // @convex-dev/better-auth src/react/index.tsx: `authClient.convex.token({ fetchOptions: { throw: false } })`,
    // then `data?.token || null`: every failure becomes null, without a retry.
    let cachedToken = null;
    return tracked(async ({ forceRefreshToken }) => {
      if (cachedToken && !forceRefreshToken) return cachedToken;
      try {
        const res = await fetch(
          `${idpUrl}/ba/${encodeURIComponent(scenario.id)}/api/auth/convex/token?${q({ standin_mode: around.better_auth })}`,
        );
        // better-fetch reads every answer (error bodies included) and resolves to { data, error }.
        const body = await res.text();
        const data = res.ok ? JSON.parse(body) : null;
        cachedToken = data?.token || null;
      } catch {
        cachedToken = null;
      }
      return cachedToken;
    });
  }
  let cached = null;
  const fetcher = async ({ forceRefreshToken }) => {
    // "cache-until-expired": a provider that ignores forceRefreshToken while its token is valid,
    // so the backend sees the token expire mid-session.
    if (scenario.refresh === 'cache-until-expired' && cached && expOf(cached) > Date.now() / 1000 + 1) return cached;
    // "same-token": a fetcher that ignores forceRefreshToken altogether (census mode 8): it hands back the token it
    // has, expired or not; the client takes the identical token as a failed refresh and clears its auth.
    if (scenario.refresh === 'same-token' && cached) return cached;
    const q = new URLSearchParams({ kind: t.kind, ...(t.variant ? { variant: t.variant } : {}) });
    const res = await fetch(`${idpUrl}/token?${q}`);
    cached = (await res.json()).token;
    fetcher.lastExp = expOf(cached);
    log(`fetched token (forceRefreshToken: ${forceRefreshToken})`);
    return cached;
  };
  fetcher.lastExp = 0; // `exp` of the last token handed out (unix seconds)
  return fetcher;
}

/**
 * Drive `scenario` against `deploymentUrl`. `lib` = { ConvexClient, ConvexHttpClient,
 * ConvexReactClient, anyApi }. `logger`: the client's logger option (false = silent, true = console,
 * or a Logger object). `onState(state)` is called on every change; the promise resolves
 * with the final state once the scenario's intended traffic is complete (`state.done`).
 * The "react" client here uses ConvexReactClient.setAuth, which is what ConvexProviderWithAuth
 * calls; the demo page renders the real provider instead (main.mjs).
 */
export async function drive({
  scenario,
  deploymentUrl,
  idpUrl,
  lib,
  webSocketConstructor,
  mount,
  logger = false,
  onState = () => {},
  timeoutMs = 30000,
}) {
  const state = {
    scenario: scenario.id,
    status: 'starting',
    results: [],
    auth: [],
    errors: [],
    calls: [],
    done: false,
  };
  const update = (patch) => {
    Object.assign(state, patch);
    onState(state);
  };
  const api = lib.anyApi;
  const fetcher = makeTokenFetcher(scenario, idpUrl);
  const wired = scenario.wiring !== 'none';

  if (scenario.client === 'http') {
    const client = new lib.ConvexHttpClient(deploymentUrl, { logger });
    if (wired) {
      const token = await fetcher({ forceRefreshToken: false });
      if (token) client.setAuth(token);
    }
    for (const [kind, fn, args] of [
      ['query', api.messages.whoami, {}],
      ['mutation', api.messages.send, { body: 'hi' }],
      ['action', api.messages.act, {}],
    ]) {
      try {
        const value = await client[kind](fn, args);
        state.calls.push({ kind, ok: true, value });
        update({ status: `${kind} result: ${JSON.stringify(value)}` });
      } catch (e) {
        state.calls.push({ kind, ok: false, error: String(e.message) });
        update({ status: `${kind} error: ${e.message}` });
      }
    }
    update({ done: true });
    return state;
  }

  const options = { logger, ...(webSocketConstructor ? { webSocketConstructor } : {}) };
  const client =
    scenario.client === 'react'
      ? new lib.ConvexReactClient(deploymentUrl, options)
      : new lib.ConvexClient(deploymentUrl, options);
  const connection = () => client.connectionState();
  let settled = !wired;
  let finishing = false;
  // "reauth": the backend notices an expired identity only on a mutation, an action or a query update
  // (crates/sync/src/state.rs:282-305), so once the token has expired the app calls a mutation, as a user would.
  let expiryMutation = null;

  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(`timed out after ${timeoutMs} ms`), timeoutMs);
    const poll = setInterval(check, 100);
    function finish(error) {
      if (state.done) return;
      clearTimeout(timer);
      clearInterval(poll);
      clearTimeout(authTimer);
      if (typeof unsubscribe === 'function') unsubscribe();
      if (error) state.errors.push(error);
      state.connection = connection();
      update({ done: true });
      Promise.resolve(client.close()).then(() => resolve(state));
    }
    /** Issue 13: what the page does next (tests/standin/around.mjs): an HTTP action call, a second client, a sign-in. */
    async function aroundCalls() {
      const around = scenario.around ?? {};
      if (around.http_action) {
        const headers =
          around.http_action === 'bearer'
            ? { Authorization: `Bearer ${await fetcher({ forceRefreshToken: false })}` }
            : {};
        try {
          const res = await fetch(`${deploymentUrl}/http/whoami`, { headers });
          state.calls.push({ kind: 'http_action', ok: res.ok, status: res.status });
        } catch (e) {
          state.calls.push({ kind: 'http_action', ok: false, error: String(e.message) });
        }
      }
      if (around.signin === 'convex-auth') {
        // @convex-dev/auth src/react/client.tsx `signIn`: client.action("auth:signIn", { provider, params, verifier }).
        try {
          state.calls.push({
            kind: 'signIn',
            ok: true,
            value: await client.action(api.auth.signIn, {
              provider: 'password',
              params: { email: 'ada@example.com', password: 'standin-password', flow: 'signIn' },
            }),
          });
        } catch (e) {
          state.calls.push({ kind: 'signIn', ok: false, error: String(e.message) });
        }
      }
      if (around.second_client) {
        // A second client of the same page that was never given the token (census mode 5).
        const second = new lib.ConvexClient(deploymentUrl, options);
        await new Promise((resolve) => {
          const stop = second.onUpdate(
            api.messages.whoami,
            {},
            (value) => {
              state.calls.push({ kind: 'second_client', ok: true, value });
              resolve();
            },
            () => resolve(),
          );
          setTimeout(() => resolve(stop), 5000);
        });
        await second.close();
      }
    }
    async function extraCalls() {
      // A mutation and an action on the socket, so Mutation/Action frames appear too.
      for (const [kind, fn, args] of [
        ['mutation', api.messages.send, { body: 'hi' }],
        ['action', api.messages.act, {}],
      ]) {
        try {
          state.calls.push({ kind, ok: true, value: await client[kind](fn, args) });
        } catch (e) {
          state.calls.push({ kind, ok: false, error: String(e.message) });
        }
      }
    }
    async function check() {
      if (finishing || state.done) return;
      const c = connection();
      let ready = false;
      if (scenario.done === 'retries') ready = c.connectionRetries >= 2;
      else if (scenario.done === 'updates') ready = state.results.length >= 200;
      else if (scenario.done === 'reauth') {
        if (
          !expiryMutation &&
          settled &&
          state.results.length > 0 &&
          fetcher.lastExp &&
          Date.now() / 1000 > fetcher.lastExp + 1.5
        ) {
          expiryMutation = client.mutation(api.messages.send, { body: 'after expiry' }).then(
            (value) => state.calls.push({ kind: 'mutation', ok: true, value, afterExpiry: true }),
            (e) => state.calls.push({ kind: 'mutation', ok: false, error: String(e.message), afterExpiry: true }),
          );
        }
        ready =
          expiryMutation !== null &&
          state.calls.some((x) => x.afterExpiry) &&
          c.connectionCount >= 2 &&
          state.auth.at(-1) === true;
      }
      // The client gave up on its expired token: authenticated, then not, and the queries ran again without it. The
      // backend notices the expiry only on a mutation (see "reauth"), so one is called once the token has expired.
      else if (scenario.done === 'signed-out') {
        if (
          !expiryMutation &&
          settled &&
          state.results.length > 0 &&
          fetcher.lastExp &&
          Date.now() / 1000 > fetcher.lastExp + 1.5
        ) {
          expiryMutation = client.mutation(api.messages.send, { body: 'after expiry' }).then(
            (value) => state.calls.push({ kind: 'mutation', ok: true, value, afterExpiry: true }),
            (e) => state.calls.push({ kind: 'mutation', ok: false, error: String(e.message), afterExpiry: true }),
          );
        }
        ready = state.auth.includes(true) && state.auth.at(-1) === false && state.results.at(-1) === null;
      } else ready = settled && state.results.length > 0;
      if (!ready) return;
      finishing = true;
      if (scenario.done !== 'retries' && scenario.done !== 'updates') await extraCalls();
      await aroundCalls();
      finish();
    }
    const onResult = (value) => {
      state.results.push(value);
      update({ status: `query result: ${JSON.stringify(value)}` });
    };
    const onError = (e) => {
      state.errors.push(String(e.message));
      update({ status: `query error: ${e.message}` });
    };
    let unsubscribe;
    let authTimer = null;
    const onAuth = (isAuthenticated) => {
      settled = true;
      state.auth.push(isAuthenticated);
      update({ status: isAuthenticated ? 'authenticated' : 'not authenticated' });
    };
    const fn = scenario.done === 'updates' ? api.ticker.tick : api.messages.whoami;
    if (scenario.client === 'react' && mount) {
      // The demo page: render ConvexProviderWithAuth / ConvexProvider and report from hooks.
      unsubscribe = mount(client, {
        fetcher,
        wired,
        fn,
        onResult,
        onError,
        onAuth,
        loadingMs: scenario.provider_loading_ms ?? 0,
      });
    } else {
      // `provider_loading_ms`: the auth provider is still loading when the app subscribes (setAuth comes later).
      if (wired && scenario.provider_loading_ms)
        authTimer = setTimeout(() => client.setAuth(fetcher, onAuth), scenario.provider_loading_ms);
      else if (wired) client.setAuth(fetcher, onAuth);
      if (scenario.client === 'react') {
        const watch = client.watchQuery(fn, {});
        unsubscribe = watch.onUpdate(() => {
          try {
            onResult(watch.localQueryResult());
          } catch (e) {
            onError(e);
          }
        });
        if (fn !== api.messages.whoami) client.watchQuery(api.messages.whoami, {}).onUpdate(() => {});
      } else {
        const sub = client.onUpdate(fn, {}, onResult, onError);
        unsubscribe = () => sub();
        if (fn !== api.messages.whoami) client.onUpdate(api.messages.whoami, {}, () => {});
      }
    }
    update({ status: 'connecting' });
  });
}
