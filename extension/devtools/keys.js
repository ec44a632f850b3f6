// The issuer's published keys (discovery document, JWKS): fetched only when the user asks, or opted in for this app.
//
// The engine says what to fetch (keyRequests) and judges what comes back; this module only does the GETs. A request
// carries no cookie, no token, no referrer: real identity providers serve these documents with
// `Access-Control-Allow-Origin: *`, so most need no permission; for the others the panel asks the user for the
// optional host permission of that one origin (chrome.permissions.request needs the user's click, so asking is the
// panel's own function, `ask`, called from the click's chain).

/** Bodies larger than this are not read: a JWKS is a few KB. */
const MAX_KEY_DOC = 512 * 1024;
const KEY_FETCH_TIMEOUT_MS = 10000;
/** Discovery then JWKS is two rounds; one more for a discovery document that moved. */
const KEY_ROUNDS = 3;
/** How many fetched documents are remembered (for "Refetch"); bounded like the engine's. */
const MAX_FETCHED = 16;
/** The automatic check waits this long after a change, so a burst of frames starts one check. */
const AUTO_DELAY_MS = 300;

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

/** One GET, bounded in time and size. Resolves to { status, type, body } or { error, network }. */
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
    const name =
      e?.name === 'TimeoutError' ? `no answer within ${KEY_FETCH_TIMEOUT_MS / 1000} s` : String(e?.message || e);
    return { error: name, network: true };
  }
}

/**
 * The key fetcher of one devtools page. `session()` is the engine's session (null while it loads), `autoOn()` the
 * user's opt-in for the current origin, `onChange()` is called whenever what the panel shows may have changed.
 */
export function createKeyFetcher({ session, autoOn, onChange, timers = globalThis }) {
  const keys = {
    running: false,
    /** url -> { purpose, issuer, at, error } of what was fetched, oldest first. */
    fetched: new Map(),
    /** Origins a fetch could not read (CORS or network): the next click asks for access to them first. */
    blocked: new Set(),
    lastIssuer: '',
    /** The origin whose access the user is being asked for (the browser's prompt is open). */
    asking: '',
    autoTimer: 0,
  };

  function pendingKeyRequests() {
    try {
      const list = JSON.parse(session().keyRequests());
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  }

  /** Asks the user (through the panel's `ask`) for access to `origins`, showing that a prompt is open meanwhile. */
  function askAccess(ask, origins) {
    keys.asking = origins.join(', ');
    onChange();
    return new Promise((resolve) => resolve(ask(origins.map((o) => `${o}/*`))))
      .catch((e) => String(e?.message || e))
      .finally(() => {
        keys.asking = '';
        onChange();
      });
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
        else
          got.error += `; access to ${target.origin} could not be asked (${granted}): click "Refetch keys" to be asked`;
      }
      if (got.network) {
        got.error = `the browser could not read it (${got.error}): blocked by CORS, or not reachable from this computer`;
        keys.blocked.add(target.origin);
      } else keys.blocked.delete(target.origin);
    }
    const at = Date.now() / 1000;
    if (got.error) session().setUnreachable(req.url, got.error, at);
    else session().setFetched(req.url, req.purpose, req.issuer, got.type, got.status, got.body, at);
    keys.fetched.delete(req.url);
    keys.fetched.set(req.url, { purpose: req.purpose, issuer: req.issuer, at, error: got.error || '' });
    while (keys.fetched.size > MAX_FETCHED) keys.fetched.delete(keys.fetched.keys().next().value);
    keys.lastIssuer = req.issuer;
    onChange();
  }

  /**
   * Fetches what the engine asks for, round after round. `ask` (the panel's permission request) only when the user
   * clicked; `refetch` first fetches again what was fetched for the latest issuer (the engine overwrites by URL).
   */
  async function checkKeys({ ask = null, refetch = false } = {}) {
    if (!session() || keys.running) return;
    keys.running = true;
    onChange();
    try {
      if (refetch) {
        const again = [...keys.fetched]
          .filter(([, f]) => f.issuer === keys.lastIssuer)
          .map(([url, f]) => ({ url, purpose: f.purpose, issuer: f.issuer }));
        for (const req of again) await fetchKeyDocument(req, ask);
      }
      const seen = new Set();
      for (let round = 0; round < KEY_ROUNDS; round++) {
        // Each URL once per check: an answer the engine cannot use must not make this loop.
        const requests = pendingKeyRequests().filter((r) => typeof r?.url === 'string' && !seen.has(r.url));
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
      onChange();
    }
  }

  return {
    /**
     * The user clicked "Check the signature" (or "Refetch"); `ask` is the panel's permission request. Origins a
     * previous fetch could not read are asked for first, synchronously in the click's chain, before anything awaits.
     */
    checkByUser(ask, refetch) {
      const first = keys.blocked.size && ask ? askAccess(ask, [...keys.blocked]) : null;
      // Refused (or not askable): this check does not ask again.
      return Promise.resolve(first).then((granted) =>
        checkKeys({ ask: first && granted !== true ? null : ask, refetch: !!refetch }),
      );
    },

    /** With the user's opt-in for this app, checks as soon as a token needs keys (never asking for permissions). */
    maybeAutoCheck() {
      if (keys.autoTimer || keys.running || !session() || !autoOn()) return;
      keys.autoTimer = timers.setTimeout(() => {
        keys.autoTimer = 0;
        // Only URLs not fetched yet: the automatic check never repeats itself (the user's "Refetch" does).
        if (pendingKeyRequests().some((r) => !keys.fetched.has(r.url))) checkKeys();
      }, AUTO_DELAY_MS);
    },

    /** What the panel shows about keys (the contract's `KeyState`). */
    state: () => ({
      pending: session() ? pendingKeyRequests() : [],
      fetched: [...keys.fetched].map(([url, f]) => ({ url, ...f })),
      blocked: [...keys.blocked],
      auto: autoOn(),
      running: keys.running,
      asking: keys.asking,
    }),
  };
}
