"""Repetition loops: a phrase the translation repeats and the source does not.

A sequence of words said twice in a row ("the the", "de acordo com de acordo
com"), or a phrase of three or more words said twice anywhere, is a finding
when the source has no repetition of its own as long. Models that run away
repeat; people rarely do.
"""

from __future__ import annotations

from checks.findings import WARNING, Finding, Pair
from checks.text import fold, quote, words

MAX_N = 8  # longest repeated phrase looked for, in words
ANYWHERE_N = 4  # phrases this long count even when not adjacent


def repeats(tokens: list[str], short_words: bool = False) -> tuple[int, int, int] | None:
    """(start, length n, count) of the longest phrase repeated: adjacent for any n, anywhere for n >= ANYWHERE_N.
    A word of one or two letters said twice ("é é", "a a") counts only with `short_words`."""
    for n in range(min(MAX_N, len(tokens) // 2), 0, -1):
        for i in range(len(tokens) - 2 * n + 1):
            gram = tokens[i : i + n]
            if gram == tokens[i + n : i + 2 * n] and (n > 1 or short_words or len(gram[0]) > 2 and gram[0].isalpha()):
                count = 2
                while tokens[i + count * n : i + (count + 1) * n] == gram:
                    count += 1
                return i, n, count
        if n >= ANYWHERE_N:
            seen: dict[tuple, int] = {}
            for i in range(len(tokens) - n + 1):
                key = tuple(tokens[i : i + n])
                if key in seen and i >= seen[key] + n:
                    return seen[key], n, 2
                seen.setdefault(key, i)
    return None


def check(pair: Pair, source: str, target: str) -> list[Finding]:
    tgt = words(pair.target)
    found = repeats([fold(w.group()) for w in tgt])
    if found is None:
        return []
    start, n, count = found
    own = repeats([fold(w.group()) for w in words(pair.source)], short_words=True)
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
