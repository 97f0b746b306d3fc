"""HTML articles: translate what people read, keep every byte of the rest.

The stdlib tokenizer (html.parser) reports each construct in order; the raw
source slice of each is kept, so an identity translation gives back the input
byte for byte (lxml would re-serialise and normalise it).

- A block element (p, h1, li, td, …) delimits a unit; inline elements (a, em,
  strong, …) stay inside their sentence as markup at character offsets.
- Text of code, kbd, samp, var and anything with translate="no" or
  class="notranslate" is protected: kept verbatim, inside its sentence when
  inline. pre, script, style, textarea and protected blocks produce no unit.
- alt, title, placeholder and aria-label values are units of their own.
- Character references (&amp;, &#8217;) and a bare "&" are protected as
  written; text the model writes is escaped (& and <) so output stays well formed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from translation.documents.units import DocumentError, MarkedUnit, TranslatedUnit, Unit

# br is not here: a line break ends a unit, as a sentence break would (inline,
# "one<br>two" would reach the model as the single word "onetwo").
INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "data",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "img",
    "ins",
    "label",
    "mark",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "wbr",
    "code",
    "kbd",
    "samp",
    "var",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PROTECTED_INLINE = {"code", "kbd", "samp", "var"}
RAW_BLOCKS = {"pre", "script", "style", "textarea", "svg", "math"}
TRANSLATABLE_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")

_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)?")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _is_protected(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    values = dict(attrs)
    return (values.get("translate") or "").lower() == "no" or "notranslate" in (values.get("class") or "").split()


class _UnitBuilder:
    """Text, protected spans and markup of the unit being read."""

    def __init__(self):
        self.text, self.protected, self.markup = "", [], []
        self.inline: list[tuple[int, int]] = []
        self._open: list[tuple[str, int]] = []  # inline elements not closed yet: (tag, text offset)

    def open_element(self, tag: str) -> None:
        self._open.append((tag, len(self.text)))

    def close_element(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                start = self._open.pop(i)[1]
                if start < len(self.text):
                    self.inline.append((start, len(self.text)))
                return

    def add_text(self, raw: str, protected: bool = False) -> None:
        if protected:
            self._add(raw, True)
            return
        cursor = 0
        for ref in _REFERENCE.finditer(raw):
            self._add(raw[cursor : ref.start()], False)
            self._add(ref.group(), True)
            cursor = ref.end()
        self._add(raw[cursor:], False)

    def _add(self, text: str, protected: bool) -> None:
        if not text:
            return
        if protected:
            if self.protected and self.protected[-1][1] == len(self.text):  # merge neighbours
                self.protected[-1] = (self.protected[-1][0], len(self.text) + len(text))
            else:
                self.protected.append((len(self.text), len(self.text) + len(text)))
        self.text += text

    def add_markup(self, raw) -> None:  # a string, or a tag split around attribute units
        self.markup.append((len(self.text), raw))

    def has_words(self) -> bool:
        covered = set()
        for s, e in self.protected:
            covered.update(range(s, e))
        return any(c.isalnum() for i, c in enumerate(self.text) if i not in covered)


class _Tokenizer(HTMLParser):
    """Records (kind, tag, attrs, start offset) for every construct."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.events: list[tuple[str, str | None, list]] = []
        self.starts: list[int] = []
        self._line_offsets = [0]
        for line in source.splitlines(keepends=True):
            self._line_offsets.append(self._line_offsets[-1] + len(line))

    def _record(self, kind: str, tag: str | None = None, attrs=None) -> None:
        line, column = self.getpos()
        self.events.append((kind, tag, attrs or []))
        self.starts.append(self._line_offsets[line - 1] + column)

    def handle_starttag(self, tag, attrs):
        self._record("start", tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._record("startend", tag, attrs)

    def handle_endtag(self, tag):
        self._record("end", tag)

    def handle_data(self, data):
        self._record("text")

    def handle_entityref(self, name):
        self._record("text")

    def handle_charref(self, name):
        self._record("text")

    def handle_comment(self, data):
        self._record("other")

    def handle_decl(self, decl):
        self._record("other")

    def handle_pi(self, data):
        self._record("other")

    def unknown_decl(self, data):
        self._record("other")


class HtmlDocument:
    def __init__(self, source: str):
        tokenizer = _Tokenizer(source)
        try:
            tokenizer.feed(source)
            tokenizer.close()
        except Exception as error:  # html.parser is forgiving; this is truly unreadable input
            raise DocumentError(f"unreadable HTML: {error}")
        starts = tokenizer.starts + [len(source)]
        raws = [source[a:b] for a, b in zip(starts, starts[1:])]
        # Text before the first construct (never happens with html.parser) would be lost; keep it.
        self._chunks: list[str | tuple] = [source[: starts[0]]] if starts[0] else []
        self.units: list[Unit] = []
        self._build(tokenizer.events, raws)

    # -- reading --------------------------------------------------------------

    def _build(self, events, raws) -> None:
        unit = _UnitBuilder()
        skip_tag, skip_depth = None, 0  # inside pre/script/protected block: raw until it closes
        protect_tag, protect_depth = None, 0  # inside inline code/translate=no: protected text
        for (kind, tag, attrs), raw in zip(events, raws):
            if skip_tag:
                skip_depth += (kind == "start" and tag == skip_tag) - (kind == "end" and tag == skip_tag)
                self._chunks.append(raw)
                if skip_depth == 0:
                    skip_tag = None
                continue
            if protect_tag:
                protect_depth += (kind == "start" and tag == protect_tag) - (kind == "end" and tag == protect_tag)
                if protect_depth == 0:
                    protect_tag = None
                    unit.add_markup(raw)
                else:
                    unit.add_text(raw, protected=True)
                continue
            if kind == "text":
                unit.add_text(raw)
            elif kind == "other":
                unit.add_markup(raw)
            elif tag in INLINE:
                # An inline tag with a translatable attribute stays in its sentence;
                # its attribute values are units of their own, rendered into the tag.
                pieces = self._tag_pieces(raw, attrs) if kind != "end" else [raw]
                unit.add_markup(raw if len(pieces) == 1 else pieces)
                if kind == "start" and tag not in VOID and (tag in PROTECTED_INLINE or _is_protected(tag, attrs)):
                    protect_tag, protect_depth = tag, 1
                elif kind == "start" and tag not in VOID:
                    unit.open_element(tag)
                elif kind == "end":
                    unit.close_element(tag)
            else:
                self._flush(unit)
                unit = _UnitBuilder()
                self._chunks.extend(self._tag_pieces(raw, attrs) if kind != "end" else [raw])
                if kind == "start" and tag not in VOID and (tag in RAW_BLOCKS or _is_protected(tag, attrs)):
                    skip_tag, skip_depth = tag, 1
        self._flush(unit)

    def _flush(self, unit: _UnitBuilder) -> None:
        if not unit.text and not unit.markup:
            return
        if not unit.has_words():
            # Nothing to translate (whitespace, references): the source, as it was.
            cursor = 0
            for offset, raw in unit.markup:
                self._chunks.extend([unit.text[cursor:offset], raw])
                cursor = offset
            self._chunks.append(unit.text[cursor:])
            return
        self.units.append(Unit(unit.text, unit.protected, sorted(unit.inline)))
        self._chunks.append(("unit", len(self.units) - 1, MarkedUnit(self.units[-1], unit.markup)))

    def _tag_pieces(self, raw: str, attrs) -> list:
        """A start tag split around its translatable attribute values (each a unit)."""
        if not any(name in TRANSLATABLE_ATTRIBUTES and value for name, value in attrs) or _is_protected("", attrs):
            return [raw]
        pieces, cursor = [], 0
        name_end = re.match(r"<[^\s/>]+", raw).end()
        for match in _ATTRIBUTE.finditer(raw, name_end):
            name = match.group(1).lower()
            group = next((g for g in (3, 4, 5) if match.group(g) is not None), None)
            if name not in TRANSLATABLE_ATTRIBUTES or group is None or not match.group(group).strip():
                continue
            value_start, value_end = match.span(group)
            builder = _UnitBuilder()
            builder.add_text(raw[value_start:value_end])
            if not builder.has_words():
                continue
            quote = raw[value_start - 1] if group in (3, 4) else None
            pieces.append(raw[cursor:value_start])
            self.units.append(Unit(builder.text, builder.protected))
            pieces.append(("attr", len(self.units) - 1, MarkedUnit(self.units[-1]), quote))
            cursor = value_end
        pieces.append(raw[cursor:])
        return pieces

    # -- writing --------------------------------------------------------------

    def render(self, translated: list[TranslatedUnit]) -> str:
        return "".join(self._render_piece(chunk, translated) for chunk in self._chunks)

    def _render_piece(self, piece, translated: list[TranslatedUnit]) -> str:
        if isinstance(piece, str):
            return piece
        if isinstance(piece, list):  # a tag split around attribute units
            return "".join(self._render_piece(p, translated) for p in piece)
        if piece[0] == "unit":
            marked: MarkedUnit = piece[2]
            markup = [(offset, self._render_piece(raw, translated)) for offset, raw in marked.markup]
            return MarkedUnit(marked.unit, markup).render(translated[piece[1]], _escape_text)
        quote = piece[3]
        if quote:
            escape = lambda t: _escape_text(t).replace(quote, "&quot;" if quote == '"' else "&#39;")  # noqa: E731
        else:  # an unquoted value ends at whitespace
            escape = lambda t: _escape_text(t).replace(" ", "&#32;")  # noqa: E731
        return piece[2].render(translated[piece[1]], escape)
