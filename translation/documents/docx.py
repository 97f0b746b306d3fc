"""DOCX (WordprocessingML): the body, headers, footers, footnotes and endnotes.

A paragraph (w:p, wherever it is: body, table cell, text box, note) is read
run by run: each w:t is a slot carrying its run's properties and its link
(w:hyperlink); w:tab, w:br, w:cr and w:ptab end a unit. Text inside links,
smart tags, content controls and insertions is read; deletions are not text.
Results of fields (w:fldSimple, or between a w:fldChar "separate" and its
"end") are protected. Styles, numbering (lists), section properties, images,
comments and every other part are copied as they were. See office.py.
"""

from __future__ import annotations

import re

from lxml import etree

from translation.documents.office import OfficeDocument, Slot, local

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STORY = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_BREAKS = {"tab", "br", "cr", "ptab"}
_SKIPPED = {
    "del",
    "moveFrom",
    "rPr",
    "pPr",
    "instrText",
    "delText",
    "drawing",
    "pict",
    "object",
    "AlternateContent",
    "txbxContent",
    "p",
    "sectPr",
}


class DocxDocument(OfficeDocument):
    WHAT = "DOCX"
    MAIN = "word/document.xml"
    PARAGRAPHS = (f"{{{W}}}p",)

    def is_story(self, name: str) -> bool:
        return bool(_STORY.fullmatch(name))

    def lines(self, paragraph):
        lines: list[list[Slot]] = [[]]
        field_state = []  # "code" or "result", one per open complex field

        def walk(element, link, protected):
            for child in element:
                name = local(child)
                if name == "r":
                    run(child, link, protected)
                elif name == "hyperlink":
                    walk(
                        child,
                        child.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                        or child.get(f"{{{W}}}anchor")
                        or "link",
                        protected,
                    )
                elif name == "fldSimple":
                    walk(child, link, True)
                elif name and name not in _SKIPPED:
                    walk(child, link, protected)

        def run(element, link, protected):
            properties = element.find(f"{{{W}}}rPr")
            style = (b"" if properties is None else _canonical(properties), link)
            for child in element:
                name = local(child)
                if name == "fldChar":
                    kind = child.get(f"{{{W}}}fldCharType")
                    if kind == "begin":
                        field_state.append("code")
                    elif kind == "separate" and field_state:
                        field_state[-1] = "result"
                    elif kind == "end" and field_state:
                        field_state.pop()
                elif name == "t" and "code" not in field_state:
                    slot = Slot(child, "text", style, protected or "result" in field_state)
                    lines[-1].append(slot)
                elif name in _BREAKS:
                    lines.append([])

        walk(paragraph, None, False)
        for line in lines:
            for slot in line:
                if not slot.protected:
                    slot.node.set(XML_SPACE, "preserve")
        return lines


def _canonical(element) -> bytes:
    return etree.tostring(element, method="c14n")
