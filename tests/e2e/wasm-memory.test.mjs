// The built engine (extension/pkg) in Node: how much wasm memory one frame costs. Wasm memory never shrinks, so
// its size after a frame is that frame's peak; each case runs in a fresh Node process (a fresh module instance).
// Issue 9 measured 251 MB after one 50 MB frame; the extension now passes at most `maxFrameBytes()` per frame
// and reports a longer one as `ws_frame_too_large`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'pkg');
const MB = 1024 * 1024;

// Run in a child: loads the engine, feeds one frame the way the extension does (pushEvents of a JSON array),
// prints the wasm memory before and after (bytes) as JSON.
const CHILD = `
import { readFileSync } from 'node:fs';
const [pkg, kind, mb] = process.argv.slice(1);
const m = await import(new URL('convex_auth_doctor.js', pkg + '/').href);
const wasm = await m.default({ module_or_path: readFileSync(new URL('convex_auth_doctor_bg.wasm', pkg + '/')) });
const s = new m.DoctorSession();
const before = wasm.memory.buffer.byteLength;
const url = 'wss://a.convex.cloud/api/1.49.0/sync';
const base = { socket: 'ws1', url, direction: 'receive', time: 1764180000 };
const size = Number(mb) * 1024 * 1024;
const item = '{"_id":"k1234567890","n":1,"s":"hello world"},';
const transition = (bytes) => '{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},' +
  '"endVersion":{"querySet":1,"identity":1,"ts":"AAAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,' +
  '"value":[' + item.repeat(Math.floor(bytes / item.length)) + '{}],"logLines":["[LOG] \\'server identity\\' null"],"journal":null}]}';
let event;
if (kind === 'too_large') event = { kind: 'ws_frame_too_large', ...base, bytes: size };
else if (kind === 'chunk') event = { kind: 'ws_frame', ...base, data: '{"type":"TransitionChunk","chunk":"' + 'x'.repeat(size) + '","partNumber":0,"totalParts":2,"transitionId":"t"}' };
else event = { kind: 'ws_frame', ...base, data: transition(size) };
const accepted = s.pushEvents(JSON.stringify([event]));
const report = JSON.parse(s.report());
console.log(JSON.stringify({ before, after: wasm.memory.buffer.byteLength, accepted, max: m.maxFrameBytes(),
  notRead: report.timeline.some((t) => t.kind === 'frame_not_read') }));
`;

function measure(kind, mb) {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', CHILD, pathToFileURL(PKG).href, kind, String(mb)],
    {
      encoding: 'utf8',
      timeout: 120000,
      maxBuffer: 1 << 20,
    },
  );
  const r = JSON.parse(out.trim().split('\n').pop());
  const grew = (r.after - r.before) / MB;
  console.log(
    `${kind} ${mb} MiB: wasm memory ${(r.before / MB).toFixed(1)} → ${(r.after / MB).toFixed(1)} MiB (+${grew.toFixed(1)})`,
  );
  return { ...r, grew };
}

test('the largest frame the extension passes, needing the full parse, stays within its budget', {
  timeout: 180000,
}, () => {
  const r = measure('transition', 8);
  assert.equal(r.max, 8 * MB);
  assert.equal(r.accepted, 1);
  // The JSON text crossing in, its unescaped copy and the parse tree of 8 MiB of small objects.
  assert.ok(r.grew < 160, `grew ${r.grew.toFixed(1)} MiB`);
});

test('a frame over the limit reported by the extension costs nothing, and the timeline says it was not read', {
  timeout: 60000,
}, () => {
  const r = measure('too_large', 50);
  assert.equal(r.accepted, 1);
  assert.ok(r.notRead, 'the timeline notes the frame');
  assert.ok(r.grew < 2, `grew ${r.grew.toFixed(1)} MiB`);
});

test('a 50 MiB frame passed anyway is not parsed: only its transfer costs', { timeout: 180000 }, () => {
  const r = measure('transition', 50);
  assert.ok(r.notRead, 'the timeline notes the frame');
  // Issue 9: 251 MB for a 50 MB chunk, 568 MB for a 50 MB Transition of small objects before the limit.
  assert.ok(r.grew < 200, `grew ${r.grew.toFixed(1)} MiB`);
});
