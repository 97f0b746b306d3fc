"""Unit tests of the domain pieces: segmentation, routing/pivoting, projection.
No Redis, no workers. (Fixed-span masking has its own tests: test_glossary_enforcement.py.)"""

from __future__ import annotations

from translation.engines import ModelInfo, routes
from glossary.enforcement import FixedSpan
from translation.alignment import locate
from translation.article import (
    Projection,
    Segment,
    SegmentTranslation,
    _locate_inline,
    one_line,
    plan_segments,
    put_breaks_back,
)
from translation.documents import Unit
from translation.segmentation import split_sentences


def sentences(text: str, unbreakable=()) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, "en", list(unbreakable))]


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
    # pysbd has no Lithuanian rules; English ones know "Gen." and "U.S.", so a
    # split after either would mean no rules at all.
    text = "Gen. Mark Milley met U.S. officials in Vilnius. Kaunas is next."
    assert split_sentences(text, "lt") == split_sentences(text, "en")
    assert sentences(text) == ["Gen. Mark Milley met U.S. officials in Vilnius.", "Kaunas is next."]


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
    projection = Projection([(0, 0), (10, 12), (10, 12), (15, 30), (20, 18), (25, 40)])  # (20, 18) runs backwards
    assert projection(0) == 0 and projection(10) == 12 and projection(15) == 30 and projection(25) == 40
    values = [projection(i) for i in range(26)]
    assert values == sorted(values)


def test_projection_of_an_offset_with_two_targets_depends_on_the_side():
    # "<a>NATO headquarters</a>" -> "sede da OTAN": the link opens at "sede" (0),
    # the glossary term starts at "OTAN" (8); both are source offset 0.
    projection = Projection([(0, 0), (0, 8), (4, 12), (17, 12), (30, 25)])
    assert projection(0, "left") == 0 and projection(0, "right") == 8
    assert projection(17) == 12


# -- inline markup located in the translation ---------------------------------------


def test_locate_finds_a_phrase_whose_word_order_changed_in_its_sentence():
    sentence = "Os apoiadores de Kiev se reunirão na sede da OTAN, em Bruxelas."
    found = locate(sentence, "Sede OTAN", "pt", expected=30)  # the phrase translated on its own
    assert sentence[found[0] : found[1]] == "sede da OTAN"
    quoted = "O Kremlin chamou a declaração de “propaganda pura” e alertou."
    found = locate(quoted, "“propaganda pura”", "pt")
    assert quoted[found[0] : found[1]] == "“propaganda pura”"
    assert locate(sentence, "mísseis de cruzeiro", "pt") is None
    assert locate(sentence, "da", "pt") is None  # function words alone locate nothing


def test_locate_prefers_the_occurrence_nearest_to_the_expected_place():
    sentence = "Luta feroz, feroz luta."
    assert locate(sentence, "feroz", "pt", expected=0) == (5, 10)
    assert locate(sentence, "feroz", "pt", expected=15) == (12, 17)


def test_inline_phrases_are_placed_where_their_translation_is_or_not_at_all():
    text = "Allies meet at NATO headquarters in Brussels on Friday."
    nato, hq, friday = text.index("NATO"), (text.index("NATO"), text.index(" in")), text.index("on Friday")
    segment = Segment(
        0, 0, len(text), text, [FixedSpan(nato, nato + 4, "OTAN", "e")], [hq, (friday, friday + len("on Friday"))]
    )
    target = "Os aliados reúnem-se na sede da OTAN em Bruxelas nesta sexta-feira."
    translation = SegmentTranslation(target, [(target.index("OTAN"), target.index("OTAN") + 4)])
    placed = _locate_inline(segment, translation, ["Sede OTAN", "na sexta-feira"], "pt")
    assert [target[s:e] for s, e in placed] == ["sede da OTAN", "sexta-feira"]
    # A phrase found on the other side of the glossary term than in the source
    # (a wrong match) is left to proportion, and so is one not found at all.
    meet = (text.index("meet"), text.index("meet") + len("meet at"))
    segment = Segment(0, 0, len(text), text, segment.fixed, [meet, hq])
    assert _locate_inline(segment, translation, ["em Bruxelas", "centro de comando"], "pt") == [None, None]


def test_a_line_break_inside_a_sentence_is_layout_not_a_sentence_end():
    # Wrapped HTML source or a Markdown soft break: the model gets the whole
    # sentence on one line, and the line breaks come back at the nearest spaces.
    text = "Stoltenberg said on\nWednesday that allies must\n  send more shells. Then he left."
    segments = plan_segments([Unit(text)], "en", "pt", None)
    assert [s.text for s in segments] == [
        "Stoltenberg said on\nWednesday that allies must\n  send more shells.",
        "Then he left.",
    ]
    assert one_line(segments[0].text) == "Stoltenberg said on Wednesday that allies must send more shells."
    output = "Stoltenberg disse na quarta-feira que os aliados devem enviar mais conchas."
    assert (
        put_breaks_back(segments[0].text, output)
        == "Stoltenberg disse na\nquarta-feira que os aliados devem\n  enviar mais conchas."
    )
    assert put_breaks_back(segments[0].text, one_line(segments[0].text)) == segments[0].text
