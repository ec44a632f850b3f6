// The README's screenshots of the panel (issue 10, item 7): real Chromium with the real extension, DevTools on the
// Convex Auth panel, the stand-in running three scenarios — one that passes, an issuer mismatch, a bad signature —
// as a user would run them (the signature checked with a click on "Check the signature"). The issuer mismatch comes
// from a Clerk-shaped issuer (tests/e2e/cloud-host.mjs), so it shows the Clerk-specific headline. Refresh them with
// `scripts/demo.sh --screenshots docs/screenshots` (or `node scripts/demo.mjs --screenshots docs/screenshots`).
// Artefacts, not tests: CI does not run this, and a run changes the files (times, ports).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack } from '../tests/standin/stack.mjs';
import { CLERK_HOST, hostArgs, throwawayCertificate } from '../tests/e2e/cloud-host.mjs';
import { clickInPanel, evalIn, launch, openTab, readPanel, sleep, until } from '../tests/e2e/harness.mjs';

/**
 * The scenarios shown, what the panel must say before the picture is taken, and the file each goes to; `clerk`: its
 * issuers on the Clerk host (only where the stand-in backend fetches no key: it cannot resolve that name).
 */
export const SHOTS = [
  { scenario: 'all-good', file: 'panel-passing.png', keys: true, shows: 'signature.valid' },
  { scenario: 'issuer-other-clerk', file: 'panel-issuer-mismatch.png', shows: 'config.issuer_mismatch', clerk: true },
  { scenario: 'wrong-signature', file: 'panel-bad-signature.png', keys: true, shows: 'signature.invalid' },
];
/** The DevTools window's size: wide enough for the three step cards side by side, small enough for a light PNG. */
const WIDTH = 1200;
const HEIGHT = 860;

/** Undocks DevTools (then its window is all panel) at WIDTH × HEIGHT. DevTools internals: best effort. */
async function undock(tab) {
  await tab.devtoolsWindow
    .evaluate(async () => {
      const legacy = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
      legacy.DockController.DockController.instance().setDockSide('undocked');
    })
    .catch(() => {});
  await sleep(800);
  await tab.devtoolsWindow.setViewport({ width: WIDTH, height: HEIGHT }).catch(() => {});
}

/** Presses "Check the signature" once the panel offers it, again if a click was lost while the panel re-rendered. */
async function checkSignature(tab) {
  const offered =
    "!document.getElementById('keys-box').hidden && document.getElementById('check-keys').dataset.mode === 'check'";
  await until(async () => evalIn(tab.panel, offered), { timeoutMs: 20000, what: 'the "Check the signature" button' });
  for (let press = 0; press < 3; press++) {
    await clickInPanel(tab, '#check-keys');
    if (await until(async () => !(await evalIn(tab.panel, offered)), { timeoutMs: 3000 }).catch(() => false)) return;
  }
}

/** One scenario run and photographed; returns the panel's reading. */
async function shoot(browser, stacks, shot, dir) {
  const stack = shot.clerk ? stacks.clerk : stacks.local;
  const tab = await openTab(browser);
  try {
    await undock(tab);
    await tab.page.goto(stack.appUrl(shot.scenario));
    await tab.page.waitForSelector('body[data-done]', { timeout: 45000 });
    if (shot.keys) await checkSignature(tab);
    const reading = await until(
      async () => {
        const r = await readPanel(tab.panel);
        return r.codes.includes(shot.shows) && r;
      },
      { timeoutMs: 20000, what: `${shot.shows} in the panel` },
    );
    await sleep(500); // the last render settles
    await evalIn(tab.panel, 'window.scrollTo(0, 0)');
    await tab.devtoolsWindow.screenshot({ path: path.join(dir, shot.file) });
    return reading;
  } finally {
    await tab.page.close().catch(() => {});
  }
}

/** Writes every screenshot into `dir`; returns the exit status (0: all taken). */
export async function screenshots(dir) {
  mkdirSync(dir, { recursive: true });
  const ids = (clerk) => SHOTS.filter((s) => !!s.clerk === clerk).map((s) => s.scenario);
  const stacks = {
    local: await startStack({ scenarios: ids(false) }),
    clerk: await startStack({
      scenarios: ids(true),
      build: false,
      idpHostname: CLERK_HOST,
      idpTls: throwawayCertificate(CLERK_HOST),
    }),
  };
  const chrome = await launch({ extraArgs: [`--window-size=${WIDTH},${HEIGHT}`, ...hostArgs([CLERK_HOST])] });
  try {
    for (const shot of SHOTS) {
      const reading = await shoot(chrome.browser, stacks, shot, dir);
      console.log(`${path.join(path.relative(process.cwd(), dir), shot.file)}: ${reading.verdict}`);
    }
    return 0;
  } catch (e) {
    console.error(`screenshots failed: ${e.message}`);
    return 1;
  } finally {
    await chrome.close();
    await stacks.local.close();
    await stacks.clerk.close();
  }
}
