// The bridge to the panel (the contract is extension/contract.js): the `DoctorHost` object the panel calls, and the
// pushing of fresh reports to the panel's `doctorRender` while it is shown: at once after a quiet spell, then at most
// every RENDER_DELAY_MS, slowing down to BUSY_RENDER_DELAY_MS while changes keep coming.

import { HOST_READY_EVENT } from '../contract.js';

/**
 * Renders are at least this far apart: frames arrive in bursts, one render per burst. A change after a quiet spell
 * (the verdict-making frame) renders in the next task, with whatever the same task changed: no wait.
 */
const RENDER_DELAY_MS = 50;
/**
 * While changes keep coming (a busy app: ~150 frames a second), the gap doubles after each render up to this; a
 * render every 50 ms took 40–55 % of a core on the busy scenario (tests/e2e/measure.mjs).
 */
const BUSY_RENDER_DELAY_MS = 500;

/**
 * Pushes reports to the panel. `report()` is the engine's report as JSON text, or null while the engine loads.
 * Returns `shown(win, host)` and `hidden()` for the panel's events, and `invalidate()` for "the report changed".
 */
export function createPanelBridge({ report, timers = globalThis, clock = performance }) {
  const panel = {
    window: null,
    visible: false,
    dirty: true,
    timer: 0,
    last: Number.NEGATIVE_INFINITY,
    gap: RENDER_DELAY_MS,
  };

  function push() {
    panel.timer = 0;
    if (!panel.window || !panel.visible || !panel.dirty) return;
    const json = report();
    if (json === null) return;
    panel.dirty = false;
    try {
      if (typeof panel.window.doctorRender === 'function') panel.window.doctorRender(json);
    } catch (e) {
      console.error('convex-auth-doctor: render', e);
    }
    // Counted from the render's end: a slow render still leaves the page the gap to itself.
    panel.last = clock.now();
  }

  return {
    invalidate() {
      panel.dirty = true;
      if (panel.window && panel.visible && !panel.timer) {
        const wait = panel.last + panel.gap - clock.now();
        // A change within the gap after a render: the app is busy, the next gap is longer. After a quiet gap: at once.
        panel.gap = wait > 0 ? Math.min(BUSY_RENDER_DELAY_MS, panel.gap * 2) : RENDER_DELAY_MS;
        // On the panel's own timers: it is shown. The devtools page is a hidden page, whose timers Chromium runs
        // at most once a second (measured: a 0 ms timeout fired 0.2–0.9 s late; tests/e2e/measure.mjs).
        const on = typeof panel.window.setTimeout === 'function' ? panel.window : timers;
        panel.timer = on.setTimeout(push, Math.max(0, wait));
      }
    },
    /** The panel was shown in `win`: hand it the host (see the handshake in contract.js) and render at once. */
    shown(win, host) {
      panel.window = win;
      panel.visible = true;
      win.doctorHost = host;
      win.dispatchEvent(new win.Event(HOST_READY_EVENT));
      panel.dirty = true;
      push();
    },
    hidden() {
      panel.visible = false;
    },
  };
}

/**
 * The `DoctorHost` of the contract, over the devtools page's parts: `session()` (null while the engine loads),
 * `origin()`, the config `store`, the key fetcher `keys`, `stats()` (a `CaptureStats` object), `notice()` (the
 * engine-restart note, or ''), `reload()`, `themeName()`, `autoKeysChanged()` (the opt-in was written),
 * `liveState()` (a `LiveState` object), `setLive(on)`, `changed()` (what the panel shows may differ) and `paste`, the
 * judge of pasted tokens (devtools/paste.js).
 * @returns {import('../contract.js').DoctorHost}
 */
export function createHost({
  session,
  origin,
  store,
  keys,
  stats,
  notice,
  reload,
  themeName,
  autoKeysChanged,
  liveState,
  setLive,
  changed,
  paste,
}) {
  return {
    report: () => session()?.report() ?? '',
    notice,
    markdown: () => session()?.markdown() ?? '',
    origin,
    storedConfig: () => JSON.stringify(store.load(origin()) || { source: '', env: {} }),
    setConfig(source, envJson) {
      const engine = session();
      if (!engine) throw new Error('the engine is still loading');
      if (!source.trim()) engine.clearConfig();
      else engine.setConfig(source, envJson);
      // Saved only once the engine accepted it (setConfig throws the engine's error text otherwise).
      store.save(origin(), source, source.trim() ? JSON.parse(envJson || '{}') : {});
      changed();
    },
    reload,
    stats: () => JSON.stringify(stats()),
    themeName,
    keyState: () => JSON.stringify(keys.state()),
    checkKeys: (ask, refetch) => keys.checkByUser(ask, refetch),
    setAutoKeys(on) {
      store.setAutoKeys(origin(), on);
      autoKeysChanged();
      changed();
    },
    liveState: () => JSON.stringify(liveState()),
    setLive: (on) => setLive(!!on),
    judgeToken: (text, ask, checkSignature) => paste.judge(text, { ask, checkSignature: !!checkSignature }),
  };
}
