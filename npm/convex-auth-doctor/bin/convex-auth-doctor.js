#!/usr/bin/env node
'use strict';
// `npx convex-auth-doctor …`: the native binary's command line, run by its wasm engine in Node. Everything the
// command does is decided by the engine (crate/src/command); this file only connects it to the process.
// Unusable input exits 2 with one line on stderr, here too: a failure of the wrapper itself (the engine not
// loading, an unexpected exception) is worded as one, never a stack trace.

const fs = require('node:fs');

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd`; a closed reader (EPIPE: `| head`) ends the writing quietly, as the binary does. */
function writeAll(fd, text) {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < bytes.length) {
    try {
      at += fs.writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if (e?.code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      return;
    }
  }
}

function fail(e) {
  const message = String(e?.message ?? e).split('\n')[0];
  writeAll(2, `convex-auth-doctor: ${message}\n`);
  process.exitCode = 2;
}

// Anything escaping below is a wrapper failure: one line, exit 2.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

let main;
try {
  const { runCommand } = require('../lib/run.js');
  const { NodeHost } = require('../lib/host.js');
  main = () => runCommand(process.argv.slice(2), new NodeHost());
} catch (e) {
  main = () => Promise.reject(new Error(`the engine does not load: ${e?.message ?? e}`));
}

main().then((out) => {
  writeAll(1, out.stdout);
  writeAll(2, out.stderr);
  process.exitCode = out.code;
}, fail);
