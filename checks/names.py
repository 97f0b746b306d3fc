"""Names: a capitalised name of the source missing from the translation.

A name is a capitalised word that does not open the sentence (nor follow a
colon or a quotation mark, where any word is capitalised), not in capitals
(acronyms are translated: UN is ONU), not a month or weekday (the date check
has those), and not inside a glossary term (its rendering is checked there).
It is there in the translation when a word of the translation is the same
without accents and case, or close to it (difflib ratio): "Londres" for
London, "Comissão" for Commission, "Parlamento" for Parliament. Countries and
languages go by another name in the target language (England, Inglaterra;
English, inglês), which CLDR (through babel) knows.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache
from os.path import commonprefix
from pathlib import Path

import regex

from checks.findings import WARNING, Finding, Pair
from checks.text import calendar_names, cldr, fold, quote, word_list

COMMON_WORDS = Path(__file__).resolve().parent / "data" / "common_words.txt"
# Close enough to be the same name, measured on folded words ("theresa"/"teresa" 0.93, "commission"/"comissao" 0.78).
SIMILAR = 0.75
# Titles before a name, abbreviated or not ("Sen. Chris Coons", "Det Insp Bob Blemmings").
TITLES = {"rev", "sen", "rep", "gov", "gen", "capt", "lt", "col", "sgt", "det", "insp", "supt", "prof", "st", "jr",
          "sr", "mt", "ft", "cllr", "hon"}
# Capitalised words that are not names: titles and words English capitalises.
NOT_NAMES = {"mr", "mrs", "ms", "dr", "sir", "i", "i'm", "i've", "i'll", "i'd", "ok", "tv",
             # the compass, which English capitalises for regions (the Southwest) and other languages do not
             "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "northern",
             "southern", "eastern", "western"}
_CAPITALISED = regex.compile(r"(?<![\p{L}\p{N}'’\-])\p{Lu}[\p{Ll}'’\-]*\p{Ll}[\p{L}'’\-]*")
# Where any word takes a capital: the start, after a sentence end, a colon, an opening quote or bracket (not a
# closing one: in `…," Hammel said` Hammel is a name).
_OPENING = regex.compile(r"(?:^|[.!?:;…]\s+|(?:^|\s)[\"“‘'«(\[]|\s[-–—]\s+)$")


# Other English names of CLDR territories, which CLDR lists under one name only.
ALIASES = {"en": {"britain": "GB", "uk": "GB", "america": "US", "holland": "NL"}}


@lru_cache(maxsize=8)
def exonyms(source: str, target: str) -> dict[str, set[str]]:
    """Folded word of a country, territory or language name in `source` -> the folded words of its name in `target`."""
    out: dict[str, set[str]] = {}
    src, tgt = cldr(source), cldr(target)
    if src is None or tgt is None:
        return out
    for table, other in ((src.territories, tgt.territories), (src.languages, tgt.languages)):
        for code, name in table.items():
            if code in other:
                for word in word_list(name):
                    out.setdefault(word, set()).update(word_list(other[code]))
    for alias, code in ALIASES.get(source, {}).items():
        out.setdefault(alias, set()).update(word_list(tgt.territories[code]))
    return out


def _calendar(lang: str) -> set[str]:
    months, days = calendar_names(lang)
    return {fold(n) for n in [*months.values(), *days.values()]}


def present(word: str, target_words: list[str], exonym: set[str]) -> bool:
    folded = fold(word)
    if folded in target_words or any(_close(e, w) for e in exonym for w in target_words):
        return True
    if len(folded) < 5:  # "May" is not "Maio": short names must be there as they are
        return False
    return any(_close(folded, w) for w in target_words)


def _close(name: str, word: str) -> bool:
    """The same name in the other language's spelling: a shared start of at least four letters and most of the
    shorter word ("London", "Londres"), or close overall ("Commission", "Comissão")."""
    shared = len(commonprefix([name, word]))
    if shared >= 4 and shared >= 0.6 * min(len(name), len(word)):
        return True
    return abs(len(word) - len(name)) <= 4 and SequenceMatcher(None, name, word).ratio() >= SIMILAR


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    return frozenset(COMMON_WORDS.read_text(encoding="utf-8").split()) if COMMON_WORDS.is_file() else frozenset()


def _common(word: str, common: frozenset[str]) -> bool:
    """On the list, or the plural of a word on it (thieves, crosses, tensions)."""
    if word in common:
        return True
    for ending, singular in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")):
        if word.endswith(ending) and word[:-len(ending)] + singular in common:
            return True
    return False


def title_case(text: str) -> bool:
    """A headline in Title Case capitalises every word: capitals say nothing there."""
    tokens = [w for w in regex.findall(r"\p{L}[\p{L}'’\-]*", text) if len(w) > 3]
    return len(tokens) >= 3 and sum(w[0].islower() for w in tokens) <= 0.15 * len(tokens)


def check(pair: Pair, source: str, target: str, back: str | None = None) -> list[Finding]:
    if title_case(pair.source):
        return []
    # "Burt's" is there in "Burt's Bees" as "Burt".
    target_words = [regex.sub(r"['’]s$", "", w) for w in word_list(pair.target)]
    back_words = set(word_list(back)) if back else set()
    glossary = [g.source for g in pair.glossary]
    skip = NOT_NAMES | _calendar(source)
    names = exonyms(source, target)
    common = common_words()
    findings = []
    previous_name_end = -2
    for m in _CAPITALISED.finditer(pair.source):
        word = m.group()
        # "Britain's" is "Britain"; "Netherlands-based" is "Netherlands".
        base = regex.sub(r"['’]s$", "", word).split("-")[0]
        if fold(base) in NOT_NAMES or len(base) < 2:
            continue
        # A common word capitalised (the West, Labour, the Judiciary Committee, a sentence's first word) is taken
        # for no name, unless it is short and follows one (Theresa May).
        is_common = _common(fold(base), common)
        opening = _OPENING.search(pair.source[:m.start()])
        after_name = pair.source[previous_name_end:m.start()] == " " and len(base) <= 4
        if is_common and (not after_name or opening):
            continue
        # A sentence's first word may be any word (Nobody, Scuffles, Fourteen): there only two capitalised words
        # in a row (Daniel Sturridge) or a possessive (Gerrard's) are taken for a name.
        if opening and not (regex.match(r"['’]s\b", pair.source[m.start() + len(base):])
                            or regex.match(r" \p{Lu}\p{Ll}", pair.source[m.end():])):
            continue
        if fold(base) in TITLES:
            continue
        previous_name_end = m.end()
        # Months and weekdays are the date check's; "May" and "March" only next to a number are months.
        if fold(base) in skip and (fold(base) not in ("may", "march")
                                   or regex.search(r"\d", pair.source[max(0, m.start() - 4):m.end() + 5])):
            continue
        if any(s <= m.start() and m.end() <= e for s, e in glossary):
            continue
        if present(base, target_words, names.get(fold(base), set())):
            continue
        # Back translated, an exonym comes home (Escócia: Scotland, trabalhista: Labour); not the surname
        # that is a common word ("Theresa Maio" comes back as "Theresa May").
        if fold(base) in back_words and not (is_common and after_name):
            continue
        findings.append(Finding("name.missing", "names", WARNING,
                                f"the name {quote(base)} is not in the translation", (m.start(), m.start() + len(base)),
                                None))
    return findings
