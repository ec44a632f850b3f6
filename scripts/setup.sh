#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, skipping what is already there:
# the wasm target, wasm-bindgen CLI (pinned to the crate's wasm-bindgen), binaryen's wasm-opt, Chromium, Firefox ESR
# (tests/e2e/firefox.test.mjs), npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM_BINDGEN_VERSION=0.2.130

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
apt_missing=()
command -v chromium >/dev/null 2>&1 || apt_missing+=(chromium chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || apt_missing+=(firefox-esr)
command -v wasm-opt >/dev/null 2>&1 || apt_missing+=(binaryen)
if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${apt_missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  else
    say "please install: ${apt_missing[*]} (Debian/Ubuntu: sudo apt-get install ${apt_missing[*]})"
    exit 1
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
say "building the engine for the browser"
scripts/build-wasm.sh
