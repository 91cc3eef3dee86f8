#!/usr/bin/env bash
# Instruction counts per verification (valgrind's callgrind), immune to the load of a shared
# machine: the same (a) / (b) / (c) as bench/native.sh, counted instead of timed, from
# core/examples/verify_profile.rs. Each variant runs N iterations and once with none; the
# difference divided by N is the count per verification. Needs valgrind (apt-get install valgrind).
#
#   bench/native-instructions.sh          N=200
#   N=500 bench/native-instructions.sh
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$REALMGATE_ROOT"
N="${N:-200}"
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
echo "==> building core/examples/verify_profile.rs (release)"
cargo build --release -q -p realmgate-core --example verify_profile
bin="$target_dir/release/examples/verify_profile"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

count() { # variant alg iterations -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$bin" "$1" "$2" "$3" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-6s %12s %12s %12s %12s %9s %9s %9s\n' alg "(a) instr" "(b) instr" "(c) instr" "(a)-(b)" "(a)/(b)" "(a)/(c)" "(c)-(b)"
for alg in RS256 PS256 ES256 EdDSA; do
  base="$(count none "$alg" "$N")"
  per() { echo $(( ($(count "$1" "$alg" "$N") - base) / N )); }
  a="$(per full)"; b="$(per primitive)"; c="$(per jsonwebtoken)"
  python3 -c "a,b,c=$a,$b,$c; print(f'{\"$alg\":<6} {a:12,} {b:12,} {c:12,} {a-b:12,} {a/b:9.3f} {a/c:9.3f} {c-b:9,}')"
done
base="$(count none RS256 "$N")"
echo "5-key JWKS parse (once per fetch): $(( ($(count parse_keys RS256 "$N") - base) / N )) instructions"
