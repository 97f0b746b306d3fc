"""Measures against human references and the glossary's grammar: plain
functions over source, output and reference text; no model here.

- `scores`: corpus BLEU and chrF (sacrebleu, default settings: 13a tokeniser,
  chrF character 6-grams, β=2), `paired_bootstrap`: sacrebleu's paired
  bootstrap resampling (1,000 samples) of one system against a baseline.
- `grammar_errors`: the word before each glossary rendering, judged by the
  rendering's gender, number and article (quality.ntrex.Grammar).
- `english_left`: words of an output left in the source language.
- `inside_longer_name`: a rendering written into a longer English name.
"""

from __future__ import annotations

import re
from collections import Counter

from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.significance import PairedTest

from quality.ntrex import Grammar


def scores(outputs: list[str], references: list[str]) -> dict[str, float]:
    return {
        "bleu": round(BLEU().corpus_score(outputs, [references]).score, 2),
        "chrf": round(CHRF().corpus_score(outputs, [references]).score, 2),
    }


def paired_bootstrap(baseline: list[str], system: list[str], references: list[str]) -> dict:
    """BLEU and chrF p-values of `system` against `baseline` (the chance that
    the difference is no better than resampling noise), on the same lines.
    sacrebleu seeds its resampling with SACREBLEU_SEED (12345 unless set):
    the same resamples every run."""
    test = PairedTest(
        [("baseline", baseline), ("system", system)],
        {"bleu": BLEU(), "chrf": CHRF()},
        [references],
        test_type="bs",
        n_samples=1000,
    )
    _, results = test()
    # sacrebleu names the columns by the metric (BLEU, chrF2), not by our keys.
    return {"bleu": round(results["BLEU"][1].p_value, 4), "chrf": round(results["chrF2"][1].p_value, 4)}


# -- articles and contractions before renderings ----------------------------------------------------

# Definite articles and their fusions with a, de, em, por: (gender, number).
DEFINITE = {
    "o": ("m", "sg"),
    "os": ("m", "pl"),
    "a": ("f", "sg"),
    "as": ("f", "pl"),
    "ao": ("m", "sg"),
    "aos": ("m", "pl"),
    "à": ("f", "sg"),
    "às": ("f", "pl"),
    "do": ("m", "sg"),
    "dos": ("m", "pl"),
    "da": ("f", "sg"),
    "das": ("f", "pl"),
    "no": ("m", "sg"),
    "nos": ("m", "pl"),
    "na": ("f", "sg"),
    "nas": ("f", "pl"),
    "pelo": ("m", "sg"),
    "pelos": ("m", "pl"),
    "pela": ("f", "sg"),
    "pelas": ("f", "pl"),
}
# Prepositions that fuse with the article (de + os = dos) or take it after them
# ("com a UE"): bare before a rendering that takes the article, one is missing.
NEEDS_ARTICLE_AFTER = {"de", "em", "por", "com", "para", "sobre", "contra", "sem", "até", "após", "perante"}


def article_verdict(previous: str, grammar: Grammar) -> str | None:
    """ "wrong", "missing" or None (fine, or nothing to judge) for the word
    directly before a rendering (casefolded; "" at the start of a line).

    With the article (os EUA, a UE):
      wrong    an article or fusion of another gender or number ("o UE", "na
               Reino Unido", "a EUA": "a" is the feminine article, or the
               preposition that must fuse into "aos");
      missing  a bare preposition ("de EUA", "em Indonésia", "com UE").
    Without (Londres, Trump):
      wrong    any definite article or fusion ("na Londres", "o Trump"), but a
               bare "a": it is also the preposition ("uma visita a Londres").
    Anything else before a rendering (a verb, a name, nothing) is not judged."""
    if grammar.article:
        if previous == "a" and (grammar.gender, grammar.number) != ("f", "sg"):
            return "wrong"
        if previous in DEFINITE:
            return None if DEFINITE[previous] == (grammar.gender, grammar.number) else "wrong"
        return "missing" if previous in NEEDS_ARTICLE_AFTER else None
    if previous in DEFINITE and previous != "a":
        return "wrong"
    return None


def grammar_errors(text: str, grammar: dict[str, Grammar]) -> tuple[Counter, list[str]]:
    """Counts ("checked", "wrong", "missing") over every rendering in `text`, a
    line per error. Longest renderings first, so "Coreia do Norte" is judged
    whole; the word before must be directly before (spaces only)."""
    counts, notes = Counter(), []
    taken: list[tuple[int, int]] = []
    for rendering in sorted(grammar, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(rendering)}(?![\w-])", text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            counts["checked"] += 1
            before = re.search(r"(\w+)\s+$", text[: match.start()])
            previous = before.group(1).casefold() if before else ""
            verdict = article_verdict(previous, grammar[rendering])
            if verdict:
                counts[verdict] += 1
                notes.append(f"{verdict}: '{text[max(0, match.start() - 30) : match.end() + 10]}'")
    return counts, notes


# -- words left in English ---------------------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")


def english_left(output: str, source: str, references: list[str]) -> tuple[int, int]:
    """(words of `output` left in the source language, words of `output`): a
    word (two letters or more) that is a word of the source and of none of the
    human references. Names the references keep (Trump, Rangers) do not count."""
    source_words = {w.casefold() for w in _LETTERS.findall(source)}
    kept = {w.casefold() for ref in references for w in _LETTERS.findall(ref)}
    words = _LETTERS.findall(output)
    left = [w for w in words if len(w) > 1 and w.casefold() in source_words and w.casefold() not in kept]
    return len(left), len(words)


# -- renderings inside longer names -----------------------------------------------------------------

_CAPITALISED = re.compile(r"[A-Z][\w'’&.-]*")


def longer_name_neighbours(source: str, start: int, end: int, terms: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """The capitalised words directly next to source[start:end] (one space
    between), with their side: "BBC Scotland" gives [("left", "BBC")]. A word
    at the start of a sentence, or itself a glossary term, is no evidence;
    nor is a headline set in Title Case (the caller leaves those out)."""
    found = []
    left = re.search(r"([A-Z][\w'’&.-]*) $", source[:start])
    if (
        left
        and not re.search(r"(^|[.!?:\"“'‘]\s*)$", source[: left.start()])
        and not any(s <= left.start() < e for s, e in terms)
    ):
        found.append(("left", left.group(1)))
    right = re.match(r" ([A-Z][\w'’&-]*)", source[end:])
    # After "U.S." at the end of a sentence the next capital starts a sentence.
    if right and not source[:end].endswith(".") and not any(s <= end + 1 < e for s, e in terms):
        found.append(("right", right.group(1)))
    return found


def inside_longer_name(output: str, rendering: str, neighbours: list[tuple[str, str]]) -> bool:
    """Whether the output wrote the rendering next to the untranslated rest of
    the name ("BBC Escócia", "Londres Fashion", "México City")."""
    for side, word in neighbours:
        pair = f"{word} {rendering}" if side == "left" else f"{rendering} {word}"
        if re.search(rf"(?<!\w){re.escape(pair)}(?!\w)", output):
            return True
    return False


def punctuation_only(text: str) -> bool:
    return not any(ch.isalnum() for ch in text)
