#!/usr/bin/env bash
# Builds the edge Worker bundle (edge/build/index.js + index_bg.wasm) with
# worker-build, without any download: wasm-bindgen, esbuild and wasm-opt come
# from the machine (scripts/setup.sh installs them; TOOLCHAIN.md §4).
# Prints the wasm bundle's raw and gzipped sizes (scripts/check-bundle-size.sh holds them
# to the budget). Profile `edge` (workspace Cargo.toml: size-optimized, signature crates
# at opt-level 3). Arguments go to worker-build/cargo, e.g. `--features wasm-signatures`
# (the bench variant with RustCrypto RSA/P-256 in wasm; not held to the budget).
#
# Environment (for bench/edge/run.sh): REALMGATE_EDGE_OUT=dir (relative to edge/,
# default build) and REALMGATE_EDGE_FEATURES=list (cargo features of realmgate-edge,
# e.g. wasm-signatures); REALMGATE_EDGE_KEEP_NAMES=1 keeps the function-name
# section (for profiles: bench/edge/profile.mjs).
set -euo pipefail
OUT="${REALMGATE_EDGE_OUT:-build}"
FEATURES="${REALMGATE_EDGE_FEATURES:-}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'build-edge: %s\n' "$*"; }
die() { printf 'build-edge: error: %s\n' "$*" >&2; exit 1; }

# The wasm32 environment: scripts/env.sh (setup branch) when present, else the
# TOOLCHAIN.md recipe (rustup's wasm32 std, or Debian rustc-web + build-std).
wasm_env() {
  if [[ -f scripts/env.sh ]]; then
    # shellcheck source=/dev/null
    source scripts/env.sh
    realmgate_wasm_env
    return
  fi
  local sysroot
  sysroot="$(rustc --print sysroot)"
  if [[ ! -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]]; then
    [[ -x /usr/bin/rustc && -d /usr/lib/rustlib/src/rust/library ]] || die "no wasm32 toolchain: run scripts/setup.sh"
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$sysroot/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
    export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  fi
  export CARGO_TARGET_DIR="$ROOT/target/wasm"
}

bin() { command -v "$1" 2>/dev/null || { [[ -x "$ROOT/node_modules/.bin/$1" ]] && echo "$ROOT/node_modules/.bin/$1"; } || true; }

(
  wasm_env
  export PATH="$HOME/.cargo/bin:$PATH"
  WASM_BINDGEN_BIN="$(bin wasm-bindgen)"; export WASM_BINDGEN_BIN
  ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild"; export ESBUILD_BIN
  WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"; export WASM_OPT_BIN
  [[ -n "$WASM_BINDGEN_BIN" ]] || die "wasm-bindgen not found: run scripts/setup.sh"
  [[ -x "$ESBUILD_BIN" && -x "$WASM_OPT_BIN" ]] || die "esbuild/wasm-opt missing in node_modules: run scripts/setup.sh (npm ci)"
  command -v worker-build >/dev/null || die "worker-build not found: cargo install worker-build --version 0.8.7"
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)"
  have="$("$WASM_BINDGEN_BIN" --version | awk '{print $2}')"
  [[ "$want" == "$have" ]] || die "wasm-bindgen CLI is $have but Cargo.lock has $want"
  say "worker-build --profile edge $* (wasm-bindgen $have)"
  cd edge
  extra=()
  [[ -z "$FEATURES" ]] || extra=(--features "$FEATURES")
  worker-build --profile edge --out-dir "$OUT" "${extra[@]}" "$@" 2>&1 | grep -v '^\s*Compiling ' || exit "${PIPESTATUS[0]}"
)

wasm="edge/$OUT/index_bg.wasm"
[[ -f "$wasm" && -f "edge/$OUT/index.js" ]] || die "worker-build produced no bundle"
# worker-build's wasm-opt pass keeps the function-name section (~100 KB); strip it
# (unless a profile needs the names).
if [[ "${REALMGATE_EDGE_KEEP_NAMES:-}" != 1 ]]; then
  "$ROOT/node_modules/.bin/wasm-opt" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --strip-debug --strip-producers "$wasm" -o "$wasm.stripped" && mv "$wasm.stripped" "$wasm"
fi
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
say "wasm bundle: $wasm raw $raw bytes ($((raw / 1024)) KiB), gzipped $gz bytes ($((gz / 1024)) KiB)"
