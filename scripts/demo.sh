#!/usr/bin/env bash
# The demo: builds everything (installing what is missing), starts the local stand-in (Convex backend, identity
# provider, demo app with its scenario picker) and opens Chromium with the extension loaded and DevTools open on the
# Convex Auth panel.
#   scripts/demo.sh [SCENARIO]            a window (needs a display)
#   scripts/demo.sh --headless [SCENARIO] no display: runs the scenario and saves a screenshot of the panel
#   scripts/demo.sh --screenshots DIR     the README's three screenshots of the panel, into DIR (docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node scripts/demo.mjs "$@"
