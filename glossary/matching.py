"""Finding glossary terms in source text.

Literal (a term like "C++" or "$1 billion" is text, not a pattern), on Unicode
word boundaries, case-insensitive unless an entry says otherwise, longest term
first where terms overlap, never inside a URL or an e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from glossary.model import Entry, Glossary

# Where terms must not be touched: links and addresses are identifiers.
_URL_OR_EMAIL = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"']+"   # scheme://… or www.…
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",               # user@host.tld
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TermMatch:
    start: int
    end: int
    entry_id: str
    term: str       # the entry's canonical term
    matched: str    # the source text matched (a variant, other case)
    rendering: str


def _boundary_pattern(spelling: str) -> str:
    # \b would fail for terms that start or end with punctuation ("C++", "U.S."),
    # so a word boundary is required only on a side that is a word character.
    left = r"(?<!\w)" if re.match(r"\w", spelling[0]) else ""
    right = r"(?!\w)" if re.match(r"\w", spelling[-1]) else ""
    return left + re.escape(spelling) + right


class TermMatcher:
    """Compiled once per set of glossary versions; `find` is cheap per segment."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def from_glossaries(cls, glossaries: list[Glossary]) -> "TermMatcher":
        # Earlier glossaries win where two define the same spelling.
        taken: set[str] = set()
        entries = []
        for glossary in glossaries:
            for entry in glossary.entries:
                spellings = [s for s in entry.spellings() if s.casefold() not in taken]
                if spellings:
                    taken.update(s.casefold() for s in spellings)
                    entries.append(Entry(spellings[0], spellings[1:], entry.translations, entry.keep,
                                         entry.case_sensitive, entry.note, entry.id))
        return cls(entries)

    @lru_cache(maxsize=64)
    def _compiled(self, target_lang: str):
        """(pattern, lookup) per case mode for the entries that apply to this language."""
        compiled = []
        for case_sensitive in (True, False):
            lookup: dict[str, Entry] = {}
            for entry in self.entries:
                if entry.case_sensitive != case_sensitive or not (entry.keep or target_lang in entry.translations):
                    continue
                for spelling in entry.spellings():
                    lookup.setdefault(spelling if case_sensitive else spelling.casefold(), entry)
            if not lookup:
                continue
            # Longest first, so at any position the alternation takes the longest term;
            # the lookahead reports a candidate at every position, overlapping ones too.
            alternatives = sorted(lookup, key=len, reverse=True)
            spellings = {key: next(s for s in lookup[key].spellings()
                                   if (s if case_sensitive else s.casefold()) == key) for key in alternatives}
            body = "|".join(_boundary_pattern(spellings[key]) for key in alternatives)
            flags = 0 if case_sensitive else re.IGNORECASE
            compiled.append((re.compile(f"(?=({body}))", flags), lookup, case_sensitive))
        return compiled

    def find(self, text: str, target_lang: str) -> list[TermMatch]:
        protected = [m.span() for m in _URL_OR_EMAIL.finditer(text)]
        candidates = []
        for pattern, lookup, case_sensitive in self._compiled(target_lang):
            for match in pattern.finditer(text):
                start, matched = match.start(1), match.group(1)
                entry = lookup.get(matched if case_sensitive else matched.casefold())
                if entry is None:  # IGNORECASE matched where casefold differs (e.g. "ß"); skip safely
                    continue
                end = start + len(matched)
                if any(s < end and start < e for s, e in protected):
                    continue
                candidates.append(TermMatch(start, end, entry.id, entry.term, matched,
                                            entry.rendering(target_lang, matched)))
        # Longest wins where candidates overlap; ties go to the earlier one.
        chosen: list[TermMatch] = []
        for candidate in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
            if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda m: m.start)

    # lru_cache on a method keys on self; matchers live as long as their glossary version.
    __hash__ = object.__hash__


def find_terms(text: str, glossary: Glossary, target_lang: str) -> list[TermMatch]:
    return TermMatcher(glossary.entries).find(text, target_lang)
