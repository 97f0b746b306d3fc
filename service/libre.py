"""LibreTranslate's API for its clients (libretranslatepy, editor plugins,
Weblate's machine-translation backend): point them at this service's URL.

/translate and /detect run on the interactive worker; /translate_file makes a
job and answers with a download URL, which serves the file once the job is
done. Errors are LibreTranslate's {"error": …} (service.problems.speak).
"""

from __future__ import annotations

import threading
import time

from apiflask import APIBlueprint
from flask import Response, request, url_for
from werkzeug.utils import secure_filename

from access import TRANSLATE
from compat import libre
from compat.codes import from_libre, name
from conventions import first_lone_surrogate
from jobs.store import SUCCEEDED, TERMINAL, JobNotFound
from service import interactive
from jobs.submission import Article
from service.auth import access, public, requires, too_many
from service.metering import meter
from service.submission import Request, submit
from service.problems import Problem, accepts_any_body
from service.replication import volatile
from service.representations import attachment
from service.wiring import services
from translation.documents import FORMATS, DocumentError, body_characters, body_from_file, file_from_body

bp = APIBlueprint("libre", __name__, tag="LibreTranslate-compatible")

# LibreTranslate translates a file before /translate_file answers, and its clients
# download the URL at once: /translate_file waits for the job, up to
# INTERACTIVE_TIMEOUT_SECONDS, as the short requests wait for theirs. At most
# FILE_WAITERS threads of a process wait at a time (the others answer with the
# URL at once), so waiting requests cannot take every thread (/healthz included).
# The download itself never waits: an open endpoint that held a thread for
# seconds was a way to stop the API with a few requests.
FILE_WAITERS = threading.BoundedSemaphore(2)
# Downloads of one file, per minute: a client polling every 2 s stays well within.
DOWNLOAD_RATE = "60/minute"
NOT_READY_RETRY_AFTER = 2


def _bad(message: str, status: int = 400) -> Problem:
    return Problem(status, "libretranslate-request", "Bad request", message)


def _params() -> dict:
    try:
        data = libre.params(request.form, request.get_json(silent=True) if request.is_json else None)
    except libre.LibreError as error:
        raise _bad(error.message, error.status)
    surrogate = first_lone_surrogate(data)
    if surrogate:
        raise _bad(f"Invalid request: {surrogate}; text must be valid Unicode")
    return data


def _routes():
    return services().catalog.routes()


def _check_pair(source: str | None, target: str) -> None:
    routes = _routes()
    known = {s for s, _ in routes} | {t for _, t in routes}
    for code in (source, target):
        if code is not None and code not in known:
            raise _bad(f"{code} is not supported")
    if source is not None and source != target and (source, target) not in routes:
        raise _bad(f"{name(target)} ({target}) is not available as a target language from {name(source)} ({source})")


@bp.post("/translate")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(summary="Translate text (LibreTranslate's /translate; q a string or a list, source may be 'auto')")
@volatile  # counters only: see service/replication.py
def translate():
    try:
        wanted = libre.text_request(_params())
    except libre.LibreError as error:
        raise _bad(error.message, error.status)
    characters = sum(len(text) for text in wanted.texts)
    limit = services().settings.interactive_max_chars
    if characters > limit:
        raise _bad(f"Invalid request: request ({characters}) exceeds text limit ({limit})")
    _check_pair(wanted.source, wanted.target)
    results = interactive.translate(
        services().interactive,
        {
            "texts": wanted.texts,
            "source": wanted.source,
            "target": wanted.target,
            "format": wanted.format,
            "glossaries": [],
        },
        meter(),
        characters,
    )
    return libre.translation(wanted, results)


@bp.post("/detect")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(summary="Detect the language of q: candidates with confidences from 0 to 100")
@volatile  # counters only: see service/replication.py
def detect():
    q = _params().get("q")
    if not q:
        raise _bad("Invalid request: missing q parameter")
    text = "\n".join(q) if isinstance(q, list) else str(q)
    found = interactive.detect(services().interactive, text[: services().settings.interactive_max_chars])
    return [libre.detected(c) for c in found["candidates"][:3] if c["confidence"] > 0]


@bp.get("/languages")
@public
@bp.doc(summary="Languages and the targets each translates into (open, as in LibreTranslate)")
def languages():
    return libre.languages(_routes())


@bp.get("/frontend/settings")
@public
@bp.doc(summary="What LibreTranslate's web frontend reads at start")
def frontend_settings():
    settings = services().settings
    targets = sorted({t for _, t in _routes()})
    auth_on = not access().disabled
    return {
        "charLimit": settings.interactive_max_chars,
        "frontendTimeout": 500,
        "apiKeys": auth_on,
        "keyRequired": auth_on,
        "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": list(libre.FILE_FORMATS),
        "language": {
            "source": {"code": "auto", "name": "Auto Detect"},
            "target": {"code": targets[0] if targets else "", "name": name(targets[0]) if targets else ""},
        },
    }


@bp.post("/translate_file")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(
    summary="Translate a file (.txt, .html, .md, .docx, .odt, .pptx, .srt, .vtt): a job; answers with the URL "
    "to download the result from"
)
def translate_file():
    data = {key: request.form.get(key) for key in request.form.keys()}
    upload = request.files.get("file")
    if upload is None:
        raise _bad("Invalid request: missing file parameter")
    for field in ("source", "target"):
        if not data.get(field):
            raise _bad(f"Invalid request: missing {field} parameter")
    filename = secure_filename(upload.filename or "")
    if not filename:
        raise _bad("Invalid request: empty file")
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in libre.FILE_FORMATS:
        raise _bad("Invalid request: file format not supported")
    fmt = libre.FILE_FORMATS[extension]
    try:
        body = body_from_file(upload.read(), fmt)
    except DocumentError as error:
        raise _bad(f"Invalid request: {error}")
    source, target = from_libre(data["source"]), from_libre(data["target"])
    _check_pair(None if source == "auto" else source, target)
    job_id = submit(
        Request(
            Article("", body, fmt),
            (target,),
            source,
            document={"api": "libretranslate", "filename": filename, "characters": body_characters(body, fmt)},
        )
    )
    _wait_for(job_id, target, services().settings.interactive_timeout_seconds)
    return {"translatedFileUrl": url_for("libre.download_file", name=f"{job_id}.{filename}", _external=True)}


def _wait_for(job_id: str, lang: str, seconds: float) -> None:
    """Until the language is done or `seconds` have passed, if a waiting place is free."""
    if not FILE_WAITERS.acquire(blocking=False):
        return
    try:
        jobs, deadline = services().jobs, time.monotonic() + seconds
        while jobs.language(job_id, lang).state not in TERMINAL and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        FILE_WAITERS.release()


@bp.get("/download_file/<name>")
@public
@bp.doc(
    summary="A translated file; 503 with Retry-After while it is still being translated",
    description="Open, as in LibreTranslate: the job id in the URL (128 random bits) is the credential. "
    f"At most {DOWNLOAD_RATE} per file (429 with Retry-After).",
)
def download_file(name: str):
    job_id, _, filename = name.partition(".")
    verdict = access().quotas.open_request("downloads", job_id[:64], DOWNLOAD_RATE)
    if not verdict.allowed:
        raise too_many(
            verdict, "requests", f"At most {DOWNLOAD_RATE} downloads of a file; retry in {verdict.retry_after} s."
        )
    jobs = services().jobs
    try:
        stored = jobs.request(job_id)
    except JobNotFound:
        stored = None
    if not stored or (stored.document or {}).get("api") != "libretranslate" or stored.document["filename"] != filename:
        raise Problem(404, "file-not-found", "Not found", "No such file.")
    lang = stored.target_langs[0]
    state = jobs.language(job_id, lang).state
    if state not in TERMINAL:
        raise Problem(
            503,
            "file-not-ready",
            "Not ready",
            f"The file is still being translated; retry in {NOT_READY_RETRY_AFTER} s.",
            headers={"Retry-After": str(NOT_READY_RETRY_AFTER)},
        )
    if state != SUCCEEDED:
        raise Problem(
            500,
            "file-failed",
            "Translation failed",
            f"The file could not be translated: {jobs.language(job_id, lang).error or state}",
        )
    result = jobs.result(job_id, lang)
    return Response(
        file_from_body(result["body"], result["format"]),
        mimetype=FORMATS[result["format"]].media_type,
        headers={"Content-Disposition": attachment(filename)},
    )
