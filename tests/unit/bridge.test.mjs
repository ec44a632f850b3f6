// The panel bridge (extension/devtools/bridge.js): a change after a quiet spell reaches the panel in the next task,
// a burst of changes renders at most once every RENDER_DELAY_MS (50 ms), on the panel's own timers, and nothing
// renders while hidden.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPanelBridge } from '../../extension/devtools/bridge.js';

/** Timers and a clock that move only when the test says so. */
function fakeTime() {
  let now = 1000;
  let queue = [];
  return {
    clock: { now: () => now },
    timers: {
      setTimeout(fn, ms) {
        queue.push({ at: now + ms, fn });
        return queue.length;
      },
    },
    /** Moves the clock by `ms`, running the timers that fall due, in order. */
    advance(ms) {
      const end = now + ms;
      for (;;) {
        queue.sort((a, b) => a.at - b.at);
        const next = queue[0];
        if (!next || next.at > end) break;
        queue = queue.slice(1);
        now = Math.max(now, next.at);
        next.fn();
      }
      now = end;
    },
    pending: () => queue.length,
  };
}

function setup() {
  const time = fakeTime();
  let version = 0;
  const renders = [];
  const win = new EventTarget();
  win.Event = Event;
  win.doctorRender = (json) => renders.push([time.clock.now(), json]);
  // The panel's window has its own timers; the devtools page's (a hidden page: Chromium runs them about once a
  // second) must not be used while the panel is shown.
  win.setTimeout = time.timers.setTimeout;
  const hiddenPage = {
    setTimeout() {
      throw new Error("the hidden devtools page's timers were used");
    },
  };
  const bridge = createPanelBridge({ report: () => `r${version}`, timers: hiddenPage, clock: time.clock });
  const change = () => {
    version += 1;
    bridge.invalidate();
  };
  return { time, bridge, win, renders, change };
}

test('a change after a quiet spell renders in the next task, not after the render delay', () => {
  const { time, bridge, win, renders, change } = setup();
  bridge.shown(win, {});
  assert.deepEqual(renders, [[1000, 'r0']], 'shown: rendered at once');
  time.advance(500);
  change();
  time.advance(0);
  assert.deepEqual(renders.at(-1), [1500, 'r1']);
});

test('a burst renders at once, then at most every 50 ms, and its last state is shown', () => {
  const { time, bridge, win, renders, change } = setup();
  bridge.shown(win, {});
  time.advance(200);
  renders.length = 0;
  for (let i = 0; i < 20; i++) {
    change();
    time.advance(5); // a frame every 5 ms for 100 ms
  }
  time.advance(100);
  const at = renders.map(([t]) => t);
  assert.equal(at[0], 1200, 'the first change of the burst renders at once');
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 50, `renders ${at[i - 1]} and ${at[i]} too close`);
  assert.ok(renders.length <= 4, `${renders.length} renders for a 100 ms burst`);
  assert.equal(renders.at(-1)[1], 'r20', 'the last change is on screen');
  assert.equal(time.pending(), 0);
});

test('hidden: no render; shown again: the latest report at once', () => {
  const { time, bridge, win, renders, change } = setup();
  bridge.shown(win, {});
  bridge.hidden();
  change();
  time.advance(1000);
  assert.equal(renders.length, 1);
  bridge.shown(win, {});
  assert.deepEqual(renders.at(-1), [2000, 'r1']);
});

test('changes that keep coming slow renders down to every 500 ms; after a quiet spell, at once again', () => {
  const { time, bridge, win, renders, change } = setup();
  bridge.shown(win, {});
  time.advance(1000);
  renders.length = 0;
  for (let i = 0; i < 1000; i++) {
    change();
    time.advance(7); // ~140 frames a second for 7 s
  }
  const at = renders.map(([t]) => t);
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.ok(
    gaps.every((g) => g >= 50 && g <= 500),
    `gaps ${gaps}`,
  );
  assert.ok(
    gaps.slice(-5).every((g) => g === 500),
    `steady gaps ${gaps.slice(-5)}`,
  );
  assert.ok(renders.length <= 20, `${renders.length} renders in 7 s`);
  time.advance(2000);
  assert.equal(renders.at(-1)[1], 'r1000', 'the last change is on screen');
  const quietAt = time.clock.now();
  change();
  time.advance(0);
  assert.deepEqual(renders.at(-1), [quietAt, 'r1001'], 'a change after a quiet spell renders at once');
});
