// Provider-specific headlines end to end (issue 10, item 1): the stand-in identity provider's issuers carry a real
// provider's host — a Clerk development instance (`verb-noun-00.clerk.accounts.dev`), an Auth0 tenant
// (`standin-tenant.us.auth0.com`) — over HTTPS with a throwaway certificate, mapped to 127.0.0.1 by Chromium's
// `--host-resolver-rules` (tests/e2e/cloud-host.mjs), so the tokens the app gets are shaped like that provider's and
// the panel must recognise it. Only scenarios where the stand-in backend never fetches the issuer's keys (Node cannot
// resolve those names): the token is refused on its issuer or audience before any key is needed. The panel's own key
// fetch (a pasted token, "Also check its signature") does go to that name, through the mapping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, loadScenarios } from '../standin/stack.mjs';
import { AUTH0_HOST, CLERK_HOST, hostArgs, throwawayCertificate } from './cloud-host.mjs';
import { launch, openTab, readPanel, mismatches, evalIn, until, clickInPanel, withValues } from './harness.mjs';

const byId = Object.fromEntries(loadScenarios().map((s) => [s.id, s]));
/** One stack per provider host (the stand-in IdP has one name); `stacks[id]` is the one running scenario `id`. */
const stacks = {};
let chrome;
const closers = [];

async function startFor(host, scenarios) {
  const stack = await startStack({ scenarios, idpHostname: host, idpTls: throwawayCertificate(host) });
  closers.push(() => stack.close());
  for (const id of scenarios) stacks[id] = stack;
  return stack;
}

before(async () => {
  await startFor(CLERK_HOST, ['issuer-other-clerk', 'audience-clerk-template']);
  await startFor(AUTH0_HOST, ['audience-auth0-client-id']);
  chrome = await launch({ extraArgs: hostArgs([CLERK_HOST, AUTH0_HOST]) });
});

after(async () => {
  await chrome?.close();
  for (const close of closers) await close();
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
  const stack = stacks[id];
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

test("the stand-in issuers carry the providers' hosts", () => {
  assert.match(stacks['issuer-other-clerk'].idpUrl, /^https:\/\/verb-noun-00\.clerk\.accounts\.dev:\d+$/);
  assert.match(stacks['audience-auth0-client-id'].idpUrl, /^https:\/\/standin-tenant\.us\.auth0\.com:\d+$/);
});

test('a token from another Clerk instance: the headline names the Clerk instance', { timeout: 90000 }, async () => {
  const tab = await openTab(chrome.browser);
  try {
    const reading = await run(tab, 'issuer-other-clerk');
    const idp = stacks['issuer-other-clerk'].idpUrl;
    assert.match(
      reading.verdict,
      new RegExp(
        `^Step 3 breaks: the token comes from the Clerk instance ${idp}/clerk-other, which the deployment does not trust \\(${idp}/clerk\\)\\. Fix: `,
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

test('an Auth0 token for another client ID: the headline says so, with both client IDs', {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser);
  try {
    const reading = await run(tab, 'audience-auth0-client-id');
    assert.match(
      reading.verdict,
      /^Step 3 breaks: the token is for another client ID: its aud is SomeOtherAuth0ClientId, the deployment expects the client ID Auth0ClientIdStandin\. Fix: /,
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
    const token = await stacks['issuer-other-clerk'].idp.mint('clerk-convex');
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
