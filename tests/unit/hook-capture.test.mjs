// Live capture's devtools side (extension/devtools/hook-capture.js): relay items → engine events. The record text
// comes from the page's world, so everything in it is checked; times are the relay's, never the page's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { socketNumbering } from '../../extension/devtools/capture.js';
import { createHookCapture, readHello } from '../../extension/devtools/hook-capture.js';

const NOW = 1_800_000_000;
const SYNC = 'wss://happy-otter-123.convex.cloud/api/1.49.0/sync';
const isConvexUrl = (url) => /^(wss?|https?):\/\/[^/]+\/api\//.test(url);

function setup() {
  const stats = { frames: 0, http: 0, hookRecords: 0, hookIgnored: 0 };
  const hook = createHookCapture({ isConvexUrl, newSocketId: socketNumbering(), stats });
  let seq = 0;
  /** Relay items for records (objects are stringified as the page hook does; strings are passed as they are). */
  const items = (...records) =>
    records.map((r) => ({ seq: ++seq, t: NOW - 5, raw: typeof r === 'string' ? r : JSON.stringify(r) }));
  return { hook, stats, items };
}

test("a socket's frames and close become engine events, timed by the relay", () => {
  const { hook, stats, items } = setup();
  hook.begin('load-1');
  const events = hook.ingest(
    'load-1',
    items(
      { type: 'ws-new', sid: 1, url: SYNC },
      { type: 'ws-frame', sid: 1, dir: 'send', data: '{"type":"Connect"}', time: 1 },
      { type: 'ws-frame', sid: 1, dir: 'receive', data: '{"type":"Transition"}' },
      { type: 'ws-close', sid: 1, code: 1000, reason: 'bye', opened: true },
      { type: 'ws-frame', sid: 1, dir: 'send', data: 'after the close' },
    ),
    NOW,
  );
  assert.deepEqual(events, [
    { kind: 'ws_frame', socket: 'ws1', url: SYNC, direction: 'send', time: NOW - 5, data: '{"type":"Connect"}' },
    { kind: 'ws_frame', socket: 'ws1', url: SYNC, direction: 'receive', time: NOW - 5, data: '{"type":"Transition"}' },
    { kind: 'ws_close', socket: 'ws1', url: SYNC, time: NOW - 5, reason: 'bye' },
  ]);
  assert.equal(stats.frames, 3);
  assert.equal(stats.hookRecords, 5);
  assert.equal(stats.hookIgnored, 1);
});

test('a socket that never opened closes with a reason saying so', () => {
  const { hook, items } = setup();
  hook.begin('l');
  const [close] = hook.ingest(
    'l',
    items({ type: 'ws-new', sid: 1, url: SYNC }, { type: 'ws-close', sid: 1, code: 1006, reason: '', opened: false }),
    NOW,
  );
  assert.equal(close.reason, 'the connection could not be established (close code 1006)');
});

test('a replay to a second port, and items of another page load, are skipped', () => {
  const { hook, items } = setup();
  hook.begin('l');
  const batch = items({ type: 'ws-new', sid: 1, url: SYNC }, { type: 'ws-frame', sid: 1, dir: 'send', data: 'a' });
  assert.equal(hook.ingest('l', batch, NOW).length, 1);
  assert.equal(hook.ingest('l', batch, NOW).length, 0, 'seen before');
  assert.equal(hook.ingest('other', items({ type: 'ws-frame', sid: 1, dir: 'send', data: 'b' }), NOW).length, 0);
  hook.end();
  assert.equal(hook.ingest('l', items({ type: 'ws-frame', sid: 1, dir: 'send', data: 'c' }), NOW).length, 0);
  assert.equal(hook.current(), null);
});

test("HTTP calls: sent at the relay's stamp of their start; checked fields; Convex URLs only", () => {
  const { hook, stats } = setup();
  hook.begin('l');
  const events = hook.ingest(
    'l',
    [
      { seq: 1, t: NOW - 9, raw: JSON.stringify({ type: 'http-start', rid: 7 }) },
      {
        seq: 2,
        t: NOW - 8,
        raw: JSON.stringify({
          type: 'http',
          rid: 7,
          url: 'https://happy-otter-123.convex.cloud/api/query',
          method: 'POST',
          request_headers: [['Authorization', 'Bearer t'], ['x', 5], 'junk'],
          request_body: '{"path":"a:b"}',
          status: 200,
          response_headers: [['content-type', 'application/json']],
          response_body: '{"status":"success"}',
        }),
      },
      { seq: 3, t: NOW, raw: JSON.stringify({ type: 'http', rid: 8, url: 'https://example.com/x', method: 'GET' }) },
      { seq: 4, t: NOW, raw: JSON.stringify({ type: 'http', url: 'https://a.convex.cloud/api/query', method: 5 }) },
    ],
    NOW,
  );
  assert.deepEqual(events, [
    {
      kind: 'http',
      url: 'https://happy-otter-123.convex.cloud/api/query',
      method: 'POST',
      time: NOW - 9,
      request_headers: [['Authorization', 'Bearer t']],
      status: 200,
      response_headers: [['content-type', 'application/json']],
      request_body: '{"path":"a:b"}',
      response_body: '{"status":"success"}',
    },
  ]);
  assert.equal(stats.http, 1);
  assert.equal(stats.hookIgnored, 2);
});

test('garbage is ignored and counted; nothing throws', () => {
  const { hook, stats } = setup();
  hook.begin('l');
  const garbage = [
    null,
    5,
    { seq: 'x', raw: '{}' },
    { seq: 1, raw: 'not json' },
    { seq: 2, raw: '[1,2]' },
    { seq: 3, raw: 'null' },
    { seq: 4, raw: { type: 'ws-new' } },
    { seq: 5, raw: '{"type":"ws-new","sid":-1,"url":"wss://a/api/sync"}' },
    { seq: 6, raw: '{"type":"ws-new","sid":1,"url":"wss://example.com/chat"}' },
    { seq: 7, raw: '{"type":"ws-frame","sid":1,"dir":"send","data":"x"}' },
    { seq: 8, raw: '{"type":"toString"}' },
    { seq: 9, t: 'later', raw: `{"type":"ws-new","sid":2,"url":"${SYNC}"}` },
    { seq: 10, t: NOW + 1e6, raw: '{"type":"ws-frame","sid":2,"dir":"receive","data":"from the future"}' },
    {
      seq: 11,
      raw: `{"type":"ws-frame","sid":2,"dir":"receive","data":${JSON.stringify('x'.repeat(1024 * 1024 + 1))}}`,
    },
  ];
  const events = hook.ingest('l', garbage, NOW);
  assert.deepEqual(events, [
    { kind: 'ws_frame', socket: 'ws1', url: SYNC, direction: 'receive', time: NOW, data: 'from the future' },
  ]);
  assert.equal(stats.hookIgnored, 9);
  assert.deepEqual(hook.ingest('l', 'not a list', NOW), []);
});

test("readHello: the relay's hello, checked", () => {
  const hello = { type: 'hello', load: 'abc', url: 'https://app.example/', startedAt: NOW - 100, dropped: 3 };
  assert.deepEqual(readHello(hello, NOW), {
    load: 'abc',
    url: 'https://app.example/',
    startedAt: NOW - 100,
    dropped: 3,
  });
  assert.equal(readHello({ ...hello, startedAt: NOW + 3600 }, NOW), null, 'from the future');
  assert.equal(readHello({ ...hello, load: 5 }, NOW), null);
  assert.equal(readHello({ ...hello, type: 'records' }, NOW), null);
  assert.equal(readHello(null, NOW), null);
  assert.equal(readHello({ ...hello, dropped: -1 }, NOW).dropped, 0);
});
