// auth.config.ts pasted into the panel as users write it (issue 14): Better Auth's documented config, whose provider
// comes from the library's helper (the stand-in deployment runs the real helper; the panel reads it without
// running code), a config reading a variable that was not given, and one importing a file that was not pasted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, loadScenarios } from '../standin/stack.mjs';
import { launch, openTab, readPanel, evalIn, until, ROOT } from './harness.mjs';

const BETTER_AUTH_CONFIG = readFileSync(path.join(ROOT, 'tests/standin/configs/better-auth.auth.config.ts'), 'utf8');
// The documented configs the command line's tests use (crate/tests/fixtures/libraries/), pasted against the scenario
// whose token comes from that library, with the scenario's deployment values as the environment lines.
const DOCUMENTED = { 'all-good': 'clerk', 'all-good-client': 'auth0', 'convex-auth': 'convex-auth' };
const byId = Object.fromEntries(loadScenarios().map((s) => [s.id, s]));
let stack;
let chrome;

before(async () => {
  stack = await startStack({ scenarios: ['better-auth', 'better-auth-site-url-unset', ...Object.keys(DOCUMENTED)] });
  chrome = await launch();
});

after(async () => {
  await chrome?.close();
  await stack?.close();
});

/** Types the configuration and its environment lines into the panel's form and applies it, as a user does. */
async function paste(panel, source, envLines) {
  await evalIn(
    panel,
    `(() => {
    document.getElementById('config-details').open = true;
    document.getElementById('config-source').value = ${JSON.stringify(source)};
    document.getElementById('config-env').value = ${JSON.stringify(envLines)};
    document.getElementById('config-apply').click();
  })()`,
  );
}

const configError = (panel) => evalIn(panel, "document.getElementById('config-error').textContent");
const findingText = (panel, code) =>
  evalIn(
    panel,
    `(() => { const f = document.querySelector('[data-code="${code}"]'); return f ? f.textContent : null; })()`,
  );

async function runScenario(id) {
  const tab = await openTab(chrome.browser);
  await tab.page.goto(stack.appUrl(id));
  await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
  return tab;
}

test("Better Auth's documented config, pasted: the helper's provider matches the library's token", {
  timeout: 90000,
}, async () => {
  const tab = await runScenario('better-auth');
  try {
    const site = `${stack.idpUrl}/better-auth`;
    await paste(tab.panel, BETTER_AUTH_CONFIG, `CONVEX_SITE_URL=${site}`);
    let reading;
    await until(
      async () => {
        reading = await readPanel(tab.panel);
        return reading.codes.includes('config.matched');
      },
      { timeoutMs: 10000, what: 'config.matched after pasting' },
    ).catch(() => {});
    assert.equal(await configError(tab.panel), '', 'the documented config is read, not refused');
    assert.ok(reading.codes.includes('config.matched'), JSON.stringify(reading));
    assert.equal(reading.steps[3], 'pass', JSON.stringify(reading));
    const matched = await findingText(tab.panel, 'config.matched');
    assert.match(matched, /customJwt/, matched);
    // Side by side: the one provider is the one picked, both fields the same, nothing marked.
    assert.deepEqual(
      reading.compare?.map((r) => [
        r.provider,
        r.field,
        r.match,
        r.marker,
        r.configMarked.length + r.tokenMarked.length,
      ]),
      [
        [1, 'issuer', 'true', 'matched', 0],
        [1, 'applicationID', 'true', 'matched', 0],
      ],
      JSON.stringify(reading.compare),
    );

    // The same config without the variable's value: read, and the variable is named with the value it needs.
    await paste(tab.panel, BETTER_AUTH_CONFIG, '');
    await until(async () => (await readPanel(tab.panel)).codes.includes('config.env_unresolved'), {
      timeoutMs: 10000,
      what: 'config.env_unresolved',
    });
    const unresolved = await findingText(tab.panel, 'config.env_unresolved');
    assert.ok(unresolved.includes('CONVEX_SITE_URL') && unresolved.includes(site), unresolved);
    // The issuer cell cannot be compared: it reads a variable whose value was not given, and says which.
    const issuerRow = (await readPanel(tab.panel)).compare?.find((r) => r.field === 'issuer');
    assert.equal(issuerRow?.match, 'unknown', JSON.stringify(issuerRow));
    assert.ok(issuerRow.notes.includes('CONVEX_SITE_URL'), JSON.stringify(issuerRow));

    // A config importing a constant from a file that was not pasted: the panel says so, naming both.
    await paste(
      tab.panel,
      'import { SITE } from "./constants";\nexport default { providers: [{ domain: SITE, applicationID: "convex" }] };',
      '',
    );
    const error = await configError(tab.panel);
    assert.match(error, /`SITE` is imported from `\.\/constants`, which was not given here/, error);
  } finally {
    await tab.page.close();
  }
});

test('a Better Auth token whose iss is "undefined": the cause names the unset CONVEX_SITE_URL', {
  timeout: 90000,
}, async () => {
  const tab = await runScenario('better-auth-site-url-unset');
  try {
    await paste(tab.panel, BETTER_AUTH_CONFIG, `CONVEX_SITE_URL=${stack.idpUrl}/better-auth`);
    let reading;
    await until(
      async () => {
        reading = await readPanel(tab.panel);
        return reading.steps[3] === 'fail' && reading.codes.includes('config.issuer_mismatch');
      },
      { timeoutMs: 10000, what: 'the issuer mismatch' },
    ).catch(() => {});
    assert.equal(reading.steps[3], 'fail', JSON.stringify(reading));
    assert.equal(reading.cause_step, 3, JSON.stringify(reading));
    const text = await findingText(tab.panel, 'config.issuer_mismatch');
    assert.ok(text?.includes('`undefined`') && text.includes('CONVEX_SITE_URL'), text);
  } finally {
    await tab.page.close();
  }
});

test('the documented configs of Clerk, Auth0 and Convex Auth, pasted with the deployment values, match their tokens', {
  timeout: 120000,
}, async () => {
  for (const [id, library] of Object.entries(DOCUMENTED)) {
    const tab = await runScenario(id);
    try {
      const source = readFileSync(path.join(ROOT, `crate/tests/fixtures/libraries/${library}.auth.config.ts`), 'utf8');
      const envLines = Object.entries(byId[id].backend.env)
        .map(([k, v]) => `${k}=${v.replace('{IDP}', stack.idpUrl)}`)
        .join('\n');
      await paste(tab.panel, source, envLines);
      let reading;
      await until(
        async () => {
          reading = await readPanel(tab.panel);
          return reading.codes.includes('config.matched');
        },
        { timeoutMs: 10000, what: `config.matched for ${library}` },
      ).catch(() => {});
      assert.equal(await configError(tab.panel), '', `${library}: the documented config is read`);
      assert.ok(reading.codes.includes('config.matched'), `${library}: ${JSON.stringify(reading)}`);
      assert.equal(reading.steps[3], 'pass', `${library}: ${JSON.stringify(reading)}`);
      assert.ok(!reading.codes.includes('config.env_unresolved'), `${library}: every variable given`);
    } finally {
      await tab.page.close();
    }
  }
});
