#!/usr/bin/env bash
# Writes both packages of the extension, each with manifest.json and extension/ (the freshly built wasm engine
# included), nothing else:
# - dist/convex-auth-doctor-<version>.zip: Chromium (the Chrome Web Store upload);
# - dist/convex-auth-doctor-<version>-firefox.zip: Firefox (the addons.mozilla.org upload; the manifest of
#   scripts/firefox-manifest.mjs), checked first with `web-ext lint` (npm web-ext), which must be clean.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-wasm.sh
node tests/e2e/wasm-check.mjs
version=$(python3 -c 'import json; print(json.load(open("manifest.json"))["version"])')
mkdir -p dist

# zip_dir <folder> <out>: the folder's manifest.json and extension/, paths relative to the folder.
zip_dir() {
  rm -f "$2"
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], os.path.abspath(sys.argv[2])
os.chdir(src)
files = ["manifest.json"]
for root, _, names in os.walk("extension"):
    files += [os.path.join(root, n) for n in sorted(names)]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for f in sorted(files):
        z.write(f)
PY
  echo "$2 ($(du -k "$2" | cut -f1) KB):"
  python3 -m zipfile -l "$2"
}

zip_dir . "dist/convex-auth-doctor-${version}.zip"

firefox_dir=dist/firefox
node scripts/build-firefox.mjs "$firefox_dir" >/dev/null
node_modules/.bin/web-ext lint --source-dir "$firefox_dir" --warnings-as-errors --no-input
zip_dir "$firefox_dir" "dist/convex-auth-doctor-${version}-firefox.zip"
