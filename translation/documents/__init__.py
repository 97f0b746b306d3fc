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
import re
from dataclasses import dataclass
from typing import Callable

from markdown_it import MarkdownIt

from translation.documents.html import HtmlDocument
from translation.documents.markdown import MarkdownDocument
from translation.documents.text import TextDocument
from translation.documents.units import DocumentError, TranslatedUnit, Unit

__all__ = ["FORMATS", "DocumentError", "DocumentFormat", "TranslatedUnit", "Unit", "format_for_extension",
           "markdown_literal", "parse"]


def _text_to_html(body: str) -> str:
    return "\n".join(f"<p>{escape(line)}</p>" for line in body.split("\n") if line.strip())


def _markdown_to_html(body: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(body)


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
    media_type: str                  # the format itself, e.g. text/markdown
    servable: tuple[str, ...]        # every media type a result can be served as (JSON aside)
    extensions: tuple[str, ...]
    to_html: Callable[[str], str]
    # How plain text that did not come from the source (a glossary rendering)
    # is written into a body of this format. HTML bodies escape every
    # translated chunk when rendered, so renderings go in as they are there.
    literal: Callable[[str], str] = _as_is


FORMATS: dict[str, DocumentFormat] = {
    f.name: f
    for f in (
        DocumentFormat("text", TextDocument, "text/plain", ("text/plain", "text/html"), (".txt",), _text_to_html),
        DocumentFormat("html", HtmlDocument, "text/html", ("text/html",), (".html", ".htm"), lambda body: body),
        DocumentFormat("markdown", MarkdownDocument, "text/markdown", ("text/markdown", "text/html", "text/plain"),
                       (".md", ".markdown"), _markdown_to_html, markdown_literal),
    )
}


def parse(source: str, fmt: str):
    if fmt not in FORMATS:
        raise DocumentError(f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    return FORMATS[fmt].parser(source)


def format_for_extension(filename: str) -> DocumentFormat | None:
    lowered = filename.lower()
    return next((f for f in FORMATS.values() if lowered.endswith(f.extensions)), None)
