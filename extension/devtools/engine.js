// The engine's session, kept alive. A wasm abort (a trap: `unreachable` from a Rust panic, or memory exhausted)
// happens in the middle of a call on a DoctorSession; wasm-bindgen then leaves that object borrowed for good, and
// every later call on it fails with "recursive use of an object detected which would lead to unsafe aliasing in
// rust". Without this module the panel would go silent for the rest of the page's life. Here every call goes to
// the current session; when one aborts, a fresh session replaces it, the stored configuration is applied to it
// again, and a note (`notice()`) says so until the next navigation: what was captured before is gone.

/** Whether `e` is the engine aborting (or the state an abort leaves): not an error the engine chose to return. */
export function isEngineAbort(e) {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) return true;
  // The engine's own refusals (a configuration it cannot read, a malformed event) are thrown as strings.
  return e instanceof Error && /recursive use of an object detected/.test(e.message);
}

/** Calls that only read: after a restart they are asked again of the fresh session (which answers them). */
const READS = new Set(['report', 'markdown', 'keyRequests']);

/**
 * `create()` makes a DoctorSession; `restored(session)` runs after a restart (re-apply the configuration);
 * `now()` is the wall clock in ms. Returns `session` (an object with the DoctorSession's methods, always the current
 * one's), `notice()` ('' or the note for the panel), `restarts()` and `navigated()` (a new page load: the note goes).
 */
export function createEngine({ create, restored = () => {}, now = () => Date.now() }) {
  let current = create();
  let restarts = 0;
  let note = '';

  function restart(method, error) {
    restarts += 1;
    current = create();
    const at = new Date(now()).toISOString().slice(11, 19);
    const why = error instanceof Error ? error.message : String(error);
    note =
      `The doctor's engine stopped while reading this page's traffic (${method}: ${why.slice(0, 120)}) and was ` +
      `restarted at ${at} UTC: what it had captured before is gone. Reload to capture the page again.`;
    console.warn(`convex-auth-doctor: engine restarted after ${method} failed`, error);
    restored(session);
  }

  function call(method, args) {
    try {
      return current[method](...args);
    } catch (e) {
      if (!isEngineAbort(e)) throw e;
      restart(method, e);
      return READS.has(method) ? current[method](...args) : undefined;
    }
  }

  const session = new Proxy(
    {},
    {
      get(_, method) {
        if (typeof method !== 'string' || typeof current[method] !== 'function') return undefined;
        return (...args) => call(method, args);
      },
    },
  );

  return {
    session,
    notice: () => note,
    restarts: () => restarts,
    navigated() {
      note = '';
    },
  };
}
