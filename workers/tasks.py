"""Celery tasks: thin wrappers that hand work to the domain core (jobs/).

Celery's prefork main process imports this module (to register the tasks by
name) but only supervises: the pipeline, the engines, the checks and the
stores are imported by the pool process that builds them (`build_pipeline`,
after the fork). Imported here, they cost the main process 22 MB that it
never uses (docs/performance.md, "Memory around the models").
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from config import Settings
from telemetry import logs, metrics
from workers.celery_app import REQUEST_ID_HEADER, TRANSLATE_QUEUE, TRANSLATE_TASK, WEBHOOK_TASK, send_translation

if TYPE_CHECKING:
    from jobs.leases import Sweeper
    from jobs.pipeline import Pipeline

log = logging.getLogger(__name__)

# A webhook attempt is one HTTP request with a 10 s timeout.
WEBHOOK_TIME_LIMIT = 60


class WorkerRuntime:
    """What one worker process holds for its lifetime: the pipeline with its
    loaded models, and the lease sweeper. Built after the fork by `start()`
    (worker_process_init)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.pipeline: Pipeline | None = None
        self.sweeper: Sweeper | None = None
        self.app: Celery | None = None  # set by register_tasks
        self.interactive = None  # the interactive queue's consumer, with WORKER_SERVES_INTERACTIVE
        self.send_webhook = None  # set by register_tasks

    def start(self) -> Pipeline:
        if self.pipeline is None:
            self.pipeline = build_pipeline(self.settings, notify=self.send_webhook, observe=metrics.record_language)
            if self.settings.preload_models:
                self.pipeline.router.load_all()
            log.info(
                "worker ready with %d model(s): %s",
                len(self.pipeline.router.models),
                ", ".join(f"{m.engine}:{m.name}" for m in self.pipeline.router.models),
            )
            if self.settings.worker_serves_interactive:
                self.interactive = serve_interactive(self.settings, self.pipeline.router)
        if self.sweeper is None and self.app is not None:
            from jobs.leases import Sweeper

            self.sweeper = Sweeper(
                self.pipeline.jobs,
                self.redispatch,
                self.queue_length,
                settle=self.pipeline.settle,
                interval=self.settings.job_sweep_interval_seconds,
            )
            self.sweeper.start()
        return self.pipeline

    def redispatch(self, job_id: str, lang: str) -> None:
        from jobs.store import JobNotFound

        try:
            limits = self.pipeline.jobs.request(job_id).time_limits
        except JobNotFound:
            return
        send_translation(self.app, job_id, lang, limits)

    def queue_length(self) -> int:
        return int(self.pipeline.jobs.redis.llen(TRANSLATE_QUEUE))


def serve_interactive(settings: Settings, router):
    """Short requests and detection served in this process on `router`'s models (one copy per host)."""
    from workers.interactive_consumer import InteractiveConsumer
    from workers.short_service import InteractiveRuntime, shared_engines

    return InteractiveConsumer(settings, InteractiveRuntime(settings, shared_engines(router))).start()


def build_pipeline(settings: Settings, notify=None, observe=None) -> Pipeline:
    from checks.translated import CheckPolicy
    from glossary.enforcement import SCHEMES
    from glossary.store import GlossaryStore
    from jobs.pipeline import Pipeline
    from jobs.redis_client import connect
    from jobs.replication import Replication
    from jobs.store import JobStore
    from translation.cache import SegmentCache
    from translation.engines import build_router
    from translation.limits import SegmentLimits

    client = connect(settings, patient=True)
    if settings.glossary_placeholders not in SCHEMES:
        raise ValueError(
            f"configuration error: GLOSSARY_PLACEHOLDERS={settings.glossary_placeholders!r} must be one of"
            f" {', '.join(SCHEMES)}"
        )
    router = build_router(settings, SegmentCache(client, settings.segment_cache_ttl_seconds))
    return Pipeline(
        router,
        JobStore.from_settings(client, settings),
        GlossaryStore.from_settings(client, settings),
        notify=notify,
        observe=observe,
        placeholders=settings.glossary_placeholders,
        time_limit_errors=(SoftTimeLimitExceeded,),
        limits=SegmentLimits.from_settings(settings),
        checks=CheckPolicy.from_settings(settings),
        replication=Replication.from_settings(client, settings),
    )


def register_tasks(app: Celery, runtime: WorkerRuntime) -> None:
    settings = runtime.settings
    runtime.app = app

    @cache
    def policy():
        # Built by the first delivery, in the pool process (see the module's docstring).
        from access import KeyStore
        from jobs.redis_client import connect
        from jobs.webhooks import WebhookPolicy

        # Per-key webhook secrets are read when each event is sent (one Redis read).
        keys = KeyStore(connect(settings, patient=True), webhook_master=settings.webhook_secret)
        return WebhookPolicy.from_settings(settings, keys.webhook_secret)

    @app.task(name=TRANSLATE_TASK)
    def translate_language(job_id: str, lang: str) -> str:
        # start() is a no-op after worker_process_init; it matters for pools that skip it.
        return runtime.start().run(job_id, lang)

    @app.task(
        name=WEBHOOK_TASK,
        bind=True,
        max_retries=max(0, settings.webhook_max_attempts - 1),
        soft_time_limit=WEBHOOK_TIME_LIMIT,
        time_limit=WEBHOOK_TIME_LIMIT + 10,
    )
    def deliver_webhook(self, job_id: str, event: dict) -> str:
        """POST one event to the job's callback_url; retried with exponential backoff."""
        from jobs.webhooks import attempt_delivery

        outcome = attempt_delivery(runtime.start().jobs, job_id, event, self.request.retries + 1, policy())
        metrics.record_webhook(outcome.state)
        log.info("webhook %s: %s", event["id"], outcome.state, extra={"event": event["id"], "outcome": outcome.state})
        if outcome.retry_in is not None:
            raise self.retry(countdown=outcome.retry_in)
        return outcome.state

    # The request that submitted the job follows its events into their tasks' log lines.
    runtime.send_webhook = lambda job_id, event: deliver_webhook.apply_async(
        (job_id, event), headers={REQUEST_ID_HEADER: logs.current("request_id")}
    )
