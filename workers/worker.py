"""The worker entry point:  celery -A workers.worker worker --concurrency 1

This module (and workers.interactive) has import-time wiring, because
`celery -A` needs an app object to import. Only worker processes import it.
"""

from __future__ import annotations

import logging
import os

import redis
from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
)

from config import Settings
from jobs.redis_client import connect
from jobs.heartbeats import HEARTBEAT_INTERVAL_SECONDS, WorkerHeartbeats
from telemetry import logs, metrics
from workers.celery_app import REQUEST_ID_HEADER, TRANSLATE_TASK, create_celery
from workers.tasks import WorkerRuntime, register_tasks

settings = Settings.from_env()
if settings.worker_metrics_port and not metrics.multiprocess_dir():
    raise SystemExit(
        "configuration error: WORKER_METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR (a folder of its own "
        "per worker host): Celery's pool processes report through it"
    )
app = create_celery(settings)
runtime = WorkerRuntime(settings)
register_tasks(app, runtime)
log = logging.getLogger(__name__)


@setup_logging.connect
def _json_logs(loglevel=None, logfile=None, **_):
    # Connected, this replaces Celery's own logging setup: JSON lines (or
    # LOG_FORMAT=text) to --logfile or stderr, at --loglevel.
    logs.configure(loglevel or settings.log_level, settings.log_format, logfile or None)


@worker_process_init.connect
def _load_models(**_):
    # Articles are throughput work: on shared cores, the interactive worker's
    # short requests (and the API) go first, and the backlog takes the rest.
    if settings.worker_nice:
        os.nice(settings.worker_nice)
    # Models and their thread pools (CTranslate2's OpenMP pool, the bergamot
    # engine's segment threads) must be created in the worker process itself,
    # after the fork: a pool inherited from the parent deadlocks (LibreTranslate #1008).
    runtime.start()


@worker_process_shutdown.connect
def _process_gone(pid=None, **_):
    metrics.mark_process_dead(pid or os.getpid())


@task_prerun.connect
def _task_context(task=None, task_id=None, args=None, **_):
    args = list(args or [])
    job_id = args[0] if args else None
    lang = (
        args[1]
        if task.name == TRANSLATE_TASK and len(args) > 1
        else (args[1].get("lang") if len(args) > 1 and isinstance(args[1], dict) else None)
    )
    task.request.log_token = logs.start(
        task=task.name,
        task_id=task_id,
        job_id=job_id,
        lang=lang,
        request_id=getattr(task.request, REQUEST_ID_HEADER, None),
    )


@task_postrun.connect
def _task_context_end(task=None, **_):
    token = getattr(task.request, "log_token", None)
    if token is not None:
        logs.reset(token)


@worker_ready.connect
def _heartbeat_and_metrics(sender=None, **_):
    """In the main process: a heartbeat in Redis every few seconds (metrics show
    which workers are alive), and this worker's own /metrics port if set."""
    # Not patient: a beat that fails is skipped (the missing beat is the signal), not retried for a minute.
    heartbeats = WorkerHeartbeats(connect(settings, patient=False))
    name = sender.hostname

    def beat():
        try:
            heartbeats.beat(name)
        except redis.RedisError as error:  # Redis away: the missing heartbeat is the signal
            log.warning("heartbeat not written: %s", error)

    beat()
    sender.timer.call_repeatedly(HEARTBEAT_INTERVAL_SECONDS, beat)
    if settings.worker_metrics_port:
        metrics.serve_worker_metrics(settings.worker_metrics_port)
        log.info("worker metrics on port %d", settings.worker_metrics_port)
