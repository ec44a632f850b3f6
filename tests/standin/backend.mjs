// A Convex deployment stand-in: the sync WebSocket and the HTTP function API, speaking the wire protocol of the
// `convex` npm client (src/browser/sync/protocol.ts, src/browser/http_client.ts) with the behaviour of
// get-convex/convex-backend at 94a42c3: crates/sync/src/worker.rs and state.rs (when queries run, what a Transition
// carries, when an identity is revalidated), crates/local_backend/src/subs/mod.rs:262-335 (AuthError/FatalError
// and close frames), crates/local_backend/src/public_api.rs and authentication.rs (the HTTP API), crates/errors
// (categories and status codes). One deployment = one 127.0.0.1 port, so its URL looks like a real one.
// Where each behaviour comes from, line by line: README.md.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { validateUserToken, BackendError, TEXT, cachedFetcher } from './auth.mjs';
import {
  FUNCTION_SETS,
  makeConsole,
  missingFunctionMessage,
  serverErrorMessage,
  thrownMessage,
  jsErrorText,
} from './functions.mjs';
import { httpAction } from './around.mjs';

const MAX_RECORDED = 20000;

/** u64 → base64 of 8 little-endian bytes (protocol.ts longToU64). */
export function encodeTs(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b.toString('base64');
}

/** What ends a sync socket, as subs/mod.rs:269-335 turns the worker's error into a last message and a close frame
 *  (errors/src/lib.rs:676-709 close_frame, 1048-1056 for errors without ErrorMetadata). */
export function socketEnding(e, identityVersion) {
  if (!(e instanceof BackendError)) e = Object.assign(new BackendError('internal', 'InternalServerError', ''), {});
  const authError = (attempted) => ({
    type: 'AuthError',
    error: e.msg,
    baseVersion: identityVersion,
    authUpdateAttempted: attempted,
  });
  switch (e.kind) {
    case 'auth_update_failed':
      return { message: authError(true) };
    case 'unauthenticated':
      return { message: authError(false) };
    case 'bad_request':
      return { message: { type: 'FatalError', error: e.msg } };
    case 'forbidden':
      return { message: { type: 'FatalError', error: e.msg }, close: [1000, e.short] };
    case 'not_found':
      return { close: [1000, e.short] };
    case 'rate_limited':
    case 'too_early':
    case 'misdirected':
    case 'overloaded':
      return { close: [1013, e.short.slice(0, 123)] };
    default:
      return { close: [1011, 'InternalServerError'] };
  }
}

/** sync/src/worker.rs:1331-1345 authentication_update_error: a refused Authenticate (unauthenticated, forbidden,
 *  bad request) becomes AuthUpdateFailed; anything else (NotFound, Overloaded, RateLimited, internal) stays. */
function authenticationUpdateError(e) {
  if (e instanceof BackendError && ['unauthenticated', 'forbidden', 'bad_request'].includes(e.kind))
    return new BackendError('auth_update_failed', e.short, e.msg);
  return e;
}

/**
 * Start one deployment.
 * opts: { name, providers, functions: "identity"|"no-log"|"busy", production: bool (redact logs and error details),
 * pingMs (silence before a JSON Ping; the backend's is 15 s), tickMs, host, adminKey }.
 * Returns { url, frames, adminKey, http, close() }: `frames` records every frame and HTTP exchange, for tests;
 * `http` is the deployment's discovery/JWKS cache.
 */
export async function startDeployment(opts) {
  const { providers, production = false, pingMs = 15000, tickMs = 5, host = '127.0.0.1' } = opts;
  const adminKey = opts.adminKey ?? `${opts.name ?? 'standin'}|${randomBytes(24).toString('hex')}`;
  const functions = FUNCTION_SETS[opts.functions ?? 'identity'];
  const httpCache = opts.http ?? cachedFetcher();
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
  const requestId = () => randomBytes(8).toString('hex'); // execution_context.rs:205-208

  /** Authenticate a token of the sync protocol or the HTTP API (application/src/lib.rs:3166-3200). */
  async function authenticate(tokenType, value) {
    if (tokenType === 'Admin') {
      // application_auth.rs:35-71: an admin key this deployment did not issue is BadAdminKey.
      if (value !== adminKey) throw new BackendError('unauthenticated', 'BadAdminKey', TEXT.badAdminKey);
      return { kind: 'admin', user: null, exp: null };
    }
    if (tokenType === 'User') {
      const r = await validateUserToken(String(value ?? ''), providers, {
        nowSeconds: nowSeconds(),
        redact: production,
        http: httpCache,
      });
      return { kind: 'user', user: r.identity, exp: r.exp };
    }
    return { kind: 'none', user: null, exp: null };
  }

  /** Run a function; `identity` is what ctx.auth.getUserIdentity() returns. */
  async function run(path, kind, args, identity, extra = {}) {
    const lines = [];
    const f = functions[path];
    const logLines = () => (production ? [] : lines);
    const id = requestId();
    if (!f || (kind && f.type !== kind))
      return {
        ok: false,
        error: serverErrorMessage(id, jsErrorText(missingFunctionMessage(path)), production),
        logLines: logLines(),
      };
    const ctx = { auth: { getUserIdentity: async () => identity }, console: makeConsole(lines), ...extra };
    try {
      const value = await f.handler(ctx, args ?? {});
      return { ok: true, value: value === undefined ? null : value, logLines: logLines() };
    } catch (e) {
      return { ok: false, error: serverErrorMessage(id, thrownMessage(e, path), production), logLines: logLines() };
    }
  }

  // ------------------------------------------------------------------------------------------
  // sync WebSocket

  function onSocket(ws) {
    const id = ++socketCount;
    sockets.add(ws);
    // The client starts every socket at version {querySet: 0, identity: 0, ts: 0} and checks that each Transition
    // starts where the previous one ended (remote_query_set.ts).
    // identityVersion: what the client has sent (state.rs received_client_version); sentIdentity: the version of the
    // last Transition (state.rs current_version), which AuthError reports as its baseVersion.
    const s = {
      auth: { kind: 'none', user: null, exp: null },
      identityVersion: 0,
      sentIdentity: 0,
      querySet: 0,
      ts: 0n,
      queries: new Map(),
      tick: 0,
      skew: undefined,
    };
    // worker.rs:383-385, 497-508: an update is scheduled by a query-set change, an identity change, a finished
    // mutation or action, or an invalidated query; it runs after the message that scheduled it.
    let updateScheduled = false;
    let identityChanged = false;
    let tickTimer = null;
    let pingTimer = null;
    let closed = false;
    const send = (msg) => {
      if (closed) return;
      record({ socket: id, dir: 'out', frame: msg });
      ws.send(JSON.stringify(msg));
      armPing();
    };
    // worker.rs:479-490: a JSON Ping only after a heartbeat interval without any message sent.
    function armPing() {
      clearTimeout(pingTimer);
      if (!closed) pingTimer = setTimeout(() => send({ type: 'Ping' }), pingMs);
    }
    // The version the last Transition ended at (state.rs current_version); the next one starts there.
    let sent = { querySet: 0, identity: 0, ts: encodeTs(0) };
    const close = (code, reason) => {
      if (closed) return;
      record({ socket: id, dir: 'close', code: code ?? 1005, reason: reason ?? '' });
      closed = true;
      stopTimers();
      code === undefined ? ws.close() : ws.close(code, reason);
    };
    function stopTimers() {
      clearTimeout(pingTimer);
      clearInterval(tickTimer);
      pingTimer = tickTimer = null;
    }
    /** subs/mod.rs:269-335: the worker failed; send the last message (if any) and close. */
    function fail(e) {
      const { message, close: frame } = socketEnding(e, s.sentIdentity);
      if (message) send(message);
      frame ? close(frame[0], frame[1]) : close();
    }
    armPing();

    /** state.rs:282-305 (identity): a user identity past its `exp` fails with TokenExpired; nothing else checks it. */
    function revalidateIdentity() {
      if (s.auth.kind === 'user' && typeof s.auth.exp === 'number' && Date.now() >= s.auth.exp * 1000) {
        throw new BackendError('unauthenticated', 'TokenExpired', TEXT.identityExpired);
      }
      return s.auth.user;
    }

    /** state.rs:454-483: a result is sent only when the hash of result + log lines changed. */
    const hashOf = (r) =>
      createHash('sha256')
        .update(JSON.stringify(r.ok ? ['ok', r.value, r.logLines] : ['err', r.error, r.logLines]))
        .digest('hex');

    /** worker.rs:935-1114 + 1254-1315: run the queries that need it and send one Transition. */
    async function runUpdate() {
      updateScheduled = false;
      const identity = revalidateIdentity();
      const start = sent;
      const changedIdentity = identityChanged;
      identityChanged = false;
      const mods = [];
      for (const [queryId, q] of s.queries) {
        if (!(q.fresh || q.invalidated || changedIdentity)) continue;
        q.fresh = q.invalidated = false;
        const r = await run(q.udfPath, 'query', q.args?.[0], identity, { tick: s.tick });
        const hash = hashOf(r);
        if (hash === q.hash) continue;
        q.hash = hash;
        mods.push(
          r.ok
            ? { type: 'QueryUpdated', queryId, value: r.value, logLines: r.logLines, journal: null }
            : { type: 'QueryFailed', queryId, errorMessage: r.error, logLines: r.logLines, journal: null },
        );
      }
      mods.push(...s.removed.splice(0));
      const endTs = nextTs();
      s.ts = endTs;
      // subs/mod.rs:227 injects serverTs (nanoseconds; web_socket_manager.ts divides by 1_000_000).
      const end = { querySet: s.querySet, identity: s.identityVersion, ts: encodeTs(endTs) };
      sent = end;
      s.sentIdentity = s.identityVersion;
      send({
        type: 'Transition',
        startVersion: start,
        endVersion: end,
        modifications: mods,
        ...(s.skew !== undefined ? { clientClockSkew: s.skew } : {}),
        serverTs: Date.now() * 1e6,
      });
    }
    s.removed = [];

    function startTicking() {
      if (tickTimer || closed || ![...s.queries.values()].some((q) => q.udfPath === 'ticker:tick')) return;
      // The counter changes ~200 times a second: each change invalidates the ticker queries (worker.rs:458-461).
      let pending = false; // never let ticks pile up behind a slow CPU
      tickTimer = setInterval(() => {
        if (pending) return;
        pending = true;
        enqueue(async () => {
          pending = false;
          s.tick += 1;
          for (const q of s.queries.values()) if (q.udfPath === 'ticker:tick') q.invalidated = true;
          updateScheduled = true;
        });
      }, tickMs);
    }

    async function handle(msg) {
      switch (msg.type) {
        case 'Connect':
          // worker.rs:613-616: clientClockSkew = clientTs - server receive time. The client's clientTs is
          // Date.now() at its first call + performance.now(), so it runs ahead of the client's clock by the page's
          // age at that first call: not a clock offset.
          if (typeof msg.clientTs === 'number') s.skew = msg.clientTs - Date.now();
          return;
        case 'Authenticate': {
          // worker.rs:856-865: validate, replace the identity, schedule an update (which revalidates).
          let auth;
          try {
            auth = await authenticate(msg.tokenType, msg.value);
          } catch (e) {
            throw authenticationUpdateError(e);
          }
          // state.rs:257-268: the base version must be the one the client last sent (an error without metadata).
          if (msg.baseVersion !== s.identityVersion) throw new Error('identity base version mismatch');
          s.auth = auth;
          s.identityVersion += 1;
          identityChanged = true;
          updateScheduled = true;
          return;
        }
        case 'ModifyQuerySet': {
          if (msg.baseVersion !== s.querySet) {
            // state.rs:223-243
            throw new BackendError(
              'bad_request',
              'BaseVersionMismatch',
              `Base version ${msg.baseVersion} passed up doesn't match the current version ${s.querySet}`,
            );
          }
          if (!(msg.newVersion > msg.baseVersion)) throw new Error('query set version must grow');
          for (const m of msg.modifications ?? []) {
            if (m.type === 'Add')
              s.queries.set(m.queryId, { udfPath: m.udfPath, args: m.args, fresh: true, hash: null });
            else if (m.type === 'Remove' && s.queries.delete(m.queryId))
              s.removed.push({ type: 'QueryRemoved', queryId: m.queryId });
          }
          s.querySet = msg.newVersion;
          updateScheduled = true;
          startTicking();
          return;
        }
        case 'Mutation': {
          const identity = revalidateIdentity(); // worker.rs:671
          const r = await run(msg.udfPath, 'mutation', msg.args?.[0], identity);
          // The client completes a mutation once a Transition reaches its `ts` (the update scheduled below).
          if (r.ok)
            send({
              type: 'MutationResponse',
              requestId: msg.requestId,
              success: true,
              result: r.value,
              ts: encodeTs(nextTs()),
              logLines: r.logLines,
            });
          else
            send({
              type: 'MutationResponse',
              requestId: msg.requestId,
              success: false,
              result: r.error,
              logLines: r.logLines,
            });
          updateScheduled = true;
          return;
        }
        case 'Action': {
          const identity = revalidateIdentity(); // worker.rs:781
          const r = await run(msg.udfPath, 'action', msg.args?.[0], identity);
          send({
            type: 'ActionResponse',
            requestId: msg.requestId,
            success: r.ok,
            result: r.ok ? r.value : r.error,
            logLines: r.logLines,
          });
          updateScheduled = true;
          return;
        }
        case 'Event':
          return;
        default:
          throw new BackendError('bad_request', 'InvalidMessage', `Unknown message type: ${String(msg.type)}`);
      }
    }

    // Messages (and ticks) are handled one at a time, in order, like the sync worker does; a job that finds the
    // socket closed does nothing (no timer may be armed after the close).
    let queue = Promise.resolve();
    function enqueue(job) {
      queue = queue
        .then(async () => {
          if (closed) return;
          await job();
          if (!closed && updateScheduled) await runUpdate();
        })
        .catch((e) => fail(e));
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
      stopTimers();
    });
  }

  // ------------------------------------------------------------------------------------------
  // HTTP API (local_backend/src/public_api.rs:769-781)

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type, authorization, convex-client',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
  };
  /** Endpoint → how it names its function(s). */
  const ROUTES = {
    '/api/query': 'query',
    '/api/query_at_ts': 'query',
    '/api/query_batch': 'batch',
    '/api/mutation': 'mutation',
    '/api/action': 'action',
    '/api/function': null,
  };

  /** local_backend/src/authentication.rs:42-97 + authentication/src/lib.rs:105-118: the Authorization header. */
  function tokenFromHeader(raw) {
    if (raw === undefined) return { tokenType: 'None' };
    // HeaderValue::to_str: visible ASCII (and tab) only.
    if (!/^[\t\x20-\x7e]*$/.test(raw))
      throw new BackendError('bad_request', 'HeaderParseFailure', `Failed to parse header ${JSON.stringify(raw)}`);
    if (Buffer.byteLength(raw.slice(0, 7)) < 7)
      throw new BackendError('bad_request', 'InvalidHeaderFailure', 'Invalid authentication header');
    if (raw.slice(0, 7).toLowerCase() === 'convex ') {
      // remove_type_prefix_from_admin_key, then `key:acting_user` (acting as a user is not modelled).
      const key = raw.slice(7);
      return { tokenType: 'Admin', value: key.split(':')[0] === key ? key : key.split(':')[0] };
    }
    if (raw.length <= 7 || raw.slice(0, 7).toLowerCase() !== 'bearer ')
      throw new BackendError('bad_request', 'InvalidAdminKey', 'Invalid admin key');
    return { tokenType: 'User', value: raw.slice(7).trim() };
  }

  async function onHttp(req, res) {
    const url = new URL(req.url, 'http://x');
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', ...cors });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/http/')) {
      // HTTP actions (issue 13, around.mjs): the Bearer token is validated like the HTTP API's.
      const identify = async (authorization) => {
        if (!authorization || !/^bearer /i.test(authorization)) return null;
        return (
          await validateUserToken(authorization.slice(7).trim(), providers, {
            nowSeconds: nowSeconds(),
            redact: production,
            http: httpCache,
          })
        ).identity;
      };
      return httpAction(req, res, url, identify, record);
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      return res.end();
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const runPath = /^\/api\/run\/(.+)$/.exec(url.pathname);
    const known = url.pathname in ROUTES || url.pathname === '/api/query_ts' || runPath;
    const getQuery = req.method === 'GET' && url.pathname === '/api/query';
    if (!known || (req.method !== 'POST' && !getQuery)) {
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
      reply(status, body);
    };
    const errorReply = (e) =>
      e instanceof BackendError && e.kind !== 'internal'
        ? done(e.httpStatus, { code: e.short, message: e.msg })
        : done(500, { code: 'InternalServerError', message: "Your request couldn't be completed. Try again later." });
    try {
      // Extractors run in order: the Authorization header, then the JSON body (common/src/http/extract.rs:119-125).
      const token = tokenFromHeader(authorization);
      let body;
      if (getQuery)
        body = {
          path: url.searchParams.get('path'),
          args: JSON.parse(url.searchParams.get('args') ?? '{}'),
          format: url.searchParams.get('format'),
        };
      else {
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
          throw new BackendError(
            'bad_request',
            'BadJsonBody',
            'Expected request with `Content-Type: application/json`',
          );
        try {
          body = JSON.parse(raw);
        } catch {
          throw new BackendError('bad_request', 'BadJsonBody', 'Failed to parse JSON body');
        }
      }
      entry.request = body;
      const auth = await authenticate(token.tokenType, token.value);
      if (url.pathname === '/api/query_ts') return done(200, { ts: encodeTs(nextTs()) });
      const one = async (path, kind, args) => {
        const r = await run(String(path ?? ''), kind, Array.isArray(args) ? args[0] : args, auth.user);
        // public_api.rs:130-156: a function error is a 200 with status "error"; empty logLines are omitted.
        const logs = r.logLines.length ? { logLines: r.logLines } : {};
        return r.ok
          ? { status: 'success', value: r.value, ...logs }
          : { status: 'error', errorMessage: r.error, ...logs };
      };
      if (url.pathname === '/api/query_batch') {
        const results = [];
        for (const q of body.queries ?? []) results.push(await one(q.path, 'query', q.args));
        return done(200, { results });
      }
      const path = runPath ? runPath[1].replace(/\/([^/]+)$/, ':$1') : body.path;
      return done(200, await one(path, runPath ? null : ROUTES[url.pathname], body.args));
    } catch (e) {
      return errorReply(e);
    }
  }

  const server = http.createServer((req, res) => {
    onHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', ...cors });
      res.end(
        JSON.stringify({
          code: 'InternalServerError',
          message: "Your request couldn't be completed. Try again later.",
        }),
      );
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
    adminKey,
    http: httpCache,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
    },
  };
}
