'use strict';
// judgeHar(stream): the engine's HAR reader pulls its input (crate/src/traffic/har.rs reads fixed blocks), and a
// stream pushes asynchronously, so the engine runs in a worker thread and pulls from a shared buffer that this
// thread fills from the stream. Memory: one 1 MiB slot beside the reader's own budget, whatever the stream's size.

const path = require('node:path');
const { Worker } = require('node:worker_threads');

/** Bytes handed over at a time. */
const SLOT = 1 << 20;
/** ctrl[0]: the slot's state; ctrl[1]: bytes in the slot; ctrl[2]: bytes of it already read. */
const EMPTY = 0;
const FULL = 1;
const END = 2;
const STOPPED = 3;

async function runStreamed(args, files, stream) {
  const shared = new SharedArrayBuffer(16 + SLOT);
  const ctrl = new Int32Array(shared, 0, 4);
  const slot = new Uint8Array(shared, 16);
  const worker = new Worker(path.join(__dirname, 'stream-worker.js'), {
    workerData: { shared, args, files },
  });
  const result = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the engine's worker stopped (exit ${code})`)));
  });
  // The worker stops reading when it has what it needs (or fails): the stream is then left unread.
  const stopped = result.finally(() => {
    Atomics.store(ctrl, 0, STOPPED);
    Atomics.notify(ctrl, 0);
  });
  stopped.catch(() => {});
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (let at = 0; at < bytes.length; at += SLOT) {
        if (!(await slotFree(ctrl))) break;
        const piece = bytes.subarray(at, at + SLOT);
        slot.set(piece);
        Atomics.store(ctrl, 1, piece.length);
        Atomics.store(ctrl, 2, 0);
        Atomics.store(ctrl, 0, FULL);
        Atomics.notify(ctrl, 0);
      }
      if (Atomics.load(ctrl, 0) === STOPPED) break;
    }
    if (await slotFree(ctrl)) {
      Atomics.store(ctrl, 0, END);
      Atomics.notify(ctrl, 0);
    }
    return await result;
  } finally {
    await worker.terminate();
  }
}

/** Waits until the worker has read the slot; false when it stopped reading. */
async function slotFree(ctrl) {
  for (;;) {
    const state = Atomics.load(ctrl, 0);
    if (state === STOPPED) return false;
    if (state !== FULL) return true;
    await Atomics.waitAsync(ctrl, 0, FULL).value;
  }
}

module.exports = { runStreamed, SLOT, EMPTY, FULL, END, STOPPED };
