"""A job as the API shows it (`describe`), to the callers who may see it
(`status_or_404`). The store hands out typed records (jobs/record.py); the
response's shape is the API's business, built here.

A job belongs to the tenant of the key that submitted it: other tenants' keys
get 404 for it (not 403, so a job id reveals nothing); admin keys see every job.
"""

from __future__ import annotations

from typing import Any

from conventions import iso, without_password
from jobs.record import ACTIVE, JobRecord, LanguageRecord, State
from jobs.store import JobNotFound
from service.auth import current_key, is_admin
from service.problems import Problem
from service.wiring import services


def describe_language(language: LanguageRecord) -> dict:
    entry = {
        "state": language.state.value,
        "progress": {"done": language.done, "total": language.total},
        "attempts": language.attempts,
        "started_at": iso(language.started_at),
        "finished_at": iso(language.finished_at),
    }
    for extra in ("error", "glossary", "stats", "model", "review"):
        value = getattr(language, extra)
        if value:
            entry[extra] = value
    return entry


def describe(job: JobRecord) -> dict:
    """The job's status: its state derived from its languages', each language's progress."""
    request, languages = job.request, job.languages.values()
    state = job.state
    finished = [language.finished_at for language in languages if language.finished_at]
    updated = [language.updated_at or job.created_at for language in languages]
    status: dict[str, Any] = {
        "id": job.id,
        "state": str(state),
        "source_lang": request.source_lang,
        "target_langs": list(request.target_langs),
        "external_id": request.external_id,
        "created_at": iso(job.created_at),
        "updated_at": iso(max(updated + [job.created_at])),
        "finished_at": iso(max(finished)) if state not in ACTIVE and finished else None,
        "languages": {lang: describe_language(language) for lang, language in job.languages.items()},
    }
    if request.detected_source:
        status["detected_source"] = request.detected_source
    if request.glossaries:
        status["glossaries"] = list(request.glossaries)
    if request.revision:
        status["revision"] = request.revision
    if request.callback_url:
        # Userinfo in a callback URL is a credential: the status never shows it.
        status["webhook"] = {"url": without_password(request.callback_url), "deliveries": list(job.deliveries)}
    status["publish"] = request.publish
    if request.owner:
        status["owner"] = {"key": request.owner.prefix, "tenant": request.owner.tenant}
    return status


def visible_job(job_id: str) -> JobRecord:
    """The job, if the caller may see it; the same 404 whether it does not exist or is not theirs."""
    try:
        job = services().jobs.job(job_id)
    except JobNotFound:
        job = None
    if job is None or not (is_admin() or job.request.tenant == current_key().tenant):
        raise Problem(404, "job-not-found", "Job not found", f"There is no job {job_id!r}.")
    return job


def status_or_404(job_id: str) -> dict:
    return describe(visible_job(job_id))


def finished_language(job_id: str, lang: str) -> tuple[dict, dict]:
    """(job status, the language's status) of a translation that has succeeded: 404 for a
    language the job does not have, 409 (with its state and error) for one not done yet.
    Every view of a finished translation (the text, its checks, its segments) asks this."""
    status = status_or_404(job_id)
    language = status["languages"].get(lang)
    if language is None:
        raise Problem(
            404,
            "language-not-in-job",
            "Language not in job",
            f"Job {job_id!r} does not translate into {lang!r}; it has {', '.join(status['target_langs'])}.",
        )
    if language["state"] != State.SUCCEEDED:
        raise Problem(
            409,
            "translation-not-ready",
            "Translation not ready",
            f"The {lang} translation is {language['state']}."
            + (f" Error: {language['error']}" if language.get("error") else ""),
            state=language["state"],
        )
    return status, language
