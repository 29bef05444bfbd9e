#!/usr/bin/env bash
# Runs the Playwright tests in end2end/ against the release build in a fresh SQLite
# database: picks a free port, starts target/release/gruppenbuch-server, waits for
# /healthz, exports BASE_URL, runs `npx playwright test` (extra arguments are passed
# on), stops the server and returns Playwright's exit code.
# With GB_TEST_LOG_DIR set, Playwright's output is also written to $GB_TEST_LOG_DIR/e2e.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/server-env.sh
source scripts/server-env.sh
require_release_build
export PATH="$ROOT/node_modules/.bin:$PATH"
[[ -x node_modules/.bin/playwright ]] || { echo "e2e: node_modules missing: run 'make setup'" >&2; exit 1; }
if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
    mkdir -p "$GB_TEST_LOG_DIR"
    GB_TEST_LOG_DIR="$(cd "$GB_TEST_LOG_DIR" && pwd)"
fi

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TMP="$(mktemp -d /tmp/gb-e2e.XXXXXX)"
SERVER_LOG="$TMP/server.log"
SERVER_PID=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $rc -ne 0 && -s "$SERVER_LOG" ]]; then
        echo "---- e2e: last 200 lines of the server log ($SERVER_LOG) ----" >&2
        tail -n 200 "$SERVER_LOG" >&2 || true
        echo "---- end of server log ----" >&2
    fi
    if [[ "${GB_KEEP_E2E_TMP:-0}" == 1 ]]; then
        echo "e2e: kept $TMP" >&2
    else
        rm -rf -- "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Alarm e-mails go to a loopback port where the incident test listens (a real SMTP
# conversation); incidents escalate after 40 s instead of an hour.
SMTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export GB_SMTP_HOST=127.0.0.1 GB_SMTP_PORT="$SMTP_PORT" E2E_SMTP_PORT="$SMTP_PORT"
export GB_MAIL_FROM=gruppenbuch@gruppenbuch.example
export GB_ESCALATE_AFTER_SECONDS="${GB_ESCALATE_AFTER_SECONDS:-40}" GB_ALERT_INTERVAL_SECONDS=2

export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$TMP/e2e.db"
export RUST_LOG="${RUST_LOG:-info}"
echo "e2e: starting $GB_SERVER_BIN on http://$LEPTOS_SITE_ADDR (database $DATABASE_URL)"
"$GB_SERVER_BIN" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + 60))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$LEPTOS_SITE_ADDR/healthz" || true)" == 200 ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "e2e: the server exited before /healthz answered" >&2
        exit 1
    fi
    if [[ $SECONDS -ge $deadline ]]; then
        echo "e2e: /healthz did not answer 200 within 60 s" >&2
        exit 1
    fi
    sleep 0.25
done
echo "e2e: server ready"

export BASE_URL="http://$LEPTOS_SITE_ADDR"
cd end2end
set +e
if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
    npx --no-install playwright test "$@" 2>&1 | tee "$GB_TEST_LOG_DIR/e2e.log"
    rc=${PIPESTATUS[0]}
else
    npx --no-install playwright test "$@"
    rc=$?
fi
set -e
echo "e2e: playwright exited with $rc"
exit "$rc"
