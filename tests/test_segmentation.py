"""Bounded segmentation: pysbd never sees a huge paragraph, and sentences too
long for the model are split at clauses, then whitespace, never truncated."""

from __future__ import annotations

import pytest

from glossary.enforcement import FixedSpan
from translation import segmentation
from translation.article import plan_segments
from translation.documents import Unit
from translation.limits import LimitExceeded, SegmentBudget
from translation.segmentation import PRESPLIT_CHARS, presplit, split_sentences, split_to_fit


class SpySegmenter:
    """pysbd as the segmentation module uses it, refusing inputs pysbd handles in superlinear time."""

    def __init__(self, real):
        self.real = real
        self.longest = 0

    def segment(self, text):
        self.longest = max(self.longest, len(text))
        if len(text) > PRESPLIT_CHARS:
            raise AssertionError(f"pysbd was given {len(text)} characters at once")
        return self.real.segment(text)


@pytest.fixture()
def spy(monkeypatch):
    real = segmentation._segmenter("en")
    spy = SpySegmenter(real)
    monkeypatch.setattr(segmentation, "_segmenter", lambda lang: spy)
    return spy


def covered(text: str, spans) -> str:
    return "".join(text[s.start : s.end] for s in spans)


@pytest.mark.slow  # seconds: the full suite's, not make test-fast's
def test_a_mebibyte_paragraph_without_punctuation_reaches_pysbd_in_small_chunks(spy):
    """Before: the whole paragraph went to pysbd, which took 12 minutes."""
    words = ["alliance", "minister", "said", "meeting", "spring", "capital"]
    text = " ".join(words[i % len(words)] for i in range(150_000))[: 1 << 20]
    spans = split_sentences(text, "en")
    assert 0 < spy.longest <= PRESPLIT_CHARS
    assert "".join(covered(text, spans).split()) == "".join(text.split())  # every character in a sentence


def test_presplit_prefers_sentence_ends_and_keeps_every_character():
    text = ("The minister spoke. " * 300).strip()
    chunks = presplit(text)
    assert "".join(text[a:b] for a, b in chunks) == text
    assert all(b - a <= PRESPLIT_CHARS for a, b in chunks)
    assert all(text[a:b].rstrip().endswith(".") for a, b in chunks)


def test_presplit_never_cuts_an_unbreakable_span():
    text = "word " * 500 + "KEEP THIS TOGETHER " + "word " * 500
    start = text.index("KEEP")
    span = (start, start + len("KEEP THIS TOGETHER"))
    for size in range(start - 5, start + 25):
        chunks = presplit(text, [span], size=max(40, size))
        assert not any(a < span[0] < b < span[1] or span[0] < b < span[1] for a, b in chunks)


def test_long_sentence_splits_at_clauses_first():
    sentence = "The minister, who arrived late, said that the talks would go on; the allies agreed."
    pieces = split_to_fit(sentence, SegmentBudget(max_chars=50, max_tokens=1000))
    assert [sentence[a:b] for a, b in pieces] == [
        "The minister, who arrived late,",
        "said that the talks would go on;",
        "the allies agreed.",
    ]


def test_clause_too_long_splits_at_whitespace_and_nothing_is_lost():
    sentence = " ".join(f"word{i}" for i in range(400))
    budget = SegmentBudget(max_chars=100, max_tokens=1000)
    pieces = split_to_fit(sentence, budget)
    assert all(budget.fits(sentence[a:b]) for a, b in pieces)
    assert " ".join(sentence[a:b] for a, b in pieces) == sentence


def test_token_budget_is_counted_by_the_tokenizer():
    sentence = "aaaa bbbb cccc dddd eeee ffff"
    budget = SegmentBudget(max_chars=1000, max_tokens=8, count_tokens=lambda text: len(text.split()) * 4)
    assert [sentence[a:b] for a, b in split_to_fit(sentence, budget)] == ["aaaa bbbb", "cccc dddd", "eeee ffff"]


def test_a_word_longer_than_the_limit_is_refused_naming_it():
    with pytest.raises(LimitExceeded) as refused:
        split_to_fit("short " + "x" * 200 + " short", SegmentBudget(max_chars=100, max_tokens=1000))
    assert refused.value.setting == "MAX_SEGMENT_CHARS" and refused.value.limit == 100


def test_split_never_cuts_a_glossary_term():
    text = "Alpha beta gamma, Jens Stoltenberg said today in a long speech about the alliance and more."
    term = text.index("Jens Stoltenberg")

    class Matcher:
        def find(self, sentence, target):
            from types import SimpleNamespace

            at = sentence.find("Jens Stoltenberg")
            return (
                [
                    SimpleNamespace(
                        start=at,
                        end=at + 16,
                        rendering="Jens Stoltenberg",
                        entry_id="e1",
                        term="Jens Stoltenberg",
                        grammar=None,
                    )
                ]
                if at >= 0
                else []
            )

    segments = plan_segments(
        [Unit(text, [])], "en", "de", Matcher(), budget=SegmentBudget(max_chars=24, max_tokens=1000)
    )
    holding = [s for s in segments if s.start <= term < s.end]
    assert len(holding) == 1 and holding[0].fixed == [
        FixedSpan(term - holding[0].start, term - holding[0].start + 16, "Jens Stoltenberg", "e1", "Jens Stoltenberg")
    ]
    assert all(len(s.text) <= 24 for s in segments)


# -- pysbd's cuts that news text shows to be wrong (the NTREX development half) ------------------


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, "en")]


@pytest.mark.parametrize(
    "text, expected",
    [
        # A line-final closing quotation mark stays with its sentence (NTREX line 75, shortened).
        (
            "Our range of brands is designed to suit every need and the alluring environment and convenient locations"
            " mean we're now a compelling beauty destination which challenges the old way of shopping.\"",
            [
                "Our range of brands is designed to suit every need and the alluring environment and convenient locations"
                " mean we're now a compelling beauty destination which challenges the old way of shopping.\""
            ],
        ),
        (
            "A Labour Party spokesman said: 'A four-day week is not party policy.'",
            ["A Labour Party spokesman said: 'A four-day week is not party policy.'"],
        ),
        # Time abbreviations before a time zone or a day (NTREX line 696).
        ("The show airs at 7 p.m. ET on Sunday.", ["The show airs at 7 p.m. ET on Sunday."]),
        (
            "The rally is scheduled for 7 p.m. Saturday, September 29, 2018.",
            ["The rally is scheduled for 7 p.m. Saturday, September 29, 2018."],
        ),
        ("It ended at 7 p.m. The crowd left.", ["It ended at 7 p.m.", "The crowd left."]),
        # A quoted name is not a sentence (NTREX line 820).
        (
            '"Hans" Geiger died in 1945, just short of his 63rd birthday.',
            ['"Hans" Geiger died in 1945, just short of his 63rd birthday.'],
        ),
        # An attribution after a quotation ends the same sentence (NTREX lines 51, 503).
        (
            "\"I yelled: 'There's a shark in the water!'\" Hammel added.",
            ["\"I yelled: 'There's a shark in the water!'\" Hammel added."],
        ),
        (
            '"We want to join with our heads up, not through the service door" Kavadarkov said.',
            ['"We want to join with our heads up, not through the service door" Kavadarkov said.'],
        ),
        ('"Yes!" The crowd roared.', ['"Yes!"', "The crowd roared."]),
        (
            "Gov. Jerry Brown signed it. Sen. Jeff Flake did not.",
            ["Gov. Jerry Brown signed it.", "Sen. Jeff Flake did not."],
        ),
        ("He moved to the U.S. in 1990. It was No. 1 then.", ["He moved to the U.S. in 1990.", "It was No. 1 then."]),
    ],
)
def test_news_sentences(text, expected):
    assert _sentences(text) == expected


def test_no_segment_of_the_ntrex_development_half_is_only_punctuation():
    from quality import ntrex

    lines = ntrex.source()
    segments = [s for line in lines for s in _sentences(line)]
    assert len(segments) > len(lines)
    assert not [s for s in segments if not any(ch.isalnum() for ch in s)]
