"""Articles as translatable units, and back: the registry of document formats.

A format is one entry in `FORMATS`: its parser (source -> units, units ->
translated source), the media types the API may serve its result as, the file
extensions it is recognised by, and how its body becomes HTML for a browser.
The request schema, content negotiation and file uploads all read this table,
so a new format is a parser module plus one entry here.
"""

from __future__ import annotations

# Not `import html`: importing the submodule translation.documents.html below
# rebinds the name `html` in this package to that submodule.
from html import escape
import base64
import re
from dataclasses import dataclass
from typing import Any, Callable

from markdown_it import MarkdownIt

from translation.documents.docx import DocxDocument
from translation.documents.html import HtmlDocument
from translation.documents.markdown import MarkdownDocument
from translation.documents.odt import OdtDocument
from translation.documents.pptx import PptxDocument
from translation.documents.subtitles import SrtDocument, VttDocument
from translation.documents.text import TextDocument
from translation.documents.units import DocumentError, TranslatedUnit, Unit

__all__ = [
    "FORMATS",
    "DocumentError",
    "DocumentFormat",
    "TranslatedUnit",
    "Unit",
    "body_characters",
    "body_from_file",
    "file_from_body",
    "format_for_extension",
    "markdown_literal",
    "parse",
    "text_characters",
]


def _text_to_html(body: str) -> str:
    return "\n".join(f"<p>{escape(line)}</p>" for line in body.split("\n") if line.strip())


def _markdown_to_html(body: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(body)


def _units_to_html(parser: Callable[[str], Any]) -> Callable[[str], str]:
    """A file format's text as HTML paragraphs, one per unit (a browser cannot show the file itself)."""

    def to_html(body: str) -> str:
        return "\n".join(f"<p>{escape(' '.join(unit.text.split()))}</p>" for unit in parser(body).units)

    return to_html


def _as_is(text: str) -> str:
    return text


# Characters that could open Markdown syntax or raw HTML inside a line.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>&|~#]")


def markdown_literal(text: str) -> str:
    """Plain text written into Markdown so that it reads back as that text:
    every character that could start emphasis, a link, a code span, a table
    cell, an entity or raw HTML is backslash-escaped (CommonMark's escape)."""
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), text)


@dataclass(frozen=True)
class DocumentFormat:
    name: str
    parser: Callable[[str], object]  # a class with .units and .render(translated)
    media_type: str  # the format itself, e.g. text/markdown
    servable: tuple[str, ...]  # every media type a result can be served as (JSON aside)
    extensions: tuple[str, ...]
    to_html: Callable[[str], str]
    # How plain text that did not come from the source (a glossary rendering)
    # is written into a body of this format. HTML bodies escape every
    # translated chunk when rendered, so renderings go in as they are there.
    literal: Callable[[str], str] = _as_is
    # The body is the file in base64 (DOCX, ODT, PPTX): jobs hold text.
    binary: bool = False
    # The body is a whole file (office documents, subtitles): the job's title is
    # not part of it, and its own media type serves the body exactly.
    whole_file: bool = False


FORMATS: dict[str, DocumentFormat] = {
    f.name: f
    for f in (
        DocumentFormat("text", TextDocument, "text/plain", ("text/plain", "text/html"), (".txt",), _text_to_html),
        DocumentFormat("html", HtmlDocument, "text/html", ("text/html",), (".html", ".htm"), lambda body: body),
        DocumentFormat(
            "markdown",
            MarkdownDocument,
            "text/markdown",
            ("text/markdown", "text/html", "text/plain"),
            (".md", ".markdown"),
            _markdown_to_html,
            markdown_literal,
        ),
        *(
            DocumentFormat(
                name,
                parser,
                media_type,
                (media_type, "text/html"),
                extensions,
                _units_to_html(parser),
                binary=binary,
                whole_file=True,
            )
            for name, parser, media_type, extensions, binary in (
                (
                    "docx",
                    DocxDocument,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    (".docx",),
                    True,
                ),
                ("odt", OdtDocument, "application/vnd.oasis.opendocument.text", (".odt",), True),
                (
                    "pptx",
                    PptxDocument,
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    (".pptx",),
                    True,
                ),
                ("srt", SrtDocument, "application/x-subrip", (".srt",), False),
                ("vtt", VttDocument, "text/vtt", (".vtt",), False),
            )
        ),
    )
}


def parse(source: str, fmt: str):
    if fmt not in FORMATS:
        raise DocumentError(f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    return FORMATS[fmt].parser(source)


def format_for_extension(filename: str) -> DocumentFormat | None:
    lowered = filename.lower()
    return next((f for f in FORMATS.values() if lowered.endswith(f.extensions)), None)


def body_from_file(data: bytes, fmt: str) -> str:
    """An uploaded file as a job's body: base64 for binary formats, else its
    UTF-8 text (a byte order mark dropped). DocumentError when it is not."""
    if FORMATS[fmt].binary:
        return base64.b64encode(data).decode("ascii")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError("the file is not UTF-8 text")


def file_from_body(body: str, fmt: str) -> bytes:
    """A job's body (a source or a translation) as the file it stands for."""
    return base64.b64decode(body) if FORMATS[fmt].binary else body.encode("utf-8")


def text_characters(body: str, fmt: str, units) -> int:
    """What an article body counts as, in characters (quota, time limits): the
    body as written, or for a binary format the text of its units."""
    return sum(len(unit.text) for unit in units) if FORMATS[fmt].binary else len(body)


def body_characters(body: str, fmt: str) -> int:
    """`text_characters` of a body not parsed yet (its length where it cannot be parsed: it is refused later)."""
    if not FORMATS[fmt].binary:
        return len(body)
    try:
        return text_characters(body, fmt, parse(body, fmt).units)
    except DocumentError:
        return len(body)
