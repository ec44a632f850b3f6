// The devtools page: alive as long as DevTools is open on a tab, so it captures from the start (before the panel is
// ever shown) and owns the engine's session. The panel only renders what this page hands it.
//
// This file is the wiring; each job has its module under devtools/: capture.js (HAR entries → engine events),
// poller.js (getHAR() polling for open sockets), config-store.js (the user's configuration per origin), keys.js
// (the issuer's keys), bridge.js (the panel's side of extension/contract.js), and live capture: live-capture.js
// (turning the page hook on per origin), hook-link.js (its ports), hook-capture.js (its records → engine events),
// paste.js (a token the user pastes, judged in a session of its own, never stored).
//
// Two capture sources, one per page load: live capture once the page's relay says hello (it saw the page from
// document_start, so it alone feeds the engine, and getHAR() polling stops), else DevTools' network API.
//
// Order: the network listeners, the first getHAR() and the live-capture probe are set up before the engine loads,
// so nothing is missed meanwhile; what arrives early waits (bounded) in `state.early` and is replayed in order.
import { createHost, createPanelBridge } from './devtools/bridge.js';
import { createCapture, isSocket, socketNumbering } from './devtools/capture.js';
import { createConfigStore } from './devtools/config-store.js';
import { createEngine } from './devtools/engine.js';
import { createHookCapture, readHello } from './devtools/hook-capture.js';
import { createHookLink } from './devtools/hook-link.js';
import { createKeyFetcher } from './devtools/keys.js';
import { createLiveCapture, createRemoteLiveCapture } from './devtools/live-capture.js';
import { createPasteJudge } from './devtools/paste.js';
import { startPoller } from './devtools/poller.js';
import init, { DoctorSession, httpInterest, isConvexUrl, maxFrameBytes } from './pkg/convex_auth_doctor.js';

const net = chrome.devtools.network;
/** Raw captures waiting for the engine to finish loading (bounded: a page cannot grow it without limit). */
const MAX_EARLY = 2000;

// ---- the page's state, all of it ----
const state = {
  /** The engine's session (null while the wasm module loads): `engine.session`, which survives a wasm abort. */
  session: null,
  /** The engine wrapper (devtools/engine.js): a fresh session after an abort, and the note saying so. */
  engine: null,
  /**
   * Captures that arrived before the engine, in order: ['finished', entry] | ['navigated', event]
   * | ['hook', message, port] | ['hook-closed', port].
   */
  early: [],
  /** The first getHAR() answer, until the engine can take it. */
  startHar: null,
  /** The inspected app's origin: the key of the stored configuration and opt-in. */
  origin: '',
  /** The "check signatures automatically" opt-in of `origin` (read when the origin changes; checked often). */
  autoOn: false,
  /** The getHAR() poller while it runs (never while live capture delivers). */
  poller: null,
  /** The page load live capture delivers: { load, url, startedAt, navPending }, or null (HAR capture does). */
  hook: null,
  /** Which page load each live-capture port speaks for (port -> load id). */
  hookPorts: new Map(),
  /** The URL of the page load the engine was last told about, and how many events it was fed since. */
  lastNavUrl: null,
  sinceNav: 0,
  /** Live capture for `origin`: { supported, permitted, on } (read again when the origin changes). */
  live: { supported: false, permitted: false, on: false },
  /** @type {Omit<import('./contract.js').CaptureStats, 'sockets' | 'ready' | 'pending' | 'live'>} */
  stats: {
    polls: 0,
    pollMs: 0,
    lastPollMs: 0,
    frames: 0,
    http: 0,
    events: 0,
    harEntries: 0,
    lastPollDelay: 0,
    hookRecords: 0,
    hookIgnored: 0,
    framelessSockets: 0,
    wasmMs: 0,
    engineReadyMs: 0,
  },
};

const store = createConfigStore(localStorage);
const newSocketId = socketNumbering();
// Capture runs only once the engine is loaded (earlier captures wait in `state.early`), so it may ask the engine.
const capture = createCapture({
  isConvexUrl,
  httpInterest,
  maxFrame: maxFrameBytes,
  emit: feed,
  stats: state.stats,
  newSocketId,
  covered: () => !!state.hook,
});
const hookCapture = createHookCapture({ isConvexUrl, newSocketId, stats: state.stats });
// Chromium: this page registers the hook itself. Firefox: its devtools page has no permissions API, so the background
// page (extension/background.js, Firefox build only) does it.
const live = chrome.permissions
  ? createLiveCapture({ scripting: () => chrome.scripting, permissions: () => chrome.permissions })
  : createRemoteLiveCapture(chrome.runtime);
const keys = createKeyFetcher({ session: () => state.session, autoOn: () => state.autoOn, onChange: markDirty });
const bridge = createPanelBridge({ report: () => state.session?.report() ?? null });
const host = createHost({
  session: () => state.session,
  origin: () => state.origin,
  store,
  keys,
  stats: () => ({
    ...state.stats,
    sockets: capture.socketCount(),
    ready: !!state.session,
    pending: state.early.length,
    live: !!state.hook,
    restarts: state.engine?.restarts() ?? 0,
  }),
  notice: () => state.engine?.notice() ?? '',
  reload: () => chrome.devtools.inspectedWindow.reload({ ignoreCache: true }),
  themeName: () => chrome.devtools.panels?.themeName || 'default',
  autoKeysChanged: () => {
    state.autoOn = store.autoKeys(state.origin);
  },
  liveState: () => ({
    origin: state.origin,
    ...state.live,
    delivering: !!state.hook,
    frameless: state.stats.framelessSockets > 0,
  }),
  setLive: (on) => (on ? live.enable(state.origin) : live.disable(state.origin)).finally(refreshLive),
  changed: markDirty,
  paste: createPasteJudge({ session: () => state.session }),
});

/** What the panel shows may have changed: re-render it, and let an opted-in key check start. */
function markDirty() {
  keys.maybeAutoCheck();
  bridge.invalidate();
}

/** Hands events to the engine. */
function feed(events) {
  if (events.length === 0) return;
  state.stats.events += events.length;
  state.sinceNav += events.length;
  state.session.pushEvents(JSON.stringify(events));
  markDirty();
}

/** A new page load for the engine: what the old page did no longer counts, and its late HAR frames are stale. */
function startPageLoad(url, time) {
  capture.navigated();
  state.engine.navigated();
  feed([{ kind: 'navigated', url, time }]);
  state.lastNavUrl = url;
  state.sinceNav = 0;
  refreshOrigin(url);
}

/** getHAR() polling, from the shortest delay, unless live capture delivers this page load. */
function pollHar() {
  if (state.hook) return;
  if (state.poller) state.poller.restart();
  else {
    state.poller = startPoller({
      getHAR: (done) => net.getHAR(done),
      ingest: (har) => capture.ingestHar(har, false),
      stats: state.stats,
    });
  }
}

// ---- the origin, its stored configuration and its live capture ----

function applyStoredConfig() {
  if (!state.session) return;
  const saved = store.load(state.origin);
  state.autoOn = store.autoKeys(state.origin);
  state.session.clearConfig();
  if (typeof saved?.source === 'string' && saved.source.trim()) {
    try {
      state.session.setConfig(saved.source, JSON.stringify(saved.env || {}));
    } catch (e) {
      console.warn('convex-auth-doctor: stored configuration rejected', e);
    }
  }
  markDirty();
}

/** Reads again whether live capture is on for the current origin (the browser's registrations: asynchronous). */
function refreshLive() {
  const origin = state.origin;
  return live.state(origin).then(
    (s) => {
      if (origin !== state.origin) return;
      state.live = s;
      markDirty();
    },
    () => {},
  );
}

/** Learns the inspected app's origin from a navigation's URL, or else by asking the page. */
function refreshOrigin(url) {
  const set = (o) => {
    if (typeof o !== 'string' || o === state.origin) return;
    state.origin = o;
    applyStoredConfig();
    refreshLive();
  };
  if (url) {
    try {
      set(new URL(url).origin);
      return;
    } catch {
      /* fall through to asking the page */
    }
  }
  chrome.devtools.inspectedWindow.eval('location.origin', (result, err) => {
    if (!err) set(result);
  });
}

// ---- DevTools' network API ----

function onFinished(entry) {
  if (!state.session) {
    if (state.early.length < MAX_EARLY) state.early.push(['finished', entry]);
    return;
  }
  const frameless = state.stats.framelessSockets;
  const fresh = capture.ingestFinished(entry);
  if (fresh > 0 || !isSocket(entry)) state.poller?.soon();
  if (state.stats.framelessSockets !== frameless) markDirty(); // the live capture box points to it (Firefox)
}

function onNavigated(url, time) {
  const ev = { url: String(url), time: time || Date.now() / 1000 };
  if (!state.session) {
    state.early.push(['navigated', ev]);
    return;
  }
  const hook = state.hook;
  if (hook?.navPending && hook.url === ev.url && Math.abs(ev.time - hook.startedAt) < 10) {
    hook.navPending = false; // the load live capture already started in the engine
    return;
  }
  // A page load no relay has announced (yet): HAR capture covers it until one does.
  if (hook) {
    state.hook = null;
    hookCapture.end();
  }
  startPageLoad(ev.url, ev.time);
  pollHar();
}

// ---- live capture: the relay's ports ----

function onHookMessage(message, port) {
  if (!state.session) {
    if (state.early.length < MAX_EARLY) state.early.push(['hook', message, port]);
    return;
  }
  const now = Date.now() / 1000;
  if (message?.type === 'hello') onHookHello(readHello(message, now), port);
  else if (message?.type === 'records' && state.hook && message.load === state.hook.load) {
    feed(hookCapture.ingest(message.load, message.items, now));
  }
}

/**
 * A relay announced its page load. A new one becomes the only source for that load: the engine starts the load
 * afresh (unless it just did, for the same URL, with nothing since), so nothing HAR capture fed of it counts twice;
 * the relay then replays the load from its start, and getHAR() polling stops.
 */
function onHookHello(hello, port) {
  if (!hello) return;
  state.hookPorts.set(port, hello.load);
  if (state.hook?.load === hello.load) return; // a second port for the same page load: its replay is skipped
  const announced = state.lastNavUrl === hello.url && state.sinceNav === 0;
  if (!announced) startPageLoad(hello.url, hello.startedAt);
  // The browser's onNavigated for this load may still come, even when `announced` (Firefox ESR 153 sends it after
  // the relay's hello; a load of the same URL that fed the engine nothing looks announced): it must not start the
  // load over (see onNavigated). A real reload within that window brings its own relay's hello, which does.
  state.hook = { load: hello.load, url: hello.url, startedAt: hello.startedAt, navPending: true };
  hookCapture.begin(hello.load);
  state.poller?.abort();
  state.poller = null;
  markDirty();
}

/** A port closed (the page unloaded, or the relay is gone): without live capture, HAR capture takes over. */
function onHookClosed(port) {
  if (!state.session) {
    if (state.early.length < MAX_EARLY) state.early.push(['hook-closed', port]);
    return;
  }
  const load = state.hookPorts.get(port);
  state.hookPorts.delete(port);
  if (!state.hook || load !== state.hook.load || [...state.hookPorts.values()].includes(load)) return;
  state.hook = null;
  hookCapture.end();
  pollHar();
  markDirty();
}

// ---- wiring: listeners first, so nothing is missed while the engine loads ----

net.onRequestFinished.addListener(onFinished);
net.onNavigated.addListener(onNavigated);
net.getHAR((har) => {
  state.startHar = har;
  if (state.session) start();
});
const link = createHookLink({
  runtime: chrome.runtime,
  tabs: chrome.tabs,
  tabId: chrome.devtools.inspectedWindow.tabId,
  onMessage: onHookMessage,
  onClosed: onHookClosed,
});
link.probe(); // DevTools opened on a page that loaded earlier: with live capture on, its relay kept its records

// Paths from the extension's root, with the leading slash: Chromium reads them from the root either way, Firefox
// reads a path without it relative to this page (extension/extension/panel.html, which does not exist).
chrome.devtools.panels.create('Convex Auth', '/extension/icon128.png', '/extension/panel.html', (panel) => {
  panel.onShown.addListener((win) => bridge.shown(win, host));
  panel.onHidden.addListener(() => bridge.hidden());
});

const wasmStart = performance.now();
await init();
state.stats.wasmMs = Math.round(performance.now() - wasmStart);
state.engine = createEngine({ create: () => new DoctorSession(), restored: applyStoredConfig });
state.session = state.engine.session;
state.stats.engineReadyMs = Math.round(performance.now());
globalThis.__doctor = host; // for tests and measurement (tests/e2e)
if (state.startHar) start();

/** The engine and the first getHAR() are both there: take what finished before, replay what waited, poll. */
function start() {
  capture.ingestHar(state.startHar, true);
  state.startHar = { entries: [] };
  pollHar();
  const queued = state.early;
  state.early = [];
  for (const [kind, item, port] of queued) {
    if (kind === 'finished') onFinished(item);
    else if (kind === 'navigated') onNavigated(item.url, item.time);
    else if (kind === 'hook') onHookMessage(item, port);
    else onHookClosed(item);
  }
  refreshOrigin('');
}
