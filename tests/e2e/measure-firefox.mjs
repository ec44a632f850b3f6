#!/usr/bin/env node
// Measures, in Firefox ESR with the Firefox build and live capture on (the only way Firefox sees the sync socket),
// the time from an AuthError frame leaving the stand-in backend to the failing verdict on screen in the panel, as
// tests/e2e/measure.mjs does in Chromium. The panel records its own changes (a MutationObserver, Date.now()); the
// backend stamps its frames with the same clock.
// Usage: node tests/e2e/measure-firefox.mjs  (MEASURE_RUNS, default 5; needs extension/pkg built and firefox-esr)
import { startStack } from '../standin/stack.mjs';
import { closeToolbox, engineReady, evalInAddon, launchFirefox, openPanel } from './firefox.mjs';
import { until } from './harness.mjs';

const runs = Number(process.env.MEASURE_RUNS || 5);
const ID = 'token-expired';
const stack = await startStack({ scenarios: [ID] });
const ff = await launchFirefox({ granted: ['http://127.0.0.1/*'] });
try {
  const [page] = await ff.browser.pages();
  await openPanel(ff);
  await engineReady(ff);
  await page.goto(stack.appUrl(ID));
  await until(
    async () => JSON.parse(await evalInAddon(ff, '/extension/devtools.html', '__doctor.liveState()')).supported,
  );
  await evalInAddon(ff, '/extension/devtools.html', '__doctor.setLive(true)');
  const latencies = [];
  for (let i = 0; i < runs; i++) {
    await closeToolbox(ff);
    await page.goto('about:blank');
    await openPanel(ff);
    await engineReady(ff);
    await evalInAddon(
      ff,
      '/extension/panel.html',
      `(() => {
        window.__marks = [];
        const box = document.getElementById('verdict-box');
        new MutationObserver(() => __marks.push({ at: Date.now(), cause: box.dataset.causeStep, verdict: document.getElementById('verdict').textContent }))
          .observe(box, { subtree: true, childList: true, characterData: true, attributes: true });
        return true;
      })()`,
    );
    const from = stack.frames(ID).length;
    await page.goto(stack.appUrl(ID));
    const authError = await until(
      () =>
        stack
          .frames(ID)
          .slice(from)
          .find((f) => f.dir === 'out' && f.frame?.type === 'AuthError'),
      { timeoutMs: 20000, what: 'an AuthError frame' },
    );
    const shown = await until(
      async () => {
        const marks = await evalInAddon(ff, '/extension/panel.html', '__marks');
        return marks.find((m) => m.at >= authError.t && m.cause && /break/i.test(m.verdict));
      },
      { timeoutMs: 10000, what: 'the failing verdict in the panel', everyMs: 100 },
    ).catch(() => null);
    if (shown) latencies.push(shown.at - authError.t);
    else console.log(`run ${i + 1}: the panel did not show a failing verdict within 10 s`);
  }
  latencies.sort((a, b) => a - b);
  if (latencies.length) {
    console.log(
      `Firefox, live capture: AuthError frame → verdict on screen: median ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies[latencies.length - 1]} ms, min ${latencies[0]} ms over ${latencies.length} runs`,
    );
  }
} finally {
  await ff.close();
  await stack.close();
}
