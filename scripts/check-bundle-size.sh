#!/usr/bin/env bash
# The edge Worker's size budget (issue #6): the wasm bundle that scripts/build-edge.sh
# wrote must be at most 300,000 bytes gzipped (gzip -9). Prints its raw and gzipped sizes
# and its start-up cost in node (V8, the engine workerd runs: scripts/wasm-startup.mjs,
# median compile and instantiate times). Run by scripts/test.sh right after the build.
#
#   scripts/check-bundle-size.sh [path/to/index_bg.wasm]      (default edge/build/index_bg.wasm)
#
# Environment: REALMGATE_EDGE_GZ_BUDGET overrides the budget in bytes (e.g. to see how far
# an experiment is); REALMGATE_STARTUP_ROUNDS the number of start-up rounds (default 21).
# The `wasm-signatures` bench variant (RustCrypto RSA/P-256 in wasm) is not held to the budget.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasm="${1:-$ROOT/edge/build/index_bg.wasm}"
budget="${REALMGATE_EDGE_GZ_BUDGET:-300000}"

[[ -f "$wasm" ]] || { echo "check-bundle-size: error: $wasm not found (run scripts/build-edge.sh)" >&2; exit 1; }
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "check-bundle-size: $wasm: raw $raw bytes ($((raw / 1024)) KiB), gzipped $gz bytes ($((gz / 1024)) KiB); budget $budget bytes gzipped ($((gz * 100 / budget)) % used)"
node "$ROOT/scripts/wasm-startup.mjs" --rounds "${REALMGATE_STARTUP_ROUNDS:-21}" "$wasm" | sed 's/^/check-bundle-size: start-up: /'
if ((gz > budget)); then
  echo "check-bundle-size: error: the edge wasm bundle is $gz bytes gzipped, $((gz - budget)) bytes over the budget of $budget (issue #6)." >&2
  echo "check-bundle-size: see where the bytes go with a name-keeping build (docs/edge-bundle-size.md)." >&2
  exit 1
fi
echo "check-bundle-size: within budget ($((budget - gz)) bytes to spare)"
