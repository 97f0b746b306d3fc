"""Celery tasks: thin wrappers that hand a job language to the pipeline."""

from __future__ import annotations

import logging

import redis

from config import Settings
from glossary.store import GlossaryStore
from workers.cache import SegmentCache
from workers.celery_app import app
from workers.engine import Engine, EngineOptions
from workers.jobstore import JobStore
from workers.pipeline import Pipeline

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
    return Pipeline(engine, JobStore(client, settings.job_ttl_seconds), GlossaryStore.from_settings(client, settings))


@app.task(name="translate_language")
def translate_language(job_id: str, lang: str) -> str:
    if _pipeline is None:  # a worker started with a pool that skips worker_process_init
        init_worker_process(Settings.from_env())
    return _pipeline.run(job_id, lang)
