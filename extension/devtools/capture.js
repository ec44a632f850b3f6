// Capture: turns what `chrome.devtools.network` reports (HAR entries, from getHAR() and onRequestFinished) into the
// engine's events (`crate/src/event.rs`), each frame once.
//
// What Chrome delivers (measured on Chromium 156): `onRequestFinished` for fetch/XHR (with bodies through
// getContent()), a WebSocket only when it closes, and open sockets' frames only through `getHAR()`, which rebuilds
// the whole log on every call. So a socket entry is read again on every poll, and only frames past the ones already
// handed on (key: entry URL + startedDateTime, then the frame index) become events.

/** Response bodies larger than this are not handed on: the doctor reads errors and logs, not data. */
export const MAX_BODY = 256 * 1024;
/** How many HTTP exchanges are remembered for the start-up getHAR() vs onRequestFinished overlap. */
const MAX_HTTP_SEEN = 5000;

/** `url|startedDateTime`: one HAR entry, the same in getHAR() and onRequestFinished. */
export function keyOf(entry) {
  return `${entry.request?.url}|${entry.startedDateTime}`;
}

/** Unix seconds, or `now` when Chrome gives no real wall time (a socket that never connected starts in 1969). */
export function wallSeconds(seconds, now) {
  return Number.isFinite(seconds) && seconds > 1e9 ? seconds : now;
}

function headerPairs(headers) {
  return Array.isArray(headers) ? headers.map((h) => [String(h.name), String(h.value)]) : [];
}

export function isSocket(entry) {
  const url = entry.request?.url || '';
  return entry._resourceType === 'websocket' || url.startsWith('ws:') || url.startsWith('wss:');
}

/** The request's Cookie header (only its names decide anything, in the engine; the value stays in memory). */
function cookieOf(req) {
  const h = Array.isArray(req.headers) ? req.headers.find((x) => String(x.name).toLowerCase() === 'cookie') : null;
  return h ? String(h.value) : '';
}

/** Socket ids `ws1`, `ws2`, …: one numbering for every capture source of a devtools page. */
export function socketNumbering() {
  let n = 0;
  return () => {
    n += 1;
    return `ws${n}`;
  };
}

/**
 * One page's capture state. `emit(events)` receives engine events (an array, possibly empty); `isConvexUrl` is the
 * engine's own test of what counts as Convex traffic; `httpInterest(url, cookie)` the engine's answer for any request
 * (0 nothing, 1 request headers only: an auth library's cookies, 2 all: Convex calls, token endpoints, HTTP actions;
 * issue 13); `maxFrame()` the engine's largest frame (`maxFrameBytes()`): a longer frame is handed on as its length
 * only (`ws_frame_too_large`), never copied into the engine's memory; `now()` is the wall clock in Unix seconds;
 * `stats` is the devtools page's counter object (`frames`, `http`, `harEntries` are counted here); `newSocketId()`
 * names a new socket; `covered(url)` says another source (live capture) delivers that Convex URL's traffic now (it is
 * then left out here; the other requests the engine asks for, which live capture does not see, still come).
 */
export function createCapture({
  isConvexUrl,
  httpInterest = (url) => (isConvexUrl(url) ? 2 : 0),
  emit,
  stats,
  maxFrame = () => Infinity,
  now = () => Date.now() / 1000,
  newSocketId = socketNumbering(),
  covered = () => false,
}) {
  /** entry key -> { id, seen (frames handed on), closed, stale (belongs to the page before the last navigation) } */
  const sockets = new Map();
  /** url|startedDateTime|method of the HTTP exchanges handed on. */
  const httpSeen = new Set();
  /** What this capture hands on: Convex traffic that another source (live capture) does not cover right now. */
  const wanted = (url) => isConvexUrl(url) && !covered(url);

  /** New frames of one socket entry; returns how many were new. `closed` adds the close event once. */
  function ingestSocket(entry, closed, key = keyOf(entry)) {
    const url = entry.request.url;
    // Firefox's network API reports a socket's upgrade (101) as soon as it happens, with no frames and no
    // `_webSocketMessages` at all (measured in Firefox ESR 153): that says nothing of what the socket carried or
    // whether it closed, so it makes no event (live capture sees Firefox's sockets). Chrome's entries always have it.
    if (!wanted(url)) return 0;
    if (!Array.isArray(entry._webSocketMessages)) {
      stats.framelessSockets = (stats.framelessSockets || 0) + 1; // the panel then points to live capture
      return 0;
    }
    let sock = sockets.get(key);
    if (sock?.stale) return 0; // a socket of the previous page load, closing after the navigation
    if (!sock) {
      sock = { id: newSocketId(), seen: 0, closed: false, stale: false };
      sockets.set(key, sock);
    }
    const messages = entry._webSocketMessages;
    const events = [];
    let failure = null;
    for (let i = sock.seen; i < messages.length; i++) {
      const m = messages[i];
      if (!m) continue;
      // Chrome records a failed handshake as one "error" message ("Error in connection establishment: …").
      if (m.type === 'error') failure = { time: wallSeconds(Number(m.time), now()), reason: String(m.data ?? 'error') };
      if ((m.type !== 'send' && m.type !== 'receive') || m.opcode === 2) continue;
      const data = String(m.data ?? '');
      const frame = { socket: sock.id, url, direction: m.type, time: wallSeconds(Number(m.time), now()) };
      // UTF-16 units: never more than the UTF-8 bytes, so a frame passed on may still be over; the engine checks.
      if (data.length > maxFrame()) events.push({ kind: 'ws_frame_too_large', ...frame, bytes: data.length });
      else events.push({ kind: 'ws_frame', ...frame, data });
    }
    if (failure && !sock.closed) {
      sock.closed = true;
      events.push({ kind: 'ws_close', socket: sock.id, url, time: failure.time, reason: failure.reason });
    }
    const fresh = messages.length - sock.seen;
    sock.seen = Math.max(sock.seen, messages.length);
    if (closed && !sock.closed) {
      sock.closed = true;
      events.push(closeEvent(entry, sock.id, messages));
    }
    stats.frames += events.length;
    emit(events);
    return fresh + (closed ? 1 : 0);
  }

  /** The close of a socket entry Chrome reports as finished, timed by the entry (never later than now). */
  function closeEvent(entry, id, messages) {
    const url = entry.request.url;
    const started = wallSeconds(Date.parse(entry.startedDateTime) / 1000, now());
    const last = messages.length ? wallSeconds(Number(messages[messages.length - 1].time), now()) : started;
    const ended = Number.isFinite(entry.time) && entry.time > 0 ? started + entry.time / 1000 : last;
    const ev = { kind: 'ws_close', socket: id, url, time: Math.min(Math.max(ended, last), now()) };
    if (entry.response && entry.response.status === 0) ev.reason = entry.response._error || 'connection failed';
    return ev;
  }

  /**
   * One finished request the engine wants, with its response body (read asynchronously through getContent()) when
   * it wants all of it. A cookie's value reaches the engine only, which judges the token in it and drops it.
   */
  function ingestHttp(entry) {
    const req = entry.request;
    if (!req) return;
    const url = String(req.url);
    if (isConvexUrl(url) && covered(url)) return;
    const interest = httpInterest(url, cookieOf(req));
    if (!interest) return;
    const key = `${keyOf(entry)}|${req.method}`;
    if (httpSeen.has(key)) return;
    if (httpSeen.size > MAX_HTTP_SEEN) httpSeen.clear();
    httpSeen.add(key);
    const ev = {
      kind: 'http',
      url: req.url,
      method: req.method || 'GET',
      time: wallSeconds(Date.parse(entry.startedDateTime) / 1000, now()),
      request_headers: headerPairs(req.headers),
      status: entry.response?.status || 0,
      response_headers: headerPairs(entry.response?.headers),
    };
    if (interest === 1) {
      stats.http++;
      emit([ev]);
      return;
    }
    if (typeof req.postData?.text === 'string' && req.postData.text.length <= MAX_BODY) {
      ev.request_body = req.postData.text;
    }
    stats.http++;
    const done = (body, encoding) => {
      if (typeof body === 'string' && encoding !== 'base64' && body.length <= MAX_BODY) ev.response_body = body;
      emit([ev]);
    };
    if (typeof entry.getContent === 'function') entry.getContent(done);
    else done(entry.response?.content?.text, entry.response?.content?.encoding);
  }

  /** One entry from onRequestFinished (a finished HTTP exchange, or a socket that closed); returns new frames. */
  function ingestFinished(entry) {
    if (!entry?.request) return 0;
    if (isSocket(entry)) return ingestSocket(entry, true);
    ingestHttp(entry);
    return 0;
  }

  /**
   * One getHAR() answer: open sockets' new frames, and with `withHttp` the finished HTTP exchanges (only at start:
   * later ones come through onRequestFinished). The work is the entries' count plus what is new. Returns the count
   * of new frames.
   */
  function ingestHar(har, withHttp) {
    const entries = har?.entries || [];
    stats.harEntries = entries.length;
    let fresh = 0;
    // Sockets that never connected all share startedDateTime 1969-12-31T23:59:59Z: number equal keys in log order
    // (the log only grows during a page load, so the n-th twin keeps its number).
    const twins = new Map();
    for (const entry of entries) {
      if (!entry?.request) continue;
      if (isSocket(entry)) {
        const base = keyOf(entry);
        const n = (twins.get(base) || 0) + 1;
        twins.set(base, n);
        fresh += ingestSocket(entry, false, n > 1 ? `${base}#${n}` : base);
      } else if (withHttp || aroundFinished(entry)) ingestHttp(entry);
    }
    return fresh;
  }

  /**
   * A finished request outside the Convex API that the engine reads in full (token endpoints, HTTP actions). Chrome
   * does not always fire onRequestFinished for them: not for a CORS preflight or a call the browser blocked, nor for
   * a response whose body the page never reads. The polls pick them up from getHAR() (without bodies; the status is
   * what counts). A request still in flight has no status and no error yet: it waits for a later poll.
   */
  function aroundFinished(entry) {
    const req = entry.request;
    const res = entry.response;
    if (!res || isConvexUrl(String(req.url))) return false;
    if (!(res.status > 0 || res._error)) return false;
    return httpInterest(String(req.url), '') === 2;
  }

  /**
   * The page navigated: the old page's sockets may still report frames or their close, and they belong to the
   * previous capture, so they are marked stale (and dropped at the navigation after).
   */
  function navigated() {
    for (const [key, sock] of sockets) {
      if (sock.stale) sockets.delete(key);
      else sock.stale = true;
    }
    httpSeen.clear();
  }

  return { ingestFinished, ingestHar, navigated, socketCount: () => sockets.size };
}
