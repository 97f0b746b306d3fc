#!/usr/bin/env bash
# Prepare this checkout: a virtualenv with the pinned dependencies and a Redis
# server binary. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# redis-server runs the stack; wrk (a C HTTP load generator) drives the API
# load test of `make bench` and of its smoke run in the tests.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v wrk >/dev/null 2>&1; then
  echo "== installing Debian's redis-server and wrk"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server wrk >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing pinned dependencies (no PyTorch: see README, 'Lean install')"
  .venv/bin/pip install -q --upgrade pip
  # requirements*.txt pin every package, transitive ones included, so --no-deps
  # installs exactly that set: argostranslate without stanza and PyTorch.
  .venv/bin/pip install -q --no-deps -r requirements.txt -r requirements-dev.txt
  # The project itself, editable: its packages import without PYTHONPATH.
  .venv/bin/pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi
