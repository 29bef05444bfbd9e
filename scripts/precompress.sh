#!/usr/bin/env bash
# Writes brotli (.br) and gzip (.gz) siblings of the built WebAssembly, JavaScript and
# CSS, so the server sends phones the compressed files (ServeDir picks them by
# Accept-Encoding) without compressing on every request.
#
# Also writes offline-assets.json: the URL paths of every hashed file of this build
# under pkg/ (WebAssembly, JavaScript, CSS and the split manifest, not their .br/.gz
# siblings). The service worker reads it after a page has loaded and caches the whole
# build, including route chunks the user has not opened yet, so the app starts offline.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/target/site"
shopt -s nullglob

# Hashed names only (<name>.<hash>.<ext>, hash = 22 base64url chars or hex), the same
# rule as HASHED_PKG in public/sw.js; it also keeps the JSON free of characters that
# would need escaping. An unhashed dev build yields an empty list.
hashed='^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]{22}|[0-9a-f]{6,64})\.(js|wasm|css|json)$'
assets=()
for f in pkg/*.wasm pkg/*.js pkg/*.css pkg/*.json; do
    name="${f#pkg/}"
    [[ -f "$f" && "$name" =~ $hashed ]] && assets+=("\"/pkg/$name\"")
done
# Sorted for a stable file; written beside and moved, so the server never serves half of it.
list="$(printf '%s\n' "${assets[@]}" | LC_ALL=C sort | paste -sd, -)"
printf '[%s]\n' "$list" > offline-assets.json.tmp
mv -f offline-assets.json.tmp offline-assets.json

for f in pkg/*.wasm pkg/*.js pkg/*.css pkg/*.json sw.js outbox.js offline.html offline-assets.json manifest.webmanifest; do
    [[ -f "$f" ]] || continue
    brotli -q 11 -f -k -- "$f"
    gzip -9 -f -k -n -- "$f"
done
echo "precompress: wrote .br and .gz next to $(ls pkg/*.wasm pkg/*.js pkg/*.css pkg/*.json 2>/dev/null | wc -l) assets;" \
    "offline-assets.json lists ${#assets[@]} files"
