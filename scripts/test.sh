#!/usr/bin/env bash
# Runs every test of the project. Sets up what the tests need first (the
# Python environment for training/), so it works on a fresh clone.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/python-env.sh
echo "== training (pytest)"
(cd training && ../.venv/bin/python -m pytest -q -W ignore::torch.jit.TracerWarning "$@")
