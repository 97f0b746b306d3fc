"""Celery tasks: thin wrappers that hand work to the domain core (jobs/)."""

from __future__ import annotations

import logging

import redis
from celery import Celery

from access import KeyStore
from config import Settings
from glossary.enforcement import SCHEMES
from glossary.store import GlossaryStore
from jobs.pipeline import Pipeline
from jobs.store import JobStore
from jobs.webhooks import WebhookPolicy, attempt_delivery
from translation.cache import SegmentCache
from telemetry import logs, metrics
from translation.engines import build_router
from workers.celery_app import REQUEST_ID_HEADER, TRANSLATE_TASK, WEBHOOK_TASK

log = logging.getLogger(__name__)


class WorkerRuntime:
    """What one worker process holds for its lifetime: the pipeline with its
    loaded models. Built after the fork by `start()` (worker_process_init)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.pipeline: Pipeline | None = None
        self.send_webhook = None  # set by register_tasks

    def start(self) -> Pipeline:
        if self.pipeline is None:
            self.pipeline = build_pipeline(self.settings, notify=self.send_webhook, observe=metrics.record_language)
            if self.settings.preload_models:
                self.pipeline.router.load_all()
            log.info("worker ready with %d model(s): %s", len(self.pipeline.router.models),
                     ", ".join(f"{m.engine}:{m.name}" for m in self.pipeline.router.models))
        return self.pipeline


def build_pipeline(settings: Settings, notify=None, observe=None) -> Pipeline:
    client = redis.Redis.from_url(settings.redis_url)
    if settings.glossary_placeholders not in SCHEMES:
        raise ValueError(f"configuration error: GLOSSARY_PLACEHOLDERS={settings.glossary_placeholders!r} must be one of"
                         f" {', '.join(SCHEMES)}")
    router = build_router(settings, SegmentCache(client, settings.segment_cache_ttl_seconds))
    return Pipeline(router, JobStore(client, settings.job_ttl_seconds), GlossaryStore.from_settings(client, settings),
                    notify=notify, observe=observe, placeholders=settings.glossary_placeholders)


def register_tasks(app: Celery, runtime: WorkerRuntime) -> None:
    settings = runtime.settings
    # Per-key webhook secrets are read when each event is sent (one Redis read).
    policy = WebhookPolicy.from_settings(settings, KeyStore(redis.Redis.from_url(settings.redis_url)).webhook_secret)

    @app.task(name=TRANSLATE_TASK)
    def translate_language(job_id: str, lang: str) -> str:
        # start() is a no-op after worker_process_init; it matters for pools that skip it.
        return runtime.start().run(job_id, lang)

    @app.task(name=WEBHOOK_TASK, bind=True, max_retries=max(0, settings.webhook_max_attempts - 1))
    def deliver_webhook(self, job_id: str, event: dict) -> str:
        """POST one event to the job's callback_url; retried with exponential backoff."""
        outcome = attempt_delivery(runtime.start().jobs, job_id, event, self.request.retries + 1, policy)
        metrics.record_webhook(outcome.state)
        log.info("webhook %s: %s", event["id"], outcome.state, extra={"event": event["id"], "outcome": outcome.state})
        if outcome.retry_in is not None:
            raise self.retry(countdown=outcome.retry_in)
        return outcome.state

    # The request that submitted the job follows its events into their tasks' log lines.
    runtime.send_webhook = lambda job_id, event: deliver_webhook.apply_async(
        (job_id, event), headers={REQUEST_ID_HEADER: logs.current("request_id")})
