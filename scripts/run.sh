#!/usr/bin/env bash
# THE main job (README quick start). Installs what it needs (scripts/setup.sh), builds the
# native server and runs it on SQLite with a demo realm, ready to be administered.
#
# What it starts today:
#   - realmgate-server (identity administration, issue #4) on 127.0.0.1:${REALMGATE_PORT:-8080},
#     SQLite file under .realmgate/ (created and migrated at first start), realm `demo`;
#   - an API key for realm `demo` (read+write), created once and printed once.
# The edge Worker in local workerd (#3) and the embedded realm issuer for browser login (#5)
# join this script when they land. Ctrl-C stops everything.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REALMGATE_ROOT"

"$REALMGATE_ROOT/scripts/setup.sh"

PORT="${REALMGATE_PORT:-8080}"
STATE="$REALMGATE_ROOT/.realmgate"
mkdir -p "$STATE"
export DATABASE_URL="sqlite:$STATE/realmgate.db"
export REALMGATE_LISTEN="127.0.0.1:$PORT"
export REALMGATE_REALMS=demo
export REALMGATE_LOG_FORMAT=text

echo "==> building realmgate-server (release)"
cargo build -q --release -p realmgate-server
SERVER="$REALMGATE_ROOT/target/release/realmgate-server"

"$SERVER" migrate
if [[ ! -s "$STATE/demo-api-key" ]]; then
  # Printed once by the server; kept (mode 600) so a re-run can show how to use it.
  umask 077
  "$SERVER" api-key create --realm demo --scope write --name demo-operator | tee "$STATE/demo-api-key.out"
  grep -oE 'rgk_[A-Za-z0-9_-]+' "$STATE/demo-api-key.out" | head -n1 > "$STATE/demo-api-key"
  rm -f "$STATE/demo-api-key.out"
fi
KEY="$(cat "$STATE/demo-api-key")"

cat <<TXT

Realmgate is starting.
  identity administration: http://127.0.0.1:$PORT/admin/v1/openapi.json
  readiness:               http://127.0.0.1:$PORT/readyz
  demo API key (realm demo, read+write) is in .realmgate/demo-api-key; try:
    curl -s -H "Authorization: Bearer \$(cat .realmgate/demo-api-key)" -H 'content-type: application/json' \\
      -d '{"email":"ann@example.com","language":"en"}' http://127.0.0.1:$PORT/admin/v1/realms/demo/identities
Ctrl-C stops it.
TXT
: "$KEY"
exec "$SERVER" serve
