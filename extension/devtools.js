// The devtools page: alive as long as DevTools is open on a tab, so it captures from the start (before the panel is
// ever shown) and owns the engine's session. The panel only renders what this page hands it.
//
// What Chrome delivers (shared/reference/devtools-capture.md): `onRequestFinished` for fetch/XHR (with bodies through
// getContent()), a WebSocket only when it closes, and open sockets' frames only through `getHAR()`, which rebuilds the
// whole log on every call. So: getHAR() once at start, onRequestFinished for HTTP and closed sockets, getHAR() polling
// for open sockets, handing only frames not seen before (key: entry URL + startedDateTime + frame index) to the engine.
import init, { DoctorSession, isConvexUrl, httpInterest } from './pkg/convex_auth_doctor.js';

const net = chrome.devtools.network;

/** Raw captures waiting for the engine to finish loading (bounded: a page cannot grow it without limit). */
const MAX_EARLY = 2000;
/** Response bodies larger than this are not handed on: the doctor reads errors and logs, not data. */
const MAX_BODY = 256 * 1024;
/** Polling: fast while frames flow, backing off to the slowest when nothing changes. */
const POLL_MIN_MS = 400;
const POLL_MAX_MS = 800;
/** A poll must not cost more than this share of the time between polls (a busy app's HAR is big). */
const POLL_BUDGET = 0.05;
const POLL_CEILING_MS = 3000;

let session = null;
let early = [];
const sockets = new Map(); // entry key -> { id, seen (frames handed on), closed }
const httpSeen = new Set(); // url|startedDateTime|method, for the start-up getHAR() vs onRequestFinished overlap
let socketCounter = 0;
let origin = '';
let pollTimer = 0;
let pollDelay = POLL_MIN_MS;
let panelWindow = null;
let panelVisible = false;
let renderTimer = 0;
let dirty = true;
const stats = { polls: 0, pollMs: 0, lastPollMs: 0, frames: 0, http: 0, events: 0, harEntries: 0, lastPollDelay: 0 };

function keyOf(entry) {
  return `${entry.request && entry.request.url}|${entry.startedDateTime}`;
}

/** Unix seconds, or now when Chrome gives no real wall time (a socket that never connected starts in 1969). */
function wallSeconds(seconds) {
  return Number.isFinite(seconds) && seconds > 1e9 ? seconds : Date.now() / 1000;
}

function timeOf(entry) {
  return wallSeconds(Date.parse(entry.startedDateTime) / 1000);
}

function headerPairs(headers) {
  return Array.isArray(headers) ? headers.map((h) => [String(h.name), String(h.value)]) : [];
}

function isSocket(entry) {
  const url = (entry.request && entry.request.url) || '';
  return entry._resourceType === 'websocket' || url.startsWith('ws:') || url.startsWith('wss:');
}

/** Hands events to the engine (or holds them, bounded, until it is loaded). */
function feed(events) {
  if (events.length === 0) return;
  stats.events += events.length;
  session.pushEvents(JSON.stringify(events));
  markDirty();
}

/** New frames of one socket entry; returns how many were new. `closed` adds the close event once. */
function ingestSocket(entry, closed, key = keyOf(entry)) {
  const url = entry.request.url;
  if (!isConvexUrl(url)) return 0;
  let sock = sockets.get(key);
  if (sock && sock.stale) return 0; // a socket of the previous page load, closing after the navigation
  if (!sock) {
    sock = { id: `ws${++socketCounter}`, seen: 0, closed: false };
    sockets.set(key, sock);
  }
  const messages = Array.isArray(entry._webSocketMessages) ? entry._webSocketMessages : [];
  const events = [];
  let failure = null;
  for (let i = sock.seen; i < messages.length; i++) {
    const m = messages[i];
    if (!m) continue;
    // Chrome records a failed handshake as one "error" message ("Error in connection establishment: …").
    if (m.type === 'error') failure = { time: wallSeconds(Number(m.time)), reason: String(m.data ?? 'error') };
    if ((m.type !== 'send' && m.type !== 'receive') || m.opcode === 2) continue;
    events.push({ kind: 'ws_frame', socket: sock.id, url, direction: m.type, time: wallSeconds(Number(m.time)), data: String(m.data ?? '') });
  }
  if (failure && !sock.closed) {
    sock.closed = true;
    events.push({ kind: 'ws_close', socket: sock.id, url, time: failure.time, reason: failure.reason });
  }
  const fresh = messages.length - sock.seen;
  sock.seen = Math.max(sock.seen, messages.length);
  if (closed && !sock.closed) {
    sock.closed = true;
    const started = timeOf(entry);
    const last = messages.length ? wallSeconds(Number(messages[messages.length - 1].time)) : started;
    const ended = Number.isFinite(entry.time) && entry.time > 0 ? started + entry.time / 1000 : last;
    const ev = { kind: 'ws_close', socket: sock.id, url, time: Math.min(Math.max(ended, last), Date.now() / 1000) };
    if (entry.response && entry.response.status === 0) ev.reason = entry.response._error || 'connection failed';
    events.push(ev);
  }
  stats.frames += events.length;
  feed(events);
  return fresh + (closed ? 1 : 0);
}

/** The request's Cookie header (names are all the engine's `httpInterest` looks at; the value stays in memory). */
function cookieOf(req) {
  const h = Array.isArray(req.headers) ? req.headers.find((x) => String(x.name).toLowerCase() === 'cookie') : null;
  return h ? String(h.value) : '';
}

/**
 * One finished request the engine wants (it decides, `httpInterest`): Convex calls, token endpoints and HTTP actions
 * with their bodies (2), requests carrying an auth library's cookies with their headers only (1). The engine judges
 * a cookie's token and drops its value; nothing here stores it.
 */
function ingestHttp(entry) {
  const req = entry.request;
  if (!req) return;
  const interest = httpInterest(String(req.url), cookieOf(req));
  if (!interest) return;
  const key = `${keyOf(entry)}|${req.method}`;
  if (httpSeen.has(key)) return;
  if (httpSeen.size > 5000) httpSeen.clear();
  httpSeen.add(key);
  const ev = {
    kind: 'http',
    url: req.url,
    method: req.method || 'GET',
    time: timeOf(entry),
    request_headers: headerPairs(req.headers),
    status: (entry.response && entry.response.status) || 0,
    response_headers: headerPairs(entry.response && entry.response.headers),
  };
  if (interest === 1) {
    stats.http++;
    feed([ev]);
    return;
  }
  if (req.postData && typeof req.postData.text === 'string' && req.postData.text.length <= MAX_BODY) {
    ev.request_body = req.postData.text;
  }
  stats.http++;
  const done = (body, encoding) => {
    if (typeof body === 'string' && encoding !== 'base64' && body.length <= MAX_BODY) ev.response_body = body;
    feed([ev]);
  };
  if (typeof entry.getContent === 'function') entry.getContent(done);
  else done(entry.response && entry.response.content && entry.response.content.text, entry.response && entry.response.content && entry.response.content.encoding);
}

function ingestEntry(entry, { http, closed }) {
  if (!entry || !entry.request) return 0;
  if (isSocket(entry)) return ingestSocket(entry, closed);
  if (http) ingestHttp(entry);
  return 0;
}

/**
 * A finished request outside the Convex API that the engine reads (token endpoints, HTTP actions). Chrome does not
 * always fire onRequestFinished for them: not for a CORS preflight or a call the browser blocked, nor for a response
 * whose body the page never reads. The polls pick them up from getHAR() (without bodies; the status is what counts).
 * A request still in flight has no status and no error yet: it waits for a later poll.
 */
function aroundFinished(entry) {
  const req = entry.request;
  const res = entry.response;
  if (!req || !res || isConvexUrl(String(req.url))) return false;
  if (!(res.status > 0 || res._error)) return false;
  return httpInterest(String(req.url), '') === 2;
}

/** One getHAR() round: only open sockets' new frames; the work per poll is the entries' count plus what is new. */
function ingestHar(har, withHttp) {
  const entries = (har && har.entries) || [];
  stats.harEntries = entries.length;
  let fresh = 0;
  // Sockets that never connected all share startedDateTime 1969-12-31T23:59:59Z: number equal keys in log order
  // (the log only grows during a page load, so the n-th twin keeps its number).
  const twins = new Map();
  for (const entry of entries) {
    if (!entry || !entry.request) continue;
    if (isSocket(entry)) {
      const base = keyOf(entry);
      const n = (twins.get(base) || 0) + 1;
      twins.set(base, n);
      fresh += ingestSocket(entry, false, n > 1 ? `${base}#${n}` : base);
    } else if (withHttp || aroundFinished(entry)) ingestHttp(entry);
  }
  return fresh;
}

let polling = false;

function poll() {
  pollTimer = 0;
  if (polling) return; // one getHAR() at a time; the running one reschedules
  polling = true;
  const started = performance.now();
  net.getHAR((har) => {
    polling = false;
    let fresh = 0;
    try {
      fresh = ingestHar(har, false);
    } catch (e) {
      console.error('convex-auth-doctor: poll', e);
    }
    const cost = performance.now() - started;
    stats.polls++;
    stats.pollMs += cost;
    stats.lastPollMs = cost;
    pollDelay = fresh > 0 ? POLL_MIN_MS : Math.min(POLL_MAX_MS, Math.round(pollDelay * 1.5));
    // Keep the poll's share of time small even when the log is huge.
    pollDelay = Math.min(POLL_CEILING_MS, Math.max(pollDelay, Math.round(cost / POLL_BUDGET)));
    stats.lastPollDelay = pollDelay;
    schedulePoll(pollDelay);
  });
}

function schedulePoll(delay) {
  if (pollTimer) clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, delay);
}

// ---- origin and the user's configuration (configuration only, never tokens), remembered per app origin ----

function configKey() {
  return `config:${origin}`;
}

function loadStoredConfig() {
  try {
    const raw = localStorage.getItem(configKey());
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function applyStoredConfig() {
  if (!session) return;
  const saved = loadStoredConfig();
  readAutoKeys();
  session.clearConfig();
  if (saved && typeof saved.source === 'string' && saved.source.trim()) {
    try {
      session.setConfig(saved.source, JSON.stringify(saved.env || {}));
    } catch (e) {
      console.warn('convex-auth-doctor: stored configuration rejected', e);
    }
  }
  markDirty();
}

function refreshOrigin(url) {
  const set = (o) => {
    if (typeof o !== 'string' || o === origin) return;
    origin = o;
    applyStoredConfig();
  };
  if (url) {
    try {
      set(new URL(url).origin);
      return;
    } catch {
      /* fall through to asking the page */
    }
  }
  chrome.devtools.inspectedWindow.eval('location.origin', (result, err) => {
    if (!err) set(result);
  });
}

// ---- the issuer's published keys (discovery, JWKS): fetched only when the user asks or opted in for this app ----
//
// The engine says what to fetch (keyRequests) and judges what comes back; this page only does the GETs. A request
// carries no cookie, no token, no referrer: real identity providers serve these documents with
// `Access-Control-Allow-Origin: *`, so most need no permission; for the others the panel asks the user for the
// optional host permission of that one origin (chrome.permissions.request needs the user's click, so it is the
// panel's own function, called from the click's chain).

/** Bodies larger than this are not read: a JWKS is a few KB. */
const MAX_KEY_DOC = 512 * 1024;
const KEY_FETCH_TIMEOUT_MS = 10000;
/** Discovery then JWKS is two rounds; one more for a discovery document that moved. */
const KEY_ROUNDS = 3;

const keys = {
  running: false,
  /** url -> { purpose, issuer, at, error } of what was fetched, in order (for "Refetch"); bounded like the engine's. */
  fetched: new Map(),
  /** Origins a fetch could not read (CORS or network): the next click asks for access to them first. */
  blocked: new Set(),
  lastIssuer: '',
  /** The origin whose access the user is being asked for (the browser's prompt is open). */
  asking: '',
};

function autoKey() {
  return `autokeys:${origin}`;
}

/** The opt-in for the current origin, read again when the origin changes (markDirty runs often). */
let autoOn = false;

function readAutoKeys() {
  autoOn = localStorage.getItem(autoKey()) === '1';
}

/** The body as text, or null past MAX_KEY_DOC bytes (read in chunks: a server cannot make this page hold more). */
async function readBounded(res) {
  if (Number(res.headers.get('content-length')) > MAX_KEY_DOC) return null;
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_KEY_DOC) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** One GET, bounded in time and size. Resolves to { status, type, body } or { error }. */
async function getKeyDocument(url) {
  try {
    const res = await fetch(url, {
      method: 'GET',
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'follow',
      referrerPolicy: 'no-referrer',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(KEY_FETCH_TIMEOUT_MS),
    });
    const body = await readBounded(res);
    if (body === null) return { error: `the response is larger than ${MAX_KEY_DOC / 1024} KB` };
    return { status: res.status, type: res.headers.get('content-type') || '', body };
  } catch (e) {
    const name = e && e.name === 'TimeoutError' ? `no answer within ${KEY_FETCH_TIMEOUT_MS / 1000} s` : String((e && e.message) || e);
    return { error: name, network: true };
  }
}

/** Fetches one requested document and hands the result to the engine. `ask(origins)` asks the user for access. */
async function fetchKeyDocument(req, ask) {
  let target;
  try {
    target = new URL(req.url);
  } catch {
    target = null;
  }
  let got;
  if (!target || (target.protocol !== 'https:' && target.protocol !== 'http:')) {
    got = { error: 'not an http(s) URL; the panel fetches nothing else' };
  } else {
    got = await getKeyDocument(req.url);
    if (got.network && ask) {
      // Blocked by CORS or not reachable: with access to that origin the browser skips CORS; try once more.
      const granted = await askAccess(ask, [target.origin]);
      if (granted === true) got = await getKeyDocument(req.url);
      else if (granted === false) got.error += `; access to ${target.origin} was not granted`;
      else got.error += `; access to ${target.origin} could not be asked (${granted}): click "Refetch keys" to be asked`;
    }
    if (got.network) {
      got.error = `the browser could not read it (${got.error}): blocked by CORS, or not reachable from this computer`;
      keys.blocked.add(target.origin);
    } else keys.blocked.delete(target.origin);
  }
  const at = Date.now() / 1000;
  if (got.error) session.setUnreachable(req.url, got.error, at);
  else session.setFetched(req.url, req.purpose, req.issuer, got.type, got.status, got.body, at);
  keys.fetched.delete(req.url);
  keys.fetched.set(req.url, { purpose: req.purpose, issuer: req.issuer, at, error: got.error || '' });
  while (keys.fetched.size > 16) keys.fetched.delete(keys.fetched.keys().next().value);
  keys.lastIssuer = req.issuer;
  markDirty();
}

/** Asks the user (through the panel's `ask`) for access to `origins`, showing that a prompt is open meanwhile. */
function askAccess(ask, origins) {
  keys.asking = origins.join(', ');
  markDirty();
  return new Promise((resolve) => resolve(ask(origins.map((o) => `${o}/*`)))).catch((e) => String((e && e.message) || e)).finally(() => {
    keys.asking = '';
    markDirty();
  });
}

function pendingKeyRequests() {
  try {
    const list = JSON.parse(session.keyRequests());
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/**
 * Fetches what the engine asks for, round after round. `ask` (the panel's permission request) only when the user
 * clicked; `refetch` first fetches again what was fetched for the latest issuer (the engine overwrites by URL).
 */
async function checkKeys({ ask = null, refetch = false } = {}) {
  if (!session || keys.running) return;
  keys.running = true;
  markDirty();
  try {
    if (refetch) {
      const again = [...keys.fetched].filter(([, f]) => f.issuer === keys.lastIssuer).map(([url, f]) => ({ url, purpose: f.purpose, issuer: f.issuer }));
      for (const req of again) await fetchKeyDocument(req, ask);
    }
    const seen = new Set();
    for (let round = 0; round < KEY_ROUNDS; round++) {
      // Each URL once per check: an answer the engine cannot use must not make this loop.
      const requests = pendingKeyRequests().filter((r) => r && typeof r.url === 'string' && !seen.has(r.url));
      if (requests.length === 0) break;
      for (const req of requests) {
        seen.add(req.url);
        await fetchKeyDocument(req, ask);
      }
    }
  } catch (e) {
    console.error('convex-auth-doctor: keys', e);
  } finally {
    keys.running = false;
    markDirty();
  }
}

let autoTimer = 0;

/** With the user's opt-in for this app, checks as soon as a token needs keys (never asking for permissions). */
function maybeAutoCheck() {
  if (autoTimer || keys.running || !session || !autoOn) return;
  autoTimer = setTimeout(() => {
    autoTimer = 0;
    // Only URLs not fetched yet: the automatic check never repeats itself (the user's "Refetch" does).
    if (pendingKeyRequests().some((r) => !keys.fetched.has(r.url))) checkKeys();
  }, 300);
}

// ---- handing reports to the panel ----

function markDirty() {
  dirty = true;
  maybeAutoCheck();
  if (panelWindow && panelVisible && !renderTimer) renderTimer = setTimeout(pushToPanel, 50);
}

function pushToPanel() {
  renderTimer = 0;
  if (!panelWindow || !panelVisible || !dirty || !session) return;
  dirty = false;
  try {
    if (typeof panelWindow.doctorRender === 'function') panelWindow.doctorRender(session.report());
  } catch (e) {
    console.error('convex-auth-doctor: render', e);
  }
}

/** What the panel may call (same-origin window: a plain object, data crosses as JSON text). */
const host = {
  report: () => (session ? session.report() : ''),
  markdown: () => (session ? session.markdown() : ''),
  origin: () => origin,
  storedConfig: () => JSON.stringify(loadStoredConfig() || { source: '', env: {} }),
  /** Throws the engine's error text when the configuration cannot be read; saves it for this origin when it can. */
  setConfig(source, envJson) {
    if (!session) throw new Error('the engine is still loading');
    if (!source.trim()) {
      session.clearConfig();
      localStorage.removeItem(configKey());
    } else {
      session.setConfig(source, envJson);
      localStorage.setItem(configKey(), JSON.stringify({ source, env: JSON.parse(envJson || '{}') }));
    }
    markDirty();
  },
  reload() {
    chrome.devtools.inspectedWindow.reload({ ignoreCache: true });
  },
  stats: () => JSON.stringify({ ...stats, sockets: sockets.size, ready: !!session, pending: early.length }),
  themeName: () => (chrome.devtools.panels && chrome.devtools.panels.themeName) || 'default',
  /** What the panel shows about keys: what is still to fetch, what was fetched, the opt-in, whether it runs. */
  keyState: () =>
    JSON.stringify({
      pending: session ? pendingKeyRequests() : [],
      fetched: [...keys.fetched].map(([url, f]) => ({ url, ...f })),
      blocked: [...keys.blocked],
      auto: autoOn,
      running: keys.running,
      asking: keys.asking,
    }),
  /**
   * The user clicked "Check the signature" (or "Refetch"). `ask(origins)` is the panel's chrome.permissions.request
   * (it needs the click's user activation, which belongs to the panel). Origins a previous fetch could not read are
   * asked for first, synchronously in the click's chain, before anything awaits.
   */
  checkKeys(ask, refetch) {
    const first = keys.blocked.size && ask ? askAccess(ask, [...keys.blocked]) : null;
    // Refused (or not askable): this check does not ask again.
    return Promise.resolve(first).then((granted) => checkKeys({ ask: first && granted !== true ? null : ask, refetch: !!refetch }));
  },
  setAutoKeys(on) {
    if (on) localStorage.setItem(autoKey(), '1');
    else localStorage.removeItem(autoKey());
    readAutoKeys();
    markDirty();
  },
};

// ---- wiring: listeners first, so nothing is missed while the engine loads ----

function onFinished(entry) {
  if (!session) {
    if (early.length < MAX_EARLY) early.push(['finished', entry]);
    return;
  }
  const fresh = ingestEntry(entry, { http: true, closed: true });
  if (fresh > 0 || !isSocket(entry)) schedulePoll(POLL_MIN_MS);
}

function onNavigated(url, time) {
  const ev = { kind: 'navigated', url: String(url), time: time || Date.now() / 1000 };
  if (!session) {
    early.push(['navigated', ev]);
    return;
  }
  // The old page's sockets may still report frames or their close: they belong to the previous capture.
  for (const [key, sock] of sockets) {
    if (sock.stale) sockets.delete(key);
    else sock.stale = true;
  }
  httpSeen.clear();
  feed([ev]);
  refreshOrigin(url);
  pollDelay = POLL_MIN_MS;
  schedulePoll(POLL_MIN_MS);
}

net.onRequestFinished.addListener(onFinished);
net.onNavigated.addListener(onNavigated);
let startHar = null;
net.getHAR((har) => {
  startHar = har;
  if (session) start();
});

chrome.devtools.panels.create('Convex Auth', 'extension/icon128.png', 'extension/panel.html', (panel) => {
  panel.onShown.addListener((win) => {
    panelWindow = win;
    panelVisible = true;
    win.doctorHost = host;
    win.dispatchEvent(new win.Event('doctorhost'));
    dirty = true;
    pushToPanel();
  });
  panel.onHidden.addListener(() => {
    panelVisible = false;
  });
});

await init();
session = new DoctorSession();
globalThis.__doctor = host; // for tests and measurement (tests/e2e)
if (startHar) start();

function start() {
  ingestHar(startHar, true);
  startHar = { entries: [] };
  const queued = early;
  early = [];
  for (const [kind, item] of queued) {
    if (kind === 'finished') onFinished(item);
    else onNavigated(item.url, item.time);
  }
  refreshOrigin('');
  schedulePoll(POLL_MIN_MS);
}
