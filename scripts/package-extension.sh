#!/usr/bin/env bash
# Writes dist/convex-auth-doctor-<version>.zip, the file one uploads to the Chrome Web Store: manifest.json and
# extension/ (with the freshly built wasm engine), nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-wasm.sh
node tests/e2e/wasm-check.mjs
version=$(python3 -c 'import json; print(json.load(open("manifest.json"))["version"])')
out="dist/convex-auth-doctor-${version}.zip"
mkdir -p dist
rm -f "$out"
python3 - "$out" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
files = ["manifest.json"]
for root, _, names in os.walk("extension"):
    files += [os.path.join(root, n) for n in sorted(names)]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for f in sorted(files):
        z.write(f)
PY
echo "$out ($(du -k "$out" | cut -f1) KB):"
python3 -m zipfile -l "$out"
