"""The API's side of the interactive path: send a short request to the
interactive worker's queue and wait, bounded, for its answer.

The task pushes its answer to a Redis list named for this request; the API
waits on it with BLPOP. The task expires with the wait, so a request the API
gave up on is dropped by the worker instead of translated for nobody.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass

import redis
from celery import Celery

from jobs.submission import Meter
from service.auth import current_key
from service.problems import Problem, refused

from workers.celery_app import DETECT_TASK, SHORT_TASK

log = logging.getLogger(__name__)


class InteractiveUnavailable(Exception):
    """No answer in time (no interactive worker, or it is overloaded), or the queue is unreachable."""


def waiting_places(api_threads: int) -> int:
    """Threads of an API process that may wait for a worker at once: all but two of
    gunicorn's (API_THREADS), so that health checks, status polls and downloads
    always find a thread, however many requests wait."""
    return max(1, api_threads - 2)


@dataclass
class InteractiveClient:
    celery: Celery
    redis: redis.Redis
    timeout: float
    waiting: threading.BoundedSemaphore  # waiting_places(API_THREADS) of them

    def _call(self, task: str, *args) -> dict:
        if not self.waiting.acquire(blocking=False):
            raise InteractiveUnavailable("every waiting place of this API process is taken")
        try:
            return self._send_and_wait(task, *args)
        finally:
            self.waiting.release()

    def _send_and_wait(self, task: str, *args) -> dict:
        reply_to = f"interactive:reply:{uuid.uuid4().hex}"
        try:
            self.celery.send_task(task, args=[reply_to, *args], expires=self.timeout)
            answer = self.redis.blpop([reply_to], timeout=self.timeout)
        except Exception as error:  # kombu's OperationalError, redis's ConnectionError, …
            raise InteractiveUnavailable(f"the queue cannot be reached ({type(error).__name__})")
        if answer is None:
            raise InteractiveUnavailable(f"no answer from the interactive worker within {self.timeout:g} s")
        return json.loads(answer[1])

    def translate(self, request: dict) -> dict:
        """{texts, source|None, target, format, glossaries} -> {results, stats} or {error: {kind, detail}}."""
        return self._call(SHORT_TASK, request)

    def detect(self, text: str) -> dict:
        """{language|None, confidence, reason}."""
        return self._call(DETECT_TASK, text)


# What the worker's refusals are, as problems (each API's dialect reshapes them).
_REFUSALS = {
    "not-detected": (422, "language-not-detected", "Source language not detected"),
    "unsupported-pair": (422, "unsupported-language-pair", "Unsupported language pair"),
    "invalid-document": (422, "invalid-document", "Invalid markup"),
    "limit-exceeded": (422, "limit-exceeded", "Limit exceeded"),
    "internal": (500, "internal-error", "Internal Server Error"),
}


def unavailable(error: InteractiveUnavailable) -> Problem:
    return Problem(
        503,
        "interactive-unavailable",
        "Translation unavailable",
        f"Short requests cannot be served now: {error}. Retry later.",
        headers={"Retry-After": "1"},
    )


def translate(client: InteractiveClient, request: dict, meter: Meter, characters: int) -> list[dict]:
    """The results of a short request, or the Problem the worker's answer means.

    The characters are charged before the worker is asked (two requests cannot
    both take the quota's last characters) and given back when it refuses or
    does not answer: a refused request costs nothing."""
    refusal = meter.charge(characters)
    if refusal is not None:
        raise refused(refusal)
    try:
        # The tenant picks the segment cache (translation/cache.py): never another tenant's.
        answer = client.translate({**request, "tenant": current_key().tenant})
    except InteractiveUnavailable as error:
        _refund(meter, characters)
        raise unavailable(error)
    except BaseException:
        _refund(meter, characters)
        raise
    if "error" in answer:
        _refund(meter, characters)
        refusal = answer["error"]
        status, slug, title = _REFUSALS.get(refusal["kind"], _REFUSALS["internal"])
        raise Problem(status, slug, title, refusal["detail"])
    return answer["results"]


def _refund(meter: Meter, characters: int) -> None:
    try:
        meter.refund(characters)
    except Exception as error:  # Redis away: the refusal itself is what to report
        log.error("refund of %d characters failed: %s", characters, error)


def detect(client: InteractiveClient, text: str) -> dict:
    try:
        return client.detect(text)
    except InteractiveUnavailable as error:
        raise unavailable(error)
