"""Translate the quality inputs with the real en→pt model through the
project's own pipeline (`translate_article`, as a worker runs it) and measure
the output (`quality.measures`)."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from glossary.matching import TermMatcher
from quality import corpus
from quality.measures import (
    article_errors,
    content_stems,
    html_wrapped,
    markdown_structure,
    markdown_wrapped,
    numbers_kept,
    plain_blocks,
    quotes_kept,
    score_span,
    words,
)
from glossary.enforcement import DEFAULT_SCHEME, SPLIT, join_pieces, split_around
from glossary.report import GlossaryReport
from translation.article import (
    Article,
    LanguageResult,
    SegmentTranslation,
    assemble_units,
    plan_segments,
    translate_article,
)
from translation.documents import Unit, parse
from translation.engines import Router

SOURCE, TARGET = "en", "pt"


@dataclass
class Row:
    name: str
    segments: int = 0
    seconds: float = 0.0
    terms: dict | None = None  # glossary report totals; None without glossary
    articles: Counter = field(default_factory=Counter)
    quotes: tuple[int, int] = (0, 0)  # blocks with their quotation marks kept, blocks with quotes
    numbers: tuple[int, int] = (0, 0)
    lost_words: tuple[int, int] | None = None  # stems of the no-glossary translation missing here, of all
    spans: Counter | None = None  # verdicts of the annotated markup spans
    anchored: tuple[int, int] | None = None  # placed spans that contain a glossary term, of all such
    markdown_blocks: tuple[int, int] | None = None  # blocks re-parsing to the source's structure
    notes: list[str] = field(default_factory=list)
    output: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "segments": self.segments,
            "seconds": round(self.seconds, 2),
            "terms": self.terms,
            "articles": dict(self.articles),
            "quotes": self.quotes,
            "numbers": self.numbers,
            "lost_words": self.lost_words,
            "spans": dict(self.spans) if self.spans is not None else None,
            "anchored": self.anchored,
            "markdown_blocks": self.markdown_blocks,
            "notes": self.notes,
        }


Translate = Callable[[Article, object], LanguageResult]


def translate_split(router: Router, article: Article, matcher) -> LanguageResult:
    """`translate_article` with the split fallback forced on every segment (the
    pipeline's own split, join and assembly), to see what the fallback reads like."""
    document = parse(article.body, article.format)
    units = [Unit(article.title, [])] + list(document.units)
    segments = plan_segments(units, SOURCE, TARGET, matcher)
    pieces = [split_around(s.text, s.fixed) for s in segments]
    texts = [p.text for ps in pieces for p in ps if p.translatable]
    outputs, stats = router.translate(texts, SOURCE, TARGET)
    report, translations, cursor = GlossaryReport(), [], 0
    for segment, ps in zip(segments, pieces):
        count = sum(p.translatable for p in ps)
        text, spans = join_pieces(ps, outputs[cursor : cursor + count])
        cursor += count
        translations.append(SegmentTranslation(text, spans))
        report.record(segment.fixed, spans, method=SPLIT)
    translated = assemble_units(units, segments, translations)
    return LanguageResult(translated[0].text, document.render(translated[1:]), report, stats, len(segments))


def _terms(result: LanguageResult) -> dict:
    report = result.report.to_dict()
    methods = Counter()
    for term in report["terms"]:
        methods.update(term["methods"])
    return {
        "occurrences": report["source_occurrences"],
        "rendered": report["rendered_occurrences"],
        **{method: methods[method] for method in ("model", "replace", "mask", "split", "term_only")},
    }


def measure(
    name: str,
    translate: Translate,
    article: Article,
    matcher,
    articles: dict[str, str],
    reference: list[str] | None = None,
    ignore: set[str] = frozenset(),
) -> Row:
    """One row: translate `article`, count what can be counted on any format.
    `reference`: plain blocks of the no-glossary translation, for dropped words."""
    start = time.perf_counter()
    result = translate(article, matcher)
    seconds = time.perf_counter() - start
    row = Row(name, result.segments, seconds, _terms(result) if matcher else None, output=result.body)
    sources, outputs = plain_blocks(article.body, article.format), plain_blocks(result.body, article.format)
    if len(sources) != len(outputs):
        row.notes.append(f"{len(sources)} source blocks, {len(outputs)} translated: block measures skipped")
        return row
    quotes = [quotes_kept(s, o) for s, o in zip(sources, outputs)]
    numbers = [numbers_kept(s, o) for s, o in zip(sources, outputs)]
    row.quotes = (sum(q is True for q in quotes), sum(q is not None for q in quotes))
    row.numbers = (sum(n is True for n in numbers), sum(n is not None for n in numbers))
    for source, output, kept_q, kept_n in zip(sources, outputs, quotes, numbers):
        if kept_q is False:
            row.notes.append(f"quotes lost: {output}")
        if kept_n is False:
            row.notes.append(f"numbers changed: {source} -> {output}")
    for output in outputs:
        counts, notes = article_errors(output, articles)
        row.articles.update(counts)
        row.notes += [f"{note} in: {output}" for note in notes]
    if reference is not None and len(reference) == len(outputs):
        lost = total = 0
        for ref, output in zip(reference, outputs):
            expected = content_stems(ref, ignore)
            missing = expected - content_stems(output, ignore)
            lost, total = lost + len(missing), total + len(expected)
        row.lost_words = (lost, total)
    return row


def measure_spans(row: Row, wrapped: dict[str, str | None], spans: list[corpus.Span], anchored: set[str]) -> None:
    row.spans = Counter()
    placed_anchored = 0
    for span in spans:
        verdict = score_span(wrapped.get(span.id), span.core, span.allowed, span.outside)
        row.spans[verdict] += 1
        if verdict in ("placed", "strict") and span.id in anchored:
            placed_anchored += 1
        if verdict != "strict":
            row.notes.append(f"span {span.id} {span.tag} {span.source!r}: {verdict}, wraps {wrapped.get(span.id)!r}")
    row.anchored = (placed_anchored, len(anchored))


def run(router: Router, placeholders: str = DEFAULT_SCHEME) -> tuple[list[Row], dict]:
    def whole(article: Article, matcher) -> LanguageResult:
        return translate_article(router, article, SOURCE, TARGET, matcher, placeholders=placeholders)

    def split(article: Article, matcher) -> LanguageResult:
        return translate_split(router, article, matcher)

    articles = corpus.term_articles()
    sentences, spans = corpus.sentences(), corpus.spans()
    corpus_glossary, sample_glossary = corpus.corpus_glossary(), corpus.sample_glossary()
    corpus_matcher, sample_matcher = TermMatcher(corpus_glossary.entries), TermMatcher(sample_glossary.entries)
    ignore = {
        w
        for e in corpus_glossary.entries + sample_glossary.entries
        for text in [*e.spellings(), *e.translations.values()]
        for w in words(text)
    }
    sample = corpus.sample_article()
    by_id = {s.id: s for s in sentences}
    anchored = {
        span.id
        for span in spans
        if any(
            m.start < span.end and span.start < m.end for m in corpus_matcher.find(by_id[span.sentence].text, TARGET)
        )
    }

    rows = []
    bare_sample = measure("sample article, no glossary", whole, sample, None, articles)
    rows.append(bare_sample)
    rows.append(
        measure(
            "sample article + glossary",
            whole,
            sample,
            sample_matcher,
            articles,
            plain_blocks(bare_sample.output, "text"),
            ignore,
        )
    )
    rows.append(
        measure(
            "sample article + glossary, split forced",
            split,
            sample,
            sample_matcher,
            articles,
            plain_blocks(bare_sample.output, "text"),
            ignore,
        )
    )
    for fmt in ("html", "markdown"):
        body = (corpus.SAMPLE / f"article.{'md' if fmt == 'markdown' else fmt}").read_text(encoding="utf-8")
        rows.append(
            measure(
                f"sample {'HTML' if fmt == 'html' else 'Markdown'} + glossary",
                whole,
                Article("Sample", body, fmt),
                sample_matcher,
                articles,
            )
        )
    bare = measure("corpus text, no glossary", whole, corpus.as_text(sentences), None, articles)
    rows.append(bare)
    reference = plain_blocks(bare.output, "text")
    rows.append(
        measure("corpus text + glossary", whole, corpus.as_text(sentences), corpus_matcher, articles, reference, ignore)
    )
    rows.append(
        measure(
            "corpus text + glossary, split forced",
            split,
            corpus.as_text(sentences),
            corpus_matcher,
            articles,
            reference,
            ignore,
        )
    )
    # The HTML and Markdown blocks group sentences; their reference is the same grouping of the text translation.
    grouped_reference, cursor = [], 0
    for _, group in corpus.blocks(sentences):
        grouped_reference.append(" ".join(reference[cursor : cursor + len(group)]))
        cursor += len(group)
    html_article = corpus.as_html(sentences, spans)
    html_row = measure(
        "corpus HTML + glossary", whole, html_article, corpus_matcher, articles, grouped_reference, ignore
    )
    measure_spans(html_row, html_wrapped(html_row.output), spans, anchored)
    rows.append(html_row)
    md_article = corpus.as_markdown(sentences, spans)
    md_row = measure(
        "corpus Markdown + glossary", whole, md_article, corpus_matcher, articles, grouped_reference, ignore
    )
    measure_spans(
        md_row, markdown_wrapped(md_row.output, corpus.markdown_span_order(sentences, spans)), spans, anchored
    )
    source_structure, output_structure = markdown_structure(md_article.body), markdown_structure(md_row.output)
    md_row.markdown_blocks = (
        sum(a == b for a, b in zip(source_structure, output_structure))
        if len(source_structure) == len(output_structure)
        else 0,
        len(source_structure),
    )
    rows.append(md_row)

    shells = _sentence_with(sample.body, "155-millimeter shells")
    extras = {
        "shells": {
            "source": shells,
            "no glossary": _sentence_with(bare_sample.output, "155"),
            "glossary": _sentence_with(rows[1].output, "155"),
        }
    }
    return rows, extras


def _sentence_with(text: str, needle: str) -> str:
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if needle in sentence:
                return sentence
    return ""


def throughput(model, texts: list[str], threads: int) -> dict:
    """Segments per second of one loaded model, translating `texts` with
    1 thread and with `threads`, measured in the same run (no cache)."""
    figures = {}
    for count in sorted({1, threads}):
        model.threads = count
        start, cpu = time.perf_counter(), os.times()
        model.translate(texts)
        wall, used = time.perf_counter() - start, os.times()
        figures[count] = {
            "seconds": round(wall, 2),
            "segments_per_s": round(len(texts) / wall, 1),
            "cpu_s": round((used.user - cpu.user) + (used.system - cpu.system), 2),
        }
    return figures
