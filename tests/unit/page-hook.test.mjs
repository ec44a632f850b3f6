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

/** The browser's WebSocket, as far as the hook uses it. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  constructor(url, protocols) {
    super();
    this.url = new URL(url).href;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
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
