"""Defects planted in human reference translations, to measure what the checks find.

Each function takes a (source, reference) pair and returns the reference with
one defect of its class, or None where the pair has nothing to plant it in
(no number to change, no quotation to drop). Deterministic: the same
references give the same defects, so two runs compare.
"""

from __future__ import annotations

import regex

from checks.names import _common, common_words
from checks.text import fold

_NUMBER = regex.compile(r"(?<![\p{L}\p{N}.,])\d+(?:[.,]\d+)*")
_CURRENCY = [
    (regex.compile(r"£"), "€"),
    (regex.compile(r"\blibras?(?: esterlinas?)?\b"), "euros"),
    (regex.compile(r"€"), "£"),
    (regex.compile(r"\beuros?\b"), "libras"),
    (regex.compile(r"US\$|(?<![A-Z])\$"), "€"),
    (regex.compile(r"\bd[óo]lar(?:es)?\b"), "euros"),
]
_NAME = regex.compile(r"(?<![\p{L}'’\-])\p{Lu}\p{Ll}{2,}")
_WORD = regex.compile(r"\S+")


def change_number(source: str, reference: str) -> str | None:
    """A number of the reference, one that is also in the source, one more in its last digit."""
    for m in _NUMBER.finditer(reference):
        digits = regex.sub(r"[.,]", "", m.group())
        if digits not in regex.sub(r"[.,]", "", source):
            continue
        last = m.group()[-1]
        changed = m.group()[:-1] + str((int(last) + 1) % 10)
        return reference[: m.start()] + changed + reference[m.end() :]
    return None


def swap_currency(source: str, reference: str) -> str | None:
    for pattern, other in _CURRENCY:
        m = pattern.search(reference)
        if m:
            return reference[: m.start()] + other + reference[m.end() :]
    return None


def drop_name(source: str, reference: str, rare_only: bool = False) -> str | None:
    """A capitalised word written the same in both (not opening either sentence), deleted. With `rare_only`,
    only a word that is not on the names check's list of common words (Sturridge, not Boots)."""
    common = common_words() if rare_only else frozenset()
    source_words = {m.group() for m in _NAME.finditer(source) if m.start() > 0}
    for m in _NAME.finditer(reference):
        if (
            m.start() > 0
            and m.group() in source_words
            and reference.count(m.group()) == 1
            and not (rare_only and _common(fold(m.group()), common))
        ):
            return regex.sub(r"\s{2,}", " ", reference[: m.start()] + reference[m.end() :]).strip()
    return None


def leave_in_english(source: str, reference: str) -> str | None:
    return source if len(_WORD.findall(source)) >= 3 and any(w.islower() for w in source.split()) else None


def repeat_phrase(source: str, reference: str) -> str | None:
    """Three words from the middle of the reference said again right after themselves."""
    words = list(_WORD.finditer(reference))
    if len(words) < 6:
        return None
    start = len(words) // 2 - 1
    phrase = reference[words[start].start() : words[start + 2].end()]
    return reference[: words[start + 2].end()] + " " + phrase + reference[words[start + 2].end() :]


_QUOTATION = regex.compile(
    r"“[^“”]+”|\"[^\"]+\"|«[^«»]+»|‘[^‘’]+’(?!\p{L})"
    r"|(?<![\p{L}\p{N}])'[^']+'(?![\p{L}\p{N}])"
)


def drop_quote(source: str, reference: str) -> str | None:
    """The marks of the first quotation removed, its words kept (apostrophes are not quotation marks). Only
    where the source has as many quotations: one the translator added is no defect to drop."""
    m = _QUOTATION.search(reference)
    if m is None or len(_QUOTATION.findall(source)) < len(_QUOTATION.findall(reference)):
        return None
    return reference[: m.start()] + m.group()[1:-1] + reference[m.end() :]


def delete_clause(source: str, reference: str) -> str | None:
    """The longest part between commas (at least five words) deleted, with its comma."""
    pieces = reference.split(", ")
    if len(pieces) < 2:
        return None
    longest = max(range(len(pieces)), key=lambda i: len(pieces[i].split()))
    if len(pieces[longest].split()) < 5 or len(pieces[longest]) > 0.7 * len(reference):
        return None
    kept = pieces[:longest] + pieces[longest + 1 :]
    text = ", ".join(kept)
    if longest == len(pieces) - 1 and reference.rstrip()[-1:] in ".!?" and not text.rstrip().endswith((".!", "?")):
        text = text.rstrip(",; ") + reference.rstrip()[-1]
    return text


# class name -> (planting function, the check family that should find it)
DEFECTS = {
    "number changed": (change_number, "numbers"),
    "currency swapped": (swap_currency, "currency"),
    "name dropped (any capitalised word kept verbatim)": (drop_name, "names"),
    "name dropped (not a common word)": (lambda s, r: drop_name(s, r, rare_only=True), "names"),
    "sentence left in English": (leave_in_english, "untranslated"),
    "phrase repeated": (repeat_phrase, "repetition"),
    "quote dropped": (drop_quote, "marks"),
    "clause deleted": (delete_clause, "omission"),
}
