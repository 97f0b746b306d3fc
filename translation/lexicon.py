"""Webster's word list (english_words' web2, 236,000 words, public domain) as
English writes each word: "court" in lower case, "Rosa" capitalised, "China"
and "china" both. The Title Case headline rule (translation/headlines.py) and
the names check (checks/names.py) ask it whether a word is a common word.

Kept as one sorted string searched by bisection, not a set: the set of
236,000 str objects stays in a worker process (26 MB), the string and its
offsets leave 7 MB once built (the package's pickled set passes through on
the way: 34 MB at the peak). Loaded once per process, on first use (0.3 s)."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence
from functools import lru_cache


class _SortedWords(Sequence):
    """The words in code-point order, read out of one string by their offsets."""

    def __init__(self, words: list[str]):
        words.sort()
        self._text = "".join(words)
        self._starts = array("I", [0])
        for word in words:
            self._starts.append(self._starts[-1] + len(word))

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, index):  # ints only: what bisect asks for
        return self._text[self._starts[index] : self._starts[index + 1]]

    def __contains__(self, word: object) -> bool:
        at = bisect.bisect_left(self, word)
        return at < len(self) and self[at] == word


@lru_cache(maxsize=1)
def _words() -> _SortedWords:
    from english_words import get_english_words_set

    return _SortedWords(list(get_english_words_set(["web2"], lower=False)))


@lru_cache(maxsize=8192)
def has(word: str) -> bool:
    """`word` is in the list written exactly so ("court", "Rosa")."""
    return word in _words()


def lemmas(word: str) -> list[str]:
    """The word and the forms an English inflection may come from (rises ->
    rise, churches -> church, mauls -> maul, embarked -> embark)."""
    forms = [word, re.split(r"['’]", word)[0]]  # "won't" -> "won"
    doubled = re.match(r"(.*([b-df-hj-np-tv-z])\2)(?:ed|ing)$", word)  # stabbed -> stab
    if doubled:
        forms.append(doubled.group(1)[:-1])
    for suffix, replacements in (
        ("ies", ("y",)),
        ("es", ("", "e")),
        ("s", ("",)),
        ("ied", ("y",)),
        ("ed", ("", "e")),
        ("ing", ("", "e")),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms += [word[: -len(suffix)] + r for r in replacements]
    return forms


def lower_case(word: str) -> bool:
    """`word` (any case), or the form an inflection comes from, is in the list in lower case."""
    return any(has(form) for form in lemmas(word.lower()))


def name(word: str) -> bool:
    """The list has `word` capitalised: a name (Daniel, Paris, Rosa), whatever else it may be."""
    return has(word[:1].upper() + word[1:].lower())
