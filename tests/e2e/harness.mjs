// Real Chromium with the real extension, DevTools open on a tab, the "Convex Auth" panel shown, read through CDP.
// Recipe: shared/reference/devtools-capture.md (Debian Chromium honours --load-extension; puppeteer-core only).
import puppeteer from 'puppeteer-core';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWasm } from './wasm-check.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PANEL_TITLE = 'Convex Auth';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws with the last value). */
export async function until(fn, { timeoutMs = 15000, everyMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await sleep(everyMs);
  }
}

/**
 * A copy of the extension whose manifest grants, at install, what live capture asks the user for (the "scripting"
 * permission and host access to 127.0.0.1): Chrome's permission prompt cannot be answered from a test, and
 * chrome.permissions.request() resolves true at once for what is already granted. Everything else is the same files.
 */
function liveCopy() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cad-live-ext-'));
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
  manifest.permissions = [...(manifest.permissions ?? []), 'scripting'];
  manifest.optional_permissions = (manifest.optional_permissions ?? []).filter((p) => p !== 'scripting');
  manifest.host_permissions = ['http://127.0.0.1/*'];
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  cpSync(path.join(ROOT, 'extension'), path.join(dir, 'extension'), { recursive: true });
  return dir;
}

/**
 * Launches Chromium with the extension (the repository root holds manifest.json). `headless` false shows a window;
 * `live` loads the copy of liveCopy() (live capture's permissions granted at install).
 */
export async function launch({ headless = true, autoOpen = false, extraArgs = [], live = false } = {}) {
  if (!existsSync(path.join(ROOT, 'extension', 'pkg', 'convex_auth_doctor_bg.wasm'))) {
    throw new Error('extension/pkg is missing: run scripts/build-wasm.sh (or scripts/setup.sh) first');
  }
  await checkWasm();
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'cad-e2e-'));
  const ext = live ? liveCopy() : ROOT;
  const args = [
    ...(headless ? ['--headless=new'] : []),
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${userDataDir}`,
    `--load-extension=${ext}`,
    `--disable-extensions-except=${ext}`,
    ...(autoOpen ? ['--auto-open-devtools-for-tabs'] : []),
    ...extraArgs,
    'about:blank',
  ];
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    args,
    defaultViewport: null,
    protocolTimeout: 120000,
  });
  const close = async () => {
    // Bounded: on a loaded machine Chromium can hang in close(); a test file must still end.
    const proc = browser.process();
    const closed = browser.close().then(
      () => true,
      () => true,
    );
    if (!(await Promise.race([closed, sleep(20000).then(() => false)]))) proc?.kill('SIGKILL');
    rmSync(userDataDir, { recursive: true, force: true });
    if (ext !== ROOT) rmSync(ext, { recursive: true, force: true });
  };
  return { browser, close, userDataDir };
}

/** Runtime.evaluate in a target (any type), by value, awaiting promises. */
export async function evalIn(session, expression) {
  const r = await session.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
  return r.result.value;
}

const devtoolsPageTargets = (browser) => browser.targets().filter((t) => t.url().endsWith('/extension/devtools.html'));

/**
 * Opens a tab with DevTools on it (DevTools first, so capture starts before the app loads, unless `appFirst` is given:
 * then the app is loaded first and DevTools opened afterwards), shows the panel, and returns handles.
 */
export async function openTab(browser, { appFirst } = {}) {
  const page = await browser.newPage();
  if (appFirst) await appFirst(page);
  const known = new Set(devtoolsPageTargets(browser));
  const devtoolsOpenedAt = Date.now();
  const devtoolsWindow = await page.openDevTools();
  const dtTarget = await browser.waitForTarget((t) => t.url().endsWith('/extension/devtools.html') && !known.has(t), {
    timeout: 20000,
  });
  const extId = new URL(dtTarget.url()).host;
  const dt = await dtTarget.createCDPSession();
  await until(async () => await evalIn(dt, 'globalThis.__doctor ? JSON.parse(__doctor.stats()).ready : false'), {
    what: 'the engine in the devtools page',
  });
  const knownPanels = new Set(browser.targets().filter((t) => t.url().endsWith('/extension/panel.html')));
  // Showing an extension panel from a script (panel.show() needs a user gesture): DevTools' own InspectorView.
  const panelId = `chrome-extension://${extId}${PANEL_TITLE.replace(/\s/g, '')}`;
  await until(
    async () => {
      await devtoolsWindow.evaluate(async (id) => {
        const legacy = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
        await legacy.InspectorView.InspectorView.instance().showPanel(id);
      }, panelId);
      return browser.targets().some((t) => t.url().endsWith('/extension/panel.html') && !knownPanels.has(t));
    },
    { what: 'the Convex Auth panel', everyMs: 300 },
  );
  const panelTarget = browser.targets().find((t) => t.url().endsWith('/extension/panel.html') && !knownPanels.has(t));
  const panel = await panelTarget.createCDPSession();
  await until(async () => evalIn(panel, '!!(document.body && document.body.dataset.rendered)'), {
    what: 'the first render of the panel',
  });
  return { page, devtoolsWindow, dt, dtTarget, panel, panelTarget, extId, devtoolsOpenedAt };
}

/** What the panel shows, through its stable hooks: an expression evaluated in the panel (Firefox's test too). */
/**
 * Page-side source of a function of one element: Step 3 side by side as shown under it (each row's cells and the
 * characters the panel marks as differing), or null when there is no table. The capture's reading and the pasted
 * token's (tests/e2e/paste.test.mjs) both use it.
 */
export const READ_COMPARE = `(root) =>
  root.querySelector('[data-compare]')
    ? [...root.querySelectorAll('[data-compare] tr[data-field]')].map((tr) => ({
        provider: Number(tr.dataset.provider) + 1,
        field: tr.dataset.field,
        match: tr.dataset.match,
        marker: tr.dataset.marker ?? null,
        config: tr.querySelector('.cmp-expected code')?.textContent ?? '',
        token: tr.querySelector('.cmp-actual code')?.textContent ?? '',
        configMarked: [...tr.querySelectorAll('.cmp-expected mark')].map((m) => m.textContent),
        tokenMarked: [...tr.querySelectorAll('.cmp-actual mark')].map((m) => m.textContent),
        notes: [...tr.querySelectorAll('.cmp-note')].map((n) => n.textContent).join(' | '),
        verdict: tr.querySelector('.cmp-verdict')?.textContent ?? '',
      }))
    : null`;

export const PANEL_READING = `(() => {
    const q = (s) => document.querySelector(s);
    const steps = {};
    for (const n of [1, 2, 3]) steps[n] = q('[data-step="' + n + '"]')?.dataset.status ?? null;
    const cause = q('[data-cause-step]')?.dataset.causeStep;
    return {
      verdict: q('#verdict')?.textContent ?? '',
      cause_step: cause === undefined || cause === '' ? null : Number(cause),
      steps,
      codes: [...document.querySelectorAll('[data-code]')].map((e) => e.dataset.code),
      // Each finding's fix, as the panel shows it (the Fix: line, the command, the places).
      fixes: Object.fromEntries([...document.querySelectorAll('[data-code]')].map((e) => [e.dataset.code, e.querySelector('[data-fix]')?.textContent ?? null])),
      reloadHint: !q('#reload-hint').hidden,
      // A JSON object printed as text ({"name": …}) anywhere in the panel: evidence must be rendered for people.
      rawJson: (document.querySelector('main')?.innerText.match(/\\{\\s*"[^"\\n]+"\\s*:/) || [null])[0],
      rendered: Number(document.body.dataset.rendered || 0),
      // Step 3 side by side, as shown: each row's cells and the characters the panel marks as differing.
      compare: (${READ_COMPARE})(document),
      // Token groups: the heading, how many token cards are shown and how many are folded away.
      groups: [...document.querySelectorAll('[data-group]')].map((g) => ({
        count: Number(g.dataset.count),
        title: g.querySelector('.group-title')?.textContent ?? '',
        shown: g.querySelectorAll(':scope > .token').length,
        folded: g.querySelectorAll(':scope > details.group-earlier .token').length,
        foldedOpen: !!g.querySelector(':scope > details.group-earlier')?.open,
      })),
      tokenCards: document.querySelectorAll('#tokens .token').length,
      // Each finding's evidence as shown: name → text.
      evidence: Object.fromEntries(
        [...document.querySelectorAll('[data-code]')].map((f) => {
          const dl = f.querySelector(':scope > dl.evidence');
          const pairs = dl ? [...dl.querySelectorAll(':scope > dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? '']) : [];
          return [f.dataset.code, Object.fromEntries(pairs)];
        }),
      ),
    };
  })()`;

/** What the panel shows, through its stable hooks. */
export async function readPanel(panel) {
  return evalIn(panel, PANEL_READING);
}

/**
 * Does the panel's reading meet a scenario's `expect`? Returns the list of differences (empty: it does). `expect.fix`
 * ({ code, has }) needs its placeholders filled first (`withValues`).
 */
export function mismatches(reading, expect) {
  const out = [];
  if (reading.cause_step !== expect.cause_step)
    out.push(`cause_step ${reading.cause_step} (expected ${expect.cause_step})`);
  for (const [n, status] of Object.entries(expect.step_status || {})) {
    if (reading.steps[n] !== status) out.push(`step ${n} ${reading.steps[n]} (expected ${status})`);
  }
  for (const code of expect.codes || []) if (!reading.codes.includes(code)) out.push(`missing ${code}`);
  if (expect.fix) {
    const shown = reading.fixes?.[expect.fix.code];
    if (typeof shown !== 'string' || !shown.startsWith('Fix:')) out.push(`no Fix: line on ${expect.fix.code}`);
    else
      for (const value of expect.fix.has)
        if (!shown.includes(value)) out.push(`the fix of ${expect.fix.code} lacks ${JSON.stringify(value)}: ${shown}`);
  }
  if ('compare' in expect) out.push(...compareMismatches(reading.compare, expect.compare));
  if (expect.groups) out.push(...groupMismatches(reading, expect.groups));
  for (const e of expect.evidence || []) {
    const shown = reading.evidence?.[e.code]?.[e.key];
    if (shown !== e.is)
      out.push(`${e.code} ${e.key} shows ${JSON.stringify(shown)} (expected ${JSON.stringify(e.is)})`);
  }
  return out;
}

/**
 * Step 3 side by side against `expect.compare`: null (no table), or `{ marker: {provider, kind} | null, differs:
 * [{provider, field, config?, token?, config_marked?, token_marked?, config_marked_has?, token_marked_has?,
 * notes_has?}] }`. The rows shown as differing must be exactly those listed; the listed values and marked
 * characters (`*_marked`: the marked pieces in order; `*_marked_has`: text they must cover) must be what the panel
 * shows; rows shown as the same must mark nothing.
 */
function compareMismatches(rows, want) {
  if (want === null) return rows === null ? [] : [`a comparison table is shown: ${JSON.stringify(rows)}`];
  if (rows === null) return ['no comparison table'];
  const out = [];
  const key = (r) => `${r.provider}/${r.field}`;
  const differing = rows.filter((r) => r.match === 'false').map(key);
  const listed = want.differs.map(key);
  if (differing.sort().join() !== listed.sort().join())
    out.push(`differing rows ${JSON.stringify(differing)} (expected ${JSON.stringify(listed)})`);
  for (const d of want.differs) {
    const row = rows.find((r) => key(r) === key(d));
    if (!row) continue;
    if (row.verdict !== 'differs') out.push(`${key(d)} says ${JSON.stringify(row.verdict)}`);
    for (const [field, shown] of [
      ['config', row.config],
      ['token', row.token],
    ]) {
      if (d[field] !== undefined && shown !== d[field])
        out.push(`${key(d)} ${field} ${JSON.stringify(shown)} (expected ${JSON.stringify(d[field])})`);
    }
    for (const [field, shown] of [
      ['config_marked', row.configMarked],
      ['token_marked', row.tokenMarked],
    ]) {
      if (d[field] !== undefined && JSON.stringify(shown) !== JSON.stringify(d[field]))
        out.push(`${key(d)} ${field} ${JSON.stringify(shown)} (expected ${JSON.stringify(d[field])})`);
    }
    for (const [field, shown] of [
      ['config_marked_has', row.configMarked],
      ['token_marked_has', row.tokenMarked],
    ]) {
      if (d[field] !== undefined && !shown.join('').includes(d[field]))
        out.push(`${key(d)} ${field}: ${JSON.stringify(shown)} lack ${JSON.stringify(d[field])}`);
    }
    if (d.notes_has && !row.notes.includes(d.notes_has))
      out.push(`${key(d)} notes ${JSON.stringify(row.notes)} lack ${JSON.stringify(d.notes_has)}`);
  }
  for (const r of rows.filter((r) => r.match === 'true')) {
    if (r.configMarked.length || r.tokenMarked.length) out.push(`${key(r)} is the same yet has marked characters`);
  }
  const marked = [...new Set(rows.filter((r) => r.marker).map((r) => `${r.provider}:${r.marker}`))];
  const wantMarked = want.marker ? [`${want.marker.provider}:${want.marker.kind}`] : [];
  if (marked.join() !== wantMarked.join())
    out.push(`marked ${JSON.stringify(marked)} (expected ${JSON.stringify(wantMarked)})`);
  return out;
}

/**
 * Token groups against `expect.groups`: `{ count_at_least, title }` — one group holding every token card, at least
 * that many tokens, its heading matching `title` (a regular expression), the latest shown and the others folded.
 */
function groupMismatches(reading, want) {
  const out = [];
  if (reading.groups.length !== 1)
    return [`${reading.groups.length} token groups (expected 1): ${JSON.stringify(reading.groups)}`];
  const g = reading.groups[0];
  if (g.count < want.count_at_least)
    out.push(`a group of ${g.count} tokens (expected at least ${want.count_at_least})`);
  if (g.count !== reading.tokenCards) out.push(`the group holds ${g.count} of ${reading.tokenCards} token cards`);
  if (!new RegExp(want.title).test(g.title))
    out.push(`group heading ${JSON.stringify(g.title)} does not match ${want.title}`);
  if (g.shown !== 1 || g.folded !== g.count - 1 || g.foldedOpen)
    out.push(
      `group shows ${g.shown} and folds ${g.folded} (open: ${g.foldedOpen}); expected the latest shown, the rest folded`,
    );
  return out;
}

/** The devtools page's HAR, as the extension sees it (chrome.devtools.network.getHAR). */
export async function getHar(dt) {
  return evalIn(dt, 'new Promise((r) => chrome.devtools.network.getHAR((h) => r(h)))');
}

/**
 * A real click on an element of the panel: mouse events through DevTools' window (the panel is a frame of it), so
 * the panel gets the user activation a click gives (chrome.permissions.request needs it). Falls back to the panel
 * target as a page.
 */
export async function clickInPanel(tab, selector) {
  const frame = tab.devtoolsWindow.frames().find((f) => f.url().endsWith('/extension/panel.html'));
  if (frame) {
    await frame.click(selector);
    return 'frame';
  }
  const page = await tab.panelTarget.asPage();
  await page.click(selector);
  return 'page';
}

/**
 * A scenario's `expect` with the run's real values in its fix expectation: `{IDP}` (the identity provider's URL),
 * `{IDP_HOST}` (without the scheme) and `{DEPLOYMENT}` (the scenario's deployment URL).
 */
export function withValues(expect, { idpUrl, deploymentUrl }) {
  const fill = (v) =>
    v
      .replaceAll('{IDP}', idpUrl)
      .replaceAll('{IDP_HOST}', idpUrl.replace(/^https?:\/\//, ''))
      .replaceAll('{DEPLOYMENT}', deploymentUrl);
  const out = { ...expect };
  if (expect.fix) out.fix = { code: expect.fix.code, has: expect.fix.has.map(fill) };
  if (expect.evidence) out.evidence = expect.evidence.map((e) => ({ ...e, is: fill(e.is) }));
  if (expect.compare?.differs) {
    const cell = (v) => (typeof v === 'string' ? fill(v) : v);
    out.compare = {
      ...expect.compare,
      differs: expect.compare.differs.map((d) => ({
        ...d,
        config: cell(d.config),
        token: cell(d.token),
        notes_has: cell(d.notes_has),
      })),
    };
  }
  return out;
}
