"""The interactive queue served from the article worker's pool process
(WORKER_SERVES_INTERACTIVE): one copy of each model per host.

The interactive worker is a second process with its own copy of every model
(docs/performance.md, "Many language pairs": 202-214 MB of a 821 MB stack with
one pair). With this setting, the pool process that holds the article models
also takes the `interactive` queue, in a thread of its own, and its short
requests run on the same loaded models (workers.short_service.SharedModels):
its Celery pool process runs one article at a time in its main thread, so a
second Celery consumer cannot live in it; this thread is a plain kombu
consumer of the same queue, reading the messages the API's Celery app sends
(task protocol 2: headers name the task, the body is [args, kwargs, embed]).

Short requests are not stuck behind an article: they do not wait for a pool
slot (their own thread, INTERACTIVE_CONCURRENCY handler threads), and each
engine keeps at most one batch per replica (thread) of an article in flight,
so a short request's batch waits for at most the batches already decoding,
never for the rest of the article (translation/engines/argos.py, bergamot.py).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from kombu import Connection, Exchange, Queue

from config import Settings
from jobs.redis_client import Target
from workers.celery_app import DETECT_TASK, INTERACTIVE_QUEUE, SHORT_TASK
from workers.short_service import InteractiveRuntime

log = logging.getLogger(__name__)
QUEUE = Queue(INTERACTIVE_QUEUE, Exchange(INTERACTIVE_QUEUE), routing_key=INTERACTIVE_QUEUE)


def expired(headers: dict, now: datetime | None = None) -> bool:
    """The API gave up on this request (Celery's `expires`, its timeout): nobody waits for the answer."""
    stamp = headers.get("expires")
    if not stamp:
        return False
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when < (now or datetime.now(timezone.utc))


class InteractiveConsumer:
    def __init__(self, settings: Settings, runtime: InteractiveRuntime):
        self.settings, self.runtime = settings, runtime
        self.handlers = {SHORT_TASK: runtime.translate_short, DETECT_TASK: runtime.detect_language}
        self.pool = ThreadPoolExecutor(settings.interactive_concurrency, thread_name_prefix="interactive")
        # Taken before a message is received, given back when it is answered: no more messages
        # leave the queue than there are threads to serve them (another consumer may be idle).
        self.slots = threading.Semaphore(settings.interactive_concurrency)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> "InteractiveConsumer":
        # The short path (models shared, detector) is built before the first message, not by it.
        self.runtime.start()
        self.thread = threading.Thread(target=self._run, name="interactive-consumer", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
        self.pool.shutdown(wait=False)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                # The broker as Celery reaches it: one Redis, or the primary through Sentinel.
                broker, options = Target.from_settings(self.settings).celery_broker()
                with Connection(broker, transport_options=options) as connection:
                    with connection.Consumer([QUEUE], callbacks=[self._received], accept=["json"]) as consumer:
                        consumer.qos(prefetch_count=1)
                        log.info("serving the %s queue in this process", INTERACTIVE_QUEUE)
                        while not self.stopping.is_set():
                            try:
                                connection.drain_events(timeout=1)
                            except socket.timeout:
                                pass
            except Exception as error:  # Redis away: try again, as Celery's own consumer does
                log.warning("interactive consumer: %s; reconnecting", error)
                self.stopping.wait(1)

    def _received(self, body, message) -> None:
        # Acknowledged at once, as the interactive worker's tasks (acks_late=False): a request
        # whose worker died is answered by the API's timeout, not redelivered to nobody.
        message.ack()
        headers = message.headers or {}
        handler = self.handlers.get(str(headers.get("task")))
        if handler is None:
            log.warning("interactive consumer: unknown task %r dropped", headers.get("task"))
            return
        if expired(headers):
            return
        args = body[0] if isinstance(body, (list, tuple)) and body else []
        self.slots.acquire()
        self.pool.submit(self._handle, handler, args)

    def _handle(self, handler, args) -> None:
        started = time.perf_counter()
        try:
            handler(*args)
        except Exception:
            log.exception("interactive request failed")
        finally:
            self.slots.release()
            log.debug("interactive request served in %.3f s", time.perf_counter() - started)
