"""/healthz (the process is up) and /readyz (it can do work)."""

from __future__ import annotations

from apiflask import APIBlueprint

from service.auth import public
from service.schemas import Health
from service.wiring import services

bp = APIBlueprint("health", __name__, tag="Health")


@bp.get("/healthz")
@public
@bp.output(Health)
def healthz():
    return {"status": "ok", "checks": {}}


@bp.get("/readyz")
@public
@bp.output(Health)
@bp.doc(responses={200: "Ready: Redis answers, a worker answers, models are installed",
                   503: {"description": "Not ready; `checks` says what is missing",
                         "content": {"application/json": {"schema": Health}}}})
def readyz():
    s = services()
    checks = {}
    try:
        checks["redis"] = bool(s.redis.ping())
    except Exception as error:  # any connection failure means "not ready", not a 500
        checks["redis"] = False
        checks["redis_error"] = str(error)
    workers = []
    if checks["redis"]:
        try:
            workers = sorted(name for reply in s.celery.control.ping(timeout=1.0) for name in reply)
        except Exception as error:
            checks["workers_error"] = str(error)
    checks["workers"] = workers
    checks["models"] = len(s.catalog.models())
    ready = checks["redis"] and bool(workers) and checks["models"] > 0
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
