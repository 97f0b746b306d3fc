"""Masking, splitting and reporting: enforcement that never drops or duplicates a term."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from glossary.enforcement import (
    CODES,
    FIXED,
    NAMES,
    SCHEMES,
    TRANSLATE,
    VERBATIM,
    FixedSpan,
    join_pieces,
    mask,
    split_around,
)
from glossary.report import GlossaryReport, TermReport

PROPERTY = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])

TEXT = "NATO met in Vilnius, said Jens Stoltenberg."
SPANS = [
    FixedSpan(0, 4, "OTAN", "e-nato", "NATO"),
    FixedSpan(12, 19, "Vilna", "e-vilnius", "Vilnius"),
    FixedSpan(26, 42, "Jens Stoltenberg", "e-js", "Jens Stoltenberg"),
]
EXPECTED = "OTAN met in Vilna, said Jens Stoltenberg."


def substituted(text: str, spans: list[FixedSpan]) -> str:
    out, cursor = [], 0
    for span in spans:
        out += [text[cursor : span.start], span.replacement]
        cursor = span.end
    return "".join(out) + text[cursor:]


# -- mask / restore -------------------------------------------------------------


def test_mask_round_trip_with_identity_translation():
    masked = mask(TEXT, SPANS, CODES)
    assert masked.text == "ZX1 met in ZX2, said ZX3."
    result = masked.restore(masked.text)
    assert result.ok and result.problems == []
    assert result.text == EXPECTED
    assert result.restored == [True, True, True]
    assert [result.text[s:e] for s, e in result.spans] == ["OTAN", "Vilna", "Jens Stoltenberg"]


def test_restore_follows_the_model_reordering_placeholders():
    masked = mask(TEXT, SPANS, CODES)
    result = masked.restore("ZX3 sagte, ZX1 habe sich in ZX2 getroffen.")
    assert result.ok
    assert result.text == "Jens Stoltenberg sagte, OTAN habe sich in Vilna getroffen."
    assert [result.text[s:e] for s, e in result.spans] == ["OTAN", "Vilna", "Jens Stoltenberg"]


@pytest.mark.parametrize(
    "output, problem, restored",
    [
        ("ZX1 met in ZX2, said.", "placeholder ZX3 missing", [True, True, False]),
        ("ZX1 met in ZX2, said ZX3 ZX3.", "placeholder ZX3 appears 2 times", [True, True, False]),
        ("ZX1 met in ZX2, said ZX3 and ZX4.", "invented placeholder ZX4", [True, True, True]),
        ("ZX1 met in ZX2, said Zx3.", "altered placeholder 'Zx3'", [True, True, False]),
        ("ZX1 met in ZX2, said ZX 3.", "altered placeholder 'ZX 3'", [True, True, False]),
        ("ZX1 met in ZX2s, said ZX3.", "altered placeholder 'ZX2s'", [True, False, True]),
        ("ZX1 met in aZX2, said ZX3.", "altered placeholder 'aZX2'", [True, False, True]),
        ("ZX1 met in ZX2, said ZX-3.", "altered placeholder 'ZX-3'", [True, True, False]),
        ("ZX1 met in ZX2, said ZX\u0663.", "altered placeholder 'ZX\u0663'", [True, True, False]),  # Arabic-Indic 3
    ],
)
def test_restore_fails_when_a_placeholder_is_altered_dropped_duplicated_or_invented(output, problem, restored):
    result = mask(TEXT, SPANS, CODES).restore(output)
    assert not result.ok
    assert result.text is None and result.spans == []
    assert problem in result.problems
    assert result.restored == restored


def test_prefix_avoids_text_that_looks_like_a_placeholder():
    text = "The ZX1 and zx-2 rifles reached Kyiv."
    masked = mask(text, [FixedSpan(text.index("Kyiv"), text.index("Kyiv") + 4, "Kyjiw", "e")], CODES)
    assert masked.prefix != "ZX" and "ZX" not in masked.placeholders[0]
    # The model copies the source's own "ZX1": not a placeholder, no confusion.
    result = masked.restore(f"Die ZX1 und zx-2 Gewehre erreichten {masked.placeholders[0]}.")
    assert result.ok and result.text == "Die ZX1 und zx-2 Gewehre erreichten Kyjiw."


def test_spans_glued_to_letters_or_each_other_are_not_masked():
    assert "touches" in mask("xNATO", [FixedSpan(1, 5, "OTAN", "e")]).restore("xZorblax").problems[0]
    adjacent = mask("`a``b` c", [FixedSpan(0, 3, "`a`"), FixedSpan(3, 6, "`b`")])
    assert not adjacent.restore(adjacent.text).ok
    assert mask("NATO’s", [FixedSpan(0, 4, "OTAN", "e")], CODES).restore("ZX1’s").text == "OTAN’s"
    assert mask("NATO’s", [FixedSpan(0, 4, "OTAN", "e")], NAMES).restore("Zorblax’s").text == "OTAN’s"


def test_names_are_made_up_proper_nouns_absent_from_the_segment():
    masked = mask(TEXT, SPANS, NAMES)
    assert masked.text == "Zorblax met in Quenvik, said Tavromir."
    result = masked.restore("Tavromir disse que Zorblax se reuniu em Quenvik.")
    assert result.ok and result.text == "Jens Stoltenberg disse que OTAN se reuniu em Vilna."
    assert [result.text[s:e] for s, e in result.spans] == ["OTAN", "Vilna", "Jens Stoltenberg"]
    text = "The zorblax of NATO."
    assert mask(text, [FixedSpan(15, 19, "OTAN", "e")], NAMES).placeholders == ("Quenvik",)


@pytest.mark.parametrize(
    "output, problem",
    [
        ("Zorblax met in Quenviks, said Tavromir.", "altered placeholder 'Quenviks'"),
        ("Zorblax met in quenvik, said Tavromir.", "altered placeholder 'quenvik'"),
        ("Zorblax met in Quenvik, said Tavromir Tavromir.", "placeholder Tavromir appears 2 times"),
        ("Zorblax met in Quenvik, said.", "placeholder Tavromir missing"),
    ],
)
def test_names_damaged_by_the_model_fail_verification(output, problem):
    result = mask(TEXT, SPANS, NAMES).restore(output)
    assert not result.ok and problem in result.problems


def test_more_terms_than_names_fall_back_to_codes():
    text = " ".join(["NATO"] * 13)
    spans = [FixedSpan(i * 5, i * 5 + 4, "OTAN", "e") for i in range(13)]
    masked = mask(text, spans, NAMES)
    assert masked.placeholders[0] == "ZX1" and masked.placeholders[-1] == "ZX13"
    assert masked.restore(masked.text).text == " ".join(["OTAN"] * 13)


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="scheme"):
        mask(TEXT, SPANS, "emoji")


def test_no_spans_restores_the_output_as_is():
    result = mask("Plain text.", []).restore("Klartext.")
    assert result.ok and result.text == "Klartext." and result.spans == []


@pytest.mark.parametrize(
    "spans",
    [
        [FixedSpan(0, 5, "x"), FixedSpan(4, 8, "y")],  # overlapping
        [FixedSpan(5, 8, "x"), FixedSpan(0, 2, "y")],  # unsorted
        [FixedSpan(3, 3, "x")],  # empty
        [FixedSpan(0, 99, "x")],  # outside
    ],
)
def test_invalid_spans_are_refused(spans):
    with pytest.raises(ValueError):
        mask("some text here", spans)
    with pytest.raises(ValueError):
        split_around("some text here", spans)


words = st.text("abcdéЖ", min_size=1, max_size=6)
separators = st.sampled_from([" ", ", ", " (", ") ", "\n", "  ", "\t", " — ", "’s "])


@st.composite
def segments(draw):
    """A text of words and separators, some words fixed (as glossary matches are)."""
    parts, spans, cursor = [], [], 0
    for index in range(draw(st.integers(1, 10))):
        word = draw(words)
        if draw(st.booleans()):
            spans.append(
                FixedSpan(
                    cursor, cursor + len(word), draw(st.text("XYZ 0-", min_size=1, max_size=8)), f"e{index}", word
                )
            )
        separator = draw(separators)
        parts += [word, separator]
        cursor += len(word) + len(separator)
    leading = draw(st.sampled_from(["", " ", "\n  "]))
    spans = [FixedSpan(s.start + len(leading), s.end + len(leading), s.replacement, s.entry_id, s.term) for s in spans]
    return leading + "".join(parts), spans


@pytest.mark.parametrize("scheme", SCHEMES)
@PROPERTY
@given(segment=segments(), rnd=st.randoms())
def test_identity_and_shuffled_outputs_restore_every_span_once(scheme, segment, rnd):
    text, spans = segment
    masked = mask(text, spans, scheme)
    result = masked.restore(masked.text)
    assert result.ok, result.problems
    assert result.text == substituted(text, spans)
    assert [result.text[s:e] for s, e in result.spans] == [s.replacement for s in spans]
    # A model that reorders the placeholders (and words) is still restored exactly.
    tokens = list(masked.placeholders)
    rnd.shuffle(tokens)
    reordered = masked.restore(" ".join(["Satz"] + tokens) + ".")
    assert reordered.ok
    assert [reordered.text[s:e] for s, e in reordered.spans] == [s.replacement for s in spans]


@pytest.mark.parametrize("scheme", SCHEMES)
@PROPERTY
@given(segment=segments(), data=st.data())
def test_any_damaged_placeholder_fails_verification(scheme, segment, data):
    text, spans = segment
    assume(spans)  # a segment without placeholders has none to damage
    masked = mask(text, spans, scheme)
    victim = data.draw(st.sampled_from(masked.placeholders))
    damage = data.draw(st.sampled_from(["drop", "duplicate", "lower", "space", "suffix"]))
    replacement = {
        "drop": "",
        "duplicate": f"{victim} {victim}",
        "lower": victim.lower(),
        "space": victim[:2] + " " + victim[2:],
        "suffix": victim + "n",
    }[damage]
    output = re.sub(rf"{re.escape(victim)}(?![0-9])", lambda _: replacement, masked.text, count=1)
    result = masked.restore(output)
    assert not result.ok and result.text is None
    assert result.restored[masked.placeholders.index(victim)] is False


# -- split / join ----------------------------------------------------------------


def test_split_keeps_whitespace_out_of_the_model_and_in_the_result():
    text = "  NATO  met\tin Vilnius ,\n said  Jens Stoltenberg.  "
    spans = [FixedSpan(2, 6, "OTAN", "a"), FixedSpan(15, 22, "Vilna", "b"), FixedSpan(32, 48, "Jens Stoltenberg", "c")]
    pieces = split_around(text, spans)
    assert [(p.kind, p.lead, p.text, p.trail) for p in pieces] == [
        (VERBATIM, "", "  ", ""),
        (FIXED, "", "OTAN", ""),
        (TRANSLATE, "  ", "met\tin", " "),
        (FIXED, "", "Vilna", ""),
        (TRANSLATE, " ", ",\n said", "  "),
        (FIXED, "", "Jens Stoltenberg", ""),
        (VERBATIM, "", ".  ", ""),
    ]
    # The model sees no outer whitespace, and whitespace it adds is dropped.
    joined, target = join_pieces(pieces, [" TRAF\tIN ", "\nSAGTE "])
    assert joined == "  OTAN  TRAF\tIN Vilna SAGTE  Jens Stoltenberg.  "
    assert [joined[s:e] for s, e in target] == ["OTAN", "Vilna", "Jens Stoltenberg"]


@PROPERTY
@given(segments())
def test_split_and_identity_join_rebuild_the_text_exactly(segment):
    text, spans = segment
    pieces = split_around(text, spans)
    joined, target = join_pieces(pieces, [p.text for p in pieces if p.translatable])
    assert joined == substituted(text, spans)
    assert [joined[s:e] for s, e in target] == [s.replacement for s in spans]
    for piece in pieces:
        if piece.translatable:
            assert piece.text == piece.text.strip() and piece.text
            assert not piece.lead.strip() and not piece.trail.strip()
    kinds = [p.kind for p in pieces]
    assert all(not (a == b == TRANSLATE) for a, b in zip(kinds, kinds[1:]))  # text pieces alternate with others


def test_join_never_glues_a_rendering_to_a_translated_word():
    # "NATO's stockpiles": the possessive glues the text piece to the term in the
    # source; a real model translates "'s stockpiles" as "dos stocks".
    text = "NATO's stockpiles fell, said the anti-NATO camp."
    second = text.index("NATO", 1)
    spans = [FixedSpan(0, 4, "OTAN", "e-nato"), FixedSpan(second, second + 4, "OTAN", "e-nato")]
    pieces = split_around(text, spans)
    joined, target = join_pieces(pieces, ["dos stocks caíram, disse o campo anti", "campo."])
    assert joined == "OTAN dos stocks caíram, disse o campo anti OTAN campo."
    assert [joined[s:e] for s, e in target] == ["OTAN", "OTAN"]
    # Where the model keeps the punctuation, nothing is added.
    assert join_pieces(pieces, ["'s stockpiles fell, said the anti-", "camp."])[0] == substituted(text, spans)


def test_join_refuses_the_wrong_number_of_translations():
    pieces = split_around(TEXT, SPANS)
    with pytest.raises(ValueError):
        join_pieces(pieces, ["only one"])


# -- reports ------------------------------------------------------------------------


def test_report_records_merges_and_serialises():
    first = GlossaryReport()
    first.record(SPANS, [(0, 4), (12, 17), (24, 40)], "mask")
    second = GlossaryReport()
    second.record(SPANS[:2] + [FixedSpan(0, 3, "`x`")], [(0, 4), None, (9, 12)], "split", reason="model output empty")
    merged = first.merge(second)
    terms = {t["term"]: t for t in merged.to_dict()["terms"]}
    assert terms["NATO"]["source_occurrences"] == 2 and terms["NATO"]["rendered_occurrences"] == 2
    assert terms["NATO"]["methods"] == {"mask": 1, "split": 1} and terms["NATO"]["method"] == "mask+split"
    assert terms["Vilnius"]["rendered_occurrences"] == 1 and terms["Vilnius"]["failed"] == 1
    assert terms["Vilnius"]["failures"] == [{"method": "split", "reason": "model output empty"}]
    assert terms["Jens Stoltenberg"]["method"] == "mask"
    assert len(terms) == 3  # the protected span (no entry_id) is not a glossary term
    summary = merged.to_dict()
    assert (summary["source_occurrences"], summary["rendered_occurrences"], summary["failed"]) == (5, 4, 1)
    # merging makes a new report: the inputs are unchanged
    assert first.to_dict()["source_occurrences"] == 3 and second.to_dict()["source_occurrences"] == 2
    assert GlossaryReport.from_dict(summary).to_dict() == summary


def test_report_merge_of_many_segments_sums_counts():
    reports = []
    for i in range(30):
        report = GlossaryReport()
        report.record_occurrence("e1", "Kyiv", "mask" if i % 3 else "split", rendered=i % 5 != 0, reason=f"r{i}")
        reports.append(report)
    total = GlossaryReport().merge(*reports).terms["e1"]
    assert (total.source_occurrences, total.rendered_occurrences, total.failed) == (30, 24, 6)
    assert total.methods == {"mask": 16, "split": 8}
    assert TermReport.from_dict(total.to_dict()).to_dict() == total.to_dict()
