"""Short requests and detection as a worker serves them, whichever process:
the interactive worker (workers/interactive.py, a Celery threads pool) or the
article worker's pool process when WORKER_SERVES_INTERACTIVE is on
(workers/interactive_consumer.py). No import-time wiring here: both import it.
"""

from __future__ import annotations

import json
import logging

from config import Settings
from glossary.store import GlossaryStore
from jobs.matchers import TermMatchers
from jobs.redis_client import connect
from jobs.short import ShortTexts, ShortTextError
from translation.cache import SegmentCache
from translation.detection import Detector
from translation.engines import MB, Engine, ModelInfo, Router, build_engines
from translation.engines.batching import BatchingEngine
from translation.limits import SegmentLimits

log = logging.getLogger(__name__)
REPLY_TTL_SECONDS = 60


def detection_languages(settings: Settings, router: Router) -> list[str]:
    """DETECT_LANGUAGES, or every language of the models (sources and targets)."""
    if settings.detect_languages:
        return list(settings.detect_languages)
    return sorted({m.source for m in router.models} | {m.target for m in router.models})


class SharedModel:
    """A model of another router, fetched from it on every call: the other
    router loads it (once), keeps it or evicts it under its budget; this holds
    no reference that would keep an evicted model alive."""

    def __init__(self, router: Router, info: ModelInfo):
        self.router, self.info = router, info

    @property
    def cache_key(self) -> str:
        return self.router.model(self.info).cache_key

    def describe(self) -> dict:
        return self.info.describe()

    def translate(self, texts: list[str]) -> list[str]:
        return self.router.model(self.info).translate(texts)


class SharedModels:
    """An engine serving `router`'s models of engine `name`: the short path on the article path's loaded models."""

    loads_models = False  # the router using this engine loads (and counts) nothing: `router` does

    def __init__(self, router: Router, name: str):
        self.router, self.name = router, name

    def available(self) -> list[ModelInfo]:
        return [info for info in self.router.models if info.engine == self.name]

    def load(self, info: ModelInfo) -> SharedModel:
        return SharedModel(self.router, info)


def shared_engines(router: Router) -> list[Engine]:
    """The engines of `router` (same order: same preference), their models held by `router`."""
    return [SharedModels(router, engine.name) for engine in router.engines]


def build_short_texts(settings: Settings, client, engines: list[Engine] | None = None) -> ShortTexts:
    """engines: None builds the settings' own (the interactive worker loads its own models);
    shared_engines(router) serves another router's."""
    shared = engines is not None
    engines = build_engines(settings) if engines is None else engines
    if settings.interactive_batching:
        engines = [
            BatchingEngine(engine, settings.interactive_batch_window_ms / 1000, settings.interactive_batch_max_segments)
            for engine in engines
        ]
    # Shared models are budgeted by the router that holds them.
    router = Router(
        engines,
        settings.pivot_lang,
        SegmentCache(client, settings.segment_cache_ttl_seconds),
        0 if shared else settings.model_memory_budget_mb * MB,
    )
    languages = detection_languages(settings, router)
    detector = (
        Detector(languages, settings.detect_min_confidence, settings.detect_min_share, preload=settings.detect_preload)
        if languages
        else None
    )
    return ShortTexts(
        router,
        TermMatchers(GlossaryStore.from_settings(client, settings)),
        detector,
        settings.glossary_placeholders,
        SegmentLimits.from_settings(settings),
    )


class InteractiveRuntime:
    def __init__(self, settings: Settings, engines: list[Engine] | None = None):
        self.settings = settings
        self.engines = engines
        self.short: ShortTexts | None = None
        # One client, with the connection policy of every caller that has someone waiting (fail fast).
        self.redis = connect(settings, patient=False)

    def start(self) -> ShortTexts:
        if self.short is None:
            self.short = build_short_texts(self.settings, self.redis, self.engines)
            # Shared models are loaded (or not) by the router that holds them.
            if self.settings.preload_models and self.engines is None:
                self.short.router.load_all()
            detector = self.short.detector
            log.info(
                "interactive path ready: %d model(s)%s, batching %s, detecting %s",
                len(self.short.router.models),
                " (shared)" if self.engines is not None else "",
                f"{self.settings.interactive_batch_window_ms} ms" if self.settings.interactive_batching else "off",
                (", ".join(detector.languages) + ("" if self.settings.detect_preload else " (loaded on first use)"))
                if detector
                else "nothing",
            )
        return self.short

    def reply(self, reply_to: str, answer: dict) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(reply_to, json.dumps(answer))
        pipe.expire(reply_to, REPLY_TTL_SECONDS)
        pipe.execute()

    def translate_short(self, reply_to: str, request: dict) -> None:
        try:
            answer = self.start().translate(request)
        except ShortTextError as refused:
            answer = {"error": refused.to_dict()}
        except Exception as error:  # the caller is waiting: tell it now, not at its timeout
            log.exception("short request failed")
            answer = {"error": {"kind": "internal", "detail": f"internal error: {type(error).__name__}"}}
        self.reply(reply_to, answer)

    def detect_language(self, reply_to: str, text: str) -> None:
        detection = self.start().detect(text)
        self.reply(
            reply_to,
            {
                "language": detection.language,
                "confidence": detection.confidence,
                "reason": detection.describe() if not detection.detected else "",
                "candidates": [{"language": c.language, "confidence": c.confidence} for c in detection.candidates[:5]],
            },
        )
