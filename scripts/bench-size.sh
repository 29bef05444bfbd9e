#!/usr/bin/env bash
# Download size of the first page on a phone: the hashed wasm, js and css under
# target/site/pkg of the release build, raw and brotli-compressed (quality 11, what a
# static pre-compression or a good CDN serves). 1 KB = 1000 bytes.
# Exits 1 when the brotli total exceeds the budget (GB_SIZE_BUDGET_KB, default 250).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PKG=target/site/pkg
HASH_FILE=target/release/hash.txt
BUDGET_KB="${GB_SIZE_BUDGET_KB:-250}"

[[ -d "$PKG" ]] || { echo "bench: $PKG missing: run 'make build' first" >&2; exit 1; }

if command -v brotli >/dev/null 2>&1; then
    brotli_size() { brotli -q 11 -c -- "$1" | wc -c; }
    method="brotli CLI, quality 11"
elif python3 -c 'import brotli' 2>/dev/null; then
    brotli_size() { python3 -c 'import brotli,sys; print(len(brotli.compress(open(sys.argv[1],"rb").read(), quality=11)))' "$1"; }
    method="python3 brotli module, quality 11"
else
    echo "bench: no brotli compressor: install the Debian package 'brotli' (make setup does)" >&2
    exit 1
fi

# The current build's files: from cargo-leptos' hash file when there is one (older
# hashed files may still lie in pkg/), else the newest file of each kind.
files=()
for ext in wasm js css; do
    f=""
    if [[ -f "$HASH_FILE" ]]; then
        hash="$(sed -n "s/^${ext}:[[:space:]]*//p" "$HASH_FILE" | head -n 1)"
        if [[ -n "$hash" && -f "$PKG/gruppenbuch.$hash.$ext" ]]; then
            f="$PKG/gruppenbuch.$hash.$ext"
        fi
    fi
    if [[ -z "$f" ]]; then
        # shellcheck disable=SC2012  # names are ours: gruppenbuch[.hash].ext
        f="$(ls -t "$PKG"/gruppenbuch*."$ext" 2>/dev/null | head -n 1 || true)"
    fi
    if [[ -z "$f" ]]; then
        echo "bench: no $PKG/gruppenbuch*.$ext found" >&2
        exit 1
    fi
    files+=("$f")
done
# With route splitting (`--split`), the first page also loads the split loader and its
# manifest; every page but login and start lives in lazily loaded chunks.
newest() { ls -t "$@" 2>/dev/null | head -n 1 || true; }
for pattern in "$PKG/__wasm_split.*.js" "$PKG/__wasm_split_manifest.*.json"; do
    # shellcheck disable=SC2086  # the pattern is meant to glob
    f="$(newest $pattern)"
    [[ -n "$f" ]] && files+=("$f")
done

kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }

printf '%-52s %12s %12s\n' "file (first page, $method)" "raw KB" "brotli KB"
raw_total=0
br_total=0
for f in "${files[@]}"; do
    raw=$(wc -c <"$f")
    br=$(brotli_size "$f")
    raw_total=$((raw_total + raw))
    br_total=$((br_total + br))
    printf '%-52s %12s %12s\n' "$f" "$(kb "$raw")" "$(kb "$br")"
done
printf '%-52s %12s %12s\n' "total" "$(kb "$raw_total")" "$(kb "$br_total")"

lazy_raw=0
lazy_br=0
lazy_count=0
for f in "$PKG"/split_*.wasm "$PKG"/chunk_*.wasm; do
    [[ -f "$f" ]] || continue
    lazy_raw=$((lazy_raw + $(wc -c <"$f")))
    lazy_br=$((lazy_br + $(brotli_size "$f")))
    lazy_count=$((lazy_count + 1))
done
if [[ $lazy_count -gt 0 ]]; then
    printf '%-52s %12s %12s
' "lazily loaded route chunks ($lazy_count files, all)" "$(kb "$lazy_raw")" "$(kb "$lazy_br")"
fi

if [[ $br_total -le $((BUDGET_KB * 1000)) ]]; then
    echo "bench: within budget: $(kb "$br_total") KB brotli <= ${BUDGET_KB} KB"
else
    echo "bench: OVER BUDGET: $(kb "$br_total") KB brotli > ${BUDGET_KB} KB"
    exit 1
fi
