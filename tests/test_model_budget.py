"""Models loaded on first use and dropped least recently used first under a
memory budget (Router.memory_budget, MODEL_MEMORY_BUDGET): a process holds the
models its traffic uses, not every installed pair (docs/performance.md,
"Many language pairs")."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from pathlib import Path

import pytest

from config import Settings
from translation.engines import build_router
from translation.engines.base import ModelInfo
from translation.engines.batching import BatchingEngine
from translation.engines.router import MB, Router, model_size

PAIRS = [("en", "de"), ("en", "fr"), ("en", "es"), ("de", "en")]


class _Model:
    def __init__(self, info: ModelInfo):
        self.info = info

    @property
    def cache_key(self) -> str:
        return self.info.name

    def describe(self) -> dict:
        return self.info.describe()

    def translate(self, texts: list[str]) -> list[str]:
        return [f"{self.info.target}:{t}" for t in texts]


class SizedEngine:
    """Models whose 'weights' are files of a given size; records every load."""

    name = "sized"

    def __init__(self, root: Path, mb_each: float = 1.0, load_seconds: float = 0.0):
        self.root = root
        self.loads: list[str] = []
        self.load_seconds = load_seconds
        self.infos = []
        for source, target in PAIRS:
            folder = root / f"{source}{target}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "model.bin").write_bytes(b"\0" * int(mb_each * MB))
            self.infos.append(ModelInfo(self.name, f"{source}{target}", "1", source, target, str(folder)))

    def available(self) -> list[ModelInfo]:
        return list(self.infos)

    def load(self, info: ModelInfo) -> _Model:
        time.sleep(self.load_seconds)
        self.loads.append(info.name)
        return _Model(info)


def test_model_size_counts_the_files_of_a_model(tmp_path):
    engine = SizedEngine(tmp_path, mb_each=0.5)
    assert model_size(engine.infos[0]) == MB // 2
    assert model_size(ModelInfo("x", "none", "1", "a", "b", str(tmp_path / "missing"))) == 0


def test_without_a_budget_every_model_stays_loaded(tmp_path):
    engine = SizedEngine(tmp_path)
    router = Router([engine])
    for source, target in PAIRS:
        router.translate(["x"], source, target)
    assert len(router.loaded) == len(PAIRS) and router.load_stats.evictions == 0


def test_models_load_on_first_use_and_the_least_recently_used_is_evicted(tmp_path):
    engine = SizedEngine(tmp_path, mb_each=1.0)
    router = Router([engine], memory_budget=2 * MB + MB // 2)  # room for two
    assert router.loaded == []  # nothing loaded before a request
    assert router.translate(["a"], "en", "de")[0] == ["de:a"]
    router.translate(["a"], "en", "fr")
    router.translate(["b"], "en", "de")  # en->de is now the most recently used
    router.translate(["a"], "en", "es")  # evicts en->fr, not en->de
    assert [m.name for m in router.loaded] == ["ende", "enes"]
    assert engine.loads == ["ende", "enfr", "enes"]
    router.translate(["a"], "en", "fr")  # loaded again, evicting en->de
    assert engine.loads[-1] == "enfr" and [m.name for m in router.loaded] == ["enes", "enfr"]
    assert router.load_stats.loads == 4 and router.load_stats.evictions == 2


def test_a_pivot_route_works_when_only_one_of_its_hops_fits(tmp_path):
    engine = SizedEngine(tmp_path, mb_each=1.0)
    router = Router([engine], memory_budget=MB)  # one model at a time
    assert router.translate(["a"], "de", "fr")[0] == ["fr:en:a"]  # de->en, then en->fr
    assert [m.name for m in router.loaded] == ["enfr"] and router.load_stats.evictions == 1


def test_a_model_over_the_budget_alone_is_still_loaded(tmp_path):
    router = Router([SizedEngine(tmp_path, mb_each=2.0)], memory_budget=MB)
    assert router.translate(["a"], "en", "de")[0] == ["de:a"]
    assert len(router.loaded) == 1


def test_preloading_stops_at_the_budget_instead_of_evicting_what_it_loaded(tmp_path):
    engine = SizedEngine(tmp_path, mb_each=1.0)
    router = Router([engine], memory_budget=2 * MB)
    router.load_all()
    assert engine.loads == ["ende", "enfr"] and router.load_stats.evictions == 0


def test_the_load_after_an_eviction_is_measured(tmp_path):
    router = Router([SizedEngine(tmp_path, load_seconds=0.05)], memory_budget=MB)
    router.translate(["a"], "en", "de")
    router.translate(["a"], "en", "fr")
    assert router.load_stats.loads == 2 and router.load_stats.last_load_seconds >= 0.05
    assert router.load_stats.load_seconds >= 0.1


def test_threads_asking_for_one_model_load_it_once(tmp_path):
    engine = SizedEngine(tmp_path, load_seconds=0.05)
    router = Router([engine], memory_budget=MB)
    threads = [threading.Thread(target=router.translate, args=(["a"], "en", "de")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert engine.loads == ["ende"]


def test_an_evicted_batching_model_is_freed_and_a_late_caller_still_served(tmp_path):
    engine = SizedEngine(tmp_path)
    router = Router([BatchingEngine(engine, 0.001, 8)], memory_budget=MB)
    first = router.model(router.route("en", "de")[0])
    assert first.translate(["a"]) == ["de:a"]
    inner = weakref.ref(first.model)
    router.translate(["a"], "en", "fr")  # evicts en->de: its batching thread stops
    assert first.translate(["late"]) == ["de:late"]  # a caller holding it is served all the same
    del first
    deadline = time.monotonic() + 5
    while inner() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    assert inner() is None, "the evicted model is still referenced (its batching thread?)"


@pytest.mark.parametrize("budget", [0, 300])
def test_the_setting_reaches_the_workers_router(budget):
    router = build_router(Settings(model_memory_budget_mb=budget, engines=("argos",)))
    assert router.memory_budget == budget * MB


def test_a_router_over_another_routers_models_loads_no_copy_of_its_own(tmp_path):
    from workers.short_service import shared_engines

    engine = SizedEngine(tmp_path)
    articles = Router([engine], memory_budget=2 * MB)
    short = Router([BatchingEngine(e, 0.001, 8) for e in shared_engines(articles)])
    assert short.translate(["a"], "en", "de")[0] == ["de:a"]
    assert articles.translate(["b"], "en", "de")[0] == ["de:b"]
    short.translate(["a"], "de", "fr")  # de->en, en->fr through the article router
    assert engine.loads == ["ende", "deen", "enfr"]  # en->de evicted by the article router's budget
    assert short.load_stats.loads == 0 and articles.load_stats.evictions == 1
    assert short.translate(["c"], "en", "de")[0] == ["de:c"]  # loaded again, by the article router
    assert engine.loads[-1] == "ende"
