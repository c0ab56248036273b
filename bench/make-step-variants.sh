#!/usr/bin/env bash
# Exports the committed checkpoint with cross-attention inside its stage
# graphs (`lantern.export --cross-attention matmul`) for
# bench/webgpu-step.bench.ts, which runs it beside the shipped plan. Not
# committed (bench/models/step-variants/ is ignored); about 25 s on two
# cores. `npm run bench` runs this first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/python-env.sh >/dev/null
out=$PWD/bench/models/step-variants
cd training
PYTHONPATH=. ../.venv/bin/python -W ignore -m lantern.export --checkpoint checkpoints/lantern-tiny \
  --cross-attention matmul --out "$out/lantern-tiny-matmul-cross" --manifest "$out/lantern-tiny-matmul-cross.json"
