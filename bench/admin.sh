#!/usr/bin/env bash
# Admin API throughput (issue #6, item 6): requests/s, p99 latency and peak RSS of
# realmgate-server on SQLite and on PostgreSQL, each endpoint against a trivial endpoint
# of the same server measured in the same run.
#
#   bench/admin.sh                      # ~4 minutes on 2 cores
#
# What it does:
#   1. builds the server in release (`cargo build --release -p realmgate-server`);
#   2. starts a throwaway PostgreSQL cluster (default settings: fsync and synchronous_commit
#      ON, like SQLite's default durability) on 127.0.0.1:$RG_BENCH_PG_PORT;
#   3. per backend (SQLite file in a temp dir; a database in that cluster): creates a write
#      API key for realm `bench`, starts `realmgate-server serve`, seeds $RG_BENCH_SEED
#      identities through the API (wrk, 16 connections), lists them back (ids, addresses);
#   4. $RG_BENCH_ROUNDS rounds, alternating backends and endpoints inside each round, of
#      `wrk -t2 -c16 -d${RG_BENCH_DURATION}s --latency` against
#        healthz  GET /healthz — the trivial endpoint: same router and middleware stack
#                 (request id, trace span, metrics, body limit), no auth, no database
#        by-id    GET  /admin/v1/realms/bench/identities/{id}            (rotating ids)
#        by-email GET  /admin/v1/realms/bench/identities/by-email?email= (rotating emails)
#        create   POST /admin/v1/realms/bench/identities  (unique email, no password)
#      then reads the server's VmHWM (peak RSS) from /proc/<pid>/status;
#   5. a last, shorter comparison: set-password (PUT …/identities/{id}/credentials, one
#      argon2id hash per request) alternated with healthz, and VmHWM after it.
#   Every wrk run must have 0 non-2xx answers and 0 socket errors, else the script fails.
#
# Prints, per backend and endpoint: median requests/s, median of the per-round ratios to
# healthz, median p99 (ms), non-2xx total; raw wrk outputs stay in the work directory
# (printed at the end; removed with RG_BENCH_KEEP=0).
#
# Environment: RG_BENCH_ROUNDS (3), RG_BENCH_DURATION (5 s), RG_BENCH_SEED (10000),
# RG_BENCH_THREADS (2), RG_BENCH_CONNECTIONS (16), RG_BENCH_PG_PORT (9250),
# RG_BENCH_PORT (9251: SQLite server; +1 PostgreSQL server), RG_BENCH_BACKENDS
# ("sqlite postgres"), RG_BENCH_PASSWORD (1: run the set-password row), RG_BENCH_KEEP (1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${RG_BENCH_ROUNDS:-3}"
DURATION="${RG_BENCH_DURATION:-5}"
SEED="${RG_BENCH_SEED:-10000}"
THREADS="${RG_BENCH_THREADS:-2}"
CONNS="${RG_BENCH_CONNECTIONS:-16}"
PG_PORT="${RG_BENCH_PG_PORT:-9250}"
SERVER_PORT="${RG_BENCH_PORT:-9251}"
BACKENDS="${RG_BENCH_BACKENDS:-sqlite postgres}"
PASSWORD_ROW="${RG_BENCH_PASSWORD:-1}"
REALM=bench
ENDPOINTS=(healthz by-id by-email create)

die() { printf 'bench/admin: error: %s\n' "$*" >&2; exit 1; }
note() { printf '[admin-bench] %s\n' "$*" >&2; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- tools
if ! command -v wrk >/dev/null; then
  note "installing wrk"
  if [[ $EUID -eq 0 ]]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
for tool in curl jq; do command -v "$tool" >/dev/null || die "$tool is required"; done

note "building realmgate-server (release)"
(cd "$ROOT" && cargo build --release -q -p realmgate-server)
BIN="$ROOT/target/release/realmgate-server"
[[ -x "$BIN" ]] || die "$BIN was not built"

WORK="$(mktemp -d /tmp/realmgate-admin-bench.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/runs"
declare -A SERVER_PID=()
PG_BIN=""
PG_DATA="$WORK/pg"

pg_as() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local pid
  for pid in "${SERVER_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PID[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$PG_BIN" && -f "$PG_DATA/postmaster.pid" ]]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m fast -w >/dev/null 2>&1 || true
  fi
  if [[ "${RG_BENCH_KEEP:-1}" == 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- PostgreSQL
start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL server binaries not found (scripts/setup.sh installs them)"
  port_in_use "$PG_PORT" && die "port $PG_PORT is in use (set RG_BENCH_PG_PORT)"
  mkdir -p "$PG_DATA"
  [[ $EUID -ne 0 ]] || chown postgres: "$PG_DATA"
  echo postgres >"$WORK/pwfile"
  [[ $EUID -ne 0 ]] || chown postgres: "$WORK/pwfile"
  pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$WORK/pwfile" --auth-host=scram-sha-256 \
    --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
  # Default durability (fsync, synchronous_commit, full_page_writes): what a deployment runs.
  cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
EOF
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start >/dev/null ||
    { cat "$PG_DATA/server.log" >&2; die "PostgreSQL did not start"; }
  PGPASSWORD=postgres "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE realmgate LOGIN PASSWORD 'realmgate'" -c "CREATE DATABASE realmgate_bench OWNER realmgate" >/dev/null
}

database_url() {
  case "$1" in
    sqlite) echo "sqlite:$WORK/sqlite/realmgate.db" ;;
    postgres) echo "postgres://realmgate:realmgate@127.0.0.1:$PG_PORT/realmgate_bench" ;;
  esac
}

# ---------------------------------------------------------------- wrk
# run_wrk BACKEND ENDPOINT TAG [extra env...]: one wrk run, output kept in runs/.
run_wrk() {
  local backend="$1" endpoint="$2" tag="$3" duration="${4:-$DURATION}"
  local port="${PORT[$backend]}" out="$WORK/runs/$backend.$endpoint.$tag.txt" script=() url
  url="http://127.0.0.1:$port"
  case "$endpoint" in
    healthz) url="$url/healthz" ;;
    by-id) script=(-s "$ROOT/bench/admin/get_by_id.lua") ;;
    by-email) script=(-s "$ROOT/bench/admin/get_by_email.lua") ;;
    create) script=(-s "$ROOT/bench/admin/create.lua") ;;
    set-password) script=(-s "$ROOT/bench/admin/set_password.lua") ;;
    *) die "unknown endpoint $endpoint" ;;
  esac
  RG_LUA_DIR="$ROOT/bench/admin" RG_REALM="$REALM" RG_SEEDED="$WORK/$backend.seeded.tsv" RG_RUN="c$tag" \
    wrk -t"$THREADS" -c"$CONNS" -d"${duration}s" --timeout 10s --latency \
    -H "Authorization: Bearer ${KEY[$backend]}" "${script[@]}" "$url" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk failed ($backend $endpoint)"; }
  check_run "$out"
  printf '%s\t%s\t%s\t%s\t%s\n' "$backend" "$endpoint" "$tag" "$(rps_of "$out")" "$(p99_ms_of "$out")" >>"$WORK/results.tsv"
}

# Fails loudly on any non-2xx answer or socket error.
check_run() {
  if grep -q 'Non-2xx or 3xx responses' "$1" || grep -q 'Socket errors' "$1"; then
    cat "$1" >&2
    die "non-2xx answers or socket errors in $(basename "$1") (see above)"
  fi
  grep -q '^Requests/sec:' "$1" || { cat "$1" >&2; die "no Requests/sec in $1"; }
}
rps_of() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
# wrk --latency prints e.g. "     99%    1.23ms" (us, ms or s).
p99_ms_of() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1;
    printf "%.3f\n", v * f }' "$1"
}
vm_hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
vm_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---------------------------------------------------------------- per backend set-up
declare -A PORT=() KEY=() HWM_READ=() HWM_PW=() RSS_IDLE=()

start_backend() {
  local backend="$1" port="$2" url
  url="$(database_url "$backend")"
  PORT[$backend]="$port"
  port_in_use "$port" && die "port $port is in use (set RG_BENCH_PORT)"
  mkdir -p "$WORK/sqlite"
  KEY[$backend]="$(RUST_LOG=warn "$BIN" --database-url "$url" api-key create --realm "$REALM" --scope write --name bench 2>/dev/null)"
  [[ "${KEY[$backend]}" == rgk_* ]] || die "api-key create did not print a key ($backend)"
  RUST_LOG=info "$BIN" --database-url "$url" serve --listen "127.0.0.1:$port" --realm "$REALM" \
    >"$WORK/$backend.server.log" 2>&1 &
  SERVER_PID[$backend]=$!
  local i
  for i in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "${SERVER_PID[$backend]}" 2>/dev/null || { cat "$WORK/$backend.server.log" >&2; die "$backend server exited"; }
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || die "$backend server not ready"
  RSS_IDLE[$backend]="$(vm_rss_kib "${SERVER_PID[$backend]}")"
}

# Seeds at least $SEED identities through the API (1-second wrk runs of the create script
# until enough were answered: wrk runs for its whole duration), then lists them back
# (id, email) for the lookup scripts.
seed_backend() {
  local backend="$1" port="${PORT[$1]}" out done_n=0 chunk=0 made
  while ((done_n < SEED)); do
    chunk=$((chunk + 1))
    out="$WORK/runs/$backend.seed.$chunk.txt"
    RG_LUA_DIR="$ROOT/bench/admin" RG_REALM="$REALM" RG_RUN="seed$chunk" \
      wrk -t"$THREADS" -c"$CONNS" -d1s --timeout 10s -H "Authorization: Bearer ${KEY[$backend]}" \
      -s "$ROOT/bench/admin/create.lua" "http://127.0.0.1:$port" >"$out" 2>&1 || { cat "$out" >&2; die "seeding failed"; }
    check_run "$out"
    made="$(awk '/ requests in / { print $1 }' "$out")"
    done_n=$((done_n + made))
  done
  local after="" page n=0
  : >"$WORK/$backend.seeded.tsv"
  while :; do
    page="$(curl -fsS -H "Authorization: Bearer ${KEY[$backend]}" \
      "http://127.0.0.1:$port/admin/v1/realms/$REALM/identities?limit=200${after:+&after=$after}")" || die "listing failed ($backend)"
    jq -r '.items[] | [.id, .email] | @tsv' <<<"$page" >>"$WORK/$backend.seeded.tsv"
    after="$(jq -r '.next_cursor // empty' <<<"$page")"
    [[ -n "$after" ]] || break
  done
  n="$(wc -l <"$WORK/$backend.seeded.tsv")"
  ((n >= SEED)) || die "only $n identities seeded on $backend (wanted $SEED)"
  note "$backend: seeded $n identities"
}

# ---------------------------------------------------------------- run
: >"$WORK/results.tsv"
port="$SERVER_PORT"
for backend in $BACKENDS; do
  if [[ "$backend" == postgres && -z "$PG_BIN" ]]; then start_postgres; fi
  start_backend "$backend" "$port"
  port=$((port + 1))
done
for backend in $BACKENDS; do seed_backend "$backend"; done

note "$ROUNDS rounds x ${#ENDPOINTS[@]} endpoints x backends ($BACKENDS), ${DURATION}s each, wrk -t$THREADS -c$CONNS"
for round in $(seq 1 "$ROUNDS"); do
  # Alternate the order of endpoints between rounds so drift does not favour one.
  order=("${ENDPOINTS[@]}")
  if ((round % 2 == 0)); then order=(); for ((j = ${#ENDPOINTS[@]} - 1; j >= 0; j--)); do order+=("${ENDPOINTS[j]}"); done; fi
  for backend in $BACKENDS; do
    for endpoint in "${order[@]}"; do
      run_wrk "$backend" "$endpoint" "r$round"
    done
  done
  note "round $round/$ROUNDS done"
done
for backend in $BACKENDS; do HWM_READ[$backend]="$(vm_hwm_kib "${SERVER_PID[$backend]}")"; done

if [[ "$PASSWORD_ROW" == 1 ]]; then
  note "set-password (argon2id) vs healthz, $ROUNDS rounds"
  for round in $(seq 1 "$ROUNDS"); do
    for backend in $BACKENDS; do
      run_wrk "$backend" healthz "p$round"
      run_wrk "$backend" set-password "p$round"
    done
  done
  for backend in $BACKENDS; do HWM_PW[$backend]="$(vm_hwm_kib "${SERVER_PID[$backend]}")"; done
fi

# ---------------------------------------------------------------- report
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# ratio of each run to the healthz run of the same backend and round (r* or p* tags)
ratios() {
  awk -F'\t' -v b="$1" -v e="$2" '$1 == b { rps[$2 "\t" $3] = $4; if ($2 == e) tags[$3] = 1 }
    END { for (t in tags) if ((("healthz\t" t) in rps) && rps["healthz\t" t] > 0) print rps[e "\t" t] / rps["healthz\t" t] }' "$WORK/results.tsv"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
column_of() { awk -F'\t' -v b="$1" -v e="$2" -v c="$3" -v p="$4" '$1 == b && $2 == e && substr($3, 1, 1) == p { print $c }' "$WORK/results.tsv"; }

echo
echo "realmgate-server admin API — wrk -t$THREADS -c$CONNS, ${DURATION}s per run, $ROUNDS rounds (medians), $SEED seeded identities"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); $(uname -sr)"
echo "trivial endpoint: GET /healthz (same router + middleware: request id, trace span, metrics; no auth, no database)"
echo
printf '%-9s %-13s %12s %10s %10s %8s\n' backend endpoint "req/s" "x healthz" "p99 ms" "non-2xx"
for backend in $BACKENDS; do
  for endpoint in "${ENDPOINTS[@]}" set-password; do
    prefix=r
    [[ "$endpoint" == set-password ]] && { [[ "$PASSWORD_ROW" == 1 ]] || continue; prefix=p; }
    rps="$(column_of "$backend" "$endpoint" 4 "$prefix" | median)"
    p99="$(column_of "$backend" "$endpoint" 5 "$prefix" | median)"
    if [[ "$endpoint" == healthz ]]; then ratio="1.00"; else ratio="$(ratios "$backend" "$endpoint" | median)"; fi
    printf '%-9s %-13s %12.1f %10.4f %10.2f %8d\n' "$backend" "$endpoint" "$rps" "$ratio" "$p99" 0
  done
  printf '%-9s peak RSS (VmHWM): %s MiB after the read/create rounds' "$backend" "$(mib "${HWM_READ[$backend]}")"
  if [[ -n "${HWM_PW[$backend]:-}" ]]; then printf ', %s MiB after set-password' "$(mib "${HWM_PW[$backend]}")"; fi
  printf ' (idle after start: %s MiB)\n' "$(mib "${RSS_IDLE[$backend]}")"
done
echo
echo "raw wrk outputs: $WORK/runs (results.tsv: backend endpoint round req/s p99-ms)"
