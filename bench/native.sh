#!/usr/bin/env bash
# Native verification, side by side (issue #6, items 1 and 2): runs core's criterion bench
# (core/benches/verify.rs) ROUNDS times and prints, per algorithm, the medians of
#   (a) our full verification (parse, kid lookup in a cached 5-key set, signature, claims,
#       realm policy) with the native default backend,
#   (b) that backend's signature primitive alone on the same token and key,
#   (c) jsonwebtoken 12 (aws_lc_rs) doing the equivalent validation,
# then (a)/(b), (a)-(b) and (a)/(c) against the targets (<= 1.15, <= 2 us, <= 1.0), and the
# key-set figures (the 5-key JWKS parse is a once-per-fetch cost, not in (a)).
#
# The machine is shared and noisy: within a round the variants of one algorithm run back to
# back; each ratio is computed per round and the median over rounds is reported, next to
# the median of the raw medians it came from.
#
#   bench/native.sh                 3 rounds, 1 s warm-up + 3 s measurement per bench (~4 min)
#   ROUNDS=5 MEASURE=5 bench/native.sh
#   bench/native.sh --all           also the other backends (ring; add FEATURES=rustcrypto
#                                   for RustCrypto), full and primitive
#
# Environment: ROUNDS (3), WARMUP (1), MEASURE (3) seconds, FEATURES (cargo features of
# realmgate-core, e.g. rustcrypto), RESULTS (JSON output, default target/bench/native.json).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$REALMGATE_ROOT"

ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-1}"
MEASURE="${MEASURE:-3}"
FEATURES="${FEATURES:-}"
filter='^(native|key_set)/'
if [[ "${1:-}" == --all ]]; then filter='^(native|key_set|backend)/'; fi

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
RESULTS="${RESULTS:-$target_dir/bench/native.json}"
mkdir -p "$(dirname "$RESULTS")"
rounds_dir="$(mktemp -d)"
trap 'rm -rf "$rounds_dir"' EXIT

bench_args=(-p realmgate-core --bench verify)
[[ -z "$FEATURES" ]] || bench_args+=(--features "$FEATURES")

echo "==> building the bench (profile bench: LTO, one codegen unit)"
cargo bench "${bench_args[@]}" --no-run 2>&1 | tail -n 2

# Reads every criterion result written after $1 (a stamp file) into a JSON map full_id -> median ns.
collect() {
  python3 - "$target_dir/criterion" "$1" <<'PY'
import json, os, sys
root, stamp = sys.argv[1], os.path.getmtime(sys.argv[2])
out = {}
for dirpath, _, files in os.walk(root):
    if os.path.basename(dirpath) != "new" or "estimates.json" not in files:
        continue
    est = os.path.join(dirpath, "estimates.json")
    if os.path.getmtime(est) < stamp:
        continue
    with open(os.path.join(dirpath, "benchmark.json")) as f:
        bid = json.load(f)["full_id"]
    with open(est) as f:
        out[bid] = json.load(f)["median"]["point_estimate"]
json.dump(out, sys.stdout)
PY
}

for ((round = 1; round <= ROUNDS; round++)); do
  echo "==> round $round/$ROUNDS (warm-up ${WARMUP}s, measurement ${MEASURE}s per bench)"
  stamp="$rounds_dir/stamp-$round"
  touch "$stamp"
  sleep 1
  cargo bench "${bench_args[@]}" -- --warm-up-time "$WARMUP" --measurement-time "$MEASURE" --noplot "$filter" \
    >"$rounds_dir/log-$round" 2>&1 || { cat "$rounds_dir/log-$round" >&2; exit 1; }
  collect "$stamp" >"$rounds_dir/round-$round.json"
done

python3 - "$RESULTS" "$rounds_dir"/round-*.json <<'PY'
import json, platform, statistics, subprocess, sys

out_path, paths = sys.argv[1], sys.argv[2:]
rounds = [json.load(open(p)) for p in paths]
med = statistics.median
us = lambda ns: ns / 1000

def per_round(f):
    vals = [f(r) for r in rounds]
    return med(vals)

def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"

print()
print(f"machine: {cpu()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
      f"{len(rounds)} rounds; medians over rounds of criterion medians; ratios per round, then median")
print("(a) ours, full verification, cached 5-key set, default native backend (aws-lc-rs)")
print("(b) the same backend's signature primitive alone (key already parsed)")
print("(c) jsonwebtoken 12, aws_lc_rs, decode_header + kid lookup + decode with iss/aud/exp/nbf")
print()
head = f"{'alg':<6} {'(a) µs':>8} {'(b) µs':>8} {'(c) µs':>8} {'(a)/(b)':>8} {'(a)-(b) µs':>10} {'(a)/(c)':>8}   targets: (a)/(b) ≤ 1.15 · (a)−(b) ≤ 2 µs · (a)/(c) ≤ 1.0"
print(head)
print("-" * len(head))
summary = {"rounds": rounds, "table": {}}
all_met = True
for alg in ["RS256", "PS256", "ES256", "EdDSA"]:
    g = f"native/{alg}"
    try:
        a = per_round(lambda r: r[f"{g}/full"])
        b = per_round(lambda r: r[f"{g}/primitive"])
        c = per_round(lambda r: r[f"{g}/jsonwebtoken"])
        c1 = per_round(lambda r: r[f"{g}/jsonwebtoken_one_key"])
    except KeyError as e:
        print(f"{alg:<6} missing result {e}")
        all_met = False
        continue
    ab = per_round(lambda r: r[f"{g}/full"] / r[f"{g}/primitive"])
    diff = per_round(lambda r: r[f"{g}/full"] - r[f"{g}/primitive"])
    ac = per_round(lambda r: r[f"{g}/full"] / r[f"{g}/jsonwebtoken"])
    ac1 = per_round(lambda r: r[f"{g}/full"] / r[f"{g}/jsonwebtoken_one_key"])
    met = [ab <= 1.15, us(diff) <= 2.0, ac <= 1.0]
    all_met &= all(met)
    mark = lambda ok: "met" if ok else "NOT met"
    print(f"{alg:<6} {us(a):8.2f} {us(b):8.2f} {us(c):8.2f} {ab:8.3f} {us(diff):10.2f} {ac:8.3f}   "
          f"{mark(met[0])} · {mark(met[1])} · {mark(met[2])}   [(a)/(c one key, no kid lookup) {ac1:.3f}]")
    summary["table"][alg] = {"a_ns": a, "b_ns": b, "c_ns": c, "c_one_key_ns": c1, "a_over_b": ab,
                             "a_minus_b_ns": diff, "a_over_c": ac, "a_over_c_one_key": ac1, "met": met}

print()
try:
    parse = per_round(lambda r: r["key_set/parse_5_keys"])
    cached = per_round(lambda r: r["key_set/verify_rs256_cached_set"])
    fresh = per_round(lambda r: r["key_set/verify_rs256_parsing_the_set"])
    print("key set (5-key JWKS: 3 RSA-2048, P-256, Ed25519), RS256 token:")
    print(f"  parse the JWKS (once per fetch)             {us(parse):8.2f} µs")
    print(f"  verify with the cached set (what (a) does)  {us(cached):8.2f} µs")
    print(f"  parse the set + verify (if it were per request) {us(fresh):8.2f} µs"
          f"  -> the cached path saves {us(fresh - cached):.2f} µs ≈ the parse")
    summary["key_set"] = {"parse_ns": parse, "verify_cached_ns": cached, "verify_parsing_ns": fresh}
except KeyError as e:
    print(f"key set: missing result {e}")

others = sorted({k.split("/")[1] for r in rounds for k in r if k.startswith("backend/")})
if others:
    print()
    print("other backends (full / primitive, µs; (a) column above is the default backend):")
    for name in others:
        cells = []
        for alg in ["RS256", "PS256", "ES256", "EdDSA"]:
            g = f"backend/{name}/{alg}"
            try:
                cells.append(f"{alg} {us(per_round(lambda r: r[g + '/full'])):.1f}/{us(per_round(lambda r: r[g + '/primitive'])):.1f}")
            except KeyError:
                cells.append(f"{alg} ?")
        print(f"  {name:<10} " + "  ".join(cells))

with open(out_path, "w") as f:
    json.dump(summary, f, indent=1)
print()
print(f"all native targets met: {'yes' if all_met else 'no'}   (raw results: {out_path})")
PY
