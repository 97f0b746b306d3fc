"""The worker entry point:  celery -A workers.worker worker --concurrency 1

This is the one module with import-time wiring, because `celery -A` needs an
app object to import. Only worker processes import it.
"""

from __future__ import annotations

from celery.signals import worker_process_init

from config import Settings
from workers.celery_app import create_celery
from workers.tasks import WorkerRuntime, register_tasks

settings = Settings.from_env()
app = create_celery(settings)
runtime = WorkerRuntime(settings)
register_tasks(app, runtime)


@worker_process_init.connect
def _load_models(**_):
    # Models and their thread pools (CTranslate2's OpenMP pool, the bergamot
    # engine's segment threads) must be created in the worker process itself,
    # after the fork: a pool inherited from the parent deadlocks (LibreTranslate #1008).
    runtime.start()
