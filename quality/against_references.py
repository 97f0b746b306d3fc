"""`make quality`, first section: the NTREX development half translated three
ways and scored against the human references.

  bare        each NTREX line straight to the engine (`Router.translate`)
  pipeline    each document through `translate_article` (headline as title,
              one paragraph per line), no glossary
  + glossary  the same with the newsroom glossary (quality/data/ntrex-glossary.json)

Then, per system: BLEU and chrF on all lines and on the lines the glossary
touches, a paired bootstrap of "+ glossary" against "bare" on those lines,
article/contraction errors before renderings, renderings written inside a
longer English name, segments that are only punctuation, and segments/s; for
the glossary run, terms rendered; and the headlines set in Title Case against
the same headlines in sentence case (words left in English).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from glossary.matching import TermMatcher
from quality import ntrex
from quality.reference import (
    english_left,
    grammar_errors,
    inside_longer_name,
    longer_name_neighbours,
    paired_bootstrap,
    punctuation_only,
    scores,
)
from translation.article import Article, plan_segments, translate_article
from translation.documents import Unit, parse
from translation.engines import Router

SOURCE, TARGET = "en", "pt"
BARE, PIPELINE, GLOSSARY = "bare model", "pipeline, no glossary", "pipeline + glossary"


@dataclass
class System:
    name: str
    outputs: list[str]
    seconds: float = 0.0
    # CPU time of this process (every engine thread included): what the run cost, whatever
    # else shares the machine; wall-clock seconds on a loaded 2-core machine swing 2x.
    cpu_seconds: float = 0.0
    segments: int = 0  # what reached the segmenter's output (bare: lines)
    punctuation_segments: int = 0
    terms: tuple[int, int] | None = None  # (rendered, occurrences) from the glossary report
    grammar: Counter = field(default_factory=Counter)
    grammar_notes: list[str] = field(default_factory=list)
    longer_names: int = 0
    longer_name_notes: list[str] = field(default_factory=list)
    writes_rendering: tuple[int, int] = (0, 0)  # touched occurrences whose rendering is in the output line


class _MemoryCache:
    """An in-memory segment cache for the headline runs: the bodies around the
    headlines are the same in every variant, so they go to the model once."""

    def __init__(self):
        self._store: dict[tuple[str, str], str] = {}

    def get_many(self, model_key: str, texts: list[str]) -> list[str | None]:
        return [self._store.get((model_key, t)) for t in texts]

    def put_many(self, model_key: str, translations: dict[str, str]) -> None:
        self._store.update({(model_key, t): out for t, out in translations.items()})


def _translate_documents(
    router: Router, documents: list[ntrex.Document], matcher, placeholders: str, headlines: list[str] | None = None
) -> tuple[list[str], int, int, tuple[int, int]]:
    """Every document through the pipeline: output lines in corpus order,
    segment count, punctuation-only segments, (rendered, occurrences)."""
    outputs, segments, punctuation, rendered, occurrences = [], 0, 0, 0, 0
    for index, doc in enumerate(documents):
        article = Article(headlines[index] if headlines else doc.headline, doc.body, "text")
        result = translate_article(router, article, SOURCE, TARGET, matcher, placeholders=placeholders)
        lines = [result.title] + result.body.split("\n")
        if len(lines) != len(doc.lines):
            raise RuntimeError(f"document {doc.id}: {len(doc.lines)} lines in, {len(lines)} out")
        outputs += lines
        segments += result.segments
        units = [Unit(article.title, [])] + list(parse(article.body, "text").units)
        punctuation += sum(punctuation_only(s.text) for s in plan_segments(units, SOURCE, TARGET, matcher))
        report = result.report.to_dict()
        rendered += report["rendered_occurrences"]
        occurrences += report["source_occurrences"]
    return outputs, segments, punctuation, (rendered, occurrences)


@dataclass
class Result:
    systems: list[System]
    touched: list[int]  # indices of the lines the glossary touches
    scores: dict  # reference -> system -> {"all": {...}, "touched": {...}}
    significance: dict  # reference -> {"bleu": p, "chrf": p}, + glossary vs bare, touched lines
    reference_grammar: Counter  # the same article check on the human reference (should be ~0)
    reference_grammar_notes: list[str]
    headlines: dict  # case -> {"left": n, "words": n, "examples": [...]}
    longer_name_candidates: int


def run(router: Router, placeholders: str) -> Result:
    documents = ntrex.documents()
    source = ntrex.source()
    references = {name: ntrex.reference(name) for name in ntrex.REFERENCES}
    glossary, grammar = ntrex.glossary()
    matcher = TermMatcher(glossary.entries)
    matches = [matcher.find(line, TARGET) for line in source]
    touched = [i for i, found in enumerate(matches) if found]
    # In a Title Case headline every word is capitalised: no evidence of a longer name there.
    headline_lines = {doc.first for doc in documents}

    systems = []
    start, cpu = time.perf_counter(), time.process_time()
    bare_outputs, _ = router.translate(source, SOURCE, TARGET)
    systems.append(
        System(
            BARE,
            bare_outputs,
            time.perf_counter() - start,
            time.process_time() - cpu,
            len(source),
            sum(punctuation_only(line) for line in source),
        )
    )
    for name, used in ((PIPELINE, None), (GLOSSARY, matcher)):
        start, cpu = time.perf_counter(), time.process_time()
        outputs, segments, punctuation, terms = _translate_documents(router, documents, used, placeholders)
        systems.append(
            System(
                name,
                outputs,
                time.perf_counter() - start,
                time.process_time() - cpu,
                segments,
                punctuation,
                terms if used else None,
            )
        )

    candidates = 0
    for system in systems:
        for i, output in enumerate(system.outputs):
            counts, notes = grammar_errors(output, grammar)
            system.grammar.update(counts)
            system.grammar_notes += [f"line {i + 1}: {note}" for note in notes]
        written = total = 0
        for i in touched:
            spans = [(m.start, m.end) for m in matches[i]]
            for m in matches[i]:
                total += 1
                written += m.rendering in system.outputs[i]
                neighbours = [] if i in headline_lines else longer_name_neighbours(source[i], m.start, m.end, spans)
                if neighbours and m.rendering != source[i][m.start : m.end]:
                    candidates += system is systems[0]
                    if inside_longer_name(system.outputs[i], m.rendering, neighbours):
                        system.longer_names += 1
                        system.longer_name_notes.append(
                            f"line {i + 1}: {source[i][max(0, m.start - 20) : m.end + 20]!r} -> {system.outputs[i]!r}"
                        )
        system.writes_rendering = (written, total)

    table: dict = {}
    significance = {}
    for ref_name, ref in references.items():
        table[ref_name] = {
            s.name: {
                "all": scores(s.outputs, ref),
                "touched": scores([s.outputs[i] for i in touched], [ref[i] for i in touched]),
            }
            for s in systems
        }
        significance[ref_name] = paired_bootstrap(
            [systems[0].outputs[i] for i in touched],
            [systems[2].outputs[i] for i in touched],
            [ref[i] for i in touched],
        )
    reference_grammar, reference_notes = Counter(), []
    for i, line in enumerate(references["por-BR"]):
        counts, notes = grammar_errors(line, grammar)
        reference_grammar.update(counts)
        reference_notes += [f"line {i + 1}: {note}" for note in notes]

    return Result(
        systems,
        touched,
        table,
        significance,
        reference_grammar,
        reference_notes,
        _headlines(router, documents, matcher, placeholders, references),
        candidates,
    )


def _headlines(router: Router, documents, matcher, placeholders: str, references: dict[str, list[str]]) -> dict:
    """Words left in English in the headlines' translations (pipeline + glossary),
    each headline set in sentence case and in Title Case, in its article."""
    heads = ntrex.headlines()
    saved, router.cache = router.cache, _MemoryCache()
    try:
        figures = {}
        for case in ("sentence_case", "title_case"):
            wanted = [getattr(h, case) for h in heads]
            outputs, *_ = _translate_documents(router, documents, matcher, placeholders, wanted)
            left = words = 0
            examples = []
            for _head, doc, text in zip(heads, documents, wanted):
                output = outputs[doc.first]
                n, total = english_left(output, text, [ref[doc.first] for ref in references.values()])
                left, words = left + n, words + total
                if n and len(examples) < 6:
                    examples.append(f"{text} -> {output}")
            figures[case] = {"left": left, "words": words, "examples": examples}
    finally:
        router.cache = saved
    return figures


# -- the printed table -----------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def table(result: Result, show: bool = False) -> str:
    systems = result.systems
    lines = [
        f"NTREX-128 en→pt, development half: {len(systems[0].outputs)} lines, 62 documents;"
        f" newsroom glossary touches {len(result.touched)} lines",
        "",
    ]
    head = [
        "system",
        "BLEU all (por-BR)",
        "chrF all",
        "BLEU touched",
        "chrF touched",
        "BLEU all (por)",
        "BLEU touched (por)",
        "article errors: wrong + missing / checked",
        "renderings in a longer name",
        "rendering written (touched occurrences)",
        "terms rendered (report)",
        "punctuation-only segments",
        "segments",
        "segments/s",
        "segments/CPU-s",
    ]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in systems:
        br, pt = result.scores["por-BR"][s.name], result.scores["por"][s.name]
        cells = [
            s.name,
            f"{br['all']['bleu']:.2f}",
            f"{br['all']['chrf']:.2f}",
            f"{br['touched']['bleu']:.2f}",
            f"{br['touched']['chrf']:.2f}",
            f"{pt['all']['bleu']:.2f}",
            f"{pt['touched']['bleu']:.2f}",
            f"{s.grammar['wrong']} + {s.grammar['missing']} / {s.grammar['checked']}",
            f"{s.longer_names}/{result.longer_name_candidates}",
            _pct(*s.writes_rendering),
            _pct(*s.terms) if s.terms else "-",
            str(s.punctuation_segments),
            str(s.segments),
            f"{s.segments / s.seconds:.1f}" if s.seconds else "-",
            f"{s.segments / s.cpu_seconds:.1f}" if s.cpu_seconds else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    g = result.reference_grammar
    lines.append(
        f"| human reference (por-BR) | | | | | | | {g['wrong']} + {g['missing']} / {g['checked']} |"
        + " |" * (len(head) - 8)
    )
    lines.append("")
    plain, glossed = systems[1], systems[2]
    if plain.cpu_seconds and glossed.cpu_seconds and plain.seconds and glossed.seconds:
        lines.append(
            f"Glossary throughput ÷ without: {(glossed.segments / glossed.cpu_seconds) / (plain.segments / plain.cpu_seconds):.2f}x"
            f" per CPU-second ({(glossed.segments / glossed.seconds) / (plain.segments / plain.seconds):.2f}x"
            " per wall-clock second, which other load on the machine moves)"
        )
    for ref_name, p in result.significance.items():
        lines.append(
            f"Paired bootstrap (sacrebleu, 1000 resamples), {GLOSSARY} vs {BARE} on the touched lines,"
            f" {ref_name}: BLEU p={p['bleu']}, chrF p={p['chrf']}"
        )
    sentence, title = result.headlines["sentence_case"], result.headlines["title_case"]
    s_rate = sentence["left"] / sentence["words"] if sentence["words"] else 0.0
    t_rate = title["left"] / title["words"] if title["words"] else 0.0
    ratio = f"{t_rate / s_rate:.2f}x" if s_rate else "-"
    lines.append(
        f"Headlines ({GLOSSARY}), words left in English: Title Case {_pct(title['left'], title['words'])},"
        f" sentence case {_pct(sentence['left'], sentence['words'])}; Title/sentence {ratio} (target ≤ 1.5x)"
    )
    for example in title["examples"][:3]:
        lines.append(f"  Title Case: {example}")
    glossary_run = systems[2]
    lines.append("Article errors, examples (" + GLOSSARY + "):")
    lines += [f"  {note}" for note in glossary_run.grammar_notes[:6]]
    if glossary_run.longer_name_notes:
        lines.append("Renderings inside a longer name (" + GLOSSARY + "):")
        lines += [f"  {note}" for note in glossary_run.longer_name_notes[:4]]
    if show:
        for s in systems:
            lines.append(f"\n== {s.name}: article errors")
            lines += [f"  {note}" for note in s.grammar_notes]
            lines += [f"  longer name: {note}" for note in s.longer_name_notes]
        lines.append("\n== human reference (por-BR): article check")
        lines += [f"  {note}" for note in result.reference_grammar_notes]
        for case in ("title_case", "sentence_case"):
            lines.append(f"\n== headlines, {case}")
            lines += [f"  {e}" for e in result.headlines[case]["examples"]]
    return "\n".join(lines)


def to_dict(result: Result) -> dict:
    return {
        "touched_lines": len(result.touched),
        "scores": result.scores,
        "significance": result.significance,
        "systems": [
            {
                "name": s.name,
                "seconds": round(s.seconds, 2),
                "cpu_seconds": round(s.cpu_seconds, 2),
                "segments": s.segments,
                "punctuation_segments": s.punctuation_segments,
                "terms": s.terms,
                "grammar": dict(s.grammar),
                "longer_names": s.longer_names,
                "writes_rendering": s.writes_rendering,
            }
            for s in result.systems
        ],
        "reference_grammar": dict(result.reference_grammar),
        "headlines": result.headlines,
        "longer_name_candidates": result.longer_name_candidates,
    }
