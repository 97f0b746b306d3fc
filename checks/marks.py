"""Quotation marks, brackets and inline markup unbalanced or lost; URLs,
e-mail addresses and handles changed.

Quotation marks are counted as quotations, not characters: a pair of double
quotes (straight, curly, guillemets) or of single quotes used as quotes (an
opening ' after a space, a closing one before a space or punctuation, never an
apostrophe inside a word). A language may write 'muppets' as “muppets” or
«muppets»: only the number of quotations counts. Fewer than the source's is
a quotation lost; an odd number of double quotes where the source's are even,
one left open.
"""

from __future__ import annotations

import regex

from checks.findings import ERROR, WARNING, Finding, Pair
from checks.text import quote

DOUBLE = '"“”«»„'
# A single quote opens after a space, a bracket, a dash or a double quote (" 'There's a shark!' "), and closes
# before one of those or punctuation; inside a word it is an apostrophe (O'Hagan, won't).
_SINGLE_OPEN = regex.compile(r"(?:^|(?<=[\s(\[—–\-\"“«]))['‘‹](?=\p{L}|\p{N})")
# A plural's possessive ("students' behaviour") reads as a closing mark: it cannot be told from "'furious' after".
_SINGLE_CLOSE = regex.compile(r"(?<=[\p{L}\p{N}.,!?])['’›](?=[\s.,;:!?)\]—–\-\"”»]|$)")
BRACKETS: tuple[tuple[str, str], ...] = (("(", ")"), ("[", "]"), ("{", "}"))
# A URL ends before a space, a quote or a closing bracket, and not on the punctuation that ends a sentence.
_URL = regex.compile(r"\b(?:https?://|www\.)[^\s<>\"“”)]+[^\s<>\"“”).,;:!?]")
_EMAIL = regex.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = regex.compile(r"(?<![\w@])[@#]\w{2,}")
_TAG = regex.compile(r"</?([A-Za-z][\w-]*)[^<>]*>")


def quotations(text: str) -> tuple[int, int]:
    """(quotations, quote marks left unpaired): a quotation per pair of marks; an odd double quote, or single quotes
    that open and do not close (or the other way), are unpaired."""
    double = sum(text.count(q) for q in DOUBLE)
    opened = len(_SINGLE_OPEN.findall(text))
    closed = len(_SINGLE_CLOSE.findall(text))
    return double // 2 + min(opened, closed), double % 2 + abs(opened - closed)


def check(pair: Pair, source: str, target: str) -> list[Finding]:
    findings = []
    source_quotes, source_unpaired = quotations(pair.source)
    target_quotes, target_unpaired = quotations(pair.target)
    if target_quotes < source_quotes:
        findings.append(
            Finding(
                "quotes.lost",
                "marks",
                WARNING,
                f"the source has {source_quotes} quotation(s) in quotation marks, the translation"
                f" {target_quotes}: a quotation lost its marks",
                None,
                None,
            )
        )
    # A quotation that runs over several sentences opens in one segment and closes in another: the source's own
    # unpaired mark excuses the translation's (written 'x' in one language, “x” in the other).
    elif target_unpaired and not source_unpaired:
        findings.append(
            Finding(
                "quotes.unbalanced", "marks", WARNING, "a quotation mark of the translation is never closed", None, None
            )
        )
    for pair_chars in BRACKETS:
        opening, closing = pair_chars
        s_open, t_open = pair.source.count(opening), pair.target.count(opening)
        t_close = pair.target.count(closing)
        if t_open < s_open:
            index = pair.source.find(opening)
            end = pair.source.find(closing, index)
            findings.append(
                Finding(
                    "brackets.lost",
                    "marks",
                    WARNING,
                    f"the bracketed {quote(pair.source[index : end + 1 if end >= 0 else None])} has no"
                    f" brackets in the translation",
                    (index, end + 1 if end >= 0 else index + 1),
                    None,
                )
            )
        elif t_open != t_close and pair.source.count(opening) == pair.source.count(closing):
            findings.append(
                Finding(
                    "brackets.unbalanced",
                    "marks",
                    WARNING,
                    f"the translation opens {t_open} “{opening}” and closes {t_close}",
                    None,
                    None,
                )
            )
    for name, pattern, what in (
        ("url", _URL, "the link"),
        ("email", _EMAIL, "the e-mail address"),
        ("handle", _HANDLE, "the handle"),
    ):
        for m in pattern.finditer(pair.source):
            if m.group() not in pair.target:
                findings.append(
                    Finding(
                        f"{name}.changed",
                        "identifiers",
                        ERROR,
                        f"{what} {quote(m.group())} is not in the translation as written",
                        m.span(),
                        None,
                    )
                )
    source_tags = sorted(t.lower() for t in _TAG.findall(pair.source))
    if source_tags and sorted(t.lower() for t in _TAG.findall(pair.target)) != source_tags:
        findings.append(
            Finding("markup.lost", "marks", ERROR, "the translation's markup tags differ from the source's", None, None)
        )
    for source_range, target_range in pair.inline:
        if target_range is None:
            findings.append(
                Finding(
                    "markup.unplaced",
                    "marks",
                    WARNING,
                    f"the marked-up phrase {quote(pair.source[slice(*source_range)])} was not found in"
                    f" the translation; its markup was placed by proportion",
                    source_range,
                    None,
                )
            )
    return findings
