"""What every document format shares: translatable units and their translations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


class DocumentError(ValueError):
    """An article body that cannot be parsed in its declared format."""


@dataclass
class Unit:
    """A block translated as a whole: a paragraph, heading, list item, table cell, attribute value."""

    text: str
    protected: list[tuple[int, int]] = field(default_factory=list)  # spans of `text` kept verbatim
    # Ranges of `text` wrapped by an inline element (a link, emphasis): located
    # in the translation by the model where it can be (translation/alignment.py).
    inline: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class TranslatedUnit:
    text: str
    # Source offset (0..len(source text)) -> target offset; monotonic. An offset
    # may have several targets: side="left" asks for the first, "right" the last.
    project: Callable[..., int]


@dataclass
class MarkedUnit:
    """A unit whose source had markup between its words: raw markup strings
    (tags, link syntax, emphasis markers) sit at offsets of the unit text and
    go back in at the projected offsets of the translation. The projection is
    monotonic, so markup keeps its order: the translation has the same tag
    sequence as the source, and an identity translation reproduces the source."""

    unit: Unit
    markup: list[tuple[int, str]] = field(default_factory=list)  # (offset in unit text, raw markup)

    def render(self, translated: TranslatedUnit, escape: Callable[[str], str]) -> str:
        text, project = translated.text, translated.project
        # Protected spans come back verbatim: never escaped.
        verbatim = [(project(s), project(e)) for s, e in self.unit.protected]
        inserts = list(zip(self.positions(translated), (raw for _offset, raw in self.markup)))
        cuts = sorted({0, len(text), *(p for p, _ in inserts), *(b for span in verbatim for b in span)})
        out = []
        pending = iter(inserts)
        nxt = next(pending, None)
        for start, end in zip(cuts, cuts[1:] + [None]):
            while nxt is not None and nxt[0] == start:
                out.append(nxt[1])
                nxt = next(pending, None)
            if end is None:
                break
            chunk = text[start:end]
            out.append(chunk if any(s <= start and end <= e for s, e in verbatim) else escape(chunk))
        while nxt is not None:  # defensive: offsets past the end
            out.append(nxt[1])
            nxt = next(pending, None)
        return "".join(out)

    def positions(self, translated: TranslatedUnit) -> list[int]:
        """Where each piece of markup goes in the translation: offsets of
        `translated.text`, in the order of `self.markup`, never decreasing.
        Formats that keep their markup as objects (a run of a DOCX paragraph,
        a subtitle cue) cut the translation at these offsets."""
        positions, floor = [], 0
        for offset, _raw in self.markup:
            # Markup keeps its order even where attaching it to its word moved it.
            floor = max(floor, self._target_offset(offset, translated.text, translated.project))
            positions.append(floor)
        return positions

    def _target_offset(self, offset: int, text: str, project: Callable[..., int]) -> int:
        """Where markup at a source offset goes in the translation. Between
        anchors a real model's projection is proportional and can land inside
        a word or beside a space, so markup moves to the nearest place of the
        same kind as in the source (ties to the left, so the order of markup
        holds):
        - markup that opens on a word opens on one, and markup that closes
          after a word closes right after one, as CommonMark needs to read
          emphasis: "**sexta-feira**", never "** sexta-feira**" or
          "encontraram**-se**", which it prints as asterisks;
        - other markup that sat between words ("NATO**’s") goes between words."""
        source = self.unit.text
        role = _role(source, offset)
        target = min(max(project(offset, "left" if role == "open" else "right"), 0), len(text))
        if role == "open":
            return _nearest(text, target, _opens_word)
        if role == "close":
            return _nearest(text, target, _closes_word)
        if _at_word_boundary(source, offset):
            return _nearest(text, target, _at_word_boundary)
        return target


def _nearest(text: str, target: int, fits: Callable[[str, int], bool]) -> int:
    left = right = target
    while left > 0 and not fits(text, left):
        left -= 1
    while right < len(text) and not fits(text, right):
        right += 1
    if not fits(text, left):
        return right if fits(text, right) else target
    if not fits(text, right):
        return left
    return left if target - left <= right - target else right


def _opens_word(text: str, i: int) -> bool:
    """Markup here would open on a word (CommonMark: left-flanking)."""
    if i >= len(text) or text[i].isspace() or not _at_word_boundary(text, i):
        return False
    return text[i].isalnum() or i == 0 or not text[i - 1].isalnum()


def _closes_word(text: str, i: int) -> bool:
    """Markup here would close right after a word (CommonMark: right-flanking)."""
    if i <= 0 or text[i - 1].isspace() or not _at_word_boundary(text, i):
        return False
    return text[i - 1].isalnum() or i == len(text) or not text[i].isalnum()


def _role(text: str, i: int) -> str | None:
    """ "open" for markup before a word it belongs to ("… <em>word"), "close"
    after one ("word</em> …"), None between words or inside one."""
    before = text[i - 1] if i > 0 else " "
    after = text[i] if i < len(text) else " "
    if after.isspace() == before.isspace():
        if before.isalnum() == after.isalnum():
            return None
        return "open" if after.isalnum() else "close"
    return "open" if before.isspace() else "close"


def _at_word_boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())
