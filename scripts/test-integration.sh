#!/usr/bin/env bash
# Runs the Rust integration tests (crate tests/, release profile) twice, with cargo-nextest
# (every test in a process of its own; the slow server-process tests in their own group,
# one at a time beside the fast ones: .config/nextest.toml):
#   1. on SQLite: TEST_DATABASE_URL unset, the tests use temporary SQLite files;
#   2. on PostgreSQL: TEST_DATABASE_URL=$TEST_POSTGRES_URL when that is set, else a
#      throwaway PostgreSQL 15 cluster (scripts/pg-throwaway.sh), stopped at the end
#      also when the tests fail or the run is interrupted.
# Extra arguments go to `cargo nextest run` (e.g. `store::` runs the tests whose name
# contains it; `-- --exact store::a_test` one test).
# With GB_TEST_LOG_DIR set, the output is also written to $GB_TEST_LOG_DIR/integration-*.log
# and the wall time of each pass is appended to $GB_TEST_LOG_DIR/step-times.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export LEPTOS_OUTPUT_NAME=gruppenbuch
export PATH="$PATH:$HOME/.cargo/bin"

if ! cargo nextest --version >/dev/null 2>&1; then
    echo "test-integration: cargo-nextest is missing; 'make setup' installs it" >&2
    exit 1
fi

if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
    mkdir -p "$GB_TEST_LOG_DIR"
    GB_TEST_LOG_DIR="$(cd "$GB_TEST_LOG_DIR" && pwd)"
fi

# run_tests NAME: the tests, output also to the log file when logging is on, and the time
# of the pass (with the PostgreSQL cluster's start for the second) in the step times.
run_tests() {
    local name="$1"; shift
    if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
        cargo nextest run -p gruppenbuch-tests --release --no-tests=fail "$@" 2>&1 \
            | tee "$GB_TEST_LOG_DIR/integration-$name.log"
    else
        cargo nextest run -p gruppenbuch-tests --release --no-tests=fail "$@"
    fi
}

# record NAME START_NS RC: one line "NAME MILLISECONDS RC" in the step times.
record() {
    if [[ -n "${GB_TEST_LOG_DIR:-}" ]]; then
        echo "$1 $(( ($(date +%s%N) - $2) / 1000000 )) $3" >>"$GB_TEST_LOG_DIR/step-times"
    fi
}

echo "== integration tests on SQLite (temporary files)"
started=$(date +%s%N)
rc=0
(unset TEST_DATABASE_URL; run_tests sqlite "$@") || rc=$?
record integration-sqlite "$started" "$rc"
[[ $rc -eq 0 ]] || exit "$rc"

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

started=$(date +%s%N)
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    pg_url="$TEST_POSTGRES_URL"
    echo "== integration tests on PostgreSQL from TEST_POSTGRES_URL"
else
    PG_STATE="$(mktemp /tmp/gb-pg-state.XXXXXX)"
    rm -f -- "$PG_STATE"   # pg-throwaway.sh creates it; the name only has to be unique
    pg_url="$(PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh start)"
    echo "== integration tests on a throwaway PostgreSQL ($pg_url)"
fi
rc=0
TEST_DATABASE_URL="$pg_url" run_tests postgres "$@" || rc=$?
record integration-postgres "$started" "$rc"
exit "$rc"
