"""Small text helpers shared by the checks: words with their offsets, folding."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex
from babel import Locale, UnknownLocaleError

# A word: letters and digits, with inner apostrophes and hyphens (don't, pré-sal).
WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*")
# A possessive's ending ("SCIS's" is SCIS, "Waters'" is Waters); compiled once: the checks strip every word.
POSSESSIVE = regex.compile(r"['’]s?$")


@lru_cache(maxsize=1 << 16)  # words, mostly, and the same ones again and again: 880,000 calls for 988 segments
def fold(text: str) -> str:
    """Lower case without accents: "Londres" and "londres", "Comissão" and "comissao" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[regex.Match]:
    return list(WORD.finditer(text))


def word_list(text: str) -> list[str]:
    return [fold(m.group()) for m in WORD.finditer(text)]


def quote(text: str, limit: int = 60) -> str:
    """`text` as a message quotes it: “…”, cut to `limit` characters."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def fold_keep_length(text: str) -> str:
    """`fold`, one character for one, so offsets into the result are offsets into `text`."""
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch.lower()[:1] or ch)
    return "".join(out)


@lru_cache(maxsize=64)
def cldr(lang: str) -> Locale | None:
    """babel's CLDR data for a language code ("pt", "pt-BR"); None for a code CLDR does not know (a test
    model's language), whose numbers and dates are then read the English way and whose names have no exonyms."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def number_symbols(lang: str) -> tuple[str, str]:
    """(group, decimal) separators of `lang`'s numbers."""
    locale = cldr(lang) or cldr("en")
    assert locale is not None  # English is always in CLDR
    return locale.number_symbols["latn"]["group"], locale.number_symbols["latn"]["decimal"]


def calendar_names(lang: str) -> tuple[dict[int, str], dict[int, str]]:
    """Wide month names (1-12) and weekday names (0-6) of `lang`; none for a code CLDR does not know."""
    locale = cldr(lang)
    if locale is None:
        return {}, {}
    return dict(locale.months["format"]["wide"]), dict(locale.days["format"]["wide"])
