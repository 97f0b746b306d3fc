"""The API's wiring of the submission use case (jobs/submission.py): who is
calling, their quota, and how tasks are sent. The native, DeepL and
LibreTranslate views build a `Request` from their parameters and call `submit`."""

from __future__ import annotations

from access import GLOSSARY_READ
from jobs import submission
from jobs.submission import Caller, Desk, Refusal, Request
from service.auth import authorize, current_key
from service.interactive import InteractiveUnavailable
from service.metering import meter
from service.problems import refused
from service.wiring import services
from telemetry import logs
from workers.celery_app import send_translation

__all__ = ["Request", "submit", "desk", "caller", "may_use_glossaries"]


def _detect(text: str) -> dict:
    try:
        return services().interactive.detect(text)
    except InteractiveUnavailable as error:
        raise submission.Unavailable(str(error))


def _dispatch(job_id: str, lang: str, limits: dict) -> None:
    # The request id travels as a message header into the worker's log lines.
    send_translation(services().celery, job_id, lang, limits, logs.current("request_id"))


def desk() -> Desk:
    s = services()
    return Desk.from_settings(s.settings, s.jobs, s.glossaries, s.catalog.routes, _detect, _dispatch)


def caller() -> Caller:
    key = current_key()
    return Caller(key.id, key.prefix, key.tenant, key.has_webhook_secret)


def may_use_glossaries(ids) -> None:
    """Using a stored glossary (by id) needs the `glossary:read` role: a job shows the
    glossary's name and its translation shows the renderings, so using one is reading it
    (docs/security.md). An inline glossary needs nothing more than the job's own role.
    A 403 missing-role, in the caller's dialect."""
    if ids:
        authorize(current_key(), GLOSSARY_READ)


def submit(wanted: Request) -> str:
    """The new job's id; its refusal raised as a problem (in the blueprint's dialect)."""
    may_use_glossaries(wanted.glossary_ids)
    outcome = submission.submit(desk(), caller(), wanted, meter())
    if isinstance(outcome, Refusal):
        raise refused(outcome)
    return outcome.job_id
