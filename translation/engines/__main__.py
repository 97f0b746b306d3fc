"""List what the configured engines can translate, without loading a model.

    python -m translation.engines          # every model and every reachable pair
    python -m translation.engines has en pt   # exit 0 if some engine (or pivot) serves en->pt

Reads the same settings as the API and the workers (TRANSLATE_ENGINES,
ARGOS_PACKAGES_DIR, TRANSLATE_PIVOT_LANG).
"""

from __future__ import annotations

import sys

from config import Settings
from translation.engines import build_engines, list_models, routes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = Settings.from_env()
    models = list_models(build_engines(settings))
    table = routes(models, settings.pivot_lang)
    if argv[:1] == ["has"] and len(argv) == 3:
        return 0 if (argv[1], argv[2]) in table else 1
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"engines: {', '.join(settings.engines)} (in order of preference)")
    for m in models:
        print(f"  {m.engine:<9} {m.source} -> {m.target}  {m.name} (version {m.version})")
    print(
        "pairs: "
        + ", ".join(f"{s}->{t} ({'+'.join(m.engine for m in route)})" for (s, t), route in sorted(table.items()))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
