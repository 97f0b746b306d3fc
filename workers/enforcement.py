"""Fixed spans: text whose translation is decided before the model runs.

Glossary renderings and protected markup (inline code, translate="no") are
"fixed spans" of a sentence. Two ways to honour them, tried in this order:

mask   Each span becomes a placeholder ("T1", "T2", …: short capitalised codes,
       which NMT models usually copy like product codes), the sentence is
       translated whole, and the placeholders are replaced by the renderings.
       Verified: every placeholder must come back exactly once, or the
       sentence is not trusted.
split  The sentence is cut at its fixed spans; only the text between them goes
       to the model and the renderings are inserted verbatim. Never depends on
       the model copying anything, at the price of less context per piece.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FixedSpan:
    start: int
    end: int
    replacement: str
    entry_id: str | None = None  # None: protected markup, not a glossary term
    term: str | None = None


@dataclass
class Restored:
    ok: bool
    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # target span of each fixed span


_PREFIXES = ("T", "Q", "X", "Z", "K", "V")


@dataclass
class MaskedSegment:
    text: str
    prefix: str
    spans: list[FixedSpan]

    def restore(self, translated: str) -> Restored:
        if not self.spans:
            return Restored(True, translated, [])
        pattern = re.compile(rf"\b{self.prefix}(\d+)\b")
        found = [(m.start(), m.end(), int(m.group(1))) for m in pattern.finditer(translated)]
        numbers = sorted(n for *_, n in found)
        if numbers != list(range(1, len(self.spans) + 1)):
            return Restored(False)  # lost, duplicated, altered or invented a placeholder
        parts, cursor, shift = [], 0, 0
        target: dict[int, tuple[int, int]] = {}
        for start, end, number in found:
            replacement = self.spans[number - 1].replacement
            parts.append(translated[cursor:start])
            parts.append(replacement)
            target[number - 1] = (start + shift, start + shift + len(replacement))
            shift += len(replacement) - (end - start)
            cursor = end
        parts.append(translated[cursor:])
        return Restored(True, "".join(parts), [target[i] for i in range(len(self.spans))])


def mask(text: str, spans: list[FixedSpan]) -> MaskedSegment:
    # A prefix whose codes do not already occur in the text, so a code in the
    # output can only come from a placeholder.
    prefix = next((p for p in _PREFIXES if not re.search(rf"\b{p}\d+\b", text)), _PREFIXES[0])
    parts, cursor = [], 0
    for number, span in enumerate(spans, 1):
        parts.append(text[cursor:span.start])
        parts.append(f"{prefix}{number}")
        cursor = span.end
    parts.append(text[cursor:])
    return MaskedSegment("".join(parts), prefix, list(spans))


@dataclass(frozen=True)
class Piece:
    text: str
    kind: str  # "translate": sent to the model; "fixed": a fixed span's replacement; "verbatim": kept as is
    lead: str = ""   # whitespace around translatable text: kept verbatim, not sent to the model
    trail: str = ""

    @property
    def translatable(self) -> bool:
        return self.kind == "translate"


def split_around(text: str, spans: list[FixedSpan]) -> list[Piece]:
    pieces, cursor = [], 0
    for span in spans:
        pieces.extend(_text_piece(text[cursor:span.start]))
        pieces.append(Piece(span.replacement, "fixed"))
        cursor = span.end
    pieces.extend(_text_piece(text[cursor:]))
    return pieces


def _text_piece(chunk: str) -> list[Piece]:
    core = chunk.strip()
    # Whitespace or punctuation alone (", " or "'s") carries nothing to translate.
    if not any(c.isalnum() for c in core):
        return [Piece(chunk, "verbatim")] if chunk else []
    start = chunk.index(core)
    return [Piece(core, "translate", chunk[:start], chunk[start + len(core):])]


def join_pieces(pieces: list[Piece], translations: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The target text and the target span of each fixed span (in order)."""
    parts, spans, length = [], [], 0
    outputs = iter(translations)
    for piece in pieces:
        text = piece.lead + next(outputs) + piece.trail if piece.translatable else piece.text
        if piece.kind == "fixed":
            spans.append((length, length + len(text)))
        parts.append(text)
        length += len(text)
    return "".join(parts), spans


@dataclass
class TermCount:
    entry_id: str
    term: str
    source: int = 0
    rendered: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass
class GlossaryReport:
    """Per term: occurrences in the source, renderings placed in the target, how."""

    terms: dict[str, TermCount] = field(default_factory=dict)

    def record(self, fixed: list[FixedSpan], placed: list[tuple[int, int]], method: str) -> None:
        for span, target in zip(fixed, placed + [None] * (len(fixed) - len(placed))):
            if span.entry_id is None:
                continue  # protected markup, not a glossary term
            count = self.terms.setdefault(span.entry_id, TermCount(span.entry_id, span.term or ""))
            count.source += 1
            if target is None:
                count.failures.append("rendering could not be placed")
            else:
                count.rendered += 1
                count.methods[method] = count.methods.get(method, 0) + 1

    def to_dict(self) -> dict:
        terms = [
            {"entry_id": c.entry_id, "term": c.term, "source_occurrences": c.source,
             "rendered_occurrences": c.rendered, "methods": c.methods, "failures": c.failures}
            for c in sorted(self.terms.values(), key=lambda c: c.term.lower())
        ]
        return {
            "terms": terms,
            "source_occurrences": sum(c.source for c in self.terms.values()),
            "rendered_occurrences": sum(c.rendered for c in self.terms.values()),
            "failed": sum(len(c.failures) for c in self.terms.values()),
        }
