#!/usr/bin/env bash
# Prepare this checkout: a virtualenv with the pinned dependencies, a Redis
# server binary, and the browser the console's tests drive. Safe to run again;
# it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# redis-server, redis-sentinel (the highly available stack, docs/ha.md) and nginx (the front: it reads each request whole before a
# gunicorn thread sees it; docs/front.md) run the stack; wrk (a C HTTP load generator) drives the API
# load test of `make bench` and of its smoke run in the tests.
# chromium and chromium-driver (built from one Debian source, so their versions
# always match) run the console's browser tests; npm installs axe-core below.
missing=()
for pair in redis-server:redis-server redis-sentinel:redis-sentinel ip:iproute2 nginx:nginx wrk:wrk chromium:chromium chromedriver:chromium-driver npm:npm; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian's ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# axe-core, the accessibility checker the browser tests inject into each
# console page; a test-only file, kept under var/ (not committed), checked
# against the published tarball's hash.
AXE_VERSION=4.14.1
AXE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
axe=var/axe/node_modules/axe-core/axe.min.js
if [ "$(sha256sum "$axe" 2>/dev/null | cut -d' ' -f1)" != "$AXE_SHA256" ]; then
  echo "== installing axe-core $AXE_VERSION from npm into var/axe"
  mkdir -p var/axe
  npm install --prefix var/axe --no-audit --no-fund --no-save --silent "axe-core@$AXE_VERSION" >/dev/null
  echo "$AXE_SHA256  $axe" | sha256sum --check --quiet
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
