"""The words a rendering needs around it: articles and their contractions.

When enforcement puts a rendering where the model wrote other words (its own
translation of the term, a placeholder), the article before it was chosen for
those words: "o Reino Unido" becomes "o UE" when "UE" replaces it, a
placeholder gets "de Zorblax" where the rendering wants "dos EUA". An entry's
`grammar` says, per target language, the rendering's gender ("m"/"f"), number
("sg"/"pl") and whether the name takes an article in running text ("a OTAN",
"os EUA", but "Londres"); `repair` then rewrites the preposition + article
just before the rendering to agree with it:

    pt  de/em/por/a + o/a/os/as -> do, na, pelos, à, …; "o UE" -> "a UE";
        "em Londres", not "no Londres"
    es  de/a + el -> del/al; "de la UE", "el Reino Unido"
    fr  de/à + le/les -> du/des/au/aux; l' and d' before a vowel

Only those few function words are touched, never the rendering or other words,
and only where the entry's grammar is given for that language. The tables are
data (`RULES`); a language without a table is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

GENDERS = ("m", "f")
NUMBERS = ("sg", "pl")
GRAMMAR_FIELDS = ("gender", "number", "article")


@dataclass(frozen=True)
class Grammar:
    gender: str | None = None  # "m" | "f"
    number: str | None = None  # "sg" | "pl"
    article: bool | None = None  # the name takes an article in running text ("a OTAN"; "Londres" does not)

    @classmethod
    def from_dict(cls, data: dict | None) -> "Grammar":
        data = data or {}
        return cls(data.get("gender"), data.get("number"), data.get("article"))

    def to_dict(self) -> dict:
        return {name: value for name in GRAMMAR_FIELDS if (value := getattr(self, name)) is not None}


def grammar_problems(value: Any, where: str) -> list[dict]:
    """Type and value errors of an entry's `grammar`: {lang: {gender, number, article}}."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [{"field": where, "reason": "must be an object mapping language codes to {gender, number, article}"}]
    problems = []
    for lang, info in value.items():
        here = f"{where}.{lang}"
        if not isinstance(info, dict):
            problems.append({"field": here, "reason": "must be an object with gender, number and/or article"})
            continue
        for key in info:
            if key not in GRAMMAR_FIELDS:
                problems.append({"field": f"{here}.{key}", "reason": "unknown field"})
        if info.get("gender") is not None and info["gender"] not in GENDERS:
            problems.append({"field": f"{here}.gender", "reason": 'must be "m" or "f"'})
        if info.get("number") is not None and info["number"] not in NUMBERS:
            problems.append({"field": f"{here}.number", "reason": 'must be "sg" or "pl"'})
        if info.get("article") is not None and not isinstance(info["article"], bool):
            problems.append({"field": f"{here}.article", "reason": "must be true or false"})
    return problems


@dataclass(frozen=True)
class Rules:
    """One language's articles and how prepositions take them."""

    articles: dict[tuple[str, str], str]  # (gender, number) -> definite article
    contractions: dict[tuple[str, str], str]  # (preposition, article) -> the fused word
    prepositions: frozenset[str]  # prepositions an article may follow
    elided_article: str | None = None  # fr: "l'" for le/la before a vowel
    elided_prepositions: dict[str, str] | None = None  # fr: {"de": "d'"} before a vowel, without article
    # Words that are an article and also a preposition (pt "a"): read as the
    # article, and left alone before a name without article ("viajou a Londres").
    ambiguous: frozenset[str] = frozenset()

    def read(self, word: str) -> tuple[str | None, str | None] | None:
        """(preposition, article) a word stands for, or None if it is neither."""
        word = word.lower().replace("’", "'")
        for (prep, article), fused in self.contractions.items():
            if word == fused:
                return prep, article
        if word in self.articles.values() or word == self.elided_article:
            return None, word
        if word in self.prepositions:
            return word, None
        for prep, elided in (self.elided_prepositions or {}).items():
            if word == elided:
                return prep, None
        return None


_PT_ARTICLES = {("m", "sg"): "o", ("f", "sg"): "a", ("m", "pl"): "os", ("f", "pl"): "as"}
RULES: dict[str, Rules] = {
    "pt": Rules(
        articles=_PT_ARTICLES,
        contractions={
            (prep, article): fused
            for prep, forms in (
                ("de", ("do", "da", "dos", "das")),
                ("em", ("no", "na", "nos", "nas")),
                ("por", ("pelo", "pela", "pelos", "pelas")),
                ("a", ("ao", "à", "aos", "às")),
            )
            for article, fused in zip(("o", "a", "os", "as"), forms)
        },
        prepositions=frozenset(
            {"de", "em", "por", "com", "para", "sobre", "entre", "contra", "sem", "até", "após", "perante"}
        ),
        ambiguous=frozenset({"a"}),
    ),
    "es": Rules(
        articles={("m", "sg"): "el", ("f", "sg"): "la", ("m", "pl"): "los", ("f", "pl"): "las"},
        contractions={("de", "el"): "del", ("a", "el"): "al"},
        prepositions=frozenset(
            {"de", "a", "en", "por", "con", "para", "sobre", "entre", "contra", "sin", "desde", "hasta", "hacia"}
        ),
    ),
    "fr": Rules(
        articles={("m", "sg"): "le", ("f", "sg"): "la", ("m", "pl"): "les", ("f", "pl"): "les"},
        contractions={("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"},
        prepositions=frozenset(
            {"de", "à", "en", "par", "pour", "avec", "sur", "contre", "sans", "entre", "vers", "chez"}
        ),
        elided_article="l'",
        elided_prepositions={"de": "d'"},
    ),
}

# The one or two words just before a rendering: [preposition] [article], or a
# fused form; an elided form (l', d') is glued to the rendering.
_TAIL = re.compile(r"(?:(?<![\w'’])(?P<first>\w+)\s+)?(?<![\w'’])(?P<last>\w+['’]?)(?P<gap>(?<=['’])|\s+)$")


def _starts_with_vowel(text: str) -> bool:
    letter = unicodedata.normalize("NFD", text[:1].lower())[:1]
    return letter in "aeiouh" and letter != ""


def agreeing(lang: str, grammar: Grammar, prep: str | None, rendering: str) -> str | None:
    """The words that should stand before `rendering` after `prep` (None: no preposition),
    with their separator; None when the grammar does not say."""
    rules = RULES.get(lang)
    if rules is None or grammar.article is None:
        return None
    vowel = _starts_with_vowel(rendering)
    if not grammar.article:
        if prep is None:
            return ""
        elided = (rules.elided_prepositions or {}).get(prep)
        return elided if vowel and elided else prep + " "
    if grammar.gender is None or grammar.number is None:
        return None
    article = rules.articles[(grammar.gender, grammar.number)]
    if vowel and rules.elided_article and grammar.number == "sg":
        article = rules.elided_article
    if prep is None:
        return article if article.endswith("'") else article + " "
    fused = rules.contractions.get((prep, article))
    words = fused or f"{prep} {article}"
    return words if words.endswith("'") else words + " "


def strip_article(words: str, lang: str) -> str:
    """`words` without a definite article in front ("A UE" -> "UE"), where the language has a table."""
    rules = RULES.get(lang)
    if rules is None:
        return words
    match = re.match(r"(\w+)\s+(?=\w)|(\w+['’])(?=\w)", words)
    if match and (match.group(1) or match.group(2)).lower().replace("’", "'") in (
        *rules.articles.values(),
        rules.elided_article,
    ):
        return words[match.end() :]
    return words


def repair(text: str, start: int, end: int, lang: str, grammar: Grammar | None) -> tuple[str, int]:
    """`text` with the article (and preposition) before the rendering at
    `start:end` made to agree with `grammar`; and how far the rendering moved
    (the change in length before it). Unchanged where nothing applies."""
    rules = RULES.get(lang)
    if rules is None or grammar is None or grammar.article is None:
        return text, 0
    match = _TAIL.search(text[:start])
    if match is None:
        return text, 0
    rendering = text[start:end]
    last = rules.read(match["last"])
    first = rules.read(match["first"]) if match["first"] else None
    if last is None:
        return text, 0
    prep, article = last
    region_start = match.start("last")
    if prep is None and first is not None and first[0] is not None and first[1] is None:
        prep, region_start = first[0], match.start("first")  # "de la", "com o": two words
    if match["last"].lower() in rules.ambiguous and not grammar.article:
        return text, 0  # pt "viajou a Londres": the preposition, and right there
    wanted = agreeing(lang, grammar, prep, rendering)
    if wanted is None:
        return text, 0
    old = text[region_start:start]
    if wanted.strip() and old[:1].isupper():
        wanted = wanted[0].upper() + wanted[1:]
    elif not wanted and old[:1].isupper() and rendering[:1].islower():
        rendering = rendering[0].upper() + rendering[1:]
        text = text[:start] + rendering + text[end:]
    if old == wanted:
        return text, 0
    return text[:region_start] + wanted + text[start:], len(wanted) - len(old)
