// The demo page: a scenario menu, and the selected scenario run with the real `convex` client.
// Bundled once by build.mjs (esbuild) into dist/app.js; no bundler at runtime.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { ConvexClient, ConvexHttpClient } from 'convex/browser';
import { ConvexReactClient, ConvexProvider, ConvexProviderWithAuth, useQuery, useConvexAuth } from 'convex/react';
import { anyApi } from 'convex/server';
import { drive } from './drive.mjs';

const h = React.createElement;
const $ = (id) => document.getElementById(id);

/** Renders the provider tree the way Clerk/Auth0 apps wire it, and reports from the hooks. */
function mountReact(client, { fetcher, signedIn, wired, fn, onResult, onError, onAuth, loadingMs = 0 }) {
  // What ConvexProviderWithClerk/Auth0 pass: a hook returning the provider's state and fetcher. With `loadingMs`
  // the provider reports `isLoading` that long first (Clerk before `isLoaded`), while the app's queries already run.
  // biome-ignore lint/correctness/noComponentHookFactories: mounted once per page load, so its identity never changes
  function useAuthFromProvider() {
    const [isLoading, setLoading] = React.useState(loadingMs > 0);
    React.useEffect(() => {
      if (!isLoading) return undefined;
      const timer = setTimeout(() => setLoading(false), loadingMs);
      return () => clearTimeout(timer);
    }, [isLoading]);
    const fetchAccessToken = React.useCallback((args) => fetcher(args), []);
    return React.useMemo(
      () => ({ isLoading, isAuthenticated: !isLoading && signedIn, fetchAccessToken }),
      [isLoading, fetchAccessToken],
    );
  }
  // biome-ignore lint/correctness/noComponentHookFactories: mounted once per page load, so its identity never changes
  function Result() {
    const value = useQuery(fn, {});
    React.useEffect(() => {
      if (value !== undefined) onResult(value);
    }, [value]);
    return h('p', { id: 'result' }, value === undefined ? 'loading…' : `query result: ${JSON.stringify(value)}`);
  }
  // biome-ignore lint/correctness/noComponentHookFactories: mounted once per page load, so its identity never changes
  function AuthState() {
    const { isLoading, isAuthenticated } = useConvexAuth();
    React.useEffect(() => {
      if (!isLoading) onAuth(isAuthenticated);
    }, [isLoading, isAuthenticated]);
    return h(
      'p',
      { id: 'auth' },
      isLoading ? 'auth: loading' : `auth: ${isAuthenticated ? 'authenticated' : 'not authenticated'}`,
    );
  }
  // biome-ignore lint/correctness/noComponentHookFactories: mounted once per page load, so its identity never changes
  class Boundary extends React.Component {
    constructor(p) {
      super(p);
      this.state = { error: null };
    }
    static getDerivedStateFromError(error) {
      return { error };
    }
    componentDidCatch(error) {
      onError(error);
    }
    render() {
      return this.state.error ? h('p', null, `query error: ${this.state.error.message}`) : this.props.children;
    }
  }
  const tree = wired
    ? h(ConvexProviderWithAuth, { client, useAuth: useAuthFromProvider }, h(AuthState), h(Boundary, null, h(Result)))
    : h(ConvexProvider, { client }, h(Boundary, null, h(Result)));
  const root = createRoot($('react-root'));
  root.render(tree);
  return () => root.unmount();
}

async function main() {
  const stack = await (await fetch('/stack.json')).json();
  const params = new URLSearchParams(location.search);
  const selected = params.get('scenario');
  const menu = $('menu');
  for (const s of stack.scenarios) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `?scenario=${encodeURIComponent(s.id)}`;
    a.textContent = s.id;
    if (s.id === selected) a.setAttribute('aria-current', 'page');
    li.append(a, ` — ${s.title} (${s.client})`);
    menu.append(li);
  }
  const scenario = stack.scenarios.find((s) => s.id === selected);
  if (!scenario) {
    $('status').textContent = selected ? `unknown scenario: ${selected}` : 'pick a scenario';
    return;
  }
  document.title = `${scenario.id} — Convex auth stand-in`;
  $('title').textContent = scenario.title;
  $('guide').textContent = `Guide: ${scenario.guide}`;
  $('deployment').textContent = `Deployment: ${stack.deployments[scenario.id]}`;
  const log = $('log');
  const state = await drive({
    scenario,
    deploymentUrl: stack.deployments[scenario.id],
    idpUrl: stack.idpUrl,
    lib: { ConvexClient, ConvexHttpClient, ConvexReactClient, anyApi },
    logger: true, // the client's own console output, as a user would see it in the browser logs
    mount: (client, o) => mountReact(client, { ...o, signedIn: scenario.token !== null }),
    onState: (st) => {
      $('status').textContent = st.status;
      const li = document.createElement('li');
      li.textContent = st.status;
      if (log.childElementCount < 50) log.append(li);
    },
  });
  if (scenario.around?.ssr_cookie) {
    // Issue 13: a request the app's server answers from its cookies, as a server component would (around.mjs).
    await fetch('ssr-probe', { credentials: 'same-origin' })
      .then((r) => r.text())
      .catch(() => {});
  }
  $('state').textContent = JSON.stringify(
    { ...state, results: state.results.slice(-3), resultCount: state.results.length },
    null,
    2,
  );
  $('status').textContent = `done: ${state.status}`;
  document.body.dataset.done = '1';
}

main().catch((e) => {
  $('status').textContent = `page error: ${e.message}`;
  document.body.dataset.done = '1';
  document.body.dataset.error = '1';
});
