// The relay of live capture (extension/hook/relay.js) in a Node vm, with a stubbed chrome.runtime: it stamps the page
// hook's records, replays them to a devtools page that connects, hands a lone record on in the next task and a burst
// in batches at most 16 ms apart, and ignores what is not a string record.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { HOOK_EVENT, HOOK_PORT } from '../../extension/contract.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = readFileSync(path.join(ROOT, 'extension', 'hook', 'relay.js'), 'utf8');

function fakePort(name) {
  const port = { name, messages: [], onDisconnect: { addListener() {} } };
  port.postMessage = (m) => port.messages.push(structuredClone(m));
  return port;
}

function loadRelay() {
  const window = new EventTarget();
  const connectListeners = [];
  const early = fakePort(HOOK_PORT); // DevTools already open: the relay's own connect
  const chrome = {
    runtime: {
      connect: () => early,
      onConnect: { addListener: (fn) => connectListeners.push(fn) },
      lastError: undefined,
    },
  };
  const context = vm.createContext({
    window,
    chrome,
    location: { href: 'http://127.0.0.1:5173/app' },
    crypto,
    performance,
    setTimeout,
    Date,
  });
  vm.runInContext(SOURCE, context);
  const emit = (detail) => window.dispatchEvent(new CustomEvent(HOOK_EVENT, { detail }));
  const connect = () => {
    const port = fakePort(HOOK_PORT);
    for (const fn of connectListeners) fn(port);
    return port;
  };
  return { early, emit, connect };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const records = (port) => port.messages.filter((m) => m.type === 'records').flatMap((m) => m.items);

test('a lone record leaves in the next task; a burst in batches; all in order, stamped by the relay', async () => {
  const { early, emit } = loadRelay();
  assert.equal(early.messages[0].type, 'hello');
  const t0 = performance.now();
  emit('{"type":"ws-frame","n":1}');
  await tick(0);
  assert.equal(records(early).length, 1, 'sent without waiting for the batch delay');
  assert.ok(performance.now() - t0 < 15);
  // A burst right after: at most one message per 16 ms.
  for (let i = 2; i <= 30; i++) emit(`{"n":${i}}`);
  await tick(0);
  const messagesAfterBurst = early.messages.length;
  await tick(40);
  const got = records(early);
  assert.deepEqual(
    got.map((r) => r.seq),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  assert.ok(got.every((r) => typeof r.t === 'number' && typeof r.raw === 'string'));
  assert.ok(early.messages.length - messagesAfterBurst <= 1, 'the burst went out as one batch');
  // Not a string: dropped, not stamped.
  emit({ type: 'ws-frame' });
  await tick(20);
  assert.equal(records(early).length, 30);
});

test('a devtools page that connects later gets the hello and everything kept so far', async () => {
  const { emit, connect } = loadRelay();
  emit('{"a":1}');
  emit('{"a":2}');
  await tick(20);
  const late = connect();
  assert.equal(late.messages[0].type, 'hello');
  assert.deepEqual(
    records(late).map((r) => r.raw),
    ['{"a":1}', '{"a":2}'],
  );
});
