#!/usr/bin/env bash
# The one prepared run on the GPU machine (the `device` tool; see README):
#   bash training/gpu_run.sh [RESUME_DIR]
# Trains the gpu preset (about 10 minutes on an H100) and leaves under $OUT at
# most 8 files of at most 16 MB: the checkpoint's weight shards, and
# run.tar.gz with its config, tokenizer, log and samples. Unpack both into one
# folder here to get a checkpoint folder for export, evaluation or --resume.
set -euo pipefail
cd "$(dirname "$0")"
export PYTHONUNBUFFERED=1
run=/tmp/lantern-gpu-run
rm -rf "$run"
python3 -m lantern.train --preset gpu --out "$run" ${1:+--resume "$1"} 2>&1 | tee "$run.log"
cp "$run"/checkpoint/weights-*.pt "$OUT"/
tar -czf "$OUT/run.tar.gz" -C "$run" checkpoint/config.json checkpoint/tokenizer.json \
  checkpoint/tokenizer_config.json log.jsonl samples.png -C /tmp lantern-gpu-run.log
ls -la "$OUT"
