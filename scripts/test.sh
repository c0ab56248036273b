#!/usr/bin/env bash
# Runs every test of the project: the Python tests of training/, then the
# TypeScript typecheck, the lint and format check (Biome) and Vitest (the
# node project, the browser project in headless Chromium with WebGPU, then
# the e2e project: the app and the CLI driven end to end). Sets up what the tests need first, so it works on a
# fresh clone of a fresh machine: Debian's Chromium (scripts/chromium.mjs),
# Debian's ffmpeg and exiftool (scripts/media-tools.sh; the CLI tests check MP4s with them),
# the Python environment (scripts/python-env.sh; python3-venv from Debian if
# missing) and node_modules. Where a part cannot be set up (not root, no
# apt-get), it stops before any test runs with one line naming what is
# missing and the command that installs it. Every test part runs even when an
# earlier one fails; the script fails if any did.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
failed=()

node scripts/chromium.mjs || exit $?
bash scripts/media-tools.sh || exit $?
bash scripts/python-env.sh || exit $?
echo "== training (pytest)"
(cd training && ../.venv/bin/python -m pytest -q -W ignore::torch.jit.TracerWarning "$@") || failed+=(pytest)

if [ ! -d node_modules ]; then
  npm ci || exit 1
fi
echo "== typecheck (tsc --noEmit)"
npx tsc --noEmit || failed+=(tsc)
echo "== lint and format (biome ci; 'npm run format' fixes what it can)"
npx biome ci . || failed+=(biome)
echo "== vitest (node and browser projects)"
npx vitest run --project node --project browser || failed+=(vitest)
echo "== end to end (vitest e2e: the app and the CLI in headless Chromium)"
npx vitest run --project e2e || failed+=(e2e)

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed: pytest, tsc, biome, vitest, e2e"
