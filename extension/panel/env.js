// The environment values box of the panel: one NAME=value a line, as the Convex dashboard lists them.

/**
 * Reads `text` into { NAME: value }. Blank lines and `#` comments are skipped, spaces around names and values are
 * trimmed, and one pair of matching quotes around a value is removed (as in a .env file). Throws an Error naming
 * the first line that is not NAME=value.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseEnv(text) {
  const env = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`"${line}" is not NAME=value`);
    env[line.slice(0, eq).trim()] = line
      .slice(eq + 1)
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2');
  }
  return env;
}
