"""Term matching: examples from the newsroom and properties over random text."""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.matching import TermMatcher
from glossary.model import Entry
from tests.conftest import DATA

SEED = json.loads((DATA / "glossary.json").read_text())


def seed_matcher() -> TermMatcher:
    return TermMatcher([Entry.from_dict({**e, "translations": e.get("translations", {})}) for e in SEED["entries"]])


def found(text: str, lang: str = "fr", matcher: TermMatcher | None = None) -> list[tuple[str, str]]:
    return [(m.matched, m.rendering) for m in (matcher or seed_matcher()).find(text, lang)]


def test_sample_article_counts():
    text = (DATA / "article.txt").read_text()
    counts = Counter(m.term for m in seed_matcher().find(text, "es"))
    assert counts == {"NATO": 11, "Stoltenberg": 6, "Kyiv": 2, "Jens Stoltenberg": 1, "Vilnius": 1,
                      "155-millimeter": 1}


def test_longest_match_wins_and_keep_returns_the_source_text():
    assert found("NATO Secretary General Jens Stoltenberg said") == [("NATO", "OTAN"),
                                                                     ("Jens Stoltenberg", "Jens Stoltenberg")]


def test_punctuation_and_possessives_next_to_terms():
    assert found("Vilnius's mayor, NATO’s chief (Kyiv), “Vilnius”.", "es") == [
        ("Vilnius", "Vilna"), ("NATO", "OTAN"), ("Kyiv", "Kiev"), ("Vilnius", "Vilna")]


def test_word_boundaries_and_case():
    assert found("NATOS and Kyivan and nato") == []          # NATO is case-sensitive; no partial words
    assert found("KYIV and kyiv") == [("KYIV", "Kyiv"), ("kyiv", "Kyiv")]  # Kyiv is not


def test_variants_render_like_the_term():
    assert found("155mm and 155 millimeter shells", "de") == [("155mm", "155-Millimeter"),
                                                              ("155 millimeter", "155-Millimeter")]


def test_terms_inside_urls_and_email_addresses_are_left_alone():
    assert found("See https://nato.int/Kyiv?x=NATO or press@kyiv.gov.ua about Kyiv.") == [("Kyiv", "Kyiv")]


def test_literal_terms_with_regex_metacharacters():
    matcher = TermMatcher([Entry("C++", keep=True), Entry("$1 billion", translations={"de": "1 Mrd. $"}),
                           Entry("U.S.", translations={"de": "USA"})])
    assert found("C++ costs $1 billion in the U.S. (not C+ or $1 billions)", "de", matcher) == [
        ("C++", "C++"), ("$1 billion", "1 Mrd. $"), ("U.S.", "USA")]


def test_entries_without_a_rendering_for_the_language_do_not_apply():
    matcher = TermMatcher([Entry("NATO Secretary General", translations={"fr": "secrétaire général de l'OTAN"}),
                           Entry("NATO", translations={"de": "NATO", "fr": "OTAN"})])
    assert found("The NATO Secretary General", "fr", matcher) == [("NATO Secretary General",
                                                                   "secrétaire général de l'OTAN")]
    assert found("The NATO Secretary General", "de", matcher) == [("NATO", "NATO")]


# -- properties -------------------------------------------------------------

WORD = st.text(alphabet=st.characters(categories=("Lu", "Ll"), max_codepoint=0x4FF), min_size=1, max_size=8)
TERM = st.one_of(
    st.lists(WORD, min_size=1, max_size=3).map(" ".join),
    st.sampled_from(["C++", "$1 billion", "U.S.", "a.b*c", "(x)", "Ünïcödé", "Київ", "[NATO]", "x|y"]),
)
FILLER = st.text(alphabet=" ,.;:!?’'()-\n", min_size=1, max_size=4)  # separators: no word characters


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=st.lists(TERM, min_size=1, max_size=5, unique_by=str.casefold), data=st.data())
def test_every_inserted_term_is_found_where_it_was_put(terms, data):
    order = data.draw(st.lists(st.integers(0, len(terms) - 1), min_size=1, max_size=8))
    pieces, expected, cursor = [], [], 0
    for index in order:
        gap = data.draw(FILLER)
        pieces.append(gap)
        cursor += len(gap)
        spelling = data.draw(st.sampled_from([terms[index], terms[index].upper(), terms[index].lower()]))
        # Case-insensitive matching uses simple one-to-one case mapping (as re does);
        # full folding changes lengths ("İ".lower() is two characters).
        if spelling.casefold() != terms[index].casefold() or len(spelling) != len(terms[index]):
            spelling = terms[index]
        pieces.append(spelling)
        expected.append((cursor, cursor + len(spelling), terms[index]))
        cursor += len(spelling)
    pieces.append(data.draw(FILLER))
    text = "".join(pieces)
    matcher = TermMatcher([Entry(t, keep=True) for t in terms])
    matches = matcher.find(text, "de")
    # No overlaps, sorted, and each match is a real occurrence of its term.
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))
    assert all(text[m.start:m.end].casefold() == m.term.casefold() for m in matches)
    # Every inserted occurrence is covered by a match at least as long as itself (longest wins).
    for start, end, term in expected:
        covering = [m for m in matches if m.start <= start and end <= m.end]
        overlapping = [m for m in matches if m.start < end and start < m.end]
        assert covering or any(m.end - m.start >= end - start for m in overlapping), (text, term, matches)


@settings(max_examples=100, deadline=None)
@given(term=TERM, before=WORD, after=WORD)
def test_a_term_glued_to_letters_is_not_a_word_match(term, before, after):
    text = f"{before}{term}{after}"
    matches = TermMatcher([Entry(term, keep=True)]).find(text, "de")
    starts_word, ends_word = term[0].isalnum(), term[-1].isalnum()
    if starts_word and ends_word:
        assert all(not (m.start == len(before) and m.end == len(before) + len(term)) for m in matches) or \
            text.casefold().count(term.casefold()) > 1
