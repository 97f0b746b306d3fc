"""The Celery application factory: Redis broker, at-least-once delivery.

Nothing is built at import time. The API builds its own app from the settings
given to `create_app()` (it only sends tasks, by name); the worker process
builds one in `workers.worker`, the module `celery -A` points at.
"""

from __future__ import annotations

from celery import Celery

from config import Settings
from jobs.redis_client import Target

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
    # One server, or the primary found through Sentinel (kombu's sentinel://
    # transport, master_name in the transport options): the same Redis as
    # every other client's (jobs/redis_client.Target).
    broker, sentinel_options = Target.from_settings(settings).celery_broker()
    app = Celery("newsroom", broker=broker, set_as_current=False)
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
        # Unacknowledged messages of a worker that vanished (or lost the broker)
        # are restored after this many seconds, looked for every 10 s. Leases
        # (jobs/leases.py) requeue a dead worker's language long before; this
        # brings back the rest: a webhook delivery cut short, a message taken
        # but never started. A redelivery while the first worker still runs a
        # long translation finds its live lease and does nothing, so a timeout
        # shorter than the longest task costs nothing.
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout,
            "unacked_restore_interval": 10,
            "unacked_restore_throttle": 1,
            **sentinel_options,
        },
        # A task interrupted by a lost broker connection is cancelled and
        # redelivered, not acknowledged as if it had finished (which lost the
        # language being translated at every Redis restart).
        worker_cancel_long_running_tasks_on_connection_loss=True,
        # Reconnect for ever: a worker must come back after an outage of any length.
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        task_default_queue=TRANSLATE_QUEUE,
        task_routes={SHORT_TASK: {"queue": INTERACTIVE_QUEUE}, DETECT_TASK: {"queue": INTERACTIVE_QUEUE}},
    )
    return app


def send_translation(
    app: Celery, job_id: str, lang: str, time_limits: dict | None, request_id: str | None = None
) -> None:
    """Queue one language of a job, with the time limits fixed at submission
    (and the API request that caused it, for the worker's log lines)."""
    limits = time_limits or {}
    app.send_task(
        TRANSLATE_TASK,
        args=[job_id, lang],
        headers={REQUEST_ID_HEADER: request_id},
        soft_time_limit=limits.get("soft"),
        time_limit=limits.get("hard"),
    )
