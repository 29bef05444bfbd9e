#!/usr/bin/env bash
# Runs the Rust integration tests (crate tests/, release profile) twice:
#   1. on SQLite: TEST_DATABASE_URL unset, the tests use temporary SQLite files;
#   2. on PostgreSQL: TEST_DATABASE_URL=$TEST_POSTGRES_URL when that is set, else a
#      throwaway PostgreSQL 15 cluster (scripts/pg-throwaway.sh), stopped at the end
#      also when the tests fail or the run is interrupted.
# Extra arguments go to `cargo test` (e.g. `-- store::`).
# With GB_TEST_LOG_DIR set, the output is also written to $GB_TEST_LOG_DIR/integration-*.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export LEPTOS_OUTPUT_NAME=gruppenbuch

if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
    mkdir -p "$GB_TEST_LOG_DIR"
    GB_TEST_LOG_DIR="$(cd "$GB_TEST_LOG_DIR" && pwd)"
fi

# run_tests NAME: cargo test, output also to the log file when logging is on.
run_tests() {
    local name="$1"; shift
    if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
        cargo test -p gruppenbuch-tests --release "$@" 2>&1 | tee "$GB_TEST_LOG_DIR/integration-$name.log"
    else
        cargo test -p gruppenbuch-tests --release "$@"
    fi
}

echo "== integration tests on SQLite (temporary files)"
(unset TEST_DATABASE_URL; run_tests sqlite "$@")

PG_STATE=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n "$PG_STATE" ]]; then
        PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh stop || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    pg_url="$TEST_POSTGRES_URL"
    echo "== integration tests on PostgreSQL from TEST_POSTGRES_URL"
else
    PG_STATE="$(mktemp /tmp/gb-pg-state.XXXXXX)"
    rm -f -- "$PG_STATE"   # pg-throwaway.sh creates it; the name only has to be unique
    pg_url="$(PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh start)"
    echo "== integration tests on a throwaway PostgreSQL ($pg_url)"
fi
TEST_DATABASE_URL="$pg_url" run_tests postgres "$@"
