"""CAT-tool interchange, through translate-toolkit: a job language's segments
as XLIFF (1.2 and 2.0) and back; translation memories as TMX and back.

Inline markup travels as XLIFF inline elements: each phrase the article wraps
in inline markup (a link, emphasis) is a `<g id="iK">` in XLIFF 1.2 and a
`<pc id="iK">` in 2.0, in source and target, so a translator moves the markup
with the words and the import knows where the article's markup goes.
Segment states follow provenance and review:

    draft            XLIFF 1.2 target state          XLIFF 2.0 segment state
    machine          needs-review-translation        translated
    memory           translated (state-qualifier     translated
                     leveraged-tm)
    human            signed-off                      reviewed
    approved (all)   approved="yes"                  final
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from translate.storage import tmx, xliff, xliff2
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G

from editorial.memory import IMPORTED, Entry
from editorial.segments import HUMAN, MACHINE, MEMORY, Draft, Review

XLIFF_VERSIONS = ("1.2", "2.0")
_NS_12 = "urn:oasis:names:tc:xliff:document:1.2"


class InterchangeError(ValueError):
    """A file this module cannot read as what it should be."""


def _rich(text: str, ranges: list[tuple[int, int] | None]) -> StringElem:
    """`text` with each located range wrapped in a G element (ids i1, i2, ... by
    the phrase's index); ranges nest or are disjoint, like the markup they stand for."""
    spans = sorted(((r[0], r[1], k) for k, r in enumerate(ranges) if r and r[1] > r[0]), key=lambda s: (s[0], -s[1]))

    def build(start: int, end: int, inner: list[tuple[int, int, int]]) -> list:
        parts: list = []
        cursor, i = start, 0
        while i < len(inner):
            s, e, k = inner[i]
            children = []
            j = i + 1
            while j < len(inner) and inner[j][1] <= e:
                children.append(inner[j])
                j += 1
            if s > cursor:
                parts.append(text[cursor:s])
            parts.append(G(id=f"i{k + 1}", sub=build(s, e, children) or [""]))
            cursor, i = e, j
        if cursor < end:
            parts.append(text[cursor:end])
        return parts

    return StringElem(build(0, len(text), spans))


def _flatten(elem, out: list[str], ranges: dict[str, tuple[int, int]]) -> None:
    """Plain text of a rich string, and the range of each inline element by id."""
    for part in elem.sub:
        if isinstance(part, str):
            out.append(part)
            continue
        start = sum(map(len, out))
        _flatten(part, out, ranges)
        element_id = getattr(part, "id", None)
        if element_id and type(part) is not StringElem:
            ranges[str(element_id)] = (start, sum(map(len, out)))


def export_xliff(draft: Draft, source_lang: str, target_lang: str, version: str, original: str) -> bytes:
    if version not in XLIFF_VERSIONS:
        raise InterchangeError(f"XLIFF version {version!r}; this service writes {', '.join(XLIFF_VERSIONS)}")
    store: Any = (xliff.xlifffile if version == "1.2" else xliff2.Xliff2File)(
        sourcelanguage=source_lang, targetlanguage=target_lang
    )
    if version == "1.2":
        store.setfilename(store.getfilenode("NoName"), original)
    approved = draft.review == Review.APPROVED.value
    for segment in draft.segments:
        unit = store.UnitClass(segment.source)
        store.addunit(unit)
        unit.setid(segment.id)
        unit.rich_source = [_rich(segment.source, list(segment.inline))]
        unit.rich_target = [_rich(segment.target, list(segment.inline_in_target))]
        _set_state(unit, version, segment.provenance.get("kind", MACHINE), approved)
    data = bytes(store)
    if version == "1.2":
        # translate-toolkit writes the 1.1 namespace; 1.2 is the same vocabulary, and what CAT tools expect.
        data = data.replace(b"urn:oasis:names:tc:xliff:document:1.1", _NS_12.encode()).replace(
            b'version="1.1"', b'version="1.2"', 1
        )
    else:
        data = _rename_inline(data, "g", "pc")  # XLIFF 2.0's paired code is <pc>; the toolkit writes 1.2's <g>
    return data


def _set_state(unit, version: str, kind: str, approved: bool) -> None:
    if version == "1.2":
        target = unit.xmlelement.find(f"{{{unit.namespace}}}target")
        state = {MACHINE: "needs-review-translation", MEMORY: "translated", HUMAN: "signed-off"}.get(kind, "translated")
        target.set("state", state)
        if kind == MEMORY:
            target.set("state-qualifier", "leveraged-tm")
        if approved:
            unit.xmlelement.set("approved", "yes")
    else:
        element = unit.xmlelement  # the toolkit's 2.0 unit is its <segment>
        segment = (
            element if etree.QName(element).localname == "segment" else element.find(f"{{{unit.namespace}}}segment")
        )
        segment.set("state", "final" if approved else ("reviewed" if kind == HUMAN else "translated"))


def _rename_inline(data: bytes, old: str, new: str) -> bytes:
    root = etree.fromstring(data)
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == old:
            element.tag = etree.QName(etree.QName(element).namespace, new).text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _checked_xml(data: bytes, what: str):
    """The parsed root of an uploaded file, refused if it declares entities:
    XLIFF and TMX never need them, and an entity is how a few bytes of XML
    become gigabytes (or read a file) in a parser that expands them."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise InterchangeError(f"not {what}: {error}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InterchangeError(f"{what} must not declare entities")
    return root


def read_xliff(data: bytes, draft: Draft) -> dict[str, tuple[str, list[tuple[int, int] | None]]]:
    """The target of each unit of an XLIFF file (1.2 or 2.x) whose id is a
    segment of `draft`: {segment id: (text, inline target ranges)}."""
    root = _checked_xml(data, "XLIFF")
    version = root.get("version", "")
    if etree.QName(root).localname != "xliff" or not version:
        raise InterchangeError("not an XLIFF file (no <xliff version=...> root)")
    if version.startswith("2"):
        store = xliff2.Xliff2File.parsestring(data)
    else:
        store = xliff.xlifffile.parsestring(_rename_inline(data, "pc", "g"))
    known = {segment.id: segment for segment in draft.segments}
    found: dict[str, tuple[str, list[tuple[int, int] | None]]] = {}
    for unit in store.units:
        unit_id = (unit.getid() if version.startswith("2") else unit.xmlelement.get("id")) or ""
        if unit_id not in known or not unit.rich_target or unit.target is None:
            continue
        out: list[str] = []
        ranges: dict[str, tuple[int, int]] = {}
        for rich in unit.rich_target:
            _flatten(rich, out, ranges)
        inline = [ranges.get(f"i{k + 1}") for k in range(len(known[unit_id].inline))]
        found[unit_id] = ("".join(out), inline)
    if not found:
        raise InterchangeError("no unit of this file is a segment of this translation (ids s1, s2, ...)")
    return found


# -- TMX --------------------------------------------------------------------------------------


def export_tmx(entries: list[Entry], source_lang: str, target_lang: str) -> bytes:
    store = tmx.tmxfile(sourcelanguage=source_lang, targetlanguage=target_lang)
    for entry in entries:
        unit = store.addsourceunit(entry.source)
        unit.target = entry.target
    return bytes(store)


def _lang_matches(code: str | None, wanted: str) -> bool:
    return bool(code) and re.split(r"[-_]", code.lower())[0] == wanted.lower()  # type: ignore[union-attr]


def import_tmx(data: bytes, source_lang: str, target_lang: str, author: dict | None = None) -> list[Entry]:
    """The entries of a TMX file for this pair (its language variants too: en-GB counts as en)."""
    _checked_xml(data, "a TMX file")
    try:
        store = tmx.tmxfile.parsestring(data)
    except Exception as error:  # translate-toolkit raises whatever lxml or its own parser does
        raise InterchangeError(f"not a TMX file: {error}") from None
    entries = []
    for unit in store.units:
        variants = {}
        for tuv in unit.xmlelement.iterfind("tuv"):
            lang = tuv.get("{http://www.w3.org/XML/1998/namespace}lang") or tuv.get("lang")
            seg = tuv.find("seg")
            if seg is not None:
                variants[lang] = "".join(seg.itertext())
        source = next((t for lang, t in variants.items() if _lang_matches(lang, source_lang)), None)
        target = next((t for lang, t in variants.items() if _lang_matches(lang, target_lang)), None)
        if source and target and source.strip() and target.strip():
            entries.append(Entry(source, target, IMPORTED, author=author))
    return entries
