"""Term matching: properties over random texts, and the sample article."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from glossary.matching import TermMatcher, find_terms, protected_spans
from glossary.entries import Entry, Glossary, GlossaryError, GlossaryLimits, fold, validate
from tests.helpers import DATA

PROPERTY = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


def sample_glossary() -> Glossary:
    data = json.loads((DATA / "glossary.json").read_text())
    glossary = Glossary("g1", data["name"], data["source_lang"], entries=[Entry.from_dict(e) for e in data["entries"]])
    validate(glossary, GlossaryLimits())
    return glossary


def entry(term, *variants, keep=False, cs=False, **translations) -> Entry:
    return Entry(term, list(variants), {} if keep else (translations or {"de": f"<{term}>"}), keep, cs)


def matched(text, entries, lang="de"):
    return [(m.matched, m.rendering) for m in find_terms(text, entries, lang)]


# -- the sample article --------------------------------------------------------

ARTICLE = (DATA / "article.txt").read_text()


def test_article_counts():
    counts = Counter(m.term for m in find_terms(ARTICLE, sample_glossary(), "de"))
    # grep -ow counts: NATO 11, Stoltenberg 7 of which one is inside "Jens Stoltenberg".
    assert counts == {"NATO": 11, "Stoltenberg": 6, "Jens Stoltenberg": 1, "Kyiv": 2, "Vilnius": 1, "155-millimeter": 1}


def test_article_renderings_per_language():
    glossary = sample_glossary()
    es = {m.matched: m.rendering for m in find_terms(ARTICLE, glossary, "es")}
    assert es == {
        "NATO": "OTAN",
        "Stoltenberg": "Stoltenberg",
        "Jens Stoltenberg": "Jens Stoltenberg",
        "Kyiv": "Kiev",
        "Vilnius": "Vilna",
        "155-millimeter": "155 milímetros",
    }
    de = {m.matched: m.rendering for m in find_terms(ARTICLE, glossary, "de")}
    assert de["Vilnius"] == "Vilnius" and de["155-millimeter"] == "155-Millimeter" and de["Kyiv"] == "Kyjiw"
    assert {m.matched: m.rendering for m in find_terms(ARTICLE, glossary, "fr")}["NATO"] == "OTAN"


def test_article_positions_are_exact():
    for m in find_terms(ARTICLE, sample_glossary(), "fr"):
        assert ARTICLE[m.start : m.end] == m.matched


def test_language_without_renderings_applies_only_kept_terms():
    terms = Counter(m.term for m in find_terms(ARTICLE, sample_glossary(), "it"))
    assert terms == {"Stoltenberg": 6, "Jens Stoltenberg": 1}


def test_longest_match_wins():
    glossary = sample_glossary()
    glossary.entries.append(Entry("NATO Secretary General", translations={"fr": "secrétaire général de l'OTAN"}))
    text = "BRUSSELS: NATO Secretary General Jens Stoltenberg said NATO would act."
    assert [(m.matched, m.rendering) for m in find_terms(text, glossary, "fr")] == [
        ("NATO Secretary General", "secrétaire général de l'OTAN"),
        ("Jens Stoltenberg", "Jens Stoltenberg"),
        ("NATO", "OTAN"),
    ]


def test_shorter_term_survives_where_its_longer_one_loses():
    # "C D E F" (longest) takes "C"; "A B C" overlaps it and loses, "A B" still fits.
    entries = [entry("C D E F"), entry("A B C"), entry("A B")]
    assert [m.matched for m in find_terms("A B C D E F", entries, "de")] == ["A B", "C D E F"]


# -- boundaries, punctuation, case ------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Vilnius's mayor", "Vilnius"),
        ("NATO’s summit", "NATO"),
        ("NATO's summit", "NATO"),
        ("in Vilnius, Lithuania", "Vilnius"),
        ("the capital (Kyiv) said", "Kyiv"),
        ("«Kyiv»", "Kyiv"),
        ("Kyiv.", "Kyiv"),
    ],
)
def test_punctuation_and_possessives_stay_outside(text, expected):
    matches = find_terms(text, sample_glossary(), "de")
    assert [m.matched for m in matches] == [expected]
    assert text[matches[0].start : matches[0].end] == expected


NAMES = [
    Entry("UK", [], {"pt": "Reino Unido"}),
    Entry("Scotland", [], {"pt": "Escócia"}),
    Entry("London", [], {"pt": "Londres"}),
    Entry("Europe", [], {"pt": "Europa"}),
    Entry("EU", [], {"pt": "UE"}),
    Entry("Brexit", [], {"pt": "Brexit"}),
    Entry("U.S.", [], {"pt": "EUA"}),
    Entry("North Korea", [], {"pt": "Coreia do Norte"}),
    Entry("Kyiv", [], {"pt": "Kiev"}),
    Entry("NATO", [], {"pt": "OTAN"}),
    Entry("Trump", keep=True),
]


@pytest.mark.parametrize(
    "text",
    [
        "BBC Scotland's Alasdair Lamont at the arena",  # a capitalised word before
        "London Fashion Week opens on Friday",  # capitalised words after
        "Production at Toyota UK will stop",
        "non-UK residents will pay more",  # joined by a hyphen
        "the Kyiv-based analyst",
        'He wrote "Europe\'s Turbulent Century" in 2019',  # a quoted title in Title Case
    ],
)
def test_a_term_inside_a_longer_name_is_left_to_the_model(text):
    assert matched(text, NAMES, "pt") == []
    asked = [Entry(e.term, e.variants, e.translations, e.keep, match_inside_names=True) for e in NAMES]
    assert len(matched(text, asked, "pt")) == 1  # unless the entry asks for it


@pytest.mark.parametrize(
    "text, expected",
    [
        ("North Korea's top diplomat Ri Yong Ho spoke", ["North Korea"]),  # a possessive does not join
        ("U.S. President Donald Trump spoke", ["U.S.", "Trump"]),  # a title after the name
        ("The EU Brexit talks resumed", ["EU", "Brexit"]),  # two terms are two names
        ("the U.S. stance on trade", ["U.S."]),
        ("Scotland won. London lost.", ["Scotland", "London"]),  # a full stop ends the name
        ("In London, on Monday", ["London"]),
        ("Second NATO item", ["NATO"]),  # any word opening a sentence is capitalised
        ("Trump Says UK Will Leave EU Soon", ["Trump", "UK", "EU"]),  # Title Case: capitals say nothing
        ('He said "the EU is wrong" today', ["EU"]),  # a quotation, not a title
        ("Donald Trump's rally", ["Trump"]),  # kept names are never rewritten
    ],
)
def test_names_that_stand_alone_still_match(text, expected):
    assert [m for m, _ in matched(text, NAMES, "pt")] == expected


@pytest.mark.parametrize("text", ["Kyivan forces", "NATOs", "XNATO", "Vilniusas", "Kyiv\u0301", "a_Kyiv", "Kyiv2"])
def test_no_match_inside_words(text):
    assert find_terms(text, sample_glossary(), "de") == []


def test_case_insensitive_by_default_and_sensitive_per_entry():
    glossary = sample_glossary()
    assert matched("KYIV and kyiv", glossary) == [("KYIV", "Kyjiw"), ("kyiv", "Kyjiw")]
    assert matched("nato and Nato", glossary) == []  # NATO is case-sensitive
    assert matched("NATO", glossary) == [("NATO", "NATO")]


def test_variants_match_with_the_entry_rendering():
    matches = find_terms("155mm shells, 155 millimeter guns, 155-Millimeter", sample_glossary(), "fr")
    assert [(m.matched, m.term, m.rendering) for m in matches] == [
        ("155mm", "155-millimeter", "155 millimètres"),
        ("155 millimeter", "155-millimeter", "155 millimètres"),
        ("155-Millimeter", "155-millimeter", "155 millimètres"),
    ]


def test_keep_renders_the_matched_text_itself():
    entries = [entry("Jens Stoltenberg", keep=True)]
    assert matched("JENS STOLTENBERG", entries, "uk") == [("JENS STOLTENBERG", "JENS STOLTENBERG")]


@pytest.mark.parametrize(
    "term, text, found",
    [
        ("C++", "written in C++, mostly", "C++"),
        ("C++", "C++", "C++"),
        ("C++", "CC++ is not", None),
        ("$1 billion", "worth $1 billion.", "$1 billion"),
        ("$1 billion", "worth $1 billions", None),
        ("U.S.", "the U.S. said", "U.S."),
        ("U.S.", "the US said", None),
        ("a.c", "abc", None),
        ("(a)", "x (a) y", "(a)"),
        ("x+", "xxx", None),
        ("[1]", "see [1] and 1", "[1]"),
        ("^$", "a ^$ b", "^$"),
        ("back\\slash", "a back\\slash b", "back\\slash"),
        (".NET", "the .NET runtime", ".NET"),
        ("Straße", "STRASSE", None),  # a length-changing case mapping is not folded
        ("Straße", "STRAßE", "STRAßE"),
        ("Ёлка", "ёЛКА", "ёЛКА"),
    ],
)
def test_terms_are_literal(term, text, found):
    matches = find_terms(text, [entry(term)], "de")
    assert [m.matched for m in matches] == ([found] if found else [])


def test_nothing_inside_urls_or_email_addresses():
    text = (
        "See https://www.nato.int/Kyiv/news?q=NATO, www.kyiv.ua/Vilnius, press@kyiv.ua, kyiv.ua/news "
        "and nato.int, then Kyiv."
    )
    matches = find_terms(text, sample_glossary(), "de")
    assert [(m.matched, m.start) for m in matches] == [("Kyiv", text.rindex("Kyiv"))]
    assert len(protected_spans(text)) == 5


def test_unicode_terms():
    entries = [entry("Київ", de="Kyjiw"), entry("Zürich", de="Zürich"), entry("東京", de="Tokio")]
    assert matched("У Києві; Київ, Zürich's ZÜRICH", entries) == [
        ("Київ", "Kyjiw"),
        ("Zürich", "Zürich"),
        ("ZÜRICH", "Zürich"),
    ]
    assert matched("「東京」", entries) == [("東京", "Tokio")]


# -- several glossaries ------------------------------------------------------------


def test_from_glossaries_earlier_wins_on_identical_terms():
    first = Glossary("a", "a", "en", entries=[entry("Kyiv", de="Kyjiw (A)"), entry("Odesa", fr="Odessa")])
    second = Glossary("b", "b", "en", entries=[entry("kyiv", de="Kiew (B)", fr="Kyiv (B)"), entry("Lviv", de="Lwiw")])
    matcher = TermMatcher.from_glossaries([first, second])
    assert [(m.matched, m.rendering) for m in matcher.find("Kyiv, Lviv, Odesa", "de")] == [
        ("Kyiv", "Kyjiw (A)"),
        ("Lviv", "Lwiw"),
    ]
    # The first glossary has no French for Kyiv, so the second one's applies there.
    assert [(m.matched, m.rendering) for m in matcher.find("Kyiv, Lviv, Odesa", "fr")] == [
        ("Kyiv", "Kyiv (B)"),
        ("Odesa", "Odessa"),
    ]
    reversed_matcher = TermMatcher.from_glossaries([second, first])
    assert reversed_matcher.find("Kyiv", "de")[0].rendering == "Kiew (B)"


def test_matcher_is_reusable_across_texts_and_languages():
    matcher = TermMatcher(sample_glossary().entries)
    assert [m.rendering for m in matcher.find("Kyiv", "es")] == ["Kiev"]
    assert [m.rendering for m in matcher.find("Kyiv", "de")] == ["Kyjiw"]
    assert matcher.find("", "de") == []
    assert TermMatcher([]).find("Kyiv", "de") == []


# -- properties ---------------------------------------------------------------------

# Terms use characters that never appear in the filler or separators, so the only
# matches in a generated text are the inserted occurrences.
TERM_CHARS = "abcdeéßЖжİı0189.+*?[]{}|^$\\"
FILLER_CHARS = "xyzqwvXYZ"
SEPARATORS = [", ", " (", ") ", "; ", " – ", "’s ", "'s, ", ": ", " / ", "\n", "!\n\n"]

term_text = st.text(TERM_CHARS, min_size=1, max_size=8).map(str.strip).filter(bool)
multiword = st.lists(term_text, min_size=1, max_size=3).map(" ".join)


@st.composite
def glossaries_and_texts(draw):
    spellings = draw(st.lists(multiword, min_size=1, max_size=8, unique_by=fold))
    entries, pool = [], list(spellings)
    while pool:
        take = draw(st.integers(1, min(3, len(pool))))
        group, pool = pool[:take], pool[take:]
        keep = draw(st.booleans())
        entries.append(
            Entry(group[0], group[1:], {} if keep else {"de": f"R{len(entries)}"}, keep, draw(st.booleans()))
        )
    try:
        validate(Glossary("g", "g", "en", entries=entries), GlossaryLimits())
    except GlossaryError:
        assume(False)
    pieces, expected, cursor = [], [], 0
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.booleans()):
            chosen = draw(st.sampled_from(entries))
            spelling = draw(st.sampled_from(chosen.spellings()))
            if not chosen.case_sensitive:
                changed = draw(st.sampled_from([spelling, spelling.upper(), spelling.lower(), spelling.swapcase()]))
                if len(changed) == len(spelling) and fold(changed) == fold(spelling):
                    spelling = changed
            piece = spelling
            expected.append((cursor, cursor + len(piece), chosen))
        else:
            piece = draw(st.text(FILLER_CHARS, min_size=1, max_size=6))
        pieces.append(piece)
        cursor += len(piece)
        separator = draw(st.sampled_from(SEPARATORS))
        pieces.append(separator)
        cursor += len(separator)
    return entries, "".join(pieces), expected


@PROPERTY
@given(glossaries_and_texts())
def test_every_inserted_occurrence_is_found_at_its_position(case):
    entries, text, expected = case
    matches = find_terms(text, entries, "de")
    assert [(m.start, m.end, m.entry_id) for m in matches] == [(s, e, en.id) for s, e, en in expected]
    for m, (_, _, en) in zip(matches, expected):
        assert m.matched == text[m.start : m.end]
        assert m.rendering == (m.matched if en.keep else en.translations["de"])
        assert m.term == en.term


@PROPERTY
@given(st.lists(term_text, min_size=2, max_size=5), st.data())
def test_longest_wins_over_contained_terms(words, data):
    longest = " ".join(words)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    inner = " ".join(words[i:j])
    assume(fold(inner) != fold(longest))
    entries = [entry(inner, de="inner"), entry(longest, de="longest")]
    text = f"xx {longest}; {inner} zz"
    found = [(m.start, m.matched, m.rendering) for m in find_terms(text, entries, "de")]
    assert found[0] == (3, longest, "longest")
    # The inner term is found where it stands alone (and possibly again inside
    # nothing else): never inside the longest match.
    assert (len(f"xx {longest}; "), inner, "inner") in found[1:]
    assert all(start >= 3 + len(longest) for start, _, _ in found[1:])


@PROPERTY
@given(
    st.lists(multiword, min_size=1, max_size=6, unique_by=fold),
    st.text(TERM_CHARS + FILLER_CHARS + " ,.;’'()\n", max_size=80),
)
def test_matches_never_overlap_and_are_literal(spellings, text):
    entries = [entry(s) for s in spellings]
    try:
        validate(Glossary("g", "g", "en", entries=entries), GlossaryLimits())
    except GlossaryError:
        assume(False)
    matches = find_terms(text, entries, "de")
    assert matches == sorted(matches, key=lambda m: m.start)
    for a, b in zip(matches, matches[1:]):
        assert a.end <= b.start
    word = re.compile(r"\w")
    for m in matches:
        assert fold(text[m.start : m.end]) in {fold(s) for s in spellings}
        # boundaries: no word character glued to a word-character edge of the match
        if word.match(m.matched[0]) and m.start > 0:
            assert not word.match(text[m.start - 1])
        if word.match(m.matched[-1]) and m.end < len(text):
            assert not word.match(text[m.end])
