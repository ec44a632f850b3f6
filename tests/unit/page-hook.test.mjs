// The page hook (extension/hook/page.js) in a Node vm with stand-ins for the browser's WebSocket, fetch and
// XMLHttpRequest: it must hand the app exactly what the browser's own functions give (same objects, same errors,
// same arguments), watch Convex traffic only, and report it as HOOK_EVENT records.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { HOOK_EVENT } from '../../extension/contract.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = readFileSync(path.join(ROOT, 'extension', 'hook', 'page.js'), 'utf8');
const SYNC = 'wss://happy-otter-123.convex.cloud/api/1.49.0/sync';
const QUERY = 'https://happy-otter-123.convex.cloud/api/query';

/** The browser's WebSocket, as far as the hook and the tests use it. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  #binaryType = 'blob';
  constructor(url, protocols) {
    super();
    this.url = new URL(url).href;
    this.protocols = protocols;
    this.readyState = 0;
    this.protocol = '';
    this.extensions = '';
    this.sent = [];
    /** Every write to binaryType, by whoever made it. */
    this.binaryTypeWrites = [];
  }
  get binaryType() {
    return this.#binaryType;
  }
  set binaryType(value) {
    this.binaryTypeWrites.push(value);
    this.#binaryType = value;
  }
  send(data) {
    if (this.readyState !== 1) throw new Error('InvalidStateError: still connecting');
    this.sent.push(data);
  }
}

class FakeXhr extends EventTarget {
  open(method, url) {
    this.args = [method, url];
  }
  setRequestHeader(name, value) {
    this.headers = [...(this.headers ?? []), [name, value]];
  }
  send(body) {
    this.body = body;
    this.responseType = '';
    this.status = 401;
    this.responseText = '{"code":"Unauthenticated"}';
    this.getAllResponseHeaders = () => 'content-type: application/json\r\nx-a: b\r\n';
  }
}

/** Runs page.js against a fresh window; returns the window and the records it reported. */
function loadHook({ fetch }) {
  const window = new EventTarget();
  Object.assign(window, {
    WebSocket: FakeSocket,
    fetch,
    XMLHttpRequest: FakeXhr,
    Request,
    location: { href: 'https://app.example/page' },
  });
  const records = [];
  window.addEventListener(HOOK_EVENT, (e) => records.push(JSON.parse(e.detail)));
  const context = vm.createContext({ window, location: window.location, EventTarget, CustomEvent, URL, TextDecoder });
  vm.runInContext(SOURCE, context);
  // Injected twice (registered and executed): still one hook.
  vm.runInContext(SOURCE, context);
  return { window, records };
}

test('WebSocket: the same constructor for the app (arguments, instanceof, statics, subclasses); Convex sockets watched', () => {
  const { window, records } = loadHook({ fetch: async () => new Response('') });
  const WS = window.WebSocket;
  assert.equal(WS.name, 'FakeSocket');
  assert.equal(WS.OPEN, 1);
  assert.equal(WS.prototype, FakeSocket.prototype);
  const ws = new WS(SYNC, ['proto']);
  assert.ok(ws instanceof FakeSocket && ws instanceof WS);
  assert.deepEqual(ws.protocols, ['proto']);
  // Sending too early throws the browser's own error, and nothing is reported.
  assert.throws(() => ws.send('early'), /InvalidStateError/);
  ws.dispatchEvent(new Event('open'));
  ws.readyState = 1;
  assert.equal(ws.send('{"type":"Connect"}'), undefined);
  assert.deepEqual(ws.sent, ['{"type":"Connect"}']);
  ws.dispatchEvent(new MessageEvent('message', { data: '{"type":"Transition"}' }));
  ws.dispatchEvent(new MessageEvent('message', { data: new ArrayBuffer(2) }));
  ws.dispatchEvent(Object.assign(new Event('close'), { code: 1000, reason: '' }));
  assert.deepEqual(records, [
    { type: 'ws-new', sid: 1, url: SYNC },
    { type: 'ws-frame', sid: 1, dir: 'send', data: '{"type":"Connect"}' },
    { type: 'ws-frame', sid: 1, dir: 'receive', data: '{"type":"Transition"}' },
    { type: 'ws-close', sid: 1, code: 1000, reason: '', opened: true },
  ]);
  // Other sockets: untouched, unreported.
  const chat = new WS('wss://chat.example/socket');
  chat.readyState = 1;
  chat.send('hello');
  assert.deepEqual(chat.sent, ['hello']);
  class Mine extends WS {}
  const mine = new Mine(SYNC);
  assert.ok(mine instanceof Mine && mine instanceof FakeSocket);
  assert.equal(records.length, 5);
  assert.deepEqual(records[4], { type: 'ws-new', sid: 2, url: SYNC });
});

test("fetch: other requests get the browser's own promise; Convex calls the same response, body unread", async () => {
  const answers = [];
  const fetch = (input, init) => {
    const p = Promise.resolve(
      new Response('{"status":"success","value":1}', { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    answers.push({ input, init, p });
    return p;
  };
  const { window, records } = loadHook({ fetch });
  const other = window.fetch('https://example.com/data', { method: 'GET' });
  assert.equal(other, answers[0].p, 'the very same promise');
  const init = {
    method: 'POST',
    headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
    body: '{}',
  };
  const res = await window.fetch(QUERY, init);
  assert.equal(answers[1].init, init, 'the same arguments');
  assert.equal(res, await answers[1].p, 'the same response object');
  assert.equal(await res.text(), '{"status":"success","value":1}', 'the app reads the whole body');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(records, [
    { type: 'http-start', rid: 1 },
    {
      type: 'http',
      rid: 1,
      url: QUERY,
      method: 'POST',
      request_headers: [
        ['Authorization', 'Bearer t'],
        ['Content-Type', 'application/json'],
      ],
      request_body: '{}',
      status: 200,
      response_headers: [['content-type', 'application/json']],
      response_body: '{"status":"success","value":1}',
    },
  ]);
});

test('fetch: a failure reaches the app as the same error; it is reported with status 0', async () => {
  const error = new TypeError('Failed to fetch');
  const { window, records } = loadHook({ fetch: () => Promise.reject(error) });
  await assert.rejects(window.fetch(QUERY, { method: 'POST', body: '{}' }), (e) => e === error);
  assert.deepEqual(
    records.map((r) => [r.type, r.status]),
    [
      ['http-start', undefined],
      ['http', 0],
    ],
  );
});

test('XMLHttpRequest: calls pass through with their arguments; Convex calls are reported at loadend', () => {
  const { window, records } = loadHook({ fetch: async () => new Response('') });
  const xhr = new window.XMLHttpRequest();
  xhr.open('post', QUERY, true);
  xhr.setRequestHeader('Authorization', 'Bearer t');
  xhr.send('{"path":"a:b"}');
  assert.deepEqual(xhr.args, ['post', QUERY]);
  assert.deepEqual(xhr.headers, [['Authorization', 'Bearer t']]);
  assert.equal(xhr.body, '{"path":"a:b"}');
  xhr.dispatchEvent(new Event('loadend'));
  assert.deepEqual(records.at(-1), {
    type: 'http',
    rid: 1,
    url: QUERY,
    method: 'POST',
    request_headers: [['Authorization', 'Bearer t']],
    request_body: '{"path":"a:b"}',
    status: 401,
    response_headers: [
      ['content-type', 'application/json'],
      ['x-a', 'b'],
    ],
    response_body: '{"code":"Unauthenticated"}',
  });
  const other = new window.XMLHttpRequest();
  other.open('GET', 'https://example.com/x');
  other.send(null);
  other.dispatchEvent(new Event('loadend'));
  assert.equal(records.length, 2, 'only the Convex call');
});

/** A Convex socket as the app sees it once the browser opened it (the handshake agreed `protocol`/`extensions`). */
function openSocket(WS) {
  const ws = new WS(SYNC);
  ws.protocol = 'convex';
  ws.extensions = 'permessage-deflate';
  ws.readyState = 1;
  ws.dispatchEvent(new Event('open'));
  return ws;
}

test('WebSocket: the constructor looks native to the app (constants, prototype.constructor, length)', () => {
  const { window } = loadHook({ fetch: async () => new Response('') });
  const WS = window.WebSocket;
  assert.deepEqual([WS.CONNECTING, WS.OPEN, WS.CLOSING, WS.CLOSED], [0, 1, 2, 3]);
  assert.equal(WS.length, FakeSocket.length);
  assert.equal(WS.prototype.constructor, WS, 'WebSocket.prototype.constructor === WebSocket, as without the hook');
  const ws = new WS(SYNC);
  assert.equal(ws.constructor, WS);
  assert.equal(Object.getPrototypeOf(ws), WS.prototype);
  assert.equal(WS.prototype.send.name, 'send');
  assert.equal(WS.prototype.send.length, 1);
  assert.equal(window.fetch.name, 'fetch');
  assert.equal(window.fetch.length, 1);
});

test("WebSocket: the hook never writes to a socket (binaryType, readyState, protocol, extensions stay the browser's)", () => {
  const { window, records } = loadHook({ fetch: async () => new Response('') });
  const ws = openSocket(window.WebSocket);
  assert.deepEqual(ws.binaryTypeWrites, [], 'nothing set binaryType');
  ws.binaryType = 'arraybuffer'; // the app's choice stays
  ws.send('{"type":"Connect"}');
  ws.dispatchEvent(new MessageEvent('message', { data: new ArrayBuffer(4) }));
  ws.dispatchEvent(new MessageEvent('message', { data: '{"type":"Ping"}' }));
  assert.deepEqual(ws.binaryTypeWrites, ['arraybuffer']);
  assert.equal(ws.binaryType, 'arraybuffer');
  assert.deepEqual([ws.readyState, ws.protocol, ws.extensions, ws.url], [1, 'convex', 'permessage-deflate', SYNC]);
  // Own properties: only the ones the browser (the fake) made; the hook keeps its state outside the socket.
  assert.deepEqual(Object.keys(ws).sort(), [
    'binaryTypeWrites',
    'extensions',
    'protocol',
    'protocols',
    'readyState',
    'sent',
    'url',
  ]);
  assert.equal(records.filter((r) => r.type === 'ws-frame').length, 2, 'the two text frames, not the binary one');
});

test("WebSocket: the app's listeners get every event, the same objects, in order, never cancelled or stopped", () => {
  const { window, records } = loadHook({ fetch: async () => new Response('') });
  const ws = new window.WebSocket(SYNC);
  const seen = [];
  for (const type of ['open', 'message', 'close', 'error']) {
    ws.addEventListener(type, (e) => seen.push(['first', type, e]));
    ws.addEventListener(type, (e) => seen.push(['second', type, e, e.defaultPrevented]));
  }
  const events = [
    new Event('open'),
    new MessageEvent('message', { data: '{"type":"Transition","n":1}' }),
    new MessageEvent('message', { data: '{"type":"Transition","n":2}' }),
    new Event('error'),
    Object.assign(new Event('close', { cancelable: true }), { code: 1006, reason: '' }),
  ];
  ws.readyState = 1;
  for (const e of events) {
    assert.equal(ws.dispatchEvent(e), true, 'not cancelled');
  }
  assert.deepEqual(
    seen.map(([who, type, e, prevented]) => [who, type, events.indexOf(e), prevented]),
    [
      ['first', 'open', 0, undefined],
      ['second', 'open', 0, false],
      ['first', 'message', 1, undefined],
      ['second', 'message', 1, false],
      ['first', 'message', 2, undefined],
      ['second', 'message', 2, false],
      ['first', 'error', 3, undefined],
      ['second', 'error', 3, false],
      ['first', 'close', 4, undefined],
      ['second', 'close', 4, false],
    ],
  );
  assert.equal(events[1].data, '{"type":"Transition","n":1}', 'the frame as the browser gave it');
  // Reported in the order they happened.
  assert.deepEqual(
    records.map((r) => r.type + (r.data ? ` ${JSON.parse(r.data).n}` : '')),
    ['ws-new', 'ws-frame 1', 'ws-frame 2', 'ws-close'],
  );
});

test('WebSocket: two sockets of one page keep their own numbers, and their frames are reported as they interleave', () => {
  const { window, records } = loadHook({ fetch: async () => new Response('') });
  const a = openSocket(window.WebSocket);
  const b = openSocket(window.WebSocket);
  a.send('{"type":"Authenticate","n":1}');
  b.send('{"type":"Connect","n":2}');
  b.dispatchEvent(new MessageEvent('message', { data: '{"type":"Transition","n":3}' }));
  a.dispatchEvent(new MessageEvent('message', { data: '{"type":"Transition","n":4}' }));
  b.dispatchEvent(Object.assign(new Event('close'), { code: 1000, reason: '' }));
  assert.deepEqual(
    records.map((r) => [r.type, r.sid, r.data ? JSON.parse(r.data).n : null]),
    [
      ['ws-new', 1, null],
      ['ws-new', 2, null],
      ['ws-frame', 1, 1],
      ['ws-frame', 2, 2],
      ['ws-frame', 2, 3],
      ['ws-frame', 1, 4],
      ['ws-close', 2, null],
    ],
  );
});

test('WebSocket: a send that fails (a closed socket) throws the same error and reports nothing', () => {
  const { window, records } = loadHook({ fetch: async () => new Response('') });
  const ws = openSocket(window.WebSocket);
  ws.readyState = 3;
  assert.throws(() => ws.send('{"type":"Connect"}'), /InvalidStateError/);
  assert.deepEqual(
    records.map((r) => r.type),
    ['ws-new'],
  );
});

test('fetch: the response reaches the app unread (bodyUsed false, status, headers), and it can read it as it likes', async () => {
  const body = JSON.stringify({ status: 'success', value: 'x'.repeat(100_000) });
  const fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  const { window, records } = loadHook({ fetch });
  const res = await window.fetch(QUERY, { method: 'POST', body: '{}' });
  assert.equal(res.bodyUsed, false);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(await res.json(), JSON.parse(body));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(records.at(-1).response_body, body, 'the hook read its own copy');
  // A body the app reads as a stream, chunk by chunk, while the hook reads its copy.
  const streamed = await window.fetch(QUERY, { method: 'POST', body: '{}' });
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of streamed.body) text += decoder.decode(chunk, { stream: true });
  assert.equal(text, body);
});

test('fetch: a body over the bound is left alone (no copy is read) and still reaches the app whole', async () => {
  const big = 'y'.repeat(300 * 1024);
  const fetch = async () =>
    new Response(big, { headers: { 'content-type': 'text/plain', 'content-length': String(big.length) } });
  const { window, records } = loadHook({ fetch });
  const res = await window.fetch(QUERY);
  assert.equal(await res.text(), big);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(records.at(-1).response_body, null);
});

test('fetch and XHR: other URLs (other hosts, non-API paths, a page object as URL) are never inspected', async () => {
  let calls = 0;
  const fetch = async () => {
    calls += 1;
    return new Response('{}', { headers: { 'content-type': 'application/json' } });
  };
  const { window, records } = loadHook({ fetch });
  // An object whose toString has side effects: the hook must not call it.
  let stringified = 0;
  const sneaky = {
    toString() {
      stringified += 1;
      return QUERY;
    },
  };
  await window.fetch(sneaky);
  await window.fetch('https://happy-otter-123.convex.cloud/assets/app.js');
  await window.fetch('/local/api/thing');
  assert.equal(calls, 3);
  assert.equal(stringified, 0);
  const ws = new window.WebSocket('wss://happy-otter-123.convex.cloud/other');
  ws.readyState = 1;
  ws.send('x');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(records, []);
});
