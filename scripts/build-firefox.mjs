// Writes the Firefox build of the extension to a folder (default dist/firefox): the manifest of
// scripts/firefox-manifest.mjs and a copy of extension/ (with the wasm engine as built: run scripts/build-wasm.sh
// first). Usage: node scripts/build-firefox.mjs [folder]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { firefoxManifest } from './firefox-manifest.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the Firefox extension into `dir` (emptied first); returns `dir`. */
export function buildFirefox(dir) {
  if (!existsSync(path.join(ROOT, 'extension', 'pkg', 'convex_auth_doctor_bg.wasm'))) {
    throw new Error('extension/pkg is missing: run scripts/build-wasm.sh (or scripts/setup.sh) first');
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(firefoxManifest(manifest), null, 2)}\n`);
  cpSync(path.join(ROOT, 'extension'), path.join(dir, 'extension'), { recursive: true });
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(process.argv[2] || path.join(ROOT, 'dist', 'firefox'));
  buildFirefox(dir);
  console.log(dir);
}
