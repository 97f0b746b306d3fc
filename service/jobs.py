"""/v1/jobs: submit an article, follow its progress, fetch each translation.

A job belongs to the tenant of the key that submitted it: other tenants' keys
get 404 for it (not 403, so a job id reveals nothing); admin keys see every job.
"""

from __future__ import annotations

import logging

import redis
from apiflask import APIBlueprint, HTTPError
from marshmallow import ValidationError
from flask import url_for

from access import TRANSLATE
from service.auth import charge_characters, current_key, is_admin, requires
from service import interactive
from service.problems import REDIS_RETRY_AFTER, Problem, accepts_any_body, unprocessable
from service.glossary_use import resolve_glossaries
from service.representations import respond
from service.schemas import AUTO, DownloadQuery, JobIn, JobList, JobListQuery, JobOut, JobUploadIn, TranslationOut
from service.wiring import services
from telemetry import logs, metrics
from workers.celery_app import send_translation
from translation.documents import FORMATS, DocumentError, Unit, body_from_file, format_for_extension, parse, \
    text_characters
from translation.limits import LimitExceeded, SegmentBudget, SegmentLimits, check_units, token_counter
from jobs.store import SUCCEEDED, TERMINAL, JobNotFound
from jobs.time_limits import time_limits
from jobs.webhooks import UnsafeCallbackURL, check_callback_url

bp = APIBlueprint("jobs", __name__, url_prefix="/v1/jobs", tag="Jobs")
log = logging.getLogger(__name__)


def _status_or_404(job_id: str) -> dict:
    """The job's status, if the caller may see it; the same 404 whether it does not exist or is not theirs."""
    try:
        status = services().jobs.status(job_id)
    except JobNotFound:
        status = None
    if status is None or not (is_admin() or status.get("owner", {}).get("tenant") == current_key().tenant):
        raise Problem(404, "job-not-found", "Job not found", f"There is no job {job_id!r}.")
    return status


def _article_characters(article: dict, units: list[Unit]) -> int:
    """The article's characters: its title and body (of a binary file, the text of its units)."""
    return len(article["title"]) + text_characters(article["body"], article["format"], units)


def _characters(job: dict, units: list[Unit]) -> int:
    """What a job costs against the character quota: the article's characters, once per target language."""
    return _article_characters(job["article"], units) * len(job["target_langs"])


def _check_size(article: dict, units: list[Unit], source: str, targets: list[str]) -> dict:
    """422 for an article no splitting can bring within the segment limits;
    returns the task time limits its size calls for."""
    s = services()
    routes = s.catalog.routes()
    first_models = {routes[(source, t)][0] for t in targets}
    limits = SegmentLimits.from_settings(s.settings)
    budgets = [SegmentBudget(limits.max_chars, limits.max_tokens, token_counter(model)) for model in first_models]
    try:
        check_units([(article["title"], [])] + [(u.text, [tuple(p) for p in u.protected]) for u in units],
                    limits, budgets)
    except LimitExceeded as error:
        raise unprocessable("article", str(error), slug="limit-exceeded", limit=error.setting,
                            limit_value=error.limit)
    hops = max(len(routes[(source, t)]) for t in targets)
    return time_limits(_article_characters(article, units), hops,
                       s.settings.task_time_limit_base_seconds, s.settings.task_seconds_per_1000_chars)


def _check_languages(source: str, targets: list[str]) -> None:
    s = services()
    if len(targets) > s.settings.max_target_langs:
        raise unprocessable("target_langs", f"At most {s.settings.max_target_langs} target languages per job.")
    if len(set(targets)) != len(targets):
        raise unprocessable("target_langs", "A language is listed twice.")
    if source in targets:
        raise unprocessable("target_langs", f"The source language {source!r} is also a target.")
    routes = s.catalog.routes()
    missing = [t for t in targets if (source, t) not in routes]
    if missing:
        available = sorted(f"{a}-{b}" for a, b in routes)
        raise unprocessable(
            "target_langs",
            f"No installed model translates {source} into {', '.join(missing)}.",
            slug="unsupported-language-pair",
            available_pairs=available,
        )


@bp.post("")
@requires(TRANSLATE)
@bp.input(JobIn, arg_name="job")
@bp.output(JobOut, status_code=202)
@bp.doc(summary="Submit an article for translation",
        description="Charges the article's characters (title and body), times the number of target languages, "
                    "to the key's character quota.",
        responses=[202, 413, 415, 422, 503])
def create_job(job: dict):
    job_id = submit_job(job)
    return services().jobs.status(job_id), 202, {"Location": url_for("jobs.get_job", job_id=job_id)}


@bp.post("/upload")
@requires(TRANSLATE)
@accepts_any_body
@bp.input(JobUploadIn, location="form_and_files", arg_name="form")
@bp.output(JobOut, status_code=202)
@bp.doc(summary="Submit a file for translation (multipart/form-data)",
        description="The same job as `POST /v1/jobs`, its article a file: " + ", ".join(
            e for f in FORMATS.values() for e in f.extensions) + ". Office files (DOCX, ODT, PPTX) are held as "
            "base64 in `article.body`; a translation is served as the file with `Accept:` its media type.",
        responses=[202, 413, 415, 422, 503])
def upload_job(form: dict):
    job, filename = job_from_upload(form)
    job_id = submit_job(job, document={"api": "native", "filename": filename})
    return services().jobs.status(job_id), 202, {"Location": url_for("jobs.get_job", job_id=job_id)}


def job_from_upload(form: dict) -> tuple[dict, str]:
    """The JobIn request a multipart upload stands for, validated like one; and the file's name."""
    upload = form["file"]
    filename = upload.filename or ""
    fmt = form.get("format") or getattr(format_for_extension(filename), "name", None)
    if fmt is None:
        raise unprocessable("file", f"{filename!r} is not a file type this service reads; use one of "
                            + ", ".join(e for f in FORMATS.values() for e in f.extensions) + ", or name `format`.",
                            slug="unsupported-file-type")
    try:
        body = body_from_file(upload.read(), fmt)
    except DocumentError as error:
        raise unprocessable("file", str(error))
    job = {"source_lang": form["source_lang"], "target_langs": [t.strip() for t in form["target_langs"].split(",")
                                                                  if t.strip()],
           "article": {"title": form["title"], "body": body, "format": fmt},
           "glossary_ids": [g.strip() for g in form["glossary_ids"].split(",") if g.strip()]}
    job.update({name: form[name] for name in ("external_id", "callback_url") if form.get(name)})
    try:
        return JobIn().load(job), filename
    except ValidationError as error:
        raise HTTPError(422, message="Invalid request", detail=error.messages)


def submit_job(job: dict, **recorded) -> str:
    """Validate, charge and queue a job (the native API's, or a document of a
    compatibility API); its id. `recorded` adds fields to the stored request.
    Every refusal is a Problem, raised before anything is stored or charged."""
    article = job["article"]
    try:
        document = parse(article["body"], article["format"])
    except DocumentError as error:
        raise unprocessable("article.body", str(error))
    if job.get("source_lang") in (None, AUTO):
        job = {**job, **detect_source(article.get("title") or "", document.units)}
    _check_languages(job["source_lang"], job["target_langs"])
    limits = _check_size(article, list(document.units), job["source_lang"], job["target_langs"])
    s = services()
    if job.get("callback_url"):
        if not (s.settings.webhook_secret or current_key().has_webhook_secret):
            raise unprocessable("callback_url", "webhooks are disabled: neither the service (WEBHOOK_SECRET) nor "
                                "this API key has a secret to sign them with", slug="webhooks-disabled")
        try:
            check_callback_url(job["callback_url"], s.settings.webhook_allowed_hosts)
        except UnsafeCallbackURL as refused:
            raise unprocessable("callback_url", str(refused), slug="unsafe-callback-url")
    request = {**job, "glossaries": resolve_glossaries(job), "time_limits": limits, **recorded}
    request.pop("glossary_ids", None)
    key = current_key()
    request["owner"] = {"key": key.id, "prefix": key.prefix, "tenant": key.tenant}
    # Charged once the request is valid: a rejected submission costs nothing.
    charge_characters(_characters(job, list(document.units)))
    if job.get("external_id"):
        # Counted only once the request is valid, so revisions have no gaps from rejected submissions.
        request["revision"] = s.jobs.next_revision(job["external_id"], key.tenant)
    job_id = s.jobs.create(request)
    try:
        for lang in job["target_langs"]:
            # The request id travels as a message header into the worker's log lines.
            send_translation(s.celery, job_id, lang, limits, logs.current("request_id"))
    except Exception as error:
        # The broker is unreachable (or full): remove the job rather than leave one that never runs.
        s.jobs.delete(job_id, job["target_langs"])
        if isinstance(error, redis.exceptions.OutOfMemoryError) or \
                isinstance(error.__cause__, redis.exceptions.OutOfMemoryError):
            raise  # a 507 problem (service/problems.py)
        raise Problem(503, "queue-unavailable", "Queue unavailable", "The job queue cannot be reached; retry later.",
                      headers={"Retry-After": str(REDIS_RETRY_AFTER)})
    log.info("job submitted", extra={"job_id": job_id, "langs": job["target_langs"]})
    return job_id


# Enough of an article to tell its language; the rest adds time, not certainty.
_DETECTION_CHARS = 3000


def detect_source(title: str, units) -> dict:
    """{source_lang, detected_source: {language, confidence}} for an article
    (its title and parsed body units) without a source language; 422 when its
    language cannot be told."""
    text = "\n".join([title, *(unit.text for unit in units)]).strip()
    if not any(character.isalpha() for character in text):
        raise unprocessable("source_lang", "The article has no words to detect its language from. "
                            "Name it in source_lang.", slug="language-not-detected")
    found = interactive.detect(services().interactive, text[:_DETECTION_CHARS])
    if not found["language"]:
        raise unprocessable("source_lang", f"The source language could not be detected: {found['reason']}. "
                            "Name it in source_lang.", slug="language-not-detected")
    return {"source_lang": found["language"],
            "detected_source": {"language": found["language"], "confidence": round(found["confidence"], 3)}}


@bp.get("")
@requires(TRANSLATE)
@bp.input(JobListQuery, location="query", arg_name="query")
@bp.output(JobList)
@bp.doc(summary="The tenant's jobs, newest first (admin keys: every job, or one tenant's)")
def list_jobs(query: dict):
    if query.get("tenant") and not is_admin():
        raise Problem(403, "missing-role", "Role required", "Only admin keys may list another tenant's jobs.",
                      required_role="admin")
    tenant = query.get("tenant") or (None if is_admin() else current_key().tenant)
    jobs, total = services().jobs.list(tenant, query["offset"], query["limit"])
    return {"items": jobs, "total": total, "offset": query["offset"], "limit": query["limit"]}


@bp.get("/<job_id>")
@requires(TRANSLATE)
@bp.output(JobOut)
@bp.doc(summary="Job status, per target language", responses=[200, 404])
def get_job(job_id: str):
    return _status_or_404(job_id)


@bp.delete("/<job_id>")
@requires(TRANSLATE)
@bp.output(JobOut)
@bp.doc(summary="Cancel the languages that have not started", responses=[200, 404, 409])
def cancel_job(job_id: str):
    status = _status_or_404(job_id)
    if all(lang["state"] in TERMINAL for lang in status["languages"].values()):
        raise Problem(409, "job-finished", "Job already finished",
                      f"Job {job_id!r} is {status['state']}; there is nothing left to cancel.")
    metrics.record_cancelled(status["source_lang"], services().jobs.cancel(job_id))
    return _status_or_404(job_id)


@bp.get("/<job_id>/source")
@requires(TRANSLATE)
@bp.doc(
    summary="The article as submitted",
    description="JSON ({job_id, lang, title, body, format}) by default; negotiates like a translation.",
    responses={200: {"description": "The source article", "content": {"application/json": {"schema": TranslationOut}}},
               304: "Not modified", 404: "Unknown job", 406: "Format not servable"},
)
def get_source(job_id: str):
    status = _status_or_404(job_id)
    article = services().jobs.request(job_id)["article"]
    source = {"job_id": job_id, "lang": status["source_lang"], "title": article["title"], "body": article["body"],
              "format": article.get("format", "text")}
    return respond(source, status["created_at"])


@bp.get("/<job_id>/translations/<lang>")
@requires(TRANSLATE)
@bp.input(DownloadQuery, location="query", arg_name="query")
@bp.doc(
    summary="One translation of the article",
    description="JSON by default; the rendered article for Accept: text/html, text/markdown or text/plain. "
    "Conditional requests (If-None-Match) are answered with 304. HTML is served with a Content-Security-Policy "
    "that forbids scripts; `?download=1` serves any representation as an attachment.",
    responses={200: {"description": "The translation", "content": {"application/json": {"schema": TranslationOut}}},
               304: "Not modified", 404: "Unknown job or language", 406: "Format not servable",
               409: "Not ready yet"},
)
def get_translation(job_id: str, lang: str, query: dict):
    status = _status_or_404(job_id)
    language = status["languages"].get(lang)
    if language is None:
        raise Problem(404, "language-not-in-job", "Language not in job",
                      f"Job {job_id!r} does not translate into {lang!r}; it has {', '.join(status['target_langs'])}.")
    if language["state"] != SUCCEEDED:
        raise Problem(409, "translation-not-ready", "Translation not ready",
                      f"The {lang} translation is {language['state']}."
                      + (f" Error: {language['error']}" if language.get("error") else ""),
                      state=language["state"])
    result = services().jobs.result(job_id, lang)
    translation = {"job_id": job_id, "lang": lang, **result, "glossary": language.get("glossary")}
    return respond(translation, language["finished_at"], query["download"], _download_name(job_id, lang))


def _download_name(job_id: str, lang: str) -> str:
    """A file's name with the language before its extension (story.pt.docx); else job id and language."""
    filename = (services().jobs.request(job_id).get("document") or {}).get("filename") or ""
    stem, dot, _extension = filename.rpartition(".")
    return f"{stem}.{lang}" if dot and stem else f"{job_id}-{lang}"
