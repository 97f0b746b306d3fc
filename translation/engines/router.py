"""Above the engines, once: which models a pair runs through (directly or via
the pivot language, possibly on two different engines), the segment cache,
de-duplication, and the counts jobs report.

Each worker process builds one Router after the fork. Models are loaded on
first use; with a memory budget (MODEL_MEMORY_BUDGET) the least recently used
are dropped when the next one would not fit, so a host with 10-20 language
pairs holds what its traffic uses, not every installed model in every process
(docs/performance.md, "Many language pairs").
"""

from __future__ import annotations

import copy
import ctypes
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from config import Settings
from translation.cache import SegmentCache
from translation.engines.base import Engine, EngineStats, ModelInfo, PairModel, UnsupportedPair

log = logging.getLogger(__name__)
MB = 1024 * 1024


def model_size(info: ModelInfo) -> int:
    """Bytes a loaded model is counted for: its files on disk (weights,
    vocabularies). A loaded CTranslate2 or Marian model holds its weights at
    their stored precision, so the files are a floor known before loading;
    the budget leaves the decoding memory to TRANSLATE_MAX_BATCH_TOKENS."""
    root = Path(info.location) if info.location else None
    if root is None or not root.exists():
        return 0
    if root.is_file():
        return root.stat().st_size
    return sum(f.stat().st_size for f in root.rglob("*") if f.is_file())


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Give what an evicted model freed back to the system: glibc keeps freed
    heap memory for later allocations, so without this a process that evicted
    and loaded models stays at its high-water mark (loading and evicting the 10
    bench models in turn under a 3-model budget: 345 MB resident without, 249 MB
    with; docs/performance.md, "Many language pairs")."""
    gc.collect()  # the evicted model's Python objects (and their native memory) now, not at some later collection
    if _TRIM is not None:
        _TRIM(0)


@dataclass
class LoadStats:
    """What the router's model cache did in this process (the benchmark and the log read it)."""

    loads: int = 0
    evictions: int = 0
    load_seconds: float = 0.0
    last_load_seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "loads": self.loads,
            "evictions": self.evictions,
            "load_seconds": round(self.load_seconds, 3),
            "last_load_seconds": round(self.last_load_seconds, 3),
        }


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
    engines: list[Engine]  # in order of preference
    pivot: str = Settings.pivot_lang
    cache: SegmentCache | None = None
    # Bytes of models (model_size) this process keeps loaded; 0: no bound.
    memory_budget: int = 0
    models: list[ModelInfo] = field(init=False)
    _routes: dict = field(init=False)
    # Least recently used first; shared by every for_tenant view.
    _loaded: "OrderedDict[ModelInfo, PairModel]" = field(default_factory=OrderedDict, init=False)
    _sizes: dict[ModelInfo, int] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    load_stats: LoadStats = field(default_factory=LoadStats, init=False)

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
        """Load every model some route uses (a worker does this once, at start),
        as many as the memory budget holds: preloading must not evict what it
        just loaded."""
        used = 0
        for info in dict.fromkeys(model for route in self._routes.values() for model in route):
            size = model_size(info)
            if self.memory_budget and used + size > self.memory_budget and used:
                log.info(
                    "preloading stopped at the model memory budget (%d MB): %s and later load on first use",
                    self.memory_budget // MB,
                    info.name,
                )
                return
            used += size
            self.model(info)

    @property
    def loaded(self) -> list[ModelInfo]:
        """The models loaded now, least recently used first."""
        with self._lock:
            return list(self._loaded)

    def model(self, info: ModelInfo) -> PairModel:
        """The loaded model for a listed one: loaded on first use and kept,
        until the budget needs its room for another (least recently used first).

        A model evicted while a call still runs on it stays alive until that
        call returns (the call holds it); the router only forgets it. Loading
        happens under the lock: two threads never load the same model twice,
        and a request for a loaded model waits out another model's load (the
        measured cost of an eviction, in load_stats)."""
        with self._lock:
            model = self._loaded.get(info)
            if model is not None:
                self._loaded.move_to_end(info)
                return model
            engine = self._engines[info.engine]
            if not getattr(engine, "loads_models", True):
                # A view of models another router holds (and budgets): nothing loaded here.
                self._loaded[info] = model = engine.load(info)
                return model
            size = model_size(info)
            self._make_room(size)
            started = time.perf_counter()
            model = engine.load(info)
            elapsed = time.perf_counter() - started
            self._loaded[info] = model
            self._sizes[info] = size
            self.load_stats.loads += 1
            self.load_stats.load_seconds += elapsed
            self.load_stats.last_load_seconds = elapsed
            log.info(
                "model %s:%s loaded in %.2f s (%d MB on disk; %d loaded in process %d)",
                info.engine,
                info.name,
                elapsed,
                size // MB,
                len(self._loaded),
                os.getpid(),
            )
            return model

    def _make_room(self, size: int) -> None:
        if not self.memory_budget:
            return
        # The model itself is always loaded, even alone over the budget: a pair is never refused for memory.
        while self._loaded and sum(self._sizes.values()) + size > self.memory_budget:
            info, model = self._loaded.popitem(last=False)
            self._sizes.pop(info, None)
            close = getattr(model, "close", None)
            if close is not None:
                close()
            self.load_stats.evictions += 1
            del model, close  # the last references here: a model no call holds is freed now
            release_freed_memory()
            log.info(
                "model %s:%s evicted (least recently used) for the model memory budget of %d MB",
                info.engine,
                info.name,
                self.memory_budget // MB,
            )

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
                raise RuntimeError(
                    f"{model.info.engine} model {model.info.name} returned {len(outputs)}"
                    f" translations for {len(missing)} segments"
                )
            fresh = dict(zip(missing, outputs))
            stats.model_calls += 1
            stats.segments_translated += len(missing)
            if self.cache:
                self.cache.put_many(model.cache_key, fresh)
        return [c if c is not None else fresh[t] for t, c in zip(texts, cached)]
