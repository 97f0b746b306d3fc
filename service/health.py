"""/healthz (the process is up) and /readyz (it can do work)."""

from __future__ import annotations

from apiflask import APIBlueprint

from service.auth import public
from service.schemas import Health
from service.wiring import services
from workers.celery_app import INTERACTIVE_QUEUE, TRANSLATE_QUEUE

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
    consumers = {}
    if checks["redis"]:
        try:
            consumers = s.celery.control.inspect(timeout=s.settings.ready_check_timeout_seconds).active_queues() or {}
        except Exception as error:
            checks["workers_error"] = str(error)
    checks["workers"] = sorted(consumers)
    # Articles and short requests each need a worker on their queue (workers.worker, workers.interactive).
    checks["queues"] = {queue: sorted(w for w, queues in consumers.items() if queue in {q["name"] for q in queues})
                        for queue in (TRANSLATE_QUEUE, INTERACTIVE_QUEUE)}
    checks["models"] = len(s.catalog.models())
    ready = checks["redis"] and all(checks["queues"].values()) and checks["models"] > 0
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
