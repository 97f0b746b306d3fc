"""Enforcing fixed spans around a translation model: the two interventions.

A segment is plain text plus "fixed spans": character ranges whose target text
is decided before the model runs (glossary renderings; protected spans such as
inline code, whose replacement is the source text itself). The model first
translates the sentence as is and `glossary.placement` accepts what it wrote
or replaces its own words for a term; what is still missing needs one of
these two, both independent of any glossary model:

mask    the missing spans become placeholders, the whole sentence is translated
        again (the model sees the full context), then `restore` checks that
        every placeholder came back exactly once and puts the replacements in.
split   the sentence is cut at its spans; only the text between them goes to
        the model and the replacements are inserted verbatim. Needs nothing
        from the model, at the price of less context: the fallback when
        `restore` fails.

What happened to each term is recorded in `glossary.report`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from glossary.grammar import Grammar

MASK, SPLIT = "mask", "split"
TERM_ONLY = "term_only"  # the segment is nothing but fixed spans: nothing went to the model


@dataclass(frozen=True)
class FixedSpan:
    start: int
    end: int
    replacement: str
    entry_id: str | None = None  # None: protected markup, not a glossary term
    term: str | None = None  # the entry's canonical term, for reports
    grammar: Grammar | None = None  # the rendering's, in the target language (glossary.grammar)


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

# Two kinds of placeholder (GLOSSARY_PLACEHOLDERS), chosen by what a real
# model does to the sentence around them (README, "Glossary placeholders",
# measured by `make quality`):
#
# names  "Zorblax", "Quenvik", …: pronounceable made-up proper nouns, none of
#        them a word of any language and each checked absent from the segment.
#        A model copies an unknown capitalised name as it copies any foreign
#        name, and writes the sentence around it as around a name: on the
#        Bergamot en→pt model they survive as often as codes and cause fewer
#        wrong articles ("da Kiev", "as conchas da 155 milímetros") and fewer
#        dropped quotation marks.
# codes  "ZX1", "ZX2", …: two capital letters that begin almost no word in any
#        language, then a number. Models copy unknown all-caps alphanumeric
#        tokens verbatim (model numbers, acronyms: "F16", "M777"), but treat
#        them as nouns of their own gender ("apoiadores ocidentais da ZX1").
#        Also the fallback for a segment with more terms than names.
#
# Unlike XML tags or brackets ("<x1/>", "[[1]]", "{0}"), which these models
# never saw in training and tend to drop, translate or duplicate (and "{1}"
# makes the Bergamot model invent content), both read like a proper noun. Each
# placeholder is absent from the source, so anything placeholder-like in the
# output can only come from a placeholder.
CODES, NAMES = "codes", "names"
SCHEMES = (NAMES, CODES)
DEFAULT_SCHEME = NAMES

_PREFIXES = ("ZX", "QX", "XQ", "ZQ", "QZ", "XZ", "JQ", "QJ", "ZJ", "JZ")
# The first eight were measured on the Bergamot en→pt model (109 of 110 came
# back exactly); none is a word in the languages of the Argos catalogue.
_NAMES = (
    "Zorblax",
    "Quenvik",
    "Tavromir",
    "Brixholm",
    "Velkaro",
    "Drumvek",
    "Kelmsby",
    "Yorvane",
    "Pellimor",
    "Gravosk",
    "Dunthal",
    "Orvesk",
)
_ALNUM = r"[^\W_]"  # letters and digits


def _choose_prefix(text: str) -> str:
    for prefix in itertools.chain(
        _PREFIXES, ("".join(p) for n in itertools.count(3) for p in itertools.product("JQXZ", repeat=n))
    ):
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


def _placeholders(text: str, count: int, scheme: str) -> tuple[tuple[str, ...], str | None, re.Pattern]:
    """`count` placeholders absent from `text`, the codes' prefix (None for
    names), and a pattern for anything that looks like a placeholder in the
    output, damaged or not."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown placeholder scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if scheme == NAMES:
        folded = text.casefold()
        names = [name for name in _NAMES if name.casefold() not in folded]
        if len(names) >= count:
            chosen = tuple(names[:count])
            alternatives = "|".join(re.escape(name) for name in chosen) or "(?!)"
            return chosen, None, re.compile(rf"{_ALNUM}*(?:{alternatives}){_ALNUM}*", re.IGNORECASE)
    prefix = _choose_prefix(text)
    return tuple(f"{prefix}{i}" for i in range(1, count + 1)), prefix, _loose_pattern(prefix)


@dataclass(frozen=True)
class RestoreResult:
    ok: bool
    text: str | None  # the target text with replacements; None unless ok
    spans: list[tuple[int, int]]  # target range of each span, in span order (empty unless ok)
    restored: list[bool]  # per span: its placeholder came back exactly once
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MaskedSegment:
    source: str
    text: str  # what the model translates
    spans: tuple[FixedSpan, ...]
    placeholders: tuple[str, ...]  # placeholders[i] stands for spans[i]
    prefix: str | None  # codes: their letters ("ZX"); names: None
    lookalike: re.Pattern  # anything resembling a placeholder, damaged or not
    unmaskable: str | None = None  # why masking cannot work for this segment (use split)

    def restore(self, translated: str) -> RestoreResult:
        """Verify the model output and put the replacements in; never drops or duplicates."""
        count = len(self.spans)
        if self.unmaskable:
            return RestoreResult(False, None, [], [False] * count, [self.unmaskable])
        problems = []
        if self.prefix:  # codes: the number says which span
            exact = re.compile(rf"(?<!{_ALNUM}){re.escape(self.prefix)}([0-9]+)(?!{_ALNUM})")
            found = []
            for m in exact.finditer(translated):
                if 1 <= int(m.group(1)) <= count:
                    found.append((m.start(), m.end(), int(m.group(1)) - 1))
                else:
                    problems.append(f"invented placeholder {m.group(0)}")
            exact_starts = {m.start() for m in exact.finditer(translated)}
        else:
            index = {placeholder: i for i, placeholder in enumerate(self.placeholders)}
            alternatives = "|".join(re.escape(p) for p in self.placeholders) or "(?!)"
            exact = re.compile(rf"(?<!{_ALNUM})(?:{alternatives})(?!{_ALNUM})")
            found = [(m.start(), m.end(), index[m.group(0)]) for m in exact.finditer(translated)]
            exact_starts = {start for start, _, _ in found}
        problems += [
            f"altered placeholder {m.group(0)!r}"
            for m in self.lookalike.finditer(translated)
            if m.start() not in exact_starts
        ]
        seen: dict[int, int] = {}
        for _, _, i in found:
            seen[i] = seen.get(i, 0) + 1
        restored = [seen.get(i, 0) == 1 for i in range(count)]
        for i in range(count):
            if seen.get(i, 0) == 0:
                problems.append(f"placeholder {self.placeholders[i]} missing")
            elif seen[i] > 1:
                problems.append(f"placeholder {self.placeholders[i]} appears {seen[i]} times")
        if problems:
            return RestoreResult(False, None, [], restored, problems)
        parts, cursor, length = [], 0, 0
        target: dict[int, tuple[int, int]] = {}
        for start, end, i in found:  # in output order: the model may reorder
            parts.append(translated[cursor:start])
            length += start - cursor
            replacement = self.spans[i].replacement
            target[i] = (length, length + len(replacement))
            parts.append(replacement)
            length += len(replacement)
            cursor = end
        parts.append(translated[cursor:])
        return RestoreResult(True, "".join(parts), [target[i] for i in range(count)], restored, [])


def mask(text: str, spans: list[FixedSpan], scheme: str = DEFAULT_SCHEME) -> MaskedSegment:
    """Replace each span by a placeholder of `scheme` (see SCHEMES above for the forms and why)."""
    check_spans(text, spans)
    placeholders, prefix, lookalike = _placeholders(text, len(spans), scheme)
    parts, cursor = [], 0
    unmaskable = None
    for span, placeholder in zip(spans, placeholders):
        # A placeholder glued to a letter or digit ("ZX1s", "aZX1", "ZX1ZX2")
        # no longer reads as one token, and its number could run into digits.
        before = text[span.start - 1] if span.start > 0 else " "
        after = text[span.end] if span.end < len(text) else " "
        if before.isalnum() or after.isalnum() or span.start == cursor and cursor > 0:
            unmaskable = "a fixed span touches a letter, a digit or another fixed span"
        parts.append(text[cursor : span.start])
        parts.append(placeholder)
        cursor = span.end
    parts.append(text[cursor:])
    return MaskedSegment(text, "".join(parts), tuple(spans), placeholders, prefix, lookalike, unmaskable)


# -- split --------------------------------------------------------------------

TRANSLATE, FIXED, VERBATIM = "translate", "fixed", "verbatim"


@dataclass(frozen=True)
class Piece:
    text: str  # translate: what the model gets; fixed: the replacement; verbatim: kept as is
    kind: str  # TRANSLATE | FIXED | VERBATIM
    lead: str = ""  # whitespace around a text piece: kept verbatim, never sent to the model
    trail: str = ""
    span_index: int | None = None  # fixed pieces: index into the spans

    @property
    def translatable(self) -> bool:
        return self.kind == TRANSLATE


def split_around(text: str, spans: list[FixedSpan]) -> list[Piece]:
    """Text pieces and fixed pieces, in order; joined back they rebuild `text` exactly
    (with replacements in place of the spans)."""
    check_spans(text, spans)
    pieces, cursor = [], 0
    for index, span in enumerate(spans):
        pieces += _text_pieces(text[cursor : span.start])
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
    return [Piece(core, TRANSLATE, chunk[:start], chunk[start + len(core) :])]


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
    for index, piece in enumerate(pieces):
        if piece.translatable:
            text = next(outputs).strip()
            before = pieces[index - 1] if index > 0 else None
            after = pieces[index + 1] if index + 1 < len(pieces) else None
            text = (
                _separator(before, piece, text, at_start=True)
                + piece.lead
                + text
                + piece.trail
                + _separator(after, piece, text, at_start=False)
            )
        else:
            text = piece.text
        if piece.kind == FIXED:
            spans.append((length, length + len(text)))
        parts.append(text)
        length += len(text)
    return "".join(parts), spans


def _separator(neighbour: Piece | None, piece: Piece, translated: str, at_start: bool) -> str:
    """A space where a rendering would otherwise run into a translated word.

    In the source a term always meets its text piece at a word boundary, but
    not always at whitespace ("NATO's stockpiles", "anti-NATO"); the model
    translates the piece without that punctuation ("dos stocks"), and joined
    as is the rendering would glue to it ("OTANdos stocks")."""
    if neighbour is None or neighbour.kind != FIXED or not translated or not neighbour.text:
        return ""
    if at_start:
        glued = not piece.lead and neighbour.text[-1].isalnum() and translated[0].isalnum()
        return " " if glued and not piece.text[0].isalnum() else ""
    glued = not piece.trail and translated[-1].isalnum() and neighbour.text[0].isalnum()
    return " " if glued and not piece.text[-1].isalnum() else ""
