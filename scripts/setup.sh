#!/usr/bin/env bash
# Installs everything Realmgate's build and tests need, idempotently: a second run only
# checks and skips (a few seconds). Written for Debian 12 as root with rustup (stable),
# node 20 + npm already present; see docs/setup.md. Each step prints one line.
#
#   1. wasm32 toolchain: `rustup target add wasm32-unknown-unknown` if rustup can fetch it
#      within a short timeout, else Debian's rustc-web + rust-web-src (std built from source
#      by cargo -Zbuild-std; the environment for that lives in scripts/env.sh).
#   2. Debian packages: chromium + chromium-driver (headless browser tests), postgresql
#      (server storage tests), and rustc-web/rust-web-src when step 1 needs them.
#   3. wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version (its test runner runs
#      the wasm32 tests; the CLI must match the library version bit for bit).
#   4. worker-build 0.8.7 (matches the `worker` crate; bundles the edge Worker).
#   5. node packages from package-lock.json (wrangler/workerd, wasm-opt, esbuild,
#      oidc-provider, openid-client, playwright-core; no browser download).
#
# Environment: REALMGATE_WASM_TOOLCHAIN=rustup|build-std forces step 1's choice;
# REALMGATE_RUSTUP_TIMEOUT (seconds, default 20) bounds the rustup attempt.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REALMGATE_ROOT"

WORKER_BUILD_VERSION=0.8.7
RUSTUP_TIMEOUT="${REALMGATE_RUSTUP_TIMEOUT:-20}"
APT_PACKAGES=(chromium chromium-driver postgresql)
started=$SECONDS

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

for tool in rustup cargo rustc node npm; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH (this script expects rustup, node and npm to be installed)"
done

# apt needs root; use sudo when run as another user and sudo exists.
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $*"
  fi
}

installed_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# ---------------------------------------------------------------- 1. wasm32 toolchain
wasm_mode="$(realmgate_wasm_mode)"
rustup_failed_stamp="$REALMGATE_ROOT/target/setup/rustup-wasm32-failed"
rustup_log="$REALMGATE_ROOT/target/setup/rustup-target-add.log"
case "${REALMGATE_WASM_TOOLCHAIN:-auto}" in
  build-std) say "wasm32: build-std forced by REALMGATE_WASM_TOOLCHAIN" ;;
  rustup)
    [[ -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib" ]] ||
      timeout -k 5 "$RUSTUP_TIMEOUT" rustup target add wasm32-unknown-unknown ||
      die "REALMGATE_WASM_TOOLCHAIN=rustup but 'rustup target add wasm32-unknown-unknown' failed"
    say "wasm32: rustup target installed"
    ;;
  auto)
    if [[ "$wasm_mode" == rustup ]]; then
      say "wasm32: rustup target already installed"
    elif [[ -f "$rustup_failed_stamp" ]]; then
      # Tried on an earlier run and failed: do not wait for rustup again on every run.
      say "wasm32: build-std (rustup failed on an earlier run; delete $rustup_failed_stamp to retry)"
      wasm_mode=build-std
    else
      # On some build machines rustup cannot download targets and hangs: bound it.
      say "wasm32: trying 'rustup target add wasm32-unknown-unknown' (timeout ${RUSTUP_TIMEOUT}s)"
      mkdir -p "$(dirname "$rustup_failed_stamp")"
      if timeout -k 5 "$RUSTUP_TIMEOUT" rustup target add wasm32-unknown-unknown >"$rustup_log" 2>&1; then
        say "wasm32: rustup target installed"
      else
        say "wasm32: rustup could not fetch the target ($(grep -m1 -i 'error' "$rustup_log" || echo "timed out after ${RUSTUP_TIMEOUT}s"))"
        say "wasm32: using Debian rustc-web + rust-web-src instead (std built from source, build-std)"
        date -u +%FT%TZ >"$rustup_failed_stamp"
        wasm_mode=build-std
      fi
    fi
    ;;
  *) die "REALMGATE_WASM_TOOLCHAIN must be rustup or build-std" ;;
esac
if [[ "${REALMGATE_WASM_TOOLCHAIN:-}" == build-std || "$wasm_mode" == build-std ]]; then
  APT_PACKAGES+=(rustc-web rust-web-src)
fi

# ---------------------------------------------------------------- 2. Debian packages
missing=()
for pkg in "${APT_PACKAGES[@]}"; do installed_deb "$pkg" || missing+=("$pkg"); done
if ((${#missing[@]})); then
  say "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for pkg in "${missing[@]}"; do installed_deb "$pkg" || die "apt did not install $pkg"; done
else
  say "apt: ${APT_PACKAGES[*]} already installed"
fi
[[ "$(realmgate_wasm_mode)" != none ]] || die "no usable wasm32 toolchain after installation"

# ---------------------------------------------------------------- 3. wasm-bindgen-cli
# The version is the one of the `wasm-bindgen` package in Cargo.lock.
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)"
[[ -n "$wbg_version" ]] || die "no wasm-bindgen package in Cargo.lock"
if [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $wbg_version" ]] &&
   command -v wasm-bindgen-test-runner >/dev/null; then
  say "wasm-bindgen-cli $wbg_version already installed"
else
  say "cargo install wasm-bindgen-cli $wbg_version (a few minutes)"
  # Not --locked: the crate's lock file pins a webpki-roots release that crates.io no
  # longer serves, so --locked cannot resolve.
  cargo install --quiet wasm-bindgen-cli --version "=$wbg_version"
  [[ "$(wasm-bindgen --version)" == "wasm-bindgen $wbg_version" ]] || die "wasm-bindgen is not $wbg_version after install"
fi

# ---------------------------------------------------------------- 4. worker-build
if cargo install --list | grep -qx "worker-build v$WORKER_BUILD_VERSION:"; then
  say "worker-build $WORKER_BUILD_VERSION already installed"
else
  say "cargo install worker-build $WORKER_BUILD_VERSION (a few minutes)"
  cargo install --quiet worker-build --version "=$WORKER_BUILD_VERSION"
fi

# ---------------------------------------------------------------- 5. node packages
# npm ci wipes and reinstalls node_modules, so run it only when package-lock.json changed
# since the last successful install (stamp written below).
stamp=node_modules/.realmgate-lock.sha256
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_sum" ]]; then
  say "npm: node_modules matches package-lock.json"
else
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$stamp"
fi

say "done in $((SECONDS - started))s: wasm32 via $(realmgate_wasm_mode), $(wasm-bindgen --version)," \
  "worker-build $WORKER_BUILD_VERSION, wrangler $(node_modules/.bin/wrangler --version 2>/dev/null | tail -1)," \
  "$(chromium --version 2>/dev/null || echo 'chromium ?')"
