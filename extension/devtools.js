// The devtools page: alive as long as DevTools is open on a tab, so it captures from the start (before the panel is
// ever shown) and owns the engine's session. The panel only renders what this page hands it.
//
// This file is the wiring; each job has its module under devtools/: capture.js (HAR entries → engine events),
// poller.js (getHAR() polling for open sockets), config-store.js (the user's configuration per origin), keys.js
// (the issuer's keys), bridge.js (the panel's side of extension/contract.js).
//
// Order: the network listeners and the first getHAR() are set up before the engine loads, so nothing is missed
// meanwhile; what arrives early waits (bounded) in `state.early` and is replayed once the engine is there.
import { createHost, createPanelBridge } from './devtools/bridge.js';
import { createCapture, isSocket } from './devtools/capture.js';
import { createConfigStore } from './devtools/config-store.js';
import { createKeyFetcher } from './devtools/keys.js';
import { startPoller } from './devtools/poller.js';
import init, { DoctorSession, isConvexUrl } from './pkg/convex_auth_doctor.js';

const net = chrome.devtools.network;
/** Raw captures waiting for the engine to finish loading (bounded: a page cannot grow it without limit). */
const MAX_EARLY = 2000;

// ---- the page's state, all of it ----
const state = {
  /** The engine's session (null while the wasm module loads). */
  session: null,
  /** Captures that arrived before the engine: ['finished', entry] | ['navigated', event]. */
  early: [],
  /** The first getHAR() answer, until the engine can take it. */
  startHar: null,
  /** The inspected app's origin: the key of the stored configuration and opt-in. */
  origin: '',
  /** The "check signatures automatically" opt-in of `origin` (read when the origin changes; checked often). */
  autoOn: false,
  /** The getHAR() poller, once started. */
  poller: null,
  /** @type {Omit<import('./contract.js').CaptureStats, 'sockets' | 'ready' | 'pending'>} */
  stats: { polls: 0, pollMs: 0, lastPollMs: 0, frames: 0, http: 0, events: 0, harEntries: 0, lastPollDelay: 0 },
};

const store = createConfigStore(localStorage);
const capture = createCapture({ isConvexUrl, emit: feed, stats: state.stats });
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
  }),
  reload: () => chrome.devtools.inspectedWindow.reload({ ignoreCache: true }),
  themeName: () => chrome.devtools.panels?.themeName || 'default',
  autoKeysChanged: () => {
    state.autoOn = store.autoKeys(state.origin);
  },
  changed: markDirty,
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
  state.session.pushEvents(JSON.stringify(events));
  markDirty();
}

// ---- the origin and its stored configuration ----

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

/** Learns the inspected app's origin from a navigation's URL, or else by asking the page. */
function refreshOrigin(url) {
  const set = (o) => {
    if (typeof o !== 'string' || o === state.origin) return;
    state.origin = o;
    applyStoredConfig();
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

// ---- wiring: listeners first, so nothing is missed while the engine loads ----

function onFinished(entry) {
  if (!state.session) {
    if (state.early.length < MAX_EARLY) state.early.push(['finished', entry]);
    return;
  }
  const fresh = capture.ingestFinished(entry);
  if (fresh > 0 || !isSocket(entry)) state.poller.soon();
}

function onNavigated(url, time) {
  const ev = { kind: 'navigated', url: String(url), time: time || Date.now() / 1000 };
  if (!state.session) {
    state.early.push(['navigated', ev]);
    return;
  }
  capture.navigated();
  feed([ev]);
  refreshOrigin(url);
  state.poller.restart();
}

net.onRequestFinished.addListener(onFinished);
net.onNavigated.addListener(onNavigated);
net.getHAR((har) => {
  state.startHar = har;
  if (state.session) start();
});

chrome.devtools.panels.create('Convex Auth', 'extension/icon128.png', 'extension/panel.html', (panel) => {
  panel.onShown.addListener((win) => bridge.shown(win, host));
  panel.onHidden.addListener(() => bridge.hidden());
});

await init();
state.session = new DoctorSession();
globalThis.__doctor = host; // for tests and measurement (tests/e2e)
if (state.startHar) start();

/** The engine and the first getHAR() are both there: take what finished before, replay what waited, poll. */
function start() {
  capture.ingestHar(state.startHar, true);
  state.startHar = { entries: [] };
  state.poller = startPoller({
    getHAR: (done) => net.getHAR(done),
    ingest: (har) => capture.ingestHar(har, false),
    stats: state.stats,
  });
  const queued = state.early;
  state.early = [];
  for (const [kind, item] of queued) {
    if (kind === 'finished') onFinished(item);
    else onNavigated(item.url, item.time);
  }
  refreshOrigin('');
}
