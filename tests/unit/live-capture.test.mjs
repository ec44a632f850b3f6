// Turning live capture on and off per origin (extension/devtools/live-capture.js) and its ports
// (extension/devtools/hook-link.js), against a stubbed chrome.scripting / permissions / runtime / tabs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOOK_PORT } from '../../extension/contract.js';
import { createHookLink } from '../../extension/devtools/hook-link.js';
import { createLiveCapture, originPattern } from '../../extension/devtools/live-capture.js';

const APP = 'http://127.0.0.1:5173';

function stubChrome({ granted = true } = {}) {
  const registered = new Map();
  const asked = [];
  const chrome = {
    permissions: {
      contains: async (p) => {
        asked.push(p);
        return granted;
      },
    },
    scripting: {
      registerContentScripts: async (list) => {
        for (const s of list) {
          if (registered.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
          registered.set(s.id, s);
        }
      },
      unregisterContentScripts: async ({ ids }) => {
        for (const id of ids) registered.delete(id);
      },
      getRegisteredContentScripts: async ({ ids }) =>
        ids.filter((id) => registered.has(id)).map((id) => registered.get(id)),
    },
  };
  return { chrome, registered, asked };
}

test('originPattern: http(s) origins only, exactly as given', () => {
  assert.equal(originPattern(APP), `${APP}/*`);
  assert.equal(originPattern('https://app.example'), 'https://app.example/*');
  for (const o of [
    'null',
    '',
    'file://',
    'chrome-extension://abc',
    'https://app.example/path',
    'https://APP.example',
  ]) {
    assert.equal(originPattern(o), null, o);
  }
});

test('on: the page hook in the MAIN world and its relay, at document_start, for that one origin, kept across restarts', async () => {
  const { chrome, registered, asked } = stubChrome();
  const live = createLiveCapture({ scripting: () => chrome.scripting, permissions: () => chrome.permissions });
  assert.deepEqual(await live.state(APP), { supported: true, permitted: true, on: false });
  assert.deepEqual(asked, [{ permissions: ['scripting'], origins: [`${APP}/*`] }]);
  await live.enable(APP);
  await live.enable(APP); // again: replaced, not duplicated
  assert.deepEqual(
    [...registered.values()].map((s) => [
      s.js,
      s.matches,
      s.runAt,
      s.world ?? 'ISOLATED',
      s.allFrames === true ? 'all frames' : 'top frame', // the API's default is the top frame
      s.persistAcrossSessions,
    ]),
    [
      [['extension/hook/page.js'], [`${APP}/*`], 'document_start', 'MAIN', 'top frame', true],
      [['extension/hook/relay.js'], [`${APP}/*`], 'document_start', 'ISOLATED', 'top frame', true],
    ],
  );
  assert.equal((await live.state(APP)).on, true);
  assert.equal((await live.state('https://other.example')).on, false, 'per origin');
  await live.disable(APP);
  assert.equal(registered.size, 0);
  assert.equal((await live.state(APP)).on, false);
});

test('without the permission (or the API): off, and turning on says why', async () => {
  const { chrome } = stubChrome({ granted: false });
  const live = createLiveCapture({ scripting: () => undefined, permissions: () => chrome.permissions });
  assert.deepEqual(await live.state(APP), { supported: true, permitted: false, on: false });
  await assert.rejects(live.enable(APP), /"scripting" permission was not granted/);
  await assert.rejects(live.enable('file://'), /http\(s\) pages only/);
  assert.deepEqual(await live.state('null'), { supported: false, permitted: false, on: false });
});

/** A port as chrome.runtime gives it. */
function stubPort(name, sender) {
  const listeners = { message: [], disconnect: [] };
  return {
    name,
    sender,
    disconnected: false,
    onMessage: { addListener: (fn) => listeners.message.push(fn) },
    onDisconnect: { addListener: (fn) => listeners.disconnect.push(fn) },
    disconnect() {
      this.disconnected = true;
    },
    receive(m) {
      for (const fn of listeners.message) fn(m);
    },
    close() {
      for (const fn of listeners.disconnect) fn();
    },
  };
}

test("ports: only the inspected tab's top frame is taken; the probe connects to it; closes are reported", () => {
  let onConnect = null;
  const probes = [];
  const runtime = { onConnect: { addListener: (fn) => (onConnect = fn) }, lastError: undefined };
  const tabs = {
    connect: (tabId, opts) => {
      probes.push([tabId, opts]);
      return stubPort(opts.name, { tab: { id: tabId }, frameId: 0 });
    },
  };
  const got = [];
  const closed = [];
  const link = createHookLink({
    runtime,
    tabs,
    tabId: 7,
    onMessage: (m, port) => got.push([m, port.sender.tab.id]),
    onClosed: (port) => closed.push(port),
  });
  const other = stubPort(HOOK_PORT, { tab: { id: 8 }, frameId: 0 });
  const frame = stubPort(HOOK_PORT, { tab: { id: 7 }, frameId: 3 });
  const unrelated = stubPort('something-else', { tab: { id: 7 }, frameId: 0 });
  const mine = stubPort(HOOK_PORT, { tab: { id: 7 }, frameId: 0 });
  for (const p of [other, frame, unrelated, mine]) onConnect(p);
  assert.equal(other.disconnected, true, "another tab's relay is let go");
  assert.equal(frame.disconnected, true, 'a subframe is let go');
  assert.equal(unrelated.disconnected, false, 'not ours to close');
  mine.receive({ type: 'hello' });
  other.receive({ type: 'hello' });
  assert.deepEqual(got, [[{ type: 'hello' }, 7]]);
  assert.equal(link.open(mine), true);
  mine.close();
  assert.equal(link.open(mine), false);
  assert.deepEqual(closed, [mine]);
  link.probe();
  assert.deepEqual(probes, [[7, { name: HOOK_PORT, frameId: 0 }]]);
});
