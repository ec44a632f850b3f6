#!/usr/bin/env bash
# Every test of the project, after setting up what is missing. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
step "cargo fmt --check"
cargo fmt --all --check
step "cargo clippy (native and wasm)"
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features verify-rsa,verify-p256,verify-ed25519 -- -D warnings
step "cargo test"
cargo test
if [ -d tests/standin ]; then
  step "stand-in backend, identity provider and demo app (node --test)"
  node --test --test-concurrency=1 tests/standin/
fi
if [ -d tests/e2e ]; then
  step "extension end to end in Chromium (node --test)"
  node --test --test-concurrency=1 tests/e2e/
fi
