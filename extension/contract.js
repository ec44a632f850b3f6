// The contract between the extension's contexts: every call and message that crosses from one to another, typed.
//
// Contexts:
// - the devtools page (`devtools.html` → `devtools.js`): alive while DevTools is open on a tab; captures, owns the
//   engine's session, fetches keys, stores the user's configuration;
// - the panel (`panel.html` → `panel.js`): loaded the first time the user opens the "Convex Auth" panel; renders.
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
 */

/**
 * What the panel offers the devtools page (`window.doctorRender`): draws a report (JSON text of the engine's report).
 * The devtools page calls it, at most every 50 ms, while the panel is shown and the report changed.
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
 */
