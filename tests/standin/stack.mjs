// Starts the whole stand-in in this Node process: the identity provider, one Convex deployment
// stand-in per scenario (each on its own 127.0.0.1 port, like separate deployments), and the
// demo app's static server. Used by the tests, by serve.mjs and by the extension's e2e tests.
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startIdp } from './idp.mjs';
import { startDeployment } from './backend.mjs';
import { loadAuthConfig } from './auth.mjs';
import { buildApp } from './app/build.mjs';
import { appRoute } from './around.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCENARIOS_FILE = path.join(here, '..', 'scenarios.json');

/** The one list of scenarios (tests/scenarios.json). */
export function loadScenarios() {
  return JSON.parse(readFileSync(SCENARIOS_FILE, 'utf8'));
}

/**
 * A port nothing listens on. Chosen below the kernel's ephemeral range (Linux: 32768-60999), where `listen(0)`
 * never lands: a free ephemeral port, once closed, could be handed to the next deployment this stack starts, and the
 * "nothing answers" scenario would then talk to it (seen as a flaky test).
 */
async function closedPort(host) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const s = net.createServer();
    const ok = await new Promise((r) => {
      s.once('error', () => r(false));
      s.listen(port, host, () => r(true));
    });
    if (ok) {
      await new Promise((r) => s.close(r));
      return port;
    }
  }
  throw new Error('no free port below the ephemeral range');
}

/**
 * opts: { scenarios?: string[] (ids to start; default all), host?: "127.0.0.1", pingMs?, build?: true,
 *   idpHostname?: the name in the identity provider's URLs and issuers (default: host), idpTls?: { key, cert } (it
 *   serves HTTPS; see idp.mjs) }
 * Returns { appUrl(id), backendUrl(id), idpUrl, idp, scenarios, frames(id), close() }.
 */
export async function startStack(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const all = loadScenarios();
  const wanted = opts.scenarios ? all.filter((s) => opts.scenarios.includes(s.id)) : all;
  if (opts.build !== false) await buildApp();
  const idp = await startIdp({ host, hostname: opts.idpHostname ?? host, tls: opts.idpTls ?? null });
  const deployments = new Map();
  const urls = {};
  const closers = [idp.close];
  try {
    for (const s of wanted) {
      if (!s.backend) {
        urls[s.id] = `http://${host}:${await closedPort(host)}`; // wrong deployment: nothing answers
        continue;
      }
      const env = Object.fromEntries(
        Object.entries(s.backend.env ?? {}).map(([k, v]) => [
          k,
          v.replaceAll('{IDP}', idp.url).replaceAll('{IDP_HOST}', idp.url.replace(/^https?:\/\//, '')),
        ]),
      );
      const providers = loadAuthConfig(path.join(here, 'configs', `${s.backend.config}.auth.config.ts`), env);
      const d = await startDeployment({
        name: s.id,
        providers,
        functions: s.backend.functions,
        production: s.backend.production,
        pingMs: opts.pingMs,
        host,
      });
      closers.push(d.close);
      deployments.set(s.id, d);
      urls[s.id] = d.url;
    }
  } catch (e) {
    await Promise.all(closers.map((c) => c()));
    throw e;
  }

  const files = {
    '/': ['index.html', 'text/html; charset=utf-8'],
    '/index.html': ['index.html', 'text/html; charset=utf-8'],
    '/dist/app.js': ['dist/app.js', 'text/javascript; charset=utf-8'],
  };
  const page = () => readFileSync(path.join(here, 'app', 'index.html'));
  const web = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    const p = u.pathname;
    // Issue 13: the app's own server routes (better-auth's token route, SSR cookies), under /s/<scenario>/.
    try {
      if (await appRoute(req, res, u, { scenarios: wanted, idp, page })) return;
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end(String(e?.message ?? e));
    }
    if (p === '/stack.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify({ idpUrl: idp.url, deployments: urls, scenarios: wanted }));
    }
    const f = files[p];
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    try {
      res.writeHead(200, { 'content-type': f[1], 'cache-control': 'no-store' });
      res.end(readFileSync(path.join(here, 'app', f[0])));
    } catch {
      res.writeHead(500).end('app not built');
    }
  });
  await new Promise((r) => web.listen(0, host, r));
  const appBase = `http://${host}:${web.address().port}`;
  closers.push(
    () =>
      new Promise((r) => {
        web.closeAllConnections?.();
        web.close(() => r());
      }),
  );

  const known = (id) => {
    if (!(id in urls)) throw new Error(`unknown or not started scenario: ${id}`);
    return id;
  };
  // Scenarios that need the app's own server routes run under /s/<id>/ (cookies and routes scoped to them).
  const ownPath = (id) => (wanted.find((s) => s.id === id)?.around ? `/s/${encodeURIComponent(id)}/` : '/');
  return {
    appUrl: (id) => `${appBase}${ownPath(known(id))}?scenario=${encodeURIComponent(id)}`,
    backendUrl: (id) => urls[known(id)],
    idpUrl: idp.url,
    idp,
    scenarios: wanted,
    frames: (id) => deployments.get(known(id))?.frames ?? [],
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
