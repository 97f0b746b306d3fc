"""Text, HTML and Markdown articles through the real engine (test models, no
Redis): structure intact, protected parts untouched, glossary applied outside
them."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from glossary.matching import TermMatcher
from glossary.entries import Entry
from tests.helpers import DATA
from translation.documents import FORMATS, DocumentError, TranslatedUnit, parse
from translation.engines import ArgosEngine, ArgosOptions, Router
from translation.article import Article, translate_article

HTML = (DATA / "article.html").read_text()
MARKDOWN = (DATA / "article.md").read_text()
GLOSSARY = TermMatcher(
    [
        Entry("Vilnius", translations={"de": "Vilnius-DE"}),
        Entry("NATO", case_sensitive=True, translations={"de": "NATO-DE"}),
    ]
)


@pytest.fixture(scope="module")
def engines(model_dirs):
    return {kind: Router([ArgosEngine(str(path), ArgosOptions(beam_size=2))]) for kind, path in model_dirs.items()}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(
            ("start", tag, tuple((k, v) for k, v in attrs if k not in ("alt", "title", "placeholder", "aria-label")))
        )

    def handle_endtag(self, tag):
        self.tags.append(("end", tag))


def tag_sequence(source: str) -> list:
    parser = _Tags()
    parser.feed(source)
    parser.close()
    return parser.tags


def md_structure(source: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    flat = []
    for t in tokens:
        flat.append(t.type)
        flat.extend(f"  {c.type}" for c in t.children or [])
    return flat


def translate(engine, body: str, fmt: str, matcher=None) -> str:
    return translate_article(engine, Article("Title", body, fmt), "en", "de", matcher).body


# -- parse/render without a model ---------------------------------------------


@pytest.mark.parametrize("source, fmt", [(HTML, "html"), (MARKDOWN, "markdown"), ("\n a\n\n\tb  \n", "text")])
def test_identity_render_is_byte_exact(source, fmt):
    document = parse(source, fmt)
    assert document.render([TranslatedUnit(u.text, lambda o, side="right": o) for u in document.units]) == source


def test_non_length_preserving_translation_keeps_the_tag_sequence():
    document = parse(HTML, "html")
    doubled = []
    for unit in document.units:
        words = re.sub(r"(\w+)", r"\1 \1", unit.text)
        ratio = len(words) / max(1, len(unit.text))
        doubled.append(TranslatedUnit(words, lambda o, side="right", r=ratio, n=len(words): min(n, round(o * r))))  # noqa: B008
    output = document.render(doubled)
    assert tag_sequence(output) == tag_sequence(HTML)


def test_html_line_break_separates_units_and_survives():
    source = "<p>Leaders arrive.<br>Photo: AP<br/>Second <b>line</b></p>"
    document = parse(source, "html")
    assert [u.text for u in document.units] == ["Leaders arrive.", "Photo: AP", "Second line"]
    assert document.render([TranslatedUnit(u.text, lambda o, side="right": o) for u in document.units]) == source


def test_markup_between_words_lands_between_words_of_a_longer_translation():
    # A real model changes lengths: the projection is proportional between
    # sentence ends, and the link must still wrap whole words.
    document = parse('<p>Allies meet in <a href="/v">Vilnius</a> today.</p>', "html")
    source = document.units[0].text
    target = "Heute treffen sich die Verbuendeten in Vilnius."
    project = lambda o, side="right": round(o * len(target) / len(source))  # noqa: E731
    output = document.render([TranslatedUnit(target, project)])
    assert tag_sequence(output) == tag_sequence('<p><a href="/v"></a></p>')
    inside = re.search(r'<a href="/v">(.*)</a>', output).group(1)
    before, after = output.split('<a href="/v">')[0], output.split("</a>")[1]
    assert not (before[-1:].isalnum() and inside[:1].isalnum())
    assert not (inside[-1:].isalnum() and after[:1].isalnum())
    assert re.sub(r"<[^>]+>", "", output) == target


@pytest.mark.parametrize(
    "target",
    [
        "Os aliados reuniram-se nesta sexta-feira e na segunda-feira em Vilnius.",
        "Os aliados encontraram-se na sexta e na segunda em Vilnius.",
        "Aliados reuniram-se sexta-feira, e também na segunda-feira, em Vilnius.",
    ],
)
def test_markdown_emphasis_placed_by_proportion_stays_emphasis(target):
    # Proportion alone (no located phrase) lands next to spaces; markup that
    # opened on a word opens on one, so CommonMark still reads it as emphasis.
    source = "Allies met on **Friday** and on *Monday* in Vilnius.\n"
    document = parse(source, "markdown")
    unit = document.units[0].text
    output = document.render([TranslatedUnit(target, lambda o, side="right": round(o * len(target) / len(unit)))])
    assert md_structure(output) == md_structure(source), output


def test_plain_text_becomes_escaped_paragraphs_in_html():
    assert FORMATS["text"].to_html("NATO & <Kyiv>\n\nSecond") == "<p>NATO &amp; &lt;Kyiv&gt;</p>\n<p>Second</p>"


def test_unknown_format_is_a_document_error():
    with pytest.raises(DocumentError):
        parse("x", "rtf")


# -- through the engine with the test models -----------------------------------


def test_a_segment_that_is_only_a_term_is_reported_as_such(engines):
    # A table cell and a link title that are nothing but a glossary term: nothing
    # goes to the model for them, so they are neither "replace", "mask" nor "split".
    body = '<table><tr><td>Vilnius</td></tr></table><p>NATO met in <a title="Vilnius" href="/v">Vilnius</a>.</p>'
    result = translate_article(engines["cipher"], Article("Title", body, "html"), "en", "de", GLOSSARY)
    terms = {t["term"]: t for t in result.report.to_dict()["terms"]}
    # The cipher never writes "Vilnius-DE": its own words for "Vilnius" are replaced.
    assert terms["Vilnius"]["methods"] == {"term_only": 2, "replace": 1}
    assert terms["Vilnius"]["rendered_occurrences"] == 3
    assert result.body.count("Vilnius-DE") == 3


def test_html_identity_equals_source_except_glossary_renderings(engines):
    output = translate(engines["identity"], HTML, "html", GLOSSARY)
    protected = [
        "https://www.nato.int/cps/en/natohq/news.htm?id=215&amp;lang=en",
        "<!-- NATO desk",
        '<script>var city = "Vilnius";',
        "<code>curl https://nato.int/Kyiv?q=NATO</code>",
        '<span translate="no">Vilnius Old Town</span>',
        '<span class="notranslate lead">NATO HQ</span>',
        'print("NATO in Vilnius")',
        "<p>Vilnius stays as written.</p>",
        "p { color: #333; } /* NATO */",
    ]
    for piece in protected:
        assert piece in output
    # Renderings outside protected parts, nothing else changed.
    expected = HTML
    for piece in protected:
        expected = expected.replace(piece, "\x00" * len(piece))
    expected = re.sub(r"(?<!\w)Vilnius(?!\w)", "Vilnius-DE", re.sub(r"(?<!\w)NATO(?!\w)", "NATO-DE", expected))
    restored = output
    for piece in protected:
        restored = restored.replace(piece, "\x00" * len(piece))
    assert restored == expected


def test_html_cipher_rotates_every_visible_character_and_nothing_protected(engines):
    output = translate(engines["cipher"], HTML, "html")
    assert tag_sequence(output) == tag_sequence(HTML)
    for unchanged in [
        'href="https://www.nato.int/cps/en/natohq/news.htm?id=215&amp;lang=en"',
        "<code>curl https://nato.int/Kyiv?q=NATO</code>",
        "&nbsp;",
        "&#8220;",
        "<!-- NATO desk: do not publish before noon -->",
        'track("Kyiv")',
        '<div translate="no"><p>Vilnius stays as written.</p></div>',
        'src="/img/vilnius.jpg?w=800&amp;h=600"',
    ]:
        assert unchanged in output
    for rotated in [
        "<title>ANGB nyyvrf zrrg va Ivyavhf</title>",
        "<em>155-zvyyvzrgre <b>furyyf</b></em>",
        'alt="Yrnqref neevir va Ivyavhf"',
        'placeholder="Frnepu gur ANGB nepuvir"',
        "<td>Ivyavhf</td>",
        "Wraf Fgbygraoret",
    ]:
        assert rotated in output
    # Unit by unit: every visible character rotated, every protected one as written.
    source_units, output_units = parse(HTML, "html").units, parse(output, "html").units
    assert len(source_units) == len(output_units) == 17
    for source, translated in zip(source_units, output_units):
        assert translated.text == rot13_outside(source.text, source.protected)
        assert translated.protected == source.protected


def rot13_outside(text: str, protected) -> str:
    inside = {i for s, e in protected for i in range(s, e)}
    return "".join(c if i in inside else codecs.encode(c, "rot13") for i, c in enumerate(text))


def test_markdown_identity_and_cipher(engines):
    assert translate(engines["identity"], MARKDOWN, "markdown") == MARKDOWN
    output = translate(engines["cipher"], MARKDOWN, "markdown")
    assert md_structure(output) == md_structure(MARKDOWN)
    for unchanged in [
        "(https://www.nato.int/cps/en/natohq/news.htm?id=215&lang=en",
        "<https://nato.int/Kyiv>",
        "`curl https://nato.int/Kyiv?q=NATO`",
        'print("NATO in Vilnius")',
        "    indented code about Kyiv",
        '<div class="embed">NATO video</div>',
        "/img/vilnius.jpg?w=800&h=600",
        "&amp;",
    ]:
        assert unchanged in output
    for rotated in [
        "# Fgbygraoret hetrf *ANGB* nyyvrf",
        "| Ivyavhf | Fhzzvg ubfg |",
        "![Yrnqref neevir va Ivyavhf]",
        "> “Jr jvyy qb vg,” ur fnvq va **Ivyavhf**.",
        r"\*Ivyavhf\*",
        '"Ernq gur ANGB fgngrzrag")',
        '"Cubgb: NC")',
    ]:
        assert rotated in output


def test_markdown_glossary_applies_outside_code_and_urls(engines):
    output = translate(engines["cipher"], MARKDOWN, "markdown", GLOSSARY)
    assert "**Vilnius-DE**" in output and "| Vilnius-DE | Fhzzvg ubfg |" in output
    assert "`curl https://nato.int/Kyiv?q=NATO`" in output and 'print("NATO in Vilnius")' in output
    assert "https://www.nato.int/cps/en/natohq/news.htm" in output


def test_text_format_keeps_lines_and_blank_lines(engines):
    body = "\n\nFirst. Second!\n\n\n  Indented line\n"
    assert translate(engines["cipher"], body, "text") == codecs.encode(body, "rot13")
