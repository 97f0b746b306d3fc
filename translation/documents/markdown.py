"""Markdown articles, parsed with markdown-it-py (CommonMark + tables).

Each inline block (paragraph, heading, table cell, list item text) is a unit.
Its raw source is re-read alongside the parser's tokens: characters of text
tokens are translatable; emphasis markers, link and image syntax (URLs
included), hard breaks, container prefixes ("> ", list indentation) and
inline HTML are markup kept as written; code spans, autolinks and character
references are protected text. Code blocks, HTML blocks and everything outside
inline blocks are copied through. Link and image titles are units of their
own, as HTML title attributes are. An identity translation reproduces the
source byte for byte.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from translation.documents.units import DocumentError, MarkedUnit, TranslatedUnit, Unit

_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _as_written(text: str) -> str:
    # Translated text is not Markdown-escaped: source text keeps characters
    # like "#" or "_" unescaped where they are harmless, and escaping them in
    # the translation would break the byte-for-byte identity round trip.
    return text


class _Reader:
    """Walks the raw source of one inline block against its tokens."""

    def __init__(self, raw: str, add_unit):
        self.raw, self.pos = raw, 0
        self.text, self.protected, self.markup = "", [], []
        self.inline: list[tuple[int, int]] = []
        self._open: list[int] = []  # text offsets where emphasis or links not yet closed began
        self._pending: list = []  # markup not yet attached to a text offset
        self._add_unit = add_unit  # registers a unit of its own (a link title); returns its index

    def skip_to(self, end: int) -> None:
        if end > self.pos:
            self._pending.append(self.raw[self.pos : end])
            self.pos = end

    def skip_link_tail(self, title: str | None) -> None:
        """Skip "](url "title")" as markup; the title, when found, is a unit of its own."""
        end = _link_tail_end(self.raw, self.pos)
        at = self.raw.rfind(title, self.pos, end) if title else -1
        if at < 0:
            self.skip_to(end)
            return
        quote = self.raw[at - 1]
        self.skip_to(at)
        self._pending.append(("title", self._add_unit(title), quote))
        self.pos = at + len(title)
        self.skip_to(end)

    def _flush_markup(self) -> None:
        if self._pending:
            plain = all(isinstance(piece, str) for piece in self._pending)
            self.markup.append((len(self.text), "".join(self._pending) if plain else self._pending))
            self._pending = []

    def add_text(self, chunk: str, protected: bool = False) -> None:
        self._flush_markup()
        if protected:
            self.protected.append((len(self.text), len(self.text) + len(chunk)))
        self.text += chunk

    def text_token(self, content: str) -> bool:
        """Align a text token's characters with the raw source; False if lost."""
        i = 0
        while i < len(content):
            ch = content[i]
            reference = _REFERENCE.match(self.raw, self.pos)
            if reference and content.startswith(html.unescape(reference.group()), i):
                decoded = html.unescape(reference.group())
                self.add_text(reference.group(), protected=True)
                self.pos = reference.end()
                i += len(decoded)
                continue
            if self.raw.startswith("\\" + ch, self.pos) and ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~":
                self.skip_to(self.pos + 1)  # the backslash of an escape is markup
            found = self.raw.find(ch, self.pos)
            if found < 0:
                return False
            self.skip_to(found)
            self.add_text(ch)
            self.pos += 1
            i += 1
        return True

    def protected_span(self, start: int, end: int) -> None:
        self.skip_to(start)
        self.add_text(self.raw[start:end], protected=True)
        self.pos = end

    def open_element(self) -> None:
        self._open.append(len(self.text))

    def close_element(self) -> None:
        if self._open:
            start = self._open.pop()
            if start < len(self.text):
                self.inline.append((start, len(self.text)))

    def finish(self) -> tuple[Unit, list[tuple[int, str]]]:
        self.skip_to(len(self.raw))
        self._flush_markup()
        return Unit(self.text, self.protected, sorted(self.inline)), self.markup


def _link_tail_end(raw: str, pos: int) -> int:
    """End of "](destination "title")", "][ref]" or "]" starting at pos."""
    if not raw.startswith("]", pos):
        return pos
    pos += 1
    if raw.startswith("(", pos):
        depth, quote, i = 0, None, pos
        while i < len(raw):
            c = raw[i]
            if quote:
                quote = None if c == quote else quote
            elif c == "\\":
                i += 1
            elif c in "\"'" and depth == 1:
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return len(raw)
    if raw.startswith("[", pos):
        close = raw.find("]", pos)
        return len(raw) if close < 0 else close + 1
    return pos


def _read_inline(reader: _Reader, children) -> bool:
    protect_link, link_title = False, None
    for token in children:
        kind = token.type
        if kind == "text":
            if protect_link:
                start = reader.raw.find(token.content, reader.pos)
                if start < 0:
                    return False
                reader.protected_span(start, start + len(token.content))
            elif not reader.text_token(token.content):
                return False
        elif kind == "softbreak":
            if not reader.text_token("\n"):
                return False
        elif kind == "hardbreak":
            # The marker ("  " or "\\") is markup; the line break stays in the text
            # so the words on either side do not run together for the model.
            newline = reader.raw.find("\n", reader.pos)
            if newline < 0:
                return False
            reader.skip_to(newline)
            reader.add_text("\n")
            reader.pos = newline + 1
        elif kind == "code_inline":
            start = reader.raw.find(token.markup, reader.pos)
            body = reader.raw.find(token.content, start + len(token.markup))
            end = reader.raw.find(token.markup, body + len(token.content))
            if min(start, body, end) < 0:
                return False
            reader.protected_span(start, end + len(token.markup))
        elif kind == "html_inline":
            start = reader.raw.find(token.content, reader.pos)
            if start < 0:
                return False
            reader.skip_to(start + len(token.content))
        elif kind == "link_open":
            protect_link = token.markup in ("autolink", "linkify")
            link_title = token.attrGet("title")
            if not protect_link:
                reader.open_element()
        elif kind == "link_close":
            if protect_link:
                protect_link = False
                if reader.raw.startswith(">", reader.pos):
                    reader.skip_to(reader.pos + 1)
            else:
                reader.close_element()
                reader.skip_link_tail(link_title)
        elif kind in ("em_open", "strong_open", "s_open"):
            reader.open_element()
        elif kind in ("em_close", "strong_close", "s_close"):
            reader.close_element()
        elif kind == "image":
            start = reader.raw.find("![", reader.pos)
            if start < 0:
                return False
            reader.skip_to(start + 2)
            if not _read_inline(reader, token.children or []):
                return False
            reader.skip_link_tail(token.attrGet("title"))
        # The markers of em/strong/strikethrough are skipped as markup when the
        # next text character is looked for.
    return True


class MarkdownDocument:
    def __init__(self, source: str):
        try:
            tokens = MarkdownIt("commonmark").enable("table").parse(source)
        except Exception as error:
            raise DocumentError(f"unreadable Markdown: {error}")
        lines = source.splitlines(keepends=True)
        line_starts = [0]
        for line in lines:
            line_starts.append(line_starts[-1] + len(line))
        self.units: list[Unit] = []
        self._chunks: list = []
        cursor = 0
        row_cursor: dict[int, int] = {}  # table rows hold several cells per line
        for token in tokens:
            if token.type != "inline" or token.map is None or not token.content.strip():
                continue
            span = self._locate(source, token, line_starts, row_cursor)
            if span is None or span[0] < cursor:
                continue  # could not align: leave the block untranslated, exactly as written
            start, end = span
            titles: list[Unit] = []

            def add_title(text: str, titles=titles) -> int:
                # Link titles become units right before their block's unit.
                titles.append(Unit(text))
                return len(self.units) + len(titles) - 1

            reader = _Reader(source[start:end], add_title)
            if not _read_inline(reader, token.children or []):
                continue
            unit, markup = reader.finish()
            if not any(c.isalnum() for i, c in enumerate(unit.text) if not any(s <= i < e for s, e in unit.protected)):
                continue
            self._chunks.append(source[cursor:start])
            self.units.extend(titles)
            self.units.append(unit)
            self._chunks.append((len(self.units) - 1, MarkedUnit(unit, markup)))
            cursor = end
        self._chunks.append(source[cursor:])

    @staticmethod
    def _locate(source: str, token, line_starts: list[int], row_cursor: dict[int, int]) -> tuple[int, int] | None:
        """Absolute source span of an inline token's content."""
        content_lines = token.content.split("\n")
        first = token.map[0]
        start = end = None
        for index, content_line in enumerate(content_lines):
            line_no = first + index
            if line_no + 1 >= len(line_starts):
                return None
            line_start, line_end = line_starts[line_no], line_starts[line_no + 1]
            search_from = max(line_start, row_cursor.get(line_no, line_start))
            found = source.find(content_line, search_from, line_end)
            if found < 0:
                return None
            if start is None:
                start = found
            end = found + len(content_line)
            row_cursor[line_no] = end
        return start, end

    def render(self, translated: list[TranslatedUnit]) -> str:
        out = []
        for chunk in self._chunks:
            if isinstance(chunk, str):
                out.append(chunk)
                continue
            index, marked = chunk
            markup = [(offset, self._render_markup(raw, translated)) for offset, raw in marked.markup]
            out.append(MarkedUnit(marked.unit, markup).render(translated[index], _as_written))
        return "".join(out)

    def _render_markup(self, raw, translated: list[TranslatedUnit]) -> str:
        if isinstance(raw, str):
            return raw
        parts = []
        for piece in raw:
            if isinstance(piece, str):
                parts.append(piece)
            else:  # ("title", unit index, quote character)
                _, index, quote = piece
                escape = (lambda t, q=quote: t.replace(q, "\\" + q)) if quote in "\"'" else _as_written
                parts.append(MarkedUnit(self.units[index]).render(translated[index], escape))
        return "".join(parts)
