"""The Celery application: Redis broker, at-least-once delivery, one engine per
worker process.

Start a worker with:  celery -A workers.celery_app worker --concurrency 1
"""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_process_init

from config import Settings

TRANSLATE_TASK = "translate_language"


def create_celery(settings: Settings) -> Celery:
    """The Celery app for workers and for the API, which only sends tasks."""
    app = Celery("newsroom", broker=settings.redis_url, include=["workers.tasks"])
    app.conf.update(
        # At-least-once: a task is acknowledged only after it ran, and a task whose
        # worker process died (SIGKILL, OOM) goes back to the queue. Task writes are
        # idempotent check-and-set transactions (workers/jobstore.py), so a second
        # delivery redoes the work instead of corrupting it.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One article-language at a time per process: long tasks must not sit
        # prefetched behind another while an idle worker elsewhere could run them.
        worker_prefetch_multiplier=settings.prefetch_multiplier,
        worker_concurrency=settings.worker_concurrency,
        worker_max_tasks_per_child=settings.max_tasks_per_child or None,
        # Unacknowledged messages of a worker that vanished entirely are restored
        # after this many seconds; it must exceed the longest task.
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        task_default_queue="translate",
    )
    return app


settings = Settings.from_env()
app = create_celery(settings)


@worker_process_init.connect
def _load_engine(**_):
    # CTranslate2 and its OpenMP thread pools must be created in the worker
    # process itself, after the fork: a pool inherited from the parent
    # deadlocks (LibreTranslate #1008).
    from workers import tasks

    tasks.init_worker_process(settings)
