#!/usr/bin/env bash
# The attention benchmark on the GPU machine, in one device call of about
# five minutes: Lantern's WGSL kernel through Node.js + Dawn (default tiles
# and a tile sweep, each output checked against float64), then PyTorch's
# scaled_dot_product_attention at the same shapes on the same GPU.
#   here:            bash bench/gpu/pack.sh
#   device tool run: command "bash bench/gpu/run.sh", carry [".gpu"]
# Leaves under $OUT: attention-gpu.md (the combined table), attention-dawn.json
# (every configuration timed) and the two logs.
set -uo pipefail
cd "$(dirname "$0")/../.."
[ -f .gpu/bench/attention-dawn.mjs ] || { echo "No .gpu/bench/attention-dawn.mjs: run bash bench/gpu/pack.sh first and carry .gpu." >&2; exit 2; }
source .gpu/enter.sh
timeout 420 node .gpu/bench/attention-dawn.mjs --dawn .gpu/webgpu/index.js \
  --manifest models-manifest/lantern-tiny.json --out "$OUT/attention-dawn.json" 2>&1 | tee "$OUT/attention-dawn.log"
echo "attention-dawn exited with status ${PIPESTATUS[0]}"
timeout 120 python3 bench/gpu/sdpa.py --dawn-result "$OUT/attention-dawn.json" --out "$OUT/attention-gpu.md" 2>&1 | tee "$OUT/sdpa.log"
echo "sdpa exited with status ${PIPESTATUS[0]}"
