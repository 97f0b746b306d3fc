"""The term matchers' cache (jobs/matchers.py), shared by the interactive
worker's threads, and the interactive worker's wiring (no job store, one
connection policy)."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import fakeredis

from glossary.store import GlossaryStore
from jobs.matchers import TermMatchers
from tests.helpers import run_in_threads

ROOT = Path(__file__).resolve().parent.parent


def inline_request(term: str) -> dict:
    glossary = {"entries": [{"term": term, "keep": True}]}
    return {"source_lang": "en", "glossary": glossary, "glossaries": [{"id": "inline", "version": term}]}


def test_matchers_are_cached_per_versions_and_the_least_recently_used_goes_first():
    matchers = TermMatchers(GlossaryStore(fakeredis.FakeRedis()), kept=2)
    nato = matchers.for_request(inline_request("NATO"))
    assert matchers.for_request(inline_request("NATO")) is nato
    matchers.for_request(inline_request("EU"))
    matchers.for_request(inline_request("NATO"))  # used again: now the most recent
    matchers.for_request(inline_request("UN"))
    assert len(matchers) == 2 and matchers.for_request(inline_request("NATO")) is nato
    assert matchers.for_request({"source_lang": "en"}) is None


def test_many_threads_share_the_cache_without_a_lock_of_their_own():
    matchers = TermMatchers(GlossaryStore(fakeredis.FakeRedis()), kept=8)
    start = threading.Barrier(16)
    found = []

    def use(index: int) -> None:
        start.wait()
        for round_ in range(50):
            matcher = matchers.for_request(inline_request(f"term{(index + round_) % 12}"))
            found.append(matcher is not None)

    run_in_threads(use, [(i,) for i in range(16)])
    assert all(found) and len(found) == 16 * 50 and len(matchers) <= 8


def test_the_interactive_worker_builds_no_job_store_and_connects_like_everyone_else():
    tree = ast.parse((ROOT / "workers" / "interactive.py").read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
        node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
    }
    assert "JobStore" not in names and "Pipeline" not in names and "from_url" not in names
    short = (ROOT / "jobs" / "short.py").read_text()
    assert "Lock" not in short and "pipeline" not in short


def test_no_redis_client_is_made_outside_jobs_redis_client():
    for folder in ("service", "workers", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name != "redis_client.py":
                assert "Redis.from_url" not in path.read_text() and "redis.Redis(" not in path.read_text(), path
