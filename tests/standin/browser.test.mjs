// The demo page in Chromium (puppeteer-core, no browser download): every scenario's page must
// reach `document.body.dataset.done === "1"` and produce the same wire traffic as in Node
// (expectations.mjs). React scenarios here go through the real ConvexProviderWithAuth.
// Skipped when no Chromium is installed (set CHROMIUM_PATH to point at one).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startStack, loadScenarios } from './stack.mjs';
import { expectations, checkTraffic } from './expectations.mjs';

const chromium =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const scenarios = loadScenarios();

// Timeouts per test, not per suite (a suite's timeout covers all its tests together).
describe('demo page in Chromium', { skip: chromium ? false : 'no Chromium found', concurrency: 2 }, () => {
  let stack, browser;
  before(async () => {
    const puppeteer = (await import('puppeteer-core')).default;
    stack = await startStack();
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  test('the menu lists every scenario', { timeout: 60000 }, async () => {
    const page = await browser.newPage();
    await page.goto(stack.appUrl('all-good').replace(/\?.*$/, ''));
    await page.waitForFunction(() => document.querySelectorAll('#menu li').length > 0);
    const ids = await page.$$eval('#menu a', (as) => as.map((a) => a.textContent));
    assert.deepEqual(
      ids,
      scenarios.map((s) => s.id),
    );
    await page.close();
  });

  for (const s of scenarios) {
    test(`${s.id} (${s.client})`, { timeout: 90000 }, async () => {
      const page = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      try {
        await page.goto(stack.appUrl(s.id));
        await page.waitForFunction(() => document.body.dataset.done === '1', { timeout: 60000 });
        const { error, status, state } = await page.evaluate(() => ({
          error: document.body.dataset.error,
          status: document.getElementById('status').textContent,
          state: document.getElementById('state').textContent,
        }));
        assert.equal(error, undefined, status);
        assert.deepEqual(JSON.parse(state).errors, [], status);
        assert.deepEqual(pageErrors, []);
        assert.deepEqual(checkTraffic(s, expectations(stack.idpUrl)[s.id], stack.frames(s.id)), []);
      } finally {
        await page.close();
      }
    });
  }
});
