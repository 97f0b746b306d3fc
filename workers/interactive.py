"""The interactive worker:  celery -A workers.interactive worker

(This module sets its queue, `interactive`, and its pool, INTERACTIVE_CONCURRENCY
threads; the article worker, workers.worker, never consumes that queue.)

Short requests (DeepL /v2/translate, LibreTranslate /translate and /detect,
detection for jobs without a source language) arrive on their own queue, so
they never wait behind article jobs on the `translate` queue. One process
serves them with a pool of threads: each task thread hands its sentences to
the model's batcher (translation.engines.batching), which sends what
concurrent requests brought within a few milliseconds to the model as one
batch; the task then pushes its answer to the Redis list the API is waiting
on (BLPOP with a timeout). The language detector is built once, here, not in
every API process.
"""

from __future__ import annotations

import json
import logging

from celery import Celery
from celery.signals import worker_init
from kombu import Exchange, Queue

from config import Settings
from glossary.store import GlossaryStore
from jobs.matchers import TermMatchers
from jobs.redis_client import connect
from jobs.short import ShortTexts, ShortTextError
from translation.cache import SegmentCache
from translation.detection import Detector
from translation.engines import MB, Router, build_engines
from translation.engines.batching import BatchingEngine
from translation.limits import SegmentLimits
from workers.celery_app import DETECT_TASK, INTERACTIVE_QUEUE, SHORT_TASK, create_celery

log = logging.getLogger(__name__)
REPLY_TTL_SECONDS = 60


def detection_languages(settings: Settings, router: Router) -> list[str]:
    """DETECT_LANGUAGES, or every language of the models (sources and targets)."""
    if settings.detect_languages:
        return list(settings.detect_languages)
    return sorted({m.source for m in router.models} | {m.target for m in router.models})


def build_short_texts(settings: Settings, client) -> ShortTexts:
    engines = build_engines(settings)
    if settings.interactive_batching:
        engines = [BatchingEngine(engine, settings.interactive_batch_window_ms / 1000,
                                  settings.interactive_batch_max_segments) for engine in engines]
    router = Router(engines, settings.pivot_lang, SegmentCache(client, settings.segment_cache_ttl_seconds),
                    settings.model_memory_budget_mb * MB)
    languages = detection_languages(settings, router)
    detector = Detector(languages, settings.detect_min_confidence, settings.detect_min_share) if languages else None
    return ShortTexts(router, TermMatchers(GlossaryStore.from_settings(client, settings)), detector,
                      settings.glossary_placeholders, SegmentLimits.from_settings(settings))


class InteractiveRuntime:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.short: ShortTexts | None = None
        # One client, with the connection policy of every caller that has someone waiting (fail fast).
        self.redis = connect(settings.redis_url, patient=False)

    def start(self) -> ShortTexts:
        if self.short is None:
            self.short = build_short_texts(self.settings, self.redis)
            if self.settings.preload_models:
                self.short.router.load_all()
            detector = self.short.detector
            log.info("interactive worker ready: %d model(s), batching %s, detecting %s",
                     len(self.short.router.models),
                     f"{self.settings.interactive_batch_window_ms} ms" if self.settings.interactive_batching else "off",
                     ", ".join(detector.languages) if detector else "nothing")
        return self.short

    def reply(self, reply_to: str, answer: dict) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(reply_to, json.dumps(answer))
        pipe.expire(reply_to, REPLY_TTL_SECONDS)
        pipe.execute()


def register_interactive_tasks(app: Celery, runtime: InteractiveRuntime) -> None:
    # Not acks_late: a short request whose worker died is answered by the API's
    # timeout; redelivering it minutes later would translate for nobody.
    @app.task(name=SHORT_TASK, acks_late=False)
    def translate_short(reply_to: str, request: dict) -> None:
        try:
            answer = runtime.start().translate(request)
        except ShortTextError as refused:
            answer = {"error": refused.to_dict()}
        except Exception as error:  # the caller is waiting: tell it now, not at its timeout
            log.exception("short request failed")
            answer = {"error": {"kind": "internal", "detail": f"internal error: {type(error).__name__}"}}
        runtime.reply(reply_to, answer)

    @app.task(name=DETECT_TASK, acks_late=False)
    def detect_language(reply_to: str, text: str) -> None:
        detection = runtime.start().detect(text)
        runtime.reply(reply_to, {
            "language": detection.language, "confidence": detection.confidence,
            "reason": detection.describe() if not detection.detected else "",
            "candidates": [{"language": c.language, "confidence": c.confidence} for c in detection.candidates[:5]]})


settings = Settings.from_env()
app = create_celery(settings)
app.conf.update(
    # Only this queue, whatever the command line says: an article task taken
    # here would find no task of that name and be lost.
    # Its own exchange and routing key, as the API's app declares the queue when routing to it; the
    # defaults would bind it to the article queue's ("translate"), and it would get a copy of every article task.
    task_queues=(Queue(INTERACTIVE_QUEUE, Exchange(INTERACTIVE_QUEUE), routing_key=INTERACTIVE_QUEUE),),
    worker_pool="threads",
    worker_concurrency=settings.interactive_concurrency,
)
runtime = InteractiveRuntime(settings)
register_interactive_tasks(app, runtime)


@worker_init.connect
def _build(**_):
    # The threads pool runs tasks in this process: models and the detector are
    # built once, before the worker takes its first request.
    runtime.start()
