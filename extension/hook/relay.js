// The relay of live capture: an isolated-world content script beside hook/page.js (same origins, document_start).
// It receives the page hook's records (HOOK_EVENT on `window`), stamps each with its own clock and a sequence
// number — the page cannot forge either — keeps them for this page load (bounded), and hands them to the devtools
// page of this tab over a runtime port (HOOK_PORT), now and as they come. DevTools may open long after the page
// loaded: the records kept here are what it sees without a reload. The messages are listed in extension/contract.js.
//
// The record text is passed on as the page wrote it: the devtools page reads and judges it (as it would a frame).
(() => {
  /** Keep in step with HOOK_EVENT and HOOK_PORT in extension/contract.js. */
  const HOOK_EVENT = 'convex-auth-doctor:hook';
  const HOOK_PORT = 'convex-auth-doctor:hook';
  /** One record holds at most one 1 MB frame (hook/page.js MAX_TEXT) and its JSON escaping. */
  const MAX_RECORD = 2.5 * 1024 * 1024;
  /** Kept for a late DevTools: the page load's first HEAD records (connect, authenticate) and then the latest. */
  const HEAD = 1000;
  const MAX_RECORDS = 3000;
  const MAX_BYTES = 8 * 1024 * 1024;
  /** Records per port message when replaying. */
  const CHUNK = 200;
  /**
   * New records are handed on in batches at most this far apart (a busy app sends ~200 frames a second). A record
   * after a quiet spell (an AuthError) leaves in the next task, with whatever the same task added: no wait.
   */
  const BATCH_MS = 16;

  const load = { id: crypto.randomUUID(), url: location.href, startedAt: Date.now() / 1000 };
  const records = [];
  const ports = new Set();
  let bytes = 0;
  let seq = 0;
  let dropped = 0;
  /** Records not yet handed to the connected ports, and the timer that will. */
  let batch = [];
  let batchTimer = 0;
  /** When the last batch left (performance.now()). */
  let lastFlush = Number.NEGATIVE_INFINITY;

  function post(port, message) {
    try {
      port.postMessage(message);
    } catch {
      ports.delete(port); // disconnected meanwhile
    }
  }

  /** A devtools page connected (or answered our connect): say which page load this is, then replay. */
  function attach(port) {
    // The replay below holds everything kept so far, in order; a batch still waiting follows it (the devtools page
    // skips records it has seen).
    ports.add(port);
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError; // "no receiving end" when DevTools is closed: expected, not an error
      ports.delete(port);
    });
    post(port, { type: 'hello', load: load.id, url: load.url, startedAt: load.startedAt, dropped });
    for (let i = 0; i < records.length; i += CHUNK) {
      post(port, { type: 'records', load: load.id, items: records.slice(i, i + CHUNK) });
    }
  }

  /** Keeps a record, dropping the oldest after the head when over the bounds. */
  function keep(item) {
    records.push(item);
    bytes += item.raw.length;
    while (records.length > MAX_RECORDS || bytes > MAX_BYTES) {
      const at = records.length > HEAD + 1 ? HEAD : records.length - 1;
      bytes -= records[at].raw.length;
      records.splice(at, 1);
      dropped += 1;
    }
  }

  window.addEventListener(HOOK_EVENT, (e) => {
    const raw = e.detail;
    if (typeof raw !== 'string' || raw.length > MAX_RECORD) {
      dropped += 1;
      return;
    }
    seq += 1;
    const item = { seq, t: Date.now() / 1000, raw };
    keep(item);
    if (ports.size === 0) return;
    batch.push(item);
    if (!batchTimer) batchTimer = setTimeout(flush, Math.max(0, lastFlush + BATCH_MS - performance.now()));
  });

  function flush() {
    batchTimer = 0;
    lastFlush = performance.now();
    const items = batch;
    batch = [];
    for (const port of ports) post(port, { type: 'records', load: load.id, items });
  }

  // DevTools already open on this tab (a reload or a navigation): its devtools page takes this port.
  try {
    attach(chrome.runtime.connect({ name: HOOK_PORT }));
  } catch {
    /* the extension was reloaded: this page keeps working without it */
  }
  // DevTools opened later: its devtools page connects to us.
  chrome.runtime.onConnect.addListener((port) => {
    if (port.name === HOOK_PORT) attach(port);
  });
})();
