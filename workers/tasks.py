"""Celery tasks: thin wrappers that hand a job language to the pipeline."""

from __future__ import annotations

import logging

import httpx
import redis

from config import Settings
from glossary.store import GlossaryStore
from workers.cache import SegmentCache
from workers.celery_app import app, settings
from workers.engine import Engine, EngineOptions
from workers.jobstore import JobStore
from workers.jobstore import now
from workers.pipeline import Pipeline
from workers.webhooks import UnsafeCallbackURL, deliver

log = logging.getLogger(__name__)

# Built once per worker process by init_worker_process (worker_process_init).
_pipeline: Pipeline | None = None


def init_worker_process(settings: Settings) -> None:
    global _pipeline
    _pipeline = build_pipeline(settings)
    if settings.preload_models:
        _pipeline.engine.load_all()
    log.info("worker ready with %d model(s)", len(_pipeline.engine.models))


def build_pipeline(settings: Settings) -> Pipeline:
    client = redis.Redis.from_url(settings.redis_url)
    engine = Engine.from_packages_dir(
        settings.argos_packages_dir,
        EngineOptions.from_settings(settings),
        SegmentCache(client, settings.segment_cache_ttl_seconds),
    )
    return Pipeline(
        engine,
        JobStore(client, settings.job_ttl_seconds),
        GlossaryStore.from_settings(client, settings),
        notify=lambda job_id, event: deliver_webhook.delay(job_id, event),
    )


@app.task(name="translate_language")
def translate_language(job_id: str, lang: str) -> str:
    if _pipeline is None:  # a worker started with a pool that skips worker_process_init
        init_worker_process(settings)
    return _pipeline.run(job_id, lang)


@app.task(name="deliver_webhook", bind=True)
def deliver_webhook(self, job_id: str, event: dict) -> str:
    """POST one event to the job's callback_url; retried with exponential backoff."""
    jobs = _pipeline.jobs if _pipeline else JobStore(redis.Redis.from_url(settings.redis_url))
    url = jobs.request(job_id)["callback_url"]
    attempt = self.request.retries + 1
    record = {"event": event["id"], "type": event["type"], "attempts": attempt, "created_at": now()}
    try:
        status = deliver(url, event, settings.webhook_secret, settings.webhook_allowed_hosts)
    except UnsafeCallbackURL as refused:
        jobs.record_delivery(job_id, event["id"], {**record, "state": "refused", "error": str(refused)})
        return "refused"
    except httpx.HTTPError as error:
        status, problem = None, f"{type(error).__name__}: {error}"
    else:
        problem = None if 200 <= status < 300 else f"receiver answered {status}"
    if problem is None:
        jobs.record_delivery(job_id, event["id"], {**record, "state": "delivered", "status": status})
        return "delivered"
    if attempt >= settings.webhook_max_attempts:
        jobs.record_delivery(job_id, event["id"], {**record, "state": "failed", "status": status, "error": problem})
        return "failed"
    jobs.record_delivery(job_id, event["id"], {**record, "state": "retrying", "status": status, "error": problem})
    raise self.retry(countdown=settings.webhook_backoff_seconds * 2 ** (attempt - 1), max_retries=None)
