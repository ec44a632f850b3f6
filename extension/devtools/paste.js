// A token the user pastes into the panel (issue 10, item 6), for clients the browser never sees: server components,
// actions, scripts. The engine judges it, here as on the command line, at the current time, in a session of its own
// that carries the capture's configuration in force and the keys fetched so far (`forInput`, crate/src/wasm.rs);
// the capture's session is not changed. With the user's consent the issuer's keys are fetched for it exactly as for
// a captured token (devtools/keys.js, bound to the pasted token's session).
//
// Never stored: the token lives only in this call's variables and in that session, which is freed before the answer
// is returned. Nothing here writes storage or logs; only the redacted report leaves (no token, no signature).

import { createKeyFetcher } from './keys.js';

/**
 * The most text handed to the engine. A bound on what crosses into wasm memory (which never shrinks), far above any
 * token: the engine itself refuses tokens longer than 64 KiB, in its own words (`refuse_input`, token/decode.rs).
 */
export const MAX_PASTE_CHARS = 1024 * 1024;

/** An error the engine threw (its refusals are strings; a trap is a WebAssembly.RuntimeError) as an Error. */
function asError(e) {
  if (typeof e === 'string') return new Error(e);
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError)
    return new Error(`the engine stopped while judging this input (${String(e.message).slice(0, 120)})`);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * `session()` is the capture's engine session (null while the engine loads); `now()` the wall clock in Unix seconds;
 * `keyFetcher` makes a key fetcher for a session (devtools/keys.js by default; a stub in tests).
 */
export function createPasteJudge({ session, now = () => Date.now() / 1000, keyFetcher = defaultKeyFetcher }) {
  let running = false;
  return {
    /**
     * Judges `text`; resolves to the engine's report (JSON text, redacted) or rejects with an Error whose message
     * is for the user (empty input, too long, the engine still loading). `checkSignature` fetches the issuer's keys
     * first (`ask` is the panel's permission request, from the user's click).
     */
    async judge(text, { checkSignature = false, ask = null } = {}) {
      const engine = session();
      if (!engine) throw new Error('the engine is still loading; try again in a moment');
      if (typeof text !== 'string') throw new Error('nothing to judge');
      if (text.length > MAX_PASTE_CHARS)
        throw new Error(
          `the pasted text is ${text.length} characters, more than ${MAX_PASTE_CHARS}: not judged (a JWT is a few KB)`,
        );
      if (running) throw new Error('a pasted token is being judged; wait for its verdict');
      running = true;
      let pasted = null;
      try {
        pasted = engine.forInput();
        pasted.addInputToken(text, now());
        if (checkSignature) await keyFetcher(() => pasted).checkByUser(ask, false);
        return pasted.report();
      } catch (e) {
        throw asError(e);
      } finally {
        running = false;
        try {
          pasted?.free();
        } catch {
          /* a session the engine aborted in cannot be freed; it holds nothing the panel shows */
        }
      }
    },
  };
}

function defaultKeyFetcher(session) {
  return createKeyFetcher({ session, autoOn: () => false, onChange: () => {} });
}
