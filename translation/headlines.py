"""English headlines set in Title Case, translated as the sentences they are.

A model trained on running text reads "Death Toll From Indonesia Tsunami Rises
to 832" as a string of names and leaves words in English ("… Tsunami sob a
832"); the same headline in sentence case translates well (on the NTREX
development half: 12.8% of the words left in English against 3.6%, `make
quality`). So a Title Case heading is set in sentence case before it reaches
the model: every capitalised word that is not a name is lower-cased, which
keeps the text's length, so every offset (glossary terms, markup) holds.

Which words are names, in order of evidence:
  1. the first word (and the first after a colon) and words inside a fixed
     span (a glossary term, protected markup) stay as written;
  2. words that are not Title-Case shaped (AMLO, YouTube, 13-Year-Old's digits);
  3. the rest of the article: a word written capitalised in the middle of its
     sentences more often than in lower case is a name ("Indonesia"), the
     other way round it is not ("tsunami"); so is a run of capitalised words
     seen there ("West Virginia"), or one whose initials are an acronym the
     article uses ("North Atlantic Treaty Organization", NATO);
  4. no evidence: Webster's word list (translation/lexicon.py): a word it
     knows only capitalised is a name ("Chinese"), one it knows in lower case
     (or an inflection of one: "rises", "churches") is not, an unknown word is
     taken for a name ("Harlem").

The target languages the pipeline serves write headlines in sentence case
(pt, es, fr, it, ...), so the model's output keeps the sentence case it is
given; its first letter is made upper case. German capitalises its nouns: its
output is left as the model writes it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from translation import lexicon

# A word starts after no letter or digit, nor after a letter and an apostrophe ("Sainsbury's").
_WORD = re.compile(r"(?<!\w)(?<!\w['’])[^\W\d_][\w'’]*(?:-[\w'’]+)*")
# Two or more capitalised words in a row, in running text: a name ("West Virginia", "Salt Lake City").
_NAME_RUN = re.compile(r"(?<!\w)[A-Z][\w'’]*(?:[ -][A-Z][\w'’]*)+")
_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")
# "St. Martin's", "Dr. Ford": a capitalised abbreviation's dot does not end a sentence.
_ABBREVIATION_DOT = re.compile(r"(?:\b[A-Z][a-z]{0,2}|[A-Z]\.[A-Z])\.\s*$")
# AP style: short function words stay lower case inside a Title Case headline.
_SMALL = {
    "a",
    "an",
    "the",
    "and",
    "but",
    "or",
    "nor",
    "for",
    "so",
    "yet",
    "as",
    "at",
    "by",
    "in",
    "of",
    "off",
    "on",
    "per",
    "to",
    "up",
    "via",
    "vs",
    "is",
    "be",
    "it",
}
# Where running text starts a sentence (its capital tells nothing), and where a
# headline does: its first word and the first after a colon stay as written.
_SENTENCE_START = re.compile(r"(^|[.!?:;\"“‘'(]\s*|\s[-–—]\s+)$")
_HEADLINE_START = re.compile(r"(^[\"“‘'(]?|:\s*)$")
# A title's dot: the word after it is a name ("St. Martin's", "Gov. Brown").
_TITLE_DOT = re.compile(r"\b(?:St|Mt|Ft|Dr|Mr|Mrs|Ms|Gen|Sen|Rep|Gov|Lt|Col|Capt|Prof|Rev)\.\s*$")
# Languages whose headlines are not in sentence case: leave the model's output alone.
_KEEP_TARGET_CASE = {"de", "en"}


def is_title_case(text: str) -> bool:
    """At least three words of four letters or more, all capitalised."""
    long_words = [w for w in _WORD.findall(text) if len(w) >= 4]
    return len(long_words) >= 3 and all(w[0].isupper() for w in long_words)


def _starts_sentence(before: str) -> bool:
    return bool(_SENTENCE_START.search(before)) and not _ABBREVIATION_DOT.search(before)


class Evidence(Counter):
    """Per casefolded word: +1 each time it is written capitalised in the
    middle of a sentence, -1 each time in lower case; and the runs of
    capitalised words seen there (multi-word names)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.acronyms: set[str] = set()  # NATO: "North Atlantic Treaty Organization" is a name


def name_evidence(texts: Iterable[str]) -> Evidence:
    """What the article's running text says about its words (sentence starts
    and Title Case lines tell nothing)."""
    votes = Evidence()
    for text in texts:
        votes.acronyms.update(_ACRONYM.findall(text))
        if is_title_case(text):
            continue
        for match in _NAME_RUN.finditer(text):
            if not _starts_sentence(text[: match.start()]):
                # Every stretch of two or more: "West Virginia" out of "West Virginia Republican".
                parts = re.split(r"(?<=\S)(?=[ -])", match.group())
                votes.names.update(
                    "".join(parts[i:j]).strip() for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)
                )
        for match in _WORD.finditer(text):
            if _starts_sentence(text[: match.start()]):
                continue
            for part in match.group().split("-"):
                key = _base(part).casefold()
                if part[:1].isupper():
                    votes[key] += 1
                elif part[:1].islower():
                    votes[key] -= 1
    return votes


def sentence_case(text: str, evidence: Counter, keep: Iterable[tuple[int, int]] = ()) -> str:
    """`text` with its Title Case words that are not names lower-cased (same
    length). `keep`: ranges left as written (glossary terms, protected spans)."""
    keep = list(keep)
    for name in getattr(evidence, "names", ()):
        keep += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    for run in _NAME_RUN.finditer(text):  # the expansion of an acronym the article uses
        words = [(run.start() + m.start(), run.start() + m.end()) for m in re.finditer(r"[^ -]+", run.group())]
        for i in range(len(words)):
            for j in range(i + 2, len(words) + 1):
                if "".join(text[a] for a, _ in words[i:j]) in getattr(evidence, "acronyms", ()):
                    keep.append((words[i][0], words[j - 1][1]))
    chars = list(text)
    for match in _WORD.finditer(text):
        before = text[: match.start()]
        if _HEADLINE_START.search(before) or _TITLE_DOT.search(before) or len(match.group()) == 1:
            continue  # the first word, "St. Martin's", "U.S.", "A.I."
        if any(s < match.end() and match.start() < e for s, e in keep):
            continue
        offset = match.start()
        for part in match.group().split("-"):
            if _is_common(part, evidence):
                chars[offset] = part[0].lower() if len(part[0].lower()) == 1 else part[0]
            offset += len(part) + 1
    return "".join(chars)


def set_in_sentence_case(units, segments, source: str) -> list[int]:
    """The pipeline's hook: each segment that is a whole unit (a title, a
    heading) in Title Case gets its text set in sentence case, in place.
    Returns their indices, for `target_case` on their translations."""
    if source != "en":
        return []
    cased = [
        i
        for i, segment in enumerate(segments)
        if segment.text == units[segment.unit].text.strip() and is_title_case(segment.text)
    ]
    if cased:
        evidence = name_evidence(unit.text for unit in units)
        for i in cased:
            segment = segments[i]
            segment.text = sentence_case(segment.text, evidence, [(f.start, f.end) for f in segment.fixed])
    return cased


def target_case(text: str, lang: str) -> str:
    """The translation of a sentence-cased headline in the target's headline case."""
    if lang in _KEEP_TARGET_CASE or not text[:1].islower():
        return text
    upper = text[0].upper()
    return upper + text[1:] if len(upper) == 1 else text


def _is_common(word: str, evidence: Counter) -> bool:
    if not word[:1].isupper() or not word[1:].islower() and word[1:].strip("'’s"):
        return False  # lower case already, or not Title-Case shaped (AMLO, YouTube, McCain)
    base = _base(word)
    vote = evidence.get(base.casefold(), 0)
    if vote:
        return vote < 0
    if base.casefold() in _SMALL:
        return True
    if lexicon.has(base) and not lexicon.has(base.lower()):
        return False  # known only as a name: "Chinese", "Johnny"
    return lexicon.lower_case(base)


def _base(word: str) -> str:
    """Without a possessive: "Trump's" -> "Trump"."""
    return re.sub(r"['’]s?$", "", word)
