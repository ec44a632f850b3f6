// The Firefox build (scripts/build-firefox.mjs) in real Firefox ESR, with the real convex client against the
// stand-in: the DevTools toolbox opened on the app's tab, the "Convex Auth" panel shown and read (tests/e2e/firefox.mjs
// says how), live capture turned on with the panel's own button, and the verdicts the panel shows.
//
// Firefox's network API gives extensions no WebSocket frames, so in Firefox the verdicts on the sync socket come
// only through live capture (the page hook, its relay, the background page, the devtools page's engine).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadScenarios, startStack } from '../standin/stack.mjs';
import { closeToolbox, engineReady, evalInAddon, firefoxMissing, launchFirefox, openPanel } from './firefox.mjs';
import { mismatches, PANEL_READING, sleep, until, withValues } from './harness.mjs';

const all = loadScenarios();
const byId = Object.fromEntries(all.map((s) => [s.id, s]));
/**
 * The scenarios judged one after another in Firefox through the page hook: one or more per step of the chain, the
 * socket that never connects, an HTTP-only client, and a signature check from the issuer's keys.
 * FIREFOX_SCENARIOS=all (or a comma-separated list of ids) widens it.
 */
const PER_STEP = ['not-connected', 'no-token-signed-out', 'all-good-http', 'audience-auth0-client-id', 'wrong-kid'];
const chosen =
  process.env.FIREFOX_SCENARIOS === 'all'
    ? all.map((s) => s.id)
    : process.env.FIREFOX_SCENARIOS
      ? process.env.FIREFOX_SCENARIOS.split(',')
      : PER_STEP;
const IDS = [...new Set(['all-good', 'issuer-other-clerk', 'token-expired', ...chosen])];
/** Findings the panel makes only from the issuer's published keys, which it fetches when the user asks. */
const needsKeys = (id) => (byId[id].expect.codes || []).some((c) => /^(signature|jwks|discovery)\./.test(c));
const DEVTOOLS = '/extension/devtools.html';
const PANEL = '/extension/panel.html';
const BACKGROUND = '_generated_background_page.html';
const skip = firefoxMissing() ? 'Firefox ESR is not installed (scripts/setup.sh installs it)' : false;
let stack;

before(async () => {
  if (!skip) stack = await startStack({ scenarios: IDS });
});

after(async () => {
  await stack?.close();
});

/** The scenario's expectation with this run's identity provider and deployment URLs in its fix expectation. */
const expectOf = (id) => withValues(byId[id].expect, { idpUrl: stack.idpUrl, deploymentUrl: stack.backendUrl(id) });
const stats = (ff) => evalInAddon(ff, DEVTOOLS, '__doctor.stats()').then(JSON.parse);
const liveState = (ff) => evalInAddon(ff, DEVTOOLS, '__doctor.liveState()').then(JSON.parse);
const liveBox = (ff) =>
  evalInAddon(
    ff,
    PANEL,
    `({
      hidden: document.getElementById('live-box').hidden,
      on: document.getElementById('live-box').dataset.on,
      delivering: document.getElementById('live-box').dataset.delivering,
      text: document.getElementById('live-state').textContent,
      button: document.getElementById('live-toggle').textContent,
      status: document.getElementById('status').textContent,
    })`,
  );

/** Waits until the panel shows the scenario's expectation; returns the last reading. */
async function verdictOf(ff, id, timeoutMs = 15000) {
  let reading;
  await until(
    async () => {
      reading = await evalInAddon(ff, PANEL, PANEL_READING);
      return mismatches(reading, expectOf(id)).length === 0;
    },
    { timeoutMs, everyMs: 300, what: `the ${id} verdict` },
  ).catch(() => {});
  return reading;
}

async function loadApp(page, id) {
  await page.goto(stack.appUrl(id));
  await page.waitForSelector('body[data-done]', { timeout: 30000 });
}

test('Firefox: the panel loads; live capture is turned on from it; from the next load the hook delivers the verdict', {
  skip,
  timeout: 240000,
}, async () => {
  const ff = await launchFirefox({ granted: ['http://127.0.0.1/*'] });
  try {
    const [page] = await ff.browser.pages();
    await openPanel(ff);
    await engineReady(ff);
    await loadApp(page, 'all-good');
    const origin = new URL(stack.appUrl('all-good')).origin;

    // Without live capture: Firefox's network API shows the socket's upgrade but none of its frames. The panel must
    // not read that as a socket that closed (the wrong "Step 1 breaks" it showed before capture.js knew).
    await until(async () => !(await liveBox(ff)).hidden, { what: 'the live capture box' });
    const off = await evalInAddon(ff, PANEL, PANEL_READING);
    assert.ok(!off.codes.includes('client.connection_failed'), JSON.stringify(off.codes));
    assert.ok(!off.codes.includes('auth.confirmed'), 'no frame seen, so nothing confirmed');
    const box = await until(async () => (await liveBox(ff)).text.includes('WebSocket frames') && liveBox(ff), {
      what: 'the panel pointing to live capture',
    });
    assert.match(box.text, /none of the app's WebSocket frames \(Firefox\): turn on live capture/);
    assert.equal(box.button, `Turn on live capture for ${origin}`);
    assert.equal((await stats(ff)).live, false);

    // The user's click on the panel's button. The permission was granted at install (see launchFirefox): the
    // background page registers the two scripts, for the app's host (Firefox's patterns take no port).
    await evalInAddon(ff, PANEL, "(document.getElementById('live-toggle').click(), true)");
    await until(async () => (await liveBox(ff)).on === 'true', { what: 'live capture on' });
    const registered = await evalInAddon(ff, BACKGROUND, 'browser.scripting.getRegisteredContentScripts()');
    assert.deepEqual(registered.map((r) => [r.world, r.matches, r.runAt, r.js]).sort(), [
      ['ISOLATED', ['http://127.0.0.1/*'], 'document_start', ['extension/hook/relay.js']],
      ['MAIN', ['http://127.0.0.1/*'], 'document_start', ['extension/hook/page.js']],
    ]);
    assert.match((await liveBox(ff)).text, /starts with the next page load/);

    // One reload: the hook sees the page from its start, and its frames reach the engine.
    await page.reload();
    await page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await stats(ff)).live, { what: 'the hook delivering' });
    const reading = await verdictOf(ff, 'all-good');
    assert.deepEqual(mismatches(reading, expectOf('all-good')), [], JSON.stringify(reading));
    const s0 = await stats(ff);
    assert.ok(s0.hookRecords > 0 && s0.frames > 0, JSON.stringify(s0));
    assert.equal((await liveBox(ff)).delivering, 'true');
    // getHAR() polling stopped while the hook delivers.
    await sleep(2000);
    assert.equal((await stats(ff)).polls, s0.polls, 'no poll while live capture delivers');

    // Another scenario in the same tab: a new page load, judged afresh.
    await loadApp(page, 'token-expired');
    const expired = await verdictOf(ff, 'token-expired');
    assert.deepEqual(mismatches(expired, expectOf('token-expired')), [], JSON.stringify(expired));

    // DevTools closed, the app loaded, DevTools opened again: the relay kept the page's records, the background
    // page reaches it, and the verdict comes without a reload.
    await closeToolbox(ff);
    await loadApp(page, 'issuer-other-clerk');
    await sleep(500); // the app is idle, its socket long open, before DevTools opens
    await openPanel(ff);
    await engineReady(ff);
    const late = await verdictOf(ff, 'issuer-other-clerk');
    assert.deepEqual(mismatches(late, expectOf('issuer-other-clerk')), [], JSON.stringify(late));
    assert.equal(late.reloadHint, false);
    assert.equal((await stats(ff)).live, true);

    // Garbage through the hook's channel is ignored; the panel keeps its verdict.
    const ignored = (await stats(ff)).hookIgnored;
    await page.evaluate(() => {
      const send = (detail) => window.dispatchEvent(new CustomEvent('convex-auth-doctor:hook', { detail }));
      send('not json');
      send(42);
      send('{"type":"ws-frame","sid":999,"dir":"receive","data":"no such socket"}');
      send('{"type":"http","rid":1,"url":"javascript:alert(1)","method":"GET","status":200}');
    });
    await until(async () => (await stats(ff)).hookIgnored - ignored >= 3, { what: 'the garbage ignored' });
    const still = await verdictOf(ff, 'issuer-other-clerk');
    assert.deepEqual(mismatches(still, expectOf('issuer-other-clerk')), [], JSON.stringify(still));
  } finally {
    await ff.close();
  }
});

test("Firefox without the origin's permission: the panel's button opens the page where the user grants it", {
  skip,
  timeout: 180000,
}, async () => {
  const ff = await launchFirefox();
  try {
    const [page] = await ff.browser.pages();
    await openPanel(ff);
    await engineReady(ff);
    await loadApp(page, 'all-good');
    const origin = new URL(stack.appUrl('all-good')).origin;
    await until(async () => (await liveState(ff)).supported, { what: 'the origin' });
    assert.equal((await liveState(ff)).permitted, false);
    await evalInAddon(ff, PANEL, "(document.getElementById('live-toggle').click(), true)");
    // A devtools panel cannot ask Firefox for a permission: a tab opens where the user's click can. (Puppeteer does
    // not follow a tab the extension opened: the browser's own tab list says where it went.)
    const grantUrl = await until(
      async () => {
        const urls = await ff.chrome('return [...gBrowser.tabs].map((t) => t.linkedBrowser.currentURI.spec);');
        return urls.find((u) => u.includes('/extension/grant.html#'));
      },
      { what: 'the grant page' },
    );
    assert.equal(decodeURIComponent(new URL(grantUrl).hash.slice(1)), origin);
    const button = await until(
      async () => {
        const b = await evalInAddon(ff, '/extension/grant.html', "document.getElementById('grant')?.textContent");
        return b?.startsWith('Allow live capture for') && b;
      },
      { what: 'the grant button' },
    );
    assert.equal(button, `Allow live capture for ${origin}`);
    const box = await until(async () => /the tab that just opened/.test((await liveBox(ff)).status) && liveBox(ff), {
      what: "the panel's note",
    });
    assert.equal(box.on, 'false', 'nothing registered without the permission');
    const registered = await evalInAddon(
      ff,
      BACKGROUND,
      'browser.scripting ? browser.scripting.getRegisteredContentScripts() : []',
    );
    assert.deepEqual(registered, []);
  } finally {
    await ff.close();
  }
});

test('Firefox: scenarios through the page hook, each step of the chain', { skip, timeout: 600000 }, async (t) => {
  const ff = await launchFirefox({ granted: ['http://127.0.0.1/*'] });
  try {
    const [page] = await ff.browser.pages();
    await openPanel(ff);
    await engineReady(ff);
    await loadApp(page, 'all-good');
    await until(async () => (await liveState(ff)).supported, { what: 'the origin' });
    await evalInAddon(ff, DEVTOOLS, '__doctor.setLive(true)');
    for (const id of chosen) {
      await t.test(id, async () => {
        // A fresh DevTools per scenario, as in Chromium's scenario test (a new tab each): keys fetched for one
        // scenario's check stay known to the devtools page and would add signature findings to the next.
        await closeToolbox(ff);
        await page.goto('about:blank');
        await openPanel(ff);
        await engineReady(ff);
        await page.goto(stack.appUrl(id));
        await page.waitForSelector('body[data-done]', { timeout: 45000 });
        if (needsKeys(id)) {
          // The user presses "Check the signature" once the panel offers it.
          const offered =
            "!document.getElementById('keys-box').hidden && document.getElementById('check-keys').dataset.mode === 'check'";
          await until(async () => evalInAddon(ff, PANEL, offered), { what: 'the "Check the signature" button' });
          await evalInAddon(ff, PANEL, "(document.getElementById('check-keys').click(), true)");
        }
        const reading = await verdictOf(ff, id);
        assert.deepEqual(mismatches(reading, expectOf(id)), [], `${id}: ${JSON.stringify(reading)}`);
        assert.equal((await stats(ff)).live, true, 'judged from the page hook');
      });
    }
  } finally {
    await ff.close();
  }
});

test('Firefox stops an idle background page: the devtools page links again and live capture comes back by itself', {
  skip,
  timeout: 180000,
}, async () => {
  // Firefox stops a background page after extensions.background.idle.timeout without events (30 s; the devtools
  // page's keep-alive message every 20 s prevents it, hook-link.js). Here the timeout is 3 s, shorter than the
  // keep-alive, so the background page does stop; and add-on debugging (how this test reads the pages) keeps it
  // running, so the test lets go of it while it waits.
  const ff = await launchFirefox({
    granted: ['http://127.0.0.1/*'],
    prefs: { 'extensions.background.idle.timeout': 3000 },
  });
  try {
    const [page] = await ff.browser.pages();
    await openPanel(ff);
    await engineReady(ff);
    await loadApp(page, 'all-good');
    await until(async () => (await liveState(ff)).supported, { what: 'the origin' });
    await evalInAddon(ff, DEVTOOLS, '__doctor.setLive(true)');
    await loadApp(page, 'issuer-other-clerk');
    await until(async () => (await stats(ff)).live, { what: 'the hook delivering' });
    const started = await evalInAddon(ff, BACKGROUND, 'performance.timeOrigin');
    const before = await stats(ff);
    await ff.chrome('await globalThis.__cadCommands?.destroy(); delete globalThis.__cadCommands; return true;');
    await sleep(12000);
    // Something the page hook reports after the background page restarted: it must reach the devtools page.
    await page.evaluate(() => window.dispatchEvent(new CustomEvent('convex-auth-doctor:hook', { detail: 'garbage' })));
    await until(async () => (await stats(ff)).hookIgnored > before.hookIgnored, {
      what: 'the record after the restart',
    });
    assert.notEqual(await evalInAddon(ff, BACKGROUND, 'performance.timeOrigin'), started, 'the background restarted');
    const after = await stats(ff);
    assert.equal(after.live, true);
    const reading = await verdictOf(ff, 'issuer-other-clerk');
    assert.deepEqual(mismatches(reading, expectOf('issuer-other-clerk')), [], JSON.stringify(reading));
  } finally {
    await ff.close();
  }
});
