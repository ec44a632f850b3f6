// Building the panel's DOM from the engine's data: elements and text nodes only, never HTML.

/**
 * createElement with text and attributes; `children` are nodes or strings (inserted as text).
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs] `class`, `text` (textContent), or any attribute (false/null: left out)
 * @param {...(Node | string | null | undefined)} children
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = String(v);
    else if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}
