"""Repetition loops: a phrase the translation repeats and the source does not.

A sequence of words said twice in a row ("the the", "de acordo com de acordo
com"), or a phrase of three or more words said twice anywhere, is a finding
when the source has no repetition of its own as long. Models that run away
repeat; people rarely do.
"""

from __future__ import annotations

from checks.findings import WARNING, Finding, Pair
from checks.length import FUNCTION_WORDS
from checks.text import fold, quote, words

MAX_N = 8  # longest repeated phrase looked for, in words
ANYWHERE_N = 4  # phrases this long count even when not adjacent


def repeats(tokens: list[str], short_words: bool = False, anywhere: bool = True) -> tuple[int, int, int, bool] | None:
    """(start, length n, count, adjacent) of the longest phrase repeated: adjacent for any n, anywhere (unless not
    `anywhere`) for n >= ANYWHERE_N. A word of one or two letters said twice ("é é", "a a") counts only with
    `short_words`."""
    for n in range(min(MAX_N, len(tokens) // 2), 0, -1):
        for i in range(len(tokens) - 2 * n + 1):
            gram = tokens[i : i + n]
            if gram == tokens[i + n : i + 2 * n] and (n > 1 or short_words or len(gram[0]) > 2 and gram[0].isalpha()):
                count = 2
                while tokens[i + count * n : i + (count + 1) * n] == gram:
                    count += 1
                return i, n, count, True
        if anywhere and n >= ANYWHERE_N:
            first = _said_again(tokens, n)
            if first is not None:
                return first, n, 2, False
    return None


def _said_again(tokens: list[str], n: int, counts=lambda phrase: True) -> int | None:
    """Where a phrase of `n` words that `counts` first stands, when it is said again further on (not overlapping)."""
    seen: dict[tuple, int] = {}
    for i in range(len(tokens) - n + 1):
        key = tuple(tokens[i : i + n])
        if key in seen and i >= seen[key] + n and counts(key):
            return seen[key]
        seen.setdefault(key, i)
    return None


def says_twice(tokens: list[str]) -> bool:
    """A phrase of two words or more, one of them a content word ("north korea's", not "of the"), said twice."""

    def has_content(phrase: tuple) -> bool:
        return any(len(w) > 3 and w not in FUNCTION_WORDS for w in phrase)

    return any(_said_again(tokens, n, has_content) is not None for n in range(2, MAX_N + 1))


def check(pair: Pair, source: str, target: str) -> list[Finding]:
    tgt = words(pair.target)
    target_words = [fold(w.group()) for w in tgt]
    source_words = [fold(w.group()) for w in words(pair.source)]
    found = repeats(target_words)
    # A phrase said again further on, where the source also names something twice ("North Korea's ... North
    # Korea's" is "da Coreia do Norte ... da Coreia do Norte": two words became four) is the translation of a
    # repeat, not a loop; a loop repeats in a row, and is still looked for.
    if found is not None and not found[3] and says_twice(source_words):
        found = repeats(target_words, anywhere=False)
    if found is None:
        return []
    start, n, count, _ = found
    own = repeats(source_words, short_words=True)
    if own is not None and own[1] >= n:
        return []  # the source repeats as much: a refrain, a list
    span = (tgt[start].start(), tgt[start + n - 1].end())
    return [
        Finding(
            "repetition",
            "repetition",
            WARNING,
            f"{quote(pair.target[span[0] : span[1]])} is repeated ({count} times), the source does not repeat it",
            None,
            span,
        )
    ]
