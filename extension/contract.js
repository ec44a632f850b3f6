// The contract between the extension's contexts: every call and message that crosses from one to another, typed.
//
// Contexts:
// - the devtools page (`devtools.html` → `devtools.js`): alive while DevTools is open on a tab; captures, owns the
//   engine's session, fetches keys, stores the user's configuration;
// - the panel (`panel.html` → `panel.js`): loaded the first time the user opens the "Convex Auth" panel; renders;
// - live capture, only on origins the user turned it on for: the page hook (`hook/page.js`, in the page's own
//   JavaScript world) and its relay (`hook/relay.js`, an isolated-world content script). See the end of this file.
//
// The panel is a same-origin window of the extension, so the devtools page hands it one object (`DoctorHost`) and
// calls one function of it (`DoctorRender`). Data crosses as JSON text, as the engine produces it; the panel parses.
//
// Handshake: on `panel.onShown(win)` the devtools page sets `win.doctorHost` and dispatches HOST_READY_EVENT on
// `win`; the panel, loaded before or after that, attaches when both exist, and sets `window.doctorRender` at load.

/** The event the devtools page dispatches on the panel's window once `doctorHost` is set. */
export const HOST_READY_EVENT = 'doctorhost';

/**
 * What the devtools page offers the panel (`window.doctorHost`).
 * @typedef {object} DoctorHost
 * @property {() => string} report The engine's report as JSON text (`crate/src/report.rs`); '' while it loads.
 * @property {() => string} markdown The redacted markdown report ("Copy report"); '' while the engine loads.
 * @property {() => string} notice '' or a note the panel must show: the engine aborted on this page's traffic and
 *   was restarted with a fresh session (extension/devtools/engine.js); cleared on the next navigation.
 * @property {() => string} origin The inspected app's origin, the key of everything remembered.
 * @property {() => string} storedConfig JSON text of the saved `StoredConfig` ({ source: '', env: {} } when none).
 * @property {(source: string, envJson: string) => void} setConfig Applies and saves (or, with an empty source,
 *   forgets) the configuration; throws the engine's error text when it cannot be read.
 * @property {() => void} reload Reloads the inspected page, bypassing the cache ("Reload to capture").
 * @property {() => string} stats JSON text of `CaptureStats` (tests and tests/e2e/measure.mjs read it).
 * @property {() => string} themeName DevTools' theme name, for a panel that has no `chrome.devtools.panels`.
 * @property {() => string} keyState JSON text of `KeyState`.
 * @property {(ask: AskAccess, refetch: boolean) => Promise<void>} checkKeys The user clicked "Check the signature"
 *   (refetch false) or "Refetch keys" (true); resolves when the check is done.
 * @property {(on: boolean) => void} setAutoKeys The "check signatures automatically for this app" opt-in.
 * @property {() => string} liveState JSON text of `LiveState` for the current origin.
 * @property {(on: boolean) => Promise<void>} setLive Turns live capture on (after the panel got the permission,
 *   `livePermission(origin)`) or off for the current origin; rejects with the reason it could not.
 * @property {(text: string, ask: AskAccess, checkSignature: boolean) => Promise<string>} judgeToken A token the user
 *   pasted, judged now with the configuration in force and the keys fetched so far (and, with `checkSignature`, its
 *   issuer's keys fetched first); resolves to the engine's report (JSON text, redacted), rejects with an Error for the
 *   user (empty, too long). Nothing of the token is kept (extension/devtools/paste.js).
 */

/**
 * What the panel offers the devtools page (`window.doctorRender`): draws a report (JSON text of the engine's report).
 * The devtools page calls it while the panel is shown and the report changed: a change after a quiet spell at once,
 * a burst at most every 50 ms, slowing to every 500 ms while changes keep coming (devtools/bridge.js).
 * @typedef {(reportJson: string) => void} DoctorRender
 */

/**
 * The panel's permission request, passed to `checkKeys` because `chrome.permissions.request` needs the user's click,
 * which belongs to the panel. Gets origin patterns (`https://issuer.example/*`); resolves to true (granted), false
 * (refused) or a text saying why it could not ask.
 * @typedef {(origins: string[]) => Promise<boolean | string>} AskAccess
 */

/**
 * @typedef {object} KeyRequest One document the engine wants (`crate/src/analysis/keys.rs`).
 * @property {string} url
 * @property {string} purpose
 * @property {string} issuer
 */

/**
 * @typedef {object} KeyState
 * @property {KeyRequest[]} pending What the engine still wants fetched.
 * @property {{ url: string, purpose: string, issuer: string, at: number, error: string }[]} fetched Oldest first.
 * @property {string[]} blocked Origins whose documents the browser could not read (CORS or network).
 * @property {boolean} auto The opt-in for this origin.
 * @property {boolean} running A check is under way.
 * @property {string} asking The origins the user is being asked access to ('' when no prompt is open).
 */

/**
 * @typedef {object} CaptureStats
 * @property {number} polls getHAR() polls made.
 * @property {number} pollMs Their total cost in ms; `lastPollMs` the last one's.
 * @property {number} lastPollMs
 * @property {number} lastPollDelay The delay chosen after the last poll, in ms.
 * @property {number} frames Socket events (frames and closes) handed to the engine.
 * @property {number} http HTTP exchanges handed to the engine.
 * @property {number} events All events handed to the engine.
 * @property {number} harEntries Entries in the last getHAR() answer.
 * @property {number} sockets Sockets known to the capture.
 * @property {boolean} ready The engine has loaded.
 * @property {number} pending Captures waiting for the engine.
 * @property {number} restarts Times the engine was restarted after an abort.
 * @property {number} hookRecords Live-capture records read.
 * @property {number} hookIgnored Live-capture records ignored (garbage, or nothing the engine should see).
 * @property {number} framelessSockets Convex sockets the network API reported without any frames (Firefox's).
 * @property {boolean} live Live capture delivers the current page load (getHAR() polling is off).
 * @property {number} wasmMs How long loading the engine (fetch, compile, instantiate the wasm module) took, in ms.
 * @property {number} engineReadyMs When the engine was ready, in ms after the devtools page started loading.
 */

/**
 * Live capture for the current origin, as the panel shows it.
 * @typedef {object} LiveState
 * @property {string} origin
 * @property {boolean} supported An http(s) page: live capture can be turned on.
 * @property {boolean} permitted The user granted the origin's host permission and "scripting".
 * @property {boolean} on The hook is registered for the origin (it runs from the next page load on).
 * @property {boolean} delivering The hook of the page now open delivers its traffic (getHAR() polling is off).
 * @property {boolean} frameless The network API showed a Convex socket without its frames (Firefox): only live
 *   capture can judge it.
 */

/**
 * What the panel asks the user for before `setLive(true)` (chrome.permissions.request needs the click):
 * `{ permissions: ['scripting'], origins: [`${origin}/*`] }`.
 * @param {string} origin
 */
export function livePermission(origin) {
  return { permissions: ['scripting'], origins: [`${origin}/*`] };
}

// ---- live capture: page hook → relay → devtools page ----
//
// 1. The page hook dispatches HOOK_EVENT on `window` for each Convex event it sees, with a JSON text `detail`
//    (`HookRecord`). The page shares that world: it can read, suppress or forge these, so they carry nothing the
//    page could not send over a socket anyway, and no time (the relay stamps it).
// 2. The relay and the devtools page talk over a runtime port named HOOK_PORT, opened by either side (the relay
//    when its page loads, the devtools page when it starts). The relay sends one `RelayHello`, then `RelayRecords`.
//    The devtools page sends nothing. Each side keeps working when the other is gone.

/** The DOM event on `window` from the page hook to the relay. Keep in step with hook/page.js and hook/relay.js. */
export const HOOK_EVENT = 'convex-auth-doctor:hook';
/** The runtime port between the relay and the devtools page. Keep in step with hook/relay.js. */
export const HOOK_PORT = 'convex-auth-doctor:hook';

/**
 * What the page hook reports (JSON in the event's `detail`). `sid` numbers the page's Convex sockets, `rid` its
 * Convex HTTP requests. Texts over 1 MB (frames) or 256 KB (bodies) are null.
 * @typedef {{ type: 'ws-new', sid: number, url: string }
 *   | { type: 'ws-frame', sid: number, dir: 'send' | 'receive', data: string | null }
 *   | { type: 'ws-close', sid: number, code: number, reason: string | null, opened: boolean }
 *   | { type: 'http-start', rid: number }
 *   | { type: 'http', rid: number, url: string, method: string, request_headers: [string, string][],
 *       request_body: string | null, status: number, response_headers: [string, string][],
 *       response_body?: string | null }} HookRecord
 */

/**
 * The relay's first message on a port: which page load its records belong to.
 * @typedef {{ type: 'hello', load: string, url: string, startedAt: number, dropped: number }} RelayHello
 */

/**
 * Records of one page load, in order: `seq` counts from 1 per load (a replay repeats them: skip what was seen),
 * `t` is the relay's clock (Unix seconds) when the record arrived, `raw` the page hook's text, unread.
 * @typedef {{ type: 'records', load: string, items: { seq: number, t: number, raw: string }[] }} RelayRecords
 */

// ---- Firefox: the background page between the devtools page and the relays ----
//
// In Firefox a devtools page has no `tabs`, `scripting` or `permissions` API and hears no port a content script
// opens (measured in Firefox ESR 153), so the Firefox build adds a background page (`background.js`, listed only in
// the manifest scripts/firefox-manifest.mjs writes). It holds the relays' HOOK_PORT ports and passes them on:
// 1. The devtools page opens a LINK_PORT port to it and sends `LinkHello` ({ type: 'link', tabId }).
// 2. For each relay port of that tab's top frame (opened by the relay, or by the background on `{ type: 'probe' }`)
//    it sends `LinkHook` messages: the relay's messages, numbered by `pipe` (one per relay port), then
//    `{ type: 'hook-closed', pipe }` when that port closes.
// 3. Live capture on/off: `LiveRequest` runtime messages from extension pages, answered with `LiveAnswer`.

/** The runtime port between a devtools page and the background (Firefox). */
export const LINK_PORT = 'convex-auth-doctor:link';

/**
 * @typedef {{ type: 'link', tabId: number } | { type: 'probe' }} LinkHello What the devtools page sends.
 * @typedef {{ type: 'hook', pipe: number, message: unknown } | { type: 'hook-closed', pipe: number }} LinkHook
 *   What the background sends the devtools page.
 * @typedef {{ type: 'live', op: 'state' | 'enable' | 'disable' | 'ask', origin: string }} LiveRequest `ask` opens
 *   the grant page (grant.html) where the user's click can request the permission (a devtools panel cannot).
 * @typedef {{ ok: true, state?: { supported: boolean, permitted: boolean, on: boolean } } | { ok: false, error: string }}
 *   LiveAnswer
 */
