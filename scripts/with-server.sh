#!/usr/bin/env bash
# Runs a command against the release server in a fresh SQLite database: picks a free
# port, starts target/release/gruppenbuch-server (demo data, GB_DEMO=1), waits for
# /healthz, exports BASE_URL, runs the command (its arguments as given), stops the
# server and returns the command's exit code. Used by scripts/e2e.sh and
# scripts/bench-lighthouse.sh.
# Alarm e-mails go to a loopback port (E2E_SMTP_PORT) where the incident test listens;
# incidents escalate after 40 s instead of an hour.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/server-env.sh
source scripts/server-env.sh
require_release_build
export PATH="$ROOT/node_modules/.bin:$PATH"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
TMP="$(mktemp -d /tmp/gb-server.XXXXXX)"
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
        echo "---- last 60 lines of the server log ($SERVER_LOG) ----" >&2
        tail -n 60 "$SERVER_LOG" >&2 || true
        echo "---- end of server log ----" >&2
    fi
    if [[ "${GB_KEEP_E2E_TMP:-0}" == 1 ]]; then
        echo "kept $TMP" >&2
    else
        rm -rf -- "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SMTP_PORT="$(free_port)"
export GB_SMTP_HOST=127.0.0.1 GB_SMTP_PORT="$SMTP_PORT" E2E_SMTP_PORT="$SMTP_PORT"
export GB_MAIL_FROM=gruppenbuch@gruppenbuch.example
export GB_ESCALATE_AFTER_SECONDS="${GB_ESCALATE_AFTER_SECONDS:-40}" GB_ALERT_INTERVAL_SECONDS=2

export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$TMP/server.db"
export RUST_LOG="${RUST_LOG:-info}"
echo "starting $GB_SERVER_BIN on http://$LEPTOS_SITE_ADDR (database $DATABASE_URL)"
"$GB_SERVER_BIN" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + 60))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$LEPTOS_SITE_ADDR/healthz" || true)" == 200 ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "the server exited before /healthz answered" >&2
        exit 1
    fi
    if [[ $SECONDS -ge $deadline ]]; then
        echo "/healthz did not answer 200 within 60 s" >&2
        exit 1
    fi
    sleep 0.25
done
echo "server ready"

export BASE_URL="http://$LEPTOS_SITE_ADDR"
set +e
"$@"
rc=$?
set -e
exit "$rc"
