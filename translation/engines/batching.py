"""Dynamic batching: concurrent short requests for one model share model calls.

LibreTranslate calls the model once per request; a model translating 10
one-sentence requests one after another pays its per-call overhead ten times
and leaves its batch capacity unused. Here, as inference servers do, the first
request for a model opens a short window (a few milliseconds); every request
arriving for the same model during the window, or while the model is busy
with the previous batch, goes into the next call, up to `max_segments`.
Each caller gets exactly its own outputs back.

Only the interactive worker wraps its engines this way (many small concurrent
requests); an article job is already one large batch.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from translation.engines.base import Engine, ModelInfo, PairModel


@dataclass
class _Request:
    texts: list[str]
    future: Future = field(default_factory=Future)


@dataclass
class BatchStats:
    """What the batcher did, for the benchmark and the worker's log."""

    calls: int = 0
    requests: int = 0
    segments: int = 0


class BatchingModel:
    """A PairModel whose `translate` may be called from many threads at once."""

    def __init__(self, model: PairModel, window_seconds: float, max_segments: int):
        self.model = model
        self.info: ModelInfo = model.info
        self.window = window_seconds
        self.max_segments = max(1, max_segments)
        self.stats = BatchStats()
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._closed = False
        self._close_lock = threading.Lock()
        threading.Thread(target=self._run, name=f"batch-{model.info.name}", daemon=True).start()

    @property
    def cache_key(self) -> str:
        return self.model.cache_key  # batching never changes an output

    def describe(self) -> dict:
        return self.model.describe()

    def translate(self, texts: list[str]) -> list[str]:
        if not texts:
            return []
        request = _Request(list(texts))
        with self._close_lock:
            queued = not self._closed
            if queued:
                self._queue.put(request)  # before the closing sentinel: the thread serves it
        if not queued:
            # Evicted (Router's memory budget) after this caller got the model: served alone.
            return self.model.translate(request.texts)
        return request.future.result()

    def close(self) -> None:
        """Stop the batching thread once what is queued is served, so the model can be freed
        (the router drops a model evicted by its memory budget; the thread would hold it for ever)."""
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)

    def _collect(self) -> list[_Request] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        count = len(first.texts)
        deadline = time.monotonic() + self.window
        while count < self.max_segments:
            try:
                # Whatever queued while the model was busy joins at once; then wait out the window.
                item = (
                    self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    if time.monotonic() < deadline
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if item is None:  # closed: serve this batch, then stop
                self._queue.put(None)
                break
            batch.append(item)
            count += len(item.texts)
        return batch

    def _run(self) -> None:
        while True:
            batch = self._collect()
            if batch is None:
                return
            # Ten clients sending the same sentence cost one segment.
            unique = list(dict.fromkeys(t for item in batch for t in item.texts))
            try:
                outputs = self.model.translate(unique)
                if len(outputs) != len(unique):
                    raise RuntimeError(f"{self.info.name} returned {len(outputs)} outputs for {len(unique)} inputs")
            except BaseException as error:  # every waiting caller learns of it; the loop goes on
                for item in batch:
                    item.future.set_exception(error)
                continue
            self.stats.calls += 1
            self.stats.requests += len(batch)
            self.stats.segments += len(unique)
            translated = dict(zip(unique, outputs))
            for item in batch:
                item.future.set_result([translated[t] for t in item.texts])


class BatchingEngine:
    """An engine whose loaded models batch concurrent calls (see BatchingModel)."""

    def __init__(self, engine: Engine, window_seconds: float, max_segments: int):
        self.engine = engine
        self.name = engine.name
        self.loads_models = getattr(engine, "loads_models", True)  # False over another router's models
        self.window = window_seconds
        self.max_segments = max_segments

    def available(self) -> list[ModelInfo]:
        return self.engine.available()

    def load(self, info: ModelInfo) -> PairModel:
        return BatchingModel(self.engine.load(info), self.window, self.max_segments)
