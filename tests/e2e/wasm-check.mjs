#!/usr/bin/env node
// Checks that the built engine (extension/pkg) instantiates and answers, outside the browser, so a broken build
// fails with its real error instead of a panel that never renders. Used by the e2e harness and
// scripts/package-extension.sh.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'pkg');

/** Throws an Error naming the cause when the module does not load. Returns the engine's version. */
export async function checkWasm(pkg = PKG) {
  try {
    const m = await import(pathToFileURL(path.join(pkg, 'convex_auth_doctor.js')).href);
    await m.default({ module_or_path: readFileSync(path.join(pkg, 'convex_auth_doctor_bg.wasm')) });
    const s = new m.DoctorSession();
    JSON.parse(s.report());
    return m.version();
  } catch (e) {
    throw new Error(
      `the engine in ${pkg} does not load: ${e.message}` +
        (/Table\.set/.test(e.message)
          ? " (binaryen 108 (Debian 12 wasm-opt) breaks wasm-bindgen's externref table when wasm-opt runs after wasm-bindgen: run wasm-opt on cargo's output first)"
          : ''),
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  checkWasm().then(
    (v) => console.log(`engine ${v} loads`),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
