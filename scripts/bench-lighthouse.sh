#!/usr/bin/env bash
# Lighthouse 12 (npm `lighthouse`) in Debian's headless Chromium against the release
# server with demo data: mobile profile for the phone pages, desktop profile for the
# feed and the overview, median of 3 first visits per page (end2end/bench/lighthouse.mjs).
# Prints a Markdown table for docs/performance.md; the reports go to target/lighthouse/.
# GB_LH_PAGES=login,feed and GB_LH_RUNS=1 narrow a run down while working on a page.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -d node_modules/lighthouse ]] || { echo "bench: node_modules missing: run 'make setup'" >&2; exit 1; }
export CHROME_PATH=/usr/bin/chromium GB_LH_OUT="$ROOT/target/lighthouse"
exec scripts/with-server.sh node end2end/bench/lighthouse.mjs
