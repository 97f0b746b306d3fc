"""Which language a text is in, offline: lingua, restricted to a list of languages.

lingua is accurate on short texts (a headline, one sentence), where n-gram
detectors built for documents guess. It is restricted to the languages the
service works with, for speed and memory (measured on this machine: 12
languages preloaded take ~400 MB and ~10-30 s to build; all 75 take 1.25 GB).

A detector only ever answers with one of its languages, so a text in a language
outside the list is attributed to its nearest neighbour with high confidence
(Russian comes out as Ukrainian at 1.0 when only Ukrainian is listed). The list
is therefore every language of the installed models, targets included, or a
configured one (DETECT_LANGUAGES), never just the installed source languages:
with only English sources installed, every text would be "English, 100%".

A detection is trusted only when it is confident and the text is not a mix:
- no letters at all (numbers, emoji), or a top confidence below
  `min_confidence` (one or two words shared by several languages; a single
  word needs 90%) -> not detected;
- when the text is long enough to hold several languages, lingua's
  per-section detection must attribute at least `min_share` of its words to
  the detected language; a paragraph of English followed by one of German is
  "mixed", not German (lingua's whole-text confidence for such a text can
  be 1.0 for either language).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Iterable

from config import Settings

log = logging.getLogger(__name__)

# Below this many words a text is one language or too short to tell; checking
# it for several languages would only add noise.
_MIXED_CHECK_MIN_WORDS = 8
# A single word is where lingua guesses most ("OK": Lithuanian 68% among 7
# languages, "prologue": French 63%); it must be near certain ("Vilnius": 98%).
_ONE_WORD_MIN_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Candidate:
    language: str  # ISO 639-1, lower case
    confidence: float  # 0..1; candidates of one text sum to 1


@dataclass(frozen=True)
class Detection:
    """The outcome for one text. `language` is None when it could not be decided, and `reason` says why."""

    language: str | None
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""
    # Share of the words per language, when the text was checked for mixing.
    shares: dict[str, float] = field(default_factory=dict)

    @property
    def detected(self) -> bool:
        return self.language is not None

    def to_dict(self) -> dict:
        """As jobs record it: {language, confidence} (confidence rounded to 3 places)."""
        return {"language": self.language, "confidence": round(self.confidence, 3)}

    def describe(self) -> str:
        """Why detection failed, in a sentence an API error can carry."""
        options = ", ".join(f"{c.language} {c.confidence:.0%}" for c in self.candidates[:3] if c.confidence > 0)
        return f"{self.reason}" + (f" (best candidates: {options})" if options and not self.shares else "")


class Detector:
    """Built once per process (building loads the language models): thread-safe afterwards."""

    def __init__(
        self,
        languages: Iterable[str],
        min_confidence: float = Settings.detect_min_confidence,
        min_share: float = Settings.detect_min_share,
        preload: bool = True,
    ):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        self.min_confidence = min_confidence
        self.min_share = min_share
        wanted, self.unknown = [], []
        for code in dict.fromkeys(code.split("-")[0].lower() for code in languages):
            try:
                wanted.append(Language.from_iso_code_639_1(IsoCode639_1.from_str(code)))
            except ValueError:
                self.unknown.append(code)  # not a language lingua knows: it is never detected
        if self.unknown:
            log.warning("language detection cannot recognise: %s", ", ".join(self.unknown))
        self.languages = tuple(sorted(_code(lang) for lang in wanted))
        self._lingua = None
        if wanted:
            builder = LanguageDetectorBuilder.from_languages(*wanted)
            if preload:
                # Otherwise the first text pays for loading (7-9 s for 8 languages).
                builder = builder.with_preloaded_language_models()
            self._lingua = builder.build()

    def detect(self, text: str) -> Detection:
        if self._lingua is None:
            return Detection(None, 0.0, reason="language detection has no languages configured")
        values = self._lingua.compute_language_confidence_values(text)
        candidates = tuple(Candidate(_code(v.language), v.value) for v in values)
        top = candidates[0] if candidates else None
        if top is None or top.confidence == 0.0:
            return Detection(None, 0.0, candidates, "the text has no words to detect a language from")
        words = sum(any(ch.isalpha() for ch in word) for word in text.split())  # "OK 2024" is one word
        needed = max(self.min_confidence, _ONE_WORD_MIN_CONFIDENCE) if words == 1 else self.min_confidence
        if len(self.languages) > 1 and top.confidence < needed:
            return Detection(
                None,
                top.confidence,
                candidates,
                f"the text is too short or too ambiguous to tell its language (confidence below {needed:.0%})",
            )
        if words >= _MIXED_CHECK_MIN_WORDS and len(self.languages) > 1:
            shares = self._word_shares(text)
            if shares.get(top.language, 0.0) < self.min_share:
                mix = ", ".join(f"{lang} {share:.0%}" for lang, share in shares.items())
                return Detection(
                    None, top.confidence, candidates, f"the text mixes languages (share of words: {mix})", shares
                )
        return Detection(top.language, top.confidence, candidates)

    def _word_shares(self, text: str) -> dict[str, float]:
        words: dict[str, int] = {}
        for section in self._lingua.detect_multiple_languages_of(text):
            code = _code(section.language)
            words[code] = words.get(code, 0) + section.word_count
        total = sum(words.values()) or 1
        return {code: count / total for code, count in sorted(words.items(), key=lambda kv: -kv[1])}


def _code(language) -> str:
    # IsoCode639_1 is not a Python Enum: its name is the code.
    return language.iso_code_639_1.name.lower()
