"""One article into one language: documents -> units -> sentences -> model -> article.

Plain functions, no Celery: the task calls `translate_article`, tests and the
benchmark call it directly.

Glossary terms and protected spans (inline code, `translate="no"`) are "fixed
spans": their target text is known before the model runs. Enforcement (see the
README's design note):
  1. mask: each fixed span becomes a placeholder, the sentence is translated
     whole (the model sees the full context) and the placeholders are put back;
  2. verify: a sentence whose output lost, duplicated or altered a placeholder
     is not trusted; it is translated again around its terms (`split`): the text
     between fixed spans goes to the model, the fixed spans are inserted verbatim.
Every source occurrence thus yields its rendering exactly once, whatever the
model does with placeholders. A segment made only of fixed spans never reaches
the model (`term_only`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable

from glossary.enforcement import DEFAULT_SCHEME, TERM_ONLY, FixedSpan, join_pieces, mask, split_around
from glossary.report import GlossaryReport
from translation.documents import TranslatedUnit, Unit, parse
from translation.engines import EngineStats, Router
from translation.segmentation import split_sentences


@dataclass
class Article:
    title: str
    body: str
    format: str = "text"


@dataclass
class Segment:
    """A sentence of a unit, with the fixed spans inside it (offsets relative to the sentence)."""

    unit: int
    start: int
    end: int
    text: str
    fixed: list[FixedSpan]


@dataclass
class SegmentTranslation:
    text: str
    fixed_in_target: list[tuple[int, int]]  # target span of each fixed span, in order of `Segment.fixed`


@dataclass
class LanguageResult:
    title: str
    body: str
    report: GlossaryReport
    stats: EngineStats
    segments: int


@dataclass
class ProgressReporter:
    callback: Callable[[int, int], None] | None = None
    total: int = 0
    done: int = 0

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        if self.callback:
            self.callback(self.done, self.total)


def translate_article(router: Router, article: Article, source: str, target: str,
                      matcher=None, on_progress: Callable[[int, int], None] | None = None,
                      placeholders: str = DEFAULT_SCHEME) -> LanguageResult:
    document = parse(article.body, article.format)
    units = [Unit(article.title, [])] + list(document.units)
    segments = plan_segments(units, source, target, matcher)
    progress = ProgressReporter(on_progress, total=len(segments))
    progress.advance(0)
    translations, stats, report = translate_segments(router, segments, source, target, progress, placeholders)
    translated_units = assemble_units(units, segments, translations)
    body = document.render(translated_units[1:])
    return LanguageResult(translated_units[0].text, body, report, stats, len(segments))


def plan_segments(units: list[Unit], source: str, target: str, matcher) -> list[Segment]:
    segments = []
    for index, unit in enumerate(units):
        protected = [tuple(span) for span in unit.protected]
        for sentence in split_sentences(unit.text, source, protected):
            text = unit.text[sentence.start:sentence.end]
            segments.append(Segment(index, sentence.start, sentence.end, text,
                                    _fixed_spans(text, sentence.start, protected, matcher, target)))
    return segments


def _fixed_spans(text: str, offset: int, protected, matcher, target: str) -> list[FixedSpan]:
    """Protected spans (kept verbatim) and glossary matches outside them, relative to `text`."""
    spans = []
    for start, end in protected:
        s, e = max(start - offset, 0), min(end - offset, len(text))
        if s < e:
            spans.append(FixedSpan(s, e, text[s:e], None))
    if matcher is not None:
        for match in matcher.find(text, target):
            if not any(match.start < f.end and f.start < match.end for f in spans):
                spans.append(FixedSpan(match.start, match.end, match.rendering, match.entry_id, match.term))
    return sorted(spans, key=lambda f: f.start)


def _has_text_to_translate(segment: Segment) -> bool:
    pieces = split_around(segment.text, segment.fixed)
    return any(p.translatable and p.text.strip() for p in pieces)


def translate_segments(router: Router, segments: list[Segment], source: str, target: str, progress: ProgressReporter,
                       placeholders: str = DEFAULT_SCHEME
                       ) -> tuple[list[SegmentTranslation], EngineStats, GlossaryReport]:
    stats = EngineStats()
    report = GlossaryReport()
    results: list[SegmentTranslation | None] = [None] * len(segments)

    # A segment that is nothing but fixed spans (a table cell or link title that
    # is just a term) needs no model: its renderings are the whole translation.
    for i, segment in enumerate(segments):
        if not _has_text_to_translate(segment):
            text, spans = join_pieces(split_around(segment.text, segment.fixed), [])
            results[i] = SegmentTranslation(text, spans)
            report.record(segment.fixed, spans, method=TERM_ONLY)

    # Pass 1: every other sentence whole, fixed spans masked, in one batch.
    masked = {i: mask(seg.text, seg.fixed, placeholders) for i, seg in enumerate(segments) if results[i] is None}
    outputs, pass_stats = router.translate([m.text for m in masked.values()], source, target)
    stats.add(pass_stats)
    retry = []
    for (i, masked_segment), output in zip(masked.items(), outputs):
        restored = masked_segment.restore(output)
        if restored.ok:
            results[i] = SegmentTranslation(restored.text, restored.spans)
            report.record(segments[i].fixed, restored.spans, method="mask")
        else:
            retry.append(i)
    progress.advance(len(segments) - len(retry))

    # Pass 2: sentences whose placeholders did not survive, translated around their fixed spans.
    if retry:
        pieces = {i: split_around(segments[i].text, segments[i].fixed) for i in retry}
        texts = [p.text for i in retry for p in pieces[i] if p.translatable]
        outputs, pass_stats = router.translate(texts, source, target) if texts else ([], EngineStats())
        stats.add(pass_stats)
        cursor = 0
        for i in retry:
            count = sum(p.translatable for p in pieces[i])
            text, spans = join_pieces(pieces[i], outputs[cursor:cursor + count])
            cursor += count
            results[i] = SegmentTranslation(text, spans)
            report.record(segments[i].fixed, spans, method="split")
        progress.advance(len(retry))
    return results, stats, report


def assemble_units(units: list[Unit], segments: list[Segment],
                   translations: list[SegmentTranslation]) -> list[TranslatedUnit]:
    """Put each unit back together: translated sentences, original whitespace between them."""
    by_unit: dict[int, list[tuple[Segment, SegmentTranslation]]] = {}
    for segment, translation in zip(segments, translations):
        by_unit.setdefault(segment.unit, []).append((segment, translation))
    translated = []
    for index, unit in enumerate(units):
        parts, anchors, cursor = [], [(0, 0)], 0
        length = 0
        for segment, translation in by_unit.get(index, []):
            gap = unit.text[cursor:segment.start]
            parts.append(gap)
            length += len(gap)
            anchors.append((segment.start, length))
            for fixed, (t_start, t_end) in zip(segment.fixed, translation.fixed_in_target):
                anchors.append((segment.start + fixed.start, length + t_start))
                anchors.append((segment.start + fixed.end, length + t_end))
            parts.append(translation.text)
            length += len(translation.text)
            anchors.append((segment.end, length))
            cursor = segment.end
        tail = unit.text[cursor:]
        parts.append(tail)
        anchors.append((len(unit.text), length + len(tail)))
        translated.append(TranslatedUnit("".join(parts), Projection(anchors)))
    return translated


@dataclass
class Projection:
    """Maps a source offset of a unit to a target offset: exact at sentence and
    fixed-span boundaries, linear in between (exact for length-preserving
    models, proportional for real ones). Anchors that would run backwards (a
    model reordered two placeholders) are dropped so the map stays monotonic."""

    anchors: list[tuple[int, int]]
    _src: list[int] = field(init=False)
    _tgt: list[int] = field(init=False)

    def __post_init__(self):
        # Anchors arrive in source order; sentence ends always move forward,
        # so only anchors of reordered fixed spans can be dropped here.
        kept: list[tuple[int, int]] = []
        for s, t in self.anchors:
            if kept and (s < kept[-1][0] or t < kept[-1][1]):
                continue
            if kept and s == kept[-1][0]:
                kept[-1] = (s, t)
            else:
                kept.append((s, t))
        self._src = [s for s, _ in kept]
        self._tgt = [t for _, t in kept]

    def __call__(self, offset: int) -> int:
        i = bisect.bisect_right(self._src, offset) - 1
        if i < 0:
            return self._tgt[0]
        if i >= len(self._src) - 1:
            return self._tgt[-1]
        s0, s1, t0, t1 = self._src[i], self._src[i + 1], self._tgt[i], self._tgt[i + 1]
        return t0 + round((offset - s0) * (t1 - t0) / (s1 - s0))
