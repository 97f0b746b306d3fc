"""Try it: a sentence, some languages and glossaries, and the translation
with each glossary term highlighted and the method that placed it.

The API has no synchronous translate call: a translation is always a job, run
by a worker. This page submits a one-sentence job and polls it, like any
client; with an idle worker the answer takes about as long as one model call.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from service.replication import volatile

from service.console.api import ApiError
from service.console.jobs import ACTIVE, glossary_choices, job_path, language_pairs, pinned_entries, term_methods
from service.console.review import review_rows

bp = Blueprint("try_it", __name__, url_prefix="/try")


def _page(form: dict, errors: dict | None = None, job: dict | None = None, results=None, status: int = 200):
    return render_template(
        "console/try.html",
        pairs=language_pairs(),
        glossaries=glossary_choices(),
        form=form,
        errors=errors,
        job=job,
        results=results or [],
        active=bool(job and job["state"] in ACTIVE),
    ), status


@bp.get("")
def page():
    job_id = request.args.get("job")
    form = {"text": "", "source_lang": "en", "target_langs": [], "glossary_ids": []}
    if not job_id:
        return _page(form)
    job = g.api.json("GET", job_path(job_id))
    source = g.api.json("GET", job_path(job_id, "/source"))
    form = {
        "text": source["body"],
        "source_lang": job["source_lang"],
        "target_langs": job["target_langs"],
        "glossary_ids": [p["id"] for p in job.get("glossaries", [])],
    }
    results = []
    if job["state"] not in ACTIVE:
        entries, _ = pinned_entries(job)
        for lang, language in job["languages"].items():
            if language["state"] != "succeeded":
                results.append({"lang": lang, "state": language["state"], "error": language.get("error")})
                continue
            translation = g.api.json("GET", job_path(job_id, f"/translations/{lang}"))
            report = language.get("glossary") or {}
            row = review_rows([(source["body"], translation["body"])], entries, lang, term_methods(report))[0]
            results.append({"lang": lang, "state": "succeeded", "row": row, "report": report})
    return _page(form, job=job, results=results)


@bp.post("")
@volatile  # counters only: see service/replication.py
def submit():
    form = {
        "text": request.form.get("text", "").strip(),
        "source_lang": request.form.get("source_lang", "").strip(),
        "target_langs": request.form.getlist("target_langs"),
        "glossary_ids": request.form.getlist("glossary_ids"),
    }
    if not form["text"]:
        return _page(form, {"text": ["Type or paste a sentence to translate."]}, status=422)
    job = {
        "source_lang": form["source_lang"],
        "target_langs": form["target_langs"],
        "article": {"title": "", "body": form["text"], "format": "text"},
        "glossary_ids": form["glossary_ids"],
    }
    try:
        created = g.api.json("POST", "/v1/jobs", json=job)
    except ApiError as error:
        if error.status not in (413, 422):
            raise
        errors: dict[str, list[str]] = {}
        for item in error.errors or [{"field": None, "message": error.detail}]:
            name = (item.get("field") or "").split(".")[0]
            name = "text" if name == "article" else name
            errors.setdefault(name or "_", []).append(item.get("message") or error.detail)
        return _page(form, errors, status=error.status)
    # The anchor brings the result into view on a phone, where it sits below the form.
    return redirect(url_for(".page", job=created["id"], _anchor="try-result"))
