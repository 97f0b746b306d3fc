"""Articles as translatable units, and back: plain text, HTML, Markdown."""

from __future__ import annotations

from workers.documents.html import HtmlDocument
from workers.documents.markdown import MarkdownDocument
from workers.documents.model import DocumentError, TranslatedUnit, Unit
from workers.documents.text import TextDocument

__all__ = ["DocumentError", "TranslatedUnit", "Unit", "parse"]


def parse(source: str, fmt: str):
    if fmt == "text":
        return TextDocument(source)
    if fmt == "html":
        return HtmlDocument(source)
    if fmt == "markdown":
        return MarkdownDocument(source)
    raise DocumentError(f"format {fmt!r} is not supported")
