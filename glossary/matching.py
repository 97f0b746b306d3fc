"""Finding glossary terms in source text.

Rules (all of them tested in tests/test_glossary_matching.py):
- literal: "C++", "$1 billion" and "U.S." are text, never regex syntax;
- on Unicode word boundaries, required only on a side where the term has a
  word character: "C++" must not follow a letter but may be followed by
  anything, "$1 billion" may follow anything; combining marks count as part
  of a word, so "Kyiv" does not match inside "Kyiv" + U+0301;
- case-insensitive unless the entry is case-sensitive ("NATO" but not "nato");
- variants match too and carry the entry's rendering;
- where candidates overlap the longest wins ("Jens Stoltenberg" over
  "Stoltenberg"), then the earlier one, then the earlier glossary;
- punctuation and possessives around a term do not stop it ("Vilnius's",
  "NATO’s", "(Kyiv)"), and the possessive stays outside the match;
- nothing inside a URL or an e-mail address: those are identifiers;
- nothing inside a longer proper name, unless the entry says
  `match_inside_names`: "BBC Scotland", "London Fashion Week", "Toyota UK",
  "non-UK residents", a quoted title "Europe's Turbulent Century" are names of
  their own, which the model translates (or keeps) as a whole. See
  `inside_longer_name` for what counts.

`TermMatcher` is built once per set of glossary versions (the worker caches it
by (id, version)); it compiles one pattern per target language on first use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Iterable, Sequence

from glossary.entries import Entry, Glossary, fold
from glossary.grammar import Grammar

# Links and addresses are identifiers: a term inside one is never replaced.
_URL_OR_EMAIL = re.compile(
    r"\b[a-z][a-z0-9+.-]*://[^\s<>\"']+"  # scheme://…
    r"|\bwww\.[^\s<>\"']+"  # www.…
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # user@host.tld
    # bare domains with a common top-level domain, lower-case only so that a
    # missing space after a full stop ("in Kyiv.De…") is not taken for one
    r"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+(?-i:com|org|net|int|gov|edu|mil|info|io|eu|ua|lt|de|fr|es|uk|ru|pl)"
    r"\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TermMatch:
    start: int
    end: int
    entry_id: str
    term: str  # the entry's canonical term
    matched: str  # the source text matched (the term, a variant, another case)
    rendering: str  # what it becomes in the target language
    grammar: Grammar | None = None  # the rendering's gender, number, article (None: not given)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL and e-mail address in `text`."""
    return [m.span() for m in _URL_OR_EMAIL.finditer(text)]


def _is_word_char(ch: str) -> bool:
    """Letters, digits, "_" and combining marks (Python's \\w leaves marks out,
    so "Kyiv" would otherwise match inside "Kyiv" + U+0301)."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


@dataclass(frozen=True)
class _Spelling:
    """One spelling to look for, with the entry it stands for."""

    key: str  # the spelling as compared: folded unless case-sensitive
    entry: Entry
    priority: int  # index of its glossary: lower wins on identical matches


class _Trie:
    __slots__ = ("children", "terminal")

    def __init__(self):
        self.children: dict[str, _Trie] = {}
        self.terminal = False


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regex matching any of `keys` (longest first), with boundaries.

    A trie keeps the alternation small: at each character at most one branch
    can continue, so the engine tries the longest spelling first and backs off
    to shorter ones only where a longer one fails (e.g. its boundary).
    """
    root = _Trie()
    for key in keys:
        node = root
        for ch in key:
            node = node.children.setdefault(ch, _Trie())
        node.terminal = True
    # \w here is a first, cheap cut; `_Compiled.candidates` applies the full
    # rule (combining marks too) to every candidate.
    not_word_before, not_word_after = r"(?<!\w)", r"(?!\w)"

    def alternatives(node: _Trie, last_char: str) -> str:
        options = []
        for ch, child in node.children.items():
            chain = [ch]
            while len(child.children) == 1 and not child.terminal:
                ((next_ch, child),) = child.children.items()
                chain.append(next_ch)
            options.append(re.escape("".join(chain)) + alternatives(child, chain[-1]))
        if node.terminal:  # last, so longer spellings are tried first
            options.append(not_word_after if _is_word_char(last_char) else "")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    branches = []
    for ch, child in root.children.items():
        # Left boundary only where the spelling starts with a word character.
        guard = not_word_before if _is_word_char(ch) else ""
        branches.append(guard + re.escape(ch) + alternatives(child, ch))
    return "|".join(branches)


class _Compiled:
    """The spellings that apply to one target language, in one case mode."""

    def __init__(self, spellings: dict[str, _Spelling]):
        self.spellings = spellings
        self.lengths = sorted({len(k) for k in spellings}, reverse=True)
        # The lookahead reports a (longest) candidate at every position,
        # including positions inside another candidate (overlaps are resolved later).
        self.pattern = re.compile("(?=(" + _trie_pattern(spellings) + "))") if spellings else None

    def candidates(self, text: str):
        """(start, end, spelling) of every spelling that matches at a boundary, overlaps included."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            start, longest = match.start(1), len(match.group(1))
            if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
                continue  # starts inside a word (after a combining mark)
            # The regex gives the longest spelling at `start`; shorter ones
            # there matter too when the longest loses to an overlapping match.
            for length in self.lengths:
                if length > longest:
                    continue
                spelling = self.spellings.get(text[start : start + length])
                end = start + length
                if spelling is None:
                    continue
                if end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]):
                    continue  # would end inside a word
                yield start, end, spelling


class TermMatcher:
    """Compiled once per set of glossary versions; `find` is cheap per segment."""

    def __init__(self, entries: Iterable[Entry], priorities: Iterable[int] | None = None):
        self.entries = list(entries)
        self._priorities = list(priorities) if priorities is not None else [0] * len(self.entries)
        self._by_lang: dict[str, tuple[_Compiled, _Compiled]] = {}

    @classmethod
    def from_glossaries(cls, glossaries: Iterable[Glossary]) -> "TermMatcher":
        """Several glossaries at once; where two match the very same text, the earlier one wins."""
        entries, priorities = [], []
        for priority, glossary in enumerate(glossaries):
            entries += glossary.entries
            priorities += [priority] * len(glossary.entries)
        return cls(entries, priorities)

    def _compiled(self, target_lang: str) -> tuple[_Compiled, _Compiled]:
        if target_lang not in self._by_lang:
            sensitive: dict[str, _Spelling] = {}
            insensitive: dict[str, _Spelling] = {}
            for entry, priority in zip(self.entries, self._priorities):
                if entry.rendering(target_lang) is None:
                    continue  # no rendering for this language: the entry is not applied
                table = sensitive if entry.case_sensitive else insensitive
                for spelling in entry.spellings():
                    if not spelling:
                        continue
                    key = spelling if entry.case_sensitive else fold(spelling)
                    if key not in table or priority < table[key].priority:
                        table[key] = _Spelling(key, entry, priority)
            self._by_lang[target_lang] = (_Compiled(sensitive), _Compiled(insensitive))
        return self._by_lang[target_lang]

    def find(self, text: str, target_lang: str) -> list[TermMatch]:
        """Non-overlapping matches, sorted by start."""
        if not text or not self.entries:
            return []
        sensitive, insensitive = self._compiled(target_lang)
        protected = protected_spans(text)
        candidates = [*sensitive.candidates(text), *insensitive.candidates(fold(text))]
        candidates = [c for c in candidates if not any(c[0] < end and start < c[1] for start, end in protected)]
        # Longest first; then the earlier start; then the earlier glossary.
        candidates.sort(key=lambda c: (c[0] - c[1], c[0], c[2].priority))
        taken: list[tuple[int, int]] = []
        chosen: list[TermMatch] = []
        spans = [(c[0], c[1]) for c in candidates]
        for start, end, spelling in candidates:
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if (
                not spelling.entry.keep
                and not spelling.entry.match_inside_names
                and inside_longer_name(text, start, end, spans)
            ):
                continue
            taken.append((start, end))
            matched = text[start:end]
            chosen.append(
                TermMatch(
                    start,
                    end,
                    spelling.entry.id,
                    spelling.entry.term,
                    matched,
                    spelling.entry.rendering(target_lang, matched),
                    spelling.entry.grammar_for(target_lang),
                )
            )
        return sorted(chosen, key=lambda m: m.start)


def find_terms(text: str, glossary_or_entries: Glossary | Iterable[Entry], target_lang: str) -> list[TermMatch]:
    """Convenience wrapper: compile and match once (use TermMatcher to match many texts)."""
    entries = glossary_or_entries.entries if isinstance(glossary_or_entries, Glossary) else glossary_or_entries
    return TermMatcher(entries).find(text, target_lang)


# -- longer names ---------------------------------------------------------------------

# Capitalised words that may follow or precede a name without making one name
# with it: sentence openers, titles before a person's name ("U.S. President
# Donald Trump", "UK Prime Minister"), days and months ("the EU Tuesday said").
_NOT_NAME_WORDS = frozenset(
    """
a an the in on at of for from to by with and but or nor as after before when while if since under over
between against about during despite though although because so yet that this these those there here
then now meanwhile however also both either neither not no his her its their our my your we they he she
it i you who what which where why how all some many most more one two three
president presidents prime minister ministers secretary senator sen rep representative ambassador envoy
governor gov chancellor king queen prince princess foreign defence defense trade finance interior home
health justice attorney general state department officials official government troops forces army navy
mr mrs ms dr yesterday today tomorrow last next earlier later still even only just several other such
every each
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december
""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’.]*")
_QUOTES = '"“”«»„'  # double only: a single one is as often an apostrophe


def _capitalised_name_word(word: str) -> bool:
    bare = word.rstrip(".").replace("’", "'").split("'")[0]
    return bool(bare) and bare[0].isupper() and bare.casefold() not in _NOT_NAME_WORDS


def _acronym(word: str) -> bool:
    return sum(ch.isupper() for ch in word) >= 2


def _opens_sentence(text: str, position: int) -> bool:
    """Any word is capitalised there ("Second NATO item"); only an acronym ("BBC Scotland") still says "name"."""
    head = text[:position].rstrip()
    return not head or head[-1] in '.!?:;"“”«»()—–-\n'


def _sentence_end(word: str) -> bool:
    """ "Scotland." ends a sentence; "U.S." is an abbreviation, part of the name."""
    return word.endswith(".") and word.count(".") == 1


def _headline(text: str) -> bool:
    """Title Case ("Trump Says US Will Act"): capitals say nothing about names there."""
    words = [w for w in _WORD.findall(text) if len(w) > 3 and w.casefold() not in _NOT_NAME_WORDS]
    return len(words) >= 3 and all(w[0].isupper() for w in words)


def inside_longer_name(text: str, start: int, end: int, others: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether text[start:end] is part of a longer proper name:
    - joined by a hyphen to a word ("non-UK residents", "UK-based");
    - next to a capitalised word with only a space between ("BBC Scotland",
      "London Fashion Week", "Toyota UK"), unless that word is a title, a
      function word, a day or month (`_NOT_NAME_WORDS`), another term
      (`others`: "EU Brexit talks" is two names), a word opening the sentence
      that is not an acronym ("Second NATO item"), or the line is Title Case;
    - inside quotation marks that enclose a title in Title Case ("Europe's
      Turbulent Century").
    A possessive does not join: "North Korea's top diplomat" is the term."""
    if start >= 2 and text[start - 1] == "-" and text[start - 2].isalnum():
        return True
    if end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum():
        return True
    covered = [(s, e) for s, e in others if not (s == start and e == end)]

    def is_other_term(position: int) -> bool:
        return any(s <= position < e for s, e in covered)

    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    # In Title Case every word is capitalised: only an acronym ("BBC") still says "name".
    headline = _headline(text[line_start : line_end if line_end >= 0 else len(text)])
    before = re.search(r"([^\W\d_][\w.’']*) $", text[:start])
    if (
        before
        and _capitalised_name_word(before.group(1))
        and not is_other_term(before.start(1))
        and not before.group(1).endswith(("'s", "’s"))
        and not _sentence_end(before.group(1))
        and (_acronym(before.group(1)) or not headline and not _opens_sentence(text, before.start(1)))
    ):
        return True
    after = re.match(r" ([^\W\d_][\w.’']*)", text[end:])
    if (
        after
        and _capitalised_name_word(after.group(1))
        and not is_other_term(end + 1)
        and (_acronym(after.group(1)) or not headline)
    ):
        return True
    return _quoted_title(text, start, end)


def _quoted_title(text: str, start: int, end: int) -> bool:
    """Inside double quotation marks that hold a title: every word of four or
    more letters capitalised, and words besides the term."""
    opening = max(text.rfind(q, 0, start) for q in _QUOTES)
    if opening < 0:
        return False
    closing = min((i for q in _QUOTES if (i := text.find(q, end)) >= 0), default=-1)
    if closing < 0 or any(q in text[opening + 1 : start] for q in _QUOTES):
        return False
    rest = _WORD.findall(text[opening + 1 : start] + " " + text[end:closing])
    long_words = [w for w in _WORD.findall(text[opening + 1 : closing]) if len(w) > 3]
    return bool(rest) and len(long_words) >= 2 and all(w[0].isupper() for w in long_words)
