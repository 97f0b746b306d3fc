"""/v1/jobs: submit an article, follow its progress, fetch each translation.

A job belongs to the tenant of the key that submitted it: other tenants' keys
get 404 for it (not 403, so a job id reveals nothing); admin keys see every job.
"""

from __future__ import annotations

from apiflask import APIBlueprint, HTTPError
from flask import url_for
from marshmallow import ValidationError

from access import TRANSLATE
from jobs.store import TERMINAL
from jobs.submission import AUTO, Article, Request
from service.auth import current_key, is_admin, requires
from conventions import iso
from service.job_status import describe, finished_language, status_or_404, visible_job
from service.problems import Problem, accepts_any_body, unprocessable
from service.representations import respond
from service.schemas import DownloadQuery, JobIn, JobList, JobListQuery, JobOut, JobUploadIn, TranslationOut
from service.submission import submit
from service.wiring import services
from telemetry import metrics
from translation.documents import FORMATS, DocumentError, body_from_file, format_for_extension

bp = APIBlueprint("jobs", __name__, url_prefix="/v1/jobs", tag="Jobs")


@bp.post("")
@requires(TRANSLATE)
@bp.input(JobIn, arg_name="job")
@bp.output(JobOut, status_code=202)
@bp.doc(
    summary="Submit an article for translation",
    description="Charges the article's characters (title and body), times the number of target languages, "
    "to the key's character quota.",
    responses=[202, 413, 415, 422, 503],
)
def create_job(job: dict):
    job_id = submit(_request(job))
    return status_or_404(job_id), 202, {"Location": url_for("jobs.get_job", job_id=job_id)}


def _request(job: dict, document: dict | None = None) -> Request:
    """A validated JobIn body as the submission use case's plain values."""
    article = job["article"]
    return Request(
        Article(article["title"], article["body"], article.get("format", "text")),
        tuple(job["target_langs"]),
        job.get("source_lang") or AUTO,
        tuple(job.get("glossary_ids") or ()),
        job.get("glossary"),
        job.get("external_id"),
        job.get("callback_url"),
        document,
        job.get("headline_max"),
        job.get("publish", "on_completion"),
    )


@bp.post("/upload")
@requires(TRANSLATE)
@accepts_any_body
@bp.input(JobUploadIn, location="form_and_files", arg_name="form")
@bp.output(JobOut, status_code=202)
@bp.doc(
    summary="Submit a file for translation (multipart/form-data)",
    description="The same job as `POST /v1/jobs`, its article a file: "
    + ", ".join(e for f in FORMATS.values() for e in f.extensions)
    + ". Office files (DOCX, ODT, PPTX) are held as "
    "base64 in `article.body`; a translation is served as the file with `Accept:` its media type.",
    responses=[202, 413, 415, 422, 503],
)
def upload_job(form: dict):
    job, filename = job_from_upload(form)
    job_id = submit(_request(job, document={"api": "native", "filename": filename}))
    return status_or_404(job_id), 202, {"Location": url_for("jobs.get_job", job_id=job_id)}


def job_from_upload(form: dict) -> tuple[dict, str]:
    """The JobIn request a multipart upload stands for, validated like one; and the file's name."""
    upload = form["file"]
    filename = upload.filename or ""
    fmt = form.get("format") or getattr(format_for_extension(filename), "name", None)
    if fmt is None:
        raise unprocessable(
            "file",
            f"{filename!r} is not a file type this service reads; use one of "
            + ", ".join(e for f in FORMATS.values() for e in f.extensions)
            + ", or name `format`.",
            slug="unsupported-file-type",
        )
    try:
        body = body_from_file(upload.read(), fmt)
    except DocumentError as error:
        raise unprocessable("file", str(error))
    job = {
        "source_lang": form["source_lang"],
        "target_langs": [t.strip() for t in form["target_langs"].split(",") if t.strip()],
        "article": {"title": form["title"], "body": body, "format": fmt},
        "glossary_ids": [g.strip() for g in form["glossary_ids"].split(",") if g.strip()],
    }
    job.update({name: form[name] for name in ("external_id", "callback_url") if form.get(name)})
    try:
        return JobIn().load(job), filename
    except ValidationError as error:
        raise HTTPError(422, message="Invalid request", detail=error.messages)


@bp.get("")
@requires(TRANSLATE)
@bp.input(JobListQuery, location="query", arg_name="query")
@bp.output(JobList)
@bp.doc(summary="The tenant's jobs, newest first (admin keys: every job, or one tenant's)")
def list_jobs(query: dict):
    if query.get("tenant") and not is_admin():
        raise Problem(
            403,
            "missing-role",
            "Role required",
            "Only admin keys may list another tenant's jobs.",
            required_role="admin",
        )
    tenant = query.get("tenant") or (None if is_admin() else current_key().tenant)
    jobs, total = services().jobs.list(tenant, query["offset"], query["limit"])
    return {
        "items": [describe(job) for job in jobs],
        "total": total,
        "offset": query["offset"],
        "limit": query["limit"],
    }


@bp.get("/<job_id>")
@requires(TRANSLATE)
@bp.output(JobOut)
@bp.doc(summary="Job status, per target language", responses=[200, 404])
def get_job(job_id: str):
    return status_or_404(job_id)


@bp.delete("/<job_id>")
@requires(TRANSLATE)
@bp.output(JobOut)
@bp.doc(summary="Cancel the languages that have not started", responses=[200, 404, 409])
def cancel_job(job_id: str):
    status = status_or_404(job_id)
    if all(lang["state"] in TERMINAL for lang in status["languages"].values()):
        raise Problem(
            409,
            "job-finished",
            "Job already finished",
            f"Job {job_id!r} is {status['state']}; there is nothing left to cancel.",
        )
    metrics.record_cancelled(status["source_lang"], services().jobs.cancel(job_id))
    return status_or_404(job_id)


@bp.get("/<job_id>/source")
@requires(TRANSLATE)
@bp.doc(
    summary="The article as submitted",
    description="JSON ({job_id, lang, title, body, format}) by default; negotiates like a translation.",
    responses={
        200: {"description": "The source article", "content": {"application/json": {"schema": TranslationOut}}},
        304: "Not modified",
        404: "Unknown job",
        406: "Format not servable",
    },
)
def get_source(job_id: str):
    job = visible_job(job_id)
    article = job.request.article
    source = {
        "job_id": job_id,
        "lang": job.request.source_lang,
        "title": article.title,
        "body": article.body,
        "format": article.format,
    }
    return respond(source, iso(job.created_at))


@bp.get("/<job_id>/translations/<lang>")
@requires(TRANSLATE)
@bp.input(DownloadQuery, location="query", arg_name="query")
@bp.doc(
    summary="One translation of the article",
    description="JSON by default; the rendered article for Accept: text/html, text/markdown or text/plain. "
    "Conditional requests (If-None-Match) are answered with 304. HTML is served with a Content-Security-Policy "
    "that forbids scripts; `?download=1` serves any representation as an attachment.",
    responses={
        200: {"description": "The translation", "content": {"application/json": {"schema": TranslationOut}}},
        304: "Not modified",
        404: "Unknown job or language",
        406: "Format not servable",
        409: "Not ready yet",
    },
)
def get_translation(job_id: str, lang: str, query: dict):
    _status, language = finished_language(job_id, lang)
    result = services().jobs.result(job_id, lang)
    translation = {"job_id": job_id, "lang": lang, **result, "glossary": language.get("glossary")}
    # An editor's correction changes the translation after it finished (docs/editorial.md).
    modified = max(filter(None, (language["finished_at"], (language.get("review") or {}).get("edited_at"))))
    return respond(translation, modified, query["download"], _download_name(job_id, lang))


def _download_name(job_id: str, lang: str) -> str:
    """A file's name with the language before its extension (story.pt.docx); else job id and language."""
    filename = (services().jobs.request(job_id).document or {}).get("filename") or ""
    stem, dot, _extension = filename.rpartition(".")
    return f"{stem}.{lang}" if dot and stem else f"{job_id}-{lang}"
