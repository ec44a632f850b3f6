// The getHAR() poller: open sockets' frames reach an extension only through getHAR() (capture.js says why), and
// every call makes DevTools rebuild the whole log, so the poller is fast while frames flow, backs off when nothing
// changes, and keeps its own cost a small share of the time between polls on a busy app.

/** Delays in ms: `minMs` while frames flow, up to `maxMs` when idle; `budget` is the share of time a poll may cost. */
export const POLL = Object.freeze({ minMs: 400, maxMs: 800, budget: 0.05, ceilingMs: 3000 });

/** The delay before the next poll, from the previous delay, whether the poll saw new frames, and what it cost. */
export function nextDelay(previousMs, fresh, costMs, limits = POLL) {
  const backedOff = fresh > 0 ? limits.minMs : Math.min(limits.maxMs, Math.round(previousMs * 1.5));
  // Keep the poll's share of time small even when the log is huge.
  return Math.min(limits.ceilingMs, Math.max(backedOff, Math.round(costMs / limits.budget)));
}

/**
 * Starts polling: `getHAR(callback)` is `chrome.devtools.network.getHAR`, `ingest(har)` hands the answer on and
 * returns how many frames were new. One getHAR() runs at a time. Returns the poller's controls:
 * - `soon()`: poll after the shortest delay (something happened), keeping the back-off state;
 * - `restart()`: back to the shortest delay (a new page load);
 * - `abort()`: stop for good; an answer still in flight is dropped.
 */
export function startPoller({ getHAR, ingest, stats, limits = POLL, clock = performance, timers = globalThis }) {
  let timer = 0;
  let running = false;
  let aborted = false;
  let delay = limits.minMs;

  function schedule(ms) {
    if (aborted) return;
    if (timer) timers.clearTimeout(timer);
    timer = timers.setTimeout(poll, ms);
  }

  function poll() {
    timer = 0;
    if (running || aborted) return; // one getHAR() at a time; the running one reschedules
    running = true;
    const started = clock.now();
    getHAR((har) => {
      running = false;
      if (aborted) return;
      let fresh = 0;
      try {
        fresh = ingest(har);
      } catch (e) {
        console.error('convex-auth-doctor: poll', e);
      }
      const cost = clock.now() - started;
      stats.polls++;
      stats.pollMs += cost;
      stats.lastPollMs = cost;
      delay = nextDelay(delay, fresh, cost, limits);
      stats.lastPollDelay = delay;
      schedule(delay);
    });
  }

  schedule(limits.minMs);
  return {
    soon: () => schedule(limits.minMs),
    restart() {
      delay = limits.minMs;
      schedule(limits.minMs);
    },
    abort() {
      aborted = true;
      if (timer) timers.clearTimeout(timer);
      timer = 0;
    },
  };
}
