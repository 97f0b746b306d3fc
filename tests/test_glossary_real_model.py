"""Glossary enforcement on the real Bergamot en→pt model, in-process (a few
seconds): what masking every term used to damage (issue 21) comes out as the
model writes it, and what needs an intervention gets the right article."""

from __future__ import annotations

import pytest

from glossary.entries import Entry
from glossary.matching import TermMatcher
from translation.article import translate_texts
from translation.engines import Router
from translation.engines.bergamot import BergamotEngine

pytestmark = pytest.mark.real_model


def grammar(gender, number, article=True):
    return {"pt": {"gender": gender, "number": number, "article": article}}


ENTRIES = [
    Entry("U.S.", ["US", "United States"], {"pt": "EUA"}, grammar=grammar("m", "pl")),
    Entry("Scotland", [], {"pt": "Escócia"}, grammar=grammar("f", "sg")),
    Entry("NATO", [], {"pt": "OTAN"}, grammar=grammar("f", "sg")),
    Entry("North Korea", [], {"pt": "Coreia do Norte"}, grammar=grammar("f", "sg")),
    Entry("Trump", keep=True),
]


@pytest.fixture(scope="module")
def router() -> Router:
    router = Router([BergamotEngine(threads=2)])
    router.load_all()
    return router


def translate(router, texts):
    outputs, _, report = translate_texts(router, texts, "text", "en", "pt", TermMatcher(ENTRIES))
    return outputs, {t["term"]: t["methods"] for t in report.to_dict()["terms"]}


def test_renderings_the_model_writes_leave_its_sentences_untouched(router):
    # Masked, these came out as "a postura de EUA", "Aliados de OTAN", "o principal diplomata
    # de Coreia do Norte" and "Você pode assistir Trump's West Virginia rally".
    texts = [
        "Critics questioned the U.S. stance on trade.",
        "NATO allies met in Vilnius on Tuesday.",
        "North Korea's top diplomat Ri Yong Ho spoke on Saturday.",
        "You can watch Trump's West Virginia rally online below.",
    ]
    outputs, methods = translate(router, texts)
    assert outputs == router.translate(texts, "en", "pt")[0]
    assert "dos EUA" in outputs[0] and "da OTAN" in outputs[1] and "da Coreia do Norte" in outputs[2]
    assert "Trump's" not in outputs[3]
    assert methods == {"U.S.": {"model": 1}, "NATO": {"model": 1}, "North Korea": {"model": 1}, "Trump": {"model": 1}}


def test_a_term_inside_a_longer_name_is_left_as_the_model_writes_it(router):
    # Masked, "BBC Scotland's Alasdair Lamont at the Tony Macaroni Arena" read "BBC Escócia".
    text = "The manager told BBC Scotland that the club was in good shape."
    outputs, methods = translate(router, [text])
    assert "BBC Scotland" in outputs[0] and "Escócia" not in outputs[0]
    assert outputs == router.translate([text], "en", "pt")[0] and methods == {}


def test_the_model_s_own_words_are_replaced_with_the_article_kept(router):
    outputs, methods = translate(router, ["The United States and China are at odds."])
    assert outputs[0].startswith("Os EUA e a China")  # the model wrote "Os Estados Unidos"
    assert methods == {"U.S.": {"replace": 1}}
