#!/usr/bin/env bash
# Builds this crate for wasm32 twice (profile `release`: opt-level 3 throughout; profile
# `edge`: the edge bundle's), then times `bench` in node, alternating the two, and prints
# the median µs per EdDSA verification of each and their ratio.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/scripts/env.sh"
diff <(sed -n '/^\[profile.edge\]/,$p' "$ROOT/Cargo.toml" | grep -v '^#') <(sed -n '/^\[profile.edge\]/,$p' "$HERE/Cargo.toml" | grep -v '^#') >/dev/null ||
  { echo "run.sh: [profile.edge] differs from the workspace's; copy it over" >&2; exit 1; }
cd "$HERE"
for p in release edge; do
  (realmgate_wasm_env; export CARGO_TARGET_DIR="$ROOT/target/wasm-bench"; cargo build -q --lib --target wasm32-unknown-unknown --profile "$p")
done
node - "$ROOT/target/wasm-bench/wasm32-unknown-unknown/release/edge_profile_eddsa.wasm" "$ROOT/target/wasm-bench/wasm32-unknown-unknown/edge/edge_profile_eddsa.wasm" <<'JS'
const fs = require('fs');
const [a, b] = process.argv.slice(2).map((f) => new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(f)), {}).exports);
const N = 200, rounds = 15, t = { release: [], edge: [] };
if (a.bench(5) !== 5 || b.bench(5) !== 5) throw new Error('the EdDSA token did not verify');
for (let r = 0; r < rounds; r++) {
  for (const [name, m] of [['release', a], ['edge', b]]) {
    const t0 = process.hrtime.bigint(); m.bench(N); t[name].push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
}
const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
const r = med(t.release), e = med(t.edge);
console.log(`EdDSA verify in wasm (node ${process.versions.node}): release (opt 3) ${r.toFixed(1)} µs, edge profile ${e.toFixed(1)} µs; edge/release = ${(e / r).toFixed(2)} (median of ${rounds} x ${N})`);
JS
