'use strict';
// The engine's side of judgeHar(stream) (lib/stream.js): the command with stdin read from the shared slot.

const { parentPort, workerData } = require('node:worker_threads');
const { runCommand } = require('./run.js');
const { MemoryHost } = require('./host.js');
const { EMPTY, FULL, END } = require('./stream.js');

const { shared, args, files } = workerData;
const ctrl = new Int32Array(shared, 0, 4);
const slot = new Uint8Array(shared, 16);

class StreamHost extends MemoryHost {
  read(fd, buf) {
    if (fd !== 0) return super.read(fd, buf);
    for (;;) {
      const state = Atomics.load(ctrl, 0);
      if (state === FULL) {
        const length = Atomics.load(ctrl, 1);
        const at = Atomics.load(ctrl, 2);
        const n = Math.min(buf.length, length - at);
        buf.set(slot.subarray(at, at + n));
        if (at + n === length) {
          Atomics.store(ctrl, 0, EMPTY);
          Atomics.notify(ctrl, 0);
        } else {
          Atomics.store(ctrl, 2, at + n);
        }
        return n;
      }
      if (state === END) return 0;
      Atomics.wait(ctrl, 0, state);
    }
  }
}

runCommand(args, new StreamHost(files)).then(
  (out) => parentPort.postMessage(out),
  (e) => parentPort.postMessage({ stdout: '', stderr: `convex-auth-doctor: ${e?.message ?? e}\n`, code: 2 }),
);
