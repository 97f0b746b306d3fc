"""What a check reports: one finding per problem, per segment.

A finding names the problem (`code`, e.g. "currency.converted"), the check
that found it (`check`, the family an editor filters by: numbers, currency,
...), how much it matters (`severity`) and where: a character range in the
source sentence and one in its translation, either None when the problem has
no place on that side (a name missing from the translation has no target
range). The message is for an editor, not a developer: it quotes the words.
"""

from __future__ import annotations

from dataclasses import dataclass

# error: the translation says something else (a sum in another currency, a
#        changed number); warning: probably wrong, look (a name missing);
# info:  worth a glance (a long headline).
ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
RANK = {ERROR: 0, WARNING: 1, INFO: 2}

Range = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    code: str
    check: str
    severity: str
    message: str
    source: Range | None = None
    target: Range | None = None

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "source": list(self.source) if self.source else None,
            "target": list(self.target) if self.target else None,
        }


@dataclass(frozen=True)
class GlossarySpan:
    """A glossary rendering the pipeline put into the translation (a fixed span
    with an entry): where the term is in the source, where its rendering
    landed in the target (None: nowhere) and what the rendering is."""

    source: Range
    target: Range | None
    rendering: str
    term: str = ""


@dataclass(frozen=True)
class Pair:
    """One segment: a source sentence and its translation."""

    source: str
    target: str
    unit: int = 0  # 0 is the title (headline) in a job's article
    glossary: tuple[GlossarySpan, ...] = ()
    # Phrases wrapped by inline markup in the source, and where each was placed
    # in the translation (None: not found, placed by proportion only).
    inline: tuple[tuple[Range, Range | None], ...] = ()
