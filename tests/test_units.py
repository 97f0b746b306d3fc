"""Unit tests of the domain pieces: segmentation, routing/pivoting, batching,
fixed-span enforcement, projection. No Redis, no workers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from workers.enforcement import FixedSpan, GlossaryReport, join_pieces, mask, split_around
from workers.models import InstalledModel, routes
from workers.segmentation import split_sentences
from workers.translation import Projection


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


def model(src: str, tgt: str) -> InstalledModel:
    return InstalledModel(f"{src}_{tgt}", "1.0", src, tgt, Path(f"/m/{src}_{tgt}"))


def test_routes_direct_and_pivot_through_english():
    models = [model("de", "en"), model("en", "fr"), model("en", "de"), model("fr", "de")]
    table = routes(models, "en")
    assert [m.package for m in table[("de", "fr")]] == ["de_en", "en_fr"]
    assert [m.package for m in table[("fr", "de")]] == ["fr_de"]  # direct beats pivot
    assert ("de", "de") not in table and ("fr", "en") not in table


def test_mask_restore_round_trip_and_spans():
    text = "NATO chief met Kyiv officials."
    spans = [FixedSpan(0, 4, "OTAN", "n", "NATO"), FixedSpan(15, 19, "Kiev", "k", "Kyiv")]
    masked = mask(text, spans)
    assert masked.text == "T1 chief met T2 officials."
    restored = masked.restore(masked.text)  # an identity "translation"
    assert restored.ok and restored.text == "OTAN chief met Kiev officials."
    assert [restored.text[s:e] for s, e in restored.spans] == ["OTAN", "Kiev"]
    # Reordered placeholders are fine: each is found where the model put it.
    swapped = masked.restore("T2 officials met the T1 chief.")
    assert swapped.ok and swapped.text == "Kiev officials met the OTAN chief."


@pytest.mark.parametrize("output", ["T1 chief met officials.", "T1 T1 met T2.", "G1 chief met G2.", "T1 T2 T3"])
def test_restore_refuses_lost_duplicated_altered_or_invented_placeholders(output):
    masked = mask("NATO chief met Kyiv officials.", [FixedSpan(0, 4, "OTAN", "n"), FixedSpan(15, 19, "Kiev", "k")])
    assert not masked.restore(output).ok


def test_mask_avoids_codes_already_in_the_text():
    masked = mask("Flight T1 to Kyiv", [FixedSpan(13, 17, "Kiev", "k")])
    assert masked.text == "Flight T1 to Q1" and masked.restore("Flug T1 nach Q1").text == "Flug T1 nach Kiev"


def test_split_around_keeps_whitespace_and_punctuation_verbatim():
    text = "In Vilnius, NATO’s summit  opens."
    spans = [FixedSpan(3, 10, "Vilna", "v"), FixedSpan(12, 16, "OTAN", "n")]
    pieces = split_around(text, spans)
    assert [(p.kind, p.text) for p in pieces] == [
        ("translate", "In"), ("fixed", "Vilna"), ("verbatim", ", "), ("fixed", "OTAN"), ("translate", "’s summit  opens.")]
    outputs = [codecs.encode(p.text, "rot13") for p in pieces if p.translatable]
    joined, placed = join_pieces(pieces, outputs)
    assert joined == "Va Vilna, OTAN’f fhzzvg  bcraf."
    assert [joined[s:e] for s, e in placed] == ["Vilna", "OTAN"]


def test_report_counts_terms_not_protected_markup():
    report = GlossaryReport()
    report.record([FixedSpan(0, 4, "OTAN", "n", "NATO"), FixedSpan(5, 9, "code", None)], [(0, 4), (5, 9)], "mask")
    report.record([FixedSpan(0, 4, "OTAN", "n", "NATO")], [(0, 4)], "split")
    summary = report.to_dict()
    assert summary["terms"] == [{"entry_id": "n", "term": "NATO", "source_occurrences": 2, "rendered_occurrences": 2,
                                 "methods": {"mask": 1, "split": 1}, "failures": []}]


def test_projection_is_exact_at_anchors_and_monotonic():
    projection = Projection([(0, 0), (10, 12), (10, 12), (20, 18), (15, 30)])  # (15, 30) runs backwards: dropped
    assert projection(0) == 0 and projection(10) == 12 and projection(20) == 18
    values = [projection(i) for i in range(21)]
    assert values == sorted(values)
