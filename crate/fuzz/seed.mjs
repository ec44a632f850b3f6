// Builds the fuzz targets' seed corpora from the project's test fixtures (nothing outside the repository):
// `node crate/fuzz/seed.mjs` writes crate/fuzz/corpus/<target>/ (git-ignored). Run it before the first
// `cargo fuzz run`; see README.md ("Fuzzing").
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'tests', 'fixtures');
const counts = {};

function seed(target, content) {
  const dir = join(here, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha1').update(content).digest('hex');
  writeFileSync(join(dir, name), content);
  counts[target] = (counts[target] || 0) + 1;
}

// Tokens: every string in tokens.json that looks like a compact JWS (the fixtures' test keys, not credentials).
function tokensIn(value, out) {
  if (typeof value === 'string' && /^[\w-]*\.[\w-]*\.[\w-]*$/.test(value)) out.add(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) tokensIn(v, out);
  return out;
}
for (const t of tokensIn(JSON.parse(readFileSync(join(fixtures, 'tokens.json'), 'utf8')), new Set())) {
  seed('token_decode', t);
}

for (const f of readdirSync(join(fixtures, 'configs'))) seed('auth_config', readFileSync(join(fixtures, 'configs', f)));

// HAR files: whole (HAR reader), their frames (sync reader), and as the extension's events (session).
const unix = (iso) => Date.parse(iso) / 1000;
for (const f of readdirSync(join(fixtures, 'har'))) {
  const raw = readFileSync(join(fixtures, 'har', f));
  seed('har_scan', raw);
  const har = JSON.parse(raw.toString('utf8'));
  const events = [];
  let sockets = 0;
  for (const entry of har.log.entries) {
    const url = entry.request.url;
    if (Array.isArray(entry._webSocketMessages)) {
      const socket = `ws${++sockets}`;
      for (const m of entry._webSocketMessages) {
        if (m.type !== 'send' && m.type !== 'receive') continue;
        seed('sync_frame', String(m.data));
        const auth = /"type":"Authenticate".*?"value":"([^"]+)"/.exec(String(m.data));
        if (auth) seed('token_decode', auth[1]);
        events.push({ kind: 'ws_frame', socket, url, direction: m.type, time: m.time, data: String(m.data) });
      }
      events.push({ kind: 'ws_close', socket, url, time: unix(entry.startedDateTime) + 60 });
    } else {
      events.push({
        kind: 'http',
        url,
        method: entry.request.method,
        time: unix(entry.startedDateTime),
        request_headers: (entry.request.headers || []).map((h) => [h.name, h.value]),
        request_body: entry.request.postData ? entry.request.postData.text : null,
        status: entry.response.status,
        response_headers: (entry.response.headers || []).map((h) => [h.name, h.value]),
        response_body: entry.response.content ? entry.response.content.text ?? null : null,
      });
    }
  }
  const lines = events.map((e) => JSON.stringify(e)).join('\n');
  seed('session', lines);
  seed('session', `config\n${lines}`);
}
// The events only front ends make: a frame too large to pass in, a navigation.
seed(
  'session',
  [
    { kind: 'ws_frame_too_large', socket: 'ws1', url: 'wss://a.convex.cloud/api/1.49.0/sync', direction: 'receive', time: 1764180000, bytes: 9e6 },
    { kind: 'navigated', url: 'http://localhost:5173/', time: 1764180001 },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n'),
);
console.log(counts);
