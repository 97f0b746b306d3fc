"""The article before an enforced rendering (glossary.grammar): one row per rule."""

from __future__ import annotations

import pytest

from glossary.grammar import Grammar, grammar_problems, repair

M_SG, F_SG = Grammar("m", "sg", True), Grammar("f", "sg", True)
M_PL, F_PL = Grammar("m", "pl", True), Grammar("f", "pl", True)
NONE = Grammar("f", "sg", False)


def fixed(sentence: str, rendering: str, lang: str, grammar: Grammar | None) -> str:
    start = sentence.index(rendering)
    text, delta = repair(sentence, start, start + len(rendering), lang, grammar)
    assert text[start + delta : start + delta + len(rendering)] == rendering  # the rendering itself is untouched
    return text


@pytest.mark.parametrize(
    "lang, sentence, rendering, grammar, expected",
    [
        # Portuguese: de/em/por/a fused with the article
        ("pt", "a postura de EUA mudou", "EUA", M_PL, "a postura dos EUA mudou"),
        ("pt", "vivem em Indonésia", "Indonésia", F_SG, "vivem na Indonésia"),
        ("pt", "aprovado por UE", "UE", F_SG, "aprovado pela UE"),
        ("pt", "a adesão à OTAN", "OTAN", F_SG, "a adesão à OTAN"),  # already right: unchanged
        ("pt", "chegou ao OTAN", "OTAN", F_SG, "chegou à OTAN"),
        ("pt", "na Reino Unido", "Reino Unido", M_SG, "no Reino Unido"),
        ("pt", "o presidente de México", "México", M_SG, "o presidente do México"),
        ("pt", "negociações com o UE", "UE", F_SG, "negociações com a UE"),  # preposition + separate article
        ("pt", "negociações com UE", "UE", F_SG, "negociações com a UE"),  # the article was missing
        ("pt", "O UE decidiu", "UE", F_SG, "A UE decidiu"),  # the capital stays
        ("pt", "Da Reino Unido", "Reino Unido", M_SG, "Do Reino Unido"),
        ("pt", "os turistas das EUA", "EUA", M_PL, "os turistas dos EUA"),
        # no article before a name that takes none
        ("pt", "no Londres", "Londres", NONE, "em Londres"),
        ("pt", "a polícia da Londres", "Londres", NONE, "a polícia de Londres"),
        ("pt", "visitou o Londres", "Londres", NONE, "visitou Londres"),
        ("pt", "viajou a Londres", "Londres", NONE, "viajou a Londres"),  # "a" is the preposition here
        ("pt", "pela Londres", "Londres", NONE, "por Londres"),
        # nothing to go on: left alone
        ("pt", "EUA anunciaram", "EUA", M_PL, "EUA anunciaram"),
        ("pt", "disse que EUA", "EUA", M_PL, "disse que EUA"),
        ("pt", "a postura de EUA", "EUA", None, "a postura de EUA"),  # no grammar given
        ("pt", "de EUA", "EUA", Grammar("m", "pl", None), "de EUA"),
        # Spanish: only del and al fuse
        ("es", "la postura de EE.UU.", "EE.UU.", M_PL, "la postura de los EE.UU."),
        ("es", "fue a Reino Unido", "Reino Unido", M_SG, "fue al Reino Unido"),
        ("es", "el primer ministro de Reino Unido", "Reino Unido", M_SG, "el primer ministro del Reino Unido"),
        ("es", "dentro del UE", "UE", F_SG, "dentro de la UE"),
        ("es", "el UE", "UE", F_SG, "la UE"),
        ("es", "al Londres", "Londres", NONE, "a Londres"),
        ("es", "en Londres", "Londres", NONE, "en Londres"),
        # French: du/des/au/aux, elision before a vowel
        ("fr", "la position de États-Unis", "États-Unis", M_PL, "la position des États-Unis"),
        ("fr", "à Royaume-Uni", "Royaume-Uni", M_SG, "au Royaume-Uni"),
        ("fr", "aux UE", "UE", F_SG, "à l'UE"),
        ("fr", "le Union européenne", "Union européenne", F_SG, "l'Union européenne"),
        ("fr", "de la OTAN", "OTAN", F_SG, "de l'OTAN"),
        ("fr", "du Londres", "Londres", NONE, "de Londres"),
        ("fr", "de Israël", "Israël", Grammar("m", "sg", False), "d'Israël"),
        ("fr", "la capitale de l'Israël", "Israël", Grammar("m", "sg", False), "la capitale d'Israël"),
        # a language without a table
        ("de", "von der EU", "EU", F_SG, "von der EU"),
    ],
)
def test_articles_agree_with_the_rendering(lang, sentence, rendering, grammar, expected):
    assert fixed(sentence, rendering, lang, grammar) == expected


@pytest.mark.parametrize(
    "value, field",
    [
        ({"pt": {"gender": "n"}}, "grammar.pt.gender"),
        ({"pt": {"number": "dual"}}, "grammar.pt.number"),
        ({"pt": {"article": "yes"}}, "grammar.pt.article"),
        ({"pt": {"case": "gen"}}, "grammar.pt.case"),
        ({"pt": "m"}, "grammar.pt"),
        (["pt"], "grammar"),
    ],
)
def test_grammar_problems_name_the_field(value, field):
    assert [p["field"] for p in grammar_problems(value, "grammar")] == [field]


def test_valid_grammar_has_no_problems():
    assert grammar_problems({"pt": {"gender": "f", "number": "sg", "article": True}, "fr": {}}, "grammar") == []
    assert Grammar.from_dict({"gender": "m", "article": False}).to_dict() == {"gender": "m", "article": False}
