// A token pasted into the panel (issue 10, item 6): for clients the browser never sees. Real Chromium, the real
// extension and stand-in. The app of `issuer-other-clerk` runs first, so the panel holds a configuration in force
// (the provider list the development deployment printed) and a deployment; then tokens minted by the stand-in's
// identity provider are pasted, as a user would, and what the panel shows is read. The expectations on the Fix
// lines are the scenarios' own (tests/scenarios.json), with this run's URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, loadScenarios } from '../standin/stack.mjs';
import {
  launch,
  openTab,
  readPanel,
  mismatches,
  evalIn,
  until,
  clickInPanel,
  withValues,
  READ_COMPARE,
} from './harness.mjs';

const APP = 'issuer-other-clerk';
const byId = Object.fromEntries(loadScenarios().map((s) => [s.id, s]));
let stack;
let chrome;
let tab;
/** Console messages of the devtools page and the panel, and every request they made. */
const logs = [];
const requests = [];

before(async () => {
  stack = await startStack({ scenarios: [APP] });
  chrome = await launch();
  tab = await openTab(chrome.browser);
  for (const [session, where] of [
    [tab.dt, 'devtools page'],
    [tab.panel, 'panel'],
  ]) {
    session.on('Runtime.consoleAPICalled', (e) => logs.push(`${where}: ${JSON.stringify(e.args)}`));
    session.on('Network.requestWillBeSent', (e) =>
      requests.push(`${where}: ${e.request.url} ${JSON.stringify(e.request.headers)} ${e.request.postData ?? ''}`),
    );
    await session.send('Runtime.enable');
    await session.send('Network.enable');
  }
  await tab.page.goto(stack.appUrl(APP));
  await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
  // The capture's verdict, before anything is pasted: the server's provider list is the configuration in force.
  await until(async () => (await readPanel(tab.panel)).codes.includes('config.issuer_mismatch'), {
    timeoutMs: 15000,
    what: "the capture's verdict",
  });
});

after(async () => {
  await tab?.page.close().catch(() => {});
  await chrome?.close();
  await stack?.close();
});

/** What the pasted token's box shows. */
const readPaste = (panel) =>
  evalIn(
    panel,
    `(() => {
    const box = document.getElementById('paste-result');
    const steps = {};
    for (const n of [1, 2, 3]) steps[n] = box.querySelector('[data-step="' + n + '"]')?.dataset.status ?? null;
    const found = [...box.querySelectorAll('[data-code]')];
    return {
      cause_step: box.dataset.pastedCause ? Number(box.dataset.pastedCause) : null,
      // Step 3 side by side, as readPanel reads the capture's (tests/e2e/harness.mjs), inside the box.
      compare: (${READ_COMPARE})(box),
      // Each finding's evidence as shown: name → text.
      evidence: Object.fromEntries(
        found.map((f) => {
          const dl = f.querySelector(':scope > dl.evidence');
          const pairs = dl ? [...dl.querySelectorAll(':scope > dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? '']) : [];
          return [f.dataset.code, Object.fromEntries(pairs)];
        }),
      ),
      shown: !box.hidden,
      verdict: box.querySelector('.paste-verdict')?.textContent ?? '',
      steps,
      codes: found.map((e) => e.dataset.code),
      fixes: Object.fromEntries(found.map((e) => [e.dataset.code, e.querySelector('[data-fix]')?.textContent ?? null])),
      text: box.innerText,
      input: document.getElementById('paste-token').value,
      error: document.getElementById('paste-error').textContent,
      busy: document.getElementById('paste-judge').disabled,
    };
  })()`,
  );

/**
 * Pastes `text` into the box and judges it with a real click (the click's user activation is what a key check may
 * need), or from the keyboard (Ctrl+Enter). Returns what the box shows once judged.
 */
async function paste(text, { signature = false, keyboard = false } = {}) {
  await evalIn(
    tab.panel,
    `(async () => {
    const details = document.getElementById('paste-details');
    if (!details.open) {
      details.open = true;
      await new Promise((r) => setTimeout(r, 50)); // its toggle event sets the signature box from the app's choice
    }
    document.getElementById('paste-clear').click();
    document.getElementById('paste-keys').checked = ${signature};
    document.getElementById('paste-token').value = ${JSON.stringify(text)};
  })()`,
  );
  if (keyboard) {
    const frame = tab.devtoolsWindow.frames().find((f) => f.url().endsWith('/extension/panel.html'));
    await frame.focus('#paste-token');
    await tab.devtoolsWindow.keyboard.down('Control');
    await tab.devtoolsWindow.keyboard.press('Enter');
    await tab.devtoolsWindow.keyboard.up('Control');
  } else {
    await clickInPanel(tab, '#paste-judge');
  }
  return until(
    async () => {
      const r = await readPaste(tab.panel);
      return !r.busy && (r.shown || r.error) && r;
    },
    { timeoutMs: 20000, what: 'the pasted token judged' },
  );
}

const signatureOf = (token) => token.split('.')[2];
/** What the box shows, for a failure message: never the box's own text (it could be a token). */
const seen = (r) => JSON.stringify({ ...r, input: r.input ? '(not empty)' : '' });

/** Every place a pasted token could have been kept, as text. */
async function everythingKept() {
  const storage = `(async () => {
    const all = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
    for (const area of ['local', 'session', 'sync']) {
      const a = globalThis.chrome?.storage?.[area];
      if (a) all.push(JSON.stringify(await a.get(null)));
    }
    return all.join('\\n');
  })()`;
  return [
    await evalIn(tab.dt, storage),
    await evalIn(tab.panel, storage),
    // What the devtools page keeps of the capture: the pasted tokens must not have joined it.
    await evalIn(tab.dt, '__doctor.report() + __doctor.markdown()'),
    logs.join('\n'),
    requests.join('\n'),
  ].join('\n');
}

test('a good token and a bad one, pasted: judged with the configuration in force, shown as a captured verdict is, never kept', {
  timeout: 120000,
}, async () => {
  const capturedVerdict = await evalIn(tab.panel, "document.getElementById('verdict').textContent");
  const good = await stack.idp.mint('clerk-convex');
  const shown = await paste(good, { signature: true });
  assert.equal(shown.error, '', seen(shown));
  assert.ok(shown.input === '', 'the box is emptied once read');
  assert.deepEqual([shown.steps[2], shown.steps[3]], ['pass', 'pass'], seen(shown));
  // Its signature checked against the issuer's published keys, as for a captured token.
  assert.ok(shown.codes.includes('signature.valid'), JSON.stringify(shown.codes));
  assert.doesNotMatch(shown.verdict, /breaks/);
  assert.ok(shown.text.includes('clerk'), 'the claims are shown');

  // The captured token's mistake, pasted: what the scenario expects at steps 2 and 3 — the headline, the Fix line
  // and the comparison — while step 1 is not judged from a token alone.
  const bad = await stack.idp.mint('clerk-other');
  const wrong = await paste(bad);
  assert.match(wrong.verdict, /^Step 3 breaks: .*Fix: /);
  const scenario = withValues(byId[APP].expect, { idpUrl: stack.idpUrl, deploymentUrl: stack.backendUrl(APP) });
  const expect = {
    ...scenario,
    step_status: { 1: 'unknown', 2: scenario.step_status[2], 3: scenario.step_status[3] },
    codes: scenario.codes.filter((c) => c !== 'auth.rejected'),
    groups: undefined, // one pasted token: no group
  };
  assert.ok(expect.fix && expect.compare, 'the scenario expects a Fix line and a comparison');
  assert.deepEqual(mismatches(wrong, expect), [], seen(wrong));

  // Expired, judged at the current time; from the keyboard.
  const expired = await paste(await stack.idp.mint('clerk-convex', 'expired'), { keyboard: true });
  assert.equal(expired.steps[2], 'fail', seen(expired));
  assert.ok(expired.codes.includes('token.expired'));
  assert.ok(expired.fixes['token.expired']?.startsWith('Fix:'), JSON.stringify(expired.fixes));

  // Signed with a key the issuer never published: the signature check says so, with the scenario's fix.
  const forged = await stack.idp.mint('clerk-convex', 'badsig');
  const sig = await paste(forged, { signature: true });
  assert.match(sig.verdict, /breaks/);
  const sigExpect = withValues(byId['wrong-signature'].expect, {
    idpUrl: stack.idpUrl,
    deploymentUrl: stack.backendUrl(APP),
  });
  const sigFix = sig.fixes['signature.invalid'];
  assert.ok(sigFix?.startsWith('Fix:'), JSON.stringify(sig.fixes));
  for (const value of sigExpect.fix.has) assert.ok(sigFix.includes(value), `${value} in ${sigFix}`);

  // The capture's own verdict did not change, and nothing of any pasted token was kept, logged or sent.
  assert.equal(await evalIn(tab.panel, "document.getElementById('verdict').textContent"), capturedVerdict);
  const kept = await everythingKept();
  for (const token of [good, bad, forged]) {
    assert.ok(!kept.includes(token), 'a pasted token was kept somewhere');
    assert.ok(!kept.includes(signatureOf(token)), 'a pasted signature was kept somewhere');
  }
  const page = await evalIn(tab.panel, 'document.documentElement.outerHTML');
  for (const token of [good, bad, forged]) assert.ok(!page.includes(signatureOf(token)), 'a signature on screen');
});

test('garbage, an empty box and a 1 MB paste each get a clear message, and the panel keeps working', {
  timeout: 90000,
}, async () => {
  const garbage = await paste('hello, this is not a token');
  assert.match(garbage.verdict, /^Step 2 breaks: the token is not a valid JWT/);
  assert.equal(garbage.steps[2], 'fail');

  const empty = await paste('   ');
  assert.equal(empty.shown, false);
  assert.equal(empty.error, 'Not judged: no token given.');

  const huge = await paste('a'.repeat(1_000_000));
  assert.equal(huge.shown, false);
  assert.match(huge.error, /^Not judged: the token is 1000000 bytes, longer than 65536 bytes: not judged\.$/);
  assert.ok(huge.input === '', 'the box is emptied once read');

  // Still working: a good token right after.
  const good = await paste(await stack.idp.mint('clerk-convex'));
  assert.equal(good.steps[3], 'pass', seen(good));
  assert.ok((await readPanel(tab.panel)).codes.includes('config.issuer_mismatch'), "the capture's verdict stays");
});

test('the box is labelled and reachable from the keyboard; a reloaded panel shows nothing of a token', {
  timeout: 90000,
}, async () => {
  const a11y = await evalIn(
    tab.panel,
    `(() => {
    const t = document.getElementById('paste-token');
    return {
      label: [...t.labels].map((l) => l.textContent).join(' '),
      autocomplete: t.getAttribute('autocomplete'),
      tabbable: ['paste-token', 'paste-judge', 'paste-keys', 'paste-clear'].every((id) => document.getElementById(id).tabIndex >= 0),
    };
  })()`,
  );
  assert.match(a11y.label, /Token/);
  assert.equal(a11y.autocomplete, 'off', 'the browser must not restore the box');
  assert.equal(a11y.tabbable, true);

  // A token judged, and another typed but not judged: then the panel's page reloads.
  const judged = await stack.idp.mint('clerk-convex');
  await paste(judged);
  const typed = await stack.idp.mint('clerk-convex');
  await evalIn(tab.panel, `document.getElementById('paste-token').value = ${JSON.stringify(typed)}`);
  await evalIn(tab.panel, 'window.__beforeReload = true; location.reload()').catch(() => {});
  // The same target, a new document (the CDP session follows it): not the old one still unloading.
  const after = await until(
    async () =>
      evalIn(
        tab.panel,
        `!window.__beforeReload && document.readyState === 'complete' && !!document.getElementById('paste-token') &&
         ({ value: document.getElementById('paste-token').value, result: document.getElementById('paste-result').hidden,
            html: document.documentElement.outerHTML })`,
      ),
    { timeoutMs: 15000, what: 'the reloaded panel' },
  );
  assert.ok(after.value === '', 'the reloaded box is empty'); // (never printed: it would be a token)
  assert.equal(after.result, true);
  for (const t of [judged, typed]) assert.ok(!after.html.includes(signatureOf(t)));
  const kept = await everythingKept();
  for (const t of [judged, typed]) assert.ok(!kept.includes(signatureOf(t)));
});
