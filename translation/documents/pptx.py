"""PPTX (PresentationML): slides (text frames, tables, grouped shapes) and speaker notes.

A DrawingML paragraph (a:p) is read run by run: each a:r's a:t is a slot
carrying the run's properties (bold, italic, underline, its link); a:br ends
a unit; fields (a:fld: slide numbers, dates) are protected. Layouts, masters,
themes, media and every other part are copied as they were. See office.py.
"""

from __future__ import annotations

import re

from lxml import etree

from translation.documents.office import OfficeDocument, Slot, local

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_STORY = re.compile(r"ppt/(slides/slide\d+|notesSlides/notesSlide\d+)\.xml")


class PptxDocument(OfficeDocument):
    WHAT = "PPTX"
    MAIN = "ppt/presentation.xml"
    PARAGRAPHS = (f"{{{A}}}p",)

    def is_story(self, name: str) -> bool:
        return bool(_STORY.fullmatch(name))

    def lines(self, paragraph):
        lines: list[list[Slot]] = [[]]
        for child in paragraph:
            name = local(child)
            if name in ("r", "fld"):
                properties = child.find(f"{{{A}}}rPr")
                style = b"" if properties is None else etree.tostring(properties, method="c14n")
                text = child.find(f"{{{A}}}t")
                if text is not None:
                    lines[-1].append(Slot(text, "text", style, protected=name == "fld"))
            elif name == "br":
                lines.append([])
        return lines
