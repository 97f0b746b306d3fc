#!/usr/bin/env bash
# LibreTranslate 1.9.6 in its own virtualenv (var/peers/venv), for `make bench-peers`:
# its wheel and its Argos fork with --no-deps, what they need to serve from
# libretranslate-requirements.txt, and the offline MiniSBD stand-in. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/var/peers/venv"
stamp="$venv/.installed-1.9.6"
[ -f "$stamp" ] && exit 0
python="${PYTHON:-$root/.venv/bin/python}"
"$python" -m venv --clear "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/libretranslate-requirements.txt"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps libretranslate==1.9.6 argos-translate-lt==1.12.1 \
    argos-translate-files==1.4.4
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cp "$here/minisbd.py" "$site/minisbd.py"
# No PyTorch, and MiniSBD only as the stand-in.
if "$venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)'; then
    echo "PyTorch got installed into $venv: refusing" >&2; exit 1
fi
"$venv/bin/python" -c 'import libretranslate.main, argostranslate.translate, minisbd; assert minisbd.__file__.endswith("minisbd.py")'
touch "$stamp"
