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


@dataclass
class TranslatedUnit:
    text: str
    # Source offset (0..len(source text)) -> target offset; monotonic.
    project: Callable[[int], int]


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
        inserts = [(self._target_offset(offset, text, project), raw) for offset, raw in self.markup]
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

    def _target_offset(self, offset: int, text: str, project: Callable[[int], int]) -> int:
        """Where markup at a source offset goes in the translation. Between
        anchors a real model's projection is proportional and can land inside
        a word; markup that sat between words in the source is moved to the
        nearest word boundary (ties to the left, so the order of markup holds)."""
        target = min(max(project(offset), 0), len(text))
        if not _at_word_boundary(self.unit.text, offset) or _at_word_boundary(text, target):
            return target
        left = right = target
        while not _at_word_boundary(text, left):
            left -= 1
        while not _at_word_boundary(text, right):
            right += 1
        return left if target - left <= right - target else right


def _at_word_boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())
