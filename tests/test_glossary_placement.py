"""Enforcement that pays only for what the model gets wrong (glossary.placement
and translation.article.translate_segments), over a scripted engine: each
method in turn, the article repaired around an intervention, the report."""

from __future__ import annotations

import pytest

from glossary.enforcement import FixedSpan
from glossary.entries import Entry
from glossary.grammar import Grammar
from glossary.matching import TermMatcher
from glossary.placement import MODEL, REPLACE, clean_model_words, find_renderings, settle
from translation.article import translate_texts
from translation.engines import ModelInfo, Router


class ScriptedEngine:
    """Translates by a table of whole inputs; anything else comes back as is. Records every call."""

    name = "scripted"

    def __init__(self, table: dict[str, str]):
        self.table = table
        self.calls: list[list[str]] = []

    def available(self):
        return [ModelInfo(self.name, "scripted-en_pt", "1", "en", "pt")]

    def load(self, info):
        return self

    cache_key = "scripted"

    def translate(self, texts):
        self.calls.append(list(texts))
        return [self.table.get(text, text) for text in texts]

    def describe(self):
        return {}


US = Entry("U.S.", ["United States"], {"pt": "EUA"}, grammar={"pt": {"gender": "m", "number": "pl", "article": True}})
EU = Entry("EU", [], {"pt": "UE"}, grammar={"pt": {"gender": "f", "number": "sg", "article": True}})
LONDON = Entry("London", [], {"pt": "Londres"}, grammar={"pt": {"gender": "f", "number": "sg", "article": False}})
MATCHER = TermMatcher([US, EU, LONDON])


def run(table: dict[str, str], text: str) -> tuple[str, dict, ScriptedEngine]:
    engine = ScriptedEngine(table)
    (output,), _, report = translate_texts(Router([engine]), [text], "text", "en", "pt", MATCHER)
    return output, {t["term"]: t["methods"] for t in report.to_dict()["terms"]}, engine


def test_a_rendering_the_model_writes_is_accepted_untouched():
    sentence = "The EU met in London."
    bare = "A UE reuniu-se em Londres."
    output, methods, engine = run({sentence: bare}, sentence)
    assert output == bare  # exactly the bare model's sentence
    assert methods == {"EU": {MODEL: 1}, "London": {MODEL: 1}}
    assert len(engine.calls) == 1  # one batch: nothing translated again


def test_the_model_s_own_words_are_replaced_and_the_article_agrees():
    sentence = "The stance of the United States changed."
    table = {sentence: "A postura dos Estados Unidos mudou.", "United States": "Estados Unidos", "U.S.": "EUA"}
    output, methods, engine = run(table, sentence)
    assert output == "A postura dos EUA mudou."
    assert methods == {"U.S.": {REPLACE: 1}}
    assert len(engine.calls) == 1  # the term alone went in the same batch as the sentence

    sentence = "Talks with the EU resumed."
    output, _, _ = run({sentence: "As conversações com o Bloco foram retomadas.", "EU": "Bloco"}, sentence)
    assert output == "As conversações com a UE foram retomadas."  # "o Bloco" -> "a UE"


def test_only_the_missing_term_is_masked_and_the_article_repaired():
    sentence = "The EU and the U.S. agreed in London."
    bare = "A União e o país concordaram em Londres."  # the model's words for "U.S." are nowhere
    masked = "The EU and the Zorblax agreed in London."
    table = {sentence: bare, "U.S.": "EUA", "EU": "União", masked: "A União e de Zorblax concordaram em Londres."}
    output, methods, engine = run(table, sentence)
    assert output == "A UE e dos EUA concordaram em Londres."
    assert methods == {"EU": {REPLACE: 1}, "U.S.": {"mask": 1}, "London": {MODEL: 1}}
    assert engine.calls[1] == [masked]  # only "U.S." masked; "EU" and "London" left to the model


def test_split_is_the_last_resort_and_every_occurrence_is_still_placed():
    sentence = "The U.S. stance changed."
    table = {
        sentence: "A postura americana mudou.",
        "U.S.": "EUA",
        "The Zorblax stance changed.": "A postura mudou.",
    }  # the placeholder is dropped
    output, methods, _ = run(table, sentence)
    assert methods == {"U.S.": {"split": 1}}
    assert "EUA" in output


def test_a_term_inside_a_longer_name_is_not_touched():
    sentence = "She works for BBC London now."
    output, methods, engine = run({sentence: "Ela trabalha agora para a BBC London."}, sentence)
    assert output == "Ela trabalha agora para a BBC London." and methods == {}
    assert engine.calls == [[sentence]]


# -- the pieces ---------------------------------------------------------------------


def span(start, end, replacement, grammar=None):
    return FixedSpan(start, end, replacement, "e", "t", grammar)


def test_find_renderings_takes_occurrences_in_order_and_reports_what_is_short():
    spans = [span(0, 2, "UE"), span(5, 7, "UE"), span(9, 11, "OTAN")]
    found = find_renderings("A UE e a UE", spans)
    assert found == {0: (2, 4), 1: (9, 11), 2: None}
    assert find_renderings("A UEFA", spans[:1]) == {0: None}  # not inside a longer word
    # A lower-case rendering may open the sentence with a capital.
    assert find_renderings("Ajuda militar chegou", [span(0, 3, "ajuda militar")]) == {0: (0, 13)}


def test_settle_keeps_placed_ranges_right_after_a_replacement():
    text = "Os Estados Unidos e a UE"
    spans = [span(0, 4, "EUA", Grammar("m", "pl", True)), span(9, 11, "UE")]
    settled = settle(text, spans, {0: ["Estados Unidos"]}, "pt")
    assert settled.text == "Os EUA e a UE"
    assert [settled.text[slice(*settled.targets[i])] for i in (0, 1)] == ["EUA", "UE"]
    assert settled.methods == {0: REPLACE, 1: MODEL}


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("EUA.", "EUA"),
        (' "UE" ', "UE"),
        ("Reino Unido", "Reino Unido"),
        ("E.U.A.", "E.U.A."),
        ("A UE", "UE"),
        ("Os Estados Unidos", "Estados Unidos"),
        ("Atlântico", "Atlântico"),
    ],
)
def test_clean_model_words(raw, clean):
    assert clean_model_words(raw, "pt") == clean
    assert clean_model_words("l'Union européenne", "fr") == "Union européenne"


def test_a_name_spelt_out_alone_is_found_by_its_first_words():
    # Alone the model writes "Estados Unidos da América"; in the sentence, "Estados Unidos".
    settled = settle(
        "Os Estados Unidos e a China",
        [span(0, 13, "EUA", Grammar("m", "pl", True))],
        {0: ["Estados Unidos da América"]},
        "pt",
    )
    assert settled.text == "Os EUA e a China" and settled.methods == {0: REPLACE}


def test_of_several_stretches_of_model_words_the_one_where_the_term_stands_is_replaced():
    # "work" twice in the source: the glossary term is the second one.
    source = "Their work was hard, said Labour of its work."
    labour = FixedSpan(source.index("Labour"), source.index("Labour") + 6, "Partido Trabalhista", "e", "Labour")
    settled = settle(
        "O trabalho deles era difícil, disse o Trabalho sobre seu trabalho.",
        [labour],
        {0: ["Trabalho"]},
        "pt",
        source_length=len(source),
    )
    assert settled.text == "O trabalho deles era difícil, disse o Partido Trabalhista sobre seu trabalho."
