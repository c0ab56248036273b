#!/usr/bin/env bash
# Prepares the GPU-machine attention bench (bench/gpu/run.sh) here: the
# Node.js + Dawn kit in .gpu/ (../shared/gpu/pack.sh, made once) and the
# bench bundled into .gpu/bench/attention-dawn.mjs. Rerun after changing the
# kernel or the bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f .gpu/enter.sh ] || bash ../shared/gpu/pack.sh
npx vite build --config bench/gpu/vite.config.ts --logLevel warn
# Only the compressed Dawn travels (a device call carries at most 64 MiB); .gpu/enter.sh unpacks it there.
rm -f .gpu/webgpu/dist/linux-x64/dawn.node
du -sh .gpu
