"""LibreTranslate's API for its clients (libretranslatepy, editor plugins,
Weblate's machine-translation backend): point them at this service's URL.

/translate and /detect run on the interactive worker; /translate_file makes a
job and answers with a download URL, which serves the file once the job is
done. Errors are LibreTranslate's {"error": …} (service.problems.speak).
"""

from __future__ import annotations

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
from service.auth import access, public, requires
from service.metering import meter
from service.submission import Request, submit
from service.problems import Problem, accepts_any_body
from service.wiring import services
from translation.documents import FORMATS

bp = APIBlueprint("libre", __name__, tag="LibreTranslate-compatible")

# How long a download of a file still being translated waits before answering 503.
DOWNLOAD_WAIT_SECONDS = 30


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
    results = interactive.translate(services().interactive, {
        "texts": wanted.texts, "source": wanted.source, "target": wanted.target, "format": wanted.format,
        "glossaries": []}, meter(), characters)
    return libre.translation(wanted, results)


@bp.post("/detect")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(summary="Detect the language of q: candidates with confidences from 0 to 100")
def detect():
    q = _params().get("q")
    if not q:
        raise _bad("Invalid request: missing q parameter")
    text = "\n".join(q) if isinstance(q, list) else str(q)
    found = interactive.detect(services().interactive, text[:services().settings.interactive_max_chars])
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
        "language": {"source": {"code": "auto", "name": "Auto Detect"},
                     "target": {"code": targets[0] if targets else "", "name": name(targets[0]) if targets else ""}},
    }


@bp.post("/translate_file")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(summary="Translate a .txt, .html or .md file: a job; answers with the URL to download the result from")
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
    try:
        body = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad("Invalid request: the file is not UTF-8 text")
    source, target = from_libre(data["source"]), from_libre(data["target"])
    _check_pair(None if source == "auto" else source, target)
    job_id = submit(Request(Article("", body, libre.FILE_FORMATS[extension]), (target,), source,
                            document={"api": "libretranslate", "filename": filename, "characters": len(body)}))
    return {"translatedFileUrl": url_for("libre.download_file", name=f"{job_id}.{filename}", _external=True)}


@bp.get("/download_file/<name>")
@public
@bp.doc(summary="A translated file; waits a little if it is still being translated",
        description="Open, as in LibreTranslate: the job id in the URL (144 random bits) is the credential.")
def download_file(name: str):
    job_id, _, filename = name.partition(".")
    jobs = services().jobs
    try:
        stored = jobs.request(job_id)
    except JobNotFound:
        stored = None
    if not stored or (stored.document or {}).get("api") != "libretranslate" \
            or stored.document["filename"] != filename:
        raise Problem(404, "file-not-found", "Not found", "No such file.")
    lang = stored.target_langs[0]
    deadline = time.monotonic() + DOWNLOAD_WAIT_SECONDS
    while (state := jobs.language(job_id, lang).state) not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.2)
    if state not in TERMINAL:
        raise Problem(503, "file-not-ready", "Not ready", "The file is still being translated; retry.",
                      headers={"Retry-After": "5"})
    if state != SUCCEEDED:
        raise Problem(500, "file-failed", "Translation failed",
                      f"The file could not be translated: {jobs.language(job_id, lang).error or state}")
    result = jobs.result(job_id, lang)
    return Response(result["body"].encode("utf-8"), mimetype=FORMATS[result["format"]].media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
