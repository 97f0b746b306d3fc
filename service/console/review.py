"""Source and translation side by side, glossary terms highlighted.

A translation keeps its source's structure (one translated unit per source
unit, in order), so parsing both bodies with the article's format gives the
pairs of paragraphs, headings and list items to show next to each other.
Terms are found in the source with the glossary's own matcher, and their
renderings are then looked for in the translated unit.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from glossary.entries import Entry
from glossary.matching import TermMatcher
from translation.documents import DocumentError, parse


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entry_id: str
    term: str


@dataclass
class ReviewRow:
    source: Markup
    target: Markup
    terms: int  # glossary terms found in the source unit
    placed: int  # their renderings found in the translated unit
    # The checks' findings on the unit's sentences (checks/), most serious first, and the worst severity.
    findings: list = field(default_factory=list)
    severity: str | None = None


def aligned_units(source_body: str, target_body: str, fmt: str) -> list[tuple[str, str]]:
    """(source unit, translated unit) pairs; the whole bodies as one pair if they do not line up."""
    # HTML and Markdown units keep their character references (&lt; stays &lt; so that
    # it is rendered back as such); shown as text, escaped once by `highlight`, they
    # must be the characters they stand for, or the page reads "&amp;lt;img".
    as_text = html.unescape if fmt in ("html", "markdown") else str
    try:
        source = [as_text(u.text) for u in parse(source_body, fmt).units]
        target = [as_text(u.text) for u in parse(target_body, fmt).units]
    except DocumentError:
        return [(source_body, target_body)]
    if len(source) != len(target):
        return [(source_body, target_body)]
    return list(zip(source, target))


def highlight(text: str, spans: list[Span], methods: dict[str, str] | None = None) -> Markup:
    """`text` escaped, each span in a <mark>; with `methods`, each mark is followed by its method."""
    out, position = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < position:
            continue
        out.append(escape(text[position : span.start]))
        mark = Markup('<mark class="term" data-entry="{}">{}</mark>').format(span.entry_id, text[span.start : span.end])
        method = (methods or {}).get(span.entry_id)
        if method:
            mark += Markup(' <span class="method">({})</span>').format(method)
        out.append(mark)
        position = span.end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def find_renderings(text: str, renderings: set[tuple[str, str]]) -> list[Span]:
    """Occurrences of each (entry id, rendering) in `text`, longest first, never overlapping."""
    spans: list[Span] = []
    taken = [False] * len(text)
    for entry_id, rendering in sorted(renderings, key=lambda item: (-len(item[1]), item)):
        if not rendering:
            continue
        start = text.find(rendering)
        while start >= 0:
            end = start + len(rendering)
            if not any(taken[start:end]):
                spans.append(Span(start, end, entry_id, rendering))
                taken[start:end] = [True] * (end - start)
            start = text.find(rendering, end)
    return spans


def review_rows(
    pairs: list[tuple[str, str]], entries: list[Entry], lang: str, methods: dict[str, str] | None = None
) -> list[ReviewRow]:
    matcher = TermMatcher(entries) if entries else None
    rows = []
    for source, target in pairs:
        matches = matcher.find(source, lang) if matcher else []
        source_spans = [Span(m.start, m.end, m.entry_id, m.term) for m in matches]
        renderings = {(m.entry_id, m.rendering) for m in matches}
        target_spans = find_renderings(target, renderings)
        rows.append(
            ReviewRow(
                highlight(source, source_spans),
                highlight(target, target_spans, methods),
                len(source_spans),
                len(target_spans),
            )
        )
    return rows


def attach_findings(rows: list[ReviewRow], report: dict | None) -> list[ReviewRow]:
    """Each flagged segment's findings on the row of its unit (row 0 the title, as the units). The report's
    segments come most serious first (`checks.select`), and so do each row's findings."""
    order = {"error": 0, "warning": 1, "info": 2}
    for segment in (report or {}).get("flagged_segments", []):
        if segment["unit"] < len(rows):
            row = rows[segment["unit"]]
            row.findings += segment["findings"]
            if row.severity is None or order[segment["severity"]] < order[row.severity]:
                row.severity = segment["severity"]
    for row in rows:
        row.findings.sort(key=lambda f: order[f["severity"]])
    return rows
