"""The editorial use cases' desk, as the API wires it: the stores on the app's
Redis, the revision published through the job store's articles, webhook events
sent to the workers by task name (the API never imports the worker modules)."""

from __future__ import annotations

from editorial.memory import TranslationMemory
from editorial.review import Desk
from editorial.store import CarriedEdits, Drafts
from service.wiring import services
from telemetry import logs
from workers.celery_app import REQUEST_ID_HEADER, WEBHOOK_TASK


def _announce(job_id: str, event: dict) -> None:
    services().celery.send_task(
        WEBHOOK_TASK, args=[job_id, event], headers={REQUEST_ID_HEADER: logs.current("request_id")}
    )


def desk() -> Desk:
    s = services()
    return Desk(
        Drafts(s.redis, s.settings.job_ttl_seconds),
        TranslationMemory(s.redis),
        CarriedEdits(s.redis),
        announce=_announce,
        publish=s.jobs.articles.publish,
        fuzzy_threshold=s.settings.memory_fuzzy_threshold,
    )


def memory() -> TranslationMemory:
    return TranslationMemory(services().redis)
