#!/usr/bin/env bash
# Creates .venv with training/requirements.txt if it is missing or stale.
# Run by the test script and the training npm scripts; safe to run again. On a
# machine without Python's venv module it installs Debian's python3-venv when
# it runs as root with apt-get, and otherwise stops with the command to run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$root/training/requirements.txt" | cut -d' ' -f1)
has_venv() { command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; }
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! has_venv; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Python's venv module is missing; installing Debian's python3 and python3-venv..." >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    fi
    if ! has_venv; then
      echo "Python not found: python3 with its venv module is needed for the training tests. Install it with: sudo apt-get install python3 python3-venv" >&2
      exit 69
    fi
  fi
  echo "Setting up the Python environment in .venv (torch CPU; a few minutes the first time)..."
  python3 -m venv "$venv"
  # Fail fast on unreachable indexes: machines without PyPI use their configured local index.
  "$venv/bin/pip" install --disable-pip-version-check --retries 1 --timeout 15 -q -r "$root/training/requirements.txt"
  echo "$want" > "$stamp"
fi
