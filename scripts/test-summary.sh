#!/usr/bin/env bash
# The end of a `make test` run, from its log directory:
#   1. the wall time of each step (`step-times`: "NAME MILLISECONDS EXIT_CODE" lines,
#      written by the Makefile and scripts/test-integration.sh) and their sum;
#   2. "N passed, 0 failed" from the runners' own summaries (cargo test: "test result:
#      ok. N passed; M failed; ...", cargo-nextest: "Summary [...] T tests run: N passed,
#      M failed, ...", node --test: "# pass N", Playwright's list reporter: "N passed
#      (12.3s)", "M failed", "K flaky").
# With --times only the first part (after a failed step). When a log or a summary is
# missing it prints a note instead of the count (exit 0), so the line is never made up;
# it exits 1 only when a runner reported failures.
set -euo pipefail
times_only=0
if [[ "${1:-}" == --times ]]; then
    times_only=1
    shift
fi
dir="${1:?usage: $0 [--times] LOG_DIR}"

if [[ -f "$dir/step-times" ]]; then
    echo "---- wall time per step"
    awk '{ printf "  %-22s %8.1f s%s\n", $1, $2 / 1000, ($3 == 0 ? "" : "  (failed)"); total += $2 }
         END { printf "  %-22s %8.1f s (%.1f min)\n", "total", total / 1000, total / 60000 }' "$dir/step-times"
fi
[[ $times_only -eq 1 ]] && exit 0

expected=(integration-sqlite.log integration-postgres.log e2e.log)
[[ -f "$dir/unit.log" ]] && expected=(unit.log "${expected[@]}")
[[ -f "$dir/unit-js.log" ]] && expected=(unit-js.log "${expected[@]}")

passed=0
failed=0
for name in "${expected[@]}"; do
    f="$dir/$name"
    if [[ ! -f "$f" ]]; then
        echo "test-summary: no $f; see the runners' output above" >&2
        exit 0
    fi
    if [[ $name == unit-js.log ]]; then
        # node --test's TAP summary: "# pass N", "# fail M".
        p=$(grep -E '^# pass [0-9]+' "$f" | grep -Eo '[0-9]+' | tail -n 1 || true)
        x=$(grep -E '^# fail [0-9]+' "$f" | grep -Eo '[0-9]+' | tail -n 1 || true)
        if [[ -z "$p" ]]; then
            echo "test-summary: no node --test summary in $f; see the runners' output above" >&2
            exit 0
        fi
        passed=$((passed + p))
        failed=$((failed + ${x:-0}))
    elif [[ $name == e2e.log ]]; then
        # Playwright's final block: lines like "  3 passed (4.2s)", "  1 failed", "  2 flaky".
        p=$(grep -E '^[[:space:]]*[0-9]+ passed( |$)' "$f" | tail -n 1 | grep -Eo '[0-9]+' | head -n 1 || true)
        x=$( { grep -E '^[[:space:]]*[0-9]+ (failed|flaky|interrupted)( |$)' "$f" || true; } | awk '{ s += $1 } END { print s + 0 }')
        if [[ -z "$p" ]]; then
            echo "test-summary: no Playwright summary in $f; see the runners' output above" >&2
            exit 0
        fi
        passed=$((passed + p))
        failed=$((failed + ${x:-0}))
    elif grep -Eq '^[[:space:]]*Summary \[' "$f"; then
        # cargo-nextest: "Summary [  35.1s] 120 tests run: 118 passed (2 slow), 2 failed, 3 skipped".
        line=$(grep -E '^[[:space:]]*Summary \[' "$f" | tail -n 1)
        p=$(grep -Eo '[0-9]+ passed' <<<"$line" | grep -Eo '[0-9]+' || echo 0)
        x=$( { grep -Eo '[0-9]+ (failed|timed out)' <<<"$line" || true; } | awk '{ s += $1 } END { print s + 0 }')
        passed=$((passed + p))
        failed=$((failed + x))
    else
        lines=$(grep -E '^test result: ' "$f" || true)
        if [[ -z "$lines" ]]; then
            echo "test-summary: no cargo test or nextest summary in $f; see the runners' output above" >&2
            exit 0
        fi
        while read -r line; do
            p=$(sed -E 's/.* ([0-9]+) passed;.*/\1/' <<<"$line")
            x=$(sed -E 's/.* ([0-9]+) failed;.*/\1/' <<<"$line")
            passed=$((passed + p))
            failed=$((failed + x))
        done <<<"$lines"
    fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
