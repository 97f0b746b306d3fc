"""The editor: a translation segment by segment, each corrected in place, with
its provenance and the memory's suggestions (a diff of their source against
this one); approving the language; and the tenant's translation memories
(search, TMX import and export, deleting entries).

Like every console page, it only presents: reads and writes go through the
API (`/v1/jobs/{id}/translations/{lang}/segments`, `/approval`, `/v1/memories`)
with the signed-in key, and the version a page was rendered from is sent back
as If-Match, so two editors on one language get the API's 412, not a silent
overwrite.
"""

from __future__ import annotations

import difflib
from urllib.parse import quote

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from service.console.api import ApiError

bp = Blueprint("editor", __name__)


def _segments_path(job_id: str, lang: str, tail: str = "") -> str:
    return f"/v1/jobs/{quote(job_id, safe='')}/translations/{quote(lang, safe='')}{tail}"


def diff(old: str, new: str) -> Markup:
    """`new` against `old`, word by word: what a suggestion's source lacks is <ins>, what it has more <del>."""
    a, b = old.split(" "), new.split(" ")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Markup("<del>{}</del>").format(" ".join(a[i1:i2])))
        if j2 > j1:
            out.append(Markup("<ins>{}</ins>").format(" ".join(b[j1:j2])))
    return Markup(" ").join(out)


@bp.get("/jobs/<job_id>/translations/<lang>/edit")
def edit(job_id: str, lang: str):
    status = g.api.json("GET", f"/v1/jobs/{quote(job_id, safe='')}")
    response = g.api.get(_segments_path(job_id, lang, "/segments"))
    document = response.json()
    suggestions = {}
    for segment in document["segments"]:
        if segment["provenance"].get("kind") == "memory":
            continue  # already the memory's exact match
        found = g.api.json(
            "GET", _segments_path(job_id, lang, f"/segments/{quote(segment['id'], safe='')}/suggestions")
        )["suggestions"]
        suggestions[segment["id"]] = [{**s, "diff": diff(s["entry"]["source"], segment["source"])} for s in found]
    return render_template(
        "console/editor.html",
        job=status,
        lang=lang,
        document=document,
        etag=response.headers.get("ETag", ""),
        suggestions=suggestions,
    )


@bp.post("/jobs/<job_id>/translations/<lang>/edit/<segment_id>")
def save(job_id: str, lang: str, segment_id: str):
    target = request.form.get("target", "")
    g.api.request(
        "PATCH",
        _segments_path(job_id, lang, f"/segments/{quote(segment_id, safe='')}"),
        etag=request.form.get("etag", ""),
        json={"target": target},
    )
    flash(f"Segment {segment_id} saved.", "success")
    return redirect(url_for("console.editor.edit", job_id=job_id, lang=lang, _anchor=f"seg-{segment_id}"))


@bp.post("/jobs/<job_id>/translations/<lang>/approve")
def approve(job_id: str, lang: str):
    result = g.api.json("POST", _segments_path(job_id, lang, "/approval"), etag=request.form.get("etag", ""))
    flash("Translation approved" + (" and published." if result.get("published") else "."), "success")
    return redirect(url_for("console.editor.edit", job_id=job_id, lang=lang))


@bp.get("/jobs/<job_id>/translations/<lang>/xliff")
def export_xliff(job_id: str, lang: str):
    version = "1.2" if request.args.get("version") == "1.2" else "2.0"
    response = g.api.get(_segments_path(job_id, lang, "/xliff"), params={"version": version})
    return Response(
        response.content,
        mimetype="application/xliff+xml",
        headers={"Content-Disposition": response.headers.get("Content-Disposition", "attachment")},
    )


@bp.post("/jobs/<job_id>/translations/<lang>/xliff")
def import_xliff(job_id: str, lang: str):
    upload = request.files.get("file")
    if not upload:
        flash("Choose an XLIFF file to import.", "error")
        return redirect(url_for("console.editor.edit", job_id=job_id, lang=lang))
    g.api.request(
        "PUT",
        _segments_path(job_id, lang, "/xliff"),
        etag=request.form.get("etag", ""),
        content=upload.read(),
        headers={"Content-Type": "application/xliff+xml"},
    )
    flash("XLIFF imported.", "success")
    return redirect(url_for("console.editor.edit", job_id=job_id, lang=lang))


# -- memories -----------------------------------------------------------------------------------


@bp.get("/memories")
def memories():
    pairs = g.api.json("GET", "/v1/memories")["items"]
    source, target = request.args.get("source_lang", ""), request.args.get("target_lang", "")
    if not (source and target) and pairs:
        source, target = pairs[0]["source_lang"], pairs[0]["target_lang"]
    entries = None
    if source and target:
        entries = g.api.json(
            "GET",
            f"/v1/memories/{quote(source, safe='')}/{quote(target, safe='')}/entries",
            params={"q": request.args.get("q", ""), "limit": 200},
        )
    return render_template(
        "console/memories.html", pairs=pairs, source=source, target=target, q=request.args.get("q", ""), entries=entries
    )


@bp.post("/memories/import")
def import_memory():
    source, target = request.form.get("source_lang", ""), request.form.get("target_lang", "")
    upload = request.files.get("file")
    if not upload:
        flash("Choose a TMX file to import.", "error")
        return redirect(url_for("console.editor.memories"))
    try:
        result = g.api.json(
            "POST",
            f"/v1/memories/{quote(source, safe='')}/{quote(target, safe='')}/tmx",
            content=upload.read(),
            headers={"Content-Type": "application/x-tmx+xml"},
        )
    except ApiError as error:
        flash(f"{error.title}: {error.detail}", "error")
        return redirect(url_for("console.editor.memories"))
    flash(f"Imported {result['imported']} entries into {source} → {target}.", "success")
    return redirect(url_for("console.editor.memories", source_lang=source, target_lang=target))


@bp.get("/memories/<source>/<target>/tmx")
def export_memory(source: str, target: str):
    response = g.api.get(f"/v1/memories/{quote(source, safe='')}/{quote(target, safe='')}/tmx")
    return Response(
        response.content,
        mimetype="application/x-tmx+xml",
        headers={"Content-Disposition": response.headers.get("Content-Disposition", "attachment")},
    )


@bp.post("/memories/<source>/<target>/<entry_id>/delete")
def delete_entry(source: str, target: str, entry_id: str):
    g.api.request(
        "DELETE", f"/v1/memories/{quote(source, safe='')}/{quote(target, safe='')}/entries/{quote(entry_id, safe='')}"
    )
    flash("Entry deleted.", "success")
    return redirect(
        url_for("console.editor.memories", source_lang=source, target_lang=target, q=request.form.get("q", ""))
    )
