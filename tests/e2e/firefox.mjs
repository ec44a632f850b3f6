// Real Firefox ESR with the Firefox build of the extension, driven by puppeteer-core over WebDriver BiDi.
//
// What BiDi reaches here (measured with Firefox ESR 153):
// - pages in tabs, as in Chromium (puppeteer's Page);
// - with `--remote-allow-system-access`, the browser window's own privileged (chrome) context: from there the test
//   opens the DevTools toolbox on a tab and selects the "Convex Auth" panel through Firefox's DevTools modules, as a
//   user's click would;
// - not the extension's devtools page or panel: they are not browsing contexts BiDi lists. They are reached through
//   Firefox's own add-on debugging (the DevTools "commands" of about:debugging's Inspect, run in the chrome context),
//   which evaluates an expression in any document of the add-on: the panel's DOM is read as a user sees it.
import puppeteer from 'puppeteer-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildFirefox } from '../../scripts/build-firefox.mjs';
import { GECKO_ID } from '../../scripts/firefox-manifest.mjs';
import { sleep, until } from './harness.mjs';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const PANEL_TITLE = 'Convex Auth';

export const firefoxMissing = () => !existsSync(FIREFOX);

/**
 * The Firefox build in a temporary folder. `granted` (match patterns): its manifest grants at install what live
 * capture asks the user for (the "scripting" permission and those hosts, as grant.html asks: `http://127.0.0.1/*`):
 * Firefox's permission prompt cannot be answered from a test. Everything else is the build's files.
 */
function extensionCopy(granted) {
  const dir = buildFirefox(mkdtempSync(path.join(tmpdir(), 'cad-ff-ext-')));
  if (granted.length > 0) {
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.permissions = [...(manifest.permissions ?? []), 'scripting'];
    manifest.optional_permissions = (manifest.optional_permissions ?? []).filter((p) => p !== 'scripting');
    manifest.host_permissions = granted;
    writeFileSync(file, JSON.stringify(manifest, null, 2));
  }
  return dir;
}

/** Launches Firefox ESR (headless) with the extension installed as a temporary add-on; `prefs` adds Firefox prefs. */
export async function launchFirefox({ granted = [], prefs = {} } = {}) {
  const ext = extensionCopy(granted);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      // The toolbox opens docked in the tab and without its first-run notices.
      'devtools.toolbox.host': 'bottom',
      'devtools.everOpened': true,
      ...prefs,
    },
    protocolTimeout: 120000,
  });
  const close = async () => {
    const proc = browser.process();
    const closed = browser.close().then(
      () => true,
      () => true,
    );
    if (!(await Promise.race([closed, sleep(20000).then(() => false)]))) proc?.kill('SIGKILL');
    rmSync(ext, { recursive: true, force: true });
  };
  let id;
  try {
    id = await browser.installExtension(ext);
  } catch (e) {
    await close();
    throw e;
  }
  return { browser, close, id, chrome: (expression) => chromeEval(browser, expression) };
}

/** Evaluates `expression` (awaited) in the browser window's chrome context; returns its value (JSON text). */
async function chromeEval(browser, expression) {
  const tree = await browser.connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = tree.result.contexts[0].context;
  const r = await browser.connection.send('script.evaluate', {
    expression: `(async () => JSON.stringify(await (async () => { ${expression} })()))()`,
    target: { context },
    awaitPromise: true,
  });
  const res = r.result;
  if (res.type === 'exception') throw new Error(`chrome context: ${res.exceptionDetails?.text}`);
  return res.result.type === 'string' ? JSON.parse(res.result.value) : undefined;
}

const DEVTOOLS = `
  const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
  const { gDevTools } = require('devtools/client/framework/devtools');
`;

/**
 * Opens the DevTools toolbox on the selected tab and shows the "Convex Auth" panel (the user's click on its tab).
 * Resolves with the panel's tool id.
 */
export async function openPanel(ff) {
  return ff.chrome(`${DEVTOOLS}
    const toolbox = await gDevTools.showToolboxForTab(gBrowser.selectedTab, { toolId: 'webconsole' });
    let tool;
    for (let i = 0; i < 300 && !tool; i++) {
      tool = toolbox.getAdditionalTools().find((t) => t.label === ${JSON.stringify(PANEL_TITLE)});
      if (!tool) await new Promise((r) => setTimeout(r, 100));
    }
    if (!tool) throw new Error('no Convex Auth panel in the toolbox');
    await toolbox.selectTool(tool.id);
    return tool.id;`);
}

/** Closes the toolbox of the selected tab (DevTools closed: its devtools page and panel unload). */
export async function closeToolbox(ff) {
  return ff.chrome(`${DEVTOOLS}
    await gDevTools.closeToolboxForTab(gBrowser.selectedTab);
    return true;`);
}

/**
 * Evaluates `expression` (may use await; its value must be JSON-able) in the add-on's document whose URL ends with
 * `suffix` ('/extension/devtools.html', '/extension/panel.html', '_generated_background_page.html'), through
 * Firefox's add-on debugging. Returns the value.
 */
export async function evalInAddon(ff, suffix, expression) {
  const out = await ff.chrome(`${DEVTOOLS}
    const { CommandsFactory } = require('devtools/shared/commands/commands-factory');
    const w = globalThis;
    if (!w.__cadCommands) {
      w.__cadCommands = await CommandsFactory.forAddon(${JSON.stringify(ff.id)});
      await w.__cadCommands.targetCommand.startListening();
    }
    const commands = w.__cadCommands;
    const tc = commands.targetCommand;
    // A document that just loaded reaches the target list a moment later: wait for it (up to 10 s).
    let targets = [];
    for (let i = 0; i < 100; i++) {
      targets = tc.getAllTargets(tc.ALL_TYPES).filter((t) => !t.isDestroyed() && t.url.split('#')[0].endsWith(${JSON.stringify(suffix)}));
      if (targets.length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (targets.length !== 1) return { missing: targets.length };
    // The console's evaluation has no top-level await here: start the work, keep its outcome in a global, poll it.
    const key = '__cad' + Math.random().toString(36).slice(2);
    const run = (text) => commands.scriptCommand.execute(text, { selectedTargetFront: targets[0] });
    const started = await run(
      'void Promise.resolve().then(async () => (' + ${JSON.stringify(expression)} + ')).then(' +
        '(v) => { globalThis.' + key + ' = JSON.stringify({ value: JSON.stringify(v === undefined ? null : v) }); },' +
        '(e) => { globalThis.' + key + ' = JSON.stringify({ error: String(e) }); })',
    );
    if (started.exceptionMessage) return { error: String(started.exceptionMessage) };
    for (let i = 0; i < 600; i++) {
      const r = await run('globalThis.' + key + ' ?? ""');
      if (typeof r.result === 'string' && r.result) {
        await run('delete globalThis.' + key);
        return JSON.parse(r.result);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    return { error: 'no answer in 30 s' };`);
  if (out.missing !== undefined) throw new Error(`${out.missing} add-on documents end with ${suffix}`);
  if (out.error) throw new Error(`in ${suffix}: ${out.error}`);
  return JSON.parse(out.value);
}

/** The extension's id in Firefox (the build's gecko id). */
export const ADDON_ID = GECKO_ID;

/** Waits for the engine in the devtools page; returns its stats. */
export async function engineReady(ff) {
  return until(
    async () => {
      const s = await evalInAddon(ff, '/extension/devtools.html', 'globalThis.__doctor ? __doctor.stats() : null');
      return s && JSON.parse(s).ready && JSON.parse(s);
    },
    { timeoutMs: 30000, everyMs: 300, what: 'the engine in the devtools page' },
  );
}
