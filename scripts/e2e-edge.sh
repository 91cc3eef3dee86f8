#!/usr/bin/env bash
# Builds the edge Worker and runs its end-to-end suite (tests/e2e): wrangler
# dev (real workerd, local KV) + oidc-provider + headless Chromium.
# Needs ../shared/vectors next to the repository (the suite fails without it).
# E2E_SKIP_BUILD=1 reuses an existing edge/build; E2E_VERBOSE=1 shows wrangler's output.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ "${E2E_SKIP_BUILD:-}" != 1 ]]; then
  scripts/build-edge.sh
fi
export WRANGLER_SEND_METRICS=false PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec node --test --test-concurrency=1 tests/e2e/
