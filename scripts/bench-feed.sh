#!/usr/bin/env bash
# The feed benchmark (tests/feed_bench.rs) and the report benchmark (tests/report_bench.rs)
# on SQLite, then on PostgreSQL
# (TEST_POSTGRES_URL, or a throwaway PostgreSQL 15 cluster as for the integration tests).
# Sizes: GB_FEED_BENCH_SIZES (default 10000,100000,1000000). Prints `feed-bench` and
# `report-bench` lines.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export LEPTOS_OUTPUT_NAME=gruppenbuch

run_bench() {
    cargo test -p gruppenbuch-tests --release -- --ignored --exact feed_bench::feed_bench report_bench::report_bench \
        --nocapture --test-threads=1 2>&1 | grep -E '^(feed|report)-bench|panicked|error' || true
}

echo "== feed and report benchmarks on SQLite"
(unset TEST_DATABASE_URL; run_bench)

PG_STATE=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n "$PG_STATE" ]]; then
        PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh stop >/dev/null || true
    fi
    exit "$rc"
}
trap cleanup EXIT
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    pg_url="$TEST_POSTGRES_URL"
else
    PG_STATE="$(mktemp /tmp/gb-pg-state.XXXXXX)"
    rm -f -- "$PG_STATE"
    pg_url="$(PG_THROWAWAY_STATE="$PG_STATE" scripts/pg-throwaway.sh start)"
fi
echo "== feed and report benchmarks on PostgreSQL"
TEST_DATABASE_URL="$pg_url" run_bench
