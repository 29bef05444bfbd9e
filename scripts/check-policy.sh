#!/usr/bin/env bash
# The policy is the only place that decides who may do what (`app/src/auth/policy.rs`).
# Part of `make lint`; fails, naming file and line, on:
#   - a role compared or matched outside `app/src/auth/` (what a role *is* — its PIN, its
#     groups, its label — lives in `app/src/domain/role.rs`, which may look at it);
#   - a page permission (`can_open`) used to guard a server function or a server route;
#   - a list scope made anywhere but the policy (`ListScope::decided`);
#   - an id taken from the store's trust outside the store (`::from_store(`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VARIANT='([[:alnum:]_]+::)*Role::(Leitung|Fachberatung|Fachkraft|Jugendliche|Admin|Datenschutz)'
failures=0
report() {
    local what="$1"; shift
    local hits
    hits="$(grep -nE "$@" || true)"
    if [[ -n "$hits" ]]; then
        printf 'check-policy: %s\n%s\n' "$what" "$hits" >&2
        failures=$((failures + 1))
    fi
}

mapfile -t code < <(find app/src server/src -name '*.rs' \
    -not -path 'app/src/auth/*' -not -path 'app/src/domain/role.rs' | sort)
# `== Role::X`, `Role::X !=`, `Role::X =>` (a match arm), `matches!(…, Role::X…)`, and
# `match <…>.role {`.
report "role logic outside app/src/auth (ask the policy instead):" \
    -e "(==|!=)[[:space:]]*${VARIANT}" -e "${VARIANT}[[:space:]]*(==|!=|=>|\|)" \
    -e "matches!\([^)]*${VARIANT}" -e "match[[:space:]][^{]*\brole\b[[:space:]]*\{" -- "${code[@]}"

mapfile -t guarded < <(find app/src/api server/src -name '*.rs' | sort)
report "a page permission guards a server function (use Cx::begin with an Action):" \
    -e "can_open" -- "${guarded[@]}"

mapfile -t not_policy < <(find app/src server/src -name '*.rs' \
    -not -path 'app/src/auth/policy.rs' -not -path 'app/src/domain/scope.rs' | sort)
report "a list scope made outside the policy (use Cx::scope):" -e "ListScope::decided" -- "${not_policy[@]}"

mapfile -t outside_store < <(find app/src server/src -name '*.rs' \
    -not -path 'app/src/db/*' -not -path 'app/src/domain/ids.rs' | sort)
report "an id trusted as stored outside the store (parse it):" -e "::from_store\(" -- "${outside_store[@]}"

if [[ $failures -gt 0 ]]; then
    exit 1
fi
echo "check-policy: ok (roles, page guards, scopes and ids are decided where they belong)"
