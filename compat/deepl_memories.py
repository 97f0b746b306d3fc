"""DeepL's translation-memory API (/v3/translation_memories) in our terms.

DeepL keeps one memory per source language with several target languages; we
keep one per tenant and language pair (editorial/memory.py). Each of our pairs
is served as one DeepL memory with one target language, its id naming the pair
("tm-en-de"), so a DeepL client lists, reads, pages through and deletes our
memories with the shapes it parses (deepl/api_data.py: TranslationMemoryInfo,
TranslationMemorySegments)."""

from __future__ import annotations

import re

from conventions import iso
from editorial.memory import Entry

_ID = re.compile(r"^tm-([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)-([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)$")
MAX_PAGE_SIZE = 25  # of the memory list, as DeepL documents it
MAX_SEGMENT_PAGE_SIZE = 200


def memory_id(source: str, target: str) -> str:
    return f"tm-{source}-{target}"


def split_memory_id(memory: str) -> tuple[str, str] | None:
    """'tm-en-de' -> ('en', 'de'); None for anything else."""
    found = _ID.match(memory)
    return (found.group(1), found.group(2)) if found else None


def _stamp(value: float) -> str:
    # The client parses "%Y-%m-%dT%H:%M:%S.%f%z": milliseconds and a zone, always.
    return iso(value or 1e-3) or ""


def memory_info(source: str, target: str, entries: list[Entry]) -> dict:
    stamps = [e.updated_at for e in entries if e.updated_at] or [0.0]
    return {
        "translation_memory_id": memory_id(source, target),
        "name": f"{source} → {target}",
        "source_language": source,
        "target_languages": [target],
        "segment_count": len(entries),
        "creation_time": _stamp(min(stamps)),
        "updated_time": _stamp(max(stamps)),
    }


def segment(entry: Entry, target: str) -> dict:
    stamp = _stamp(entry.updated_at)
    return {
        "source_segment_id": entry.id,
        "source_text": entry.source,
        "creation_time": stamp,
        "updated_time": stamp,
        "targets": [
            {
                "target_segment_id": f"{entry.id}.{target}",
                "target_language": target,
                "target_text": entry.target,
                "creation_time": stamp,
                "updated_time": stamp,
            }
        ],
    }


def segments_page(
    entries: list[Entry], target: str, page_size: int, cursor: int, filter_text: str | None, case_sensitive: bool
) -> dict:
    """One page of segments; the cursor is the offset of the next page, as text (opaque to the client)."""
    total = len(entries)
    if filter_text:
        if case_sensitive:
            entries = [e for e in entries if filter_text in e.source or filter_text in e.target]
        else:
            wanted = filter_text.casefold()
            entries = [e for e in entries if wanted in e.source.casefold() or wanted in e.target.casefold()]
    page = entries[cursor : cursor + page_size]
    following = cursor + page_size
    result = {"segments": [segment(e, target) for e in page], "segment_count": total}
    if following < len(entries):
        result["next_page_cursor"] = str(following)
    return result
