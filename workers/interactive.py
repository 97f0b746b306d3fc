"""The interactive worker:  celery -A workers.interactive worker

(This module sets its queue, `interactive`, and its pool, INTERACTIVE_CONCURRENCY
threads; the article worker, workers.worker, consumes that queue only with
WORKER_SERVES_INTERACTIVE, and then this worker is not started: see
workers/interactive_consumer.py.)

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

from celery import Celery
from celery.signals import worker_init
from kombu import Exchange, Queue

from config import Settings
from workers.celery_app import DETECT_TASK, INTERACTIVE_QUEUE, SHORT_TASK, create_celery
from workers.short_service import InteractiveRuntime


def register_interactive_tasks(app: Celery, runtime: InteractiveRuntime) -> None:
    # Not acks_late: a short request whose worker died is answered by the API's
    # timeout; redelivering it minutes later would translate for nobody.
    @app.task(name=SHORT_TASK, acks_late=False)
    def translate_short(reply_to: str, request: dict) -> None:
        runtime.translate_short(reply_to, request)

    @app.task(name=DETECT_TASK, acks_late=False)
    def detect_language(reply_to: str, text: str) -> None:
        runtime.detect_language(reply_to, text)


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
