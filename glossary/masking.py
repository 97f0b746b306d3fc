"""Enforcing fixed spans around a translation model, and reporting what happened.

A segment is plain text plus "fixed spans": character ranges whose target text
is decided before the model runs (glossary renderings; protected spans such as
inline code, whose replacement is the source text itself). Two ways to honour
them, both independent of any glossary model:

mask    each span becomes a placeholder, the whole sentence is translated (the
        model sees the full context), then `restore` checks that every
        placeholder came back exactly once and puts the replacements in.
split   the sentence is cut at its spans; only the text between them goes to
        the model and the replacements are inserted verbatim. Needs nothing
        from the model, at the price of less context: the fallback when
        `restore` fails.

`GlossaryReport` records, per term, how many source occurrences there were,
how many renderings reached the target, by which method, and why any failed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

MASK, SPLIT = "mask", "split"


@dataclass(frozen=True)
class FixedSpan:
    start: int
    end: int
    replacement: str
    entry_id: str | None = None   # None: protected markup, not a glossary term
    term: str | None = None       # the entry's canonical term, for reports


def check_spans(text: str, spans: list[FixedSpan]) -> None:
    """Spans must be non-empty, inside the text, sorted and non-overlapping."""
    previous_end = 0
    for span in spans:
        if not (0 <= span.start < span.end <= len(text)):
            raise ValueError(f"span {span.start}-{span.end} is empty or outside the text (length {len(text)})")
        if span.start < previous_end:
            raise ValueError(f"span {span.start}-{span.end} overlaps or precedes the one before it")
        previous_end = span.end


# -- mask ---------------------------------------------------------------------

# Placeholders look like "ZX1", "ZX2", …: two capital letters that begin
# almost no word in any language, then a number. Why this form:
# - NMT models (Argos/OPUS-MT included) copy unknown all-caps alphanumeric
#   tokens verbatim: their training data is full of model numbers, codes and
#   acronyms ("F16", "M777", "COVID19") that are never translated, and capitals
#   keep them from being inflected or lower-cased;
# - they are short, so SentencePiece cuts them into one to three pieces and
#   the model has little to get wrong; ASCII digits are copied almost always;
# - unlike XML tags or brackets ("<x1/>", "[[1]]", "{0}"), which these models
#   never saw in training and tend to drop, translate or duplicate, they read
#   like a proper noun and keep the sentence grammatical around them.
# The prefix is chosen per segment so that it does not occur in the source, so
# anything placeholder-like in the output can only come from a placeholder.
_PREFIXES = ("ZX", "QX", "XQ", "ZQ", "QZ", "XZ", "JQ", "QJ", "ZJ", "JZ")
_ALNUM = r"[^\W_]"  # letters and digits


def _choose_prefix(text: str) -> str:
    for prefix in itertools.chain(_PREFIXES, ("".join(p) for n in itertools.count(3)
                                              for p in itertools.product("JQXZ", repeat=n))):
        if not _loose_pattern(prefix, digits=False).search(text):
            return prefix
    raise AssertionError("unreachable: the product above is infinite")


def _loose_pattern(prefix: str, digits: bool = True) -> re.Pattern:
    """The prefix in any case, letters possibly spaced or hyphenated apart, then digits
    (and any letters glued on either side, so a report shows "ZX1s", not "ZX1")."""
    body = r"[\s-]?".join(re.escape(ch) for ch in prefix)
    if not digits:
        return re.compile(body, re.IGNORECASE)
    return re.compile(rf"{_ALNUM}*{body}[\s-]?\d+{_ALNUM}*", re.IGNORECASE)


@dataclass(frozen=True)
class RestoreResult:
    ok: bool
    text: str | None                       # the target text with replacements; None unless ok
    spans: list[tuple[int, int]]           # target range of each span, in span order (empty unless ok)
    restored: list[bool]                   # per span: its placeholder came back exactly once
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MaskedSegment:
    source: str
    text: str                      # what the model translates
    spans: tuple[FixedSpan, ...]
    prefix: str
    placeholders: tuple[str, ...]  # placeholders[i] stands for spans[i]: f"{prefix}{i + 1}"
    unmaskable: str | None = None  # why masking cannot work for this segment (use split)

    def restore(self, translated: str) -> RestoreResult:
        """Verify the model output and put the replacements in; never drops or duplicates."""
        count = len(self.spans)
        if self.unmaskable:
            return RestoreResult(False, None, [], [False] * count, [self.unmaskable])
        prefix = self.prefix
        exact = re.compile(rf"(?<!{_ALNUM}){re.escape(prefix)}([0-9]+)(?!{_ALNUM})")
        found = [(m.start(), m.end(), int(m.group(1))) for m in exact.finditer(translated)]
        exact_starts = {start for start, _, _ in found}
        problems = [f"altered placeholder {m.group(0)!r}" for m in _loose_pattern(prefix).finditer(translated)
                    if m.start() not in exact_starts]
        seen: dict[int, int] = {}
        for _, _, number in found:
            seen[number] = seen.get(number, 0) + 1
            if not 1 <= number <= count:
                problems.append(f"invented placeholder {prefix}{number}")
        restored = [seen.get(i + 1, 0) == 1 for i in range(count)]
        for i in range(count):
            if seen.get(i + 1, 0) == 0:
                problems.append(f"placeholder {self.placeholders[i]} missing")
            elif seen[i + 1] > 1:
                problems.append(f"placeholder {self.placeholders[i]} appears {seen[i + 1]} times")
        if problems:
            return RestoreResult(False, None, [], restored, problems)
        parts, cursor, length = [], 0, 0
        target: dict[int, tuple[int, int]] = {}
        for start, end, number in found:  # in output order: the model may reorder
            parts.append(translated[cursor:start])
            length += start - cursor
            replacement = self.spans[number - 1].replacement
            target[number - 1] = (length, length + len(replacement))
            parts.append(replacement)
            length += len(replacement)
            cursor = end
        parts.append(translated[cursor:])
        return RestoreResult(True, "".join(parts), [target[i] for i in range(count)], restored, [])


def mask(text: str, spans: list[FixedSpan]) -> MaskedSegment:
    """Replace each span by a placeholder (see `_PREFIXES` for the form and why)."""
    check_spans(text, spans)
    prefix = _choose_prefix(text)
    placeholders = tuple(f"{prefix}{i}" for i in range(1, len(spans) + 1))
    parts, cursor = [], 0
    unmaskable = None
    for span, placeholder in zip(spans, placeholders):
        # A placeholder glued to a letter or digit ("ZX1s", "aZX1", "ZX1ZX2")
        # no longer reads as one token, and its number could run into digits.
        before = text[span.start - 1] if span.start > 0 else " "
        after = text[span.end] if span.end < len(text) else " "
        if before.isalnum() or after.isalnum() or span.start == cursor and cursor > 0:
            unmaskable = "a fixed span touches a letter, a digit or another fixed span"
        parts.append(text[cursor:span.start])
        parts.append(placeholder)
        cursor = span.end
    parts.append(text[cursor:])
    return MaskedSegment(text, "".join(parts), tuple(spans), prefix, placeholders, unmaskable)


# -- split --------------------------------------------------------------------

TRANSLATE, FIXED, VERBATIM = "translate", "fixed", "verbatim"


@dataclass(frozen=True)
class Piece:
    text: str          # translate: what the model gets; fixed: the replacement; verbatim: kept as is
    kind: str          # TRANSLATE | FIXED | VERBATIM
    lead: str = ""     # whitespace around a text piece: kept verbatim, never sent to the model
    trail: str = ""
    span_index: int | None = None   # fixed pieces: index into the spans

    @property
    def translatable(self) -> bool:
        return self.kind == TRANSLATE


def split_around(text: str, spans: list[FixedSpan]) -> list[Piece]:
    """Text pieces and fixed pieces, in order; joined back they rebuild `text` exactly
    (with replacements in place of the spans)."""
    check_spans(text, spans)
    pieces, cursor = [], 0
    for index, span in enumerate(spans):
        pieces += _text_pieces(text[cursor:span.start])
        pieces.append(Piece(span.replacement, FIXED, span_index=index))
        cursor = span.end
    pieces += _text_pieces(text[cursor:])
    return pieces


def _text_pieces(chunk: str) -> list[Piece]:
    if not chunk:
        return []
    core = chunk.strip()
    # Whitespace or punctuation alone (", ", " – ", ".") carries nothing to
    # translate, and models given a lone comma answer with anything.
    if not any(ch.isalnum() for ch in core):
        return [Piece(chunk, VERBATIM)]
    start = chunk.index(core)
    return [Piece(core, TRANSLATE, chunk[:start], chunk[start + len(core):])]


def join_pieces(pieces: list[Piece], translated_texts: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The target text, and the target range of each fixed piece (in span order).

    `translated_texts` are the model outputs for the translatable pieces, in
    order; whitespace the model added at their ends is dropped, the source's
    own whitespace around each piece is put back exactly.
    """
    wanted = sum(p.translatable for p in pieces)
    if len(translated_texts) != wanted:
        raise ValueError(f"{len(translated_texts)} translations for {wanted} translatable pieces")
    outputs = iter(translated_texts)
    parts, spans, length = [], [], 0
    for piece in pieces:
        text = piece.lead + next(outputs).strip() + piece.trail if piece.translatable else piece.text
        if piece.kind == FIXED:
            spans.append((length, length + len(text)))
        parts.append(text)
        length += len(text)
    return "".join(parts), spans


# -- report -------------------------------------------------------------------

MAX_FAILURES_LISTED = 20  # per term: the count is exact, the list is a sample


@dataclass
class TermReport:
    entry_id: str
    term: str
    source_occurrences: int = 0
    rendered_occurrences: int = 0
    methods: dict[str, int] = field(default_factory=dict)   # rendered occurrences per method
    failed: int = 0
    failures: list[dict] = field(default_factory=list)      # [{"method", "reason"}], at most MAX_FAILURES_LISTED

    @property
    def method(self) -> str | None:
        """"mask" or "split" if every rendering used it, "mask+split" if both, None if none."""
        used = sorted(m for m, n in self.methods.items() if n)
        return "+".join(used) or None

    def add_failure(self, method: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_LISTED:
            self.failures.append({"method": method, "reason": reason})

    def copy(self) -> "TermReport":
        return TermReport(self.entry_id, self.term, self.source_occurrences, self.rendered_occurrences,
                          dict(self.methods), self.failed, [dict(f) for f in self.failures])

    def merge(self, other: "TermReport") -> "TermReport":
        return TermReport(self.entry_id, self.term or other.term,
                          self.source_occurrences + other.source_occurrences,
                          self.rendered_occurrences + other.rendered_occurrences,
                          {m: self.methods.get(m, 0) + other.methods.get(m, 0)
                           for m in sorted({*self.methods, *other.methods})},
                          self.failed + other.failed,
                          [dict(f) for f in (self.failures + other.failures)[:MAX_FAILURES_LISTED]])

    def to_dict(self) -> dict:
        return {
            "entry_id": self.entry_id, "term": self.term,
            "source_occurrences": self.source_occurrences, "rendered_occurrences": self.rendered_occurrences,
            "method": self.method, "methods": dict(self.methods),
            "failed": self.failed, "failures": [dict(f) for f in self.failures],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TermReport":
        return cls(data["entry_id"], data.get("term", ""), data.get("source_occurrences", 0),
                   data.get("rendered_occurrences", 0), dict(data.get("methods", {})),
                   data.get("failed", len(data.get("failures", []))), list(data.get("failures", [])))


@dataclass
class GlossaryReport:
    """Per glossary entry: source occurrences, renderings placed in the target, how, and failures."""

    terms: dict[str, TermReport] = field(default_factory=dict)

    def _term(self, entry_id: str, term: str | None) -> TermReport:
        return self.terms.setdefault(entry_id, TermReport(entry_id, term or ""))

    def record_occurrence(self, entry_id: str, term: str | None, method: str,
                          rendered: bool, reason: str | None = None) -> None:
        report = self._term(entry_id, term)
        report.source_occurrences += 1
        if rendered:
            report.rendered_occurrences += 1
            report.methods[method] = report.methods.get(method, 0) + 1
        else:
            report.add_failure(method, reason or "rendering could not be placed")

    def record(self, spans: list[FixedSpan], placed: list, method: str, reason: str | None = None) -> None:
        """One segment's spans; `placed[i]` is the target range of span i, or None/False if it failed.

        Spans without an entry_id (protected markup) are not glossary terms and are not counted.
        """
        placed = list(placed) + [None] * (len(spans) - len(placed))
        for span, target in zip(spans, placed):
            if span.entry_id is not None:
                self.record_occurrence(span.entry_id, span.term, method, bool(target), reason)

    def merge(self, *others: "GlossaryReport") -> "GlossaryReport":
        """A new report summing this one and `others` (e.g. all segments of an article)."""
        merged = GlossaryReport({entry_id: t.copy() for entry_id, t in self.terms.items()})
        for other in others:
            for entry_id, report in other.terms.items():
                mine = merged.terms.get(entry_id)
                merged.terms[entry_id] = mine.merge(report) if mine else report.copy()
        return merged

    @property
    def source_occurrences(self) -> int:
        return sum(t.source_occurrences for t in self.terms.values())

    @property
    def rendered_occurrences(self) -> int:
        return sum(t.rendered_occurrences for t in self.terms.values())

    def to_dict(self) -> dict:
        return {
            "terms": [t.to_dict() for t in sorted(self.terms.values(), key=lambda t: (t.term.casefold(), t.entry_id))],
            "source_occurrences": self.source_occurrences,
            "rendered_occurrences": self.rendered_occurrences,
            "failed": sum(t.failed for t in self.terms.values()),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "GlossaryReport":
        return cls({t["entry_id"]: TermReport.from_dict(t) for t in data.get("terms", [])})
