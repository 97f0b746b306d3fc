"""/v1/memories: the caller's tenant's translation memories, one per language
pair: list, search, export and import TMX, delete entries.

Every read and write is keyed by the caller's tenant (editorial/memory.py):
there is no way to name another tenant's memory, so there is nothing to
refuse; an entry id of another tenant is simply not found.
"""

from __future__ import annotations

import re
from typing import Any

from apiflask import APIBlueprint
from flask import Response, request

from access import REVIEW, TRANSLATE
from conventions import LANGUAGE_CODE_PATTERN
from editorial import interchange
from service.auth import current_key, requires
from service.editorial_wiring import memory
from service.problems import Problem, accepts_any_body, unprocessable
from service.schemas import MemoryEntriesQuery

_TMX_RESPONSES: dict[int | str, Any] = {
    200: {"description": "TMX", "content": {"application/x-tmx+xml": {"schema": {"type": "string"}}}},
    422: "Not a language code",
}

bp = APIBlueprint("memories", __name__, url_prefix="/v1/memories", tag="Editorial")

_CODE = re.compile(LANGUAGE_CODE_PATTERN)


def _pair(source: str, target: str) -> tuple[str, str]:
    for name, code in (("source_lang", source), ("target_lang", target)):
        if not _CODE.match(code):
            raise unprocessable(name, f"{code!r} is not a language code (ISO 639, e.g. 'de').")
    return source, target


@bp.get("")
@requires(TRANSLATE)
@bp.doc(summary="The tenant's translation memories: one per language pair, with its number of entries")
def list_memories():
    return {
        "items": [
            {"source_lang": s, "target_lang": t, "entries": n} for s, t, n in memory().pairs(current_key().tenant)
        ]
    }


@bp.get("/<source>/<target>/entries")
@requires(TRANSLATE)
@bp.input(MemoryEntriesQuery, location="query", arg_name="query")
@bp.doc(summary="Entries of one memory, newest first; `q` searches source and target", responses=[200, 422])
def list_entries(source: str, target: str, query: dict):
    source, target = _pair(source, target)
    found, total = memory().search(current_key().tenant, source, target, query["q"], query["offset"], query["limit"])
    return {"items": [e.to_api() for e in found], "total": total, "offset": query["offset"], "limit": query["limit"]}


@bp.delete("/<source>/<target>/entries/<entry_id>")
@requires(REVIEW)
@bp.doc(summary="Delete one entry (role `review`)", responses=[204, 404, 422])
def delete_entry(source: str, target: str, entry_id: str):
    source, target = _pair(source, target)
    if not memory().delete(current_key().tenant, source, target, entry_id):
        raise Problem(
            404,
            "memory-entry-not-found",
            "Memory entry not found",
            f"The {source}->{target} memory has no entry {entry_id!r}.",
        )
    return "", 204


@bp.get("/<source>/<target>/tmx")
@requires(TRANSLATE)
@bp.doc(summary="Export one memory as TMX 1.4", responses=_TMX_RESPONSES)
def export_tmx(source: str, target: str):
    source, target = _pair(source, target)
    data = interchange.export_tmx(memory().entries(current_key().tenant, source, target), source, target)
    return Response(
        data,
        mimetype="application/x-tmx+xml",
        headers={"Content-Disposition": f'attachment; filename="memory-{source}-{target}.tmx"'},
    )


@bp.post("/<source>/<target>/tmx")
@requires(REVIEW)
@accepts_any_body
@bp.doc(
    summary="Import a TMX file into one memory (role `review`); the body is the file",
    description="Units with both languages (variants such as en-GB count as en) are added as `imported` "
    "entries; an entry with the same source sentence is replaced.",
    responses=[200, 422],
)
def import_tmx(source: str, target: str):
    source, target = _pair(source, target)
    data = request.files["file"].read() if request.files.get("file") else request.get_data()
    try:
        entries = interchange.import_tmx(data, source, target, current_key().author())
    except interchange.InterchangeError as error:
        raise unprocessable("body", str(error), slug="invalid-tmx")
    imported = memory().add(current_key().tenant, source, target, entries)
    return {"source_lang": source, "target_lang": target, "imported": imported}
