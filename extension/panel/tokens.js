// The tokens as the engine grouped them (the report's `token_groups`, crate/src/token/group.rs): tokens that differ
// only in per-token ids and times are one group, its latest token shown, the earlier ones folded in a <details>
// (keyboard-reachable: its summary takes focus and opens with Enter or Space).
import { el } from './dom.js';

/** A time of day in the viewer's local time (`08:35:24`). */
function clock(t) {
  return typeof t === 'number' && Number.isFinite(t)
    ? new Date(t * 1000).toLocaleTimeString([], { hour12: false })
    : '';
}

/** `4 tokens, latest sent 08:35:24, rejected`, with the others' outcomes when they differ. */
function groupTitle(group, latest) {
  const outcomes = Array.isArray(group.outcomes) ? group.outcomes : [];
  let title = `${group.tokens.length} tokens, latest sent ${clock(latest?.sent_at)}, ${String(outcomes[0]?.[0] ?? latest?.outcome ?? '')}`;
  if (outcomes.length > 1) title += ` (in all: ${outcomes.map(([o, n]) => `${n} ${o}`).join(', ')})`;
  return title;
}

/**
 * The token section's children: one element per group, in the report's order (the verdict's token last).
 * @param {any} report
 * @param {(token: any, index: number) => HTMLElement} card draws one token (panel.js)
 * @returns {HTMLElement[]}
 */
export function renderTokenGroups(report, card) {
  const tokens = Array.isArray(report.tokens) ? report.tokens : [];
  const groups =
    Array.isArray(report.token_groups) && report.token_groups.length
      ? report.token_groups
      : tokens.map((_, i) => ({ tokens: [i], varying: [], outcomes: [] }));
  const out = [];
  for (const g of groups) {
    const members = (Array.isArray(g.tokens) ? g.tokens : []).filter((i) => tokens[i]);
    if (members.length === 0) continue;
    const latest = members[members.length - 1];
    if (members.length === 1) {
      out.push(card(tokens[latest], latest));
      continue;
    }
    const box = el(
      'div',
      { class: 'token-group', 'data-group': '', 'data-count': members.length },
      el('h3', { class: 'group-title', text: groupTitle({ ...g, tokens: members }, tokens[latest]) }),
    );
    const varying = Array.isArray(g.varying) ? g.varying : [];
    if (varying.length) box.append(el('p', { class: 'muted', text: `They differ only in ${varying.join(', ')}.` }));
    box.append(card(tokens[latest], latest));
    const earlier = members.slice(0, -1);
    const folded = el(
      'details',
      { class: 'group-earlier' },
      el('summary', {
        text: `${earlier.length} earlier ${earlier.length === 1 ? 'token' : 'tokens'} like it`,
      }),
    );
    for (const i of earlier) folded.append(card(tokens[i], i));
    box.append(folded);
    out.push(box);
  }
  return out;
}
