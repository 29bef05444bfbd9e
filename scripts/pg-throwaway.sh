#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for the integration tests.
#
#   scripts/pg-throwaway.sh start   # prints postgres://postgres@127.0.0.1:PORT/gruppenbuch_test
#   scripts/pg-throwaway.sh stop    # stops the cluster and deletes its directory
#
# The cluster lives in a fresh temporary directory, listens on 127.0.0.1 on a free
# port (unix socket inside that directory), uses trust authentication (it is never
# reachable from outside this machine and is deleted afterwards) and runs with
# fsync=off. It runs as the `postgres` user when started by root, else as the
# calling user. Installs the Debian package when the binaries are missing.
#
# State (directory, port, ...) is kept in $PG_THROWAWAY_STATE (default
# /tmp/gruppenbuch-pg-throwaway.state) so that `stop` finds the cluster; give each
# concurrent user its own state file. Only the URL goes to stdout; progress goes to stderr.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
STATE="${PG_THROWAWAY_STATE:-/tmp/gruppenbuch-pg-throwaway.state}"
DB_NAME="${PG_THROWAWAY_DB:-gruppenbuch_test}"
BASE_DIR="${PG_THROWAWAY_BASE:-/tmp}"   # must be traversable by the postgres user

log() { printf 'pg-throwaway: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Run a command as the cluster owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_binaries() {
    [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] && return 0
    log "PostgreSQL 15 binaries not found in $PG_BIN; installing the Debian package"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "not root and no sudo: install postgresql-15 yourself"
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" apt-get install -y postgresql-15 >&2 || "${sudo[@]}" apt-get install -y postgresql >&2
    [[ -x "$PG_BIN/initdb" ]] || die "still no $PG_BIN/initdb after installing PostgreSQL"
}

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Read KEY=VALUE lines of the state file without sourcing it.
state_get() {
    sed -n "s/^$1=//p" "$STATE" | head -n 1
}

stop_cluster() {
    if [[ ! -f "$STATE" ]]; then
        log "no state file $STATE: nothing to stop"
        return 0
    fi
    local dir
    dir="$(state_get DIR)"
    if [[ -z "$dir" || "$dir" != "$BASE_DIR"/gb-pg.* ]]; then
        die "state file $STATE names an unexpected directory '$dir'; not touching it"
    fi
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        log "stopping cluster in $dir"
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 \
            || log "pg_ctl stop failed (cluster already gone?)"
    fi
    rm -rf -- "$dir"
    rm -f -- "$STATE"
    log "stopped and removed $dir"
}

start_cluster() {
    if [[ -f "$STATE" ]]; then
        local old_dir
        old_dir="$(state_get DIR)"
        if [[ -n "$old_dir" && -f "$old_dir/data/postmaster.pid" ]] \
            && kill -0 "$(head -n 1 "$old_dir/data/postmaster.pid")" 2>/dev/null; then
            die "a cluster from $STATE is still running in $old_dir; run '$0 stop' first or set PG_THROWAWAY_STATE"
        fi
        log "removing stale state $STATE"
        stop_cluster
    fi

    ensure_binaries
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (install postgresql-15)"
    fi

    local dir port
    dir="$(mktemp -d "$BASE_DIR/gb-pg.XXXXXX")"
    chmod 700 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    # Write the state first, so that `stop` cleans up even when start fails half-way.
    printf 'DIR=%s\n' "$dir" >"$STATE"

    log "initdb in $dir/data"
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

    local attempt
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        log "starting on 127.0.0.1:$port (attempt $attempt)"
        if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >&2; then
            break
        fi
        port=""
        tail -n 20 "$dir/server.log" >&2 || true
    done
    [[ -n "$port" ]] || die "could not start PostgreSQL (log: $dir/server.log)"
    printf 'DIR=%s\nPORT=%s\n' "$dir" "$port" >"$STATE"

    local i
    for i in $(seq 1 60); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then break; fi
        [[ $i -eq 60 ]] && die "PostgreSQL on port $port not ready after 30 s"
        sleep 0.5
    done

    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME" >&2 \
        || die "createdb $DB_NAME failed"
    log "ready: database $DB_NAME on 127.0.0.1:$port (state: $STATE)"
    printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$port" "$DB_NAME"
}

case "${1:-}" in
    start) start_cluster ;;
    stop) stop_cluster ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
