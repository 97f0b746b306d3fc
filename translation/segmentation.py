"""Sentence segmentation with pysbd: rule-based, offline, news-abbreviation aware.

Argos's default splitter (MiniSBD) downloads a model on first use and its
alternative (stanza) needs PyTorch; pysbd is pure Python and knows "U.S.",
"Gen." and "Jan. 5".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pysbd

# Languages pysbd has rules for; anything else uses the English rules, which
# are a sensible default for Latin-script news text.
_PYSBD_LANGUAGES = {
    "en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl",
    "fa", "nl", "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk",
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
    cursor = 0
    for piece in _segmenter(lang).segment(text):
        # pysbd (clean=False) returns consecutive pieces; locate each one from
        # the cursor instead of trusting its offsets, which repeat on
        # duplicate sentences.
        at = text.find(piece, cursor)
        if at < 0:  # defensive: pysbd altered the text; keep it whole
            return _whole(text)
        cursor = at + len(piece)
        stripped = piece.strip()
        if not stripped:
            continue
        start = at + piece.index(stripped[0])
        spans.append(Sentence(start, start + len(stripped)))
    if cursor < len(text) and text[cursor:].strip():
        return _whole(text)
    return _merge_across(spans, unbreakable)


def _whole(text: str) -> list[Sentence]:
    stripped = text.strip()
    if not stripped:
        return []
    start = text.index(stripped[0])
    return [Sentence(start, start + len(stripped))]


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
