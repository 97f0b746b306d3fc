"""DeepL's /v3/translation_memories for DeepL's clients (`deepl.DeepLClient`
`list_translation_memories`, `get_translation_memory`,
`list_translation_memory_segments`, `delete_translation_memory`), served from
the caller's tenant's memories (compat/deepl_memories.py for the shapes).
Errors are DeepL's {"message"} (service.problems.speak)."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from access import REVIEW, TRANSLATE
from compat import deepl_memories as shapes
from service.auth import current_key, requires
from service.editorial_wiring import memory
from service.problems import Problem

bp = APIBlueprint("deepl_memories", __name__, url_prefix="/v3/translation_memories", tag="DeepL-compatible")


def _bad(message: str) -> Problem:
    return Problem(400, "deepl-request", "Bad request", message)


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(f"Parameter '{name}' must be an integer.")
    if not low <= value <= high:
        raise _bad(f"Parameter '{name}' must be between {low} and {high}.")
    return value


def _pair(memory_id: str) -> tuple[str, str]:
    pair = shapes.split_memory_id(memory_id)
    if pair is None or not any((s, t) == pair for s, t, _ in memory().pairs(current_key().tenant)):
        raise Problem(
            404, "translation-memory-not-found", "Translation memory not found", "Translation memory not found."
        )
    return pair


@bp.get("")
@requires(TRANSLATE)
@bp.doc(summary="The tenant's translation memories, one per language pair (DeepL's shape)")
def list_memories():
    page_size = _int("page_size", shapes.MAX_PAGE_SIZE, 1, shapes.MAX_PAGE_SIZE)
    page = _int("page", 0, 0, 1_000_000)
    tenant, store = current_key().tenant, memory()
    pairs = store.pairs(tenant)[page * page_size : (page + 1) * page_size]
    return {"translation_memories": [shapes.memory_info(s, t, store.entries(tenant, s, t)) for s, t, _ in pairs]}


@bp.get("/<memory_id>")
@requires(TRANSLATE)
@bp.doc(summary="One translation memory", responses=[200, 404])
def get_memory(memory_id: str):
    source, target = _pair(memory_id)
    return shapes.memory_info(source, target, memory().entries(current_key().tenant, source, target))


@bp.get("/<memory_id>/segments")
@requires(TRANSLATE)
@bp.doc(
    summary="A page of its segments (cursor-based; filter_text of at least 2 characters)", responses=[200, 400, 404]
)
def list_segments(memory_id: str):
    source, target = _pair(memory_id)
    page_size = _int("page_size", 50, 1, shapes.MAX_SEGMENT_PAGE_SIZE)
    cursor = request.args.get("page_cursor") or "0"
    if not cursor.isdigit():
        raise _bad("Invalid page_cursor.")
    filter_text = request.args.get("filter_text")
    if filter_text is not None and len(filter_text) < 2:
        raise _bad("Parameter 'filter_text' must be at least 2 characters long.")
    case_sensitive = request.args.get("filter_case_sensitive", "false").lower() == "true"
    entries = memory().entries(current_key().tenant, source, target)
    return shapes.segments_page(entries, target, page_size, int(cursor), filter_text, case_sensitive)


@bp.delete("/<memory_id>")
@requires(REVIEW)
@bp.doc(summary="Delete a translation memory (role `review`)", responses=[204, 404])
def delete_memory(memory_id: str):
    source, target = _pair(memory_id)
    memory().drop(current_key().tenant, source, target)
    return "", 204
