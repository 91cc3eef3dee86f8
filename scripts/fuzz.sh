#!/usr/bin/env bash
# Fuzzes the core's parsers of untrusted input with cargo-fuzz (libFuzzer, nightly).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]      (default: 60 s, every target)
#
# Not part of scripts/test.sh: it needs nightly and takes as long as you give it. Installs
# cargo-fuzz when missing. Seeds each target's corpus (fuzz/corpus/<target>, git-ignored)
# with the matching strings from the vector files, so fuzzing starts from real shapes.
# A crash leaves its input in fuzz/artifacts/<target>/ and makes this script fail; replay
# it with `cargo +nightly fuzz run <target> <file>` and turn it into a vector.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REALMGATE_ROOT"

say() { printf 'fuzz: %s\n' "$*"; }
die() { printf 'fuzz: error: %s\n' "$*" >&2; exit 1; }

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh [seconds-per-target] [target...]"
shift $(($# > 0 ? 1 : 0))

# libFuzzer instrumentation (-Zsanitizer) needs nightly; rustup has it on these machines.
if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain"
  timeout -k 5 300 rustup toolchain install nightly --profile minimal ||
    die "no nightly toolchain and rustup could not install one; cargo-fuzz needs nightly"
fi
say "$(cargo +nightly --version)"

if ! command -v cargo-fuzz >/dev/null; then
  say "cargo install cargo-fuzz"
  cargo install --quiet cargo-fuzz
fi

if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

# Seed corpora from the vectors: tokens, key sets, return paths, queries and emails.
seed_corpus() {
  local shared_vectors
  shared_vectors="$(dirname "$REALMGATE_ROOT")/shared/vectors"
  node - "$REALMGATE_ROOT/fuzz/corpus" tests/vectors "$shared_vectors" <<'EOF'
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [corpus, ...dirs] = process.argv.slice(2);
const put = (target, value) => {
  if (typeof value !== 'string' || value.length === 0) return;
  const dir = path.join(corpus, target);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'seed-' + crypto.createHash('sha1').update(value).digest('hex')), value);
};
const walk = (dir) => fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []) : [];
for (const file of dirs.flatMap(walk)) {
  let doc;
  try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { continue; }
  // Wycheproof JWS/JWK files: tokens, and the groups' public keys or key sets.
  for (const g of doc.testGroups ?? []) {
    const pub = g.public ?? g.private;
    if (pub && (g.type === 'JsonWebKey' || g.type === 'JsonWebSignature')) {
      put('key_set', JSON.stringify(pub.keys ? pub : { keys: [pub] }));
    }
    for (const t of g.tests ?? []) {
      if (typeof t.jws === 'string') { put('compact_jws', t.jws); put('untrusted_jwt', t.jws); }
    }
  }
  for (const c of doc.cases ?? []) {
    const input = c.input ?? {};
    switch (doc.component) {
      case 'jwt':
        put('compact_jws', input.token); put('untrusted_jwt', input.token);
        for (const segment of String(input.token ?? '').split('.')) put('b64_decode', segment);
        if (input.jwks) put('key_set', JSON.stringify(input.jwks));
        break;
      case 'return_path': put('return_path', input.value); break;
      case 'callback': put('callback_query', input.query); break;
      case 'email_normalize': case 'email_domain':
        put('email_normalize', input.value); put('cookie_header', `sid=${input.value}; a=b`); break;
      case 'issuer': put('realm_name', (input.iss ?? '').split('/').pop()); break;
    }
  }
}
EOF
}
seed_corpus

failed=()
for target in "${targets[@]}"; do
  say "$target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target"
  # Inputs up to a little over the 16 KiB token cap, so the cap itself is exercised.
  if ! cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -max_len=20000 -rss_limit_mb=4096 -print_final_stats=1; then
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  die "crashes or build failures in: ${failed[*]} (inputs under fuzz/artifacts/)"
fi
say "no crash in ${#targets[@]} targets (${seconds}s each)"
