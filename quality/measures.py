"""What `make quality` counts on real output. Plain functions over source and
translated text; no model here.

Article errors before renderings. Portuguese puts an article, often fused with
a preposition (da = de + a, no = em + o, pela = por + a, ao = a + o), before
many nouns; a glossary rendering spliced into a sentence gets whatever the
model wrote before the placeholder. Each rendering is annotated with the
article it takes in running text (data/term_articles.json: "a OTAN", "o
Pentágono", "Kiev" with none). The word before every rendering in the output
is then:
  - wrong     a feminine form before a rendering that is not feminine ("da
              Kiev", "as conchas da 155 milímetros"), or a masculine form
              before one that is not masculine ("o OTAN", "do Stoltenberg");
  - missing   a bare de / em / por before a rendering that takes an article
              ("de OTAN" for "da OTAN").
A bare "a" before a rendering without article is not counted: it is also the
preposition ("uma missão a Kiev").
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from markdown_it import MarkdownIt

FEMININE = {"a", "as", "da", "das", "na", "nas", "pela", "pelas", "à", "às", "numa", "duma"}
MASCULINE = {"o", "os", "do", "dos", "no", "nos", "pelo", "pelos", "ao", "aos", "num", "dum"}
BARE_PREPOSITIONS = {"de", "em", "por"}
QUOTES = '"“”«»„'
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


# -- articles before renderings ----------------------------------------------------


def article_verdict(previous: str, article: str) -> str | None:
    if article == "none" and previous == "a":
        return None  # the preposition as often as the article
    if previous in FEMININE and article != "f" or previous in MASCULINE and article != "m":
        return "wrong"
    if previous in BARE_PREPOSITIONS and article in ("f", "m"):
        return "missing"
    return None


def article_errors(text: str, articles: dict[str, str]) -> tuple[Counter, list[str]]:
    """Counts ("checked", "wrong", "missing", "glued") over every rendering
    found in `text`, and a readable line per error. Glued: a rendering run
    into a neighbouring word ("OTANdos stocks")."""
    counts, notes = Counter(), []
    for rendering in articles:
        for match in re.finditer(rf"(?<=\w){re.escape(rendering)}|{re.escape(rendering)}(?=\w)", text):
            if not any(
                rendering != other
                and rendering in other
                and other in text[match.start() - len(other) : match.end() + len(other)]
                for other in articles
            ):
                counts["glued"] += 1
                notes.append(f"glued: '{text[max(0, match.start() - 12) : match.end() + 12]}'")
    # Longest renderings first, so "Jens Stoltenberg" is judged as a whole, not as "Stoltenberg".
    taken: list[tuple[int, int]] = []
    for rendering in sorted(articles, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(rendering)}(?!\w)", text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            counts["checked"] += 1
            before = re.search(r"(\w+)[^\w.!?;:]*$", text[: match.start()])
            previous = before.group(1).casefold() if before else ""
            verdict = article_verdict(previous, articles[rendering])
            if verdict:
                counts[verdict] += 1
                notes.append(f"{verdict} article: '… {previous} {rendering}'")
    return counts, notes


# -- quotes, numbers, dropped words ------------------------------------------------------


def quotes_kept(source: str, output: str) -> bool | None:
    """None when the source has no quotation marks."""
    count = sum(source.count(q) for q in QUOTES)
    return None if count == 0 else sum(output.count(q) for q in QUOTES) == count


def numbers(text: str) -> Counter:
    # 1,000 (en) and 1.000 (pt) are the same number; 2.5 and 2,5 too.
    return Counter(re.sub(r"[.,]", "", n) for n in re.findall(r"\d+(?:[.,]\d+)*", text))


def numbers_kept(source: str, output: str) -> bool | None:
    wanted = numbers(source)
    return None if not wanted else not (wanted - numbers(output))


def content_stems(text: str, ignore: set[str]) -> set[str]:
    """Word stems (first 5 letters of words of 4+ letters) a reader would miss if gone."""
    return {w[:5] for w in words(text) if len(w) >= 4 and w.isalpha() and w not in ignore}


# -- blocks of a document as plain text ----------------------------------------------------------


class _Blocks(HTMLParser):
    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "figcaption", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._current = []

    def handle_endtag(self, tag):
        if tag in self.BLOCKS and self._current is not None:
            self.blocks.append("".join(self._current).strip())
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def plain_blocks(body: str, fmt: str) -> list[str]:
    """The readable text of each block (line, paragraph, heading), markup removed."""
    if fmt == "text":
        return [line.strip() for line in body.split("\n") if line.strip()]
    if fmt == "markdown":
        body = MarkdownIt("commonmark").enable("table").render(body)
    parser = _Blocks()
    parser.feed(body)
    parser.close()
    return parser.blocks


# -- markup spans -------------------------------------------------------------------------------


def score_span(wrapped: str | None, core: frozenset, allowed: frozenset, outside: frozenset) -> str:
    """Where a span's markup landed, from the words it wraps in the translation:
    lost     the markup did not come back as one element (None);
    wrong    it wraps no word of a good translation of its phrase;
    spill    it wraps such a word and a translation of a neighbouring word;
    placed   otherwise; "strict" if every word is in core or allowed."""
    if wrapped is None:
        return "lost"
    tokens = set(words(wrapped))
    if not tokens & core:
        return "wrong"
    if tokens & outside:
        return "spill"
    return "strict" if tokens <= core | allowed else "placed"


class _Inline(HTMLParser):
    """Text wrapped by each a/em/strong element, keyed by its span id (href or class)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.wrapped: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "em", "strong"):
            values = dict(attrs)
            key = (values.get("href") or "").rsplit("/", 1)[-1] if tag == "a" else values.get("class")
            self._open.append((tag, key))
            if key:
                self.wrapped.setdefault(key, []).append("")

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _, key in self._open:
            if key:
                self.wrapped[key][-1] += data


def html_wrapped(body: str) -> dict[str, str | None]:
    """Span id -> the text its element wraps; None if the id appears more than once."""
    parser = _Inline()
    parser.feed(body)
    parser.close()
    return {key: texts[0] if len(texts) == 1 else None for key, texts in parser.wrapped.items()}


def markdown_wrapped(body: str, em_order: list[list]) -> dict[str, str | None]:
    """Span id -> wrapped text in a Markdown translation. Links carry their id in
    the URL; emphasis is matched by order within its block, and only when the
    block has exactly as many emphasis elements as the source (else a printed
    "**" or a merged element would shift every span after it)."""
    found: dict[str, str | None] = {}
    blocks = [t for t in MarkdownIt("commonmark").parse(body) if t.type == "inline"]
    for block, expected in zip(blocks, em_order):
        emphasis: list[str] = []
        stack: list[tuple[str, str | None]] = []
        texts: dict[int, str] = {}
        for child in block.children or []:
            if child.type in ("em_open", "strong_open"):
                emphasis.append(child.type[:-5])
                stack.append(("em", str(len(emphasis) - 1)))
                texts[len(emphasis) - 1] = ""
            elif child.type == "link_open":
                stack.append(("a", (child.attrGet("href") or "").rsplit("/", 1)[-1]))
                found[stack[-1][1]] = "" if stack[-1][1] not in found else None
            elif child.type in ("em_close", "strong_close", "link_close"):
                if stack:
                    stack.pop()
            elif child.type in ("text", "code_inline", "softbreak"):
                content = " " if child.type == "softbreak" else child.content
                for kind, key in stack:
                    if kind == "em":
                        texts[int(key)] += content
                    elif found.get(key) is not None:
                        found[key] += content
        if [s.tag for s in expected] == emphasis:
            for index, span in enumerate(expected):
                found[span.id] = texts[index]
    return found


def markdown_structure(body: str) -> list[list[str]]:
    """Per inline block, the sequence of its non-text nodes (emphasis, links, code, breaks)."""
    blocks = [t for t in MarkdownIt("commonmark").enable("table").parse(body) if t.type == "inline"]
    return [[c.type for c in block.children or [] if c.type not in ("text", "softbreak")] for block in blocks]
