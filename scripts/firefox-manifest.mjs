// The Firefox build's manifest, made from manifest.json (the Chromium one, the only one kept in the repository).
// Used by scripts/build-firefox.mjs and tests/e2e/firefox.test.mjs.
//
// What Firefox needs beyond the Chromium manifest:
// - `browser_specific_settings.gecko`: an add-on id (Firefox requires one for MV3 and for signing) and the oldest
//   version that has what the extension uses: `world: "MAIN"` in scripting.registerContentScripts (Firefox 128) and
//   the `data_collection_permissions` key (Firefox 140, an ESR).
// - a background page: in Firefox a devtools page has no tabs, scripting or permissions API and hears no content
//   script's port (measured in Firefox ESR 153), so extension/background.js does that work. Firefox MV3 runs
//   `background.scripts` (an event page); it has no `background.service_worker`.
// - `tabs` is not needed: the background's tabs.connect, tabs.create and the sender's tab id work without it.

/** The add-on id: fixed, so that what Firefox stores per add-on (the granted origins) survives an update. */
export const GECKO_ID = 'convex-auth-doctor@convex-auth-doctor';
export const MIN_FIREFOX = '140.0';
export const MIN_ANDROID = '142.0';

/** The Firefox manifest for a Chromium `manifest` object (not changed). */
export function firefoxManifest(manifest) {
  const out = structuredClone(manifest);
  delete out.minimum_chrome_version;
  out.background = { scripts: ['extension/background.js'], type: 'module' };
  out.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: MIN_FIREFOX,
      // The extension sends nothing anywhere (it fetches an issuer's public keys only when the user asks).
      data_collection_permissions: { required: ['none'] },
    },
    // Firefox for Android has no DevTools; this only says which version reads data_collection_permissions.
    gecko_android: { strict_min_version: MIN_ANDROID },
  };
  return out;
}
