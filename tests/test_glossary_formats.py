"""CSV, TSV (DeepL) and TBX import/export: round trips, row-level errors, malformed files."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from translate.storage import tbx

from glossary.formats import export_entries, import_entries
from glossary.entries import Entry, Glossary, GlossaryError, GlossaryLimits, validate
from tests.helpers import DATA

PROPERTY = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def sample_glossary() -> Glossary:
    data = json.loads((DATA / "glossary.json").read_text())
    glossary = Glossary("g1", data["name"], data["source_lang"], entries=[Entry.from_dict(e) for e in data["entries"]])
    glossary.entries[1].note = 'calibre, "NATO standard"\nsecond line'
    glossary.entries.append(Entry("R&D <lab>", ["R|D", "back\\slash"], {"fr": "R&D « labo »"}, note="a|b"))
    glossary.entries.append(
        Entry(
            "EU",
            [],
            {"pt": "UE", "fr": "UE"},
            match_inside_names=True,
            grammar={"pt": {"gender": "f", "number": "sg", "article": True}, "fr": {"article": False}},
        )
    )
    validate(glossary, GlossaryLimits())
    return glossary


def content(entries: list[Entry]) -> list[tuple]:
    """An entry without its id (ids are assigned anew on import)."""
    return [(e.term, e.variants, e.translations, e.keep, e.case_sensitive, e.note) for e in entries]


def problems(error: pytest.ExceptionInfo) -> list[tuple]:
    return [(p.get("line"), p["reason"]) for p in error.value.problems]


# -- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "tbx"])
def test_round_trip_keeps_every_field(fmt):
    glossary = sample_glossary()
    exported = export_entries(glossary, fmt)
    imported = import_entries(exported, fmt, "en")
    assert content(imported) == content(glossary.entries)
    assert [(e.grammar, e.match_inside_names) for e in imported] == [
        (e.grammar, e.match_inside_names) for e in glossary.entries
    ]
    assert all(e.id and e.id not in {g.id for g in glossary.entries} for e in imported)  # new ids


def test_csv_export_shape():
    lines = export_entries(sample_glossary(), "csv").splitlines()
    assert lines[0] == (
        "term,variants,keep,case_sensitive,match_inside_names,note,de,es,fr,lt,pt,uk,"
        "fr:gender,fr:number,fr:article,pt:gender,pt:number,pt:article"
    )
    assert lines[1] == "Vilnius,,false,false,false,,Vilnius,Vilna,Vilnius,Vilnius,Vilnius,Вільнюс,,,,,,"
    assert "155-millimeter,155 millimeter|155mm,false,false,false," in lines[2]
    assert lines[-2].startswith("R&D <lab>,R\\|D|back\\\\slash,")
    assert lines[-1] == "EU,,false,false,true,,,,UE,,UE,,,,false,f,sg,true"


def test_csv_without_the_newer_columns_still_imports():
    # A file written before match_inside_names and grammar columns existed.
    imported = import_entries("term,variants,keep,case_sensitive,note,pt\nEU,,false,false,,UE\n", "csv", "en")
    assert [(e.term, e.grammar, e.match_inside_names) for e in imported] == [("EU", {}, False)]


def test_csv_grammar_columns_are_checked():
    with pytest.raises(GlossaryError) as error:
        import_entries("term,pt,pt:gender,pt:article,pt:case\nEU,UE,n,maybe,x\n", "csv", "en")
    assert problems(error) == [(1, "column 'pt:case' is not <lang>:gender, <lang>:number or <lang>:article")]
    with pytest.raises(GlossaryError) as error:
        import_entries("term,pt,pt:gender,pt:article\nEU,UE,n,maybe\n", "csv", "en")
    assert sorted(problems(error)) == [(2, "'maybe' is not true or false"), (2, 'must be "m" or "f"')]


def test_tbx_grammar_is_in_termnotes_of_the_rendering():
    exported = export_entries(sample_glossary(), "tbx").decode()
    assert (
        '<tig><term>UE</term><termNote type="grammaticalGender">feminine</termNote>'
        '<termNote type="grammaticalNumber">singular</termNote>'
        '<termNote type="x-article">yes</termNote></tig>'
    ) in exported
    assert '<descrip type="x-match-inside-names">yes</descrip>' in exported


def test_tsv_round_trip_for_one_language_pair():
    glossary = sample_glossary()
    exported = export_entries(glossary, "tsv", target_lang="es")
    assert exported.splitlines()[:4] == [
        "Vilnius\tVilna",
        "155-millimeter\t155 milímetros",
        "155 millimeter\t155 milímetros",
        "155mm\t155 milímetros",
    ]
    assert "Jens Stoltenberg\tJens Stoltenberg" in exported.splitlines()  # keep: the same on both sides
    assert "R&D <lab>" not in exported  # no Spanish rendering: not exported
    imported = import_entries(exported, "tsv", "en", target_lang="es")
    assert [(e.term, e.translations) for e in imported] == [
        (line.split("\t")[0], {"es": line.split("\t")[1]}) for line in exported.splitlines()
    ]
    assert not any(e.keep or e.case_sensitive or e.variants for e in imported)


def test_tbx_export_uses_translate_toolkit_conventions():
    glossary = sample_glossary()
    exported = export_entries(glossary, "tbx")
    assert isinstance(exported, bytes) and exported.startswith(b"<?xml")
    store = tbx.tbxfile.parsestring(exported, sourcelanguage="en")
    units = {u.source: u for u in store.units}
    assert set(units) >= {"Vilnius", "NATO", "Jens Stoltenberg"}
    assert units["Jens Stoltenberg"].istranslatable() is False  # keep
    assert units["Vilnius"].istranslatable() is True
    assert [t.text for t in units["155-millimeter"].get_source_terms()] == ["155-millimeter", "155 millimeter", "155mm"]
    assert [t.text for t in units["Vilnius"].get_target_terms("es")] == ["Vilna"]
    assert units["Vilnius"].getid() == glossary.entries[0].id


entry_text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def glossaries(draw):
    entries = []
    for _ in range(draw(st.integers(1, 6))):
        keep = draw(st.booleans())
        translations = (
            {}
            if keep
            else draw(st.dictionaries(st.sampled_from(["de", "fr", "pt-BR", "uk"]), entry_text, min_size=1, max_size=3))
        )
        note = draw(st.one_of(st.none(), entry_text))
        entries.append(
            Entry(
                draw(entry_text), draw(st.lists(entry_text, max_size=2)), translations, keep, draw(st.booleans()), note
            )
        )
    glossary = Glossary("g", "g", "en", entries=entries)
    try:
        validate(glossary, GlossaryLimits())
    except GlossaryError:
        assume(False)
    return glossary


@PROPERTY
@given(glossaries(), st.sampled_from(["csv", "tbx"]))
def test_round_trip_property(glossary, fmt):
    assert content(import_entries(export_entries(glossary, fmt), fmt, "en")) == content(glossary.entries)


# -- row-level errors -------------------------------------------------------------------


def test_csv_reports_every_bad_row_and_imports_nothing():
    csv_text = "\n".join(
        [
            "term,variants,keep,case_sensitive,note,de",
            "Kyiv,,false,false,,Kyjiw",  # 2 fine
            ",,true,false,,",  # 3 empty term
            "Vilnius,,maybe,false,,Vilnius",  # 4 bad flag
            "Lviv,,false,false,,Lwiw,extra",  # 5 column count
            "KYIV,,true,false,,",  # 6 duplicate of line 2
            "Odesa,,true,false,,Odessa",  # 7 keep with a translation
            "Kharkiv,,false,false,,",  # 8 neither
            '"Multi',  # 9-10: a quoted field across lines, wrong count
            'line",,true',
            "Dnipro,,false,false,,Dnipro",  # 11 fine
        ]
    )
    with pytest.raises(GlossaryError) as error:
        import_entries(csv_text, "csv", "en")
    found = problems(error)
    assert [line for line, _ in found] == [3, 4, 5, 6, 7, 8, 9]
    assert "empty term" in found[0][1]
    assert "'maybe' is not true or false" in found[1][1]
    assert "7 columns; the header has 6" in found[2][1]
    assert "duplicate term 'KYIV'" in found[3][1]
    assert "either keep or has translations, not both" in found[4][1]
    assert "needs translations or keep" in found[5][1]


def test_csv_header_problems():
    with pytest.raises(GlossaryError) as error:
        import_entries("word,de\nKyiv,Kyjiw\n", "csv", "en")
    assert "the first column must be 'term'" in problems(error)[0][1]
    with pytest.raises(GlossaryError) as error:
        import_entries("term,German,de,de\nKyiv,Kyiv,Kyjiw,Kyjiw\n", "csv", "en")
    reasons = [reason for _, reason in problems(error)]
    assert any("'German' is not a language code" in r for r in reasons) and any(
        "'de' appears twice" in r for r in reasons
    )


def test_csv_minimal_columns_and_bom():
    imported = import_entries("\ufeffterm,fr\r\nNATO,OTAN\r\n\r\n", "csv", "en")
    assert content(imported) == [("NATO", [], {"fr": "OTAN"}, False, False, None)]


def test_tsv_row_errors():
    with pytest.raises(GlossaryError) as error:
        import_entries("Kyiv\tKyjiw\nVilnius\nLviv\tLwiw\tx\nOdesa\t\nkyiv\tKiew\n", "tsv", "en", target_lang="de")
    assert problems(error) == [
        (2, "1 columns; DeepL's TSV has exactly 2 (source, target)"),
        (3, "3 columns; DeepL's TSV has exactly 2 (source, target)"),
        (4, "needs translations or keep: true"),
        (5, "duplicate term 'kyiv' (same as line 1)"),
    ]


def test_rows_duplicating_existing_entries_are_reported_by_line():
    existing = sample_glossary().entries
    with pytest.raises(GlossaryError) as error:
        import_entries("Lviv\tLwiw\nkyiv\tKiew\n", "tsv", "en", target_lang="de", existing=existing)
    assert problems(error) == [(2, f"duplicate term 'kyiv' (same as existing entry {existing[5].id})")]
    assert len(import_entries("Lviv\tLwiw\n", "tsv", "en", target_lang="de", existing=existing)) == 1
    with pytest.raises(GlossaryError, match="9 entries; the limit is 8"):
        import_entries(
            "Lviv\tLwiw\n", "tsv", "en", target_lang="de", existing=existing, limits=GlossaryLimits(max_entries=8)
        )


def test_tbx_row_errors_and_foreign_conventions():
    document = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en-US"><text><body>
<termEntry id="c1">
  <langSet xml:lang="en-US"><tig><term>Kyiv</term></tig></langSet>
  <langSet xml:lang="de_DE">
    <tig><term>Kiew</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
    <tig><term>Kyjiw</term></tig>
  </langSet>
</termEntry>
<termEntry id="c2">
  <langSet xml:lang="fr"><tig><term>OTAN</term></tig></langSet>
</termEntry>
<termEntry id="c3">
  <langSet xml:lang="en"><tig><term>Stoltenberg</term></tig></langSet>
  <langSet xml:lang="de"><tig><term>Stoltenberg</term></tig></langSet>
  <descrip type="Translation needed">no</descrip>
</termEntry>
</body></text></martif>"""
    with pytest.raises(GlossaryError) as error:
        import_entries(document, "tbx", "en")
    assert problems(error) == [(10, "no 'en' term"), (13, "an entry is either keep or has translations, not both")]
    fixed = document.replace('<langSet xml:lang="de"><tig><term>Stoltenberg</term></tig></langSet>', "").replace(
        '<langSet xml:lang="fr"><tig><term>OTAN</term></tig></langSet>',
        '<langSet xml:lang="EN"><tig><term>NATO</term></tig></langSet>'
        '<langSet xml:lang="fr"><tig><term>OTAN</term></tig></langSet>',
    )
    assert content(import_entries(fixed, "tbx", "en")) == [
        ("Kyiv", [], {"de-DE": "Kyjiw"}, False, False, None),
        ("NATO", [], {"fr": "OTAN"}, False, False, None),
        ("Stoltenberg", [], {}, True, False, None),
    ]


# -- malformed files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, data, reason",
    [
        ("csv", b"term,de\nK\xffyiv,Kyjiw\n", "not UTF-8"),
        ("tsv", b"\xc3\x28\tx\n", "not UTF-8"),
        ("csv", b"", "empty"),
        ("csv", b"  \n\n", "empty"),
        ("csv", b'term,de\n"Kyiv,Kyjiw\n', "malformed CSV"),
        ("csv", b"term,de\nKy\x00iv,Kyjiw\n", "line 2: term: term contains a control character"),
        ("tbx", b"<martif><text><body><termEntry>", "malformed TBX"),
        ("tbx", b"not xml at all", "malformed TBX"),
        ("tbx", b"<html><body/></html>", "root element must be <martif>"),
        ("tbx", b"\xff\xfe<\x00m\x00", "malformed TBX"),
        ("tbx", b"<martif><text><body></body></text></martif>", "no entries"),
        ("tbx", b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><martif/>', "ENTITY"),
        ("xlsx", b"term\n", "unknown format"),
    ],
)
def test_malformed_files_give_a_clear_glossary_error(fmt, data, reason):
    with pytest.raises(GlossaryError) as error:
        import_entries(data, fmt, "en", target_lang="de")
    assert reason in str(error.value)


def test_tsv_needs_a_target_language():
    with pytest.raises(GlossaryError, match="target_lang"):
        import_entries("Kyiv\tKyjiw\n", "tsv", "en")
    with pytest.raises(GlossaryError, match="target_lang"):
        export_entries(sample_glossary(), "tsv")


def test_import_size_limit():
    data = "term,de\n" + "".join(f"t{i},x{i}\n" for i in range(100))
    assert len(import_entries(data, "csv", "en", max_bytes=len(data.encode()))) == 100
    with pytest.raises(GlossaryError, match="the limit is 100"):
        import_entries(data, "csv", "en", max_bytes=100)
    with pytest.raises(GlossaryError, match="the limit is 50"):
        import_entries(data, "csv", "en", limits=GlossaryLimits(max_entries=50))


@PROPERTY
@given(st.binary(max_size=300), st.sampled_from(["csv", "tsv", "tbx"]))
def test_arbitrary_bytes_never_raise_anything_but_glossary_error(data, fmt):
    try:
        entries = import_entries(data, fmt, "en", target_lang="de")
    except GlossaryError:
        return
    assert all(isinstance(e, Entry) for e in entries)
