"""Above the engines, once: which models a pair runs through (directly or via
the pivot language, possibly on two different engines), the segment cache,
de-duplication, and the counts jobs report.

Each worker process builds one Router after the fork and keeps its loaded
models for its lifetime.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

from config import Settings
from translation.cache import SegmentCache
from translation.engines.base import Engine, EngineStats, ModelInfo, PairModel, UnsupportedPair


def list_models(engines: list[Engine]) -> list[ModelInfo]:
    """Every model the engines can load, engines in order of preference."""
    return [info for engine in engines for info in engine.available()]


def routes(models: list[ModelInfo], pivot: str = "en") -> dict[tuple[str, str], list[ModelInfo]]:
    """Every reachable (source, target) pair and the models it runs through: a
    direct model where one is listed (the first listed wins, so engine order is
    preference), else two hops through the pivot language, each hop on
    whichever engine serves it."""
    direct: dict[tuple[str, str], ModelInfo] = {}
    for model in models:
        direct.setdefault((model.source, model.target), model)
    reachable = {pair: [model] for pair, model in direct.items()}
    for (src, mid), first in direct.items():
        if mid != pivot:
            continue
        for (mid2, tgt), second in direct.items():
            if mid2 == pivot and tgt != src and (src, tgt) not in reachable:
                reachable[(src, tgt)] = [first, second]
    return reachable


@dataclass
class Router:
    engines: list[Engine]           # in order of preference
    pivot: str = Settings.pivot_lang
    cache: SegmentCache | None = None
    models: list[ModelInfo] = field(init=False)
    _routes: dict = field(init=False)
    _loaded: dict[ModelInfo, PairModel] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self):
        self._engines = {engine.name: engine for engine in self.engines}
        self.models = list_models(self.engines)
        self._routes = routes(self.models, self.pivot)

    def for_tenant(self, tenant: str | None) -> "Router":
        """This router (the same loaded models) with `tenant`'s own segment cache:
        what one tenant translated is never a cache hit for another."""
        if self.cache is None or not tenant:
            return self
        view = copy.copy(self)  # shares _loaded and _lock: no model is loaded twice
        view.cache = self.cache.namespaced(tenant)
        return view

    def load_all(self) -> None:
        """Load every model some route uses (a worker does this once, at start)."""
        for info in dict.fromkeys(model for route in self._routes.values() for model in route):
            self.model(info)

    def model(self, info: ModelInfo) -> PairModel:
        """The loaded model for a listed one, loaded on first use and kept."""
        with self._lock:
            if info not in self._loaded:
                self._loaded[info] = self._engines[info.engine].load(info)
            return self._loaded[info]

    def route(self, source: str, target: str) -> list[ModelInfo]:
        route = self._routes.get((source, target))
        if route is None:
            raise UnsupportedPair(source, target)
        return route

    def sources_for(self, target: str) -> set[str]:
        """Every language some route translates into `target`."""
        return {source for source, to in self._routes if to == target}

    def describe_route(self, source: str, target: str) -> list[dict]:
        return [info.describe() for info in self.route(source, target)]

    def translate(self, texts: list[str], source: str, target: str) -> tuple[list[str], EngineStats]:
        """Translate texts, pivoting where needed; cached segments skip the model."""
        stats = EngineStats()
        for hop in self.route(source, target):
            texts = self._translate_hop(self.model(hop), texts, stats)
        return texts, stats

    def _translate_hop(self, model: PairModel, texts: list[str], stats: EngineStats) -> list[str]:
        cached = self.cache.get_many(model.cache_key, texts) if self.cache else [None] * len(texts)
        # Identical segments within one article go to the model once.
        missing = list(dict.fromkeys(t for t, c in zip(texts, cached) if c is None))
        stats.cache_hits += sum(c is not None for c in cached)
        fresh: dict[str, str] = {}
        if missing:
            outputs = model.translate(missing)
            if len(outputs) != len(missing):
                raise RuntimeError(f"{model.info.engine} model {model.info.name} returned {len(outputs)}"
                                   f" translations for {len(missing)} segments")
            fresh = dict(zip(missing, outputs))
            stats.model_calls += 1
            stats.segments_translated += len(missing)
            if self.cache:
                self.cache.put_many(model.cache_key, fresh)
        return [c if c is not None else fresh[t] for t, c in zip(texts, cached)]
