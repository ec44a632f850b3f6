// The devtools page's engine wrapper (extension/devtools/engine.js): a session the wasm module aborted in is
// replaced by a fresh one, the configuration is applied again, and the panel gets a note, instead of every later
// call failing. First with the real engine, then with a session that aborts the way wasm does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEngine, isEngineAbort } from '../../extension/devtools/engine.js';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'pkg');
let wasm;

before(async () => {
  wasm = await import(pathToFileURL(path.join(PKG, 'convex_auth_doctor.js')).href);
  await wasm.default({ module_or_path: readFileSync(path.join(PKG, 'convex_auth_doctor_bg.wasm')) });
});

const URL_ = 'wss://happy-otter-123.convex.cloud/api/1.49.0/sync';
const connect = JSON.stringify([
  {
    kind: 'ws_frame',
    socket: 'ws1',
    url: URL_,
    direction: 'send',
    time: 1764180000,
    data: '{"type":"Connect","sessionId":"s","connectionCount":0,"lastCloseReason":"InitialConnect"}',
  },
]);

/** A real DoctorSession whose `pushEvents` aborts the n-th time, as a wasm trap does; from then on every call
 * on it fails the way wasm-bindgen fails on an object left borrowed. */
function abortingSession(abortOn) {
  const real = new wasm.DoctorSession();
  let calls = 0;
  let dead = false;
  const guard =
    (fn) =>
    (...args) => {
      if (dead) throw new Error('recursive use of an object detected which would lead to unsafe aliasing in rust');
      return fn(...args);
    };
  return {
    pushEvents: guard((json) => {
      calls += 1;
      if (calls === abortOn) {
        dead = true;
        throw new WebAssembly.RuntimeError('unreachable');
      }
      return real.pushEvents(json);
    }),
    report: guard(() => real.report()),
    markdown: guard(() => real.markdown()),
    setConfig: guard((s, e) => real.setConfig(s, e)),
    clearConfig: guard(() => real.clearConfig()),
  };
}

test("what counts as an abort: wasm traps and the borrowed state they leave, not the engine's own refusals", () => {
  assert.equal(isEngineAbort(new WebAssembly.RuntimeError('unreachable')), true);
  assert.equal(
    isEngineAbort(new Error('recursive use of an object detected which would lead to unsafe aliasing in rust')),
    true,
  );
  // setConfig throws the engine's error text as a string.
  assert.equal(isEngineAbort('cannot read the configuration: unreachable code'), false);
  assert.equal(isEngineAbort(new Error('the engine is still loading')), false);
});

test('a session that aborted is replaced by a fresh one: the panel keeps getting reports and a note says why', () => {
  const made = [];
  const restored = [];
  const engine = createEngine({
    create: () => {
      const s = made.length === 0 ? abortingSession(2) : new wasm.DoctorSession();
      made.push(s);
      return s;
    },
    restored: (session) => {
      restored.push(session);
      session.setConfig('export default { providers: [] };', '{}');
    },
    now: () => Date.UTC(2026, 10, 29, 10, 0, 0),
  });
  const s = engine.session;
  assert.equal(s.pushEvents(connect), 1);
  assert.equal(engine.notice(), '');
  // The abort: the call's events are lost, nothing throws into the capture.
  assert.equal(s.pushEvents(connect), undefined);
  assert.equal(made.length, 2, 'a fresh session was made');
  assert.equal(engine.restarts(), 1);
  assert.equal(restored.length, 1, 'the configuration was applied again');
  assert.match(engine.notice(), /engine stopped while reading this page's traffic \(pushEvents: unreachable\)/);
  assert.match(engine.notice(), /restarted at 10:00:00 UTC/);
  // Later calls work on the fresh session (the dead one would throw "recursive use…" forever).
  assert.equal(s.pushEvents(connect), 1);
  const report = JSON.parse(s.report());
  assert.ok(Array.isArray(report.findings));
  // The configuration applied again (`providers: []`) is in force in the fresh session.
  assert.ok(
    report.findings.some((f) => f.code === 'config.no_providers'),
    JSON.stringify(report.findings.map((f) => f.code)),
  );
  assert.ok(s.markdown().includes('Convex Auth Doctor'));
  // A new page load clears the note.
  engine.navigated();
  assert.equal(engine.notice(), '');
});

test('a read that meets a dead session is answered by the fresh one', () => {
  let first = true;
  const engine = createEngine({
    create: () => {
      if (!first) return new wasm.DoctorSession();
      first = false;
      const dead = abortingSession(1);
      try {
        dead.pushEvents(connect);
      } catch {
        /* the abort, outside the wrapper: the session is left dead */
      }
      return dead;
    },
  });
  const report = JSON.parse(engine.session.report());
  assert.equal(report.doctor, wasm.version());
  assert.equal(engine.restarts(), 1);
  assert.notEqual(engine.notice(), '');
});

test("the engine's own refusals pass through unchanged", () => {
  const engine = createEngine({ create: () => new wasm.DoctorSession() });
  assert.throws(
    () => engine.session.setConfig('export default {', '{}'),
    (e) => typeof e === 'string',
  );
  assert.equal(engine.restarts(), 0);
  assert.equal(engine.notice(), '');
});
