// The panel's behaviour beyond the verdicts: DevTools opened after the page loaded, hostile tokens, where tokens go,
// and the extension's own hygiene (permissions, CSP, no HTML built from data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, loadScenarios } from '../standin/stack.mjs';
import { launch, openTab, readPanel, mismatches, evalIn, until, sleep, clickInPanel, ROOT } from './harness.mjs';

const byId = Object.fromEntries(loadScenarios().map((s) => [s.id, s]));
let stack;
let chrome;

before(async () => {
  stack = await startStack({ scenarios: ['all-good', 'hostile', 'wrong-kid', 'discovery-failing'] });
  chrome = await launch();
});

after(async () => {
  await chrome?.close();
  await stack?.close();
});

test('DevTools opened after the page loaded: the panel says to reload, then shows the verdict after reloading', {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser, {
    appFirst: async (page) => {
      await page.goto(stack.appUrl('all-good'));
      await page.waitForSelector('body[data-done]', { timeout: 30000 });
    },
  });
  try {
    await sleep(1500); // a few polls: the open socket predates DevTools and must stay invisible
    const before = await readPanel(tab.panel);
    assert.equal(before.reloadHint, true, `reload hint shown: ${JSON.stringify(before)}`);
    assert.ok(before.codes.includes('client.no_traffic'), `no traffic: ${JSON.stringify(before)}`);
    assert.match(before.verdict, /reload/i);
    // The user presses "Reload to capture" (from the keyboard: focus + Enter).
    await evalIn(tab.panel, "document.getElementById('reload-inline').focus()");
    await tab.panelTarget
      .asPage()
      .then((p) => p.keyboard.press('Enter'))
      .catch(() => evalIn(tab.panel, "document.getElementById('reload-inline').click()"));
    await until(
      async () => tab.page.$('body[data-done]').catch(() => null) && (await readPanel(tab.panel)).reloadHint === false,
      { timeoutMs: 30000, what: 'the capture after reload' },
    );
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    let after;
    await until(
      async () => {
        after = await readPanel(tab.panel);
        return mismatches(after, byId['all-good'].expect).length === 0;
      },
      { timeoutMs: 8000, what: 'the verdict after reload' },
    ).catch(() => {});
    assert.deepEqual(mismatches(after, byId['all-good'].expect), [], JSON.stringify(after));
  } finally {
    await tab.page.close();
  }
});

test('a hostile token (claims full of markup and script) renders as inert text', { timeout: 90000 }, async () => {
  const tab = await openTab(chrome.browser);
  const dialogs = [];
  await tab.panel.send('Page.enable').catch(() => {});
  tab.panel.on('Page.javascriptDialogOpening', (e) => {
    dialogs.push(e.message);
    tab.panel.send('Page.handleJavaScriptDialog', { accept: true }).catch(() => {});
  });
  try {
    await tab.page.goto(stack.appUrl('hostile'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await readPanel(tab.panel)).codes.includes('auth.confirmed'), {
      timeoutMs: 8000,
      what: 'the hostile run',
    }).catch(() => {});
    await sleep(500);
    const dom = await evalIn(
      tab.panel,
      `(() => ({
      active: document.querySelectorAll('script:not([src="panel.js"]), img, iframe, svg, object, embed, b, textarea:not(#config-source):not(#config-env):not(#paste-token)').length,
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
      text: document.body.textContent,
      title: document.title,
    }))()`,
    );
    assert.equal(dom.active, 0, 'no element created from token data');
    assert.equal(dom.handlers, 0, 'no event-handler attribute anywhere');
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.equal(dom.title, 'Convex Auth');
    // The claims are shown, as text.
    assert.ok(dom.text.includes('user_<script>alert(1)</script>'), 'the hostile sub is shown literally');
    assert.ok(dom.text.includes('<img src=x onerror=alert(1)>'), 'the hostile name is shown literally');
  } finally {
    await tab.page.close();
  }
});

/** Records every request and sent frame of the page, the devtools page and the panel (CDP Network). */
async function watchNetwork(tab) {
  const seen = []; // {where, url, method, headers, text, frame}
  const sockets = new Map();
  const watch = async (session, where) => {
    session.on('Network.requestWillBeSent', (e) =>
      seen.push({
        where,
        url: e.request.url,
        method: e.request.method,
        headers: e.request.headers,
        text: `${e.request.url}\n${JSON.stringify(e.request.headers)}\n${e.request.postData ?? ''}`,
      }),
    );
    session.on('Network.webSocketCreated', (e) => sockets.set(e.requestId, e.url));
    session.on('Network.webSocketFrameSent', (e) =>
      seen.push({ where, url: sockets.get(e.requestId) ?? '?', text: e.response.payloadData, frame: true }),
    );
    await session.send('Network.enable');
  };
  await watch(await tab.page.createCDPSession(), 'page');
  await watch(tab.dt, 'devtools page');
  await watch(tab.panel, 'panel');
  return {
    seen,
    /** What the extension's own pages requested from a server (not their own files). */
    extension: () =>
      seen.filter(
        (s) =>
          s.where !== 'page' &&
          !s.url.startsWith('chrome-extension://') &&
          !s.url.startsWith('blob:') &&
          !s.url.startsWith('data:'),
      ),
  };
}

const keysBox = (panel) =>
  evalIn(
    panel,
    `(() => ({
  hidden: document.getElementById('keys-box').hidden,
  mode: document.getElementById('check-keys').dataset.mode,
  button: document.getElementById('check-keys').textContent,
  urls: document.getElementById('keys-urls').textContent,
  age: document.getElementById('keys-age').textContent,
  auto: document.getElementById('auto-keys').checked,
}))()`,
  );

test("the extension sends no request unless the user asks; asked, only GETs of the issuer's keys, never the token", {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser);
  const net = await watchNetwork(tab);
  try {
    await tab.page.goto(stack.appUrl('all-good'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await sleep(1500);
    // Use the panel's buttons too: copying and exporting must not send anything anywhere.
    await evalIn(tab.panel, "document.getElementById('copy').click(); document.getElementById('export').click(); true");
    await sleep(500);
    const jwt = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;
    const tokens = new Set(net.seen.filter((s) => s.frame).flatMap((s) => s.text.match(jwt) ?? []));
    assert.ok(tokens.size > 0, 'the app sent its token (the test sees it)');
    assert.deepEqual(
      net.extension().map((s) => s.url),
      [],
      'without the user asking, the extension itself talks to no server',
    );
    // The check is offered, not run: the box names what it would fetch.
    const issuer = `${stack.idpUrl}/clerk`;
    const discovery = `${issuer}/.well-known/openid-configuration`;
    const jwksUrl = `${issuer}/.well-known/jwks.json`;
    const offered = await keysBox(tab.panel);
    assert.equal(offered.hidden, false, JSON.stringify(offered));
    assert.equal(offered.mode, 'check');
    assert.equal(offered.button, 'Check the signature');
    assert.ok(offered.urls.includes(discovery), offered.urls);
    assert.ok(
      !(await readPanel(tab.panel)).codes.includes('signature.valid'),
      'no verdict on the signature before the check',
    );

    // The user clicks "Check the signature".
    await clickInPanel(tab, '#check-keys');
    await until(async () => (await readPanel(tab.panel)).codes.includes('signature.valid'), {
      timeoutMs: 10000,
      what: 'signature.valid',
    });
    const fetched = net.extension();
    assert.deepEqual(
      fetched.map((s) => s.url),
      [discovery, jwksUrl],
      'discovery, then the JWKS it names',
    );
    for (const f of fetched) {
      assert.equal(f.where, 'devtools page');
      assert.equal(f.method, 'GET');
      const names = Object.keys(f.headers).map((h) => h.toLowerCase());
      for (const h of ['authorization', 'cookie']) assert.ok(!names.includes(h), `${f.url} carries ${h}`);
      for (const t of tokens) {
        for (const part of [t, ...t.split('.')]) assert.ok(!f.text.includes(part), `${f.url} carries token text`);
      }
    }
    const done = await keysBox(tab.panel);
    assert.match(done.age, /^Keys fetched \d+ s ago from /, done.age);
    assert.ok(done.age.endsWith(`${jwksUrl}.`), done.age);
    assert.equal(done.mode, 'refetch');
    assert.equal(done.button, 'Refetch keys');

    // "Refetch" fetches the same two documents again, and the age starts over.
    await until(async () => /^Keys fetched [3-9] s ago/.test((await keysBox(tab.panel)).age), {
      timeoutMs: 8000,
      what: 'the age to grow',
    });
    // From the keyboard this time: focus the button and press Enter.
    const frame = tab.devtoolsWindow.frames().find((f) => f.url().endsWith('/extension/panel.html'));
    await frame.focus('#check-keys');
    await tab.devtoolsWindow.keyboard.press('Enter');
    await until(
      async () => net.extension().length >= 4 && /^Keys fetched [01] s ago/.test((await keysBox(tab.panel)).age),
      { timeoutMs: 10000, what: 'the refetch' },
    );
    assert.deepEqual(
      net
        .extension()
        .slice(2)
        .map((s) => s.url),
      [discovery, jwksUrl],
    );

    // Tokens still go nowhere but the app's own backend, and the signature is never shown.
    const backend = new URL(stack.backendUrl('all-good'));
    const carriers = net.seen.filter((s) =>
      [...tokens].some((t) => s.text.includes(t) || s.text.includes(t.split('.')[2])),
    );
    for (const c of carriers) {
      const u = new URL(c.url);
      assert.equal(u.host, backend.host, `token sent by the ${c.where} to ${c.url}`);
      assert.equal(c.where, 'page');
    }
    const text = await evalIn(tab.panel, 'document.body.textContent');
    for (const t of tokens) assert.ok(!text.includes(t.split('.')[2]), 'signature not shown');
  } finally {
    await tab.page.close();
  }
});

test('"Check signatures automatically for this app": remembered for the app\'s origin, checks without a click', {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser);
  const net = await watchNetwork(tab);
  try {
    await tab.page.goto(stack.appUrl('all-good'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => !(await keysBox(tab.panel)).hidden, { timeoutMs: 8000, what: 'the keys box' });
    // Opting in is a click too: it checks at once.
    await clickInPanel(tab, '#auto-keys');
    await until(async () => (await readPanel(tab.panel)).codes.includes('signature.valid'), {
      timeoutMs: 10000,
      what: 'signature.valid',
    });
    assert.equal((await keysBox(tab.panel)).auto, true);
    // Another run of the same app with the same issuer: the keys fetched a moment ago are reused (the cache).
    let before = net.extension().length;
    await tab.page.goto(stack.appUrl('wrong-kid'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await readPanel(tab.panel)).codes.includes('jwks.kid_not_found'), {
      timeoutMs: 10000,
      what: 'jwks.kid_not_found',
    });
    assert.deepEqual(
      net
        .extension()
        .slice(before)
        .map((f) => f.url),
      [],
      'cached keys reused',
    );
    // Another issuer, same app origin (the stand-in serves every scenario from one origin): fetched with no click.
    before = net.extension().length;
    await tab.page.goto(stack.appUrl('discovery-failing'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await readPanel(tab.panel)).codes.includes('jwks.unreachable'), {
      timeoutMs: 10000,
      what: 'jwks.unreachable without a click',
    });
    assert.deepEqual(
      net
        .extension()
        .slice(before)
        .map((f) => f.url),
      [`${stack.idpUrl}/broken-discovery/.well-known/openid-configuration`],
    );
    // Turned off again (the setting is per origin and lives in the extension's storage, not the page's).
    await clickInPanel(tab, '#auto-keys');
    assert.equal((await keysBox(tab.panel)).auto, false);
    assert.equal(await tab.page.evaluate(() => Object.keys(localStorage).filter((k) => /autokeys/.test(k)).length), 0);
  } finally {
    await tab.page.close();
  }
});

test('a key fetch that fails says so, and that the backend may still reach it', { timeout: 90000 }, async () => {
  const tab = await openTab(chrome.browser);
  try {
    await tab.page.goto(stack.appUrl('discovery-failing'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await keysBox(tab.panel)).mode === 'check' && !(await keysBox(tab.panel)).hidden, {
      timeoutMs: 8000,
      what: 'the check offered',
    });
    await clickInPanel(tab, '#check-keys');
    await until(async () => (await readPanel(tab.panel)).codes.includes('jwks.unreachable'), {
      timeoutMs: 10000,
      what: 'jwks.unreachable',
    });
    const message = await evalIn(
      tab.panel,
      'document.querySelector(\'[data-code="jwks.unreachable"] summary\').textContent',
    );
    assert.match(message, /could not be fetched from here: HTTP 500/);
    assert.match(message, /backend may still reach it/);
    assert.match(
      (await keysBox(tab.panel)).age,
      /^Tried \d+ s ago: .*openid-configuration could not be fetched from here \(the backend may still reach it\)\.$/,
    );
  } finally {
    await tab.page.close();
  }
});

test("the panel follows DevTools' theme live, and its controls are reachable from the keyboard", {
  timeout: 60000,
}, async () => {
  const tab = await openTab(chrome.browser);
  const setTheme = (name) =>
    tab.devtoolsWindow.evaluate(async (n) => {
      const common = await import('devtools://devtools/bundled/core/common/common.js');
      common.Settings.Settings.instance().moduleSetting('ui-theme').set(n);
    }, name);
  const dark = () => evalIn(tab.panel, "document.documentElement.classList.contains('theme-dark')");
  try {
    await setTheme('dark');
    await until(dark, { timeoutMs: 5000, what: 'the dark theme' });
    await setTheme('default');
    await until(async () => !(await dark()), { timeoutMs: 5000, what: 'the light theme' });
    // Tab order reaches the three actions (native buttons: Enter/Space work).
    const order = await evalIn(
      tab.panel,
      `(() => {
      const f = [...document.querySelectorAll('button, summary, textarea, [tabindex]')].filter((e) => e.tabIndex >= 0 && !e.closest('[hidden]'));
      return f.map((e) => e.id || e.tagName.toLowerCase());
    })()`,
    );
    for (const id of ['reload', 'copy', 'export', 'config-title'])
      assert.ok(order.includes(id), `${id} focusable: ${order}`);
  } finally {
    await tab.page.close();
  }
});

test('keys the browser cannot read (CORS, network): a click asks for that origin only; without one, a clear message', {
  timeout: 90000,
}, async () => {
  const tab = await openTab(chrome.browser);
  // The identity provider "forgets" CORS: every key request of the devtools page fails as a network error would.
  await tab.dt.send('Fetch.enable', { patterns: [{ urlPattern: `${stack.idpUrl}/*` }] });
  tab.dt.on('Fetch.requestPaused', (e) =>
    tab.dt.send('Fetch.failRequest', { requestId: e.requestId, errorReason: 'Failed' }).catch(() => {}),
  );
  try {
    await tab.page.goto(stack.appUrl('all-good'));
    await tab.page.waitForSelector('body[data-done]', { timeout: 30000 });
    await until(async () => (await keysBox(tab.panel)).mode === 'check' && !(await keysBox(tab.panel)).hidden, {
      timeoutMs: 8000,
      what: 'the check offered',
    });
    // Without the user's click (the per-app opt-in's path): no permission is asked; the failure is explained.
    await evalIn(tab.dt, '__doctor.checkKeys(null, false)');
    const message = await until(
      async () => evalIn(tab.panel, 'document.querySelector(\'[data-code="jwks.unreachable"] summary\')?.textContent'),
      { timeoutMs: 8000, what: 'jwks.unreachable' },
    );
    assert.match(
      message,
      /openid-configuration could not be fetched from here: the browser could not read it \(.+\): blocked by CORS, or not reachable from this computer\. The backend may still reach it\./,
    );
    // The user clicks: Chrome's permission prompt opens for that origin only (accepted as a user gesture: a call
    // without one fails at once with "must be called during a user gesture"). Nobody answers it in this test.
    await clickInPanel(tab, '#check-keys');
    const asking = await until(
      async () => {
        const box = await keysBox(tab.panel);
        return /asking you for access/.test(box.urls) && box.urls;
      },
      { timeoutMs: 8000, what: 'the permission request' },
    );
    assert.equal(
      asking,
      `${stack.idpUrl} did not let this page read its keys: asking you for access to that origin only…`,
    );
    // Still waiting for the user's answer a second later: Chrome took the click as the gesture the prompt needs
    // (without one, chrome.permissions.request fails at once and the line would be gone).
    await sleep(1000);
    assert.equal((await keysBox(tab.panel)).urls, asking);
  } finally {
    await tab.page.close();
  }
});

test('the extension asks for no permission at install (only optional ones, asked per issuer or app origin) and relaxes the CSP only for WebAssembly', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.permissions ?? [], []);
  assert.equal(manifest.host_permissions, undefined);
  // Live capture (issue 11): "scripting" with the app's one origin, asked from the panel when the user turns it on.
  assert.deepEqual(manifest.optional_permissions, ['scripting']);
  // Optional: nothing is granted at install; the panel asks for one issuer's origin when its keys lack CORS.
  assert.deepEqual(manifest.optional_host_permissions, ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*']);
  assert.equal(manifest.content_scripts, undefined);
  assert.equal(manifest.background, undefined);
  assert.equal(
    manifest.content_security_policy.extension_pages,
    "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
  );
});

test('the extension never builds HTML from data; its only network call is one GET without credentials', () => {
  const dir = path.join(ROOT, 'extension');
  // Every script of the extension, in every folder, except the engine's generated glue (extension/pkg).
  const scripts = readdirSync(dir, { recursive: true }).filter((n) => n.endsWith('.js') && !n.startsWith('pkg'));
  for (const f of ['devtools.js', 'panel.js', path.join('devtools', 'keys.js')]) assert.ok(scripts.includes(f), `${f}`);
  for (const f of scripts) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const sink of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'createContextualFragment',
      'new Function',
      'srcdoc',
    ]) {
      assert.ok(!src.includes(sink), `${f} uses ${sink}`);
    }
    // chrome.devtools.inspectedWindow.eval (a fixed expression, run in the page) is allowed; a bare eval is not.
    assert.ok(!/(?<![.\w])eval\(/.test(src), `${f} uses eval`);
    // The page hook (live capture) wraps the app's XMLHttpRequest, WebSocket and fetch: it names them, and calls the
    // browser's own functions only with the app's arguments (tests/unit/page-hook.test.mjs); it creates none.
    const hook = f === path.join('hook', 'page.js');
    for (const net of [
      ...(hook ? [] : ['XMLHttpRequest']),
      'new WebSocket',
      'new XMLHttpRequest',
      'sendBeacon',
      'EventSource',
      'importScripts',
      'navigator.connect',
    ]) {
      assert.ok(!src.includes(net), `${f} uses ${net}`);
    }
    if (hook) {
      assert.deepEqual(src.match(/\bfetch\(/g), ['fetch('], 'the hook only defines its fetch( wrapper');
      assert.match(
        src,
        /window\.fetch = function fetch\(input, \.\.\.rest\) \{\n\s+const pending = Reflect\.apply\(nativeFetch, this, \[input, \.\.\.rest\]\);/,
      );
      assert.equal(src.match(/nativeFetch/g).length, 3, "taken, checked, and called once with the app's arguments");
      continue;
    }
    // fetch: only the devtools page's key documents (what the engine's keyRequests() names), once, credentials
    // omitted, no body (the dynamic test above proves what it sends).
    const fetches = src.match(/\bfetch\(/g) ?? [];
    if (f !== path.join('devtools', 'keys.js')) assert.equal(fetches.length, 0, `${f} uses fetch(`);
    else {
      assert.equal(fetches.length, 1, 'devtools/keys.js: one fetch( call');
      const call = src.slice(src.indexOf('fetch('), src.indexOf('fetch(') + 400);
      assert.match(call, /method: 'GET'/);
      assert.match(call, /credentials: 'omit'/);
      assert.ok(!/\bbody:/.test(call), 'the GET has no body');
    }
  }
});
