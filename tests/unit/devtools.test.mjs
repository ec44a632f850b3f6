// The devtools page as a whole (extension/devtools.js and its modules) under a stubbed `chrome`, with the real
// engine (extension/pkg, loaded in Node) and real Chrome captures (crate/tests/fixtures/har, recorded by the e2e
// runs): what arrives while the engine loads, the first getHAR(), polls, onRequestFinished, navigations, the panel's
// handshake and the stored configuration. The verdicts must be the scenarios' own `expect` (tests/scenarios.json).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const har = (id) =>
  JSON.parse(readFileSync(path.join(ROOT, 'crate', 'tests', 'fixtures', 'har', `chrome-${id}.har`), 'utf8')).log;
const expectOf = (id) =>
  JSON.parse(readFileSync(path.join(ROOT, 'tests', 'scenarios.json'), 'utf8')).find((s) => s.id === id).expect;
const APP = 'http://127.0.0.1:37341';

/** Differences between a report and a scenario's `expect` (empty: it matches). */
function mismatches(report, expect) {
  const out = [];
  if (report.cause_step !== expect.cause_step) out.push(`cause_step ${report.cause_step}`);
  for (const [n, status] of Object.entries(expect.step_status)) {
    const got = report.steps.find((s) => s.step === Number(n))?.status;
    if (got !== status) out.push(`step ${n} ${got}`);
  }
  const codes = report.findings.map((f) => f.code);
  for (const c of expect.codes) if (!codes.includes(c)) out.push(`missing ${c}`);
  return out;
}

/** Waits (real time: the poller runs on real timers here) until `fn()` is truthy. */
async function until(fn, what, ms = 20000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---- the stubbed browser ----
const listeners = { finished: null, navigated: null, shown: null, hidden: null, connect: null };
const TAB = 42;
const calls = { reload: [], getHAR: 0 };
/** What the next getHAR() answers; null: no answer (the test is over, the poller waits forever and holds no timer). */
let nextHar = null;
const storage = new Map();
const first = har('issuer-other-clerk');
const firstSockets = first.entries.filter((e) => e._resourceType === 'websocket');
/** The first sync socket, reported closed (onRequestFinished) while the engine loads. */
const early = firstSockets[0];
let finishedDuringLoad = false;

before(async () => {
  globalThis.localStorage = {
    getItem: (k) => (storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => storage.set(k, String(v)),
    removeItem: (k) => storage.delete(k),
  };
  globalThis.chrome = {
    runtime: { onConnect: { addListener: (fn) => (listeners.connect = fn) }, lastError: undefined },
    // The start-up probe: no relay in this tab (live capture off), so the port closes at once.
    tabs: { connect: (tabId, opts) => closingPort(opts.name, { tab: { id: tabId }, frameId: 0 }) },
    devtools: {
      network: {
        onRequestFinished: { addListener: (fn) => (listeners.finished = fn) },
        onNavigated: { addListener: (fn) => (listeners.navigated = fn) },
        getHAR(done) {
          calls.getHAR += 1;
          // The first answer: what finished before DevTools' listeners existed (a whole page load).
          if (calls.getHAR === 1) setImmediate(() => done(first));
          else if (nextHar) setImmediate(() => done(nextHar));
        },
      },
      panels: {
        themeName: 'dark',
        create(title, icon, page, done) {
          // From the root, with the leading slash: Firefox reads a path without it relative to devtools.html.
          assert.deepEqual([title, icon, page], ['Convex Auth', '/extension/icon128.png', '/extension/panel.html']);
          done({
            onShown: { addListener: (fn) => (listeners.shown = fn) },
            onHidden: { addListener: (fn) => (listeners.hidden = fn) },
          });
        },
      },
      inspectedWindow: {
        tabId: TAB,
        eval: (expr, done) => done(expr === 'location.origin' ? APP : undefined),
        reload: (opts) => calls.reload.push(opts),
      },
    },
  };
  // The engine loads with fetch(new URL('…_bg.wasm', import.meta.url)); Node's fetch reads no file: URLs.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    if (!(url instanceof URL) || url.protocol !== 'file:') return realFetch(url, init);
    // Something finishes while the engine loads: it must wait, and not be counted twice with the first getHAR().
    listeners.finished(early);
    finishedDuringLoad = true;
    return new Response(readFileSync(url), { headers: { 'content-type': 'application/wasm' } });
  };
  if (!existsSync(path.join(ROOT, 'extension', 'pkg', 'convex_auth_doctor_bg.wasm'))) {
    throw new Error('extension/pkg is missing: run scripts/build-wasm.sh first');
  }
  await import('../../extension/devtools.js');
  globalThis.fetch = realFetch;
});

after(() => {
  nextHar = null; // the poller's last getHAR() never answers: no timer is left
});

/** A runtime port: `receive(message)` delivers to the devtools page, `close()` disconnects it. */
function port(name, sender) {
  const on = { message: [], disconnect: [] };
  return {
    name,
    sender,
    onMessage: { addListener: (fn) => on.message.push(fn) },
    onDisconnect: { addListener: (fn) => on.disconnect.push(fn) },
    disconnect() {},
    receive(m) {
      for (const fn of on.message) fn(m);
    },
    close() {
      for (const fn of on.disconnect) fn();
    },
  };
}
function closingPort(name, sender) {
  const p = port(name, sender);
  setImmediate(() => p.close());
  return p;
}

const host = () => globalThis.__doctor;
const report = () => JSON.parse(host().report());
const stats = () => JSON.parse(host().stats());

test("what finished before DevTools and while the engine loaded is judged once: the scenario's verdict", async () => {
  assert.ok(finishedDuringLoad);
  await until(() => stats().ready && stats().pending === 0, 'the engine');
  await until(() => mismatches(report(), expectOf('issuer-other-clerk')).length === 0, 'the verdict');
  // Every text frame once, and one close: the early close is replayed after the first getHAR() showed the socket.
  const frames = firstSockets.flatMap((e) => e._webSocketMessages).filter((m) => m.opcode === 1).length;
  assert.equal(stats().frames, frames + 1);
  assert.equal(stats().sockets, firstSockets.length);
  const conns = new Set(report().timeline.map((r) => r.connection));
  assert.ok(conns.size >= 2, `both sockets in the timeline: ${[...conns]}`);
  assert.equal(host().origin(), APP);
});

test("the panel's handshake: the host is handed over, announced, and the report rendered at once and on change", async () => {
  const rendered = [];
  const events = [];
  const win = {
    Event: class {
      constructor(type) {
        this.type = type;
      }
    },
    dispatchEvent: (e) => events.push(e.type),
    doctorRender: (json) => rendered.push(JSON.parse(json)),
  };
  listeners.shown(win);
  assert.equal(win.doctorHost, host());
  assert.deepEqual(events, ['doctorhost']);
  assert.equal(rendered.length, 1);
  assert.deepEqual(mismatches(rendered[0], expectOf('issuer-other-clerk')), []);
  assert.equal(host().themeName(), 'dark');
  host().reload();
  assert.deepEqual(calls.reload, [{ ignoreCache: true }]);

  // Hidden: no render; shown again: rendered.
  listeners.hidden();
  host().setConfig('export default { providers: [] };', '{}');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(rendered.length, 1);
  listeners.shown(win);
  assert.equal(rendered.length, 2);
  host().setConfig('', '{}');
});

test('the configuration is remembered per origin (configuration only), and a bad one is refused unsaved', () => {
  assert.deepEqual(JSON.parse(host().storedConfig()), { source: '', env: {} });
  const source = 'export default { providers: [{ domain: process.env.ISSUER, applicationID: "convex" }] };';
  host().setConfig(source, '{"ISSUER":"https://a.example"}');
  assert.deepEqual(JSON.parse(storage.get(`config:${APP}`)), { source, env: { ISSUER: 'https://a.example' } });
  assert.deepEqual(JSON.parse(host().storedConfig()), { source, env: { ISSUER: 'https://a.example' } });
  assert.throws(() => host().setConfig('export default { providers: [', '{}'));
  assert.deepEqual(JSON.parse(host().storedConfig()).source, source, 'the rejected text is not saved');
  host().setConfig('', '{}');
  assert.equal(storage.has(`config:${APP}`), false, 'forgotten');
  host().setAutoKeys(true);
  assert.equal(storage.get(`autokeys:${APP}`), '1');
  assert.equal(JSON.parse(host().keyState()).auto, true);
  host().setAutoKeys(false);
  assert.equal(JSON.parse(host().keyState()).auto, false);
  assert.deepEqual(
    [...storage.keys()].filter((k) => !k.startsWith('config:') && !k.startsWith('autokeys:')),
    [],
    'nothing else stored',
  );
});

test('a navigation starts a new capture; HTTP calls come through onRequestFinished', async () => {
  const next = har('all-good-http');
  listeners.navigated(`${APP}/?scenario=all-good-http`);
  for (const entry of next.entries) listeners.finished(entry);
  await until(() => mismatches(report(), expectOf('all-good-http')).length === 0, 'the all-good-http verdict');
});

test('open sockets come through polls; sockets that never connected are told apart', async () => {
  const next = har('not-connected');
  const sockets = next.entries.filter((e) => e._resourceType === 'websocket');
  assert.ok(sockets.length >= 2, 'the capture has several failed sockets');
  assert.equal(new Set(sockets.map((e) => e.startedDateTime)).size, 1, 'all with the same start time');
  const before = stats();
  nextHar = next;
  listeners.navigated(`${APP}/?scenario=not-connected`);
  await until(() => mismatches(report(), expectOf('not-connected')).length === 0, 'the not-connected verdict');
  // Each failed socket is its own connection with its own close, though their HAR keys are equal.
  await until(() => stats().frames - before.frames === sockets.length, 'one close per failed socket');
  const tl = report().timeline;
  const since = tl.findLastIndex((r) => r.kind === 'navigated');
  const closed = tl.slice(since).filter((r) => r.kind === 'close');
  assert.equal(new Set(closed.map((r) => r.connection)).size, sockets.length, JSON.stringify(closed));
  assert.ok(stats().polls > before.polls);
  nextHar = null;
});

test("live capture: a relay's hello starts the load afresh from its records, polling stops; when it goes, polling resumes", async () => {
  const scenario = har('issuer-other-clerk');
  const url = `${APP}/?scenario=issuer-other-clerk&live`;
  // What the relay would have handed over for this page load (recorded when the capture was made, so stamped
  // with the capture's times: the tokens in it were fresh then): its sockets, frame by frame.
  let seq = 0;
  const items = [];
  const record = (r, t) => items.push({ seq: ++seq, t, raw: JSON.stringify(r) });
  scenario.entries
    .filter((e) => e._resourceType === 'websocket')
    .forEach((e, i) => {
      const msgs = e._webSocketMessages;
      record({ type: 'ws-new', sid: i + 1, url: e.request.url }, msgs[0].time);
      for (const m of msgs) record({ type: 'ws-frame', sid: i + 1, dir: m.type, data: m.data }, m.time);
      record({ type: 'ws-close', sid: i + 1, code: 1000, reason: '', opened: true }, msgs.at(-1).time);
    });
  // First the other scenario's verdict, through polls (so that a verdict here is the relay's doing).
  nextHar = har('all-good');
  listeners.navigated(`${APP}/?scenario=all-good`);
  await until(() => mismatches(report(), expectOf('all-good')).length === 0, 'the all-good verdict');

  // The timeline outlives page loads: count this scenario's connect rows (by their times) before and after.
  const times = scenario.entries.flatMap((e) => (e._webSocketMessages ?? []).map((m) => m.time));
  const connectRows = () =>
    report().timeline.filter(
      (r) => r.kind === 'connect' && r.time >= Math.min(...times) && r.time <= Math.max(...times),
    ).length;
  const connectsBefore = connectRows();
  const relay = port('convex-auth-doctor:hook', { tab: { id: TAB }, frameId: 0 });
  const stranger = port('convex-auth-doctor:hook', { tab: { id: TAB + 1 }, frameId: 0 });
  listeners.connect(stranger);
  stranger.receive({ type: 'hello', load: 'X', url, startedAt: Date.now() / 1000 });
  assert.equal(stats().live, false, "another tab's relay is not listened to");
  listeners.connect(relay);
  relay.receive({ type: 'hello', load: 'L1', url, startedAt: Date.now() / 1000 - 2 });
  relay.receive({ type: 'records', load: 'L1', items });
  relay.receive({ type: 'records', load: 'L1', items }); // a replay: nothing twice
  relay.receive({ type: 'records', load: 'L0', items: [{ seq: 999, t: 0, raw: '{}' }] }); // another load
  assert.equal(stats().live, true);
  await until(() => mismatches(report(), expectOf('issuer-other-clerk')).length === 0, 'the verdict from the relay');
  // The browser's own onNavigated for the same load comes after: it does not start the load over.
  listeners.navigated(url);
  const loads = report().timeline.filter((r) => r.kind === 'navigated' && r.text.endsWith('&live'));
  assert.equal(loads.length, 1, JSON.stringify(loads));
  assert.deepEqual(mismatches(report(), expectOf('issuer-other-clerk')), []);
  // Every frame once.
  const frames = scenario.entries.filter((e) => e._resourceType === 'websocket').flatMap((e) => e._webSocketMessages);
  assert.equal(connectRows() - connectsBefore, frames.filter((m) => m.data.includes('"Connect"')).length);
  // No polling while the relay delivers.
  const polls = calls.getHAR;
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(calls.getHAR, polls, 'no getHAR() while live capture delivers');
  // The page goes away: HAR capture again.
  relay.close();
  assert.equal(stats().live, false);
  await until(() => calls.getHAR > polls, 'polling again');
  nextHar = null;
});
