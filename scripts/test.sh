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
cargo clippy -p convex-auth-doctor --lib --target wasm32-unknown-unknown --no-default-features --features verify-rsa,verify-p256,verify-ed25519,cli-wasm -- -D warnings
step "biome (format and lint of extension/, tests/, scripts/)"
node_modules/.bin/biome ci --error-on-warnings .
step "web-ext lint (the Firefox build)"
firefox_build=$(mktemp -d)
node scripts/build-firefox.mjs "$firefox_build" >/dev/null
timeout -k 20 300 node_modules/.bin/web-ext lint --source-dir "$firefox_build" --warnings-as-errors --no-input
rm -rf "$firefox_build"
step "cargo test"
# Hard limits: a hang fails fast instead of eating CI's 90 minutes. `timeout -k` kills what ignores SIGTERM.
timeout -k 20 1500 cargo test

# Every node test file on its own, each under a hard timeout (seconds, generous for a loaded 2-core machine), and
# node's own --test-timeout 20 s inside it, so a file that does not end (an armed timer, an open socket) is reported
# by the runner before it is killed. (Node 20 applies --test-timeout to the whole file, not only to each test, so it
# is set from the file's limit; each test sets its own, shorter limit.)
node_file() {
  local limit=$1 file=$2
  step "node --test $file (hard limit ${limit}s)"
  local start=$SECONDS
  timeout -k 20 "$limit" node --test --test-concurrency=1 --test-timeout=$(((limit - 20) * 1000)) "$file"
  printf '%s exited by itself after %ss\n' "$file" "$((SECONDS - start))" >&2
}
for f in tests/unit/*.test.mjs; do node_file 120 "$f"; done
# The npm package: built from the crate, packed, installed offline into a fresh project and run with npx against
# the same cases as the native binary (tests/npm/cases.json).
step "npm package (scripts/build-npm.sh)"
scripts/build-npm.sh
for f in tests/npm/*.test.mjs; do node_file 600 "$f"; done
if [ -d tests/standin ]; then
  for f in tests/standin/*.test.mjs; do node_file 900 "$f"; done
fi
if [ -d tests/e2e ]; then
  for f in tests/e2e/*.test.mjs; do
    [ "$f" = tests/e2e/firefox.test.mjs ] || node_file 1800 "$f"
  done
  # The Firefox build in real Firefox ESR (four browser launches, about 90 s here).
  node_file 600 tests/e2e/firefox.test.mjs
  # Every scenario again through live capture (the page hook) instead of DevTools' network API.
  (export E2E_LIVE=1 && node_file 1800 tests/e2e/scenarios.test.mjs)
fi
