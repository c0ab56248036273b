#!/usr/bin/env bash
# The CPU's share of training the next built-in model (issue 11), for a
# session that has no device machine:
#   bash training/cpu_run.sh [MINUTES] [CHECKPOINT_DIR]
# Continues CHECKPOINT_DIR (default training/checkpoints/lantern-next, the
# CPU line: ARCHITECTURE.md, "The CPU line") with the cpu preset for MINUTES
# of denoiser training (default 120) on both cores, then puts the new
# checkpoint back into CHECKPOINT_DIR: its float16 shards and config, its
# samples, and this run's log appended to train-log.jsonl. Commit that
# folder before the session ends; the next session continues from it.
# Start it in the background with MINUTES that end at least 15 minutes
# before the session does (pool, final probe and samples take about 10):
#   (setsid bash training/cpu_run.sh 120 > /tmp/cpu-run.log 2>&1 &)
# If the run is stopped early, the checkpoint saved at its last probe (every
# 20 minutes, with the run's history in it) is put back instead:
#   bash training/cpu_run.sh collect RUN_DIR [CHECKPOINT_DIR]
# Beside a CI run, use LANTERN_CPU_RUN_THREADS=1: two threads beside
# Chromium ran 0.07 to 0.12 steps/s, one thread 0.36 (0.99 with two alone).
# Environment: LANTERN_CPU_RUN_THREADS (2), LANTERN_CPU_RUN_ARGS (more
# arguments for lantern.train), LANTERN_CPU_RUN_DIR (where run folders go;
# runs/cpu-line, ignored by git), PYTHON (default: the repository's .venv,
# made by scripts/python-env.sh when it is missing, as the npm scripts do).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The repository's .venv, made (or brought up to date) the way the npm scripts make it.
[ -n "${PYTHON:-}" ] || bash "$here/../scripts/python-env.sh"
py=${PYTHON:-$here/../.venv/bin/python}

# Put RUN_DIR's checkpoint back into the line's folder.
collect() {
  local run=$1 line=$2
  if [ ! -f "$run/checkpoint/config.json" ]; then
    echo "'$run' holds no checkpoint (no checkpoint/config.json): the run stopped before its first probe." \
         "The line's folder $line is unchanged." >&2
    return 1
  fi
  rm -f "$line"/weights-*.pt
  cp "$run"/checkpoint/weights-*.pt "$run"/checkpoint/config.json "$line"/
  cat "$run/log.jsonl" >> "$line/train-log.jsonl"
  for f in samples.png samples.txt; do [ -f "$run/$f" ] && cp "$run/$f" "$line/"; done
  "$py" - "$line/config.json" <<'EOF'
import json, sys
meta = json.load(open(sys.argv[1]))
print(f"checkpoint back in place: {meta.get('denoiser_steps')} denoiser steps, "
      f"{len(meta.get('history', []))} runs, last one done: {meta.get('done', False)}")
EOF
}

if [ "${1:-}" = collect ]; then
  collect "${2:?collect needs the run folder}" "${3:-$here/checkpoints/lantern-next}"
  exit
fi
minutes=${1:-120}
line=${2:-$here/checkpoints/lantern-next}
if [ ! -f "$line/config.json" ]; then
  echo "'$line' is no checkpoint folder (no config.json in it). The CPU line starts from a checkpoint" \
       "made as ARCHITECTURE.md, 'The CPU line', says." >&2
  exit 2
fi
line=$(realpath "$line")
run=${LANTERN_CPU_RUN_DIR:-$here/../runs/cpu-line}/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$run"
cd "$here"
# wsd: the rate stays up until the last fifth of each run, since the line
# goes on next session; the attribute head lifts the text's pull and stays
# on to the end of each run (aux_until=1: switched off at 70%, the pull
# fell by a third; ARCHITECTURE.md, Ablations); a fifth of the steps at
# t >= 0.999 teach it to read its caption, not the noise, where sampling starts (same);
# the caption head keeps the words, the background's included, in the
# caption vector (caption_weight=0.1: measured side by side, background on
# 200 prompts 44.0% against 34.0%; same place); object positions weigh 4
# times in the flow loss (object_weight=4: measured side by side, colour on
# 200 prompts 23.0% against 11.6%, motion 14.9 against 8.9; same place);
# a probe (and a checkpoint) every 20 minutes.
# shellcheck disable=SC2206 # split on purpose: several train arguments in one variable
extra=(${LANTERN_CPU_RUN_ARGS:-})
PYTHONPATH=. "$py" -m lantern.train --preset cpu --resume "$line" --minutes "$minutes" \
  --threads "${LANTERN_CPU_RUN_THREADS:-2}" --set lr_schedule=wsd --set aux_weight=0.1 --set aux_until=1.0 \
  --set pool_clips=1024 --set eval_every_minutes=20 --set eval_clips=24 --set t_high=0.2 --set t_high_from=0.999 \
  --set caption_weight=0.1 --set object_weight=4 \
  --out "$run" "${extra[@]}"
collect "$run" "$line"
