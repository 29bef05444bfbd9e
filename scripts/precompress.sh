#!/usr/bin/env bash
# Writes brotli (.br) and gzip (.gz) siblings of the built WebAssembly, JavaScript and
# CSS, so the server sends phones the compressed files (ServeDir picks them by
# Accept-Encoding) without compressing on every request.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/target/site"
shopt -s nullglob
for f in pkg/*.wasm pkg/*.js pkg/*.css sw.js manifest.webmanifest; do
    [[ -f "$f" ]] || continue
    brotli -q 11 -f -k -- "$f"
    gzip -9 -f -k -n -- "$f"
done
echo "precompress: wrote .br and .gz next to $(ls pkg/*.wasm pkg/*.js pkg/*.css 2>/dev/null | wc -l) assets"
