"""Where did a phrase go? Find the translation of an inline element's words
inside the translation of its sentence.

Inline markup (a link, emphasis) wraps a phrase of a sentence. The sentence is
translated whole, without markers (markers in the text change what the model
writes and are often lost: measured in README, "Markup on real output"), and
the wrapped phrase is translated on its own in the same batch. The phrase's
translation is then looked for in the sentence's: the shortest stretch holding
most of its words, nearest to where proportion alone would put it. The caller checks
that every element found keeps its order relative to the others and to the
glossary terms, and falls back to proportion for any that is not found.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

# Words too common to locate a phrase by: a run made only of these says nothing
# about where the phrase went ("de", "the"). Only languages with a model here
# or in the Argos catalogue's usual pairs; elsewhere every word counts.
FUNCTION_WORDS = {
    "pt": {
        "a",
        "o",
        "as",
        "os",
        "de",
        "da",
        "do",
        "das",
        "dos",
        "em",
        "na",
        "no",
        "nas",
        "nos",
        "um",
        "uma",
        "e",
        "ou",
        "para",
        "por",
        "pela",
        "pelo",
        "com",
        "que",
        "se",
        "ao",
        "à",
        "aos",
        "às",
    },
    "es": {"el", "la", "los", "las", "de", "del", "en", "un", "una", "y", "o", "para", "por", "con", "que", "a", "al"},
    "fr": {
        "le",
        "la",
        "les",
        "l",
        "de",
        "du",
        "des",
        "d",
        "en",
        "un",
        "une",
        "et",
        "ou",
        "pour",
        "par",
        "avec",
        "que",
        "à",
        "au",
        "aux",
    },
    "de": {
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einen",
        "einem",
        "und",
        "oder",
        "in",
        "im",
        "zu",
        "zum",
        "zur",
        "von",
        "vom",
        "mit",
        "für",
        "auf",
        "an",
        "am",
    },
    "it": {
        "il",
        "lo",
        "la",
        "i",
        "gli",
        "le",
        "di",
        "del",
        "della",
        "in",
        "un",
        "una",
        "e",
        "o",
        "per",
        "con",
        "che",
        "a",
        "al",
    },
    "en": {"a", "an", "the", "of", "in", "on", "at", "to", "and", "or", "for", "by", "with", "that"},
}


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


def locate(sentence: str, phrase: str, lang: str, expected: int = 0) -> tuple[int, int] | None:
    """Character range of `phrase` (a translation) inside `sentence` (a
    translation), or None if not found.

    Word order may differ between the phrase alone and the phrase in its
    sentence ("Sede Zorblax" alone, "sede da OTAN" in the sentence), so this
    looks for the shortest stretch of the sentence that begins and ends with
    words of the phrase and holds as many of the phrase's distinct words as
    possible (function words do not count), at most a few words longer than
    the phrase; among equals, the one starting
    nearest to `expected`. Punctuation the phrase has at its edges (quotation
    marks) is included when the sentence has it there too."""
    target, wanted = _words(sentence), _words(phrase)
    common = FUNCTION_WORDS.get(lang, set())
    if not target or all(word in common for word, _, _ in wanted):
        return None  # nothing but "de", "the": no clue where the phrase went
    vocabulary = {word for word, _, _ in wanted if word not in common}
    longest = len(wanted) + 3
    best: tuple[int, int, int, int, int] | None = None  # (distinct words, -length, -distance, i, j)
    for i, (first, _, _) in enumerate(target):
        if first not in vocabulary:
            continue
        for j in range(i, min(len(target), i + longest)):
            if target[j][0] not in vocabulary:
                continue
            covered = {word for word, _, _ in target[i : j + 1]} & vocabulary
            candidate = (len(covered), -(j - i), -abs(target[i][1] - expected), i, j)
            if best is None or candidate[:3] > best[:3]:
                best = candidate
    if best is None:
        return None
    i, j = best[3], best[4]
    start, end = target[i][1], target[j][2]
    # Edge punctuation, where the stretch begins (ends) with the phrase's first (last) word.
    lead = phrase[: wanted[0][1]].strip()
    trail = phrase[wanted[-1][2] :].strip()
    if lead and target[i][0] == wanted[0][0] and sentence[:start].rstrip().endswith(lead):
        start = len(sentence[:start].rstrip()) - len(lead)
    if trail and target[j][0] == wanted[-1][0] and sentence[end:].lstrip().startswith(trail):
        end = end + (len(sentence[end:]) - len(sentence[end:].lstrip())) + len(trail)
    return start, end


def relation(a: tuple[int, int], b: tuple[int, int]) -> str:
    """How range a stands to range b: equal, before, after, inside, contains or overlaps."""
    if a == b:
        return "equal"
    if a[1] <= b[0]:
        return "before"
    if a[0] >= b[1]:
        return "after"
    if b[0] <= a[0] and a[1] <= b[1]:
        return "inside"
    if a[0] <= b[0] and b[1] <= a[1]:
        return "contains"
    return "overlaps"


def same_relation(source: str, target: str) -> bool:
    """Whether two ranges stand to each other in the translation as in the source;
    a phrase whose translation is just its glossary term's rendering still counts."""
    return source == target or "equal" in (source, target) and {source, target} <= {"equal", "inside", "contains"}
