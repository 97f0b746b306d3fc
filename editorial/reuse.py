"""What a job takes before the model: the editors' own corrections of the same
article (carried edits, by `external_id`), then the tenant's translation memory.

A memory entry is reused only as it stands with the current glossaries: where a
glossary term of the sentence has a rendering the entry's translation does not
contain (the glossary changed since the entry was approved, or the entry was
imported from a CAT tool that never saw it), the entry would silently undo the
glossary. That sentence goes to the model instead, and the draft says why
(`provenance.memory_rejected`). A carried edit is the editor's word on this very
article and is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conventions import iso
from editorial.memory import Entry, TranslationMemory
from editorial.segments import HUMAN, MEMORY, anchored, place_fixed
from editorial.store import CarriedEdits
from translation.article import Segment, SegmentTranslation


@dataclass
class Reuse:
    """Called by `translate_article` with the planned segments; remembers, per
    segment, where its translation came from and what was refused."""

    memory: TranslationMemory
    edits: CarriedEdits
    tenant: str
    source: str
    target: str
    external_id: str | None = None
    provenance: dict[int, dict] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"human_kept": 0, "memory_hits": 0, "memory_rejected": 0})

    def __call__(self, segments: list[Segment]) -> dict[int, SegmentTranslation]:
        if not self.tenant:
            return {}
        texts = [s.text for s in segments]
        carried = (
            self.edits.find(self.tenant, self.external_id, self.target, texts)
            if self.external_id
            else [None] * len(segments)
        )
        entries = self.memory.exact(self.tenant, self.source, self.target, texts)
        known: dict[int, SegmentTranslation] = {}
        for i, (segment, edit, entry) in enumerate(zip(segments, carried, entries)):
            if edit is not None:
                known[i] = _translation(segment, edit["target"], edit.get("inline"), edit.get("inline_in_target"))
                self.provenance[i] = {**edit["provenance"], "carried_from": edit.get("job_id")}
                self.counts["human_kept"] += 1
            elif entry is not None:
                if None in place_fixed(entry.target, segment.fixed):
                    missing = [
                        f.replacement
                        for f, p in zip(segment.fixed, place_fixed(entry.target, segment.fixed))
                        if p is None
                    ]
                    self.provenance[i] = {"memory_rejected": {"entry": entry.id, "missing": missing}}
                    self.counts["memory_rejected"] += 1
                    continue
                known[i] = _translation(segment, entry.target, entry.inline, entry.inline_in_target)
                self.provenance[i] = _memory_provenance(entry)
                self.counts["memory_hits"] += 1
        return known


def _memory_provenance(entry: Entry) -> dict:
    return {"kind": MEMORY, "entry": entry.id, "score": 100.0, "origin": entry.origin}


def _translation(segment: Segment, target: str, inline, inline_in_target) -> SegmentTranslation:
    placed = place_fixed(target, segment.fixed)
    same_markup = [tuple(r) for r in (inline or ())] == [tuple(r) for r in segment.inline]
    located = [tuple(r) if r else None for r in (inline_in_target or ())] if same_markup else []
    return SegmentTranslation(
        target, anchored(target, segment.text, segment.fixed, placed), (located or [None] * len(segment.inline))
    )


def edited_provenance(key_prefix: str, name: str, at: float) -> dict:
    return {"kind": HUMAN, "editor": {"key": key_prefix, "name": name}, "at": iso(at)}
