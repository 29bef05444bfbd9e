# shellcheck shell=bash
# Runtime environment of the release server, shared by scripts/run.sh and scripts/e2e.sh.
# Source it after `cd` to the repository root; callers then set DATABASE_URL and
# LEPTOS_SITE_ADDR themselves.
export LEPTOS_OUTPUT_NAME=gruppenbuch
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_HASH_FILES=true
export LEPTOS_ENV=PROD
export GB_DEMO=1
export GB_COOKIE_SECURE=0

GB_SERVER_BIN=target/release/gruppenbuch-server

# Fails with a hint when the release build is missing.
require_release_build() {
    if [[ ! -x "$GB_SERVER_BIN" ]]; then
        echo "missing $GB_SERVER_BIN: run 'make build' first" >&2
        return 1
    fi
    if ! compgen -G "target/site/pkg/gruppenbuch*.wasm" >/dev/null; then
        echo "missing target/site/pkg/gruppenbuch*.wasm: run 'make build' first" >&2
        return 1
    fi
}
