"""Checking a model's translation against the fixed spans of its sentence, and
the smallest repairs.

The model translates a sentence as is, and mostly writes the newsroom's
rendering itself ("NATO" -> "OTAN"): that occurrence is accepted as the model
wrote it (method "model") and nothing around it is touched. Where a rendering
is missing, the model's own words for the term (its translation of the term
alone, e.g. "Grã-Bretanha" for "Britain") are looked for in the sentence and
replaced by the rendering (method "replace"), and the article before it made
to agree (`glossary.grammar`). What neither finds is left to masking and, last,
splitting (`glossary.enforcement`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from glossary.enforcement import FixedSpan
from glossary.grammar import repair, strip_article

MODEL, REPLACE = "model", "replace"


def _occurrences(text: str, wanted: str, ignore_case: bool = False) -> list[tuple[int, int]]:
    """Where `wanted` stands in `text` as a whole (not inside a longer word).
    A lower-case rendering may begin a sentence with a capital."""
    if not wanted:
        return []
    left = r"(?<!\w)" if wanted[0].isalnum() or wanted[0] == "_" else ""
    right = r"(?!\w)" if wanted[-1].isalnum() or wanted[-1] == "_" else ""
    head = re.escape(wanted[0])
    if wanted[0].islower():
        head = f"[{re.escape(wanted[0])}{re.escape(wanted[0].upper())}]"
    pattern = left + head + re.escape(wanted[1:]) + right
    return [m.span() for m in re.finditer(pattern, text, re.IGNORECASE if ignore_case else 0)]


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return not any(span[0] < end and start < span[1] for start, end in taken)


def find_renderings(
    text: str, spans: list[FixedSpan], wanted: list[int] | None = None, taken: Sequence[tuple[int, int]] = ()
) -> dict[int, tuple[int, int] | None]:
    """Target range of each wanted span's replacement in `text`, or None where
    the text holds fewer of that replacement than the source has occurrences.
    Spans with the same replacement take its occurrences in order; longer
    replacements first, so "Coreia do Norte" is not taken for "Coreia"."""
    wanted = list(range(len(spans))) if wanted is None else wanted
    taken = list(taken)
    found: dict[int, tuple[int, int] | None] = {}
    by_replacement: dict[str, list[int]] = {}
    for i in wanted:
        by_replacement.setdefault(spans[i].replacement, []).append(i)
    for replacement in sorted(by_replacement, key=len, reverse=True):
        places = [p for p in _occurrences(text, replacement) if _free(p, taken)]
        for k, i in enumerate(by_replacement[replacement]):
            found[i] = places[k] if k < len(places) else None
        taken += places[: len(by_replacement[replacement])]
    return found


@dataclass
class Settled:
    """A sentence's translation with the fixed spans placed so far."""

    text: str
    targets: dict[int, tuple[int, int]]  # span index -> its range in `text`
    methods: dict[int, str]  # span index -> how it got there

    def missing(self, count: int) -> list[int]:
        return [i for i in range(count) if i not in self.targets]


def settle(
    text: str,
    spans: list[FixedSpan],
    model_words: dict[int, list[str]],
    lang: str,
    wanted: list[int] | None = None,
    settled: Settled | None = None,
    source_length: int = 0,
) -> Settled:
    """Place the `wanted` spans in the model's `text`: as the model wrote them,
    else by replacing the model's own words for the term (`model_words[i]`:
    its translations of the term alone). Spans already in `settled` (placed by
    a mask) keep their place. Others stay missing. Where the model's words
    stand more than once, the one nearest to where the term stands in the
    source (relatively, with `source_length`) is taken."""
    result = settled or Settled(text, {}, {})
    wanted = [i for i in (range(len(spans)) if wanted is None else wanted) if i not in result.targets]
    for i, place in find_renderings(result.text, spans, wanted, list(result.targets.values())).items():
        if place is not None:
            result.targets[i], result.methods[i] = place, MODEL
    edits: list[tuple[int, int, int]] = []  # (start, end, span index) of model words to replace
    taken = list(result.targets.values())
    for i in sorted(i for i in wanted if i not in result.targets):
        for words in _candidates(model_words.get(i, [])):
            places = [p for p in _occurrences(result.text, words, ignore_case=True) if _free(p, taken)]
            if places:
                expected = spans[i].start * len(result.text) / source_length if source_length else 0
                place = min(places, key=lambda p: (abs(p[0] - expected), p[0]))
                edits.append((*place, i))
                taken.append(place)
                break
    for start, end, i in sorted(edits, reverse=True):
        replacement = spans[i].replacement
        result.text = result.text[:start] + replacement + result.text[end:]
        _shift(result.targets, start, end, len(replacement) - (end - start))
        result.targets[i], result.methods[i] = (start, start + len(replacement)), REPLACE
        agree(result, spans, i, lang)
    return result


def _candidates(model_words: list[str]) -> list[str]:
    """The model's words for a term, longest first, and their beginnings of two
    words or more: alone, the model spells a name out ("Estados Unidos da
    América"), in a sentence it may write the usual short form ("Estados Unidos")."""
    found: set[str] = set()
    for words in model_words:
        parts = words.split()
        found.update(" ".join(parts[:n]) for n in range(min(2, len(parts)), len(parts) + 1))
    return sorted(found, key=lambda w: (-len(w), w))


def _shift(targets: dict[int, tuple[int, int]], start: int, end: int, delta: int) -> None:
    """Move the ranges at or after `end` by `delta` (the text between start and end changed length)."""
    for k, (s, e) in list(targets.items()):
        if s >= end:
            targets[k] = (s + delta, e + delta)
        elif e > start:  # overlapping the edited stretch cannot happen: ranges are disjoint
            raise AssertionError("an edit overlapped a placed span")


def agree(result: Settled, spans: list[FixedSpan], i: int, lang: str) -> None:
    """Make the article before span i's rendering agree with its grammar (an intervention put it there)."""
    start, end = result.targets[i]
    text, delta = repair(result.text, start, end, lang, spans[i].grammar)
    if delta or text != result.text:
        # Only the words before the rendering changed: every range from the
        # rendering on moves by delta.
        for k, (s, e) in list(result.targets.items()):
            if s >= start:
                result.targets[k] = (s + delta, e + delta)
        result.text = text


def clean_model_words(output: str, lang: str) -> str:
    """A term translated alone, as it would stand in a sentence: without the
    quotation marks or final full stop the model may add around it ("E.U.A."
    keeps its own), nor the article it may put before it ("A UE")."""
    words = output.strip().strip("\"'“”«»").strip()
    if words.endswith(".") and words.count(".") == 1:
        words = words[:-1]
    return strip_article(words, lang)
