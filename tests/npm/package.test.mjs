// The npm package as a user gets it: built (scripts/build-npm.sh, run by scripts/test.sh before this file), packed
// with `npm pack`, installed offline into a fresh project, and run with `npx convex-auth-doctor`. Every case of
// cases.json runs through it and through the native binary: stdout, stderr and exit status equal byte for byte,
// and each says what the case expects. The typed API returns the report `--format json` prints, and the README's
// example passes in that project.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = path.join(ROOT, 'npm', 'convex-auth-doctor');
const FIXTURES = path.join(ROOT, 'crate', 'tests', 'fixtures');
const CASES = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'npm', 'cases.json'), 'utf8')).cases;
const TOKENS = JSON.parse(readFileSync(path.join(FIXTURES, 'tokens.json'), 'utf8'));
const CRATE_VERSION = /^version = "(.+)"$/m.exec(readFileSync(path.join(ROOT, 'crate', 'Cargo.toml'), 'utf8'))[1];
const NATIVE = path.join(ROOT, 'target', 'debug', 'convex-auth-doctor');

let work; // the temporary directory: the tarball, the fresh project, a file outside it
let project;
let server;
let serverUrl;

before(async () => {
  if (!existsSync(path.join(PKG, 'wasm', 'convex_auth_doctor_bg.wasm'))) {
    throw new Error('the package has no engine: run scripts/build-npm.sh first (scripts/test.sh does)');
  }
  work = mkdtempSync(path.join(tmpdir(), 'cad-npm-'));
  project = path.join(work, 'project');
  mkdirSync(path.join(project, 'convex'), { recursive: true });
  execFileSync('cargo', ['build', '--quiet', '--bin', 'convex-auth-doctor'], { cwd: ROOT, stdio: 'inherit' });
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: PKG, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  server = createServer((req, res) => {
    if (req.url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      // The RSA key only: the fixture set's Ed25519 key carries an `alg` the customJwt path's parser refuses,
      // which would fail the whole set (a finding of its own, not this case's).
      res.end(JSON.stringify({ keys: TOKENS.jwks.keys.filter((k) => k.kty === 'RSA') }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${server.address().port}`;
  writeProject();
  execFileSync(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, tarball)],
    {
      cwd: project,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
});

after(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The fresh project: a package.json, configs (the Clerk guide's, one importing a constant, custom JWT ones). */
function writeProject() {
  const files = {
    'package.json': JSON.stringify({ name: 'doctor-npm-test', private: true, type: 'module' }),
    'convex/auth.config.ts': readFileSync(path.join(FIXTURES, 'libraries', 'clerk.auth.config.ts'), 'utf8'),
    'convex/constants.ts': 'export const DOMAIN = "https://doctor-fixture.example.com";\n',
    'convex/imports.auth.config.ts':
      'import { DOMAIN } from "./constants";\nexport default { providers: [{ domain: DOMAIN, applicationID: "convex" }] };\n',
    'convex/outside.auth.config.ts':
      'import { DOMAIN } from "../../outside";\nexport default { providers: [{ domain: DOMAIN, applicationID: "convex" }] };\n',
    'convex/custom.auth.config.ts': customJwt(`${serverUrl}/jwks.json`),
    'convex/custom-404.auth.config.ts': customJwt(`${serverUrl}/missing.json`),
    'jwks.json': JSON.stringify(TOKENS.jwks),
    'openid-configuration.json': JSON.stringify({ issuer: TOKENS.iss, jwks_uri: `${TOKENS.iss}/keys` }),
    'openid-configuration-other.json': JSON.stringify({
      issuer: 'https://other.example.com',
      jwks_uri: `${TOKENS.iss}/keys`,
    }),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(project, name), text);
  writeFileSync(path.join(work, 'outside.ts'), 'export const DOMAIN = "https://doctor-fixture.example.com";\n');
  copyFileSync(path.join(FIXTURES, 'har', 'chrome-token-expired.har'), path.join(project, 'capture.har'));
}

function customJwt(jwks) {
  return `export default { providers: [{ type: "customJwt", issuer: "https://doctor-fixture.example.com", jwks: "${jwks}", algorithm: "RS256", applicationID: "convex" }] };\n`;
}

function token(name) {
  const t = TOKENS.tokens.find((x) => x.name === name);
  assert.ok(t, `no fixture token ${name}`);
  return t.token;
}

/** A case's text with its placeholders filled in. */
function fill(text) {
  return text
    .replace(/@token:([a-z0-9_]+)/g, (_, name) => token(name))
    .replace(/@fixture:(\S+)/g, (_, rel) => path.join(FIXTURES, rel))
    .replace(/@jwks/g, 'jwks.json')
    .replace(/@server/g, serverUrl)
    .replace(/@version/g, CRATE_VERSION);
}

function stdinOf(c) {
  if (c.stdin === undefined) return undefined;
  if (typeof c.stdin === 'string') return Buffer.from(fill(c.stdin), 'latin1');
  if (c.stdin.file) return readFileSync(fill(c.stdin.file));
  return Buffer.from(c.stdin.repeat[0].repeat(c.stdin.repeat[1]));
}

/** Runs a command in the project; stdout and stderr as bytes. Stdin is empty unless given. */
function run(cmd, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: project,
      // NODE_TEST_CONTEXT (set by the runner of this file) would make a child `node --test` report to it and
      // exit 0 whatever its tests say.
      env: {
        ...process.env,
        NODE_TEST_CONTEXT: undefined,
        npm_config_update_notifier: 'false',
        npm_config_offline: 'true',
      },
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
    // The command may stop reading early (a refused stdin): a closed pipe is not the test's failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

test('the package version is the crate version, and the installed command says it', async () => {
  const pkg = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  assert.equal(pkg.version, CRATE_VERSION);
  const installed = JSON.parse(readFileSync(path.join(project, 'node_modules', 'convex-auth-doctor', 'package.json')));
  assert.equal(installed.version, CRATE_VERSION);
  assert.deepEqual(installed.dependencies ?? {}, {}, 'the package must stay dependency-free (installed offline)');
});

for (const c of CASES) {
  test(`same output from the binary and npx: ${c.name}`, { timeout: 120_000 }, async () => {
    const args = c.args.map(fill);
    const input = stdinOf(c);
    const native = await run(NATIVE, args, input);
    // `--`: npx's own options come first here, and without it npx would take the command's `--version` as its own.
    const npx = await run('npx', ['--offline', '--no', '--', 'convex-auth-doctor', ...args], input);
    const show = (r) => `exit ${r.code}\n--- stdout\n${r.stdout.toString().slice(0, 2000)}\n--- stderr\n${r.stderr}`;
    assert.equal(npx.code, native.code, `exit status\nnative: ${show(native)}\nnpx: ${show(npx)}`);
    assert.ok(npx.stderr.equals(native.stderr), `stderr\nnative: ${native.stderr}\nnpx: ${npx.stderr}`);
    assert.ok(npx.stdout.equals(native.stdout), `stdout differs\nnative: ${show(native)}\nnpx: ${show(npx)}`);
    const e = c.expect;
    if (e.code !== undefined) assert.equal(native.code, e.code, show(native));
    const stdout = native.stdout.toString();
    const stderr = native.stderr.toString();
    for (const s of e.stdout ?? []) assert.ok(stdout.includes(fill(s)), `stdout lacks ${s}\n${show(native)}`);
    for (const s of e.stdoutLacks ?? []) assert.ok(!stdout.includes(fill(s)), `stdout has ${s.slice(0, 40)}…`);
    for (const s of e.stderr ?? []) assert.ok(stderr.includes(fill(s)), `stderr lacks ${s}\n${show(native)}`);
    if (native.code === 2) {
      assert.equal(stdout, '', 'unusable input prints no report');
      assert.ok(stderr.startsWith('convex-auth-doctor: '), stderr);
      assert.ok(!/panicked|\n\s+at /.test(stderr), `a stack trace: ${stderr}`);
      if (e.lines !== 'many') assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
    } else {
      assert.equal(stderr, '', 'a report is all a judged input prints');
    }
  });
}

/** A HAR of about `mb` MB, made as it is read: Convex traffic (a real capture's entries) between 4 MiB bodies. */
function* bigHar(mb) {
  const capture = JSON.parse(readFileSync(path.join(FIXTURES, 'har', 'chrome-all-good.har'), 'utf8'));
  const filler = JSON.stringify({
    startedDateTime: '2026-11-29T10:00:00.000Z',
    time: 1,
    request: { method: 'GET', url: 'https://cdn.example.com/app.js', headers: [] },
    response: { status: 200, headers: [], content: { mimeType: 'text/javascript', text: 'x'.repeat(4 << 20) } },
  });
  const entries = capture.log.entries.map((e) => JSON.stringify(e)).join(',');
  yield Buffer.from('{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"entries":[');
  for (let i = 0, size = 0; size < mb << 20; i++) {
    const piece = Buffer.from(`${i ? ',' : ''}${filler},${entries}`);
    size += piece.length;
    yield piece;
  }
  yield Buffer.from(']}}');
}

/** Feeds a generator's chunks to a child's stdin, honouring back-pressure. */
async function feed(child, chunks) {
  for (const chunk of chunks) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
}

/** Like `run`, with stdin streamed from a generator; NODE_OPTIONS as given. */
function runStreaming(cmd, args, chunks, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: project, env: { ...process.env, NODE_TEST_CONTEXT: undefined, ...env } });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
    child.stdin.on('error', () => {});
    feed(child, chunks).catch(reject);
  });
}

test('a 300 MB HAR on stdin streams through npx in bounded memory, as through the binary', {
  timeout: 300_000,
}, async () => {
  const native = await runStreaming(NATIVE, ['har', '-'], bigHar(300));
  // Every Node process of the run (npx's and the command's) writes its peak resident memory when it exits.
  const peaks = path.join(work, 'peaks.txt');
  const probe = path.join(work, 'peak.cjs');
  writeFileSync(
    probe,
    "process.on('exit', () => { const m = /VmHWM:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'));" +
      " if (m) require('fs').appendFileSync(process.env.PEAKS_FILE, m[1] + '\\n'); });\n",
  );
  const npx = await runStreaming('npx', ['--offline', '--no', '--', 'convex-auth-doctor', 'har', '-'], bigHar(300), {
    NODE_OPTIONS: `--require ${probe}`,
    PEAKS_FILE: peaks,
  });
  assert.equal(native.code, 0, native.stderr.toString());
  assert.equal(npx.code, native.code, npx.stderr.toString());
  assert.ok(npx.stdout.equals(native.stdout), 'the same report');
  assert.match(native.stdout.toString(), /Authentication works/);
  if (existsSync('/proc/self/status')) {
    const peakMb = Math.max(...readFileSync(peaks, 'utf8').trim().split('\n').map(Number)) / 1024;
    // Node itself takes ~60 MB; the file is 300 MB: the engine must not hold it (its budget is per entry).
    assert.ok(peakMb < 200, `peak resident memory ${peakMb.toFixed(0)} MB for a 300 MB HAR`);
  }
});

test('a reader that goes away (EPIPE) ends the command quietly, as the binary', async () => {
  const file = path.join(FIXTURES, 'har', 'chrome-token-expired.har');
  const closed = (cmd, args) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before anything is written
      const err = [];
      child.stderr.on('data', (d) => err.push(d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stderr: Buffer.concat(err).toString() }));
    });
  const native = await closed(NATIVE, ['har', file, '--format', 'json']);
  const npx = await closed('npx', ['--offline', '--no', '--', 'convex-auth-doctor', 'har', file, '--format', 'json']);
  assert.deepEqual(npx, native);
  assert.deepEqual(native, { code: 1, signal: null, stderr: '' });
});

/** The installed package, as the project's own code imports it. */
function installed() {
  return createRequire(path.join(project, 'index.js'))('convex-auth-doctor');
}

/** The native binary's `--format json` report for these arguments. */
async function nativeJson(args, input) {
  const out = await run(NATIVE, [...args, '--format', 'json'], input);
  assert.notEqual(out.code, 2, out.stderr.toString());
  return JSON.parse(out.stdout.toString());
}

test('judgeToken returns the report --format json prints', async () => {
  const { judgeToken } = installed();
  const options = {
    configPath: path.join(project, 'convex', 'auth.config.ts'),
    env: { CLERK_JWT_ISSUER_DOMAIN: 'https://other.example.com' },
    jwks: TOKENS.jwks,
    now: 1764180000,
  };
  const report = await judgeToken(token('rs256_valid'), options);
  const args = ['token', token('rs256_valid'), '--config', options.configPath, '--jwks', 'jwks.json'];
  const expected = await nativeJson([
    ...args,
    '--env',
    'CLERK_JWT_ISSUER_DOMAIN=https://other.example.com',
    '--now',
    '1764180000',
  ]);
  assert.deepEqual(report, expected);
  assert.ok(report.findings.some((f) => f.code === 'config.issuer_mismatch'));
  // The config as text, and a Date for now.
  const config = readFileSync(path.join(project, 'convex', 'auth.config.ts'), 'utf8');
  const fromText = await judgeToken(token('rs256_expired'), {
    config,
    env: options.env,
    now: new Date(1764180000 * 1000),
  });
  assert.ok(fromText.findings.some((f) => f.code === 'token.expired'));
});

test('judgeToken fetches the keys with Node when asked, as --fetch', async () => {
  const { judgeToken } = installed();
  const config = readFileSync(path.join(project, 'convex', 'custom.auth.config.ts'), 'utf8');
  const report = await judgeToken(token('rs256_valid'), { config, fetch: true, now: 1764180000 });
  const args = [
    'token',
    token('rs256_valid'),
    '--config',
    'convex/custom.auth.config.ts',
    '--fetch',
    '--now',
    '1764180000',
  ];
  const expected = await nativeJson(args);
  assert.deepEqual(report, expected);
  assert.ok(
    report.findings.some((f) => f.code === 'signature.valid'),
    report.verdict,
  );
});

test('judgeHar reads text, bytes, a path and a stream into the report --format json prints', async () => {
  const { judgeHar } = installed();
  const file = path.join(FIXTURES, 'har', 'chrome-wrong-signature.har');
  const expected = await nativeJson(['har', file]);
  const bytes = readFileSync(file);
  assert.deepEqual(await judgeHar(bytes), expected);
  assert.deepEqual(await judgeHar(bytes.toString('utf8')), expected);
  assert.deepEqual(await judgeHar({ path: file }), expected);
  const { createReadStream } = await import('node:fs');
  assert.deepEqual(await judgeHar(createReadStream(file, { highWaterMark: 4096 })), expected);
});

test('judgeHar(stream) of a 300 MB HAR stays in bounded memory', { timeout: 300_000 }, async () => {
  const { judgeHar } = installed();
  const before = process.resourceUsage().maxRSS;
  const report = await judgeHar(
    (async function* () {
      yield* bigHar(300);
    })(),
  );
  assert.match(report.verdict, /Authentication works/);
  const growthMb = (process.resourceUsage().maxRSS - before) / 1024;
  assert.ok(growthMb < 150, `peak memory grew by ${growthMb.toFixed(0)} MB for a 300 MB HAR`);
});

test("bad input rejects with DoctorInputError and the command line's one line", async () => {
  const { judgeHar, judgeToken, DoctorInputError } = installed();
  await assert.rejects(judgeHar('{"log":'), (e) => e instanceof DoctorInputError && /truncated/.test(e.message));
  await assert.rejects(judgeToken(''), (e) => e instanceof DoctorInputError && e.message === 'no token given');
  const cut = (async function* () {
    yield '{"log":{"entries":[';
    throw new Error('connection reset');
  })();
  await assert.rejects(judgeHar(cut), (e) => e instanceof DoctorInputError && /connection reset/.test(e.message));
  await assert.rejects(
    judgeToken(token('rs256_valid'), { configPath: '/nonexistent/auth.config.ts' }),
    (e) => e instanceof DoctorInputError && /^cannot open \/nonexistent\/auth.config.ts/.test(e.message),
  );
});

test('a session fed events gives the report of what it was fed', () => {
  const { session } = installed();
  const s = session();
  assert.throws(() => s.push({ kind: 'teleport' }), /unknown kind/);
  s.push({ kind: 'navigated', url: 'http://localhost:5173/', time: 1764180000 });
  const report = s.report();
  assert.equal(report.steps[0].status, 'fail', report.verdict);
  assert.ok(
    report.findings.some((f) => f.code === 'client.no_traffic'),
    report.verdict,
  );
  s.free();
});

test("the README's example passes in a project using the package", async () => {
  const readme = readFileSync(path.join(PKG, 'README.md'), 'utf8');
  const example = /<!-- readme-example[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(example, 'the README has its example');
  writeFileSync(path.join(project, 'auth.doctor.test.mjs'), example[1]);
  const out = await run(process.execPath, ['--test', 'auth.doctor.test.mjs']);
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
  // And it can fail: the same test against a deployment whose variable names another issuer.
  writeFileSync(
    path.join(project, 'auth.doctor.test.mjs'),
    example[1].replace('CLERK_JWT_ISSUER_DOMAIN: ISSUER', "CLERK_JWT_ISSUER_DOMAIN: 'https://elsewhere.example.com'"),
  );
  const failing = await run(process.execPath, ['--test', 'auth.doctor.test.mjs']);
  assert.equal(failing.code, 1, `${failing.stdout}`);
  assert.match(failing.stdout.toString(), /config\.issuer_mismatch/);
});
