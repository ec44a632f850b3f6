// Turning live capture on and off per origin (extension/devtools/live-capture.js) and its ports
// (extension/devtools/hook-link.js), against a stubbed chrome.scripting / permissions / runtime / tabs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOOK_PORT, LINK_PORT } from '../../extension/contract.js';
import { createHookLink } from '../../extension/devtools/hook-link.js';
import {
  createLiveCapture,
  createRemoteLiveCapture,
  hostPattern,
  originPattern,
} from '../../extension/devtools/live-capture.js';

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

test('hostPattern (Firefox): the host on every port, http(s) only', () => {
  assert.equal(hostPattern(APP), 'http://127.0.0.1/*');
  assert.equal(hostPattern('https://app.example:8443'), 'https://app.example/*');
  assert.equal(hostPattern('file:///x'), null);
  assert.equal(hostPattern('null'), null);
});

test('Firefox: one registration per host, named by it', async () => {
  const { chrome, registered } = stubChrome();
  const live = createLiveCapture({
    scripting: () => chrome.scripting,
    permissions: () => chrome.permissions,
    patternOf: hostPattern,
  });
  await live.enable(APP);
  await live.enable('http://127.0.0.1:3000'); // another port of the same host: the same two scripts
  assert.deepEqual([...registered.keys()], ['hook-main http://127.0.0.1', 'hook-relay http://127.0.0.1']);
  assert.deepEqual(
    [...registered.values()].map((r) => r.matches),
    [['http://127.0.0.1/*'], ['http://127.0.0.1/*']],
  );
  assert.equal((await live.state('http://127.0.0.1:3000')).on, true);
});

test('Firefox: the devtools page asks the background page; without the permission it opens the grant page', async () => {
  const sent = [];
  let permitted = false;
  const runtime = {
    sendMessage: async (m) => {
      sent.push([m.op, m.origin]);
      if (m.op === 'state') return { ok: true, state: { supported: true, permitted, on: false } };
      if (m.op === 'enable' && !permitted) return { ok: false, error: 'not permitted' };
      return { ok: true };
    },
  };
  const live = createRemoteLiveCapture(runtime);
  await assert.rejects(live.enable(APP), /allow access to http:\/\/127\.0\.0\.1:5173 in the tab that just opened/);
  assert.deepEqual(sent, [
    ['state', APP],
    ['ask', APP],
  ]);
  permitted = true;
  sent.length = 0;
  await live.enable(APP);
  assert.deepEqual(sent, [
    ['state', APP],
    ['enable', APP],
  ]);
  await assert.rejects(createRemoteLiveCapture({ sendMessage: async () => undefined }).state(APP), /did not answer/);
});

test('Firefox: without `tabs`, the relays come through the background page, one stand-in port per pipe', async () => {
  const linkPort = stubPort(LINK_PORT, undefined);
  const posted = [];
  linkPort.postMessage = (m) => posted.push(m);
  const connects = [];
  const runtime = {
    onConnect: { addListener: () => {} },
    connect: (opts) => {
      connects.push(opts.name);
      return linkPort;
    },
  };
  const got = [];
  const closed = [];
  const link = createHookLink({
    runtime,
    tabs: undefined,
    tabId: 4,
    onMessage: (m, port) => got.push([m.type, port.pipe]),
    onClosed: (port) => closed.push(port.pipe),
  });
  assert.deepEqual(connects, [LINK_PORT]);
  assert.deepEqual(posted, [{ type: 'link', tabId: 4 }]);
  link.probe();
  assert.deepEqual(posted[1], { type: 'probe' });
  linkPort.receive({ type: 'hook', pipe: 1, message: { type: 'hello' } });
  linkPort.receive({ type: 'hook', pipe: 2, message: { type: 'hello' } });
  linkPort.receive({ type: 'hook', pipe: 'x', message: { type: 'records' } }); // not a pipe number: ignored
  linkPort.receive({ type: 'hook-closed', pipe: 1 });
  linkPort.receive({ type: 'hook-closed', pipe: 9 }); // no such pipe
  assert.deepEqual(got, [
    ['hello', 1],
    ['hello', 2],
  ]);
  assert.deepEqual(closed, [1]);
  // The background page went away (Firefox may stop an idle one): the open pipes close, and the link comes back.
  linkPort.close();
  assert.deepEqual(closed, [1, 2]);
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(connects, [LINK_PORT, LINK_PORT]);
  assert.deepEqual(posted.slice(-2), [{ type: 'link', tabId: 4 }, { type: 'probe' }]);
  link.stop(); // its keep-alive timer too
  assert.equal(linkPort.disconnected, true);
});

test('Firefox: a background page that keeps refusing the link is not asked forever', async () => {
  let connects = 0;
  const runtime = {
    onConnect: { addListener: () => {} },
    connect: () => {
      connects += 1;
      const port = stubPort(LINK_PORT, undefined);
      port.postMessage = () => {};
      setTimeout(() => port.close(), 0); // refused at once, nothing said
      return port;
    },
  };
  createHookLink({ runtime, tabs: undefined, tabId: 4, onMessage: () => {}, onClosed: () => {} });
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal(connects, 5);
});
