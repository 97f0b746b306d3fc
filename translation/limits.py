"""How much one request may ask of a worker, checked at submission and again
where the work happens.

Decoding cost grows much faster than linearly with a segment's length (beam
search over a transformer: about the cube on the engine's models), so no
segment may exceed MAX_SEGMENT_CHARS characters or MAX_SEGMENT_TOKENS model
tokens: longer sentences are split (translation/segmentation.py: at clause
punctuation, then at whitespace; never truncated). What cannot be split that
way (a run of characters without whitespace, a protected span) is refused at
submission with 422 naming the limit.

The submission check is cheap on purpose (no sentence segmentation in the
request path: pysbd costs about 40 µs per character): a segment can always be
cut at whitespace, so "every word fits" is exactly "every segment can be made
to fit", and only long words need the tokenizer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from config import Settings

# Sentence-ending marks followed by whitespace or the end, and CJK full stops:
# each can end at most one sentence, so paragraphs + marks bounds the sentences.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)|[。！？]+")


class LimitExceeded(ValueError):
    """A request over one of the configured limits; `setting` names it."""

    def __init__(self, setting: str, limit: int, detail: str):
        super().__init__(detail)
        self.setting = setting
        self.limit = limit


@dataclass(frozen=True)
class SegmentLimits:
    max_chars: int = Settings.max_segment_chars
    max_tokens: int = Settings.max_segment_tokens
    max_segments: int = Settings.max_segments_per_article

    @classmethod
    def from_settings(cls, settings) -> "SegmentLimits":
        return cls(settings.max_segment_chars, settings.max_segment_tokens, settings.max_segments_per_article)


@dataclass(frozen=True)
class SegmentBudget:
    """What one segment may hold for one model: characters, and tokens as its tokenizer counts them."""

    max_chars: int
    max_tokens: int
    count_tokens: Callable[[str], int] | None = None

    def fits(self, text: str) -> bool:
        if len(text) > self.max_chars:
            return False
        # A SentencePiece piece covers at least one character (or one byte with
        # byte fallback), so short texts need no tokenizing.
        if self.count_tokens is None or 4 * (len(text) + 1) <= self.max_tokens:
            return True
        return self.count_tokens(text) <= self.max_tokens

    def too_long(self, text: str, what: str) -> LimitExceeded:
        if len(text) > self.max_chars:
            return LimitExceeded(
                "MAX_SEGMENT_CHARS",
                self.max_chars,
                f"{what} of {len(text)} characters cannot be split below MAX_SEGMENT_CHARS="
                f"{self.max_chars} (no clause punctuation or whitespace to split at): {_preview(text)}",
            )
        tokens = self.count_tokens(text) if self.count_tokens else 0
        return LimitExceeded(
            "MAX_SEGMENT_TOKENS",
            self.max_tokens,
            f"{what} of {tokens} model tokens cannot be split below MAX_SEGMENT_TOKENS="
            f"{self.max_tokens} (no clause punctuation or whitespace to split at): {_preview(text)}",
        )


def _preview(text: str) -> str:
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


@lru_cache(maxsize=64)
def token_counter(model) -> Callable[[str], int] | None:
    """Token count of a text as the model's own tokenizer encodes it, read from
    the model's files without loading the model (the API counts too); None for
    an engine whose tokenizer is not readable that way: its segments are bounded
    by MAX_SEGMENT_CHARS (and the bergamot engine cuts its input at 60 words)."""
    if model.engine != "argos":
        return None
    from argostranslate.package import Package

    tokenizer = Package(Path(model.location)).tokenizer
    return lambda text: len(tokenizer.encode(text))


def check_units(
    texts: Iterable[tuple[str, list[tuple[int, int]]]], limits: SegmentLimits, budgets: list[SegmentBudget]
) -> None:
    """Refuse an article that no splitting could bring within the limits.

    `texts` are the article's units as (text, protected spans); `budgets` one
    per model that reads the source (the first model of each target's route).
    """
    # Only words long enough to possibly not fit are looked at (a linear regex scan).
    shortest = min([b.max_chars + 1 for b in budgets] + [b.max_tokens // 4 for b in budgets], default=0)
    long_word = re.compile(r"\S{%d,}" % max(1, shortest))
    sentences = 0
    for text, protected in texts:
        if not text.strip():
            continue
        sentences += 1 + len(_SENTENCE_END.findall(text))
        for word in long_word.finditer(text) if budgets else ():
            _check_piece(word.group(), "a word", budgets)
        for start, end in protected:
            _check_piece(text[start:end], "a protected span (code or markup kept as is)", budgets)
    if sentences > limits.max_segments:
        raise LimitExceeded(
            "MAX_SEGMENTS_PER_ARTICLE",
            limits.max_segments,
            f"the article has about {sentences} sentences (paragraphs and sentence-ending marks), "
            f"more than MAX_SEGMENTS_PER_ARTICLE={limits.max_segments}",
        )


def _check_piece(piece: str, what: str, budgets: list[SegmentBudget]) -> None:
    for budget in budgets:
        if not budget.fits(piece):
            raise budget.too_long(piece, what)
