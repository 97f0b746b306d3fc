"""The Celery application factory: Redis broker, at-least-once delivery.

Nothing is built at import time. The API builds its own app from the settings
given to `create_app()` (it only sends tasks, by name); the worker process
builds one in `workers.worker`, the module `celery -A` points at.
"""

from __future__ import annotations

from celery import Celery

from config import Settings

TRANSLATE_QUEUE = "translate"  # article jobs: workers.worker
TRANSLATE_TASK = "translate_language"
WEBHOOK_TASK = "deliver_webhook"
# A message header: the API request that caused a task, for the worker's log lines.
REQUEST_ID_HEADER = "request_id"
# The interactive path: its own queue, consumed only by the interactive worker
# (workers/interactive.py), so a short request never waits behind an article.
INTERACTIVE_QUEUE = "interactive"
SHORT_TASK = "translate_short"
DETECT_TASK = "detect_language"


def create_celery(settings: Settings) -> Celery:
    """A Celery app configured from settings; tasks are registered separately."""
    app = Celery("newsroom", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        # At-least-once: a task is acknowledged only after it ran, and a task whose
        # worker process died (SIGKILL, OOM) goes back to the queue. Task writes are
        # idempotent check-and-set transactions (jobs/store.py), so a second
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
        task_default_queue=TRANSLATE_QUEUE,
        task_routes={SHORT_TASK: {"queue": INTERACTIVE_QUEUE}, DETECT_TASK: {"queue": INTERACTIVE_QUEUE}},
    )
    return app
