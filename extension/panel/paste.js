// The panel's "judge a pasted token" box (issue 10, item 6): for clients the browser never sees (server components,
// actions, scripts). The token goes to the devtools page's engine (`judgeToken`, extension/contract.js) and its
// verdict is drawn as a captured token's is, with the panel's own renderers. No token logic here: the engine decides
// everything, including what is refused.
//
// Never kept: the box is emptied the moment its text is read, the text lives only in the call, and nothing is
// written to storage or logged; the form asks the browser not to restore it (autocomplete="off") and the result
// goes with the panel's page. What is shown is the engine's redacted report (no token, no signature).

/**
 * Wires the box. `doc` is the panel's document; `host()` the DoctorHost (or null before the handshake);
 * `ask(origins)` the panel's permission request; `draw(report, parts)` draws a report's steps, step-3 comparison and
 * token into `parts.steps`, `parts.compare` and `parts.tokens` as the panel draws the capture's; `autoKeys()` the app's "check signatures
 * automatically" choice (the signature box starts as it when the box is opened); `clock()` the time shown. Returns
 * `judge()` and `clear()`.
 */
export function createPasteBox({ doc, host, ask, draw, autoKeys = () => false, clock = () => new Date() }) {
  const $ = (id) => doc.getElementById(id);
  const input = $('paste-token');
  const button = $('paste-judge');
  const error = $('paste-error');
  const result = $('paste-result');

  function clearResult() {
    result.replaceChildren();
    result.hidden = true;
    delete result.dataset.verdict;
    delete result.dataset.pastedCause;
  }

  function clear() {
    input.value = '';
    error.textContent = '';
    clearResult();
  }

  /** Draws the engine's report of the pasted token: the headline, the three steps, the token (redacted). */
  function show(report) {
    const verdict = doc.createElement('p');
    verdict.className = 'paste-verdict';
    verdict.textContent = report.verdict || 'No verdict.';
    const when = doc.createElement('p');
    when.className = 'muted';
    when.textContent = `Pasted token, judged at ${clock().toLocaleTimeString([], { hour12: false })} with this panel's configuration (not stored).`;
    const steps = doc.createElement('div');
    steps.className = 'paste-steps';
    const compare = doc.createElement('div');
    compare.className = 'paste-compare';
    const tokens = doc.createElement('div');
    tokens.className = 'paste-tokens';
    draw(report, { steps, compare, tokens });
    result.replaceChildren(when, verdict, steps, compare, tokens);
    // The frame's colour says only whether the engine named a step that breaks (the steps say the rest).
    result.dataset.verdict = report.cause_step ? 'fail' : 'other';
    result.dataset.pastedCause = report.cause_step ? String(report.cause_step) : '';
    result.hidden = false;
  }

  async function judge() {
    const h = host();
    if (!h || typeof h.judgeToken !== 'function') {
      error.textContent = 'The doctor is still loading; try again in a moment.';
      return;
    }
    const text = input.value;
    input.value = ''; // read once, then gone from the page
    error.textContent = '';
    clearResult();
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const json = await h.judgeToken(text, ask, $('paste-keys').checked);
      show(JSON.parse(json));
    } catch (e) {
      const why = String(e?.message || e);
      error.textContent = `Not judged: ${why.charAt(0).toLowerCase()}${why.slice(1)}.`.replace(/\.\.$/, '.');
    } finally {
      button.disabled = false;
      button.setAttribute('aria-busy', 'false');
    }
  }

  button.addEventListener('click', judge);
  $('paste-clear').addEventListener('click', () => {
    clear();
    input.focus();
  });
  // Ctrl/Cmd+Enter in the box judges, as in the configuration boxes.
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      judge();
    }
  });
  // The signature box follows the app's opt-in until the user sets it.
  const keys = $('paste-keys');
  keys.addEventListener('change', () => {
    keys.dataset.touched = '1';
  });
  $('paste-details').addEventListener('toggle', () => {
    if (!keys.dataset.touched) keys.checked = !!autoKeys();
  });
  // Leaving the page (reload, DevTools closed): nothing of the token stays for a restored page.
  doc.defaultView?.addEventListener('pagehide', clear);
  return { judge, clear };
}
