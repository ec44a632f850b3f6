// A pasted token (issue 10, item 6): the devtools page's judge (extension/devtools/paste.js) with the real engine
// (extension/pkg, loaded in Node), and the panel's box (extension/panel/paste.js) over a small stand-in document.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPasteJudge, MAX_PASTE_CHARS } from '../../extension/devtools/paste.js';
import { createPasteBox } from '../../extension/panel/paste.js';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'pkg');
let wasm;

before(async () => {
  wasm = await import(pathToFileURL(path.join(PKG, 'convex_auth_doctor.js')).href);
  await wasm.default({ module_or_path: readFileSync(path.join(PKG, 'convex_auth_doctor_bg.wasm')) });
});

const NOW = 1764180000;
const ISS = 'https://verb-noun-00.clerk.accounts.dev';
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const SIGNATURE = Buffer.alloc(256, 0xa5).toString('base64url');
const jwt = (iss, exp) =>
  `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64({ iss, sub: 'user_1', aud: 'convex', iat: NOW - 60, exp })}.${SIGNATURE}`;
const CONFIG = `export default { providers: [{ domain: "${ISS}", applicationID: "convex" }] };`;

/** The capture's session with the user's configuration, and a judge over it that counts the sessions it frees. */
function setup({ keyFetcher } = {}) {
  const capture = new wasm.DoctorSession();
  capture.setConfig(CONFIG, '');
  const made = [];
  const session = {
    forInput() {
      const s = capture.forInput();
      const free = s.free.bind(s);
      const entry = { freed: false };
      s.free = () => {
        entry.freed = true;
        free();
      };
      made.push(entry);
      return s;
    },
  };
  const judge = createPasteJudge({ session: () => session, now: () => NOW, keyFetcher });
  return { capture, judge, made };
}

const statusOf = (report, n) => report.steps.find((s) => s.step === n)?.status;

test('a pasted token is judged by the engine with the configuration in force, at the time given', async () => {
  const { capture, judge, made } = setup();
  const good = JSON.parse(await judge.judge(jwt(ISS, NOW + 3600)));
  assert.equal(statusOf(good, 2), 'pass');
  assert.equal(statusOf(good, 3), 'pass');
  const other = JSON.parse(await judge.judge(jwt('https://other-11.clerk.accounts.dev', NOW + 3600)));
  assert.equal(other.cause_step, 3);
  assert.ok(other.findings.some((f) => f.code === 'config.issuer_mismatch'));
  const expired = JSON.parse(await judge.judge(jwt(ISS, NOW - 10)));
  assert.ok(expired.findings.some((f) => f.code === 'token.expired'));
  // Every pasted token's session was freed, and none of them joined the capture.
  assert.deepEqual(
    made.map((m) => m.freed),
    [true, true, true],
  );
  assert.equal(JSON.parse(capture.report()).tokens.length, 0);
});

test("the report is the engine's redacted one: neither the token nor its signature", async () => {
  const { judge } = setup();
  const token = jwt(ISS, NOW + 3600);
  const json = await judge.judge(`Bearer ${token}`);
  assert.ok(!json.includes(token));
  assert.ok(!json.includes(SIGNATURE.slice(0, 40)));
});

test('refusals are Errors in the engine words; a huge paste never reaches the engine', async () => {
  const { judge, made } = setup();
  await assert.rejects(judge.judge('  '), { message: 'no token given' });
  await assert.rejects(judge.judge('x'.repeat(100_000)), {
    message: 'the token is 100000 bytes, longer than 65536 bytes: not judged',
  });
  const before = made.length;
  await assert.rejects(judge.judge('x'.repeat(MAX_PASTE_CHARS + 1)), /more than 1048576: not judged/);
  assert.equal(made.length, before, 'no session made for it');
  assert.ok(made.every((m) => m.freed));
  // Garbage is judged: the report says what it is.
  const garbage = JSON.parse(await judge.judge('hello'));
  assert.ok(garbage.findings.some((f) => f.code === 'token.malformed'));
  const loading = createPasteJudge({ session: () => null });
  await assert.rejects(loading.judge('x'), /still loading/);
});

test("with the user's consent the issuer's keys are fetched for the pasted token's own session", async () => {
  const asked = [];
  const keyFetcher = (session) => ({
    async checkByUser(ask, refetch) {
      asked.push({ ask, refetch, requests: JSON.parse(session().keyRequests()) });
      session().setUnreachable(`${ISS}/.well-known/openid-configuration`, 'blocked in this test', NOW);
    },
  });
  const { capture, judge } = setup({ keyFetcher });
  // The capture holds a token of the same issuer, whose keys are not fetched yet.
  const ws = 'wss://happy-otter-123.convex.cloud/api/1.49.0/sync';
  const frame = (time, data) => ({ kind: 'ws_frame', socket: 'ws1', url: ws, direction: 'send', time, data });
  const auth = { type: 'Authenticate', tokenType: 'User', value: jwt(ISS, NOW + 3600), baseVersion: 0 };
  const connect = { type: 'Connect', sessionId: 's', connectionCount: 0, lastCloseReason: 'InitialConnect' };
  capture.pushEvents(JSON.stringify([frame(NOW, JSON.stringify(connect)), frame(NOW + 0.1, JSON.stringify(auth))]));
  const pendingBefore = capture.keyRequests();
  assert.notEqual(pendingBefore, '[]');
  const ask = () => Promise.resolve(true);
  const plain = JSON.parse(await judge.judge(jwt(ISS, NOW + 3600)));
  assert.equal(asked.length, 0, 'no fetch unless asked');
  assert.ok(!plain.findings.some((f) => f.code === 'jwks.unreachable'));
  const checked = JSON.parse(await judge.judge(jwt(ISS, NOW + 3600), { checkSignature: true, ask }));
  assert.equal(asked.length, 1);
  assert.equal(asked[0].ask, ask);
  assert.deepEqual(
    asked[0].requests.map((r) => r.url),
    [`${ISS}/.well-known/openid-configuration`],
  );
  assert.ok(
    checked.findings.some((f) => f.code === 'jwks.unreachable'),
    JSON.stringify(checked.findings),
  );
  // What was fetched for the pasted token stays with it: the capture still has its own request pending.
  assert.equal(capture.keyRequests(), pendingBefore);
  assert.ok(!JSON.parse(capture.report()).findings.some((f) => f.code === 'jwks.unreachable'));
});

test('one judgement at a time', async () => {
  let release;
  const keyFetcher = () => ({ checkByUser: () => new Promise((r) => (release = r)) });
  const { judge } = setup({ keyFetcher });
  const first = judge.judge(jwt(ISS, NOW + 3600), { checkSignature: true });
  await assert.rejects(judge.judge(jwt(ISS, NOW + 3600)), /being judged/);
  release();
  assert.equal(statusOf(JSON.parse(await first), 3), 'pass');
});

// ---- the panel's box over a stand-in document ----

function fakeElement(id) {
  const listeners = {};
  return {
    id,
    value: '',
    textContent: '',
    hidden: true,
    checked: false,
    disabled: false,
    open: false,
    className: '',
    dataset: {},
    attributes: {},
    children: [],
    focused: false,
    setAttribute(k, v) {
      this.attributes[k] = v;
    },
    addEventListener(type, fn) {
      listeners[type] = fn;
    },
    fire(type, event = {}) {
      return listeners[type]?.(event);
    },
    replaceChildren(...nodes) {
      this.children = nodes;
    },
    focus() {
      this.focused = true;
    },
  };
}

function fakeDocument() {
  const ids = [
    'paste-token',
    'paste-judge',
    'paste-error',
    'paste-result',
    'paste-clear',
    'paste-keys',
    'paste-details',
  ];
  const els = Object.fromEntries(ids.map((id) => [id, fakeElement(id)]));
  const win = fakeElement('window');
  return {
    els,
    win,
    doc: {
      getElementById: (id) => els[id] ?? null,
      createElement: (tag) => ({ ...fakeElement(''), tag }),
      defaultView: win,
    },
  };
}

function box({ judgeToken, auto = false } = {}) {
  const { els, win, doc } = fakeDocument();
  const calls = [];
  const host = {
    judgeToken: async (text, ask, checkSignature) => {
      calls.push({ text, ask, checkSignature, boxWhileJudging: els['paste-token'].value });
      return judgeToken(text);
    },
  };
  const drawn = [];
  const ask = () => Promise.resolve(true);
  const api = createPasteBox({
    doc,
    host: () => host,
    ask,
    draw: (report, parts) => drawn.push({ report, parts }),
    autoKeys: () => auto,
    clock: () => new Date(NOW * 1000),
  });
  return { els, win, calls, drawn, api, ask };
}

const REPORT = { verdict: 'Step 3 breaks: x Fix: y', cause_step: 3, steps: [], findings: [], tokens: [] };

test('the panel box: emptied when read, the verdict drawn with the panel renderers, refusals shown as text', async () => {
  const { els, calls, drawn, ask } = box({ judgeToken: async () => JSON.stringify(REPORT) });
  els['paste-token'].value = 'eyJ.token.text';
  els['paste-keys'].checked = true;
  await els['paste-judge'].fire('click');
  assert.deepEqual(calls, [{ text: 'eyJ.token.text', ask, checkSignature: true, boxWhileJudging: '' }]);
  assert.equal(els['paste-token'].value, '');
  assert.equal(els['paste-result'].hidden, false);
  assert.equal(els['paste-result'].dataset.verdict, 'fail');
  assert.equal(drawn.length, 1);
  assert.deepEqual(drawn[0].report, REPORT);
  const [when, verdict, steps, compare, tokens] = els['paste-result'].children;
  assert.match(when.textContent, /judged at .*not stored/);
  assert.equal(verdict.textContent, REPORT.verdict);
  assert.deepEqual([steps, compare, tokens], [drawn[0].parts.steps, drawn[0].parts.compare, drawn[0].parts.tokens]);
  assert.equal(els['paste-judge'].disabled, false);

  // Clear empties the result too.
  els['paste-clear'].fire('click');
  assert.equal(els['paste-result'].hidden, true);
  assert.deepEqual(els['paste-result'].children, []);
  assert.equal(els['paste-token'].focused, true);
});

test('the panel box: an engine refusal is a sentence; nothing is drawn', async () => {
  const { els, drawn } = box({
    judgeToken: async () => {
      throw new Error('the token is 1000000 bytes, longer than 65536 bytes: not judged');
    },
  });
  els['paste-token'].value = 'a'.repeat(1000);
  await els['paste-judge'].fire('click');
  assert.equal(
    els['paste-error'].textContent,
    'Not judged: the token is 1000000 bytes, longer than 65536 bytes: not judged.',
  );
  assert.equal(els['paste-result'].hidden, true);
  assert.equal(drawn.length, 0);
  assert.equal(els['paste-token'].value, '');
});

test('the panel box: Ctrl+Enter judges; leaving the page clears; the signature box follows the opt-in until set', async () => {
  const { els, win, calls } = box({ judgeToken: async () => JSON.stringify(REPORT), auto: true });
  els['paste-details'].fire('toggle');
  assert.equal(els['paste-keys'].checked, true, 'starts as the app opt-in');
  els['paste-keys'].checked = false;
  els['paste-keys'].fire('change');
  els['paste-details'].fire('toggle');
  assert.equal(els['paste-keys'].checked, false, "the user's choice stays");

  els['paste-token'].value = 'eyJ.a.b';
  let prevented = false;
  await els['paste-token'].fire('keydown', { key: 'Enter', ctrlKey: true, preventDefault: () => (prevented = true) });
  assert.equal(prevented, true);
  assert.equal(calls.length, 1);
  els['paste-token'].fire('keydown', { key: 'Enter', preventDefault: () => {} });
  assert.equal(calls.length, 1, 'a plain Enter is a new line');

  els['paste-token'].value = 'typed, not judged';
  win.fire('pagehide');
  assert.equal(els['paste-token'].value, '');
  assert.equal(els['paste-result'].hidden, true);
});
