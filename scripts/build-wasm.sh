#!/usr/bin/env bash
# Builds the engine for the browser into extension/pkg (wasm-bindgen --target web).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm -p convex-auth-doctor
wasm-bindgen --target web --no-typescript --out-dir extension/pkg \
  target/wasm32-unknown-unknown/wasm/convex_auth_doctor.wasm
if command -v wasm-opt >/dev/null 2>&1; then
  wasm-opt -Os --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    extension/pkg/convex_auth_doctor_bg.wasm -o extension/pkg/convex_auth_doctor_bg.wasm
fi
