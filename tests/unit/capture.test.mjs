// The capture logic of the devtools page (extension/devtools/capture.js): HAR entries as Chrome delivers them
// (getHAR() polls and onRequestFinished) become engine events, each frame once, per socket, per page load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCapture, isSocket, MAX_BODY, wallSeconds } from '../../extension/devtools/capture.js';

const NOW = 1_800_000_000;
const SYNC = 'ws://127.0.0.1:3210/api/1.49.0/sync';
/** A stand-in for the engine's isConvexUrl: the sync socket and the HTTP API. */
const isConvexUrl = (url) => /\/api\//.test(url);

function setup() {
  const events = [];
  const stats = { frames: 0, http: 0, harEntries: 0 };
  const capture = createCapture({ isConvexUrl, emit: (evs) => events.push(...evs), stats, now: () => NOW });
  return { capture, events, stats };
}

/** A WebSocket entry the way getHAR() shows it (`_webSocketMessages`, epoch-second times). */
function socket(messages, { url = SYNC, started = '2026-11-29T10:00:00.000Z', time, status = 101, error } = {}) {
  return {
    _resourceType: 'websocket',
    startedDateTime: started,
    time,
    request: { url, method: 'GET', headers: [] },
    response: { status, ...(error ? { _error: error } : {}) },
    _webSocketMessages: messages,
  };
}
const frame = (type, data, time = NOW - 10) => ({ type, opcode: 1, data, time });

test('a socket is read again on every poll, and only frames not seen before are handed on', () => {
  const { capture, events, stats } = setup();
  const msgs = [frame('send', '{"type":"Connect"}'), frame('receive', '{"type":"Transition"}')];
  assert.equal(capture.ingestHar({ entries: [socket(msgs)] }, false), 2);
  assert.deepEqual(
    events.map((e) => [e.kind, e.socket, e.direction, e.data]),
    [
      ['ws_frame', 'ws1', 'send', '{"type":"Connect"}'],
      ['ws_frame', 'ws1', 'receive', '{"type":"Transition"}'],
    ],
  );
  // The next poll: the same entry with one more frame.
  msgs.push(frame('send', '{"type":"Authenticate"}'));
  assert.equal(capture.ingestHar({ entries: [socket(msgs)] }, false), 1);
  assert.equal(events.length, 3);
  assert.equal(events[2].data, '{"type":"Authenticate"}');
  // Nothing new: nothing handed on.
  assert.equal(capture.ingestHar({ entries: [socket(msgs)] }, false), 0);
  assert.equal(events.length, 3);
  assert.equal(stats.frames, 3);
  assert.equal(stats.harEntries, 1);
  assert.equal(capture.socketCount(), 1);
});

test('binary frames and non-Convex sockets are not handed on', () => {
  const { capture, events } = setup();
  const msgs = [frame('send', 'text'), { type: 'receive', opcode: 2, data: 'AAEC', time: NOW }];
  capture.ingestHar(
    { entries: [socket(msgs), socket([frame('send', 'x')], { url: 'wss://example.com/chat' })] },
    false,
  );
  assert.deepEqual(
    events.map((e) => e.data),
    ['text'],
  );
  assert.equal(capture.socketCount(), 1);
});

test('sockets that never connected share one startedDateTime: each gets its own number, in log order', () => {
  const { capture, events } = setup();
  // Chrome gives a socket whose handshake failed the start 1969-12-31T23:59:59Z, and one "error" message.
  const failed = (reason) =>
    socket([{ type: 'error', data: reason, time: 0 }], { started: '1969-12-31T23:59:59.000Z' });
  capture.ingestHar({ entries: [failed('refused 1')] }, false);
  capture.ingestHar({ entries: [failed('refused 1'), failed('refused 2')] }, false);
  capture.ingestHar({ entries: [failed('refused 1'), failed('refused 2'), failed('refused 3')] }, false);
  assert.deepEqual(
    events.map((e) => [e.kind, e.socket, e.reason]),
    [
      ['ws_close', 'ws1', 'refused 1'],
      ['ws_close', 'ws2', 'refused 2'],
      ['ws_close', 'ws3', 'refused 3'],
    ],
  );
  // No real wall time (1969, time 0): the close is dated now.
  for (const e of events) assert.equal(e.time, NOW);
});

test('a socket that closes: its last frames and one close, timed by the entry, never after now', () => {
  const { capture, events } = setup();
  const msgs = [frame('send', 'a', NOW - 20)];
  capture.ingestHar({ entries: [socket(msgs)] }, false);
  msgs.push(frame('receive', 'b', NOW - 19));
  // onRequestFinished: the entry started 10:00:00 and lasted 2.5 s.
  const started = Date.parse('2026-11-29T10:00:00.000Z') / 1000;
  const fresh = capture.ingestFinished(socket(msgs, { time: 2500 }));
  assert.equal(fresh, 2, 'one new frame, plus the close');
  assert.deepEqual(
    events.map((e) => [e.kind, e.data ?? null]),
    [
      ['ws_frame', 'a'],
      ['ws_frame', 'b'],
      ['ws_close', null],
    ],
  );
  assert.equal(events[2].time, Math.min(Math.max(started + 2.5, NOW - 19), NOW));
  // Reported finished again (or seen in a poll after): no second close.
  capture.ingestFinished(socket(msgs, { time: 2500 }));
  capture.ingestHar({ entries: [socket(msgs)] }, false);
  assert.equal(events.length, 3);
});

test("a socket that failed (status 0) closes with the browser's reason", () => {
  const { capture, events } = setup();
  capture.ingestFinished(socket([], { status: 0, error: 'net::ERR_CONNECTION_REFUSED' }));
  assert.equal(events.length, 1);
  assert.equal(events[0].kind, 'ws_close');
  assert.equal(events[0].reason, 'net::ERR_CONNECTION_REFUSED');
});

test("after a navigation the old page's sockets are stale: their late frames and close are not handed on", () => {
  const { capture, events } = setup();
  const old = [frame('send', 'old 1')];
  capture.ingestHar({ entries: [socket(old)] }, false);
  capture.navigated();
  old.push(frame('receive', 'old 2'));
  capture.ingestHar({ entries: [socket(old)] }, false);
  assert.equal(capture.ingestFinished(socket(old, { time: 100 })), 0);
  assert.deepEqual(
    events.map((e) => e.data),
    ['old 1'],
  );
  // The new page's socket (another start time) counts on from the old numbers.
  capture.ingestHar({ entries: [socket([frame('send', 'new')], { started: '2026-11-29T10:01:00.000Z' })] }, false);
  assert.deepEqual(
    events.map((e) => [e.socket, e.data]),
    [
      ['ws1', 'old 1'],
      ['ws2', 'new'],
    ],
  );
  // A stale socket is forgotten at the navigation after.
  assert.equal(capture.socketCount(), 2);
  capture.navigated();
  assert.equal(capture.socketCount(), 1);
});

/** A fetch/XHR entry, with getContent() as onRequestFinished gives it. */
function http(url, { method = 'POST', body, content = '{"status":"success"}', encoding, status = 200 } = {}) {
  return {
    _resourceType: 'fetch',
    startedDateTime: '2026-11-29T10:00:05.000Z',
    request: {
      url,
      method,
      headers: [{ name: 'Authorization', value: 'Bearer x' }],
      postData: body ? { text: body } : undefined,
    },
    response: { status, headers: [{ name: 'content-type', value: 'application/json' }] },
    getContent: (done) => done(content, encoding),
  };
}

test('HTTP calls to Convex become one event each, with bounded bodies; the start-up HAR does not double them', () => {
  const { capture, events, stats } = setup();
  const call = http('http://127.0.0.1:3210/api/query', { body: '{"path":"a:b"}' });
  capture.ingestHar({ entries: [call] }, true);
  capture.ingestFinished(call); // the same exchange, reported again by onRequestFinished
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], {
    kind: 'http',
    url: 'http://127.0.0.1:3210/api/query',
    method: 'POST',
    time: Date.parse('2026-11-29T10:00:05.000Z') / 1000,
    request_headers: [['Authorization', 'Bearer x']],
    status: 200,
    response_headers: [['content-type', 'application/json']],
    request_body: '{"path":"a:b"}',
    response_body: '{"status":"success"}',
  });
  assert.equal(stats.http, 1);
  // Polls do not read HTTP entries; other sites' requests are never read.
  capture.ingestHar({ entries: [http('http://127.0.0.1:3210/api/mutation')] }, false);
  capture.ingestFinished(http('https://example.com/api-less'));
  assert.equal(events.length, 1);
  // Too large, or binary: the body stays out, the exchange is still there.
  capture.ingestFinished(http('http://127.0.0.1:3210/api/action', { content: 'x'.repeat(MAX_BODY + 1) }));
  capture.ingestFinished(http('http://127.0.0.1:3210/api/run', { content: 'AAAA', encoding: 'base64' }));
  assert.deepEqual(
    events.slice(1).map((e) => [e.url, 'response_body' in e]),
    [
      ['http://127.0.0.1:3210/api/action', false],
      ['http://127.0.0.1:3210/api/run', false],
    ],
  );
  // After a navigation the same URL and start time is a new exchange (a cached page load).
  capture.navigated();
  capture.ingestFinished(call);
  assert.equal(events.length, 4);
});

test('entries without a request, and odd shapes, are skipped without throwing', () => {
  const { capture, events } = setup();
  assert.equal(capture.ingestHar(null, true), 0);
  assert.equal(capture.ingestHar({ entries: [null, {}, { request: null }] }, true), 0);
  assert.equal(capture.ingestFinished({}), 0);
  const weird = socket([null, { type: 'send', opcode: 1, time: 'x' }]);
  capture.ingestHar({ entries: [weird] }, false);
  assert.deepEqual(events, [{ kind: 'ws_frame', socket: 'ws1', url: SYNC, direction: 'send', time: NOW, data: '' }]);
});

test('wallSeconds and isSocket', () => {
  assert.equal(wallSeconds(1.7e9, NOW), 1.7e9);
  assert.equal(wallSeconds(-1, NOW), NOW);
  assert.equal(wallSeconds(Number.NaN, NOW), NOW);
  assert.equal(isSocket({ request: { url: 'wss://x.convex.cloud/api/1/sync' } }), true);
  assert.equal(isSocket({ _resourceType: 'websocket', request: { url: 'https://x' } }), true);
  assert.equal(isSocket({ request: { url: 'https://x.convex.cloud/api/query' } }), false);
});

test('issue 13: the engine decides what else is captured; cookies go without bodies; polls pick up blocked calls', () => {
  const events = [];
  const stats = { frames: 0, http: 0, harEntries: 0 };
  // What the engine's httpInterest answers (crate/src/traffic/around.rs): here a stand-in with the same contract.
  const httpInterest = (url, cookie) =>
    /\/api\/|\/http\/|\/convex\/token/.test(url) ? 2 : /__convexAuthJWT=/.test(cookie) ? 1 : 0;
  const capture = createCapture({
    isConvexUrl,
    httpInterest,
    emit: (evs) => events.push(...evs),
    stats,
    now: () => NOW,
  });
  const entry = (url, { method = 'GET', status = 200, headers = [], error } = {}) => ({
    startedDateTime: '2026-11-29T10:00:01.000Z',
    request: { url, method, headers, postData: { text: 'body' } },
    response: { status, headers: [], ...(error ? { _error: error } : {}), content: { text: 'answer' } },
  });
  // A page request with an auth cookie: headers only, no bodies.
  capture.ingestFinished(
    entry('http://127.0.0.1:5173/dashboard', { headers: [{ name: 'Cookie', value: '__convexAuthJWT=a.b.c' }] }),
  );
  // A request the engine does not want.
  capture.ingestFinished(
    entry('http://127.0.0.1:5173/logo.png', { headers: [{ name: 'Cookie', value: 'theme=dark' }] }),
  );
  assert.deepEqual(
    events.map((e) => [e.url, 'request_body' in e, 'response_body' in e]),
    [['http://127.0.0.1:5173/dashboard', false, false]],
  );
  // A poll (getHAR, no HTTP at start): a preflight and a blocked call to an HTTP action are taken, an in-flight one
  // (no status, no error) and a Convex call (onRequestFinished brings it with its body) are not.
  capture.ingestHar(
    {
      entries: [
        entry('http://127.0.0.1:3210/http/whoami', { method: 'OPTIONS', status: 404 }),
        entry('http://127.0.0.1:3210/http/stream', { status: 0, error: 'net::ERR_FAILED' }),
        entry('http://127.0.0.1:3210/http/slow', { status: 0 }),
        entry('http://127.0.0.1:3210/api/query'),
      ],
    },
    false,
  );
  assert.deepEqual(
    events.slice(1).map((e) => [e.method, e.url, e.status]),
    [
      ['OPTIONS', 'http://127.0.0.1:3210/http/whoami', 404],
      ['GET', 'http://127.0.0.1:3210/http/stream', 0],
    ],
  );
});

test('a frame longer than the engine reads is handed on as its length only, never copied into the engine', () => {
  const events = [];
  const stats = { frames: 0, http: 0, harEntries: 0 };
  const capture = createCapture({
    isConvexUrl,
    emit: (evs) => events.push(...evs),
    stats,
    maxFrame: () => 16,
    now: () => NOW,
  });
  const big = 'x'.repeat(17);
  capture.ingestHar({ entries: [socket([frame('receive', big), frame('send', 'x'.repeat(16))])] }, false);
  assert.deepEqual(events[0], {
    kind: 'ws_frame_too_large',
    socket: 'ws1',
    url: SYNC,
    direction: 'receive',
    time: NOW - 10,
    bytes: 17,
  });
  assert.equal(events[1].kind, 'ws_frame');
  assert.equal(events[1].data.length, 16);
});

test("Firefox's socket entry (the upgrade, reported at once, no frames) makes no event: not a closed socket", () => {
  // The shape Firefox ESR 153's devtools.network gives (onRequestFinished right after the 101, and getHAR()): no
  // `_resourceType`, no `_webSocketMessages`. Read as Chrome's, it would be a socket closed before any frame.
  const { capture, events, stats } = setup();
  const entry = {
    startedDateTime: '2026-11-29T10:00:00.000Z',
    time: 3,
    request: { url: SYNC, method: 'GET', headers: [{ name: 'Upgrade', value: 'websocket' }] },
    response: { status: 101, headers: [] },
  };
  assert.equal(capture.ingestFinished(entry), 0);
  assert.equal(capture.ingestHar({ entries: [entry] }, true), 0);
  assert.deepEqual(events, []);
  assert.equal(capture.socketCount(), 0);
  assert.ok(stats.framelessSockets > 0, 'counted: the panel then points to live capture');
});
