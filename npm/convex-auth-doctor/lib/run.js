'use strict';
// Runs the command (crate/src/command) in wasm: the same arguments, output and exit status as the native binary.
// `--fetch` runs in rounds: the engine names the next document it needs, Node's fetch gets it, the engine is
// given it, until it needs nothing more (discovery, then the JWKS it names).

const engine = require('../wasm/convex_auth_doctor.js');

/** Time allowed for one fetch, as the binary allows (crate/src/cli/fetch.rs). */
const FETCH_TIMEOUT_MS = 10_000;

/**
 * @param {string[]} args the arguments after the command name
 * @param {object} host a NodeHost (lib/host.js)
 * @returns {Promise<{stdout: string, stderr: string, code: number}>}
 */
async function runCommand(args, host) {
  const run = new engine.CliRun(JSON.stringify(args), host);
  try {
    for (let url = run.need(); url !== undefined; url = run.need()) {
      const answer = await get(url);
      if (answer.error !== undefined) run.provideError(url, answer.error);
      else run.provide(url, answer.status, answer.contentType, answer.body);
    }
    return JSON.parse(run.finish());
  } finally {
    run.free();
  }
}

/** One public document: GET with `Accept: application/json` (as the backend sends), bounded in time and size. */
async function get(url) {
  const max = engine.maxDocumentBytes();
  try {
    const res = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const body = await readBounded(res, max);
    if (body === undefined) {
      return { error: `Could not read the response from '${url}': body is longer than ${max} bytes` };
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  } catch (e) {
    return { error: `Could not fetch '${url}': ${e?.cause?.message ?? e?.message ?? e}` };
  }
}

/** The body as text, or undefined when longer than `max` bytes (reading stops there). */
async function readBounded(res, max) {
  const chunks = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > max) {
      await res.body.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

module.exports = { runCommand, engine };
