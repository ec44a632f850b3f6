#!/usr/bin/env node
// See scripts/demo.sh (which installs and builds first). Options: [--headless] [SCENARIO] (default: a failing one,
// so the first thing a newcomer sees is a diagnosis; the page's menu picks the others), or `--screenshots DIR`: the
// README's screenshots of the panel (scripts/screenshots.mjs).
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { startStack, loadScenarios } from '../tests/standin/stack.mjs';
import { launch, openTab, readPanel, sleep, ROOT } from '../tests/e2e/harness.mjs';
import { screenshots } from './screenshots.mjs';

const args = process.argv.slice(2);
const shotsAt = args.indexOf('--screenshots');
if (shotsAt >= 0) {
  const dir = args[shotsAt + 1];
  if (!dir || dir.startsWith('--')) {
    console.error('--screenshots needs a directory (the README uses docs/screenshots)');
    process.exit(2);
  }
  process.exit(await screenshots(path.resolve(dir)));
}
const ids = new Set(loadScenarios().map((s) => s.id));
const scenario = args.find((a) => !a.startsWith('--')) ?? 'issuer-other-clerk';
if (!ids.has(scenario)) {
  console.error(`unknown scenario "${scenario}"; one of: ${[...ids].join(', ')}`);
  process.exit(2);
}
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
let headless = args.includes('--headless');
if (!headless && !hasDisplay) {
  console.error('No display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so no window can open.');
  console.error(
    'Running headless instead: the panel is saved as a screenshot. (Ask for it directly: scripts/demo.sh --headless [SCENARIO].)',
  );
  headless = true;
}

const stack = await startStack();
const chrome = await launch({ headless, extraArgs: ['--window-size=1400,1000'] });
let closing = false;
const shutdown = async (code = 0) => {
  if (closing) return;
  closing = true;
  await chrome.close();
  await stack.close();
  process.exit(code);
};
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  const tab = await openTab(chrome.browser);
  await tab.page.goto(stack.appUrl(scenario));
  if (headless) {
    await tab.page.waitForSelector('body[data-done]', { timeout: 45000 });
    await sleep(2500);
    const reading = await readPanel(tab.panel);
    const out = path.join(ROOT, 'tests', 'out');
    mkdirSync(out, { recursive: true });
    const file = path.join(out, `panel-${scenario}.png`);
    // Undocked, the DevTools window is all panel (DevTools internals: best effort).
    await tab.devtoolsWindow
      .evaluate(async () => {
        const legacy = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
        legacy.DockController.DockController.instance().setDockSide('undocked');
      })
      .catch(() => {});
    await sleep(800);
    await tab.devtoolsWindow.screenshot({ path: file });
    console.log(`scenario ${scenario}: ${reading.verdict}`);
    console.log(
      `cause step: ${reading.cause_step ?? 'none'}; steps: ${JSON.stringify(reading.steps)}; findings: ${reading.codes.join(', ')}`,
    );
    console.log(`screenshot of the panel: ${path.relative(process.cwd(), file)}`);
    await shutdown(0);
  } else {
    console.log(`Chromium is open on ${stack.appUrl(scenario)} with DevTools on the Convex Auth panel.`);
    console.log("Pick other scenarios from the page's menu; each is a fresh page load the panel diagnoses.");
    console.log('Close the browser window or press Ctrl+C to stop.');
    chrome.browser.on('disconnected', () => shutdown(0));
  }
} catch (e) {
  console.error(`demo failed: ${e.message}`);
  await shutdown(1);
}
