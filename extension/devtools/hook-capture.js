// Live capture, the devtools page's side: turns what the relay (hook/relay.js) hands over into the engine's events.
//
// Trust: the relay is the extension's own code, so its stamps (load id, sequence number, time) are believed; the
// record text inside (`raw`) was written in the page's world, so it is read like any frame the page could send —
// checked field by field, bounded, Convex URLs only (the engine's own isConvexUrl), and anything else ignored. The
// time of every event is the relay's stamp, never a time the page wrote.

/** Keep in step with hook/page.js: larger texts arrive as null and are passed over. */
const MAX_TEXT = 1024 * 1024;
const MAX_URL = 4096;
const MAX_HEADERS = 100;
const MAX_HEADER_TEXT = 16 * 1024;
/** Sockets and open requests remembered per page load. */
const MAX_SOCKETS = 500;
const MAX_PENDING_HTTP = 500;

const isId = (n) => Number.isSafeInteger(n) && n > 0;
const isText = (s, max) => typeof s === 'string' && s.length <= max;

function headerPairs(value) {
  if (!Array.isArray(value)) return [];
  const out = [];
  for (const pair of value.slice(0, MAX_HEADERS)) {
    if (Array.isArray(pair) && isText(pair[0], MAX_HEADER_TEXT) && isText(pair[1], MAX_HEADER_TEXT)) {
      out.push([pair[0], pair[1]]);
    }
  }
  return out;
}

/** The relay's hello, checked: { load, url, startedAt, dropped }, or null. */
export function readHello(message, now) {
  if (message?.type !== 'hello' || !isText(message.load, 100) || !isText(message.url, MAX_URL)) return null;
  const startedAt = Number(message.startedAt);
  if (!Number.isFinite(startedAt) || startedAt > now + 60) return null;
  const dropped = Number.isSafeInteger(message.dropped) && message.dropped >= 0 ? message.dropped : 0;
  return { load: message.load, url: message.url, startedAt, dropped };
}

/**
 * The engine events of one page load's records. `isConvexUrl` is the engine's; `newSocketId()` numbers sockets
 * together with the HAR capture (one numbering in the panel); `stats` counts `frames`, `http`, `hookRecords`,
 * `hookIgnored`.
 */
export function createHookCapture({ isConvexUrl, newSocketId, stats }) {
  let load = null; // { id, lastSeq, sockets: Map(sid -> { id, url, closed }), started: Map(rid -> time) }

  /** A new page load starts (its hello was accepted): records of any other load are ignored from now on. */
  function begin(loadId) {
    load = { id: loadId, lastSeq: 0, sockets: new Map(), started: new Map() };
  }

  function end() {
    load = null;
  }

  /** One record's event; undefined when it is fine but makes no event (yet); null when it is ignored. */
  function eventOf(record, time) {
    switch (record.type) {
      case 'ws-new': {
        if (!isId(record.sid) || load.sockets.has(record.sid) || load.sockets.size >= MAX_SOCKETS) return null;
        if (!isText(record.url, MAX_URL) || !isConvexUrl(record.url)) return null;
        load.sockets.set(record.sid, { id: newSocketId(), url: record.url, closed: false });
        return undefined; // the socket shows with its first frame or its close, as with HAR capture
      }
      case 'ws-frame': {
        const sock = load.sockets.get(record.sid);
        if (!sock || sock.closed || (record.dir !== 'send' && record.dir !== 'receive')) return null;
        if (!isText(record.data, MAX_TEXT)) return null; // a frame too large to pass (null), or not text
        return { kind: 'ws_frame', socket: sock.id, url: sock.url, direction: record.dir, time, data: record.data };
      }
      case 'ws-close': {
        const sock = load.sockets.get(record.sid);
        if (!sock || sock.closed) return null;
        sock.closed = true;
        const ev = { kind: 'ws_close', socket: sock.id, url: sock.url, time };
        const code = Number.isSafeInteger(record.code) ? record.code : 0;
        // A socket that never opened: the page cannot see why (the browser keeps the network error to itself).
        if (record.opened !== true) ev.reason = `the connection could not be established (close code ${code})`;
        else if (isText(record.reason, 500) && record.reason) ev.reason = record.reason;
        return ev;
      }
      case 'http-start': {
        if (!isId(record.rid) || load.started.has(record.rid)) return null;
        if (load.started.size >= MAX_PENDING_HTTP) load.started.delete(load.started.keys().next().value);
        load.started.set(record.rid, time);
        return undefined;
      }
      case 'http': {
        if (!isText(record.url, MAX_URL) || !isConvexUrl(record.url) || !isText(record.method, 20)) return null;
        const status =
          Number.isSafeInteger(record.status) && record.status >= 0 && record.status <= 999 ? record.status : 0;
        // Sent when it started (the relay's stamp of http-start), which is what a token's expiry is judged at.
        const sent = isId(record.rid) ? load.started.get(record.rid) : undefined;
        if (sent !== undefined) load.started.delete(record.rid);
        const ev = {
          kind: 'http',
          url: record.url,
          method: record.method,
          time: sent ?? time,
          request_headers: headerPairs(record.request_headers),
          status,
          response_headers: headerPairs(record.response_headers),
        };
        if (isText(record.request_body, MAX_TEXT)) ev.request_body = record.request_body;
        if (isText(record.response_body, MAX_TEXT)) ev.response_body = record.response_body;
        return ev;
      }
      default:
        return null;
    }
  }

  /**
   * The engine events of a batch of relay items ({ seq, t, raw }) of page load `loadId`. Items already seen (a
   * replay to a second port) and items of another load are skipped; garbage is counted and ignored.
   */
  function ingest(loadId, items, now) {
    const events = [];
    if (!load || loadId !== load.id || !Array.isArray(items)) return events;
    for (const item of items) {
      if (!item || !isId(item.seq) || item.seq <= load.lastSeq) continue;
      load.lastSeq = item.seq;
      stats.hookRecords += 1;
      // The relay's clock, at most now: the page wrote no time that is used.
      const time = Math.min(Number.isFinite(item.t) ? item.t : now, now);
      let record = null;
      try {
        record = typeof item.raw === 'string' ? JSON.parse(item.raw) : null;
      } catch {
        record = null;
      }
      const ev = record && typeof record === 'object' ? eventOf(record, time) : null;
      if (ev) events.push(ev);
      else if (ev === null) stats.hookIgnored += 1;
    }
    for (const ev of events) {
      if (ev.kind === 'http') stats.http += 1;
      else stats.frames += 1;
    }
    return events;
  }

  return { begin, end, ingest, current: () => load?.id ?? null };
}
