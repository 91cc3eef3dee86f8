#!/usr/bin/env bash
# Edge benchmark (issue #6, items 3 and 5): our Worker vs a no-op Worker and an
# npm-jose TypeScript Worker in local workerd (`wrangler dev`), with wrk; the
# Worker's CPU per verification for the WebCrypto and the pure-Rust wasm path;
# /auth/login and /auth/callback CPU per request. Prints the ratios and targets.
# Not part of scripts/test.sh (several minutes). Ports 9101 and 9110-9164.
#
#   bench/edge/run.sh                      # builds both bundles, 5 rounds
#   BENCH_SKIP_BUILD=1 bench/edge/run.sh   # reuse edge/build and edge/build-wasmsig
#   BENCH_ROUNDS=3 BENCH_DURATION=4 bench/edge/run.sh
#   BENCH_SKIP_WASM=1 bench/edge/run.sh    # only the default build (no wasm path)
#
# Other knobs: BENCH_THREADS (1), BENCH_CONNECTIONS (8), BENCH_LOGINS (300 per round),
# BENCH_LOGIN_CONCURRENCY (8). Needs what scripts/setup.sh installs, plus wrk.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
say() { printf 'edge-bench: %s\n' "$*"; }

if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian package)"
  if [[ $EUID -eq 0 ]]; then apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  else sudo apt-get install -y -qq wrk >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; }
  fi
fi
[[ -x node_modules/.bin/wrangler && -d node_modules/jose ]] || { echo "edge-bench: error: node_modules incomplete: run scripts/setup.sh" >&2; exit 1; }

if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  # The default bundle (edge/build) and, for SIGNATURE_PATH=wasm, one with the
  # core's pure-Rust RSA/P-256 backends (edge/build-wasmsig).
  scripts/build-edge.sh
  if [[ "${BENCH_SKIP_WASM:-}" != 1 ]]; then
    REALMGATE_EDGE_OUT=build-wasmsig REALMGATE_EDGE_FEATURES=wasm-signatures scripts/build-edge.sh
  fi
fi

say "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "wrangler $(node_modules/.bin/wrangler --version 2>/dev/null | tail -1), jose $(node -p "require('./node_modules/jose/package.json').version"), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
exec node bench/edge/run.mjs
