"""The inputs of `make quality`: the sample article with the sample glossary,
and a corpus of news sentences (14 from the sample article, 41 written for it)
with its own en→pt glossary and 48 hand-annotated inline-markup spans, as a
text, an HTML and a Markdown article.

data/sentences.json   id, kind (heading | body), origin (seed | own), text
data/glossary.json    the corpus glossary, in the API's own glossary format
data/term_articles.json  per Portuguese rendering: the article it takes in
                      running text (f: a OTAN, m: o Pentágono, none: Kiev,
                      155 milímetros) and its kind; used only to measure
data/spans.json       markup spans over the sentences: tag, character range,
                      and the word lists that score where the markup landed
                      (see `quality.measures.score_span`)
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from glossary.entries import Glossary
from translation.article import Article

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "tests" / "data"
SPAN_URL = "https://example.org/"


@dataclass(frozen=True)
class Sentence:
    id: str
    kind: str
    text: str


@dataclass(frozen=True)
class Span:
    id: str
    sentence: str
    tag: str  # a | em | strong
    start: int
    end: int
    source: str
    core: frozenset[str]  # words of a good translation of the wrapped phrase
    allowed: frozenset[str]  # other words that may sit inside the markup (articles, variants)
    outside: frozenset[str]  # translations of the neighbouring words: inside the markup, a spill


def sentences() -> list[Sentence]:
    return [Sentence(s["id"], s["kind"], s["text"]) for s in _load("sentences.json")]


def spans() -> list[Span]:
    return [
        Span(
            s["id"],
            s["sentence"],
            s["tag"],
            s["start"],
            s["end"],
            s["source"],
            frozenset(s["core"] + s["added_after_review"]),
            frozenset(s["allowed"]),
            frozenset(s["outside"]),
        )
        for s in _load("spans.json")
    ]


def corpus_glossary() -> Glossary:
    return Glossary.from_dict(_load("glossary.json"))


def term_articles() -> dict[str, str]:
    """Portuguese rendering -> "f", "m" or "none"."""
    return {rendering: info["article"] for rendering, info in _load("term_articles.json").items()}


def sample_article() -> Article:
    title, _, body = (SAMPLE / "article.txt").read_text(encoding="utf-8").partition("\n")
    return Article(title.strip(), body.lstrip("\n"), "text")


def sample_glossary() -> Glossary:
    return Glossary.from_dict(json.loads((SAMPLE / "glossary.json").read_text(encoding="utf-8")))


def _load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# -- the corpus as articles ------------------------------------------------------

TITLE = "Quality corpus"
PER_PARAGRAPH = 3


def as_text(items: list[Sentence]) -> Article:
    """One sentence per line: every sentence is a unit of its own."""
    return Article(TITLE, "\n".join(s.text for s in items), "text")


def blocks(items: list[Sentence]) -> list[tuple[str, list[Sentence]]]:
    """Headings alone, body sentences in paragraphs of PER_PARAGRAPH."""
    blocks: list[tuple[str, list[Sentence]]] = []
    for sentence in items:
        if sentence.kind == "heading":
            blocks.append(("heading", [sentence]))
        elif blocks and blocks[-1][0] == "paragraph" and len(blocks[-1][1]) < PER_PARAGRAPH:
            blocks[-1][1].append(sentence)
        else:
            blocks.append(("paragraph", [sentence]))
    return blocks


def _marked(sentence: Sentence, by_sentence: dict[str, list[Span]], wrap) -> str:
    out, cursor = [], 0
    for span in sorted(by_sentence.get(sentence.id, []), key=lambda s: s.start):
        out += [sentence.text[cursor : span.start], wrap(span, sentence.text[span.start : span.end])]
        cursor = span.end
    return "".join(out + [sentence.text[cursor:]])


def as_html(items: list[Sentence], annotated: list[Span]) -> Article:
    """Headings and paragraphs; each span an <a href=…/spNN>, or an <em>/<strong>
    with class spNN, so the span can be found again in the translation."""
    by_sentence: dict[str, list[Span]] = {}
    for span in annotated:
        by_sentence.setdefault(span.sentence, []).append(span)

    def wrap(span: Span, words: str) -> str:
        words = html.escape(words, quote=False)
        if span.tag == "a":
            return f'<a href="{SPAN_URL}{span.id}">{words}</a>'
        return f'<{span.tag} class="{span.id}">{words}</{span.tag}>'

    lines = []
    for index, (kind, group) in enumerate(blocks(items)):
        text = " ".join(
            _marked(s, by_sentence, wrap) if s.id in by_sentence else html.escape(s.text, quote=False) for s in group
        )
        tag = ("h1" if index == 0 else "h2") if kind == "heading" else "p"
        lines.append(f"<{tag}>{text}</{tag}>")
    return Article(TITLE, "\n".join(lines) + "\n", "html")


def as_markdown(items: list[Sentence], annotated: list[Span]) -> Article:
    """The same blocks in Markdown: [words](…/spNN), *words*, **words**."""
    by_sentence: dict[str, list[Span]] = {}
    for span in annotated:
        by_sentence.setdefault(span.sentence, []).append(span)
    marker = {"em": "*", "strong": "**"}

    def wrap(span: Span, words: str) -> str:
        if span.tag == "a":
            return f"[{words}]({SPAN_URL}{span.id})"
        return f"{marker[span.tag]}{words}{marker[span.tag]}"

    written = []
    for index, (kind, group) in enumerate(blocks(items)):
        text = " ".join(_marked(s, by_sentence, wrap) for s in group)
        written.append(("# " if index == 0 else "## ") + text if kind == "heading" else text)
    return Article(TITLE, "\n\n".join(written) + "\n", "markdown")


def markdown_span_order(items: list[Sentence], annotated: list[Span]) -> list[list[Span]]:
    """Per Markdown block, its em/strong spans in order (links carry their id in the URL)."""
    by_sentence: dict[str, list[Span]] = {}
    for span in annotated:
        by_sentence.setdefault(span.sentence, []).append(span)
    return [
        [span for s in group for span in sorted(by_sentence.get(s.id, []), key=lambda x: x.start) if span.tag != "a"]
        for _, group in blocks(items)
    ]
