'use strict';
// The command's host in Node (crate/src/wasm/command.rs `CliHost`): synchronous file calls, so the engine reads
// files and stdin in chunks exactly as the native binary does. Failures return -1 and keep their OS error number
// (found from the error's code, `ENOENT` → 2, which holds on Windows too), which the engine words as the binary does.

const fs = require('node:fs');
const { constants } = require('node:os');

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` (stdin that is a non-blocking pipe answers EAGAIN until data comes). */
function sleep(ms) {
  Atomics.wait(pause, 0, 0, ms);
}

class NodeHost {
  constructor() {
    this.errno = 0;
    this.errorText = '';
  }

  fail(e) {
    this.errno = constants.errno[e?.code] ?? 0;
    this.errorText = String(e?.message ?? e);
    return -1;
  }

  lastErrno() {
    return this.errno;
  }

  lastErrorText() {
    return this.errorText;
  }

  open(path) {
    try {
      return fs.openSync(path, 'r');
    } catch (e) {
      return this.fail(e);
    }
  }

  read(fd, buf) {
    for (;;) {
      try {
        return fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if (e?.code === 'EAGAIN') {
          sleep(5);
          continue;
        }
        // Windows reports the end of a pipe as an error.
        if (e?.code === 'EOF') return 0;
        return this.fail(e);
      }
    }
  }

  close(fd) {
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing was written: a failed close loses nothing.
    }
  }

  now() {
    return Date.now() / 1000;
  }

  realPath(path) {
    try {
      return fs.realpathSync.native(path);
    } catch {
      return undefined;
    }
  }

  isFile(path) {
    try {
      return fs.statSync(path).isFile();
    } catch {
      return false;
    }
  }
}

/**
 * A host whose files are given in memory (the API's texts), over the real file system for everything else.
 * `stdin` is the text or bytes standard input reads.
 */
class MemoryHost extends NodeHost {
  constructor(files, stdin) {
    super();
    this.files = new Map(Object.entries(files).map(([name, data]) => [name, toBytes(data)]));
    this.stdinBytes = toBytes(stdin ?? '');
    this.handles = new Map();
    this.nextHandle = 1 << 20;
  }

  open(path) {
    const data = this.files.get(path);
    if (data === undefined) return super.open(path);
    const handle = this.nextHandle++;
    this.handles.set(handle, { data, at: 0 });
    return handle;
  }

  read(fd, buf) {
    const open = fd === 0 ? this.stdinHandle() : this.handles.get(fd);
    if (open === undefined) return super.read(fd, buf);
    const n = Math.min(buf.length, open.data.length - open.at);
    buf.set(open.data.subarray(open.at, open.at + n));
    open.at += n;
    return n;
  }

  stdinHandle() {
    this.stdinOpen ??= { data: this.stdinBytes, at: 0 };
    return this.stdinOpen;
  }

  close(fd) {
    if (!this.handles.delete(fd)) super.close(fd);
  }

  realPath(path) {
    return this.files.has(path) ? undefined : super.realPath(path);
  }

  isFile(path) {
    return this.files.has(path) || super.isFile(path);
  }
}

function toBytes(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  throw new TypeError('expected a string or a Uint8Array');
}

module.exports = { NodeHost, MemoryHost };
