"""Dynamic batching (translation.engines.batching) with a model that records
its calls: concurrent requests share calls, each gets its own outputs back."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from translation.engines.base import ModelInfo
from translation.engines.batching import BatchingModel


class RecordingModel:
    """Upper-cases; takes 20 ms per call, like a small model's fixed overhead."""

    def __init__(self, fail_on: str | None = None):
        self.info = ModelInfo("test", "upper", "1", "en", "xx")
        self.calls: list[list[str]] = []
        self.fail_on = fail_on
        self.lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        return "upper@1"

    def describe(self) -> dict:
        return self.info.describe()

    def translate(self, texts: list[str]) -> list[str]:
        with self.lock:
            self.calls.append(list(texts))
        time.sleep(0.02)
        if self.fail_on in texts:
            raise RuntimeError("model failed")
        return [t.upper() for t in texts]


def _concurrently(model, requests: list[list[str]]) -> list[list[str]]:
    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(model.translate, requests))


def test_concurrent_requests_share_model_calls_and_get_their_own_outputs():
    inner = RecordingModel()
    batched = BatchingModel(inner, window_seconds=0.01, max_segments=64)
    requests = [[f"sentence {i}", f"second {i}"] for i in range(20)]
    outputs = _concurrently(batched, requests)
    assert outputs == [[t.upper() for t in r] for r in requests]
    assert len(inner.calls) < len(requests)  # shared calls
    assert sorted(t for call in inner.calls for t in call) == sorted(t for r in requests for t in r)
    assert batched.stats.requests == 20 and batched.stats.calls == len(inner.calls)


def test_a_batch_never_exceeds_its_segment_budget_unless_one_request_does():
    inner = RecordingModel()
    batched = BatchingModel(inner, window_seconds=0.05, max_segments=4)
    _concurrently(batched, [["a", "b", "c"] for _ in range(6)] + [list("0123456789")])
    assert all(len(call) <= 4 or len(call) == 10 for call in inner.calls)


def test_identical_sentences_from_different_clients_are_translated_once():
    inner = RecordingModel()
    batched = BatchingModel(inner, window_seconds=0.05, max_segments=64)
    assert _concurrently(batched, [["Same sentence."]] * 8) == [["SAME SENTENCE."]] * 8
    assert sum(len(call) for call in inner.calls) < 8


def test_a_failing_call_fails_every_request_in_it_and_the_batcher_goes_on():
    inner = RecordingModel(fail_on="bad")
    batched = BatchingModel(inner, window_seconds=0.0, max_segments=64)
    with pytest.raises(RuntimeError, match="model failed"):
        batched.translate(["bad"])
    assert batched.translate(["good"]) == ["GOOD"]
