"""/v1/jobs/{id}/translations/{lang}/segments: a translation sentence by
sentence, for editors; its correction (If-Match on the draft's version, 412 on
a concurrent edit, like glossaries); memory suggestions; approval; XLIFF.

The rules live in editorial/ (the use cases in editorial/review.py); this
module reads the request, finds the job the caller may see, and turns the
core's exceptions into problem documents.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import Response, request

from access import REVIEW, TRANSLATE
from editorial import interchange
from editorial.review import Desk, Person, approve, edit_segments
from editorial.segments import Draft, NoSuchSegment
from editorial.store import NoDraft, Stale
from jobs.record import JobRecord
from service.auth import current_key, requires
from service.editorial_wiring import desk
from service.job_status import finished_language, visible_job
from service.preconditions import expected_version, stale_version
from service.problems import Problem, accepts_any_body, unprocessable
from service.schemas import ApprovalOut, SegmentEditIn, SegmentsOut, SuggestionsOut, XliffQuery


def _file_responses(what: str, media_type: str) -> dict[int | str, Any]:
    return {
        200: {"description": what, "content": {media_type: {"schema": {"type": "string"}}}},
        404: "Unknown job or language",
        409: "No segments yet",
    }


bp = APIBlueprint("segments", __name__, url_prefix="/v1/jobs/<job_id>/translations/<lang>", tag="Editorial")


def _language(job_id: str, lang: str) -> JobRecord:
    finished_language(job_id, lang)  # segments exist once the language has succeeded
    return visible_job(job_id)


def _draft(job_id: str, lang: str) -> Draft:
    try:
        return desk().drafts.get(job_id, lang)
    except NoDraft:
        raise Problem(
            409,
            "no-segments",
            "No segments",
            f"The {lang} translation of job {job_id!r} was made before segments were kept; "
            "submit the article again to edit it.",
        )


def _person() -> Person:
    key = current_key()
    return Person(key.prefix, key.name)


def _document(job_id: str, lang: str, draft: Draft) -> dict:
    return {
        "job_id": job_id,
        "lang": lang,
        "version": draft.version,
        "review": draft.review_summary(),
        "segments": [s.to_api() for s in draft.segments],
    }


def _write(job: JobRecord, lang: str, operation):
    try:
        return operation()
    except Stale as stale:
        raise stale_version(stale.current, "Translation")
    except NoSuchSegment as missing:
        raise Problem(
            404,
            "segment-not-found",
            "Segment not found",
            f"The {lang} translation of job {job.id!r} has no segment {missing.args[0]!r}.",
        )
    except NoDraft:
        _draft(job.id, lang)
        raise


def _inline_ranges(job: JobRecord, lang: str, segment_id: str, target: str, ranges: list) -> list:
    """The editor's target ranges of the segment's inline markup: one per phrase, inside the new text."""
    segment = _write(job, lang, lambda: _draft(job.id, lang).segment(segment_id))
    if len(ranges) != len(segment.inline):
        raise unprocessable(
            "inline",
            f"segment {segment_id} has {len(segment.inline)} inline markup phrase(s); "
            f"give as many ranges (null where unknown), not {len(ranges)}.",
        )
    for r in ranges:
        if r is not None and not 0 <= r[0] <= r[1] <= len(target):
            raise unprocessable("inline", f"range {r} is not inside the target (0..{len(target)}).")
    return [tuple(r) if r else None for r in ranges]


@bp.get("/segments")
@requires(TRANSLATE)
@bp.output(SegmentsOut)
@bp.doc(
    summary="The translation's segments, with provenance and review state (ETag: its version)",
    responses=[200, 404, 409],
)
def get_segments(job_id: str, lang: str):
    _language(job_id, lang)
    draft = _draft(job_id, lang)
    return _document(job_id, lang, draft), 200, {"ETag": draft.etag}


@bp.patch("/segments/<segment_id>")
@requires(TRANSLATE)
@bp.input(SegmentEditIn, arg_name="edit")
@bp.output(SegmentsOut)
@bp.doc(
    summary="Correct one segment's target (If-Match required); the article is rendered again",
    responses=[200, 404, 409, 412, 422, 428],
)
def edit_segment(job_id: str, lang: str, segment_id: str, edit: dict):
    job = _language(job_id, lang)
    version = expected_version(_draft(job_id, lang), "Translation")
    change = {"id": segment_id, "target": edit["target"]}
    if edit.get("inline") is not None:
        change["inline"] = _inline_ranges(job, lang, segment_id, edit["target"], edit["inline"])
    draft = _write(job, lang, lambda: edit_segments(desk(), job_id, job.request, lang, [change], version, _person()))
    return _document(job_id, lang, draft), 200, {"ETag": draft.etag}


@bp.get("/segments/<segment_id>/suggestions")
@requires(TRANSLATE)
@bp.output(SuggestionsOut)
@bp.doc(summary="Translation-memory entries like this segment's source (fuzzy, best first)", responses=[200, 404, 409])
def get_suggestions(job_id: str, lang: str, segment_id: str):
    job = _language(job_id, lang)
    draft = _draft(job_id, lang)
    segment = _write(job, lang, lambda: draft.segment(segment_id))
    d: Desk = desk()
    found = d.memory.suggestions(
        job.request.tenant, job.request.source_lang, lang, segment.source, threshold=d.fuzzy_threshold
    )
    return {
        "segment": segment.id,
        "source": segment.source,
        "suggestions": [{"entry": entry.to_api(), "score": score} for entry, score in found],
    }


@bp.post("/approval")
@requires(REVIEW)
@bp.output(ApprovalOut)
@bp.doc(
    summary="Approve the translation as it stands (If-Match required); role `review`",
    description="Records who and when, adds its segments to the tenant's translation memory, and for a job "
    "submitted with `publish: on_approval` publishes its revision and sends `translation.approved`.",
    responses=[200, 404, 409, 412, 428],
)
def approve_translation(job_id: str, lang: str):
    job = _language(job_id, lang)
    version = expected_version(_draft(job_id, lang), "Translation")
    draft, published = _write(job, lang, lambda: approve(desk(), job_id, job.request, lang, version, _person()))
    return (
        {"job_id": job_id, "lang": lang, "review": draft.review_summary(), "published": published},
        200,
        {"ETag": draft.etag},
    )


@bp.get("/xliff")
@requires(TRANSLATE)
@bp.input(XliffQuery, location="query", arg_name="query")
@bp.doc(
    summary="The segments as an XLIFF file (1.2 or 2.0), for a CAT tool",
    responses=_file_responses("XLIFF", "application/xliff+xml"),
)
def export_xliff(job_id: str, lang: str, query: dict):
    job = _language(job_id, lang)
    draft = _draft(job_id, lang)
    data = interchange.export_xliff(draft, job.request.source_lang, lang, query["version"], f"{job_id}/{lang}")
    return Response(
        data,
        mimetype="application/xliff+xml",
        headers={"ETag": draft.etag, "Content-Disposition": f'attachment; filename="{job_id}-{lang}.xlf"'},
    )


@bp.put("/xliff")
@requires(TRANSLATE)
@accepts_any_body
@bp.output(SegmentsOut)
@bp.doc(
    summary="Import an edited XLIFF file back into the segments (If-Match required)",
    description="Changed targets become human edits; a segment marked final (1.2 `approved`/`signed-off`, "
    "2.0 `final`) is only kept as an edit: approving stays a reviewer's act.",
    responses=[200, 404, 409, 412, 422, 428],
)
def import_xliff(job_id: str, lang: str):
    job = _language(job_id, lang)
    draft = _draft(job_id, lang)
    version = expected_version(draft, "Translation")
    try:
        targets = interchange.read_xliff(request.get_data(), draft)
    except interchange.InterchangeError as error:
        raise unprocessable("body", str(error), slug="invalid-xliff")
    changes = [
        {"id": segment_id, "target": target, "inline": inline}
        for segment_id, (target, inline) in targets.items()
        if target != draft.segment(segment_id).target
    ]
    if not changes:
        return _document(job_id, lang, draft), 200, {"ETag": draft.etag}
    new = _write(job, lang, lambda: edit_segments(desk(), job_id, job.request, lang, changes, version, _person()))
    return _document(job_id, lang, new), 200, {"ETag": new.etag}
