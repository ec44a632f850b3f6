// Step 3 side by side: the report's `comparison` (crate/src/report/compare.rs) drawn as a table. The engine has
// decided every cell — the normalised values, whether they are equal for the backend, which characters differ,
// which provider is picked or nearly — so this only draws: text nodes, and <mark> around the ranges it was given.
import { el } from './dom.js';

const MARKERS = {
  matched: 'the one the backend picks',
  near: 'nearly picked: one field differs',
};

/**
 * `text` with the characters in `spans` (half-open [start, end) ranges of Unicode code points, as the engine
 * counts them) inside <mark>; the rest as text.
 * @param {string} text
 * @param {Array<[number, number]>} spans
 */
function marked(text, spans) {
  const chars = Array.from(text);
  const code = el('code', { class: 'cmp-value' });
  let at = 0;
  for (const [start, end] of Array.isArray(spans) ? spans : []) {
    if (!(start >= at && end > start && end <= chars.length)) continue;
    if (start > at) code.append(chars.slice(at, start).join(''));
    code.append(el('mark', { class: 'cmp-diff', text: chars.slice(start, end).join('') }));
    at = end;
  }
  if (at < chars.length) code.append(chars.slice(at).join(''));
  return code;
}

/**
 * One side of a row, on its own line under the other so that equal characters line up: a label, the value with its
 * differing characters marked, and the engine's note under it.
 */
function side(cls, label, text, spans, note) {
  const line = el('div', { class: `cmp-line ${cls}` }, el('span', { class: 'cmp-label', text: label }));
  const value = el('div', { class: 'cmp-cell' });
  if (typeof text === 'string' && text !== '') value.append(marked(text, spans));
  if (typeof note === 'string' && note) value.append(el('div', { class: 'cmp-note', text: note }));
  if (!value.childNodes.length) value.append(el('span', { class: 'muted', text: '(none)' }));
  line.append(value);
  return line;
}

function verdictCell(matches) {
  const [cls, text] =
    matches === true ? ['same', 'same'] : matches === false ? ['differs', 'differs'] : ['unknown', 'unknown'];
  return el('td', { class: `cmp-verdict ${cls}`, text });
}

/**
 * The table for `comparison` (or null when there is none): a row per provider field, the provider named on its
 * first row.
 * @param {any} comparison
 */
export function renderComparison(comparison) {
  const rows = comparison && Array.isArray(comparison.rows) ? comparison.rows : [];
  if (rows.length === 0) return null;
  const tbody = el('tbody');
  let previous = null;
  for (const r of rows) {
    const first = r.provider_index !== previous;
    previous = r.provider_index;
    const tr = el('tr', {
      class: `cmp-row${r.marker ? ` marker-${r.marker}` : ''}${first ? ' first' : ''}`,
      'data-provider': r.provider_index,
      'data-field': r.field,
      'data-match': r.matches === null || r.matches === undefined ? 'unknown' : String(r.matches),
      'data-marker': r.marker || null,
    });
    const who = el('th', { scope: 'row', class: 'cmp-provider' });
    if (first) {
      who.append(`${Number(r.provider_index) + 1} (${String(r.kind)})`);
      if (r.marker) who.append(el('div', { class: `cmp-marker ${r.marker}`, text: MARKERS[r.marker] || r.marker }));
    }
    tr.append(
      who,
      el('td', { class: 'cmp-field', text: String(r.field) }),
      el(
        'td',
        { class: 'cmp-values' },
        side('cmp-expected', 'configured', r.expected, r.expected_diff, r.expected_note),
        side('cmp-actual', 'token', r.actual, r.actual_diff, r.actual_note),
      ),
      verdictCell(r.matches),
    );
    tbody.append(tr);
  }
  const table = el(
    'table',
    { class: 'cmp-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col', text: 'Provider' }),
        el('th', { scope: 'col', text: 'Field' }),
        el('th', { scope: 'col', text: 'Configured, and in the token' }),
        el('th', { scope: 'col', text: 'For the backend' }),
      ),
    ),
    tbody,
  );
  const box = el(
    'section',
    { class: 'compare', 'data-compare': '', 'aria-label': 'Step 3 side by side' },
    el('h2', { class: 'cmp-title', text: 'Step 3 side by side: the token against each provider' }),
    el('p', {
      class: 'muted cmp-intro',
      text: `Providers from ${String(comparison.config_from)}. The token's iss and aud against each provider's domain/issuer and applicationID, as the backend compares them (after adding https:// where a scheme is missing and trimming trailing slashes). Differing characters are marked.`,
    }),
    el('div', { class: 'cmp-scroll' }, table),
  );
  if (comparison.providers_left_out > 0)
    box.append(el('p', { class: 'muted', text: `${comparison.providers_left_out} more providers not shown.` }));
  return box;
}
