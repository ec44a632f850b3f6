// The page-world hook ("live capture"): runs in the inspected app's own JavaScript world at document_start, only on
// an origin the user turned live capture on for (extension/devtools/live-capture.js registers it). It watches the
// app's Convex traffic — sync WebSockets and fetch/XHR calls to the HTTP API — and tells the extension's relay
// (hook/relay.js, in the isolated world) about it through HOOK_EVENT on `window`.
//
// It never changes what the app sends or receives: every wrapper calls the browser's own function with the same
// `this` and arguments and returns what it returns; a response body is read from a clone; nothing is ever retried,
// delayed or rewritten. Other traffic is passed through untouched. The page can read and forge these events (it
// shares this world): what they say is judged as the frames the page could send anyway (extension/contract.js).
//
// A classic script (content scripts cannot be modules): everything stays inside this function.
(() => {
  /** Keep in step with HOOK_EVENT in extension/contract.js. */
  const HOOK_EVENT = 'convex-auth-doctor:hook';
  /** Larger frames and bodies are reported without their text (the doctor reads auth messages, not data). */
  const MAX_TEXT = 1024 * 1024;
  /** HTTP bodies above this are not read at all (the capture through DevTools uses the same bound). */
  const MAX_BODY = 256 * 1024;
  const marker = Symbol.for('convex-auth-doctor.hook');
  if (window[marker]) return; // injected twice (registered and executed): one hook is enough
  Object.defineProperty(window, marker, { value: true });

  // The browser's own functions, taken before any of the page's scripts run.
  const NativeWebSocket = window.WebSocket;
  const nativeSend = NativeWebSocket?.prototype.send;
  const nativeFetch = window.fetch;
  const Xhr = window.XMLHttpRequest;
  const xhrOpen = Xhr?.prototype.open;
  const xhrSend = Xhr?.prototype.send;
  const xhrSetHeader = Xhr?.prototype.setRequestHeader;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const listen = EventTarget.prototype.addEventListener;
  const Custom = CustomEvent;
  const stringify = JSON.stringify;
  const NativeURL = URL;
  const NativeRequest = window.Request;

  function emit(record) {
    try {
      Reflect.apply(dispatch, window, [new Custom(HOOK_EVENT, { detail: stringify(record) })]);
    } catch {
      /* never let the hook break the app */
    }
  }

  /** The URL as an absolute string, or '' (never calls a page object's toString: only strings, URLs, Requests). */
  function urlOf(input) {
    try {
      if (typeof input === 'string') return new NativeURL(input, location.href).href;
      if (input instanceof NativeURL) return input.href;
      if (NativeRequest && input instanceof NativeRequest) return input.url;
    } catch {
      /* not a URL */
    }
    return '';
  }

  /**
   * Convex's sync socket (`/api/<version>/sync`) and HTTP API (`/api/…`). A wide first cut: the devtools page
   * applies the engine's own `isConvexUrl` to everything it gets.
   */
  function isConvexSocket(url) {
    return /^wss?:\/\/[^/?#]+\/api\/(?:[^/?#]+\/)?sync\/?(?:[?#]|$)/i.test(url);
  }
  function isConvexHttp(url) {
    return /^https?:\/\/[^/?#]+\/api\//i.test(url);
  }

  const text = (value) => (typeof value === 'string' && value.length <= MAX_TEXT ? value : null);

  // ---- WebSocket: a constructor that watches Convex sockets, and `send` ----

  const socketIds = new WeakMap();
  let socketCount = 0;

  function watchSocket(ws) {
    const url = ws.url;
    if (!isConvexSocket(url)) return;
    socketCount += 1;
    const sid = socketCount;
    socketIds.set(ws, sid);
    let opened = false;
    emit({ type: 'ws-new', sid, url });
    Reflect.apply(listen, ws, ['open', () => (opened = true)]);
    Reflect.apply(listen, ws, [
      'message',
      (e) => {
        // Binary frames are not part of the sync protocol's text messages; HAR capture skips them too.
        if (typeof e.data === 'string') emit({ type: 'ws-frame', sid, dir: 'receive', data: text(e.data) });
      },
    ]);
    Reflect.apply(listen, ws, [
      'close',
      (e) => emit({ type: 'ws-close', sid, code: e.code, reason: text(e.reason), opened }),
    ]);
  }

  if (NativeWebSocket && nativeSend) {
    // A Proxy keeps everything of the constructor (name, constants, prototype, `instanceof`, subclassing).
    const HookedWebSocket = new Proxy(NativeWebSocket, {
      construct(target, args, newTarget) {
        const ws = Reflect.construct(target, args, newTarget);
        try {
          watchSocket(ws);
        } catch {
          /* never let the hook break the app */
        }
        return ws;
      },
    });
    window.WebSocket = HookedWebSocket;
    // As in a page without the hook, `WebSocket.prototype.constructor === WebSocket` and `ws.constructor === WebSocket`.
    NativeWebSocket.prototype.constructor = HookedWebSocket;
    NativeWebSocket.prototype.send = function send(data, ...rest) {
      const sid = socketIds.get(this);
      const open = sid !== undefined && this.readyState === 1;
      const result = Reflect.apply(nativeSend, this, [data, ...rest]);
      if (open && typeof data === 'string') emit({ type: 'ws-frame', sid, dir: 'send', data: text(data) });
      return result;
    };
  }

  // ---- HTTP: fetch and XMLHttpRequest, Convex URLs only ----

  let requestCount = 0;

  /** Header pairs from a Headers object, an array of pairs, or a plain object; [] for anything else. */
  function headerPairs(headers) {
    const out = [];
    try {
      if (!headers) return out;
      if (typeof headers.forEach === 'function' && !Array.isArray(headers)) {
        headers.forEach((value, name) => {
          out.push([String(name), String(value)]);
        });
      } else if (Array.isArray(headers)) {
        for (const pair of headers)
          if (Array.isArray(pair) && pair.length === 2) out.push([String(pair[0]), String(pair[1])]);
      } else if (typeof headers === 'object') {
        for (const name of Object.keys(headers)) out.push([name, String(headers[name])]);
      }
    } catch {
      /* unreadable: none */
    }
    return out.slice(0, 100);
  }

  /** A response body as text, at most MAX_BODY, from a clone (the app's own body stays unread); null otherwise. */
  async function bodyOf(res) {
    const type = res.headers.get('content-type') || '';
    if (!/json|text|javascript/i.test(type) || Number(res.headers.get('content-length')) > MAX_BODY) return null;
    const copy = res.clone();
    if (!copy.body) return '';
    const reader = copy.body.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY) {
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

  if (typeof nativeFetch === 'function') {
    window.fetch = function fetch(input, ...rest) {
      const pending = Reflect.apply(nativeFetch, this, [input, ...rest]);
      let request = null;
      try {
        const url = urlOf(input);
        if (isConvexHttp(url)) {
          const init = rest[0] && typeof rest[0] === 'object' ? rest[0] : {};
          const fromRequest = NativeRequest && input instanceof NativeRequest ? input : null;
          requestCount += 1;
          request = {
            type: 'http',
            rid: requestCount,
            url,
            method: String(init.method || fromRequest?.method || 'GET').toUpperCase(),
            request_headers: headerPairs(init.headers || fromRequest?.headers),
            request_body: typeof init.body === 'string' && init.body.length <= MAX_BODY ? init.body : null,
          };
          emit({ type: 'http-start', rid: request.rid });
        }
      } catch {
        request = null;
      }
      if (!request) return pending;
      // The app gets a promise that settles as the browser's does, with the same response or error.
      return pending.then(
        (res) => {
          try {
            const done = { ...request, status: res.status, response_headers: headerPairs(res.headers) };
            bodyOf(res).then(
              (body) => emit({ ...done, response_body: body }),
              () => emit(done),
            );
          } catch {
            /* never let the hook break the app */
          }
          return res;
        },
        (error) => {
          emit({ ...request, status: 0, response_headers: [] });
          throw error;
        },
      );
    };
  }

  if (Xhr && xhrOpen && xhrSend && xhrSetHeader) {
    const xhrs = new WeakMap();
    Xhr.prototype.open = function open(method, url, ...rest) {
      try {
        const href = urlOf(typeof url === 'string' || url instanceof NativeURL ? url : '');
        xhrs.set(this, isConvexHttp(href) ? { method: String(method).toUpperCase(), url: href, headers: [] } : null);
      } catch {
        xhrs.delete(this);
      }
      return Reflect.apply(xhrOpen, this, [method, url, ...rest]);
    };
    Xhr.prototype.setRequestHeader = function setRequestHeader(name, value, ...rest) {
      const result = Reflect.apply(xhrSetHeader, this, [name, value, ...rest]);
      const req = xhrs.get(this);
      if (req && req.headers.length < 100) req.headers.push([String(name), String(value)]);
      return result;
    };
    Xhr.prototype.send = function send(body, ...rest) {
      const req = xhrs.get(this);
      if (req) {
        requestCount += 1;
        const rid = requestCount;
        emit({ type: 'http-start', rid });
        Reflect.apply(listen, this, [
          'loadend',
          () => {
            try {
              const responseText =
                (this.responseType === '' || this.responseType === 'text') && this.responseText.length <= MAX_BODY
                  ? this.responseText
                  : null;
              emit({
                type: 'http',
                rid,
                url: req.url,
                method: req.method,
                request_headers: req.headers,
                request_body: typeof body === 'string' && body.length <= MAX_BODY ? body : null,
                status: this.status,
                response_headers: this.getAllResponseHeaders()
                  .split('\r\n')
                  .filter(Boolean)
                  .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
                response_body: responseText,
              });
            } catch {
              /* never let the hook break the app */
            }
          },
        ]);
      }
      return Reflect.apply(xhrSend, this, [body, ...rest]);
    };
  }
})();
