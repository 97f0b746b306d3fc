"""One article into one language: documents -> units -> sentences -> model -> article.

Plain functions, no Celery: the task calls `translate_article`, tests and the
benchmark call it directly.

Glossary terms and protected spans (inline code, `translate="no"`) are "fixed
spans": their target text is known before the model runs. Enforcement
(docs/glossary.md) pays only for what the model gets wrong:
  1. model: every sentence is translated as is; a span whose rendering the
     model wrote itself is accepted and nothing around it changes;
  2. replace: where a rendering is missing, the model's own words for the term
     (its translation of the term alone, in the same batch) are found in the
     sentence and replaced, and the article before them made to agree;
  3. mask: a span still missing is masked by a placeholder (only that span)
     and the sentence translated again; the others must come out as before;
  4. split: a sentence whose placeholders did not survive is translated
     around its fixed spans, which are inserted verbatim.
Every source occurrence thus yields its rendering exactly once, whatever the
model does. A segment made only of fixed spans never reaches the model
(`term_only`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from glossary.enforcement import DEFAULT_SCHEME, MASK, SPLIT, TERM_ONLY, FixedSpan, join_pieces, mask, split_around
from glossary.placement import Settled, agree, clean_model_words, settle
from glossary.report import GlossaryReport
from translation import headlines
from translation.documents import FORMATS, TranslatedUnit, Unit, parse
from translation.alignment import locate, relation, same_relation
from translation.engines import EngineStats, Router
from translation.limits import SegmentBudget
from translation.segmentation import split_sentences, split_to_fit


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
    # Phrases wrapped by inline markup, to be located in the translation (relative to the sentence).
    inline: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class SegmentTranslation:
    text: str
    fixed_in_target: list[tuple[int, int]]  # target span of each fixed span, in order of `Segment.fixed`
    # Target range of each `Segment.inline` phrase, or None where proportion has to do.
    inline_in_target: list[tuple[int, int] | None] = field(default_factory=list)


@dataclass
class LanguageResult:
    title: str
    body: str
    report: GlossaryReport
    stats: EngineStats
    segments: int
    # The sentences and their translations, kept so that an editor's correction
    # can re-render the article (editorial/): `assemble_units` over them again.
    plan: list[Segment] = field(default_factory=list)
    translations: list[SegmentTranslation] = field(default_factory=list)

    @property
    def translated(self) -> list[tuple[Segment, SegmentTranslation]]:
        """Each segment with its translation, for the checks (checks/) to read."""
        return list(zip(self.plan, self.translations))


@dataclass
class ProgressReporter:
    callback: Callable[[int, int], None] | None = None
    total: int = 0
    done: int = 0

    def advance(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        if self.callback:
            self.callback(self.done, self.total)


def translate_article(
    router: Router,
    article: Article,
    source: str,
    target: str,
    matcher=None,
    on_progress: Callable[[int, int], None] | None = None,
    placeholders: str = DEFAULT_SCHEME,
    budget: SegmentBudget | None = None,
    reuse: Callable[[list[Segment]], dict[int, SegmentTranslation]] | None = None,
) -> LanguageResult:
    """`reuse`, given the planned segments, returns the translations already
    known for some of them (an editor's, a translation memory's): those skip the
    model and are taken as they are (no headline casing either)."""
    document = parse(article.body, article.format)
    units = [Unit(article.title, [])] + list(document.units)
    segments = plan_segments(units, source, target, matcher, FORMATS[article.format].literal, budget)
    cased = headlines.set_in_sentence_case(units, segments, source)  # a Title Case title or heading
    progress = ProgressReporter(on_progress, total=len(segments))
    progress.advance(0)
    known = reuse(segments) if reuse else {}
    translations, stats, report = translate_segments(router, segments, source, target, progress, placeholders, known)
    for i in cased:
        if i not in known:
            translations[i].text = headlines.target_case(translations[i].text, target)
    translated_units = assemble_units(units, segments, translations)
    body = document.render(translated_units[1:])
    return LanguageResult(translated_units[0].text, body, report, stats, len(segments), segments, translations)


def plan_segments(
    units: list[Unit],
    source: str,
    target: str,
    matcher,
    literal: Callable[[str], str] = lambda text: text,
    budget: SegmentBudget | None = None,
) -> list[Segment]:
    """Sentences with their fixed spans. Unit 0 is the title, plain text; the
    other units are the body, where a glossary rendering is written as the
    format's `literal` of it (escaped in Markdown: a rendering is text, not markup).
    A sentence too long for the `budget` is cut into pieces, between fixed
    spans, so a glossary term is never cut in two."""
    segments = []
    for index, unit in enumerate(units):
        protected = [tuple(span) for span in unit.protected]
        # A line break inside a unit is layout (wrapped HTML source, a Markdown
        # soft break), not a sentence end; the segmenter would take it for one
        # and the model would get half sentences. Same length: offsets hold.
        for sentence in split_sentences(unit.text.replace("\n", " "), source, protected):
            text = unit.text[sentence.start : sentence.end]
            fixed = _fixed_spans(
                text, sentence.start, protected, matcher, target, literal if index else (lambda rendering: rendering)
            )
            if budget is None or budget.fits(text):
                segments.append(
                    Segment(
                        index,
                        sentence.start,
                        sentence.end,
                        text,
                        fixed,
                        _inline_phrases(text, sentence.start, unit.inline, fixed),
                    )
                )
                continue
            for start, end in split_to_fit(text, budget, [(f.start, f.end) for f in fixed]):
                piece = text[start:end]
                piece_fixed = [_shifted(f, -start) for f in fixed if start <= f.start and f.end <= end]
                segments.append(
                    Segment(
                        index,
                        sentence.start + start,
                        sentence.start + end,
                        piece,
                        piece_fixed,
                        _inline_phrases(piece, sentence.start + start, unit.inline, piece_fixed),
                    )
                )
    return segments


def _shifted(span: FixedSpan, delta: int) -> FixedSpan:
    return replace(span, start=span.start + delta, end=span.end + delta)


def _inline_phrases(text: str, offset: int, inline, fixed: list[FixedSpan]) -> list[tuple[int, int]]:
    """The inline elements inside this sentence worth locating in its translation:
    not the whole sentence (its ends are known), not only fixed spans (theirs are
    known too), not cutting through a fixed span."""
    phrases = []
    for start, end in inline:
        s, e = start - offset, end - offset
        if s < 0 or e > len(text):
            continue
        chunk = text[s:e]
        s, e = s + len(chunk) - len(chunk.lstrip()), e - (len(chunk) - len(chunk.rstrip()))
        if s >= e or (s, e) == (0, len(text)):
            continue
        if any(relation((f.start, f.end), (s, e)) == "overlaps" for f in fixed):
            continue
        covered = {i for f in fixed for i in range(f.start, f.end)}
        if any(text[i].isalnum() for i in range(s, e) if i not in covered):
            phrases.append((s, e))
    return sorted(set(phrases))


def _fixed_spans(
    text: str, offset: int, protected, matcher, target: str, literal: Callable[[str], str]
) -> list[FixedSpan]:
    """Protected spans (kept verbatim) and glossary matches outside them, relative to `text`."""
    spans = []
    for start, end in protected:
        s, e = max(start - offset, 0), min(end - offset, len(text))
        if s < e:
            spans.append(FixedSpan(s, e, text[s:e], None))
    if matcher is not None:
        for match in matcher.find(text, target):
            if not any(match.start < f.end and f.start < match.end for f in spans):
                spans.append(
                    FixedSpan(
                        match.start, match.end, literal(match.rendering), match.entry_id, match.term, match.grammar
                    )
                )
    return sorted(spans, key=lambda f: f.start)


def _has_text_to_translate(segment: Segment) -> bool:
    pieces = split_around(segment.text, segment.fixed)
    return any(p.translatable and p.text.strip() for p in pieces)


def translate_segments(
    router: Router,
    segments: list[Segment],
    source: str,
    target: str,
    progress: ProgressReporter,
    placeholders: str = DEFAULT_SCHEME,
    known: dict[int, SegmentTranslation] | None = None,
) -> tuple[list[SegmentTranslation], EngineStats, GlossaryReport]:
    """Every segment through the model, each fixed span placed by the least
    intrusive method that works (module docstring); three batched passes at most."""
    stats = EngineStats()
    report = GlossaryReport()
    known = known or {}
    results: list[SegmentTranslation | None] = [known.get(i) for i in range(len(segments))]
    for i in known:  # an empty target range: a rendering the known translation does not contain
        report.record(
            segments[i].fixed, [t if t[1] > t[0] else None for t in known[i].fixed_in_target], method="memory"
        )

    # A segment that is nothing but fixed spans (a table cell or link title that
    # is just a term) needs no model: its renderings are the whole translation.
    for i, segment in enumerate(segments):
        if results[i] is None and not _has_text_to_translate(segment):
            text, spans = join_pieces(split_around(segment.text, segment.fixed), [])
            results[i] = SegmentTranslation(text, spans)
            report.record(segment.fixed, spans, method=TERM_ONLY)

    # Pass 1, one batch: every sentence as is; each phrase wrapped by inline
    # markup, to be located afterwards; and each glossary term alone, to know
    # the model's own words for it.
    todo = [i for i in range(len(segments)) if results[i] is None]
    alone = list(
        dict.fromkeys(
            text
            for i in todo
            for f in segments[i].fixed
            if f.entry_id is not None
            for text in _spellings(segments[i], f)
        )
    )
    phrases = [(i, k) for i, seg in enumerate(segments) for k in range(len(seg.inline)) if i not in known]
    texts = (
        [one_line(segments[i].text) for i in todo]
        + [one_line(segments[i].text[slice(*segments[i].inline[k])]) for i, k in phrases]
        + alone
    )
    outputs, pass_stats = router.translate(texts, source, target)
    stats.add(pass_stats)
    phrase_outputs = dict(zip(phrases, outputs[len(todo) : len(todo) + len(phrases)]))
    words_of = {
        text: clean_model_words(output, target) for text, output in zip(alone, outputs[len(todo) + len(phrases) :])
    }
    model_words = {i: _model_words(segments[i], words_of) for i in todo}
    settled: dict[int, Settled] = {}
    for i, output in zip(todo, outputs):
        settled[i] = settle(
            put_breaks_back(segments[i].text, output),
            segments[i].fixed,
            model_words[i],
            target,
            source_length=len(segments[i].text),
        )
    retry = [i for i in todo if settled[i].missing(len(segments[i].fixed))]
    progress.advance(len(segments) - len(retry))

    # Pass 2: the sentences with spans still missing, again whole, only those
    # spans masked; the rest must come out as in pass 1 (as written, or replaced).
    split_needed = []
    if retry:
        masked = {
            i: mask(
                segments[i].text,
                [segments[i].fixed[k] for k in settled[i].missing(len(segments[i].fixed))],
                placeholders,
            )
            for i in retry
        }
        outputs, pass_stats = router.translate([one_line(masked[i].text) for i in retry], source, target)
        stats.add(pass_stats)
        for i, output in zip(retry, outputs):
            fixed, missing = segments[i].fixed, settled[i].missing(len(segments[i].fixed))
            restored = masked[i].restore(put_breaks_back(masked[i].text, output))
            if not restored.ok:
                split_needed.append(i)
                continue
            again = Settled(restored.text, {}, {})
            for k, place in zip(missing, restored.spans):
                again.targets[k], again.methods[k] = place, MASK
            again = settle(
                again.text, fixed, model_words[i], target, settled=again, source_length=len(segments[i].text)
            )
            if again.missing(len(fixed)):
                split_needed.append(i)
                continue
            for k in missing:
                agree(again, fixed, k, target)
            settled[i] = again

    # Pass 3: what masking could not place, translated around its fixed spans.
    if split_needed:
        pieces = {i: split_around(segments[i].text, segments[i].fixed) for i in split_needed}
        texts = [p.text for i in split_needed for p in pieces[i] if p.translatable]
        outputs, pass_stats = (
            router.translate([one_line(t) for t in texts], source, target) if texts else ([], EngineStats())
        )
        outputs = [put_breaks_back(text, output) for text, output in zip(texts, outputs)]
        stats.add(pass_stats)
        cursor = 0
        for i in split_needed:
            count = sum(p.translatable for p in pieces[i])
            text, spans = join_pieces(pieces[i], outputs[cursor : cursor + count])
            cursor += count
            split = Settled(text, dict(enumerate(spans)), {k: SPLIT for k in range(len(spans))})
            for k in range(len(spans)):
                agree(split, segments[i].fixed, k, target)
            settled[i] = split
    progress.advance(len(retry))
    for i in todo:
        fixed, done = segments[i].fixed, settled[i]
        results[i] = SegmentTranslation(done.text, [done.targets[k] for k in range(len(fixed))])
        report.record_methods(fixed, [done.methods[k] for k in range(len(fixed))])
    for i, segment in enumerate(segments):
        if segment.inline and i not in known:
            results[i].inline_in_target = _locate_inline(
                segment, results[i], [phrase_outputs.get((i, k)) for k in range(len(segment.inline))], target
            )
    return results, stats, report


def _spellings(segment: Segment, span: FixedSpan) -> list[str]:
    """What to translate alone to learn the model's words for a term: the text
    matched and the entry's canonical term."""
    return [text for text in dict.fromkeys([segment.text[span.start : span.end], span.term or ""]) if text]


def _model_words(segment: Segment, words_of: dict[str, str]) -> dict[int, list[str]]:
    """Per glossary span of the segment: the model's translations of its term alone."""
    return {
        k: [w for w in dict.fromkeys(words_of.get(t, "") for t in _spellings(segment, f)) if w]
        for k, f in enumerate(segment.fixed)
        if f.entry_id is not None
    }


_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


def one_line(text: str) -> str:
    """A line break inside a sentence is layout (HTML source wrapped at 80
    columns, a Markdown soft break), but a model sees two fragments: the
    bergamot engine translates each line alone, CTranslate2 drops the break.
    The model gets the sentence on one line; `put_breaks_back` restores them."""
    return _LINE_BREAK.sub(" ", text)


def put_breaks_back(source: str, output: str) -> str:
    """The source's line breaks (with their indentation), in order, at the
    spaces of `output` nearest to where they stood in the source, relatively.
    A Markdown block quote or list item thus keeps its lines (its "> " goes
    after a line break), and an identity model gives the source back."""
    breaks = list(_LINE_BREAK.finditer(source))
    if not breaks:
        return output
    flat_length, removed, wanted = len(one_line(source)), 0, []
    for match in breaks:
        wanted.append((match.start() - removed) * len(output) / max(1, flat_length))
        removed += len(match.group()) - 1
    free = [i for i, ch in enumerate(output) if ch == " "]
    chosen = []
    for position in wanted:
        if not free:
            break  # fewer spaces than line breaks: the rest are dropped
        best = min(free, key=lambda i: (abs(i - position), i))
        free.remove(best)
        chosen.append(best)
    for at, match in sorted(zip(sorted(chosen), breaks), reverse=True):
        output = output[:at] + match.group() + output[at + 1 :]
    return output


def _locate_inline(
    segment: Segment, translation: SegmentTranslation, phrases: list[str | None], lang: str
) -> list[tuple[int, int] | None]:
    """Each inline phrase's range in the translation, where its own translation
    is found there and the range stands to every fixed span and every phrase
    already placed as it does in the source (markup keeps its order and
    nesting). Inner elements first: an outer one ("<a>send more <em>shells</em></a>")
    is widened to hold the inner ones found, as in the source."""
    placed: list[tuple[tuple[int, int], tuple[int, int]]] = [
        ((f.start, f.end), target) for f, target in zip(segment.fixed, translation.fixed_in_target)
    ]
    found: list[tuple[int, int] | None] = [None] * len(segment.inline)
    order = sorted(range(len(segment.inline)), key=lambda k: segment.inline[k][1] - segment.inline[k][0])
    for k in order:
        source_range, phrase = segment.inline[k], phrases[k]
        expected = round(source_range[0] * len(translation.text) / max(1, len(segment.text)))
        target_range = locate(translation.text, phrase, lang, expected) if phrase else None
        if target_range is None:
            continue
        for inner_source, inner_target in placed:
            if relation(source_range, inner_source) == "contains":
                target_range = (min(target_range[0], inner_target[0]), max(target_range[1], inner_target[1]))
        if all(same_relation(relation(source_range, s), relation(target_range, t)) for s, t in placed):
            placed.append((source_range, target_range))
            found[k] = target_range
    return found


def assemble_units(
    units: list[Unit], segments: list[Segment], translations: list[SegmentTranslation]
) -> list[TranslatedUnit]:
    """Put each unit back together: translated sentences, original whitespace between them."""
    by_unit: dict[int, list[tuple[Segment, SegmentTranslation]]] = {}
    for segment, translation in zip(segments, translations):
        by_unit.setdefault(segment.unit, []).append((segment, translation))
    translated = []
    for index, unit in enumerate(units):
        parts, anchors, cursor = [], [(0, 0)], 0
        length = 0
        for segment, translation in by_unit.get(index, []):
            gap = unit.text[cursor : segment.start]
            parts.append(gap)
            length += len(gap)
            anchors.append((segment.start, length))
            located = [(s, t) for s, t in zip(segment.inline, translation.inline_in_target) if t is not None]
            for (s_start, s_end), (t_start, t_end) in [
                ((f.start, f.end), t) for f, t in zip(segment.fixed, translation.fixed_in_target)
            ] + located:
                anchors.append((segment.start + s_start, length + t_start))
                anchors.append((segment.start + s_end, length + t_end))
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
    """Maps a source offset of a unit to a target offset: exact at sentence,
    fixed-span and located-phrase boundaries, linear in between (exact for
    length-preserving models, proportional for real ones). Anchors that would
    run backwards (a model reordered two placeholders) are dropped so the map
    stays monotonic.

    One source offset can have several targets: where a link opens on a glossary
    term ("<a>NATO headquarters</a>" → "sede da OTAN"), the link opens at "sede"
    and the term starts at "OTAN". Markup that opens there asks for the leftmost
    (side="left"), markup that closes for the rightmost."""

    anchors: list[tuple[int, int]]
    _src: list[int] = field(init=False)
    _tgt: list[int] = field(init=False)

    def __post_init__(self):
        kept: list[tuple[int, int]] = []
        for s, t in sorted(self.anchors):
            if kept and t < kept[-1][1]:
                continue
            kept.append((s, t))
        self._src = [s for s, _ in kept]
        self._tgt = [t for _, t in kept]

    def __call__(self, offset: int, side: str = "right") -> int:
        i = bisect.bisect_right(self._src, offset) - 1
        if i >= 0 and self._src[i] == offset:
            return self._tgt[bisect.bisect_left(self._src, offset)] if side == "left" else self._tgt[i]
        if i < 0:
            return self._tgt[0]
        if i >= len(self._src) - 1:
            return self._tgt[-1]
        s0, s1, t0, t1 = self._src[i], self._src[i + 1], self._tgt[i], self._tgt[i + 1]
        return t0 + round((offset - s0) * (t1 - t0) / (s1 - s0))


def translate_texts(
    router: Router,
    texts: list[str],
    fmt: str,
    source: str,
    target: str,
    matcher=None,
    placeholders: str = DEFAULT_SCHEME,
    budget: SegmentBudget | None = None,
) -> tuple[list[str], EngineStats, GlossaryReport]:
    """Short texts (a DeepL `text` list, a LibreTranslate `q`), each a document of
    its own, translated together: every sentence of every text goes to the model
    in one batch, through the same glossary enforcement (and the same cutting of
    over-long sentences to the `budget`) as an article."""
    documents = [parse(text, fmt) for text in texts]
    units: list[Unit] = []
    bounds = []
    for document in documents:
        bounds.append((len(units), len(units) + len(document.units)))
        units += list(document.units)
    segments = plan_segments(units, source, target, matcher, FORMATS[fmt].literal, budget)
    cased = headlines.set_in_sentence_case(units, segments, source)
    translations, stats, report = translate_segments(router, segments, source, target, ProgressReporter(), placeholders)
    for i in cased:
        translations[i].text = headlines.target_case(translations[i].text, target)
    translated = assemble_units(units, segments, translations)
    return [document.render(translated[a:b]) for document, (a, b) in zip(documents, bounds)], stats, report
