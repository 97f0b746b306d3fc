"""Subtitles: SRT and WebVTT.

Everything but the cue text is kept as written: the header, cue numbers and
identifiers, timings and cue settings, NOTE, STYLE and REGION blocks, blank
lines and line endings. The cue count never changes.

- A sentence that runs over several cues is one unit: cues are joined until
  one ends a sentence (. ! ? … ♪, maybe followed by a quote or bracket), at
  most `MAX_CUES_PER_SENTENCE` of them. Each cue boundary is projected into
  the translation (`MarkedUnit.positions`, at a word start) and the
  translation is cut there, so the sentence is translated whole and spread
  over the same cues. Where a cut leaves a cue without a word, the sentence is
  spread again over its cues in proportion to the source cues' lengths, at
  word boundaries; a translation with fewer words than cues fills the rest
  with "…".
- A dialogue cue (every line starts with "-") is not joined: each line is a
  unit of its own, and the lines stay as they are, dash kept.
- Styling inside cues (<i>, <b>, <u>, <font …>, SRT's {\\an8}, WebVTT's
  <c.x>, <v Name>, <lang>, inline timestamps) is markup carried into the
  translation; WebVTT character references are protected. Text the model
  writes is escaped for WebVTT (&, <, >); in SRT an arrow "-->" is written "->".
- Lines are wrapped for reading: a cue whose translation is the source text
  keeps the source's lines; otherwise one line if it fits in `MAX_LINE`
  characters (markup not counted), else the most even split into two lines of
  at most `MAX_LINE`, else (the text does not fit in two lines) as many lines
  of at most `MAX_LINE` as it needs: nothing is cut, and a word longer than a
  line has a line of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

import srt

from translation.documents.units import DocumentError, MarkedUnit, TranslatedUnit, Unit

MAX_LINE = 42
MAX_LINES = 2
MAX_CUES_PER_SENTENCE = 6
_BOUNDARY = "\x00"
_SENTENCE_END = re.compile(r"[.!?…♪]+[\"'”’»)\]]*$")
_DIALOGUE_DASH = re.compile(r"^(\s*(?:<[^<>\n]*>|\{\\[^{}\n]*\})*\s*[-–—]\s*)")


@dataclass
class _Piece:
    cue: int
    line: int | None  # None: the cue's whole text (re-wrapped); else one dialogue line


@dataclass
class _SentenceUnit:
    unit: Unit
    markup: list[tuple[int, str]]
    pieces: list[_Piece]
    weights: list[int] = field(default_factory=list)


class _Builder:
    def __init__(self, tag: re.Pattern, reference: re.Pattern | None):
        self.tag, self.reference = tag, reference
        self._pattern = tag if reference is None else re.compile(f"{tag.pattern}|{reference.pattern}")
        self.text = ""
        self.markup: list[tuple[int, str]] = []
        self.protected: list[tuple[int, int]] = []

    def add_line(self, line: str) -> None:
        cursor = 0
        for match in self._pattern.finditer(line):
            self.text += line[cursor : match.start()]
            raw = match.group()
            if self.reference is not None and self.reference.fullmatch(raw):
                self.protected.append((len(self.text), len(self.text) + len(raw)))
                self.text += raw
            else:
                self._markup(raw)
            cursor = match.end()
        self.text += line[cursor:]

    def _markup(self, raw: str) -> None:
        self.markup.append((len(self.text), raw))

    def boundary(self) -> None:
        self.text += " "
        self.markup.append((len(self.text), _BOUNDARY))

    def build(self, pieces: list[_Piece], weights: list[int]) -> _SentenceUnit:
        # No inline phrases for the alignment to locate: styling in subtitles
        # mostly wraps whole cues, and a phrase located a word off would move a
        # cue boundary; cue boundaries are placed by proportion, at word starts.
        return _SentenceUnit(Unit(self.text, self.protected), self.markup, pieces, weights)


class SubtitleDocument:
    KIND = "subtitle"
    TAG = re.compile(r"<[^<>\n]*>")
    REFERENCE: re.Pattern | None = None

    def __init__(self, source: str):
        if _BOUNDARY in source:
            raise DocumentError(f"an {self.KIND} file has no NUL characters")
        self._newline = "\r\n" if "\r\n" in source else "\n"
        lines = source.replace("\r\n", "\n").split("\n")
        self._validate(source)
        self._items: list[str | int] = []  # verbatim lines, or the index of a cue whose text goes here
        self._cues: list[list[str]] = []  # each cue's text lines
        block: list[str] = []
        for line in lines + [None]:
            if line is not None and line.strip():
                block.append(line)
                continue
            self._block(block)
            block = []
            if line is not None:
                self._items.append(line)
        self._sentences = self._sentence_units()
        self.units = [s.unit for s in self._sentences]

    # -- reading ------------------------------------------------------------------

    def _validate(self, source: str) -> None:
        pass

    def _is_cue(self, block: list[str], timing: int) -> bool:
        raise NotImplementedError

    def _block(self, block: list[str]) -> None:
        timing = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if not block or timing is None or not self._is_cue(block, timing) or timing == len(block) - 1:
            self._items.extend(block)
            return
        self._items.extend(block[: timing + 1])
        self._items.append(len(self._cues))
        self._cues.append(block[timing + 1 :])

    def _visible(self, text: str) -> str:
        return self.TAG.sub("", text)

    def _is_dialogue(self, lines: list[str]) -> bool:
        return len(lines) > 1 and all(_DIALOGUE_DASH.match(line) for line in lines)

    def _sentence_units(self) -> list[_SentenceUnit]:
        units: list[_SentenceUnit] = []
        group: list = []

        def close():
            if group:
                builder = _Builder(self.TAG, self.REFERENCE)
                for n, cue in enumerate(group):
                    if n:
                        builder.boundary()
                    for k, line in enumerate(self._cues[cue]):
                        if k:
                            builder.text += " "
                        builder.add_line(line.strip())
                units.append(
                    builder.build(
                        [_Piece(c, None) for c in group],
                        [max(1, len(self._visible(" ".join(self._cues[c])))) for c in group],
                    )
                )
                group.clear()

        for index, lines in enumerate(self._cues):
            if self._is_dialogue(lines):
                close()
                for k, line in enumerate(lines):
                    builder = _Builder(self.TAG, self.REFERENCE)
                    dash = _DIALOGUE_DASH.match(line).group()  # type: ignore[union-attr]  # _is_dialogue matched
                    builder._markup(dash)
                    builder.add_line(line[len(dash) :].rstrip())
                    units.append(builder.build([_Piece(index, k)], [1]))
                continue
            group.append(index)
            ending = self._visible(lines[-1]).rstrip()
            if _SENTENCE_END.search(ending) or len(group) >= MAX_CUES_PER_SENTENCE:
                close()
        close()
        return [u for u in units if any(c.isalnum() for c in u.unit.text)]

    # -- writing ------------------------------------------------------------------

    def _escape(self, text: str) -> str:
        return text

    def render(self, translated: list[TranslatedUnit]) -> str:
        cues = [list(lines) for lines in self._cues]
        for sentence, translation in zip(self._sentences, translated):
            rendered = MarkedUnit(sentence.unit, sentence.markup).render(translation, self._escape)
            parts = [" ".join(part.split()) for part in rendered.split(_BOUNDARY)]
            if len(parts) != len(sentence.pieces) or not all(self._visible(p).strip() for p in parts):
                parts = _spread(rendered.replace(_BOUNDARY, " "), sentence.weights)
            for piece, part in zip(sentence.pieces, parts):
                if piece.line is not None:
                    cues[piece.cue][piece.line] = part
                elif part != " ".join(" ".join(self._cues[piece.cue]).split()):
                    cues[piece.cue] = self._wrap(part)
        out = [item if isinstance(item, str) else self._newline.join(cues[item]) for item in self._items]
        return self._newline.join(out)

    def _wrap(self, text: str) -> list[str]:
        words = text.split()
        widths = [len(self._visible(word)) for word in words]
        total = sum(widths) + len(words) - 1
        if total <= MAX_LINE or len(words) < 2:
            return [text]
        best, top = None, -1
        for i in range(1, len(words)):  # the break before word i: the most even pair of lines that fit
            top += widths[i - 1] + 1
            bottom = total - top - 1
            if top <= MAX_LINE and bottom <= MAX_LINE:
                score = (max(top, bottom), top > bottom)
                if best is None or score < best[0]:
                    best = (score, i)
        if best:
            return [" ".join(words[: best[1]]), " ".join(words[best[1] :])]
        lines, line, width = [], [words[0]], widths[0]
        for word, size in zip(words[1:], widths[1:]):
            if width + 1 + size <= MAX_LINE:
                line.append(word)
                width += 1 + size
            else:
                lines.append(" ".join(line))
                line, width = [word], size
        lines.append(" ".join(line))
        return lines

    def to_html(self) -> str:
        return "\n".join(f"<p>{escape(' '.join(unit.text.split()))}</p>" for unit in self.units)


def _spread(text: str, weights: list[int]) -> list[str]:
    """`text`'s words over len(weights) parts, in proportion to the weights, at least one word each."""
    words, n = text.split(), len(weights)
    if len(words) <= n:
        return words + ["…"] * (n - len(words))
    lengths = [len(w) + 1 for w in words]
    total, cumulative, parts, start = sum(lengths), 0, [], 0
    weight_total, seen = sum(weights), 0
    for j in range(n - 1):
        seen += weights[j]
        target = total * seen / weight_total
        end, cumulative = start + 1, cumulative + lengths[start]
        while end < len(words) - (n - 1 - j) and abs(cumulative + lengths[end] - target) < abs(cumulative - target):
            cumulative += lengths[end]
            end += 1
        parts.append(" ".join(words[start:end]))
        start = end
    parts.append(" ".join(words[start:]))
    return parts


class SrtDocument(SubtitleDocument):
    KIND = "SRT"
    TAG = re.compile(r"<[^<>\n]*>|\{\\[^{}\n]*\}")

    def _validate(self, source: str) -> None:
        try:
            for _cue in srt.parse(source):
                pass
        except (srt.SRTParseError, ValueError) as error:
            raise DocumentError(f"unreadable SRT: {error}")

    def _is_cue(self, block: list[str], timing: int) -> bool:
        return timing == 1

    def _escape(self, text: str) -> str:
        return text.replace("-->", "->")


class VttDocument(SubtitleDocument):
    KIND = "WebVTT"
    REFERENCE = re.compile(r"&(?:amp|lt|gt|nbsp|lrm|rlm|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")

    def _validate(self, source: str) -> None:
        first = source.lstrip("\ufeff").split("\n", 1)[0]
        if not re.match(r"WEBVTT(?:[ \t]|\r?$)", first):
            raise DocumentError("unreadable WebVTT: a WebVTT file starts with the line WEBVTT")

    def _is_cue(self, block: list[str], timing: int) -> bool:
        return not block[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION"))

    def _escape(self, text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
