// Live capture (issue 11): the page hook, turned on from the panel for the app's origin, in real Chromium with the
// real convex client. The extension is the copy of harness.mjs liveCopy(): its manifest grants at install what the
// panel asks the user for (Chrome's prompt cannot be answered from a test); the files are the same.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadScenarios, startStack } from '../standin/stack.mjs';
import { clickInPanel, evalIn, launch, mismatches, openTab, readPanel, sleep, until, withValues } from './harness.mjs';

const byId = Object.fromEntries(loadScenarios().map((s) => [s.id, s]));
const IDS = ['all-good', 'issuer-other-clerk', 'token-expired', 'not-connected', 'all-good-http'];
let stack;
let chrome;

before(async () => {
  stack = await startStack({ scenarios: IDS });
  chrome = await launch({ live: true });
});

after(async () => {
  await chrome?.close();
  await stack?.close();
});

const stats = (tab) => evalIn(tab.dt, '__doctor.stats()').then(JSON.parse);
const liveBox = (tab) =>
  evalIn(
    tab.panel,
    `(() => ({
      hidden: document.getElementById('live-box').hidden,
      on: document.getElementById('live-box').dataset.on,
      delivering: document.getElementById('live-box').dataset.delivering,
      text: document.getElementById('live-state').textContent,
      button: document.getElementById('live-toggle').textContent,
    }))()`,
  );

/** Waits until the panel shows the scenario's expectation; returns the last reading. */
async function verdictOf(tab, id, timeoutMs = 8000) {
  let reading;
  await until(
    async () => {
      reading = await readPanel(tab.panel);
      return mismatches(reading, expectOf(id)).length === 0;
    },
    { timeoutMs, what: `the ${id} verdict` },
  ).catch(() => {});
  return reading;
}

test("turned on from the panel for the app's origin; from the next load the hook delivers and polling stops", {
  timeout: 120000,
}, async () => {
  const tab = await openTab(chrome.browser);
  try {
    await tab.page.goto(stack.appUrl('all-good'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    const origin = new URL(stack.appUrl('all-good')).origin;
    await until(async () => !(await liveBox(tab)).hidden, { timeoutMs: 8000, what: 'the live capture box' });
    const off = await liveBox(tab);
    assert.equal(off.on, 'false');
    assert.equal(off.button, `Turn on live capture for ${origin}`);
    // Off: DevTools' network capture, polling.
    assert.equal((await stats(tab)).live, false);

    await clickInPanel(tab, '#live-toggle');
    await until(async () => (await liveBox(tab)).on === 'true', { timeoutMs: 8000, what: 'live capture on' });
    const registered = await evalIn(tab.dt, 'chrome.scripting.getRegisteredContentScripts()');
    assert.deepEqual(
      registered.map((r) => [r.world, r.matches, r.runAt, r.persistAcrossSessions]),
      [
        ['MAIN', [`${origin}/*`], 'document_start', true],
        ['ISOLATED', [`${origin}/*`], 'document_start', true],
      ],
      'the two scripts, for this origin only',
    );
    assert.match((await liveBox(tab)).text, /starts with the next page load/);

    // One reload: the hook sees the page from its start.
    await tab.page.reload();
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await stats(tab)).live, { timeoutMs: 8000, what: 'the hook delivering' });
    const reading = await verdictOf(tab, 'all-good');
    assert.deepEqual(mismatches(reading, expectOf('all-good')), [], JSON.stringify(reading));
    const box = await until(async () => (await liveBox(tab)).delivering === 'true' && liveBox(tab), {
      timeoutMs: 5000,
      what: 'the panel saying the hook delivers',
    });
    assert.match(box.text, /arrives as it happens/);
    // Polling stopped: no getHAR() while the hook delivers.
    const s0 = await stats(tab);
    await sleep(2000);
    const s1 = await stats(tab);
    assert.equal(s1.polls, s0.polls, 'no poll while live capture delivers');
    assert.ok(s1.hookRecords > 0);
  } finally {
    await tab.page.close();
  }
});

/** The scenario's expectation with this run's identity provider and deployment URLs in its fix expectation. */
const expectOf = (id) => withValues(byId[id].expect, { idpUrl: stack.idpUrl, deploymentUrl: stack.backendUrl(id) });

/** Live capture on for the stand-in's origin (after the first test it already is: the registration persists). */
async function ensureLive() {
  const tab = await openTab(chrome.browser);
  try {
    await tab.page.goto(stack.appUrl('all-good'));
    await until(async () => JSON.parse(await evalIn(tab.dt, '__doctor.liveState()')).supported, {
      what: 'the origin',
    });
    await evalIn(tab.dt, '__doctor.setLive(true)');
  } finally {
    await tab.page.close();
  }
}

test('DevTools opened after the app loaded: with live capture on, the verdict without a reload', {
  timeout: 120000,
}, async () => {
  await ensureLive();
  for (const id of ['issuer-other-clerk', 'all-good-http']) {
    const tab = await openTab(chrome.browser, {
      appFirst: async (page) => {
        await page.goto(stack.appUrl(id));
        await page.waitForSelector('body[data-done]', { timeout: 30000 });
        await sleep(500); // the app is idle, its socket long open, before DevTools opens
      },
    });
    try {
      const reading = await verdictOf(tab, id);
      assert.deepEqual(mismatches(reading, expectOf(id)), [], `${id}: ${JSON.stringify(reading)}`);
      assert.equal(reading.reloadHint, false);
      const s = await stats(tab);
      assert.equal(s.live, true);
      assert.ok(s.hookRecords > 0);
    } finally {
      await tab.page.close();
    }
  }
});

test("garbage and forgeries through the hook's channel are ignored or judged as frames; the panel keeps working", {
  timeout: 120000,
}, async () => {
  await ensureLive();
  const tab = await openTab(chrome.browser);
  const errors = [];
  tab.dt.on('Runtime.exceptionThrown', (e) => errors.push(e.exceptionDetails?.exception?.description ?? 'error'));
  await tab.dt.send('Runtime.enable');
  try {
    await tab.page.goto(stack.appUrl('all-good'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await stats(tab)).live, { what: 'the hook delivering' });
    const before = await stats(tab);
    const rendered = (await readPanel(tab.panel)).rendered;
    const appState = () =>
      tab.page.evaluate(() => [document.body.dataset.done, document.getElementById('status').textContent]);
    const appBefore = await appState();
    await tab.page.evaluate(() => {
      const send = (detail) => window.dispatchEvent(new CustomEvent('convex-auth-doctor:hook', { detail }));
      send('not json');
      send(42);
      send(null);
      send('x'.repeat(3 * 1024 * 1024));
      send('[1,2,3]');
      send('{"type":"ws-frame","sid":999,"dir":"receive","data":"no such socket"}');
      send('{"type":"ws-new","sid":1e300,"url":"ws://127.0.0.1:1/api/1.0/sync"}');
      send('{"type":"ws-new","sid":5000,"url":"wss://example.com/chat"}');
      send('{"type":"http","rid":1,"url":"javascript:alert(1)","method":"GET","status":200}');
      send('{"type":"ws-close","sid":4001,"code":{"x":1}}');
      send('{"type":"__proto__","sid":1}');
      send('{"type":"ws-frame","sid":1,"dir":"sideways","data":"{}"}');
    });
    await until(async () => (await stats(tab)).hookIgnored - before.hookIgnored >= 9, { what: 'the garbage ignored' });
    const reading = await verdictOf(tab, 'all-good');
    assert.deepEqual(mismatches(reading, expectOf('all-good')), [], JSON.stringify(reading));

    // A forged socket and request are judged like any the page could make: the socket shows as a connection of
    // its own, and the panel renders it.
    const connections = () => evalIn(tab.panel, "document.querySelectorAll('[data-connection]').length");
    const known = await connections();
    await tab.page.evaluate(() => {
      const send = (detail) => window.dispatchEvent(new CustomEvent('convex-auth-doctor:hook', { detail }));
      send('{"type":"ws-new","sid":4000,"url":"ws://127.0.0.1:1/api/1.49.0/sync"}');
      send('{"type":"ws-frame","sid":4000,"dir":"receive","data":"{]"}');
      send(
        '{"type":"http","rid":2,"url":"http://127.0.0.1:1/api/query","method":"POST","status":"x","request_headers":"no"}',
      );
    });
    await until(async () => (await readPanel(tab.panel)).rendered > rendered && (await connections()) > known, {
      what: 'a render with the forged connection',
    });
    assert.deepEqual(errors, [], 'no exception in the devtools page');
    // The app itself was not disturbed.
    assert.deepEqual(await appState(), appBefore);
  } finally {
    await tab.page.close();
  }
});
