// The user's choices, remembered per app origin in the extension's own storage (the devtools page's localStorage,
// never the inspected page's): the pasted auth.config.ts with its environment values, and the "check signatures
// automatically" opt-in. Configuration only: tokens are never stored.

/** @typedef {{ source: string, env: Record<string, string> }} StoredConfig */

export function createConfigStore(storage) {
  const configKey = (origin) => `config:${origin}`;
  const autoKey = (origin) => `autokeys:${origin}`;
  return {
    /** The saved configuration of `origin`, or null (nothing saved, or unreadable). */
    load(origin) {
      try {
        const raw = storage.getItem(configKey(origin));
        return raw ? JSON.parse(raw) : null;
      } catch {
        return null;
      }
    },
    /** Saves `source` with its environment (an object) for `origin`; an empty source forgets it. */
    save(origin, source, env) {
      if (!source.trim()) storage.removeItem(configKey(origin));
      else storage.setItem(configKey(origin), JSON.stringify({ source, env }));
    },
    autoKeys: (origin) => storage.getItem(autoKey(origin)) === '1',
    setAutoKeys(origin, on) {
      if (on) storage.setItem(autoKey(origin), '1');
      else storage.removeItem(autoKey(origin));
    },
  };
}
