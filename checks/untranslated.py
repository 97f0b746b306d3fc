"""Untranslated: the translation is the source, or keeps a run of its words.

A run of three or more words copied from the source, in order, with at least
two lower-case words among them (names and titles are copied on purpose),
is confirmed with the detector the service already uses for language
identification (lingua, `translation.detection`): only a run it identifies as
the source language is a finding. A translation identical to a source of at
least three words, one of them lower case, is one too.
"""

from __future__ import annotations

from functools import lru_cache

from checks.findings import ERROR, WARNING, Finding, Pair
from checks.text import fold, quote, words

MIN_RUN = 3


@lru_cache(maxsize=4)
def detector(source: str, target: str):
    from translation.detection import Detector

    # Only the pair's two languages: the question is "still English or already Portuguese?".
    return Detector((source, target), preload=False)


def _lower_words(tokens) -> int:
    return sum(1 for t in tokens if t.group()[0].islower() and t.group().isalpha() and len(t.group()) > 1)


def check(pair: Pair, source: str, target: str, detect=None) -> list[Finding]:
    src, tgt = words(pair.source), words(pair.target)
    if not tgt:
        return []
    if [fold(w.group()) for w in src] == [fold(w.group()) for w in tgt]:
        if len(src) >= MIN_RUN and _lower_words(src) >= 1:
            return [
                Finding(
                    "untranslated.copy",
                    "untranslated",
                    ERROR,
                    "the translation is the source, untranslated",
                    (0, len(pair.source)),
                    (0, len(pair.target)),
                )
            ]
        return []
    findings = []
    for start, end in _copied_runs([fold(w.group()) for w in src], [fold(w.group()) for w in tgt]):
        run = tgt[start:end]
        if _lower_words(run) < 2 or _a_name(run):
            continue
        span = (run[0].start(), run[-1].end())
        text = pair.target[span[0] : span[1]]
        # Built on the first run to judge (lingua loads its language models then), not for every segment.
        detect = detect or detector(source, target).detect
        if detect(text).language == source:
            findings.append(
                Finding(
                    "untranslated.words",
                    "untranslated",
                    WARNING,
                    f"{quote(text)} is still in the source language",
                    None,
                    span,
                )
            )
    return findings


def _a_name(tokens) -> bool:
    """A run whose longer words are all capitalised is a name or a title kept on purpose ("Newport on the Levee",
    "UK Commission for Employment and Skills", "Member of the Welsh Parliament"), not words left untranslated."""
    longer = [t.group() for t in tokens if len(t.group()) > 3 and t.group().isalpha()]
    return bool(longer) and all(w[0].isupper() for w in longer)


def _copied_runs(source: list[str], target: list[str]) -> list[tuple[int, int]]:
    """Maximal runs of at least MIN_RUN target words that occur in the same order in the source."""
    grams = {tuple(source[i : i + MIN_RUN]) for i in range(len(source) - MIN_RUN + 1)}
    runs, i = [], 0
    while i <= len(target) - MIN_RUN:
        if tuple(target[i : i + MIN_RUN]) in grams:
            j = i + MIN_RUN
            while j < len(target) and _occurs(source, target[i : j + 1]):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _occurs(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[k : k + n] == needle for k in range(len(haystack) - n + 1))
