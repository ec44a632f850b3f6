// Evidence objects of known shapes in one line, as the text report words them (crate/src/render/mod.rs): a
// provider is `provider 1 (oidc): domain …, applicationID …`, a value read from a variable is `value (from NAME)`.

/** @param {unknown} v */
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A configured value: a string, or `{ env, value }` for one read from environment variables.
 * @param {unknown} v
 */
function configured(v) {
  if (typeof v === 'string') return v;
  if (isObject(v) && 'env' in v) {
    const names = Array.isArray(v.env) ? v.env.join(', ') : String(v.env);
    return typeof v.value === 'string' ? `${v.value} (from ${names})` : `${names} (value not known)`;
  }
  return null;
}

/**
 * The one-line text of an evidence object the engine gives in a known shape, or null for any other value.
 * @param {unknown} v
 * @returns {string | null}
 */
export function knownObjectText(v) {
  if (!isObject(v)) return null;
  const keys = Object.keys(v);
  const provider = keys.every((k) => ['index', 'type', 'issuer', 'application_id'].includes(k));
  if (provider && typeof v.index === 'number' && typeof v.type === 'string' && 'issuer' in v) {
    const field = v.type === 'oidc' ? 'domain' : 'issuer';
    const app =
      v.application_id === null || v.application_id === undefined ? '(not set)' : configured(v.application_id);
    return `provider ${v.index + 1} (${v.type}): ${field} ${configured(v.issuer) ?? '?'}, applicationID ${app ?? '?'}`;
  }
  if ('env' in v && keys.every((k) => k === 'env' || k === 'value' || k === 'via')) return configured(v);
  return null;
}
