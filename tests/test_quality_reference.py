"""The measures of `make quality` against human references, on hand-made text,
and the NTREX data and newsroom glossary they read."""

from __future__ import annotations

import pytest

from glossary.matching import TermMatcher
from quality import ntrex
from quality.reference import (
    article_verdict,
    english_left,
    grammar_errors,
    inside_longer_name,
    longer_name_neighbours,
    paired_bootstrap,
    punctuation_only,
    scores,
)

EUA, UE, LONDRES = ntrex.Grammar("m", "pl", True), ntrex.Grammar("f", "sg", True), ntrex.Grammar("f", "sg", False)


@pytest.mark.parametrize(
    "previous, grammar, verdict",
    [
        ("dos", EUA, None),
        ("os", EUA, None),
        ("de", EUA, "missing"),
        ("em", UE, "missing"),
        ("com", UE, "missing"),
        ("o", UE, "wrong"),
        ("na", ntrex.Grammar("m", "sg", True), "wrong"),
        ("a", EUA, "wrong"),
        ("a", UE, None),
        ("disse", EUA, None),
        ("", EUA, None),
        ("na", LONDRES, "wrong"),
        ("o", ntrex.Grammar("m", "sg", False), "wrong"),
        ("a", LONDRES, None),
        ("em", LONDRES, None),
    ],
)
def test_article_verdict(previous, grammar, verdict):
    assert article_verdict(previous, grammar) == verdict


def test_grammar_errors_judge_the_word_directly_before_and_the_longest_rendering():
    grammar = {
        "EUA": EUA,
        "UE": UE,
        "Reino Unido": ntrex.Grammar("m", "sg", True),
        "Londres": LONDRES,
        "Coreia do Norte": ntrex.Grammar("f", "sg", True),
        "Norte": ntrex.Grammar("m", "sg", True),
    }
    counts, notes = grammar_errors(
        "A postura de EUA, com o UE e na Reino Unido; dos EUA em Londres. A Coreia do Norte. Disse: EUA", grammar
    )
    assert counts == {"checked": 7, "missing": 1, "wrong": 2}
    assert sorted(note.split(":")[0] for note in notes) == ["missing", "wrong", "wrong"]
    assert any("de EUA" in note for note in notes if note.startswith("missing"))


def test_english_left_counts_source_words_no_reference_keeps():
    left, words = english_left(
        "Trump sob a 832 Death Toll",
        "Death Toll From Indonesia Tsunami Rises to 832 Trump",
        ["Número de mortos sobe para 832 na Indonésia, diz Trump"],
    )
    assert (left, words) == (2, 5)  # Death, Toll; "Trump" is in the reference, "a" is one letter


def test_longer_name_neighbours_and_renderings_inside_them():
    source = "She told BBC Scotland that the U.S. Senate met. In the U.S. After that, Mexico City."
    at = source.index("Scotland")
    assert longer_name_neighbours(source, at, at + 8, []) == [("left", "BBC")]
    assert inside_longer_name("Ela disse à BBC Escócia", "Escócia", [("left", "BBC")])
    assert not inside_longer_name("Ela disse à BBC da Escócia", "Escócia", [("left", "BBC")])
    second = source.index("U.S. After")
    assert longer_name_neighbours(source, second, second + 4, []) == []  # a sentence starts after "U.S."
    mexico = source.index("Mexico")
    assert longer_name_neighbours(source, mexico, mexico + 6, []) == [("right", "City")]
    start = source.index("In the")
    assert longer_name_neighbours(source, start + 7, start + 11, [(start + 7, start + 11)]) == []


def test_scores_and_bootstrap_prefer_the_reference():
    references = ["o gato está no tapete", "a casa é azul", "ele comeu o pão"] * 10
    worse = ["gato tapete", "casa azul", "comeu pão"] * 10
    assert scores(references, references)["bleu"] == pytest.approx(100)
    assert scores(worse, references)["bleu"] < 50
    assert paired_bootstrap(worse, references, references)["bleu"] < 0.05


def test_punctuation_only():
    assert punctuation_only('"') and punctuation_only(" .” ") and not punctuation_only("7 p.m.")


def test_ntrex_development_half_and_newsroom_glossary():
    documents = ntrex.documents()
    assert len(documents) == 62 and sum(len(d.lines) for d in documents) == ntrex.LINES == 988
    assert documents[0].headline.startswith("Welsh AMs")
    glossary, grammar = ntrex.glossary()
    assert len(glossary.entries) >= 25
    renderings = {e.term if e.keep else e.translations["pt"] for e in glossary.entries}
    assert renderings == set(grammar)  # every entry carries its grammar
    assert grammar["EUA"] == EUA and grammar["UE"] == UE and not grammar["Trump"].article
    matcher = TermMatcher(glossary.entries)
    assert sum(bool(matcher.find(line, "pt")) for line in ntrex.source()) > 200


def test_headlines_in_both_cases():
    heads = ntrex.headlines()
    assert len(heads) == 62 and sum(h.written_in_title_case for h in heads) == 9
    by_line = {h.line + 1: h for h in heads}
    assert by_line[145].title_case == "Death Toll From Indonesia Tsunami Rises to 832"
    assert by_line[145].sentence_case == "Death toll from Indonesia tsunami rises to 832"
    assert by_line[178].sentence_case == "Killer pig mauls Chinese farmer to death"
    assert ntrex.title_case("Sainsbury's plans push into UK market") == "Sainsbury's Plans Push Into UK Market"
