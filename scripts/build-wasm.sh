#!/usr/bin/env bash
# Builds the engine for the browser into extension/pkg (wasm-bindgen --target web).
# wasm-opt runs on cargo's output, before wasm-bindgen: Debian's binaryen 108 run after wasm-bindgen corrupts the
# function table (`WebAssembly.Table.set(): Argument 1 is invalid for table`). tests/e2e/wasm-check.mjs loads the
# result in Node to catch a broken build at once.
set -euo pipefail
cd "$(dirname "$0")/.."
# Key families in the browser: RSA (RS*/PS*), P-256 (ES256), Ed25519 (EdDSA): every algorithm a Convex backend
# path accepts. P-384 (ES384, accepted by no path) stays native-only: it alone would add ~31 KB gz.
cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm -p convex-auth-doctor \
  --no-default-features --features verify-rsa,verify-p256,verify-ed25519
wasm=target/wasm32-unknown-unknown/wasm/convex_auth_doctor.wasm
if command -v wasm-opt >/dev/null 2>&1; then
  mkdir -p target/wasm-opt
  wasm-opt -Os --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$wasm" -o target/wasm-opt/convex_auth_doctor.wasm
  wasm=target/wasm-opt/convex_auth_doctor.wasm
fi
wasm-bindgen --target web --no-typescript --out-dir extension/pkg "$wasm"
