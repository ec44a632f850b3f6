// Bundles the demo page (main.mjs + the `convex` client + React) into dist/app.js with esbuild.
// Run by startStack() at start-up, so `npm ci` then `node tests/standin/serve.mjs` is enough.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function buildApp() {
  await build({
    entryPoints: [path.join(here, 'main.mjs')],
    outfile: path.join(here, 'dist', 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    legalComments: 'none',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildApp();
