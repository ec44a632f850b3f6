// Live capture on and off, per app origin: registers hook/page.js (MAIN world) and hook/relay.js (isolated world) at
// document_start for that one origin with chrome.scripting.registerContentScripts. The registration persists across
// browser restarts, so the choice is remembered per origin; the browser injects nothing without the origin's host
// permission, which the panel asks the user for (with the optional "scripting" permission) when they turn it on.
//
// Top frame only (`allFrames: false`, also the API's default): the doctor judges the inspected app, the page in the
// tab; an embedded frame of the same origin is another client whose traffic the relay could not tell apart, and the
// devtools page accepts ports from frame 0 only (hook-link.js). A third party's frame never matches the pattern.

const MAIN_FILE = 'extension/hook/page.js';
const RELAY_FILE = 'extension/hook/relay.js';

/** The match pattern of an http(s) origin ("https://app.example:8443/*"), or null for anything else. */
export function originPattern(origin) {
  try {
    const u = new URL(origin);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.origin !== origin) return null;
    return `${origin}/*`;
  } catch {
    return null;
  }
}

/** `scripting()` and `permissions()` return chrome.scripting / chrome.permissions (scripting appears once granted). */
export function createLiveCapture({ scripting, permissions }) {
  const ids = (origin) => [`hook-main ${origin}`, `hook-relay ${origin}`];

  /** { supported, permitted, on } for `origin`: whether it can be turned on, is allowed, is registered. */
  async function state(origin) {
    const pattern = originPattern(origin);
    if (!pattern) return { supported: false, permitted: false, on: false };
    const p = permissions();
    const permitted = p
      ? await p.contains({ permissions: ['scripting'], origins: [pattern] }).catch(() => false)
      : false;
    const s = scripting();
    if (!permitted || !s) return { supported: true, permitted, on: false };
    const registered = await s.getRegisteredContentScripts({ ids: ids(origin) }).catch(() => []);
    return { supported: true, permitted, on: registered.length === 2 };
  }

  /** Registers the hook for `origin` (the permission must be granted). Resolves when done; rejects with why not. */
  async function enable(origin) {
    const pattern = originPattern(origin);
    if (!pattern) throw new Error('live capture works on http(s) pages only');
    const s = scripting();
    if (!s) throw new Error('the "scripting" permission was not granted');
    const [main, relay] = ids(origin);
    await s.unregisterContentScripts({ ids: [main, relay] }).catch(() => {});
    await s.registerContentScripts([
      {
        id: main,
        matches: [pattern],
        js: [MAIN_FILE],
        runAt: 'document_start',
        world: 'MAIN',
        allFrames: false,
        persistAcrossSessions: true,
      },
      {
        id: relay,
        matches: [pattern],
        js: [RELAY_FILE],
        runAt: 'document_start',
        allFrames: false,
        persistAcrossSessions: true,
      },
    ]);
  }

  async function disable(origin) {
    const s = scripting();
    if (s) await s.unregisterContentScripts({ ids: ids(origin) }).catch(() => {});
  }

  return { state, enable, disable };
}
