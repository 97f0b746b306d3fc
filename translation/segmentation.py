"""Sentence segmentation with pysbd: rule-based, offline, news-abbreviation aware.

Argos's default splitter (MiniSBD) downloads a model on first use and its
alternative (stanza) needs PyTorch; pysbd is pure Python and knows "U.S.",
"Gen." and "Jan. 5".

Two guards around it keep the work bounded:
- pysbd's cost per character grows with the length of what it is given (a
  1 MiB paragraph without punctuation took 12 minutes), so paragraphs longer
  than `PRESPLIT_CHARS` are first cut into chunks at a likely sentence end
  (else at whitespace) and pysbd sees one chunk at a time: linear overall.
- `_repair` undoes pysbd's cuts that news text shows to be wrong (measured on
  the NTREX development half): a closing quotation mark cut off as a sentence
  of its own, "7 p.m. | ET", a quoted name (`"Hans" | Geiger died`) and an
  attribution after a quotation (`"…water!'" | Hammel added.`). The
  model translates what it is given: a lone `"` comes back as a stray quote and
  the sentence before it loses its closing mark.
- `split_to_fit` cuts a sentence too long for the model at clause
  punctuation, then at whitespace, never inside a glossary term or protected
  span, and never drops text: what cannot be cut raises LimitExceeded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import pysbd

from translation.limits import SegmentBudget

# pysbd costs about 40 µs per character up to here, and grows beyond.
PRESPLIT_CHARS = 2000

# A likely sentence end: terminal punctuation (with closing quotes) then whitespace.
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|(?<=[。！？])\s*")
# Clause boundaries: after a comma, semicolon or colon, or before a spaced dash.
_CLAUSE_GAP = re.compile(r"(?<=[,;:])\s+|(?<=[，、；：])\s*|\s+(?=[–—]\s)")
_WHITESPACE_GAP = re.compile(r"\s+")

# Languages pysbd has rules for; anything else uses the English rules, which
# are a sensible default for Latin-script news text.
_PYSBD_LANGUAGES = {
    "en",
    "hi",
    "mr",
    "zh",
    "es",
    "am",
    "ar",
    "hy",
    "bg",
    "ur",
    "ru",
    "pl",
    "fa",
    "nl",
    "da",
    "fr",
    "my",
    "el",
    "it",
    "ja",
    "de",
    "kk",
    "sk",
}


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # exclusive; text[start:end] has no leading or trailing whitespace


@lru_cache(maxsize=32)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGUAGES else "en", clean=False)


def split_sentences(text: str, lang: str, unbreakable: list[tuple[int, int]] = ()) -> list[Sentence]:
    """Sentence spans of `text`, trimmed of surrounding whitespace.

    `unbreakable` spans (inline code, protected markup) never contain a
    sentence boundary: sentences cut inside one are merged back together.
    """
    spans: list[Sentence] = []
    for chunk_start, chunk_end in presplit(text, unbreakable):
        spans.extend(_pysbd_spans(text, chunk_start, chunk_end, lang))
    spans = _merge_across(spans, unbreakable)
    return _repair(text, spans) if lang == "en" else spans


# What may follow "7 p.m." in the same sentence: a time zone, a day, a date.
_AFTER_TIME = re.compile(
    r"(?:[ECMP][SD]?T|GMT|BST|UTC|local|Eastern|Central|Mountain|Pacific|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|tonight|"
    r"Jan|Feb|March|April|May|June|July|Aug|Sept?|Oct|Nov|Dec)\b"
)
_TIME_END = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_OPEN_QUOTE, _CLOSE_QUOTE = "\"“'‘«", "\"”'’»"
# A quoted word or name with no sentence punctuation inside: `"Hans"`, `'Ye'`.
_QUOTED_NAME = re.compile(r"[\"“'‘«][^\"“”'‘’«».!?]{1,40}[\"”'’»]")
# A short attribution after a quotation: "Hammel added.", "said Mr Jones."
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w.'’-]*\s+){0,4}(?:said|says|added|adds|asked|told|wrote|explained|continued|replied|shouted)\b"
    r"[^.!?]{0,60}[.!?]$"
)


def _repair(text: str, spans: list[Sentence]) -> list[Sentence]:
    repaired: list[Sentence] = []
    for span in spans:
        if repaired and _continues(text[repaired[-1].start : repaired[-1].end], text[span.start : span.end]):
            repaired[-1] = Sentence(repaired[-1].start, span.end)
        else:
            repaired.append(span)
    return repaired


def _continues(previous: str, current: str) -> bool:
    """Whether `current` is not a sentence of its own but the rest of `previous`."""
    if not any(ch.isalnum() for ch in current):
        return True  # a closing quotation mark, a lone bracket or dash
    if _TIME_END.search(previous) and (current[0].islower() or current[0].isdigit() or _AFTER_TIME.match(current)):
        return True
    if _QUOTED_NAME.fullmatch(previous):
        return True
    # After a quotation, "he said." or "Hammel added." is the end of the same sentence.
    quoted = previous.rstrip(_CLOSE_QUOTE)
    return quoted != previous and (
        current[0].islower() and quoted[-1:] in ("!", "?") or bool(_ATTRIBUTION.fullmatch(current))
    )


def _pysbd_spans(text: str, start: int, end: int, lang: str) -> list[Sentence]:
    chunk = text[start:end]
    spans: list[Sentence] = []
    cursor = 0
    for piece in _segmenter(lang).segment(chunk):
        # pysbd (clean=False) returns consecutive pieces; locate each one from
        # the cursor instead of trusting its offsets, which repeat on
        # duplicate sentences.
        at = chunk.find(piece, cursor)
        if at < 0:  # defensive: pysbd altered the text; keep it whole
            return _whole(chunk, start)
        cursor = at + len(piece)
        stripped = piece.strip()
        if not stripped:
            continue
        first = start + at + piece.index(stripped[0])
        spans.append(Sentence(first, first + len(stripped)))
    if cursor < len(chunk) and chunk[cursor:].strip():
        return _whole(chunk, start)
    return spans


def _whole(text: str, offset: int = 0) -> list[Sentence]:
    stripped = text.strip()
    if not stripped:
        return []
    start = offset + text.index(stripped[0])
    return [Sentence(start, start + len(stripped))]


def presplit(text: str, unbreakable=(), size: int = PRESPLIT_CHARS) -> list[tuple[int, int]]:
    """Cut text into chunks of at most `size` characters for pysbd: at the last
    likely sentence end in the second half of each window, else the last
    whitespace, else (one unbroken run) at the window's end."""
    chunks = []
    start = 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        cut = (
            _last_gap(_SENTENCE_GAP, text, low, high, unbreakable)
            or _last_gap(_WHITESPACE_GAP, text, low, high, unbreakable)
            or _outside(high, unbreakable)
        )
        if cut <= start:  # an unbreakable span covers the whole window
            cut = high
        chunks.append((start, cut))
        start = cut
    chunks.append((start, len(text)))
    return chunks


def _last_gap(pattern: re.Pattern, text: str, low: int, high: int, unbreakable) -> int | None:
    last = None
    for match in pattern.finditer(text, low, high):
        if _cuttable(match.start(), match.end(), unbreakable):
            last = match.end()
    return last


def _outside(position: int, unbreakable) -> int:
    """`position`, moved back to the start of an unbreakable span it falls inside."""
    for start, end in unbreakable:
        if start < position < end:
            return start
    return position


def _cuttable(gap_start: int, gap_end: int, unbreakable) -> bool:
    """A cut removing text[gap_start:gap_end] (whitespace) leaves every unbreakable span whole."""
    return not any(start < gap_end and gap_start < end or start < gap_start < end for start, end in unbreakable)


def split_to_fit(text: str, budget: SegmentBudget, unbreakable=()) -> list[tuple[int, int]]:
    """(start, end) pieces of a sentence, each within the budget: cut at clause
    punctuation first, then at whitespace, packing as much as fits into each
    piece. Raises LimitExceeded for a piece no cut can shorten enough."""
    pieces = [(0, len(text))]
    for gaps in (_CLAUSE_GAP, _WHITESPACE_GAP):
        pieces = [
            part
            for start, end in pieces
            for part in (
                [(start, end)]
                if budget.fits(text[start:end])
                else _pack(text, start, end, gaps, budget.fits, unbreakable)
            )
        ]
    for start, end in pieces:
        if not budget.fits(text[start:end]):
            raise budget.too_long(text[start:end], "a sentence piece")
    return pieces


def _pack(
    text: str, start: int, end: int, gaps: re.Pattern, fits: Callable[[str], bool], unbreakable
) -> list[tuple[int, int]]:
    atoms, cursor = [], start
    for match in gaps.finditer(text, start, end):
        if cursor < match.start() and match.end() < end and _cuttable(match.start(), match.end(), unbreakable):
            atoms.append((cursor, match.start()))
            cursor = match.end()
    atoms.append((cursor, end))
    pieces = [atoms[0]]
    for atom_start, atom_end in atoms[1:]:
        if fits(text[pieces[-1][0] : atom_end]):
            pieces[-1] = (pieces[-1][0], atom_end)
        else:
            pieces.append((atom_start, atom_end))
    return pieces


def _merge_across(spans: list[Sentence], unbreakable) -> list[Sentence]:
    merged: list[Sentence] = []
    for span in spans:
        previous = merged[-1] if merged else None
        # The boundary between two sentences cuts an unbreakable span when the
        # span starts before the next sentence and ends after the previous one.
        if previous and any(s < span.start and e > previous.end for s, e in unbreakable):
            merged[-1] = Sentence(previous.start, span.end)
        else:
            merged.append(span)
    return merged
