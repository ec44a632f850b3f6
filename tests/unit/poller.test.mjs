// The getHAR() poller (extension/devtools/poller.js) against a stubbed `chrome.devtools.network` and a fake clock:
// the back-off, the cost budget, one getHAR() at a time, and abort.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextDelay, POLL, startPoller } from '../../extension/devtools/poller.js';

test('nextDelay: the shortest delay while frames flow, ×1.5 up to the longest when idle', () => {
  assert.equal(nextDelay(800, 3, 1), POLL.minMs);
  assert.equal(nextDelay(400, 0, 1), 600);
  assert.equal(nextDelay(600, 0, 1), 800);
  assert.equal(nextDelay(800, 0, 1), 800);
});

test('nextDelay: a poll costs at most 5 % of the time between polls, up to a ceiling', () => {
  assert.equal(nextDelay(400, 5, 40), 800, '40 ms of work: 800 ms between polls even while frames flow');
  assert.equal(nextDelay(400, 0, 100), 2000);
  assert.equal(nextDelay(400, 0, 1000), POLL.ceilingMs, 'never slower than the ceiling');
});

/** Fake timers and clock: `run()` fires the due timer. */
function fakeTime() {
  let now = 0;
  let seq = 0;
  const pending = new Map();
  return {
    clock: { now: () => now },
    timers: {
      setTimeout(fn, ms) {
        seq += 1;
        pending.set(seq, { fn, at: now + ms });
        return seq;
      },
      clearTimeout(id) {
        pending.delete(id);
      },
    },
    pending,
    advance(ms) {
      now += ms;
    },
    /** Fires the next timer; returns the delay it had, from the time it was set. */
    next() {
      const [id, t] = [...pending].sort((a, b) => a[1].at - b[1].at)[0];
      pending.delete(id);
      const waited = t.at - now;
      now = t.at;
      t.fn();
      return waited;
    },
  };
}

/** A stubbed chrome.devtools.network: getHAR answers when the test says so. */
function stubNetwork() {
  const calls = [];
  return {
    calls,
    chrome: { devtools: { network: { getHAR: (done) => calls.push(done) } } },
  };
}

test('polls at the shortest delay, backs off while nothing is new, and comes back on new frames', () => {
  const t = fakeTime();
  const net = stubNetwork();
  const stats = { polls: 0, pollMs: 0, lastPollMs: 0, lastPollDelay: 0 };
  let fresh = 0;
  const poller = startPoller({
    getHAR: (done) => net.chrome.devtools.network.getHAR(done),
    ingest: () => fresh,
    stats,
    clock: t.clock,
    timers: t.timers,
  });
  const delays = [];
  for (const f of [0, 0, 0, 2, 0]) {
    delays.push(t.next());
    fresh = f;
    t.advance(1); // the poll costs 1 ms
    net.calls.shift()({ entries: [] });
  }
  assert.deepEqual(delays, [400, 600, 800, 800, 400]);
  assert.equal(stats.polls, 5);
  assert.equal(stats.lastPollMs, 1);
  assert.equal(stats.lastPollDelay, 600);
  // Something happened (a request finished): soon, without forgetting the back-off.
  poller.soon();
  assert.equal(t.next(), 400);
  net.calls.shift()({ entries: [] });
  assert.equal(stats.lastPollDelay, 800);
  // A navigation: back to the shortest delay.
  poller.restart();
  assert.equal(t.next(), 400);
  net.calls.shift()({});
  assert.equal(stats.lastPollDelay, 600);
  poller.abort();
  assert.equal(t.pending.size, 0);
});

test('one getHAR() at a time: a poll due while one runs waits for its answer', () => {
  const t = fakeTime();
  const net = stubNetwork();
  const poller = startPoller({
    getHAR: net.chrome.devtools.network.getHAR,
    ingest: () => 0,
    stats: { polls: 0, pollMs: 0 },
    clock: t.clock,
    timers: t.timers,
  });
  t.next();
  assert.equal(net.calls.length, 1);
  poller.soon();
  t.next(); // due, but the first getHAR() has not answered
  assert.equal(net.calls.length, 1);
  assert.equal(t.pending.size, 0);
  net.calls.shift()({ entries: [] }); // the answer schedules the next poll
  assert.equal(t.pending.size, 1);
  t.next();
  assert.equal(net.calls.length, 1);
  poller.abort();
});

test('an ingest that throws does not stop polling', (ctx) => {
  const t = fakeTime();
  const net = stubNetwork();
  ctx.mock.method(console, 'error', () => {});
  const poller = startPoller({
    getHAR: net.chrome.devtools.network.getHAR,
    ingest: () => {
      throw new Error('bad HAR');
    },
    stats: { polls: 0, pollMs: 0 },
    clock: t.clock,
    timers: t.timers,
  });
  t.next();
  net.calls.shift()({ entries: [] });
  assert.equal(t.pending.size, 1, 'the next poll is scheduled');
  assert.equal(console.error.mock.callCount(), 1);
  poller.abort();
});

test('abort: no timer left, an answer in flight is dropped, and nothing restarts it', () => {
  const t = fakeTime();
  const net = stubNetwork();
  let ingested = 0;
  const poller = startPoller({
    getHAR: net.chrome.devtools.network.getHAR,
    ingest: () => {
      ingested += 1;
      return 1;
    },
    stats: { polls: 0, pollMs: 0 },
    clock: t.clock,
    timers: t.timers,
  });
  t.next();
  poller.abort();
  net.calls.shift()({ entries: [] });
  assert.equal(ingested, 0);
  poller.soon();
  poller.restart();
  assert.equal(t.pending.size, 0);
});
