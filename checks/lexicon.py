"""Whether English writes a word in lower case: Webster's word list (english_words' web2), read the way the
Title Case headlines are (translation/headlines.py, which loads it once per process).

The names check's list of common words comes from the model's joint English and Portuguese vocabulary, so it
holds Portuguese words ("rosa", "paz") and given names the vocabulary has in lower case; Webster's list tells
an English common word ("court", "rangers": ranger) from a word English writes only as a name (Rosa, James).
"""

from __future__ import annotations

from functools import lru_cache

from translation.headlines import _lemmas, _lexicon


@lru_cache(maxsize=4096)
def english_lower_case(word: str) -> bool:
    """`word` (any case) or the form an inflection comes from is in Webster's list in lower case."""
    return any(form in _lexicon() for form in _lemmas(word.lower()))


def english_name(word: str) -> bool:
    """Webster's list has `word` capitalised: a name (Daniel, Paris, Rosa), whatever else it may be."""
    return word[:1].upper() + word[1:].lower() in _lexicon()
