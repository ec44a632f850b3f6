// Live capture's ports between the devtools page and the relay (hook/relay.js) in the inspected tab's top frame.
// The relay connects when its page loads (DevTools already open); the devtools page connects when it starts
// (DevTools opened on a page that loaded earlier). Either way only the inspected tab's top frame is accepted.

import { HOOK_PORT } from '../contract.js';

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

  return {
    /** Asks the relay of the page now in the tab, if there is one (live capture on for its origin). */
    probe() {
      if (!tabs || typeof tabs.connect !== 'function') return;
      try {
        accept(tabs.connect(tabId, { name: HOOK_PORT, frameId: 0 }));
      } catch {
        /* no tab (DevTools on a worker) */
      }
    },
    /** Whether `port` is still connected. */
    open: (port) => ports.has(port),
  };
}
