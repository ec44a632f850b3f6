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

/**
 * The match pattern of an http(s) origin's host on every port ("https://app.example/*"), or null: what Firefox
 * needs. Firefox's match patterns take no port: a pattern with one matches nothing (measured in Firefox ESR 153,
 * MatchPattern('http://127.0.0.1:3000/*').matches('http://127.0.0.1:3000/x') is false), and one without covers
 * every port of the host.
 */
export function hostPattern(origin) {
  if (!originPattern(origin)) return null;
  const u = new URL(origin);
  return `${u.protocol}//${u.hostname}/*`;
}

/**
 * `scripting()` and `permissions()` return chrome.scripting / chrome.permissions (scripting appears once granted).
 * `patternOf` is originPattern (Chromium: one origin) or hostPattern (Firefox: one host).
 */
export function createLiveCapture({ scripting, permissions, patternOf = originPattern }) {
  // Named by the pattern without its "/*": the origin in Chromium, the host in Firefox (one registration per host).
  const ids = (origin) => {
    const scope = patternOf(origin).slice(0, -2);
    return [`hook-main ${scope}`, `hook-relay ${scope}`];
  };

  /** { supported, permitted, on } for `origin`: whether it can be turned on, is allowed, is registered. */
  async function state(origin) {
    const pattern = patternOf(origin);
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
    const pattern = patternOf(origin);
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
    if (s && patternOf(origin)) await s.unregisterContentScripts({ ids: ids(origin) }).catch(() => {});
  }

  return { state, enable, disable };
}

/**
 * The same three calls, done by the background page (Firefox: a devtools page there has no `scripting` or
 * `permissions` API; extension/background.js answers with the functions above). `runtime` is chrome.runtime.
 * `enable` without the origin's permission opens grant.html, where the user's click can grant it, and rejects
 * saying so: a devtools panel cannot ask Firefox for a permission.
 */
export function createRemoteLiveCapture(runtime) {
  async function call(op, origin) {
    const answer = await runtime.sendMessage({ type: 'live', op, origin });
    if (!answer?.ok) throw new Error(answer?.error || 'the background page did not answer');
    return answer;
  }

  async function enable(origin) {
    const { state } = await call('state', origin);
    if (!state.permitted) {
      await call('ask', origin);
      throw new Error(`allow access to ${origin} in the tab that just opened, then reload this page`);
    }
    await call('enable', origin);
  }

  return {
    state: async (origin) => (await call('state', origin)).state,
    enable,
    disable: async (origin) => {
      await call('disable', origin);
    },
  };
}
