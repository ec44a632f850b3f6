#!/usr/bin/env bash
# Builds the npm package's engine (npm/convex-auth-doctor/wasm: wasm-bindgen --target nodejs) from the same crate
# as the binary, with the binary's features (every key family, P-384 included), so the two give the same output,
# and the command's wasm entry point (feature cli-wasm).
# Checks that the package's version is the crate's. `--pack DIR` then writes the tarball into DIR (npm pack).
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=npm/convex-auth-doctor
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' crate/Cargo.toml | head -1)
pkg_version=$(node -p "require('./$pkg/package.json').version")
if [ "$crate_version" != "$pkg_version" ]; then
  echo "build-npm: $pkg/package.json has version $pkg_version, the crate $crate_version: make them equal" >&2
  exit 1
fi
cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm -p convex-auth-doctor --features cli-wasm
wasm=target/wasm32-unknown-unknown/wasm/convex_auth_doctor.wasm
# As scripts/build-wasm.sh: wasm-opt on cargo's output, before wasm-bindgen (binaryen 108 breaks it after).
if command -v wasm-opt >/dev/null 2>&1; then
  mkdir -p target/wasm-opt-npm
  wasm-opt -Os --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$wasm" -o target/wasm-opt-npm/convex_auth_doctor.wasm
  wasm=target/wasm-opt-npm/convex_auth_doctor.wasm
fi
rm -rf "$pkg/wasm"
wasm-bindgen --target nodejs --no-typescript --out-dir "$pkg/wasm" "$wasm"
if [ "${1:-}" = "--pack" ]; then
  mkdir -p "$2"
  (cd "$pkg" && npm pack --silent --pack-destination "$(cd "$OLDPWD" && cd "$2" && pwd)") >/dev/null
fi
