#!/usr/bin/env bash
# THE test command (README quick start; .ci/run calls it). On a fresh machine it installs
# what it needs (scripts/setup.sh), then runs, failing on the first failure:
#
#   clippy (-D warnings) · native tests (workspace, with a throwaway PostgreSQL) ·
#   core tests with the RustCrypto backend · the vector runner · core tests and embedded
#   vectors on wasm32 in node · the vectors through the edge Worker's WebCrypto path on
#   wasm32 in node · the edge bundle's size budget (scripts/check-bundle-size.sh) · end-to-end
#   suites (tests/e2e/*.test.mjs) when present.
#
# Environment:
#   REALMGATE_TEST_DATABASE_URL  use this PostgreSQL instead of starting a throwaway one
#   REALMGATE_PG_PORT            first port tried for the throwaway cluster (default 54329)
#   REALMGATE_SKIP_CLIPPY=1      skip clippy (e.g. while iterating locally)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REALMGATE_ROOT"

started=$SECONDS
step() { printf '\n==> %s  [+%ss]\n' "$*" "$((SECONDS - started))"; }
die() { printf 'test: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- set-up
step "set-up (scripts/setup.sh)"
"$REALMGATE_ROOT/scripts/setup.sh"

# ---------------------------------------------------------------- PostgreSQL
# A throwaway cluster for the server's PostgreSQL adapter tests: created fresh on every run
# (so a crashed earlier run leaves nothing that matters), TCP on 127.0.0.1 only, no unix
# socket, fsync off; stopped by the EXIT trap. Initdb refuses to run as root, so as root the
# cluster belongs to the `postgres` user.
PG_ROOT=""
PG_BIN=""
pg_as() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_postgres() {
  if [[ -n "$PG_ROOT" && -f "$PG_ROOT/data/postmaster.pid" ]]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" stop -m fast -w >/dev/null 2>&1 ||
      pg_as "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
}

start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (setup.sh installs them)"

  PG_ROOT="$REALMGATE_ROOT/target/pg"
  mkdir -p "$PG_ROOT"
  # As root the cluster is owned by `postgres`, which must be able to reach target/pg;
  # a clone under a private home directory is not reachable, so fall back to /tmp.
  if [[ $EUID -eq 0 ]]; then
    if ! { chown postgres: "$PG_ROOT" && runuser -u postgres -- test -w "$PG_ROOT"; } 2>/dev/null; then
      PG_ROOT="/tmp/realmgate-pg-$(printf '%s' "$REALMGATE_ROOT" | sha256sum | cut -c1-12)"
      mkdir -p "$PG_ROOT" && chown postgres: "$PG_ROOT"
    fi
  fi

  # A server left running by a crashed run on this same directory: stop it first.
  stop_postgres
  rm -rf "$PG_ROOT/data" "$PG_ROOT/pwfile"

  local port="${REALMGATE_PG_PORT:-54329}" last=$(( ${REALMGATE_PG_PORT:-54329} + 10 ))
  while port_in_use "$port"; do
    ((port < last)) || die "ports ${REALMGATE_PG_PORT:-54329}..$last are all in use"
    port=$((port + 1))
  done

  echo postgres >"$PG_ROOT/pwfile"
  [[ $EUID -ne 0 ]] || chown postgres: "$PG_ROOT/pwfile"
  pg_as "$PG_BIN/initdb" -D "$PG_ROOT/data" -U postgres --pwfile="$PG_ROOT/pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$PG_ROOT/initdb.log" 2>&1 ||
    { cat "$PG_ROOT/initdb.log" >&2; die "initdb failed"; }
  cat >>"$PG_ROOT/data/postgresql.conf" <<EOF
# realmgate test cluster (scripts/test.sh)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  trap stop_postgres EXIT
  pg_as "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/data/server.log" -w -t 60 start >/dev/null ||
    { cat "$PG_ROOT/data/server.log" >&2; die "PostgreSQL did not start"; }

  PGPASSWORD=postgres "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE realmgate LOGIN CREATEDB PASSWORD 'realmgate'" \
    -c "CREATE DATABASE realmgate_test OWNER realmgate" >/dev/null
  export REALMGATE_TEST_DATABASE_URL="postgres://realmgate:realmgate@127.0.0.1:$port/realmgate_test"
  "$PG_BIN/psql" "$REALMGATE_TEST_DATABASE_URL" -qAt -c 'SELECT 1' >/dev/null ||
    die "cannot connect with REALMGATE_TEST_DATABASE_URL"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_ROOT/data); REALMGATE_TEST_DATABASE_URL set"
}

# ---------------------------------------------------------------- end-to-end hooks
# Later issues (#3 edge, #5 issuer) put their suites in tests/e2e/*.test.mjs. Anything they
# need built first (the Worker bundle: `with_wasm_env worker-build --release` in edge/, the
# server binary) goes in e2e_prepare; each suite starts and stops its own processes
# (wrangler dev, oidc-provider, realmgate-server) so it can also be run alone with node.
e2e_prepare() {
  # The Worker bundle, then its size budget (#6: ≤ 300,000 bytes gzipped; also prints the
  # module's start-up time in node); the issuer suite builds the server binary itself.
  "$REALMGATE_ROOT/scripts/build-edge.sh"
  "$REALMGATE_ROOT/scripts/check-bundle-size.sh"
}

run_e2e() {
  shopt -s nullglob
  local suites=(tests/e2e/*.test.mjs)
  shopt -u nullglob
  if ((${#suites[@]} == 0)); then
    echo "no end-to-end suites yet (tests/e2e/*.test.mjs)"
    return
  fi
  e2e_prepare
  # One suite at a time: each starts workerd / servers of its own, and this machine has 2 cores.
  node --test --test-concurrency=1 "${suites[@]}"
}

# ---------------------------------------------------------------- the tests
if [[ "${REALMGATE_SKIP_CLIPPY:-}" == 1 ]]; then
  step "clippy skipped (REALMGATE_SKIP_CLIPPY=1)"
else
  step "cargo clippy --workspace --all-targets -- -D warnings"
  cargo clippy --workspace --all-targets -- -D warnings
fi

step "PostgreSQL for the server's tests"
if [[ -n "${REALMGATE_TEST_DATABASE_URL:-}" ]]; then
  echo "using REALMGATE_TEST_DATABASE_URL from the environment"
else
  start_postgres
fi

step "cargo test --workspace (native)"
cargo test --workspace

step "cargo test -p realmgate-core --features rustcrypto (the wasm32 signature backend, natively)"
cargo test -p realmgate-core --features rustcrypto

step "vector runner"
[[ -f core/examples/vectors.rs || -f core/examples/vectors/main.rs ]] ||
  die "the vector runner (core/examples/vectors.rs, issue #2) is missing"
[[ -d tests/vectors ]] || die "tests/vectors/ is missing"
vector_paths=(tests/vectors)
shared_vectors="$(dirname "$REALMGATE_ROOT")/shared/vectors"
if [[ -d "$shared_vectors" ]]; then
  vector_paths+=("$shared_vectors")
else
  echo "note: $shared_vectors not found; running the repository's vectors only"
fi
# Both signature backends: ring (native) and RustCrypto (what wasm32 uses).
cargo run -q -p realmgate-core --features rustcrypto --example vectors -- "${vector_paths[@]}"

step "wasm32: core tests and embedded vectors in node (wasm-bindgen-test, $(realmgate_wasm_mode))"
mkdir -p target
wasm_log=target/wasm-test.log
# --tests: the library's unit tests and core/tests/*.rs. Not the doctests: cross-compiled
# to wasm32 they hold no wasm-bindgen test, so the runner reports them "ok" without running
# them (natively they do run, above).
wasm_cargo test -p realmgate-core --target wasm32-unknown-unknown --tests 2>&1 | tee "$wasm_log"
# A test binary where nothing ran usually means a test module lacks the attribute alias
# `#[cfg(target_arch = "wasm32")] use wasm_bindgen_test::wasm_bindgen_test as test;`
# (plain #[test] functions are silently skipped on wasm32).
# Files that declare themselves native-only (`#![cfg(not(target_arch = "wasm32"))]`, e.g. the
# proptest suite) are expected to be empty there.
awk '/^ *Running / { src = $2; bin = $2 " " $3 } /^no tests to run!/ { print src "\t" bin }' "$wasm_log" |
  while IFS=$'\t' read -r src bin; do
    if [[ -f "core/$src" ]] && grep -q '^#!\[cfg(not(target_arch = "wasm32"))\]' "core/$src"; then continue; fi
    echo "warning: no wasm32 test ran in $bin (missing the wasm_bindgen_test alias?)"
  done
wasm_passed="$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$wasm_log" | awk '{ n += $1 } END { print n + 0 }')"
((wasm_passed > 0)) || die "no wasm32 test ran (see $wasm_log)"
echo "wasm32: $wasm_passed tests passed"

step "wasm32: the vectors through the edge Worker's signature path (WebCrypto) in node"
# The Worker bundle has no RSA/P-256 in wasm (edge feature `wasm-signatures` off): WebCrypto
# verifies RS256/PS256/ES256 there, and this runs every vector file through that path.
edge_log=target/wasm-test-edge.log
wasm_cargo test -p realmgate-edge --target wasm32-unknown-unknown --test webcrypto_vectors 2>&1 | tee "$edge_log"
grep -q '^test result: ok\. 1 passed' "$edge_log" || die "the edge WebCrypto vector test did not run (see $edge_log)"

step "end-to-end suites"
run_e2e

step "all tests passed (wasm32: $wasm_passed tests)"
