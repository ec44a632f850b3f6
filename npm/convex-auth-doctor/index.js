'use strict';
// The typed API (index.d.ts): the command's JSON report for a token or a HAR, and a session fed events. Each
// judge* call is the command line itself (`token -`/`har FILE` with `--format json`, crate/src/command) run with
// the caller's texts as in-memory files, so it returns exactly the report `--format json` prints.

const { runCommand, engine } = require('./lib/run.js');
const { MemoryHost } = require('./lib/host.js');
const { runStreamed } = require('./lib/stream.js');

/** The input could not be judged (the command's exit status 2): `message` is its one line. */
class DoctorInputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DoctorInputError';
  }
}

/** Arguments and in-memory files for the options both judge* calls take. */
function common(options, files) {
  const args = ['--format', 'json'];
  const { config, configPath, env, jwks, discovery, fetch } = options ?? {};
  if (config !== undefined && configPath !== undefined) {
    throw new DoctorInputError('give config (the text) or configPath (a file), not both');
  }
  if (config !== undefined) {
    files['auth.config.ts'] = config;
    args.push('--config', 'auth.config.ts');
  }
  if (configPath !== undefined) args.push('--config', String(configPath));
  for (const [name, value] of Object.entries(env ?? {})) {
    if (value !== undefined) args.push('--env', `${name}=${value}`);
  }
  if (jwks !== undefined) {
    files['jwks.json'] = typeof jwks === 'string' ? jwks : JSON.stringify(jwks);
    args.push('--jwks', 'jwks.json');
  }
  if (discovery !== undefined) {
    files['openid-configuration.json'] = typeof discovery === 'string' ? discovery : JSON.stringify(discovery);
    args.push('--discovery', 'openid-configuration.json');
  }
  if (fetch) args.push('--fetch');
  return args;
}

/** The report of a finished run, or the DoctorInputError of an unusable input. */
function report(out) {
  if (out.code === 2) {
    throw new DoctorInputError(out.stderr.trim().replace(/^convex-auth-doctor: /, ''));
  }
  return JSON.parse(out.stdout);
}

async function judgeToken(token, options = {}) {
  if (typeof token !== 'string') throw new DoctorInputError('the token must be a string');
  const files = {};
  const args = ['token', '-', ...common(options, files)];
  if (options.now !== undefined) {
    const now = options.now instanceof Date ? options.now.getTime() / 1000 : options.now;
    args.push('--now', String(now));
  }
  return report(await runCommand(args, new MemoryHost(files, token)));
}

async function judgeHar(har, options = {}) {
  const files = {};
  const rest = common(options, files);
  if (typeof har === 'string' || har instanceof Uint8Array) {
    files['capture.har'] = har;
    return report(await runCommand(['har', 'capture.har', ...rest], new MemoryHost(files)));
  }
  if (har && (typeof har[Symbol.asyncIterator] === 'function' || typeof har[Symbol.iterator] === 'function')) {
    let out;
    try {
      out = await runStreamed(['har', '-', ...rest], files, har);
    } catch (e) {
      // The stream itself failed (a file that could not be opened, a network stream cut): unusable input.
      throw new DoctorInputError(`cannot read the HAR stream: ${e?.message ?? e}`);
    }
    return report(out);
  }
  // After streams: a Node file stream has a `path` too, and is read as the stream it is.
  if (har && typeof har === 'object' && typeof har.path === 'string') {
    return report(await runCommand(['har', har.path, ...rest], new MemoryHost(files)));
  }
  throw new DoctorInputError('judgeHar takes the HAR text, its bytes, { path }, or a stream of its bytes');
}

function session() {
  const inner = new engine.DoctorSession();
  return {
    push(event) {
      inner.pushEvent(JSON.stringify(event));
    },
    pushAll(events) {
      return inner.pushEvents(JSON.stringify(events));
    },
    setConfig(config, env = {}) {
      inner.setConfig(config, JSON.stringify(env));
    },
    clearConfig() {
      inner.clearConfig();
    },
    reset() {
      inner.reset();
    },
    report() {
      return JSON.parse(inner.report());
    },
    markdown() {
      return inner.markdown();
    },
    free() {
      inner.free();
    },
  };
}

module.exports = { judgeToken, judgeHar, session, DoctorInputError, version: engine.version() };
