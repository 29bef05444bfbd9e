#!/usr/bin/env bash
# Operations figures of the release server (tests/load_bench.rs, tests/durability.rs) on
# SQLite, then on PostgreSQL (TEST_POSTGRES_URL, or a throwaway PostgreSQL 15 cluster as
# for the integration tests, stopped on exit):
#   - the load benchmark: 50 phones sending sealed notes for GB_LOAD_SECONDS (default
#     20) to one instance, and on PostgreSQL also to two instances on one database;
#   - the long crash run: GB_DURABILITY_KILLS (default 100) SIGKILLs at random moments
#     while GB_DURABILITY_CLIENTS (default 20) phones keep sending.
# Prints the `load-bench:` and `durability:` lines, and failures (then exits with 1).
# Needs the release server target/release/gruppenbuch-server (`make build`), or
# GB_SERVER_BIN.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export LEPTOS_OUTPUT_NAME=gruppenbuch

if [[ -z "${GB_SERVER_BIN:-}" && ! -x target/release/gruppenbuch-server ]]; then
    echo "missing target/release/gruppenbuch-server: run 'make build' first" >&2
    exit 1
fi
export GB_DURABILITY_KILLS="${GB_DURABILITY_KILLS:-100}"
export GB_DURABILITY_CLIENTS="${GB_DURABILITY_CLIENTS:-20}"
FAILED=0

# filtered CMD...: runs CMD, shows only the figures (libtest may print them after
# `test name ... `), panics with their message and compiler errors; remembers a failure.
filtered() {
    set +e
    "$@" 2>&1 | awk '
        match($0, /(load-bench|durability): .*/) { print substr($0, RSTART); next }
        /panicked at/ { show = 1 }
        show && /^$/ { show = 0 }
        show { print; next }
        /^error(\[|:)/ { print }'
    local rc=${PIPESTATUS[0]}
    set -e
    if [[ $rc -ne 0 ]]; then
        echo "FAILED (exit $rc): $*"
        FAILED=1
    fi
}

run_benches() {
    filtered cargo test -p gruppenbuch-tests --release -- --ignored --exact load_bench::load_bench \
        --nocapture --test-threads=1
    filtered cargo test -p gruppenbuch-tests --release -- --exact \
        durability::every_acknowledged_note_survives_hard_kills_exactly_once --nocapture --test-threads=1
}

echo "== operations benchmark on SQLite"
(unset TEST_DATABASE_URL; run_benches; exit "$FAILED") || FAILED=1

PG_STATE=""
PG_LOG="$(mktemp /tmp/gb-pg-log.XXXXXX)"
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n "$PG_STATE" ]]; then
        PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh stop >/dev/null 2>&1 || true
    fi
    rm -f -- "$PG_LOG"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    pg_url="$TEST_POSTGRES_URL"
else
    PG_STATE="$(mktemp /tmp/gb-pg-state.XXXXXX)"
    rm -f -- "$PG_STATE"
    pg_url="$(PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh start 2>"$PG_LOG")" \
        || { cat "$PG_LOG" >&2; exit 1; }
fi
echo "== operations benchmark on PostgreSQL"
TEST_DATABASE_URL="$pg_url" run_benches
exit "$FAILED"
