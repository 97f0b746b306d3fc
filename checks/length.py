"""Omission and addition: a translation much shorter or longer than the pair's
translations usually are, and a clause of the source with no counterpart.

Length. The log of the ratio of lengths (characters, plus SMOOTHING so a
three-word headline does not swing it) has, per language pair, a spread that
is measured on human reference translations, not guessed: `fit` computes it
per band of source lengths (short sentences vary more), `python -m
quality.checks_calibrate` runs it on the development half of NTREX-128 en→pt
and writes data/length.json. A ratio outside mean ± Z standard deviations of
its band is a finding. The reverse pair reads the same table, negated.

Clauses. Length cannot see a dropped clause in a long sentence. A translation
somewhat shorter than usual for the pair (CLAUSE_SHORTER_SD) is searched for
each clause of the source: a clause of at least CLAUSE_WORDS content words
none of whose stems come back is a clause with no counterpart. With a back
translation (the target translated back by the reverse model) the stems are
looked for there; without one, in the target itself (names, numbers,
cognates), and only in a translation much shorter than usual
(CLAUSE_SHORTER_SD_ALONE), where a paraphrase rarely lands.
"""

from __future__ import annotations

import json
import math
import statistics
from functools import lru_cache
from pathlib import Path

import regex

from checks.findings import WARNING, Finding, Pair
from checks.names import exonym_words, exonyms
from checks.text import POSSESSIVE, fold, quote, word_list

DATA = Path(__file__).resolve().parent / "data" / "length.json"
SMOOTHING = 10  # characters added to both lengths
BANDS = (0, 60, 120, 200)  # lower bounds of source-length bands, in characters
Z = 3.0  # how many standard deviations from the mean is "outside"
CLAUSE_WORDS = 4  # content words a clause needs to be checked on its own
CLAUSE_FOUND = 0.0  # at most this share of them found back (measured: 0.2 flags 5.6% of references; 3 words, 4.1%)
# A translation shorter than the pair's usual by SHORT_SD standard deviations (not yet short enough for
# length.short) has more likely lost something: there a clause of CLAUSE_WORDS_SHORT content words is enough.
# Measured on the planted deletions of NTREX's development half: found 430 -> 437 of 456; references flagged 24 -> 25.
SHORT_SD = 2.0
CLAUSE_WORDS_SHORT = 2
# A clause left out shortens the translation: clauses are looked for only in a translation at least this many
# standard deviations shorter than the pair's mean. Measured (references flagged by the omission check / planted
# deletions found, of 988 / 456): no such condition 25 / 437; 0 sd 20 / 437; 0.5 sd 16 / 437; 1 sd 10 / 437.
# 0.5: a paraphrase rarely comes out that short, a translation that dropped a clause of four content words does.
CLAUSE_SHORTER_SD = 0.5
# Without a back translation a clause's words are looked for in the translation itself: names, numbers and the
# cognates that share their first STEM letters (government/governo, economic/econômico). Far fewer come through,
# so only a translation this much shorter than usual is searched. Measured as above: 1 sd 57 / 448; 1.5 sd 27 / 447;
# 2 sd 18 / 445 (length alone, no clause check: 4 / 423).
CLAUSE_SHORTER_SD_ALONE = 2.0
# A clause left out takes its length with it: a clause is reported only when the translation is shorter than the
# pair's usual length for this source by at least this share of what the clause itself would usually take
# (`shortfall`). A paraphrase keeps roughly the length of what it renders; a dropped clause does not.
# Measured (see docs/checks.md): the clauses flagged on the references had 0.17-0.60 (one real loss: 1.07), the
# planted deletions found 0.44 and up, most above 0.8.
CLAUSE_SHORTFALL = 0.5
STEM = 5  # stems: the first letters of a word (walking/walked, "parlamentares"/"parlamentar")
# English words that carry no content of their own; a clause is judged by the others.
FUNCTION_WORDS = set(
    """a about after again against all also an and any are as at be because been before being
but by can could did do does doing down during each few for from further had has have having he her here hers him
his how if in into is it its itself just me more most my no nor not now of off on once only or other our out over
own same she should so some such than that the their them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your said says say told
one two three first new""".split()
)


def ratio(source: str, target: str) -> float:
    return math.log((len(target) + SMOOTHING) / (len(source) + SMOOTHING))


def band(length: int) -> int:
    return max(i for i, lower in enumerate(BANDS) if length >= lower)


def fit(pairs: list[tuple[str, str]]) -> dict:
    """Mean and standard deviation of `ratio` per band, over reference pairs."""
    per_band: dict[int, list[float]] = {}
    for source, target in pairs:
        per_band.setdefault(band(len(source)), []).append(ratio(source, target))
    return {
        "smoothing": SMOOTHING,
        "bands": [
            {
                "from": BANDS[i],
                "count": len(values),
                "mean": round(statistics.fmean(values), 4),
                "sd": round(statistics.stdev(values), 4),
            }
            for i, values in sorted(per_band.items())
        ],
    }


@lru_cache(maxsize=1)
def calibration() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8")) if DATA.is_file() else {}


def bounds(
    source_lang: str, target_lang: str, length: int, table: dict | None = None, spread: float = Z
) -> tuple[float, float] | None:
    """The usual range of `ratio` for the pair at this source length: mean ± `spread` standard deviations."""
    found = _band(source_lang, target_lang, length, table)
    if found is None:
        return None
    b, sign = found
    low, high = b["mean"] - spread * b["sd"], b["mean"] + spread * b["sd"]
    return (low, high) if sign == 1 else (-high, -low)


def _band(source_lang: str, target_lang: str, length: int, table: dict | None) -> tuple[dict, int] | None:
    """The calibrated band of the pair for a source of `length` characters, and 1, or -1 when the pair was
    calibrated the other way round (its log ratios then change sign). None for a pair not calibrated."""
    table = calibration() if table is None else table
    entry, sign = table.get(f"{source_lang}-{target_lang}"), 1
    if entry is None:
        entry, sign = table.get(f"{target_lang}-{source_lang}"), -1
    if entry is None:
        return None
    return entry["bands"][min(band(length), len(entry["bands"]) - 1)], sign


def usual_length(source_lang: str, target_lang: str, length: int, table: dict | None = None) -> tuple[float, float]:
    """(length in characters translations of the pair usually have for a source of `length` characters, the
    ratio of lengths at that band): the band's mean applied, smoothing taken off again. (0, 0) for a pair not
    calibrated."""
    found = _band(source_lang, target_lang, length, table)
    if found is None:
        return 0.0, 0.0
    b, sign = found
    scale = math.exp(sign * b["mean"])
    return scale * (length + SMOOTHING) - SMOOTHING, scale


def shortfall(source_lang: str, target_lang: str, source: str, target: str, clause: int) -> float | None:
    """How much shorter than usual the translation is, as a share of the usual length of the translation of a
    clause of `clause` source characters (at the whole sentence's ratio): about 1 when the clause is all that is
    missing, about 0 for a translation of usual length. None for a pair not calibrated."""
    usual, scale = usual_length(source_lang, target_lang, len(source))
    if not scale or clause <= 0:
        return None
    return (usual - len(target)) / (scale * clause)


def check(pair: Pair, source: str, target: str, back: str | None = None) -> list[Finding]:
    findings = []
    limits = bounds(source, target, len(pair.source))
    if limits and pair.source.strip():
        value = ratio(pair.source, pair.target)
        if value < limits[0]:
            findings.append(
                Finding(
                    "length.short",
                    "omission",
                    WARNING,
                    f"the translation is {len(pair.target)} characters for {len(pair.source)}:"
                    f" much shorter than translations of this pair usually are; something may be"
                    f" missing",
                    None,
                    None,
                )
            )
        elif value > limits[1]:
            findings.append(
                Finding(
                    "length.long",
                    "omission",
                    WARNING,
                    f"the translation is {len(pair.target)} characters for {len(pair.source)}:"
                    f" much longer than translations of this pair usually are; something may have"
                    f" been added",
                    None,
                    None,
                )
            )
    findings += clauses(pair, back, source, target)
    return findings


# Clause boundaries: punctuation, and the conjunctions that open a clause.
_CLAUSE = regex.compile(r"\s*[,;:()–—]\s*|\s+(?=(?:and|but|while|which|who|because|although|after|before|when)\b)")
_TOKEN = regex.compile(r"\p{L}[\p{L}'’]*")


def content_stems(text: str) -> list[str]:
    """The stems of a text's content words; a possessive is its name ("SCIS's" is scis, as the translation writes
    it). Numbers are not counted: the numbers check has them, and a number repeated elsewhere would excuse a clause."""
    words = (fold(POSSESSIVE.sub("", token)) for token in _TOKEN.findall(text))
    return [w[:STEM] for w in words if w not in FUNCTION_WORDS and len(w) > 2]


def renamed(pair: Pair, source: str, target: str) -> set[str]:
    """Stems of the source's country, nation and language names (and demonyms) whose name in the target language
    is in the translation (CLDR, as the names check reads it): "Scotland" is there as "Escócia", "German" as
    "alemão"."""
    if not source or not target:
        return set()
    table = exonyms(source, target)
    target_words = set(word_list(pair.target))
    out = set()
    for token in _TOKEN.findall(pair.source):
        word = fold(POSSESSIVE.sub("", token))
        if token[0].isupper() and exonym_words(word, table) & target_words:
            out.add(word[:STEM])
    return out


def clauses(pair: Pair, back: str | None, source: str = "", target: str = "") -> list[Finding]:
    """Clauses of the source none of whose content words come back in `back` (the target translated back; None:
    none, the words are looked for in the target as cognates): of CLAUSE_WORDS content words or more, or of
    CLAUSE_WORDS_SHORT when the translation is short for the pair."""
    found = set(content_stems(pair.target))  # names, numbers and cognates stay recognisable
    found |= renamed(pair, source, target)
    if back is not None:
        found |= set(content_stems(back))
    least = CLAUSE_WORDS
    usual = bounds(source, target, len(pair.source), spread=SHORT_SD) if source and target else None
    if usual and ratio(pair.source, pair.target) < usual[0]:
        least = CLAUSE_WORDS_SHORT
    spread = CLAUSE_SHORTER_SD if back is not None else CLAUSE_SHORTER_SD_ALONE
    shorter = bounds(source, target, len(pair.source), spread=spread) if source and target else None
    if shorter and ratio(pair.source, pair.target) > shorter[0]:
        return []  # not shorter than usual: a clause whose words do not come back was paraphrased, not dropped
    findings, cursor = [], 0
    for piece in _CLAUSE.split(pair.source):
        start = pair.source.find(piece, cursor)
        cursor = start + len(piece)
        stems = content_stems(piece)
        if len(stems) < least or sum(s in found for s in stems) > CLAUSE_FOUND * len(stems):
            continue
        missing = shortfall(source, target, pair.source, pair.target, len(piece)) if source and target else None
        if missing is None or missing >= CLAUSE_SHORTFALL:
            findings.append(
                Finding(
                    "omission.clause",
                    "omission",
                    WARNING,
                    f"the clause {quote(piece)} has no counterpart in the translation",
                    (start, start + len(piece)),
                    None,
                )
            )
    return findings
