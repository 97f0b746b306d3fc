"""Glossary import and export: CSV, TSV (DeepL's two columns) and TBX.

CSV   header `term,variants,keep,case_sensitive,note,<lang>,<lang>…`;
      variants separated by "|"; keep/case_sensitive are true/false.
TSV   `source<TAB>target`, no header, one language pair (DeepL's shape).
TBX   ISO 30042 TermBase eXchange, read and written with translate-toolkit:
      one termEntry per entry, one langSet per language; variants are further
      terms in the source langSet; `keep` and case sensitivity are entry notes
      ("keep", "case-sensitive") since TBX has no such flags.

An import is all or nothing: every bad row is reported with its line number
and nothing is applied.
"""

from __future__ import annotations

import csv
import io

from lxml import etree
from translate.storage import tbx

from glossary.model import LANGUAGE_CODE, Entry, Glossary, GlossaryError

FORMATS = ("csv", "tsv", "tbx")
_FIXED_COLUMNS = ("term", "variants", "keep", "case_sensitive", "note")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def import_entries(data: bytes | str, fmt: str, source_lang: str, target_lang: str | None = None,
                   max_bytes: int | None = None) -> list[Entry]:
    raw = data.encode() if isinstance(data, str) else data
    if max_bytes is not None and len(raw) > max_bytes:
        raise GlossaryError([{"field": "file", "reason": f"import is {len(raw)} bytes; the limit is {max_bytes}"}])
    if not raw.strip():
        raise GlossaryError([{"field": "file", "reason": "the file is empty"}])
    if fmt == "tbx":
        return _import_tbx(raw, source_lang)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GlossaryError([{"field": "file", "reason": f"not UTF-8 text (byte {error.start})"}])
    if fmt == "csv":
        return _import_csv(text)
    if fmt == "tsv":
        if not target_lang:
            raise GlossaryError([{"field": "target_lang", "reason": "a TSV import needs target_lang"}])
        return _import_tsv(text, target_lang)
    raise GlossaryError([{"field": "format", "reason": f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}"}])


def _flag(value: str, line: int, column: str, problems: list[dict]) -> bool:
    value = (value or "").strip().lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    problems.append({"line": line, "field": column, "reason": f"{value!r} is not true or false"})
    return False


def _import_csv(text: str) -> list[Entry]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise GlossaryError([{"field": "file", "reason": f"malformed CSV: {error}"}])
    header = [h.strip() for h in rows[0]]
    problems: list[dict] = []
    if not header or header[0] != "term":
        raise GlossaryError([{"line": 1, "field": "header", "reason": "the first column must be 'term'"}])
    langs = [h for h in header if h not in _FIXED_COLUMNS]
    problems += [{"line": 1, "field": lang, "reason": f"column {lang!r} is not a language code"}
                 for lang in langs if not LANGUAGE_CODE.match(lang)]
    entries = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append({"line": line, "reason": f"{len(row)} columns; the header has {len(header)}"})
            continue
        cells = dict(zip(header, row))
        entry = Entry(
            term=cells["term"].strip(),
            variants=[v.strip() for v in cells.get("variants", "").split("|") if v.strip()],
            translations={lang: cells[lang].strip() for lang in langs if cells[lang].strip()},
            keep=_flag(cells.get("keep", ""), line, "keep", problems),
            case_sensitive=_flag(cells.get("case_sensitive", ""), line, "case_sensitive", problems),
            note=cells.get("note", "").strip() or None,
        )
        entries.append((line, entry))
    return _checked(entries, problems)


def _import_tsv(text: str, target_lang: str) -> list[Entry]:
    problems: list[dict] = []
    entries = []
    for line, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        cells = row.split("\t")
        if len(cells) != 2:
            problems.append({"line": line, "reason": f"{len(cells)} columns; TSV needs exactly 2 (source, target)"})
            continue
        source, target = (c.strip() for c in cells)
        entries.append((line, Entry(term=source, translations={target_lang: target} if target else {})))
    return _checked(entries, problems)


def _import_tbx(raw: bytes, source_lang: str) -> list[Entry]:
    try:
        store = tbx.tbxfile.parsestring(raw)
    except (etree.XMLSyntaxError, ValueError, AttributeError) as error:
        raise GlossaryError([{"field": "file", "reason": f"malformed TBX: {error}"}])
    problems: list[dict] = []
    entries = []
    for unit in store.units:
        line = unit.xmlelement.sourceline
        terms: dict[str, list[str]] = {}
        for lang_set in unit.xmlelement.iter("{*}langSet", "langSet"):
            lang = lang_set.get(_XML_LANG) or lang_set.get("lang")
            words = [t.text.strip() for t in lang_set.iter("{*}term", "term") if t.text and t.text.strip()]
            if lang and words:
                terms.setdefault(lang, []).extend(words)
        if source_lang not in terms:
            problems.append({"line": line, "reason": f"termEntry has no {source_lang!r} term"})
            continue
        notes = [n.strip() for n in (unit.getnotes() or "").splitlines() if n.strip()]
        keep = "keep" in notes
        entry = Entry(
            term=terms[source_lang][0],
            variants=terms[source_lang][1:],
            translations={} if keep else {lang: words[0] for lang, words in terms.items() if lang != source_lang},
            keep=keep,
            case_sensitive="case-sensitive" in notes,
            note="\n".join(n for n in notes if n not in ("keep", "case-sensitive")) or None,
        )
        entries.append((line, entry))
    if not entries and not problems:
        problems.append({"field": "file", "reason": "the TBX file has no termEntry"})
    return _checked(entries, problems)


def _checked(numbered: list[tuple[int, Entry]], problems: list[dict]) -> list[Entry]:
    """Validate every entry, naming lines; raise if any row is bad."""
    from glossary.model import GlossaryLimits, validate

    for line, entry in numbered:
        try:
            validate(Glossary("import", "import", "en", entries=[entry]), GlossaryLimits())
        except GlossaryError as error:
            problems += [{"line": line, "field": p["field"].replace("entries[0]", "entry").replace("entries[0].", ""),
                          "reason": p["reason"]} for p in error.problems]
    try:
        validate(Glossary("import", "import", "en", entries=[e for _, e in numbered]), GlossaryLimits(10**9))
    except GlossaryError as error:  # duplicates across rows
        lines = [line for line, _ in numbered]
        for p in error.problems:
            if "duplicate" in p["reason"]:
                index = int(p["field"].split("[", 1)[1].split("]", 1)[0])
                problems.append({"line": lines[index], "field": "term", "reason": p["reason"]})
    if problems:
        raise GlossaryError(sorted(problems, key=lambda p: p.get("line") or 0))
    return [e for _, e in numbered]


def export_entries(glossary: Glossary, fmt: str, target_lang: str | None = None) -> str:
    if fmt == "csv":
        langs = sorted({lang for e in glossary.entries for lang in e.translations})
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*_FIXED_COLUMNS, *langs])
        for e in glossary.entries:
            writer.writerow([e.term, "|".join(e.variants), str(e.keep).lower(), str(e.case_sensitive).lower(),
                             e.note or "", *(e.translations.get(lang, "") for lang in langs)])
        return out.getvalue()
    if fmt == "tsv":
        if not target_lang:
            raise GlossaryError([{"field": "target_lang", "reason": "a TSV export needs target_lang"}])
        return "".join(f"{e.term}\t{e.term if e.keep else e.translations[target_lang]}\n"
                       for e in glossary.entries if e.keep or target_lang in e.translations)
    if fmt == "tbx":
        return _export_tbx(glossary)
    raise GlossaryError([{"field": "format", "reason": f"unknown format {fmt!r}"}])


def _export_tbx(glossary: Glossary) -> str:
    store = tbx.tbxfile(sourcelanguage=glossary.source_lang)
    for entry in glossary.entries:
        unit = store.addsourceunit(entry.term)
        source_set = unit.getlanguageNode(lang=glossary.source_lang, index=0)
        for variant in entry.variants:
            tig = etree.SubElement(source_set, "tig")
            etree.SubElement(tig, "term").text = variant
        for lang, rendering in sorted(entry.translations.items()):
            unit.xmlelement.append(unit.createlanguageNode(lang, rendering, "target"))
        for note in (["keep"] if entry.keep else []) + (["case-sensitive"] if entry.case_sensitive else []) + \
                ([entry.note] if entry.note else []):
            unit.addnote(note)
    return bytes(store).decode("utf-8")
