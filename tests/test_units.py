"""Unit tests of the domain pieces: segmentation, routing/pivoting, projection.
No Redis, no workers. (Fixed-span masking has its own tests: test_glossary_masking.py.)"""

from __future__ import annotations


import pytest

from translation.engines import ModelInfo, routes
from translation.segmentation import split_sentences
from translation.article import Projection


def sentences(text: str, unbreakable=()) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text, "en", list(unbreakable))]


def test_segmenter_knows_news_abbreviations():
    text = "Gen. Mark Milley met U.S. officials on Jan. 5 in Washington. He left at 5 p.m. on Friday. Then?"
    assert sentences(text) == [
        "Gen. Mark Milley met U.S. officials on Jan. 5 in Washington.",
        "He left at 5 p.m. on Friday.",
        "Then?",
    ]


def test_segments_are_exact_spans_even_for_repeated_sentences():
    text = "  Yes. Yes.   No!  "
    spans = split_sentences(text, "en")
    assert [(s.start, s.end) for s in spans] == [(2, 6), (7, 11), (14, 17)]


def test_unbreakable_span_keeps_sentences_together():
    text = "Run the command. It prints ok. Done."
    cut = text.index("command.")
    assert len(sentences(text)) == 3
    assert sentences(text, [(cut, cut + len("command. It"))]) == ["Run the command. It prints ok.", "Done."]


def test_unknown_language_falls_back_to_english_rules():
    assert [text for text in (s for s in ["Vilnius. Kaunas."])] and \
        [(s.start, s.end) for s in split_sentences("Vilnius. Kaunas.", "lt")] == [(0, 8), (9, 16)]


def model(src: str, tgt: str, engine: str = "argos") -> ModelInfo:
    return ModelInfo(engine, f"{src}_{tgt}", "1.0", src, tgt)


def test_routes_direct_and_pivot_through_english():
    models = [model("de", "en"), model("en", "fr"), model("en", "de"), model("fr", "de")]
    table = routes(models, "en")
    assert [m.name for m in table[("de", "fr")]] == ["de_en", "en_fr"]
    assert [m.name for m in table[("fr", "de")]] == ["fr_de"]  # direct beats pivot
    assert ("de", "de") not in table and ("fr", "en") not in table


def test_routes_prefer_the_first_engine_and_pivot_across_engines():
    models = [model("en", "de"), model("en", "pt"), model("en", "pt", "bergamot"), model("pt", "en", "bergamot")]
    table = routes(models, "en")
    assert [m.engine for m in table[("en", "pt")]] == ["argos"]  # listed first: preferred
    assert [(m.engine, m.name) for m in table[("pt", "de")]] == [("bergamot", "pt_en"), ("argos", "en_de")]


def test_projection_is_exact_at_anchors_and_monotonic():
    projection = Projection([(0, 0), (10, 12), (10, 12), (20, 18), (15, 30)])  # (15, 30) runs backwards: dropped
    assert projection(0) == 0 and projection(10) == 12 and projection(20) == 18
    values = [projection(i) for i in range(21)]
    assert values == sorted(values)
