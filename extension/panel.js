// The panel: renders the report the devtools page computes. Everything that comes from a token, a frame or a
// server is inserted with textContent / createElement only, never as HTML (tests/e2e prove it with a hostile token).
// What it may ask of the devtools page, and how the two find each other: extension/contract.js.
import { HOST_READY_EVENT, livePermission } from './contract.js';
import { parseEnv } from './panel/env.js';
import { el } from './panel/dom.js';
import { renderComparison } from './panel/compare.js';
import { renderTokenGroups } from './panel/tokens.js';
import { knownObjectText } from './panel/values.js';

const STEP_TITLES = {
  1: 'Step 1 — does the backend see an identity?',
  2: 'Step 2 — does the client send a valid JWT?',
  3: 'Step 3 — does the backend configuration match the token?',
};
const SOURCES = { ws: 'over the sync WebSocket', http: 'with an HTTP call', input: 'as input' };
const $ = (id) => document.getElementById(id);
/** @type {import('./contract.js').DoctorHost | null} */
let host = null;
let shownOrigin = null;

/** A scalar as text (objects and lists go through `renderValue`, never as JSON). */
function show(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value)
    ? value.map(show).join(', ')
    : Object.entries(value)
        .map(([k, v]) => `${k}: ${show(v)}`)
        .join('; ');
}

/** Is `k` a time and `v` a Unix time in seconds (between 2001 and 5138)? */
const isTime = (k, v) => /(^|_)(time|at|exp|iat|nbf)$/.test(k) && typeof v === 'number' && v > 1e9 && v < 1e11;

/** "3 min 12 s" (the viewer reads relative times better than two timestamps). */
function fmtDuration(secs) {
  const s = Math.round(Math.abs(secs));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A time in the viewer's local time, with its offset and how it relates to when the token was sent. */
function fmtWhen(t, sentAt) {
  const d = new Date(t * 1000);
  const off = -d.getTimezoneOffset();
  const zone = `UTC${off >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
  const local = `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour12: false })} (${zone})`;
  if (typeof sentAt !== 'number' || Math.abs(t - sentAt) < 0.5) return local;
  return `${local}, ${fmtDuration(t - sentAt)} ${t < sentAt ? 'before' : 'after'} the token was sent`;
}

/**
 * A value as a person reads it: scalars as text, times as local dates, lists as lists, objects as nested
 * name/value lists. No JSON is ever shown.
 */
function renderValue(key, value, sentAt) {
  if (isTime(key, value)) return el('span', { text: fmtWhen(value, sentAt) });
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object'))
      return el('span', { text: value.length ? value.map(show).join(', ') : '(none)' });
    const ul = el('ul', { class: 'value-list' });
    for (const v of value) ul.append(el('li', {}, renderValue('', v, sentAt)));
    return ul;
  }
  const known = knownObjectText(value);
  if (known !== null) return el('span', { text: known });
  if (value !== null && typeof value === 'object') {
    const dl = el('dl', { class: 'evidence nested' });
    for (const [k, v] of Object.entries(value))
      dl.append(el('dt', { text: k }), el('dd', {}, renderValue(k, v, sentAt)));
    return dl;
  }
  return el('span', { text: show(value) });
}

function fmtTime(t) {
  if (typeof t !== 'number' || !Number.isFinite(t)) return '';
  const d = new Date(t * 1000);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

// ---- rendering ----

function renderVerdict(report) {
  const box = $('verdict-box');
  const cause = report.cause_step;
  box.dataset.causeStep = cause === null || cause === undefined ? '' : String(cause);
  const step1 = (report.steps || []).find((s) => s.step === 1);
  const worst = cause ? 'fail' : step1 ? step1.status : 'unknown';
  box.className = `s-${worst}`;
  $('verdict').textContent = report.verdict || 'No verdict yet.';
  const findings = report.findings || [];
  const nothing = findings.some((f) => f.code === 'client.no_traffic');
  $('reload-hint').hidden = !nothing;
  document.body.dataset.captured = nothing ? 'none' : 'some';
}

function renderEvidence(evidence, sentAt) {
  const entries = evidence && typeof evidence === 'object' ? Object.entries(evidence) : [];
  if (entries.length === 0) return null;
  const dl = el('dl', { class: 'evidence' });
  for (const [k, v] of entries) dl.append(el('dt', { text: k }), el('dd', {}, renderValue(k, v, sentAt)));
  return dl;
}

/** Dashboard links are made by the engine from the deployment's name; anything else stays text. */
const DASHBOARD = 'https://dashboard.convex.dev/d/';

/** A finding's fix: the `Fix:` line, the command to type, and where to look (links only to the Convex dashboard). */
function renderFix(fix) {
  if (!fix || typeof fix.action !== 'string') return null;
  const box = el('div', { class: 'fix', 'data-fix': '' });
  box.append(el('p', { class: 'fix-action' }, el('strong', { text: 'Fix:' }), ' ', fix.action));
  if (typeof fix.command === 'string') {
    box.append(el('p', { class: 'fix-command' }, 'Run ', el('code', { text: fix.command })));
  }
  const places = Array.isArray(fix.places) ? fix.places : [];
  if (places.length) {
    const ul = el('ul', { class: 'fix-places' });
    for (const p of places) {
      const label = String(p.label ?? '');
      if (typeof p.url === 'string' && p.url.startsWith(DASHBOARD)) {
        ul.append(el('li', {}, el('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer', text: label })));
      } else {
        ul.append(el('li', {}, `${label}: ${String(p.hint ?? '')}`));
      }
    }
    box.append(ul);
  }
  return box;
}

function renderFinding(f, sentAt) {
  const open = f.severity === 'fail' || f.severity === 'warn';
  const details = el('details', { class: `finding s-${f.severity}`, 'data-code': f.code, 'data-severity': f.severity });
  details.open = open;
  details.append(
    el(
      'summary',
      {},
      el('span', { class: `badge s-${f.severity}`, text: f.severity }),
      ' ',
      f.message || '',
      el('span', { class: 'code', text: f.code }),
    ),
  );
  const fix = renderFix(f.fix);
  if (fix) details.append(fix);
  const ev = renderEvidence(f.evidence, sentAt);
  if (ev) details.append(ev);
  if (Array.isArray(f.causes) && f.causes.length) {
    details.append(el('div', { class: 'muted', text: 'Causes that fit, most likely first:' }));
    const ol = el('ol', { class: 'causes' });
    for (const c of f.causes) ol.append(el('li', { text: show(c) }));
    details.append(ol);
  }
  return details;
}

function renderSteps(report) {
  const box = $('steps');
  const cards = [];
  for (const n of [1, 2, 3]) {
    const step = (report.steps || []).find((s) => s.step === n) || { step: n, status: 'unknown', summary: '' };
    const card = el('article', {
      class: `step s-${step.status}${report.cause_step === n ? ' cause' : ''}`,
      'data-step': n,
      'data-status': step.status,
      'aria-label': `${STEP_TITLES[n]}: ${step.status}`,
    });
    card.append(el('h2', {}, el('span', { class: 'badge', text: step.status }), STEP_TITLES[n]));
    if (step.summary) card.append(el('p', { class: 'summary', text: step.summary }));
    const sentAt = (report.tokens || []).at(-1)?.sent_at;
    for (const f of (report.findings || []).filter((x) => x.step === n)) card.append(renderFinding(f, sentAt));
    cards.push(card);
  }
  box.replaceChildren(...cards);
}

/** Step 3 side by side, under the three steps (extension/panel/compare.js). */
function renderCompare(report) {
  const table = renderComparison(report.comparison);
  $('compare-box').hidden = !table;
  $('compare-box').replaceChildren(...(table ? [table] : []));
}

function renderTokens(report) {
  const tokens = report.tokens || [];
  const box = $('tokens');
  if (tokens.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', text: 'No token seen yet.' }));
    return;
  }
  box.replaceChildren(...renderTokenGroups(report, tokenCard));
}

/** One token: when and how it was sent, what became of it, its claims explained, header and payload. */
function tokenCard(t, i) {
  const card = el('div', { class: 'token', 'data-token': i });
  card.append(
    el(
      'h3',
      {},
      `Token ${i + 1}`,
      el('span', {
        class: 'muted',
        text: ` — sent ${SOURCES[t.source] || `by ${t.source || '?'}`} at ${fmtWhen(t.sent_at)}${t.outcome ? `; ${t.outcome}` : ''}`,
      }),
    ),
  );
  const claims = Array.isArray(t.claims) ? t.claims : [];
  if (claims.length) {
    const table = el(
      'table',
      { class: 'claims' },
      el(
        'thead',
        {},
        el('tr', {}, el('th', { text: 'claim' }), el('th', { text: 'value' }), el('th', { text: 'meaning' })),
      ),
    );
    const tbody = el('tbody');
    for (const c of claims) {
      tbody.append(
        el(
          'tr',
          { 'data-claim': c.name },
          el('td', { text: show(c.name) }),
          el('td', { class: 'v' }, renderValue(String(c.name), c.value, t.sent_at)),
          el('td', { text: show(c.explanation ?? '') }),
        ),
      );
    }
    table.append(tbody);
    card.append(table);
  }
  card.append(
    el(
      'div',
      { class: 'token-parts' },
      el(
        'div',
        {},
        el('div', { class: 'muted', text: 'Header' }),
        el('div', { class: 'token-header' }, renderValue('', t.header ?? {}, t.sent_at)),
      ),
      el(
        'div',
        {},
        el('div', { class: 'muted', text: 'Payload' }),
        el('div', { class: 'token-payload' }, renderValue('', t.payload ?? {}, t.sent_at)),
      ),
    ),
    el('div', { class: 'muted', text: `Signature: ${t.signature || '<redacted>'} (never shown or stored)` }),
  );
  return card;
}

function renderTimeline(report) {
  const rows = report.timeline || [];
  const box = $('timeline');
  if (rows.length === 0) {
    box.replaceChildren(el('p', { class: 'muted', text: 'Nothing yet.' }));
    return;
  }
  const groups = new Map();
  for (const r of rows) {
    const key = String(r.connection ?? '?');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const out = [];
  for (const [conn, list] of groups) {
    const tbody = el('tbody');
    // Long-running busy apps: the latest lines matter; keep the DOM small.
    for (const r of list.slice(-200)) {
      tbody.append(
        el(
          'tr',
          { class: `tl-row k-${r.kind}`, 'data-kind': r.kind },
          el('td', { text: fmtTime(r.time) }),
          el('td', { class: 'tl-kind', text: show(r.kind) }),
          el('td', { text: show(r.text ?? '') }),
        ),
      );
    }
    const title = conn === 'http' ? 'HTTP calls' : conn === 'page' ? 'Page loads' : `Connection ${conn}`;
    out.push(
      el(
        'div',
        { class: 'tl-conn', 'data-connection': conn },
        el('h3', { text: list.length > 200 ? `${title} (last 200 of ${list.length})` : title }),
        el('table', {}, tbody),
      ),
    );
  }
  box.replaceChildren(...out);
}

// ---- the issuer's keys: what is to fetch, what was, and how old it is ----

/** What the age line is about: { at, url, failed } (Unix seconds), or null. */
let keysAge = null;

function fmtAge(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function showKeysAge() {
  if (!keysAge) {
    $('keys-age').textContent = '';
    return;
  }
  const ago = fmtAge(Date.now() / 1000 - keysAge.at);
  $('keys-age').textContent = keysAge.failed
    ? `Tried ${ago} ago: ${keysAge.url} could not be fetched from here (the backend may still reach it).`
    : `Keys fetched ${ago} ago from ${keysAge.url}.`;
}

/** The newest fetch the findings are based on (their evidence), else the newest one the devtools page made. */
function newestKeys(report, fetched) {
  let best = null;
  for (const f of report.findings || []) {
    const ev = f.evidence || {};
    const at =
      typeof ev.keys_fetched_at === 'number'
        ? ev.keys_fetched_at
        : f.code === 'jwks.unreachable' && typeof ev.fetched_at === 'number'
          ? ev.fetched_at
          : null;
    const url = typeof ev.keys_from === 'string' ? ev.keys_from : typeof ev.url === 'string' ? ev.url : '';
    if (at !== null && (!best || at > best.at)) best = { at, url, failed: f.code === 'jwks.unreachable' };
  }
  if (best) return best;
  for (const f of fetched)
    if (typeof f.at === 'number' && (!best || f.at > best.at))
      best = { at: f.at, url: String(f.url), failed: !!f.error };
  return best;
}

function renderKeys(report) {
  let state = null;
  try {
    state = host && typeof host.keyState === 'function' ? JSON.parse(host.keyState()) : null;
  } catch {
    state = null;
  }
  const pending = (state && Array.isArray(state.pending) && state.pending) || [];
  const fetched = (state && Array.isArray(state.fetched) && state.fetched) || [];
  $('keys-box').hidden = !state || !(pending.length || fetched.length || state.auto);
  if (!state) return;
  const button = $('check-keys');
  button.dataset.mode = pending.length ? 'check' : 'refetch';
  button.textContent = state.running ? 'Checking…' : pending.length ? 'Check the signature' : 'Refetch keys';
  button.setAttribute('aria-busy', state.running ? 'true' : 'false');
  button.title = pending.length
    ? "Fetch the issuer's discovery document and JWKS (no cookies, never the token)"
    : 'Fetch the keys again';
  $('auto-keys').checked = !!state.auto;
  $('keys-urls').textContent = state.asking
    ? `${String(state.asking)} did not let this page read its keys: asking you for access to that origin only…`
    : pending.length
      ? `To fetch: ${pending.map((r) => String(r.url)).join(', ')}`
      : '';
  keysAge = newestKeys(report, fetched);
  showKeysAge();
}

/**
 * Asks the user for access to `origins` (optional host permissions, for issuers that serve their keys without
 * CORS). Runs in the panel: the permission prompt needs the user's click, which happened here. Resolves to true,
 * false (refused) or the reason it could not ask.
 */
function askAccess(origins) {
  try {
    if (!chrome.permissions || typeof chrome.permissions.request !== 'function')
      return Promise.resolve('permissions cannot be asked from here');
    return chrome.permissions.request({ origins }).then(
      (granted) => granted === true,
      (e) => String(e?.message || e),
    );
  } catch (e) {
    return Promise.resolve(String(e?.message || e));
  }
}

function checkKeys() {
  if (!host || typeof host.checkKeys !== 'function') return;
  const refetch = $('check-keys').dataset.mode === 'refetch';
  flash(refetch ? 'Fetching the keys again…' : "Fetching the issuer's keys…");
  host.checkKeys(askAccess, refetch).then(
    () => flash('Keys checked.'),
    (e) => flash(`Key check failed: ${e?.message || e}`),
  );
}

/** The devtools page's note that the engine was restarted (or nothing). */
function renderNotice() {
  const note = (host && typeof host.notice === 'function' && host.notice()) || '';
  $('engine-note').textContent = note;
  $('engine-note').hidden = !note;
}

// ---- live capture: on or off for this app's origin ----

function renderLive() {
  let state = null;
  try {
    state = host && typeof host.liveState === 'function' ? JSON.parse(host.liveState()) : null;
  } catch {
    state = null;
  }
  const box = $('live-box');
  box.hidden = !state?.supported;
  if (box.hidden) return;
  box.dataset.on = String(!!state.on);
  box.dataset.delivering = String(!!state.delivering);
  $('live-state').textContent = state.delivering
    ? `Live capture is on for ${state.origin}: this page's Convex traffic arrives as it happens.`
    : state.on
      ? `Live capture is on for ${state.origin}; it starts with the next page load (reload once).`
      : state.frameless
        ? "This browser shows extensions none of the app's WebSocket frames (Firefox): turn on live capture to judge its sync socket."
        : 'Live capture sees traffic from before DevTools opened, without a reload, and shows verdicts at once.';
  $('live-toggle').textContent = state.on ? 'Turn off live capture' : `Turn on live capture for ${state.origin}`;
  $('live-toggle').title = state.on
    ? "Stop watching this app from inside its page (DevTools' network capture stays)"
    : 'Asks for access to this origin only: a small script then watches its Convex traffic from inside the page';
}

/** The user's click: asks for this origin (the prompt needs the click) before the devtools page registers the hook. */
function toggleLive() {
  if (!host || typeof host.liveState !== 'function') return;
  const state = JSON.parse(host.liveState());
  if (state.on) {
    host.setLive(false).then(
      () => flash('Live capture turned off for this app.'),
      (e) => flash(`Could not turn live capture off: ${e?.message || e}`),
    );
    return;
  }
  let asked;
  try {
    // Firefox gives a devtools panel no permissions API: there setLive asks the background page, which opens a tab
    // where the user grants the origin (extension/grant.html) and rejects saying so.
    asked =
      typeof chrome.permissions?.request === 'function'
        ? chrome.permissions.request(livePermission(state.origin))
        : Promise.resolve(true);
  } catch (e) {
    asked = Promise.reject(e);
  }
  asked
    .then((granted) => {
      if (!granted) return flash('Access not granted: live capture stays off.');
      return host.setLive(true).then(() => flash('Live capture is on for this app. Reload once to start it.'));
    })
    .catch((e) => flash(`Live capture could not be turned on: ${e?.message || e}`));
}

function render(json) {
  let report;
  try {
    report = JSON.parse(json);
  } catch {
    return;
  }
  renderVerdict(report);
  renderNotice();
  renderSteps(report);
  renderCompare(report);
  renderTokens(report);
  renderTimeline(report);
  renderKeys(report);
  renderLive();
  const step3 = (report.steps || []).find((s) => s.step === 3);
  if (step3 && step3.status === 'unknown' && !$('config-source').value) $('config-details').open = true;
  if (host && host.origin() !== shownOrigin) loadConfigBox();
  $('about').textContent = `Convex Auth Doctor ${report.doctor || ''}`;
  document.body.dataset.rendered = String(Date.now());
  document.body.dataset.firstRendered ??= document.body.dataset.rendered; // tests/e2e/measure.mjs
}

// ---- actions ----

function flash(text) {
  $('status').textContent = text;
  setTimeout(() => {
    if ($('status').textContent === text) $('status').textContent = '';
  }, 3000);
}

function copyText(text) {
  // navigator.clipboard is often refused inside DevTools (the panel's document is not focused): fall back.
  const fallback = () => {
    const ta = el('textarea');
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  };
  if (navigator.clipboard?.writeText) {
    return navigator.clipboard.writeText(text).then(() => true, fallback);
  }
  return Promise.resolve(fallback());
}

function reload() {
  if (!host) return;
  host.reload();
  flash('Reloading; capturing from the start…');
}

function wire() {
  $('reload').addEventListener('click', reload);
  $('reload-inline').addEventListener('click', reload);
  $('copy').addEventListener('click', async () => {
    if (!host) return;
    const ok = await copyText(host.markdown());
    flash(ok ? 'Report copied (redacted: no tokens, no signatures).' : 'Copy failed.');
  });
  $('export').addEventListener('click', () => {
    if (!host) return;
    const blob = new Blob([JSON.stringify(JSON.parse(host.report()), null, 2)], { type: 'application/json' });
    const a = el('a', { download: 'convex-auth-report.json', href: URL.createObjectURL(blob) });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    flash('Report saved.');
  });
  $('check-keys').addEventListener('click', checkKeys);
  $('live-toggle').addEventListener('click', toggleLive);
  $('auto-keys').addEventListener('change', () => {
    if (!host) return;
    const on = $('auto-keys').checked;
    host.setAutoKeys(on);
    if (on && $('check-keys').dataset.mode === 'check') checkKeys(); // the user's click: may ask for access
  });
  setInterval(showKeysAge, 1000);
  $('config-apply').addEventListener('click', applyConfig);
  $('config-clear').addEventListener('click', () => {
    $('config-source').value = '';
    $('config-env').value = '';
    applyConfig();
  });
  // Ctrl/Cmd+Enter in the config boxes applies.
  for (const id of ['config-source', 'config-env']) {
    $(id).addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) applyConfig();
    });
  }
}

function applyConfig() {
  if (!host) return;
  $('config-error').textContent = '';
  try {
    host.setConfig($('config-source').value, JSON.stringify(parseEnv($('config-env').value)));
    flash($('config-source').value.trim() ? 'Configuration applied.' : 'Configuration forgotten.');
  } catch (e) {
    $('config-error').textContent = String(e?.message ? e.message : e);
  }
}

function loadConfigBox() {
  try {
    const saved = JSON.parse(host.storedConfig());
    $('config-source').value = saved.source || '';
    $('config-env').value = Object.entries(saved.env || {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
  } catch {
    /* nothing saved */
  }
  shownOrigin = host.origin();
  $('config-origin').textContent = shownOrigin || 'this page';
}

// ---- theme: follows DevTools live ----

function applyTheme(name) {
  document.documentElement.classList.toggle('theme-dark', name === 'dark');
}

function initTheme() {
  const panels = chrome.devtools?.panels;
  applyTheme(panels ? panels.themeName : host ? host.themeName() : 'default');
  if (panels && typeof panels.setThemeChangeHandler === 'function') panels.setThemeChangeHandler(applyTheme);
}

// ---- handshake with the devtools page ----

/** @type {import('./contract.js').DoctorRender} */
window.doctorRender = render;

function attach() {
  if (host || !window.doctorHost) return;
  host = window.doctorHost;
  loadConfigBox();
  initTheme();
  render(host.report());
}

wire();
window.addEventListener(HOST_READY_EVENT, attach);
attach();
if (!host) initTheme();
