# shellcheck shell=bash
# Sourced (never executed) by setup.sh, test.sh, fuzz.sh and by hand:
#
#     source scripts/env.sh
#     wasm_cargo test -p realmgate-core --target wasm32-unknown-unknown
#
# Sourcing only sets what is safe for every build (PATH, the repo root). The wasm32
# settings live in the function `realmgate_wasm_env` and are applied by `wasm_cargo` in a
# subshell, so they never leak into native builds: the Debian compiler used by the
# build-std fallback must not touch the native target directory (the two compilers would
# keep rebuilding each other's artefacts).

REALMGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REALMGATE_ROOT

# cargo-installed tools (wasm-bindgen, worker-build, cargo-fuzz) first on PATH; the
# repo's node tools (wrangler, wasm-opt, esbuild) last, so they never shadow system ones.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
case ":$PATH:" in *":$REALMGATE_ROOT/node_modules/.bin:"*) ;; *) PATH="$PATH:$REALMGATE_ROOT/node_modules/.bin" ;; esac
export PATH

# Wrangler's telemetry only produces DNS errors on machines without internet.
export WRANGLER_SEND_METRICS=false
# playwright-core drives the Debian chromium; it must never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Debian's rustc-web (compiler + std source) used when rustup cannot fetch the wasm32 std.
REALMGATE_DEBIAN_RUSTC=/usr/bin/rustc
REALMGATE_DEBIAN_RUSTDOC=/usr/bin/rustdoc
REALMGATE_DEBIAN_STD_SRC=/usr/lib/rustlib/src/rust/library

# Which way wasm32 is built on this machine: "rustup" (the target's prebuilt std is
# installed in rustup's toolchain) or "build-std" (Debian's rustc-web compiles std from
# source). Decided from what is installed, so there is no state file to go stale;
# REALMGATE_WASM_TOOLCHAIN=rustup|build-std forces one (used to test both paths).
realmgate_wasm_mode() {
  if [[ -n "${REALMGATE_WASM_TOOLCHAIN:-}" ]]; then
    echo "$REALMGATE_WASM_TOOLCHAIN"
    return
  fi
  local sysroot
  sysroot="$(rustc --print sysroot)"
  if [[ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]]; then
    echo rustup
  elif [[ -x "$REALMGATE_DEBIAN_RUSTC" && -d "$REALMGATE_DEBIAN_STD_SRC" ]]; then
    echo build-std
  else
    echo none
  fi
}

# Exports the wasm32 build environment into the current shell. Call it only in a
# subshell (or use wasm_cargo), never in a shell that later runs native cargo.
realmgate_wasm_env() {
  local mode
  mode="$(realmgate_wasm_mode)"
  case "$mode" in
    rustup) ;;
    build-std)
      # rustup's rust-lld links wasm32 (Debian's lld needs another package). `rustc` on
      # PATH is rustup's proxy, whatever RUSTC says.
      local sysroot host
      sysroot="$(rustc --print sysroot)"
      host="$(rustc -vV | sed -n 's/^host: //p')"
      export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$sysroot/lib/rustlib/$host/bin/rust-lld"
      export RUSTC="$REALMGATE_DEBIAN_RUSTC" RUSTDOC="$REALMGATE_DEBIAN_RUSTDOC"
      # -Zbuild-std on a stable compiler: allowed by RUSTC_BOOTSTRAP, scoped to wasm builds.
      export RUSTC_BOOTSTRAP=1
      export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
      ;;
    *)
      echo "error: no wasm32 toolchain (neither rustup's wasm32 std nor Debian's rustc-web); run scripts/setup.sh" >&2
      return 1
      ;;
  esac
  # Own target directory: keeps wasm artefacts (and, with build-std, another compiler's
  # host artefacts) away from the native ones.
  export CARGO_TARGET_DIR="$REALMGATE_ROOT/target/wasm"
  # Test binaries run in node under wasm-bindgen-test (also set in .cargo/config.toml).
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
  # worker-build would download these three tools; use the installed ones instead.
  WASM_BINDGEN_BIN="$(command -v wasm-bindgen || true)"
  export WASM_BINDGEN_BIN
  export ESBUILD_BIN="$REALMGATE_ROOT/node_modules/.bin/esbuild"
  export WASM_OPT_BIN="$REALMGATE_ROOT/node_modules/.bin/wasm-opt"
  export REALMGATE_WASM_MODE="$mode"
}

# `cargo` with the wasm32 environment, in a subshell so nothing leaks.
wasm_cargo() {
  (realmgate_wasm_env && cargo "$@")
}

# Any command (e.g. worker-build) with the wasm32 environment, in a subshell.
with_wasm_env() {
  (realmgate_wasm_env && "$@")
}
