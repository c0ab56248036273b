#!/usr/bin/env bash
# The one prepared run on the GPU machine (the `device` tool; see README):
#   bash training/gpu_run.sh [RESUME_DIR]
# Trains the gpu preset (about 9 minutes on an H100, inside one 10-minute
# device call) and leaves under $OUT at most 8 files of at most 16 MB: the
# checkpoint's weight shards, and run.tar.gz with its config, tokenizer, log
# and samples. Unpack both into one folder here to get a checkpoint folder for
# export, evaluation or --resume. Training is stopped at 570 s whatever
# happens, so that the checkpoint saved at the last probe still comes back.
set -uo pipefail
cd "$(dirname "$0")"
export PYTHONUNBUFFERED=1
run=/tmp/lantern-gpu-run
rm -rf "$run" && mkdir -p "$run"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
timeout 570 python3 -m lantern.train --preset gpu --out "$run" ${1:+--resume "$1"} 2>&1 | tee "$run.log"
echo "training exited with status ${PIPESTATUS[0]}"
cp "$run"/checkpoint/weights-*.pt "$OUT"/
(cd "$run" && tar -czf "$OUT/run.tar.gz" checkpoint/config.json checkpoint/tokenizer.json \
  checkpoint/tokenizer_config.json log.jsonl $(ls samples.png 2>/dev/null)) && cp "$run.log" "$OUT/train.log"
ls -la "$OUT"
