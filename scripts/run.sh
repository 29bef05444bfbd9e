#!/usr/bin/env bash
# Starts the release server on http://127.0.0.1:3000 with the embedded SQLite
# database under data/ and the demo institute (the server prints the demo logins).
# Run `make run` to set up and build first. DATABASE_URL and LEPTOS_SITE_ADDR may be
# overridden from the environment.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/server-env.sh
source scripts/server-env.sh
require_release_build

mkdir -p data
export DATABASE_URL="${DATABASE_URL:-sqlite://data/gruppenbuch.db}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
echo "run: starting $GB_SERVER_BIN on http://$LEPTOS_SITE_ADDR (database: $DATABASE_URL); Ctrl-C stops it"
exec "$GB_SERVER_BIN"
