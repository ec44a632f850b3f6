// A Convex deployment stand-in: the sync WebSocket and the HTTP function API, speaking the wire
// protocol of the `convex` npm client (src/browser/sync/protocol.ts, src/browser/http_client.ts)
// with the backend's behaviour from get-convex/convex-backend (crates/local_backend/src/subs/mod.rs
// for AuthError/FatalError/close frames, crates/errors for status codes, crates/authentication for
// token validation). One deployment = one 127.0.0.1 port, so its URL looks like a real one
// (`http://127.0.0.1:PORT`, the client derives `ws://127.0.0.1:PORT/api/<version>/sync`).
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { validateUserToken, BackendError, TEXT } from './auth.mjs';
import { FUNCTION_SETS, makeConsole, missingFunctionMessage } from './functions.mjs';

const MAX_RECORDED = 20000;

/** u64 → base64 of 8 little-endian bytes (protocol.ts longToU64). */
export function encodeTs(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b.toString('base64');
}

/**
 * Start one deployment.
 * opts: { name, providers, functions: "identity"|"no-log"|"busy", production: bool (redact logs
 * and error details), pingMs, tickMs, host }.
 * Returns { url, frames, close() }: `frames` records every frame and HTTP exchange, for tests.
 */
export async function startDeployment(opts) {
  const { providers, production = false, pingMs = 15000, tickMs = 5, host = '127.0.0.1' } = opts;
  const functions = FUNCTION_SETS[opts.functions ?? 'identity'];
  const frames = [];
  const record = (entry) => {
    if (frames.length < MAX_RECORDED) frames.push({ t: Date.now(), ...entry });
  };
  // Timestamps are u64 nanoseconds since the epoch, like the backend's `Timestamp`.
  let lastTs = 0n;
  const nextTs = () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    lastTs = now > lastTs ? now : lastTs + 1n;
    return lastTs;
  };
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const sockets = new Set();
  let socketCount = 0;

  async function run(path, kind, args, identity, extra = {}) {
    const lines = [];
    const f = functions[path];
    const logLines = () => (production ? [] : lines);
    if (!f || (kind && f.type !== kind))
      return { ok: false, error: missingFunctionMessage(path), logLines: logLines() };
    const ctx = { auth: { getUserIdentity: async () => identity }, console: makeConsole(lines), ...extra };
    try {
      const value = await f.handler(ctx, args ?? {});
      return { ok: true, value: value === undefined ? null : value, logLines: logLines() };
    } catch (e) {
      return { ok: false, error: `Uncaught Error: ${e.message}`, logLines: logLines() };
    }
  }

  // ------------------------------------------------------------------------------------------
  // sync WebSocket

  function onSocket(ws) {
    const id = ++socketCount;
    sockets.add(ws);
    // The client starts every socket at version {querySet: 0, identity: 0, ts: 0} and checks that
    // each Transition starts where the previous one ended (remote_query_set.ts).
    const s = { identity: null, identityVersion: 0, querySet: 0, ts: 0n, queries: new Map(), tick: 0, skew: undefined };
    let expiryTimer = null;
    let tickTimer = null;
    let closed = false;
    const send = (msg) => {
      if (closed) return;
      record({ socket: id, dir: 'out', frame: msg });
      ws.send(JSON.stringify(msg));
    };
    const version = (ts) => ({ querySet: s.querySet, identity: s.identityVersion, ts: encodeTs(ts) });
    const close = (code, reason) => {
      if (closed) return;
      record({ socket: id, dir: 'close', code: code ?? 1005, reason: reason ?? '' });
      closed = true;
      code === undefined ? ws.close() : ws.close(code, reason);
    };
    const pinger = setInterval(() => send({ type: 'Ping' }), pingMs);

    async function runQueries(ids) {
      const mods = [];
      for (const queryId of ids) {
        const q = s.queries.get(queryId);
        if (!q) continue;
        const r = await run(q.udfPath, 'query', q.args?.[0], s.identity, { tick: s.tick });
        mods.push(
          r.ok
            ? { type: 'QueryUpdated', queryId, value: r.value, logLines: r.logLines, journal: null }
            : { type: 'QueryFailed', queryId, errorMessage: r.error, logLines: r.logLines, journal: null },
        );
      }
      return mods;
    }

    function transition(start, mods, endTs = nextTs()) {
      const serverTs = Date.now() * 1e6; // nanoseconds (web_socket_manager.ts divides by 1_000_000)
      s.ts = endTs;
      send({
        type: 'Transition',
        startVersion: start,
        endVersion: version(endTs),
        modifications: mods,
        ...(s.skew !== undefined ? { clientClockSkew: s.skew } : {}),
        serverTs,
      });
    }

    function startTicking() {
      if (tickTimer || ![...s.queries.values()].some((q) => q.udfPath === 'ticker:tick')) return;
      // Ticks go through the socket's queue so their Transitions chain with the others.
      let pending = false; // never let ticks pile up behind a slow CPU
      tickTimer = setInterval(() => {
        if (pending) return;
        pending = true;
        enqueue(async () => {
          pending = false;
          s.tick += 1;
          const ids = [...s.queries].filter(([, q]) => q.udfPath === 'ticker:tick').map(([qid]) => qid);
          if (ids.length === 0) return;
          const start = version(s.ts);
          transition(start, await runQueries(ids));
        });
      }, tickMs);
    }

    async function authenticate(msg) {
      const start = version(s.ts);
      if (msg.tokenType === 'User') {
        let result;
        try {
          result = await validateUserToken(String(msg.value ?? ''), providers, {
            nowSeconds: nowSeconds(),
            redact: production,
          });
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          // subs/mod.rs: auth rejections (unauthenticated, forbidden, bad request) become
          // AuthError{authUpdateAttempted:true} then a close without status; NotFound closes
          // normally and Overloaded (provider 5xx) closes with 1013 — both with the short code as
          // reason and no AuthError.
          if (e.kind === 'not_found') return close(1000, e.short);
          if (e.kind === 'overloaded') return close(1013, e.short);
          send({ type: 'AuthError', error: e.msg, baseVersion: s.identityVersion, authUpdateAttempted: true });
          return close();
        }
        s.identity = result.identity;
        clearTimeout(expiryTimer);
        if (typeof result.exp === 'number') {
          // sync/src/state.rs: an identity past its `exp` fails with TokenExpired.
          const ms = Math.max(0, result.exp * 1000 - Date.now());
          expiryTimer = setTimeout(
            () => {
              send({
                type: 'AuthError',
                error: TEXT.identityExpired,
                baseVersion: s.identityVersion,
                authUpdateAttempted: false,
              });
              close();
            },
            Math.min(ms, 2 ** 31 - 1),
          );
        }
      } else {
        // "None" (auth cleared) or "Admin" (no admin keys exist here: acts as no identity).
        s.identity = null;
        clearTimeout(expiryTimer);
      }
      s.identityVersion = msg.baseVersion + 1;
      transition(start, await runQueries([...s.queries.keys()]));
    }

    async function handle(msg) {
      switch (msg.type) {
        case 'Connect':
          // clientClockSkew = clientTs - server receive time (authentication_manager.ts). Note the
          // client's clientTs is Date.now() at its first call + performance.now(), so it runs ahead
          // of the client's real clock by the page's age at that first call.
          if (typeof msg.clientTs === 'number') s.skew = msg.clientTs - Date.now();
          return;
        case 'Authenticate':
          return authenticate(msg);
        case 'ModifyQuerySet': {
          if (msg.baseVersion !== s.querySet) {
            send({
              type: 'FatalError',
              error: `Base version ${msg.baseVersion} passed up doesn't match the current version ${s.querySet}`,
            });
            return close();
          }
          const start = version(s.ts);
          const added = [];
          for (const m of msg.modifications ?? []) {
            if (m.type === 'Add') {
              s.queries.set(m.queryId, { udfPath: m.udfPath, args: m.args });
              added.push(m.queryId);
            } else if (m.type === 'Remove') s.queries.delete(m.queryId);
          }
          s.querySet = msg.newVersion;
          const mods = await runQueries(added);
          for (const m of msg.modifications ?? [])
            if (m.type === 'Remove') mods.push({ type: 'QueryRemoved', queryId: m.queryId });
          transition(start, mods);
          startTicking();
          return;
        }
        case 'Mutation': {
          const r = await run(msg.udfPath, 'mutation', msg.args?.[0], s.identity);
          if (r.ok) {
            const ts = nextTs();
            send({
              type: 'MutationResponse',
              requestId: msg.requestId,
              success: true,
              result: r.value,
              ts: encodeTs(ts),
              logLines: r.logLines,
            });
            // The client completes a mutation once a Transition reaches its `ts`.
            const start = version(s.ts);
            transition(start, await runQueries([...s.queries.keys()]), nextTs());
          } else {
            send({
              type: 'MutationResponse',
              requestId: msg.requestId,
              success: false,
              result: r.error,
              logLines: r.logLines,
            });
          }
          return;
        }
        case 'Action': {
          const r = await run(msg.udfPath, 'action', msg.args?.[0], s.identity);
          send({
            type: 'ActionResponse',
            requestId: msg.requestId,
            success: r.ok,
            result: r.ok ? r.value : r.error,
            logLines: r.logLines,
          });
          return;
        }
        case 'Event':
          return;
        default:
          send({ type: 'FatalError', error: `Unknown message type: ${String(msg.type)}` });
          return close();
      }
    }

    // Messages (and ticks) are handled one at a time, in order, like the sync worker does.
    let queue = Promise.resolve();
    function enqueue(job) {
      queue = queue
        .then(() => (closed ? undefined : job()))
        .catch((e) => {
          send({ type: 'FatalError', error: `InternalServerError: ${e.message}` });
          close();
        });
    }
    ws.on('message', (data) => {
      let msg;
      try {
        msg = JSON.parse(String(data));
      } catch {
        msg = { type: '<unparseable>' };
      }
      record({ socket: id, dir: 'in', frame: msg });
      enqueue(() => handle(msg));
    });
    ws.on('close', (code, reason) => {
      if (!closed) record({ socket: id, dir: 'close', code, reason: String(reason), by: 'client' });
      closed = true;
      sockets.delete(ws);
      clearInterval(pinger);
      clearInterval(tickTimer);
      clearTimeout(expiryTimer);
    });
  }

  // ------------------------------------------------------------------------------------------
  // HTTP API

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type, authorization, convex-client',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
  };

  async function onHttp(req, res) {
    const url = new URL(req.url, 'http://x');
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', ...cors });
      res.end(JSON.stringify(body));
      return { status, body };
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      return res.end();
    }
    const kinds = {
      '/api/query': 'query',
      '/api/mutation': 'mutation',
      '/api/action': 'action',
      '/api/function': null,
    };
    if (req.method !== 'POST' || !(url.pathname in kinds)) {
      if (url.pathname === '/' || url.pathname === '/instance_name') {
        res.writeHead(200, { 'content-type': 'text/plain', ...cors });
        return res.end(
          url.pathname === '/'
            ? 'This Convex deployment is running. See https://docs.convex.dev/.'
            : (opts.name ?? 'standin'),
        );
      }
      return reply(404, { code: 'NotFound', message: `No route for ${req.method} ${url.pathname}` });
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const authorization = req.headers.authorization;
    const entry = {
      dir: 'http',
      method: req.method,
      path: url.pathname,
      authorization: authorization ?? null,
      request: null,
      status: 0,
      response: null,
    };
    const done = (status, body) => {
      entry.status = status;
      entry.response = body;
      record(entry);
      return reply(status, body);
    };
    try {
      entry.request = JSON.parse(raw);
    } catch {
      return done(400, { code: 'BadJsonBody', message: 'Failed to parse JSON body' });
    }
    let identity = null;
    if (authorization !== undefined) {
      if (/^bearer /i.test(authorization) && authorization.length > 7) {
        try {
          identity = (
            await validateUserToken(authorization.slice(7).trim(), providers, {
              nowSeconds: nowSeconds(),
              redact: production,
            })
          ).identity;
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          return done(e.httpStatus, { code: e.short, message: e.msg });
        }
      } else {
        // ../../shared/reference/convex-auth-facts.md §2: neither `Bearer …` nor a valid `Convex …`.
        return done(400, { code: 'InvalidAdminKey', message: 'Invalid admin key' });
      }
    }
    const body = entry.request;
    const args = Array.isArray(body.args) ? body.args[0] : body.args;
    const r = await run(String(body.path ?? ''), kinds[url.pathname], args, identity);
    if (r.ok) return done(200, { status: 'success', value: r.value, logLines: r.logLines });
    return done(560, { status: 'error', errorMessage: r.error, errorData: null, logLines: r.logLines });
  }

  const server = http.createServer((req, res) => {
    onHttp(req, res).catch((e) => {
      res.writeHead(500, { 'content-type': 'application/json', ...cors });
      res.end(JSON.stringify({ code: 'InternalServerError', message: String(e.message) }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (!/^\/api\/([^/]+\/)?sync$/.test(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    record({ dir: 'upgrade', path });
    wss.handleUpgrade(req, socket, head, onSocket);
  });
  await new Promise((r) => server.listen(opts.port ?? 0, host, r));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    frames,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
    },
  };
}
