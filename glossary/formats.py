"""Glossary import and export: CSV, TSV (DeepL's two columns) and TBX.

CSV  Header `term,variants,keep,case_sensitive,match_inside_names,note,<lang>,<lang>…`;
     only `term` (first) is required, the other fixed columns may be left out,
     every other column is a target language, or a rendering's grammar in
     that language: `<lang>:gender` (m/f), `<lang>:number` (sg/pl),
     `<lang>:article` (true/false; empty: not said). Variants are separated by "|" (a "|" or
     "\\" inside a variant is written "\\|" or "\\\\"); keep,
     case_sensitive and match_inside_names are true/false (also yes/no, 1/0, empty = false).
TSV  DeepL's glossary shape: `source<TAB>target`, no header, one language
     pair, so import and export need `target_lang`. TSV has no place for
     keep, case sensitivity, variants or notes: on export a kept term is
     written as `term<TAB>term` and each variant as a line of its own (DeepL
     then applies it); on import every line is one entry translated into
     `target_lang` (a line `Vilnius<TAB>Vilnius` is a translation, not keep).
TBX  ISO 30042 TermBase eXchange (the `martif` dialect TBX-Basic uses), read
     and written with translate-toolkit: one termEntry per entry, its id as
     the termEntry id; one langSet per language; the term and then each
     variant as tigs of the source langSet; the rendering as the first tig of
     each target langSet (further or deprecated target terms are ignored on
     import). `keep` is `<descrip type="Translation needed">no</descrip>` on
     the termEntry, the flag translate-toolkit itself reads as "do not
     translate" (`unit.istranslatable()` is False) and a terminologist reads
     as such, with no target langSets; case sensitivity is
     `<descrip type="x-case-sensitive">yes</descrip>`, match_inside_names
     `<descrip type="x-match-inside-names">yes</descrip>`; the note is a <note>.
     A rendering's grammar is on its tig: TBX's own `grammaticalGender`
     (masculine/feminine) and `grammaticalNumber` (singular/plural) termNotes,
     and `<termNote type="x-article">yes|no</termNote>` (TBX has no data
     category for whether a name takes an article).

Spreadsheet formulas: a CSV or TSV cell that begins with =, +, -, @, a tab or a
carriage return is exported with a "'" in front (OWASP's CSV injection advice),
so a spreadsheet opening the export shows "=HYPERLINK(…)" as text rather than
running it; a cell that already begins with "'"s before such a character gets
one more. Import takes one "'" off any cell of that shape, so an export
imports back to the same entries, and a hand-written "-ism" stays "-ism".

An import is all or nothing: every bad row is reported with its line number
(GlossaryError) and no entry is returned. Malformed files (not UTF-8, broken
CSV or XML, wrong column count) are GlossaryErrors too, never other exceptions.
"""

from __future__ import annotations

import csv
import io
import re

from lxml import etree
from translate.misc.xml_helpers import getXMLlang
from translate.storage import tbx

from glossary.grammar import GRAMMAR_FIELDS
from glossary.entries import (
    LANGUAGE_CODE,
    Entry,
    Glossary,
    GlossaryError,
    GlossaryLimits,
    duplicate_problems,
    entry_problems,
)

FORMATS = ("csv", "tsv", "tbx")
CSV_COLUMNS = ("term", "variants", "keep", "case_sensitive", "match_inside_names", "note")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0", "")
_KEEP_DESCRIP, _CASE_DESCRIP, _INSIDE_DESCRIP = "Translation needed", "x-case-sensitive", "x-match-inside-names"
# TBX termNote values <-> glossary.grammar's
_TBX_GENDER = {"m": "masculine", "f": "feminine"}
_TBX_NUMBER = {"sg": "singular", "pl": "plural"}
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def _neutralised(cell: str) -> str:
    """A cell a spreadsheet will not read as a formula (see the module's docstring)."""
    return "'" + cell if _FORMULA.match(cell) else cell


def _restored(cell: str) -> str:
    """Inverse of _neutralised."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def import_entries(
    data: bytes | str,
    fmt: str,
    source_lang: str,
    target_lang: str | None = None,
    max_bytes: int | None = None,
    limits: GlossaryLimits | None = None,
    existing: list[Entry] | None = None,
) -> list[Entry]:
    """Entries from a CSV, TSV or TBX file; GlossaryError listing every bad row (nothing is returned then).

    `max_bytes` defaults to `limits.max_import_bytes`. With `existing` (the
    glossary's entries, when appending), a row duplicating one of them is
    reported with its line too.
    """
    limits = limits or GlossaryLimits()
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    max_bytes = limits.max_import_bytes if max_bytes is None else max_bytes
    if len(raw) > max_bytes:
        raise GlossaryError.single("file", f"the file is {len(raw)} bytes; the limit is {max_bytes}")
    if fmt not in FORMATS:
        raise GlossaryError.single("format", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "tsv" and not (target_lang and LANGUAGE_CODE.match(target_lang)):
        raise GlossaryError.single("target_lang", "a TSV import needs target_lang (a language code)")
    if not raw.strip():
        raise GlossaryError.single("file", "the file is empty")
    if fmt == "tbx":
        numbered, problems = _read_tbx(raw, source_lang)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise GlossaryError.single("file", f"not UTF-8 text (invalid byte at offset {error.start})")
        numbered, problems = _read_csv(text) if fmt == "csv" else _read_tsv(text, target_lang)
    return _checked(numbered, problems, limits, existing or [])


def _checked(
    numbered: list[tuple[int, Entry]], problems: list[dict], limits: GlossaryLimits, existing: list[Entry]
) -> list[Entry]:
    """Validate every row on its own and against the others; raise naming lines if any is bad."""
    for line, entry in numbered:
        problems += [
            {**p, "line": line, "field": _row_field(p["field"])} for p in entry_problems(entry, "entry", limits)
        ]
    # Existing entries first, so a clash is reported on the imported row.
    lines = [0] * len(existing) + [line for line, _ in numbered]
    for problem in duplicate_problems(existing + [e for _, e in numbered], "entries"):
        index = int(re.match(r"entries\[(\d+)\]", problem["field"]).group(1))
        if index >= len(existing):
            reason = re.sub(
                r"\(same as entries\[(\d+)\]\.([^)]*)\)",
                lambda m: _same_as(int(m.group(1)), m.group(2), lines, existing),
                problem["reason"],
            )
            problems.append({"line": lines[index], "field": _row_field(problem["field"]), "reason": reason})
    total = len(existing) + len(numbered)
    if total > limits.max_entries:
        problems.append({"field": "file", "reason": f"{total} entries; the limit is {limits.max_entries}"})
    if not numbered and not problems:
        problems.append({"field": "file", "reason": "the file has no entries"})
    if problems:
        raise GlossaryError(sorted(problems, key=lambda p: p.get("line") or 0))
    return [entry for _, entry in numbered]


def _same_as(index: int, label: str, lines: list[int], existing: list[Entry]) -> str:
    """Name the other side of a duplicate: an existing entry, or a line of the file."""
    where = f"existing entry {existing[index].id}" if index < len(existing) else f"line {lines[index]}"
    return f"(same as {where}{'' if label == 'term' else ', ' + label})"


def _row_field(field_name: str) -> str:
    """'entries[3].variants[0]' / 'entry.variants[0]' -> 'variants[0]': the line already says which row."""
    return re.sub(r"^(?:entries\[\d+\]|entry)\.?", "", field_name) or "entry"


# -- CSV ------------------------------------------------------------------------


def _flag(value: str, line: int, column: str, problems: list[dict]) -> bool:
    value = (value or "").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        problems.append({"line": line, "field": column, "reason": f"{value!r} is not true or false"})
    return False


def _read_csv(text: str) -> tuple[list[tuple[int, Entry]], list[dict]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for row in reader:
            rows.append((line, row))  # a quoted field may span lines: report where the row starts
            line = reader.line_num + 1
    except csv.Error as error:
        raise GlossaryError.single("file", f"malformed CSV: {error}", line=reader.line_num)
    rows = [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise GlossaryError.single("file", "the file has no header row")
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    problems: list[dict] = []
    if header[0] != "term":
        raise GlossaryError.single(
            "header", f"the first column must be 'term' (the header is {','.join(header)!r})", header_line
        )
    for name in {h for h in header if header.count(h) > 1}:
        problems.append({"line": header_line, "field": "header", "reason": f"column {name!r} appears twice"})
    langs = [h for h in header if h not in CSV_COLUMNS and ":" not in h]
    grammar_columns = [h for h in header if ":" in h]
    problems += [
        {
            "line": header_line,
            "field": "header",
            "reason": f"column {lang!r} is not a language code (nor one of {', '.join(CSV_COLUMNS)})",
        }
        for lang in langs
        if not LANGUAGE_CODE.match(lang)
    ]
    problems += [
        {
            "line": header_line,
            "field": "header",
            "reason": f"column {name!r} is not <lang>:gender, <lang>:number or <lang>:article",
        }
        for name in grammar_columns
        if not LANGUAGE_CODE.match(name.partition(":")[0]) or name.partition(":")[2] not in GRAMMAR_FIELDS
    ]
    if problems:
        raise GlossaryError(problems)
    numbered = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            problems.append(
                {"line": line, "field": "row", "reason": f"{len(row)} columns; the header has {len(header)}"}
            )
            continue
        cells = {name: _restored(value.strip()) for name, value in zip(header, row)}
        numbered.append(
            (
                line,
                Entry(
                    term=cells["term"],
                    variants=_split_variants(cells.get("variants", "")),
                    translations={lang: cells[lang] for lang in langs if cells[lang]},
                    keep=_flag(cells.get("keep", ""), line, "keep", problems),
                    case_sensitive=_flag(cells.get("case_sensitive", ""), line, "case_sensitive", problems),
                    match_inside_names=_flag(cells.get("match_inside_names", ""), line, "match_inside_names", problems),
                    note=cells.get("note") or None,
                    grammar=_csv_grammar(cells, grammar_columns, line, problems),
                ),
            )
        )
    return numbered, problems


def _csv_grammar(cells: dict[str, str], columns: list[str], line: int, problems: list[dict]) -> dict:
    """{lang: {gender, number, article}} from the `<lang>:<field>` cells that are not empty."""
    grammar: dict[str, dict] = {}
    for column in columns:
        lang, _, name = column.partition(":")
        value = cells[column]
        if not value:
            continue
        if name == "article":
            if value.lower() not in _TRUE + _FALSE:
                problems.append({"line": line, "field": column, "reason": f"{value!r} is not true or false"})
                continue
            grammar.setdefault(lang, {})[name] = value.lower() in _TRUE
        else:
            grammar.setdefault(lang, {})[name] = value.lower()
    return grammar


def _join_variants(variants: list[str]) -> str:
    return "|".join(v.replace("\\", "\\\\").replace("|", "\\|") for v in variants)


def _split_variants(cell: str) -> list[str]:
    """Inverse of _join_variants: split at unescaped "|"."""
    variants, current, chars = [], [], iter(cell)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch == "|":
            variants.append("".join(current))
            current = []
        else:
            current.append(ch)
    variants.append("".join(current))
    return [v.strip() for v in variants if v.strip()]


# -- TSV ------------------------------------------------------------------------


def _read_tsv(text: str, target_lang: str) -> tuple[list[tuple[int, Entry]], list[dict]]:
    problems: list[dict] = []
    numbered = []
    # split("\n"), not splitlines(): the latter also breaks at U+2028, \x0c, …
    for line, row in enumerate(text.split("\n"), start=1):
        row = row.rstrip("\r")
        if not row.strip():
            continue
        cells = row.split("\t")
        if len(cells) != 2:
            problems.append(
                {
                    "line": line,
                    "field": "row",
                    "reason": f"{len(cells)} columns; DeepL's TSV has exactly 2 (source, target)",
                }
            )
            continue
        source, target = (_restored(cell.strip()) for cell in cells)
        numbered.append((line, Entry(term=source, translations={target_lang: target} if target else {})))
    return numbered, problems


# -- TBX ------------------------------------------------------------------------


def _normalise_lang(code: str | None) -> str:
    """'de_DE' -> 'de-DE', 'EN' -> 'en': TBX files in the wild vary."""
    primary, _, rest = (code or "").strip().replace("_", "-").partition("-")
    return primary.lower() + (f"-{rest}" if rest else "")


def _read_tbx(raw: bytes, source_lang: str) -> tuple[list[tuple[int, Entry]], list[dict]]:
    if b"<!ENTITY" in raw:
        # Entity declarations serve no purpose in a glossary and allow
        # entity-expansion ("billion laughs") attacks: refuse them outright.
        raise GlossaryError.single("file", "TBX files with <!ENTITY> declarations are not accepted")
    try:
        store = tbx.tbxfile.parsestring(raw, sourcelanguage=source_lang)
    except etree.XMLSyntaxError as error:
        raise GlossaryError.single("file", f"malformed TBX (XML): {error.msg}", line=error.lineno)
    except AssertionError:  # translate-toolkit asserts the root element
        raise GlossaryError.single("file", "not a TBX file: the root element must be <martif>")
    except Exception as error:  # anything else the parser may raise on hostile input
        raise GlossaryError.single("file", f"unreadable TBX: {type(error).__name__}: {error}")
    problems: list[dict] = []
    numbered = []
    for unit in store.units:
        element = unit.xmlelement
        line = element.sourceline
        by_lang: dict[str, list[tuple[str, bool]]] = {}  # lang -> [(term, deprecated)]
        grammar: dict[str, dict] = {}
        for lang_set in unit.getlanguageNodes():
            lang = _normalise_lang(getXMLlang(lang_set))
            for term in lang_set.iter(unit.namespaced("term")):
                text = "".join(term.itertext()).strip()
                if lang and text:
                    if not by_lang.get(lang) and term.getparent() is not None:
                        _read_tbx_grammar(unit, term.getparent(), lang, grammar, line, problems)
                    by_lang.setdefault(lang, []).append((text, _deprecated(unit, term)))
        source_keys = _source_keys(by_lang, source_lang)
        source = list(dict.fromkeys(text for lang in sorted(source_keys) for text, _ in by_lang[lang]))
        if not source:
            problems.append({"line": line, "field": "termEntry", "reason": f"no {source_lang!r} term"})
            continue
        descrips = {
            d.get("type"): "".join(d.itertext()).strip().lower()
            for d in element.iterchildren(unit.namespaced("descrip"))
        }
        keep = descrips.get(_KEEP_DESCRIP) == "no"
        translations = {}
        for lang, terms in by_lang.items():
            preferred = [text for text, deprecated in terms if not deprecated]
            if lang not in source_keys and preferred:
                translations[lang] = preferred[0]
        notes = ["".join(n.itertext()).strip() for n in element.iterchildren(unit.namespaced("note"))]
        numbered.append(
            (
                line,
                Entry(
                    term=source[0],
                    variants=source[1:],
                    translations=translations,  # with keep, validation reports the row
                    keep=keep,
                    case_sensitive=descrips.get(_CASE_DESCRIP) in ("yes", "true"),
                    match_inside_names=descrips.get(_INSIDE_DESCRIP) in ("yes", "true"),
                    note="\n".join(n for n in notes if n) or None,
                    grammar={lang: info for lang, info in grammar.items() if lang not in source_keys or keep},
                ),
            )
        )
    return numbered, problems


def _read_tbx_grammar(
    unit: tbx.tbxunit, tig: etree._Element, lang: str, grammar: dict, line: int, problems: list[dict]
) -> None:
    """The grammaticalGender, grammaticalNumber and x-article termNotes of a language's first term."""
    for note in tig.iter(unit.namespaced("termNote")):
        kind, value = note.get("type"), "".join(note.itertext()).strip().lower()
        for wanted, name, table in (
            ("grammaticalGender", "gender", _TBX_GENDER),
            ("grammaticalNumber", "number", _TBX_NUMBER),
        ):
            if kind == wanted:
                reverse = {v: k for k, v in table.items()}
                if value in reverse:
                    grammar.setdefault(lang, {})[name] = reverse[value]
                elif value:  # TBX also has neuter, dual, …: not something glossary.grammar can use
                    problems.append(
                        {
                            "line": line,
                            "field": f"grammar.{lang}.{name}",
                            "reason": f"{value!r} is not one of {', '.join(sorted(reverse))}",
                        }
                    )
        if kind == "x-article" and value in ("yes", "no", "true", "false"):
            grammar.setdefault(lang, {})["article"] = value in ("yes", "true")


def _deprecated(unit: tbx.tbxunit, term: etree._Element) -> bool:
    """A term its tig marks `administrativeStatus` deprecated: not to be used as a rendering."""
    tig = term.getparent()
    for note in tig.iter(unit.namespaced("termNote")) if tig is not None else ():
        if note.get("type") == "administrativeStatus" and "deprecated" in "".join(note.itertext()).lower():
            return True
    return False


def _source_keys(by_lang: dict, source_lang: str) -> set[str]:
    """The langSet(s) holding the source: the exact code, else the same primary language ("en-US" for "en")."""
    wanted = _normalise_lang(source_lang)
    if wanted in by_lang:
        return {wanted}
    primary = wanted.split("-")[0]
    return {lang for lang in by_lang if lang.split("-")[0] == primary}


# -- export -----------------------------------------------------------------------


def export_entries(glossary: Glossary, fmt: str, target_lang: str | None = None) -> str | bytes:
    """CSV and TSV as str; TBX as UTF-8 bytes (an XML document with its own declaration)."""
    if fmt == "csv":
        return _csv(glossary)
    if fmt == "tsv":
        if not (target_lang and LANGUAGE_CODE.match(target_lang)):
            raise GlossaryError.single("target_lang", "a TSV export needs target_lang (a language code)")
        return _tsv(glossary, target_lang)
    if fmt == "tbx":
        return _tbx(glossary)
    raise GlossaryError.single("format", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _csv(glossary: Glossary) -> str:
    langs = sorted({lang for entry in glossary.entries for lang in entry.translations})
    grammar_columns = [
        (lang, name)
        for lang in sorted({lang for e in glossary.entries for lang in e.grammar})
        for name in GRAMMAR_FIELDS
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *langs, *(f"{lang}:{name}" for lang, name in grammar_columns)])
    for e in glossary.entries:
        grammar = [e.grammar.get(lang, {}).get(name) for lang, name in grammar_columns]
        writer.writerow(
            [
                _neutralised(cell)
                for cell in (
                    e.term,
                    _join_variants(e.variants),
                    str(e.keep).lower(),
                    str(e.case_sensitive).lower(),
                    str(e.match_inside_names).lower(),
                    e.note or "",
                    *(e.translations.get(lang, "") for lang in langs),
                    *("" if value is None else str(value).lower() for value in grammar),
                )
            ]
        )
    return out.getvalue()


def _tsv(glossary: Glossary, target_lang: str) -> str:
    lines = []
    for entry in glossary.entries:
        rendering = entry.rendering(target_lang)
        if rendering is None:
            continue  # no rendering for this language: nothing to tell DeepL
        lines += [
            f"{_neutralised(spelling)}\t{_neutralised(spelling if entry.keep else rendering)}\n"
            for spelling in entry.spellings()
        ]
    return "".join(lines)


def _tbx(glossary: Glossary) -> bytes:
    store = tbx.tbxfile(sourcelanguage=glossary.source_lang)
    for entry in glossary.entries:
        unit = store.addsourceunit(entry.term)
        unit.setid(entry.id)
        unit.set_source_terms(entry.spellings(), lang=glossary.source_lang)
        for lang, rendering in sorted(entry.translations.items()):
            unit.set_target_terms([rendering], lang=lang)
        _tbx_grammar(unit, entry)
        for kind, value in (
            (_KEEP_DESCRIP, "no" if entry.keep else None),
            (_CASE_DESCRIP, "yes" if entry.case_sensitive else None),
            (_INSIDE_DESCRIP, "yes" if entry.match_inside_names else None),
        ):
            if value:
                descrip = etree.SubElement(unit.xmlelement, unit.namespaced("descrip"), type=kind)
                descrip.text = value
        if entry.note:
            unit.addnote(entry.note)
    return bytes(store)


def _tbx_grammar(unit: tbx.tbxunit, entry: Entry) -> None:
    """termNotes on the first tig of each language the entry has a rendering and grammar for.
    (A kept term has no target langSet to hang them on: its grammar is not exported to TBX.)"""
    for lang, info in sorted(entry.grammar.items()):
        tig = next(
            (
                tig
                for lang_set in unit.getlanguageNodes()
                if _normalise_lang(getXMLlang(lang_set)) == lang
                for tig in lang_set.iter(unit.namespaced("tig"))
            ),
            None,
        )
        if tig is None:
            continue  # grammar for a language without a rendering: nothing to hang it on
        for kind, value in (
            ("grammaticalGender", _TBX_GENDER.get(info.get("gender"))),
            ("grammaticalNumber", _TBX_NUMBER.get(info.get("number"))),
            ("x-article", None if info.get("article") is None else ("yes" if info["article"] else "no")),
        ):
            if value:
                note = etree.SubElement(tig, unit.namespaced("termNote"), type=kind)
                note.text = value
