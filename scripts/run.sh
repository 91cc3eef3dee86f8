#!/usr/bin/env bash
# THE main job (README quick start). On a fresh machine it installs what it needs
# (scripts/setup.sh), then starts, on loopback:
#   - realmgate-server on SQLite (.realmgate/realmgate.db, created + migrated at first start):
#     identity administration and the embedded OpenID provider for realm `demo`
#     (http://127.0.0.1:$REALMGATE_PORT/realms/demo), with a confidential client `edge`;
#   - a demo identity (email + password printed once, kept in .realmgate/) and a demo API key;
#   - a small protected demo page (scripts/demo-origin.mjs) that shows the identity headers it gets;
#   - the edge Worker in local workerd (wrangler dev, local KV), gateway mode on /app/ in front
#     of the demo page.
# It prints the URL to open. Ctrl-C stops everything.
#
# Ports: REALMGATE_PORT (8080, server), REALMGATE_EDGE_PORT (8787, Worker),
# DEMO_ORIGIN_PORT (8788, demo page). REALMGATE_STATE overrides the state folder (where the
# edge's generated wrangler.toml + .dev.vars live too). REALMGATE_START_TIMEOUT (300 s) bounds
# the wait for each component to answer.
# REALMGATE_PROFILE=debug builds the server without release optimizations (the tests use it
# to reuse the test build; the default is release).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REALMGATE_ROOT"

PORT="${REALMGATE_PORT:-8080}"
EDGE_PORT="${REALMGATE_EDGE_PORT:-8787}"
ORIGIN_PORT="${DEMO_ORIGIN_PORT:-8788}"
STATE="${REALMGATE_STATE:-$REALMGATE_ROOT/.realmgate}"
SERVER_URL="http://127.0.0.1:$PORT"
EDGE_URL="http://127.0.0.1:$EDGE_PORT"
DEMO_EMAIL="demo@example.com"

pids=()
# A pid and every process below it: wrangler's launcher runs wrangler, which runs workerd,
# so killing the launcher alone would leave workerd serving the port. stop_all stops whole
# trees, whatever process group run.sh itself is in.
tree() { local c; for c in $(pgrep -P "$1" 2>/dev/null); do tree "$c"; done; echo "$1"; }
stop_all() {
  trap - EXIT INT TERM
  local all=() alive=() p
  for p in "${pids[@]}"; do mapfile -t -O "${#all[@]}" all < <(tree "$p"); done
  ((${#all[@]} == 0)) || kill -TERM "${all[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do # up to ~10 s for a clean stop
    alive=()
    for p in "${all[@]}"; do if kill -0 "$p" 2>/dev/null; then alive+=("$p"); fi; done
    ((${#alive[@]} > 0)) || break
    sleep 0.2
  done
  ((${#alive[@]} == 0)) || kill -KILL "${alive[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "realmgate: stopped"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
START_TIMEOUT="${REALMGATE_START_TIMEOUT:-300}"
wait_for() { # url, what, pid: waits until the URL answers HTTP at all (any status)
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    [[ "$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" != 000 ]] && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      echo "realmgate: $2 exited before answering at $1" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "realmgate: $2 did not come up at $1 within ${START_TIMEOUT}s" >&2
  return 1
}
random_secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }

for p in "$PORT" "$EDGE_PORT" "$ORIGIN_PORT"; do
  if port_in_use "$p"; then echo "realmgate: port $p is in use (set REALMGATE_PORT / REALMGATE_EDGE_PORT / DEMO_ORIGIN_PORT)" >&2; exit 1; fi
done

"$REALMGATE_ROOT/scripts/setup.sh"

PROFILE="${REALMGATE_PROFILE:-release}"
echo "==> building realmgate-server ($PROFILE) and the edge Worker (several minutes the first time)"
if [[ "$PROFILE" == release ]]; then cargo build --release -p realmgate-server; else cargo build -p realmgate-server; fi
SERVER="${CARGO_TARGET_DIR:-$REALMGATE_ROOT/target}/$PROFILE/realmgate-server"
"$REALMGATE_ROOT/scripts/build-edge.sh"

# ---- state made once: the edge client's secret, the demo password, the clients file
mkdir -p "$STATE"
chmod 700 "$STATE"
umask 077
[[ -s "$STATE/edge-client-secret" ]] || random_secret > "$STATE/edge-client-secret"
CLIENT_SECRET="$(cat "$STATE/edge-client-secret")"
cat > "$STATE/clients.json" <<JSON
{"demo": {"edge": {"secret": "$CLIENT_SECRET",
  "redirect_uris": ["$EDGE_URL/auth/callback"],
  "post_logout_redirect_uris": ["$EDGE_URL/"]}}}
JSON

export DATABASE_URL="sqlite:$STATE/realmgate.db"
export REALMGATE_LISTEN="127.0.0.1:$PORT"
export REALMGATE_PUBLIC_URL="$SERVER_URL"
export REALMGATE_REALMS=demo
export REALMGATE_CLIENTS="$STATE/clients.json"
export REALMGATE_LOG_FORMAT="${REALMGATE_LOG_FORMAT:-text}"

"$SERVER" migrate >/dev/null
if [[ ! -s "$STATE/demo-api-key" ]]; then
  "$SERVER" api-key create --realm demo --scope write --name demo-operator 2>/dev/null |
    grep -oE 'rgk_[A-Za-z0-9_-]+' | head -n1 > "$STATE/demo-api-key"
fi
API_KEY="$(cat "$STATE/demo-api-key")"

echo "==> starting realmgate-server on $SERVER_URL"
"$SERVER" serve > "$STATE/server.log" 2>&1 &
pids+=($!)
if ! wait_for "$SERVER_URL/readyz" "realmgate-server" "${pids[-1]}"; then
  tail -n 40 "$STATE/server.log" >&2
  exit 1
fi

# ---- the demo identity, created once through the admin API; its password is shown once
admin() { curl -fsS -H "Authorization: Bearer $API_KEY" -H 'content-type: application/json' "$@"; }
NEW_PASSWORD=""
if ! admin "$SERVER_URL/admin/v1/realms/demo/identities/by-email?email=$DEMO_EMAIL" >/dev/null 2>&1; then
  id="$(admin -X POST -d "{\"email\":\"$DEMO_EMAIL\",\"language\":\"en\",\"first_name\":\"Demo\",\"last_name\":\"User\"}" \
    "$SERVER_URL/admin/v1/realms/demo/identities" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')"
  NEW_PASSWORD="$(random_secret | cut -c1-16)"
  admin -X PUT -d "{\"email\":\"$DEMO_EMAIL\",\"password\":\"$NEW_PASSWORD\"}" \
    "$SERVER_URL/admin/v1/realms/demo/identities/$id/credentials" >/dev/null
  admin -X POST "$SERVER_URL/admin/v1/realms/demo/identities/$id/email/verify" >/dev/null
  printf '%s\n' "$NEW_PASSWORD" > "$STATE/demo-password"
fi

echo "==> starting the demo page on http://127.0.0.1:$ORIGIN_PORT"
DEMO_ORIGIN_PORT="$ORIGIN_PORT" node "$REALMGATE_ROOT/scripts/demo-origin.mjs" > "$STATE/origin.log" 2>&1 &
pids+=($!)
if ! wait_for "http://127.0.0.1:$ORIGIN_PORT/" "the demo page" "${pids[-1]}"; then
  tail -n 20 "$STATE/origin.log" >&2
  exit 1
fi

# ---- the edge Worker's local configuration, kept in the state folder: a copy of wrangler.toml
# (its `main` made absolute) and the .dev.vars next to it, which wrangler dev reads from the
# config's folder. Nothing is written into the repository, so two instances (other ports,
# other REALMGATE_STATE) never change each other's configuration.
EDGE_CONFIG_DIR="$STATE/edge"
mkdir -p "$EDGE_CONFIG_DIR"
sed -e "s|^main = .*|main = \"$REALMGATE_ROOT/edge/build/index.js\"|" "$REALMGATE_ROOT/wrangler.toml" > "$EDGE_CONFIG_DIR/wrangler.toml"
POLICY="{\"issuer_base_url\":\"$SERVER_URL\",\"allow_insecure_loopback\":true,\"leeway_seconds\":30,\"realms\":{\"demo\":{\"client_id\":\"edge\",\"scopes\":[\"openid\",\"email\",\"profile\"]}}}"
cat > "$EDGE_CONFIG_DIR/.dev.vars" <<VARS
REALMGATE_POLICY='$POLICY'
CLIENT_SECRET_DEMO='$CLIENT_SECRET'
PUBLIC_ORIGIN='$EDGE_URL'
GATEWAY_PREFIXES='/app/'
GATEWAY_ORIGIN='http://127.0.0.1:$ORIGIN_PORT'
GATEWAY_REALM='demo'
POST_LOGOUT_REDIRECT_URI='$EDGE_URL/'
VARS

echo "==> starting the edge Worker in local workerd on $EDGE_URL"
"$REALMGATE_ROOT/node_modules/.bin/wrangler" dev --config "$EDGE_CONFIG_DIR/wrangler.toml" \
  --ip 127.0.0.1 --port "$EDGE_PORT" --persist-to "$STATE/wrangler" --show-interactive-dev-session=false \
  > "$STATE/edge.log" 2>&1 &
pids+=($!)
if ! wait_for "$EDGE_URL/auth/session" "the edge Worker" "${pids[-1]}"; then
  tail -n 40 "$STATE/edge.log" >&2
  exit 1
fi

cat <<TXT

Realmgate is up.
  Open  $EDGE_URL/app/  in a browser and log in as $DEMO_EMAIL
TXT
if [[ -n "$NEW_PASSWORD" ]]; then
  echo "  password (shown once; also in $STATE/demo-password): $NEW_PASSWORD"
else
  echo "  password: in $STATE/demo-password"
fi
cat <<TXT
  Realm demo's OpenID provider: $SERVER_URL/realms/demo/.well-known/openid-configuration
  Identity administration API:   $SERVER_URL/admin/v1/openapi.json  (API key in $STATE/demo-api-key)
  Logs: $STATE/{server,edge,origin}.log
Ctrl-C stops everything.
TXT
echo "realmgate: ready"
wait -n "${pids[@]}" || true
echo "realmgate: a component exited; see the logs in $STATE" >&2
exit 1
