// Provider-specific headlines end to end (issue 10, item 1): the stand-in identity provider's issuers carry a real
// Clerk development host, `verb-noun-00.clerk.accounts.dev`, served over HTTPS with a throwaway certificate made here
// (`.dev` is HSTS-preloaded: Chromium reaches it over HTTPS only) and mapped to 127.0.0.1 by Chromium's
// `--host-resolver-rules`, so the tokens the app gets are shaped like Clerk's and the panel must recognise Clerk.
// Only scenarios where the stand-in backend never fetches the issuer's keys (Node cannot resolve that name): the
// token is refused on its issuer or audience before any key is needed. The panel's own key fetch (a pasted token,
// "Also check its signature") does go to that name, through the mapping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, loadScenarios } from '../standin/stack.mjs';
import { CLERK_HOST, clerkHostArgs, throwawayCertificate } from './clerk-host.mjs';
import { launch, openTab, readPanel, mismatches, evalIn, until, clickInPanel, withValues } from './harness.mjs';

const SCENARIOS = ['issuer-other-clerk', 'audience-clerk-template'];
const byId = Object.fromEntries(loadScenarios().map((s) => [s.id, s]));
let stack;
let chrome;

before(async () => {
  stack = await startStack({ scenarios: SCENARIOS, idpHostname: CLERK_HOST, idpTls: throwawayCertificate() });
  chrome = await launch({ extraArgs: clerkHostArgs });
});

after(async () => {
  await chrome?.close();
  await stack?.close();
});

/**
 * Where the Clerk-specific Fix line words it otherwise than the generic one the scenario expects (an issuer on
 * 127.0.0.1 is no recognised provider): Clerk's own remedy, a JWT template named convex and ConvexProviderWithClerk.
 */
const CLERK_FIX = {
  'audience-clerk-template': {
    code: 'token.claim_missing',
    has: ['JWT template named convex', 'ConvexProviderWithClerk'],
  },
};

/** Runs a scenario and returns the panel's reading once it meets the scenario's expectation (or after 10 s). */
async function run(tab, id) {
  await tab.page.goto(stack.appUrl(id));
  await tab.page.waitForSelector('body[data-done]', { timeout: 45000 });
  const scenario = byId[id].expect;
  const expect = withValues(
    { ...scenario, fix: CLERK_FIX[id] ?? scenario.fix },
    { idpUrl: stack.idpUrl, deploymentUrl: stack.backendUrl(id) },
  );
  let reading;
  await until(
    async () => {
      reading = await readPanel(tab.panel);
      return mismatches(reading, expect).length === 0;
    },
    { timeoutMs: 10000, what: `the verdict of ${id}` },
  ).catch(() => {});
  assert.deepEqual(mismatches(reading, expect), [], JSON.stringify(reading));
  return reading;
}

test('the stand-in issuers are Clerk-shaped', () => {
  assert.match(stack.idpUrl, /^https:\/\/verb-noun-00\.clerk\.accounts\.dev:\d+$/);
});

test('a token from another Clerk instance: the headline names the Clerk instance', { timeout: 90000 }, async () => {
  const tab = await openTab(chrome.browser);
  try {
    const reading = await run(tab, 'issuer-other-clerk');
    assert.match(
      reading.verdict,
      new RegExp(
        `^Step 3 breaks: the token comes from the Clerk instance ${stack.idpUrl}/clerk-other, which the deployment does not trust \\(${stack.idpUrl}/clerk\\)\\. Fix: `,
      ),
    );
  } finally {
    await tab.page.close();
  }
});

test("Clerk's session token (no aud): the headline says the JWT template is not named convex", {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser);
  try {
    const reading = await run(tab, 'audience-clerk-template');
    assert.match(
      reading.verdict,
      /^Step 2 breaks: the token has no aud: it is Clerk's session token, not one from the JWT template named convex\. Fix: /,
    );
  } finally {
    await tab.page.close();
  }
});

test('a pasted Clerk token: its signature checked with the keys fetched from the Clerk-shaped host', {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser);
  try {
    await run(tab, 'issuer-other-clerk');
    const token = await stack.idp.mint('clerk-convex');
    await evalIn(
      tab.panel,
      `(async () => {
      document.getElementById('paste-details').open = true;
      await new Promise((r) => setTimeout(r, 50));
      document.getElementById('paste-keys').checked = true;
      document.getElementById('paste-token').value = ${JSON.stringify(token)};
    })()`,
    );
    await clickInPanel(tab, '#paste-judge');
    const codes = await until(
      async () =>
        evalIn(
          tab.panel,
          `!document.getElementById('paste-result').hidden &&
           [...document.querySelectorAll('#paste-result [data-code]')].map((e) => e.dataset.code)`,
        ),
      { timeoutMs: 20000, what: 'the pasted token judged' },
    );
    assert.ok(codes.includes('signature.valid'), JSON.stringify(codes));
    assert.ok(!codes.includes('jwks.unreachable'), JSON.stringify(codes));
  } finally {
    await tab.page.close();
  }
});
