"""A job language's segments as editors see them, typed: the one module that
turns the stored draft into records and back, and re-renders the article
from it.

    job:{id}:lang:{xx}:segments   string: a `Draft` as JSON, with its
                                  `schema_version`; same lifetime as the job

A draft holds every sentence the pipeline planned (`translation.article.Segment`:
unit, offsets, fixed spans, inline phrases) with its translation and where that
came from, so an edited sentence re-renders the article with its markup where
it was: the same `assemble_units` over the same plan, one translation changed.

Schema versions: 1, the first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from conventions import iso
from glossary.enforcement import FixedSpan
from translation.article import Segment, SegmentTranslation, assemble_units
from translation.documents import Unit, parse

SCHEMA_VERSION = 1

MACHINE, MEMORY, HUMAN = "machine", "memory", "human"


class Review(StrEnum):
    MACHINE = "machine"  # as the pipeline left it
    EDITED = "edited"  # an editor changed a segment since
    APPROVED = "approved"  # a reviewer approved it (an edit puts it back to edited)


class UnknownSchema(ValueError):
    """A draft written by a newer version of the service than this one."""


class NoSuchSegment(LookupError):
    pass


def source_key(text: str) -> str:
    """The key of a source sentence in memories and carried edits: its exact text
    (whitespace runs folded, so a rewrapped paragraph still matches)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SegmentRecord:
    id: str
    unit: int
    start: int
    end: int
    source: str
    target: str
    fixed: tuple[dict, ...] = ()  # {start, end, replacement, entry_id, term}: glossary terms, protected spans
    inline: tuple[tuple[int, int], ...] = ()  # source ranges of phrases wrapped by inline markup
    fixed_in_target: tuple[tuple[int, int], ...] = ()
    inline_in_target: tuple[tuple[int, int] | None, ...] = ()
    provenance: dict = field(default_factory=dict)  # {kind: machine|memory|human, ...}

    def as_segment(self) -> Segment:
        return Segment(
            self.unit,
            self.start,
            self.end,
            self.source,
            [FixedSpan(f["start"], f["end"], f["replacement"], f.get("entry_id"), f.get("term")) for f in self.fixed],
            [_pair(r) for r in self.inline],
        )

    def as_translation(self) -> SegmentTranslation:
        return SegmentTranslation(
            self.target,
            [_pair(r) for r in self.fixed_in_target],
            [_pair(r) if r else None for r in self.inline_in_target],
        )

    def to_api(self) -> dict:
        """What the API shows: the sentence, its markup in source and target, its provenance."""
        markup = [
            {
                "kind": "term" if f.get("entry_id") else "protected",
                "source": [f["start"], f["end"]],
                "target": list(t) if t[1] > t[0] else None,
                "rendering": f["replacement"],
            }
            for f, t in zip(self.fixed, self.fixed_in_target)
        ]
        markup += [
            {"kind": "inline", "source": list(s), "target": list(t) if t else None}
            for s, t in zip(self.inline, self.inline_in_target)
        ]
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "markup": sorted(markup, key=lambda m: m["source"]),
            "provenance": self.provenance,
        }


@dataclass(frozen=True)
class Draft:
    """One language of one job, sentence by sentence, with its review state."""

    segments: tuple[SegmentRecord, ...]
    version: int = 1
    review: str = Review.MACHINE.value
    edited_at: float | None = None
    approved: dict | None = None  # {by: {key, name}, at}
    schema_version: int = SCHEMA_VERSION

    def segment(self, segment_id: str) -> SegmentRecord:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise NoSuchSegment(segment_id)

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    def review_summary(self) -> dict:
        kinds: dict[str, int] = {}
        for segment in self.segments:
            kind = segment.provenance.get("kind", MACHINE)
            kinds[kind] = kinds.get(kind, 0) + 1
        summary: dict = {"state": self.review, "version": self.version, "segments": kinds}
        if self.edited_at:
            summary["edited_at"] = iso(self.edited_at)
        if self.approved:
            summary["approved"] = self.approved
        return summary


def place_fixed(text: str, fixed: list[FixedSpan] | tuple[dict, ...]) -> list[tuple[int, int] | None]:
    """Each fixed span's rendering found in `text`, in order, or None where it is not there."""
    placed: list[tuple[int, int] | None] = []
    cursor = 0
    for span in fixed:
        rendering = span["replacement"] if isinstance(span, dict) else span.replacement
        at = text.find(rendering, cursor)
        if at < 0:
            placed.append(None)
            continue
        placed.append((at, at + len(rendering)))
        cursor = at + len(rendering)
    return placed


def anchored(text: str, source: str, fixed, placed: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """Target ranges for assembly: where a rendering is missing (an editor wrote
    the sentence without it), an empty range at the proportional position, so
    the markup around it still lands near its place. Empty means "not placed"."""
    ranges = []
    for span, where in zip(fixed, placed):
        if where is None:
            start = span["start"] if isinstance(span, dict) else span.start
            at = round(start * len(text) / max(1, len(source)))
            ranges.append((at, at))
        else:
            ranges.append(where)
    return ranges


def _fixed_dict(span: FixedSpan) -> dict:
    return {
        "start": span.start,
        "end": span.end,
        "replacement": span.replacement,
        "entry_id": span.entry_id,
        "term": span.term,
    }


def new_draft(plan: list[Segment], translations: list[SegmentTranslation], provenance: list[dict]) -> Draft:
    return Draft(
        tuple(
            SegmentRecord(
                f"s{i + 1}",
                seg.unit,
                seg.start,
                seg.end,
                seg.text,
                tr.text,
                tuple(_fixed_dict(f) for f in seg.fixed),
                tuple(tuple(r) for r in seg.inline),  # type: ignore[misc]
                tuple(tuple(r) for r in tr.fixed_in_target),  # type: ignore[misc]
                tuple(tuple(r) if r else None for r in (tr.inline_in_target or [None] * len(seg.inline))),  # type: ignore[misc]
                prov,
            )
            for i, (seg, tr, prov) in enumerate(zip(plan, translations, provenance))
        )
    )


def with_target(
    draft: Draft, segment_id: str, target: str, provenance: dict, inline: list[tuple[int, int] | None] | None = None
) -> Draft:
    """The draft with one segment's target replaced (its markup re-anchored), one version on."""
    old = draft.segment(segment_id)
    placed = place_fixed(target, old.fixed)
    inline_targets = (
        tuple(_pair(r) if r else None for r in inline) if inline is not None else tuple(None for _ in old.inline)
    )
    new = replace(
        old,
        target=target,
        fixed_in_target=tuple(anchored(target, old.source, old.fixed, placed)),
        inline_in_target=inline_targets,
        provenance=provenance,
    )
    return replace(
        draft, segments=tuple(new if s.id == segment_id else s for s in draft.segments), version=draft.version + 1
    )


def render(draft: Draft, title: str, body: str, fmt: str) -> tuple[str, str]:
    """The translated title and body, rebuilt from the draft over the source article."""
    document = parse(body, fmt)
    units = [Unit(title, [])] + list(document.units)
    translated = assemble_units(
        units, [s.as_segment() for s in draft.segments], [s.as_translation() for s in draft.segments]
    )
    return translated[0].text, document.render(translated[1:])


# -- storage ------------------------------------------------------------------------------------


def dump(draft: Draft) -> str:
    return json.dumps(asdict(draft))


def load(raw: bytes | str) -> Draft:
    data = json.loads(raw)
    version = data.get("schema_version", 1)
    if version > SCHEMA_VERSION:
        raise UnknownSchema(f"draft of schema version {version}; this service reads up to {SCHEMA_VERSION}")
    segments = tuple(
        SegmentRecord(
            **{
                **s,
                "fixed": tuple(s["fixed"]),
                "inline": tuple(map(tuple, s["inline"])),
                "fixed_in_target": tuple(map(tuple, s["fixed_in_target"])),
                "inline_in_target": tuple(tuple(r) if r else None for r in s["inline_in_target"]),
            }
        )
        for s in data["segments"]
    )
    return Draft(
        segments, data["version"], data["review"], data.get("edited_at"), data.get("approved"), data["schema_version"]
    )


def _pair(r) -> tuple[int, int]:
    """A stored (start, end) range, a list once it has been through JSON."""
    return (int(r[0]), int(r[1]))
