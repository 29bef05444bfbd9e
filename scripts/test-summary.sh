#!/usr/bin/env bash
# Prints "N passed, 0 failed" for a `make test` run from the runners' own summaries
# in the log directory (cargo: "test result: ok. N passed; M failed; ...",
# node --test: "# pass N", Playwright list reporter: "N passed (12.3s)", "M failed", "K flaky").
# When a log or a summary is missing it prints only a note (exit 0), so the line is
# never made up; it exits 1 only when a runner reported failures.
set -euo pipefail
dir="${1:?usage: $0 LOG_DIR}"
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
    else
        lines=$(grep -E '^test result: ' "$f" || true)
        if [[ -z "$lines" ]]; then
            echo "test-summary: no cargo test summary in $f; see the runners' output above" >&2
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
