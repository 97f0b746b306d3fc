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
