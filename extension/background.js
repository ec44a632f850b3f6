// The background page of the Firefox build (listed only in the manifest scripts/firefox-manifest.mjs writes; the
// Chromium build has none). In Firefox a devtools page has no `tabs`, `scripting` or `permissions` API and hears no
// port a content script opens, so this page does those jobs for it (contract: the end of extension/contract.js):
// - it holds the relays' ports (hook/relay.js) and passes their messages to the devtools page of the same tab,
//   unread: the devtools page judges them exactly as it does in Chromium, where it holds the ports itself;
// - it opens a port to the relay of a page that loaded before DevTools opened (the devtools page's probe);
// - it turns live capture on and off per origin (devtools/live-capture.js, with this page's scripting and
//   permissions APIs), and opens grant.html when the user must grant the origin.
// It keeps nothing of the traffic: a relay port with no devtools page for its tab is closed.
import { HOOK_PORT, LINK_PORT } from './contract.js';
import { createLiveCapture, hostPattern } from './devtools/live-capture.js';

const api = globalThis.browser ?? globalThis.chrome;
// Per host, not per origin: Firefox's match patterns take no port (devtools/live-capture.js hostPattern).
const live = createLiveCapture({
  scripting: () => api.scripting,
  permissions: () => api.permissions,
  patternOf: hostPattern,
});
/** The devtools pages' ports, by the tab they inspect. */
const links = new Map();
let pipes = 0;

/** Passes one relay port's messages to the devtools page `link` (until either side closes). */
function pipe(relay, link) {
  pipes += 1;
  const id = pipes;
  const send = (message) => {
    try {
      link.port.postMessage(message);
    } catch {
      relay.disconnect(); // the devtools page is gone
    }
  };
  link.relays.add(relay);
  relay.onMessage.addListener((message) => send({ type: 'hook', pipe: id, message }));
  relay.onDisconnect.addListener(() => {
    link.relays.delete(relay);
    send({ type: 'hook-closed', pipe: id });
  });
}

/**
 * A message from one of the extension's own pages (the devtools page, grant.html), never from a content script:
 * a content script's sender URL is its page's.
 */
function ownPage(sender) {
  return (
    sender?.id === api.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(api.runtime.getURL(''))
  );
}

/** A relay port: from the top frame of a tab whose devtools page is linked, or closed. */
function onRelay(port) {
  const tabId = port.sender?.tab?.id;
  const link = links.get(tabId);
  if (!link || port.sender.frameId !== 0) {
    port.disconnect();
    return;
  }
  pipe(port, link);
}

/** A devtools page's port: its first message says which tab it inspects. */
function onLink(port) {
  if (!ownPage(port.sender)) {
    port.disconnect();
    return;
  }
  let link = null;
  port.onMessage.addListener((message) => {
    if (message?.type === 'link' && !link && Number.isSafeInteger(message.tabId)) {
      link = { port, tabId: message.tabId, relays: new Set() };
      links.get(link.tabId)?.port.disconnect(); // one devtools page per tab: the newest
      links.set(link.tabId, link);
    } else if (message?.type === 'probe' && link) {
      probe(link);
    }
  });
  port.onDisconnect.addListener(() => {
    if (!link) return;
    if (links.get(link.tabId) === link) links.delete(link.tabId);
    for (const relay of link.relays) relay.disconnect();
  });
}

/** Asks the relay of the page now in the tab, if there is one (live capture on for its origin). */
function probe(link) {
  let relay;
  try {
    relay = api.tabs.connect(link.tabId, { name: HOOK_PORT, frameId: 0 });
  } catch {
    return; // no such tab
  }
  pipe(relay, link);
}

api.runtime.onConnect.addListener((port) => {
  if (port.name === HOOK_PORT) onRelay(port);
  else if (port.name === LINK_PORT) onLink(port);
});

/** Opens grant.html for `origin`: the page where the user's click can ask Firefox for the permission. */
async function ask(origin) {
  if (!hostPattern(origin)) throw new Error('live capture works on http(s) pages only');
  await api.tabs.create({ url: api.runtime.getURL(`extension/grant.html#${encodeURIComponent(origin)}`) });
}

async function answer(request) {
  const origin = String(request.origin ?? '');
  switch (request.op) {
    case 'state':
      return { ok: true, state: await live.state(origin) };
    case 'enable':
      await live.enable(origin);
      return { ok: true };
    case 'disable':
      await live.disable(origin);
      return { ok: true };
    case 'ask':
      await ask(origin);
      return { ok: true };
    default:
      throw new Error('unknown request');
  }
}

api.runtime.onMessage.addListener((request, sender) => {
  if (request?.type !== 'live') return undefined;
  if (!ownPage(sender)) return Promise.resolve({ ok: false, error: 'not allowed' });
  return answer(request).catch((e) => ({ ok: false, error: String(e?.message || e) }));
});
