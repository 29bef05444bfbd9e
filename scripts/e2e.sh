#!/usr/bin/env bash
# Runs the Playwright tests in end2end/ against the release build in a fresh SQLite
# database (scripts/with-server.sh starts and stops the server and exports BASE_URL);
# extra arguments are passed on to `playwright test`.
# With GB_TEST_LOG_DIR set, Playwright's output is also written to $GB_TEST_LOG_DIR/e2e.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -x node_modules/.bin/playwright ]] || { echo "e2e: node_modules missing: run 'make setup'" >&2; exit 1; }
if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
    mkdir -p "$GB_TEST_LOG_DIR"
    GB_TEST_LOG_DIR="$(cd "$GB_TEST_LOG_DIR" && pwd)"
fi

# Runs under the server: Playwright in end2end/, tee'd to the log when asked.
playwright() {
    cd end2end
    local rc
    if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
        npx --no-install playwright test "$@" 2>&1 | tee "$GB_TEST_LOG_DIR/e2e.log"
        rc=${PIPESTATUS[0]}
    else
        npx --no-install playwright test "$@"
        rc=$?
    fi
    echo "e2e: playwright exited with $rc"
    return "$rc"
}
export -f playwright
export GB_TEST_LOG_DIR
set +e
scripts/with-server.sh bash -c 'playwright "$@"' playwright "$@"
rc=$?
set -e
# Last, so that the end of a long log says what failed (and what passed only on retry).
if [[ -n "${GB_TEST_LOG_DIR:-}" && -s "$GB_TEST_LOG_DIR/e2e.log" ]]; then
    python3 scripts/e2e-summary.py "$GB_TEST_LOG_DIR/e2e.log" >&2 || true
fi
exit "$rc"
