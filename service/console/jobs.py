"""Job pages: submit an article, follow it language by language, review each
translation next to its source, open the rendered result, see webhook
deliveries."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for

from glossary.entries import Entry, Glossary
from service.console.api import ApiError
from service.console.review import aligned_units, attach_findings, review_rows
from translation.documents import FORMATS, format_for_extension

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

ACTIVE = ("queued", "running")
# A rendered result is someone's article: shown, never trusted. No script,
# no form, no frame may run in it, whatever its HTML holds.
RENDERED_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def job_path(job_id: str, tail: str = "") -> str:
    return f"/v1/jobs/{quote(job_id, safe='')}{tail}"


def language_pairs() -> dict[str, list[str]]:
    """Source language -> the target languages the installed models reach."""
    pairs: dict[str, list[str]] = {}
    for pair in g.api.json("GET", "/v1/languages")["pairs"]:
        pairs.setdefault(pair["source"], []).append(pair["target"])
    return {source: sorted(targets) for source, targets in sorted(pairs.items())}


def glossary_choices() -> list[dict]:
    """Glossaries to pick from; none when the key may not read them."""
    if not g.viewer.can("glossary:read"):
        return []
    try:
        return g.api.json("GET", "/v1/glossaries", params={"limit": 500})["items"]
    except ApiError:
        return []


def submission_form_context(form: dict | None = None, errors=None) -> dict:
    return {
        "pairs": language_pairs(),
        "glossaries": glossary_choices(),
        "formats": list(FORMATS),
        "form": form or {"source_lang": "en", "format": "text", "target_langs": [], "glossary_ids": []},
        "errors": errors,
    }


def _field_errors(error: ApiError) -> dict[str, list[str]]:
    """Problem-document errors by form field (article.body -> body)."""
    by_field: dict[str, list[str]] = {}
    for item in error.errors or [{"field": None, "message": error.detail}]:
        name = (item.get("field") or "").removeprefix("article.").split(".")[0]
        name = "body" if name == "file" else name  # an uploaded file stands for the article's body
        by_field.setdefault(name or "_", []).append(item.get("message") or item.get("reason") or error.detail)
    return by_field


def recent_jobs() -> dict:
    """The newest jobs of the key's tenant (every tenant's, for an admin key)."""
    return g.api.json("GET", "/v1/jobs", params={"limit": 25})


@bp.get("")
def index():
    return render_template("console/jobs.html", jobs=recent_jobs(), **submission_form_context())


@bp.post("")
def submit():
    form = {
        "title": request.form.get("title", "").strip(),
        "format": request.form.get("format", "text"),
        "body": request.form.get("body", ""),
        "source_lang": request.form.get("source_lang", "").strip(),
        "target_langs": request.form.getlist("target_langs"),
        "glossary_ids": request.form.getlist("glossary_ids"),
        "external_id": request.form.get("external_id", "").strip(),
        "callback_url": request.form.get("callback_url", "").strip(),
    }
    upload = request.files.get("file")
    try:
        if upload and upload.filename:
            # A file goes through the API's upload, which keeps its name for the download.
            created = g.api.json(
                "POST",
                "/v1/jobs/upload",
                data=_upload_fields(form, upload.filename),
                files={"file": (upload.filename, upload.read())},
            )
        else:
            created = g.api.json("POST", "/v1/jobs", json=_job(form))
    except ApiError as error:
        # What the editor can fix or wait out is shown on the form, the article kept.
        if error.status not in (413, 422, 429):
            raise
        return render_template(
            "console/jobs.html", jobs=recent_jobs(), **submission_form_context(form, _field_errors(error))
        ), error.status
    return redirect(url_for(".show", job_id=created["id"]))


def _job(form: dict) -> dict:
    """The POST /v1/jobs request of a pasted article."""
    job = {
        "source_lang": form["source_lang"],
        "target_langs": form["target_langs"],
        "article": {
            "title": form["title"],
            "body": form["body"],
            "format": "text" if form["format"] == "auto" else form["format"],
        },
        "glossary_ids": form["glossary_ids"],
    }
    for optional in ("external_id", "callback_url"):
        if form[optional]:
            job[optional] = form[optional]
    return job


def _upload_fields(form: dict, filename: str) -> dict:
    """The POST /v1/jobs/upload fields of an uploaded file; a file of no known type is read as text."""
    fields = {
        "source_lang": form["source_lang"],
        "target_langs": ",".join(form["target_langs"]),
        "title": form["title"],
        "glossary_ids": ",".join(form["glossary_ids"]),
    }
    if form["format"] != "auto" or format_for_extension(filename) is None:
        fields["format"] = "text" if form["format"] == "auto" else form["format"]
    for optional in ("external_id", "callback_url"):
        if form[optional]:
            fields[optional] = form[optional]
    return fields


@bp.get("/open")
def open_job():
    job_id = request.args.get("id", "").strip()
    if not job_id:
        return redirect(url_for(".index"))
    return redirect(url_for(".show", job_id=job_id))


@bp.get("/<job_id>")
def show(job_id: str):
    status = g.api.json("GET", job_path(job_id))
    return render_template("console/job.html", job=status, active=status["state"] in ACTIVE)


@bp.get("/<job_id>/progress")
def progress(job_id: str):
    """What the job page's script polls: per language, state and progress."""
    status = g.api.json("GET", job_path(job_id))
    return jsonify(
        {
            "state": status["state"],
            "active": status["state"] in ACTIVE,
            "languages": {
                lang: {"state": s["state"], "done": s["progress"]["done"], "total": s["progress"]["total"]}
                for lang, s in status["languages"].items()
            },
        }
    )


@bp.post("/<job_id>/cancel")
def cancel(job_id: str):
    status = g.api.json("DELETE", job_path(job_id))
    flash(f"Cancelled what had not started; the job is {status['state']}.", "success")
    return redirect(url_for(".show", job_id=job_id))


def pinned_entries(status: dict) -> tuple[list[Entry], list[str]]:
    """The entries of the glossary versions the job used, and the names of those that cannot be read."""
    entries, unreadable = [], []
    for pinned in status.get("glossaries", []):
        if pinned.get("id") == "inline":
            unreadable.append("an inline glossary")
            continue
        try:
            data = g.api.json("GET", f"/v1/glossaries/{quote(pinned['id'], safe='')}/versions/{pinned['version']}")
        except ApiError:
            unreadable.append(pinned.get("name") or pinned["id"])
            continue
        entries += Glossary.from_dict(data).entries
    return entries, unreadable


def term_methods(report: dict | None) -> dict[str, str]:
    return {t["entry_id"]: t["method"] for t in (report or {}).get("terms", []) if t.get("method")}


@bp.get("/<job_id>/translations/<lang>")
def review(job_id: str, lang: str):
    status = g.api.json("GET", job_path(job_id))
    if lang not in status["languages"]:
        abort(404, f"This job does not translate into {lang}.")
    translation = g.api.json("GET", job_path(job_id, f"/translations/{quote(lang, safe='')}"))
    source = g.api.json("GET", job_path(job_id, "/source"))
    entries, unreadable = pinned_entries(status)
    pairs = [(source["title"], translation["title"])] + aligned_units(
        source["body"], translation["body"], translation["format"]
    )
    rows = review_rows(pairs, entries, lang)
    checks = g.api.json("GET", job_path(job_id, f"/translations/{quote(lang, safe='')}/checks"))
    attach_findings(rows, checks)
    fmt = FORMATS[translation["format"]]
    return render_template(
        "console/review.html",
        job=status,
        lang=lang,
        translation=translation,
        rows=rows,
        report=translation.get("glossary") or {},
        unreadable=unreadable,
        servable=fmt.servable,
        file_format=fmt.name if fmt.whole_file else None,
        checks=checks,
        others=_by_attention(job_id, status, lang),
    )


@bp.get("/<job_id>/translations/<lang>/file")
def download(job_id: str, lang: str):
    """A file format's translation, as the file (DOCX, ODT, PPTX, SRT, WebVTT), to save."""
    translation = g.api.json("GET", job_path(job_id, f"/translations/{quote(lang, safe='')}"))
    fmt = FORMATS[translation["format"]]
    if not fmt.whole_file:
        abort(404, "This translation is an article, not a file: open its rendered view.")
    response = g.api.get(
        job_path(job_id, f"/translations/{quote(lang, safe='')}"), accept=fmt.media_type, params={"download": "1"}
    )
    return Response(
        response.content,
        mimetype=fmt.media_type,
        headers={"Content-Disposition": response.headers.get("Content-Disposition", "attachment")},
    )


def _by_attention(job_id: str, status: dict, lang: str) -> list[tuple[str, dict]]:
    """The job's other finished languages, those with the most flagged errors (then segments) first."""
    others = []
    for other, s in status["languages"].items():
        if other != lang and s["state"] == "succeeded":
            others.append((other, g.api.json("GET", job_path(job_id, f"/translations/{quote(other, safe='')}/checks"))))
    return sorted(others, key=lambda item: (-item[1]["by_severity"]["error"], -item[1]["flagged"], item[0]))


@bp.get("/<job_id>/translations/<lang>/rendered")
def rendered(job_id: str, lang: str):
    """The API's rendered result, in a sandbox: scripts in an article never run here."""
    media_type = request.args.get("as", "text/html")
    if media_type not in ("text/html", "text/markdown", "text/plain"):
        abort(400, "Ask for text/html, text/markdown or text/plain.")
    response = g.api.get(job_path(job_id, f"/translations/{quote(lang, safe='')}"), accept=media_type)
    # Markdown and plain text are shown as text, not offered as a download.
    shown_as = "text/html" if media_type == "text/html" else "text/plain"
    return Response(
        response.content,
        mimetype=shown_as,
        headers={
            "Content-Security-Policy": response.headers.get("Content-Security-Policy") or RENDERED_POLICY,
            "Content-Type": f"{shown_as}; charset=utf-8",
        },
    )
