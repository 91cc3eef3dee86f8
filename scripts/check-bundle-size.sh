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
# Start-up in node. The shipped module uses wasm exception handling (try_table: worker-build
# runs wasm-bindgen with --experimental-reset-state-function --force-enable-abort-handler),
# which workerd's V8 compiles but node 20's V8 11.3 does not. Then the same cargo output is
# measured through the same wasm-bindgen and `wasm-opt -O` without those two flags: the
# shipped code minus the abort-handler wrappers around the exports.
startup() { node "$ROOT/scripts/wasm-startup.mjs" --rounds "${REALMGATE_STARTUP_ROUNDS:-21}" "$1" 2>&1 | sed 's/^/check-bundle-size: start-up: /'; }
if ! node -e 'new WebAssembly.Module(require("fs").readFileSync(process.argv[1]))' "$wasm" 2>/dev/null; then
  artefact="$ROOT/target/wasm/wasm32-unknown-unknown/edge/realmgate_edge.wasm"
  tmp="$ROOT/target/wasm/edge-startup"
  features=(--enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue --enable-reference-types)
  if [[ -f "$artefact" ]]; then
    rm -rf "$tmp" && mkdir -p "$tmp"
    PATH="$HOME/.cargo/bin:$PATH" wasm-bindgen --target bundler --out-dir "$tmp" "$artefact"
    "$ROOT/node_modules/.bin/wasm-opt" -O "${features[@]}" --strip-debug --strip-producers "$tmp/realmgate_edge_bg.wasm" -o "$tmp/startup.wasm"
    echo "check-bundle-size: start-up: node $(node --version) cannot compile the shipped module (wasm exception handling); measuring $tmp/startup.wasm, the same build without wasm-bindgen's abort-handler wrappers ($(stat -c %s "$tmp/startup.wasm") bytes)"
    startup "$tmp/startup.wasm"
  else
    echo "check-bundle-size: start-up: not measured (node $(node --version) cannot compile the shipped module and $artefact is missing)"
  fi
else
  startup "$wasm"
fi
if ((gz > budget)); then
  echo "check-bundle-size: error: the edge wasm bundle is $gz bytes gzipped, $((gz - budget)) bytes over the budget of $budget (issue #6)." >&2
  echo "check-bundle-size: see where the bytes go with a name-keeping build (docs/edge-bundle-size.md)." >&2
  exit 1
fi
echo "check-bundle-size: within budget ($((budget - gz)) bytes to spare)"
