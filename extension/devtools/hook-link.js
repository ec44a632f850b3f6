// Live capture's ports between the devtools page and the relay (hook/relay.js) in the inspected tab's top frame.
// The relay connects when its page loads (DevTools already open); the devtools page connects when it starts
// (DevTools opened on a page that loaded earlier). Either way only the inspected tab's top frame is accepted.
//
// Firefox: a devtools page there has no `tabs` API and hears no content script's port, so the background page
// (extension/background.js) holds the relays' ports and passes them on over one LINK_PORT port; each relay port
// it passes is a stand-in object here, given to `onMessage` and `onClosed` like a real port.

import { HOOK_PORT, LINK_PORT } from '../contract.js';

/** Wait before linking again when the background page went away (Firefox may stop an idle background page). */
const RELINK_MS = 500;
/**
 * Links lost in a row, each within SHORT_LINK_MS and with nothing received: the background page refuses this page,
 * and trying stops (a link that lived longer was stopped with an idle background page: link again).
 */
const MAX_DEAD_LINKS = 5;
const SHORT_LINK_MS = 5000;
/**
 * Firefox stops a background page after 30 s without events (extensions.background.idle.timeout), open ports or
 * not (measured in Firefox ESR 153): then every relay port closes and the page load is replayed from the relay
 * when the link comes back. A message on the link every 20 s is an event that keeps it running while DevTools is open.
 */
const KEEPALIVE_MS = 20000;

/**
 * `runtime` and `tabs` are chrome.runtime and chrome.tabs, `tabId` the inspected tab. `onMessage(message, port)`
 * gets every message of an accepted port; `onClosed(port)` is called when one disconnects.
 */
export function createHookLink({ runtime, tabs, tabId, onMessage, onClosed }) {
  const ports = new Set();

  function accept(port) {
    ports.add(port);
    port.onMessage.addListener((message) => onMessage(message, port));
    port.onDisconnect.addListener(() => {
      void runtime.lastError; // "no receiving end": live capture is not on for this page
      ports.delete(port);
      onClosed(port);
    });
  }

  runtime.onConnect.addListener((port) => {
    if (port.name !== HOOK_PORT) return;
    // Every devtools page of the extension hears every relay: keep only this tab's top frame.
    if (port.sender?.tab?.id !== tabId || port.sender.frameId !== 0) {
      port.disconnect();
      return;
    }
    accept(port);
  });

  // ---- Firefox: through the background page ----
  let link = null;
  let deadLinks = 0;
  let stopped = false;
  let beat = 0;

  function closePipes(pipes) {
    for (const stand of pipes.values()) {
      ports.delete(stand);
      onClosed(stand);
    }
    pipes.clear();
  }

  /** Links to the background page, and asks it for the tab's relay; again whenever the background page restarts. */
  function linkBackground() {
    const pipes = new Map(); // the background's pipe number -> the stand-in port given to onMessage/onClosed
    try {
      link = runtime.connect({ name: LINK_PORT });
    } catch {
      link = null;
      return;
    }
    let heard = false;
    const since = Date.now();
    const port = link;
    clearInterval(beat);
    beat = setInterval(() => port.postMessage({ type: 'keepalive' }), KEEPALIVE_MS);
    link.onMessage.addListener((m) => {
      heard = true;
      if (!Number.isSafeInteger(m?.pipe)) return;
      if (m.type === 'hook') {
        let stand = pipes.get(m.pipe);
        if (!stand) {
          stand = { pipe: m.pipe };
          pipes.set(m.pipe, stand);
          ports.add(stand);
        }
        onMessage(m.message, stand);
      } else if (m.type === 'hook-closed' && pipes.has(m.pipe)) {
        const stand = pipes.get(m.pipe);
        pipes.delete(m.pipe);
        ports.delete(stand);
        onClosed(stand);
      }
    });
    link.onDisconnect.addListener(() => {
      void runtime.lastError;
      clearInterval(beat);
      link = null;
      closePipes(pipes);
      deadLinks = heard || Date.now() - since > SHORT_LINK_MS ? 0 : deadLinks + 1;
      if (stopped || deadLinks >= MAX_DEAD_LINKS) return;
      setTimeout(() => {
        linkBackground();
        link?.postMessage({ type: 'probe' });
      }, RELINK_MS);
    });
    link.postMessage({ type: 'link', tabId });
  }

  const direct = !!tabs && typeof tabs.connect === 'function';
  if (!direct) linkBackground();

  return {
    /** Asks the relay of the page now in the tab, if there is one (live capture on for its origin). */
    probe() {
      if (!direct) {
        link?.postMessage({ type: 'probe' });
        return;
      }
      try {
        accept(tabs.connect(tabId, { name: HOOK_PORT, frameId: 0 }));
      } catch {
        /* no tab (DevTools on a worker) */
      }
    },
    /** Stops linking through the background page (the unit tests end with it; a devtools page never stops). */
    stop() {
      stopped = true;
      clearInterval(beat);
      link?.disconnect();
    },
    /** Whether `port` is still connected. */
    open: (port) => ports.has(port),
  };
}
