"""/healthz (the process is up) and /readyz (it can do work).

/readyz is open, for load balancers and orchestrators: to them it says ready
or not ready (200 or 503), and nothing else. What was checked (Redis, which
workers consume which queue, how many models) names hosts and is for
operators: shown with an admin key or the METRICS_TOKEN. Asking the workers
takes up to READY_CHECK_TIMEOUT_SECONDS (a broadcast that waits for answers),
so a process asks at most once per READY_CACHE_SECONDS and answers from that
verdict in between: a flood of /readyz cannot occupy its threads.
"""

from __future__ import annotations

import threading
import time

import redis

from apiflask import APIBlueprint
from flask import current_app

from access import ADMIN, RevokedKey, UnknownKey
from service.auth import access, presented_key, presents_token, public
from service.schemas import Health
from service.wiring import services
from workers.celery_app import INTERACTIVE_QUEUE, TRANSLATE_QUEUE

bp = APIBlueprint("health", __name__, tag="Health")

READY_CACHE_SECONDS = 2.0


@bp.get("/healthz")
@public
@bp.output(Health)
def healthz():
    return {"status": "ok", "checks": {}}


@bp.get("/readyz")
@public
@bp.output(Health)
@bp.doc(
    responses={
        200: "Ready: Redis answers, a worker answers on each queue, models are installed",
        503: {
            "description": "Not ready; with an admin key or the METRICS_TOKEN, `checks` says what is missing",
            "content": {"application/json": {"schema": Health}},
        },
    }
)
def readyz():
    ready, checks = _verdict()
    return {"status": "ready" if ready else "not ready", "checks": checks if _operator() else {}}, 200 if ready else 503


def _operator() -> bool:
    """Does the caller present the metrics token or an admin key? (Never an error: the endpoint is open.)"""
    token = services().settings.metrics_token
    if token and presents_token(token):
        return True
    key = presented_key()
    if key is None:
        return False
    try:
        return access().keys.authenticate(key).has_role(ADMIN)
    except (UnknownKey, RevokedKey, redis.RedisError):  # Redis away: no details, but still an answer
        return False


class Readiness:
    """The app's latest verdict, asked again when older than READY_CACHE_SECONDS by one
    thread at a time; the others take the previous verdict meanwhile."""

    def __init__(self):
        self.at = float("-inf")
        self.last: tuple[bool, dict] | None = None
        self.asking = threading.Lock()

    def verdict(self) -> tuple[bool, dict]:
        if self.last is not None and time.monotonic() - self.at < READY_CACHE_SECONDS:
            return self.last
        if not self.asking.acquire(blocking=self.last is None):
            return self.last
        try:
            self.last, self.at = _check(), time.monotonic()
            return self.last
        finally:
            self.asking.release()


def _verdict() -> tuple[bool, dict]:
    return current_app.extensions.setdefault("readiness", Readiness()).verdict()


def _check() -> tuple[bool, dict]:
    s = services()
    checks = {}
    try:
        checks["redis"] = bool(s.redis.ping())
    except Exception as error:  # any connection failure means "not ready", not a 500
        checks["redis"] = False
        checks["redis_error"] = str(error)
    consumers = {}
    if checks["redis"]:
        try:
            consumers = s.celery.control.inspect(timeout=s.settings.ready_check_timeout_seconds).active_queues() or {}
        except Exception as error:
            checks["workers_error"] = str(error)
    checks["workers"] = sorted(consumers)
    # Articles and short requests each need a worker on their queue (workers.worker, workers.interactive).
    checks["queues"] = {
        queue: sorted(w for w, queues in consumers.items() if queue in {q["name"] for q in queues})
        for queue in (TRANSLATE_QUEUE, INTERACTIVE_QUEUE)
    }
    checks["models"] = len(s.catalog.models())
    ready = checks["redis"] and all(checks["queues"].values()) and checks["models"] > 0
    return ready, checks
