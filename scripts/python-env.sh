#!/usr/bin/env bash
# Creates .venv with training/requirements.txt if it is missing or stale.
# Sourced by the test script; safe to run again.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$root/training/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Setting up the Python environment in .venv (torch CPU; a few minutes the first time)..."
  python3 -m venv "$venv"
  # Fail fast on unreachable indexes: machines without PyPI use their configured local index.
  "$venv/bin/pip" install --disable-pip-version-check --retries 1 --timeout 15 -q -r "$root/training/requirements.txt"
  echo "$want" > "$stamp"
fi
