"""ODT (OpenDocument text): the body (content.xml) and the master pages'
headers and footers (styles.xml).

A paragraph or heading (text:p, text:h, wherever it is: body, table cell,
list item, frame, note) is read as the text nodes of the paragraph and of its
spans and links, each a slot carrying its span's style and link; text:tab and
text:line-break end a unit; text:s (extra spaces), notes, bookmarks, frames
and annotations stay in place and add nothing to the sentence. The text of
fields (page numbers, dates, authors: any other element with text) is
protected. Styles, lists, images and every other part are copied as they
were. See office.py.
"""

from __future__ import annotations

from translation.documents.office import OfficeDocument, Slot, local, namespace

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_INLINE = {"span", "a", "meta", "ruby", "ruby-base"}
_BREAKS = {"tab", "line-break"}
# Elements whose content is not part of the sentence (nested paragraphs are read on their own).
_OPAQUE = {
    "note",
    "annotation",
    "frame",
    "s",
    "soft-page-break",
    "bookmark",
    "bookmark-start",
    "bookmark-end",
    "reference-mark",
    "reference-mark-start",
    "reference-mark-end",
    "ruby-text",
    "change-start",
    "change-end",
    "change",
    "annotation-end",
    "alphabetical-index-mark",
    "toc-mark",
}


class OdtDocument(OfficeDocument):
    WHAT = "ODT"
    MAIN = "content.xml"
    PARAGRAPHS = (f"{{{TEXT}}}p", f"{{{TEXT}}}h")

    def is_story(self, name: str) -> bool:
        return name in ("content.xml", "styles.xml")

    def lines(self, paragraph):
        lines: list[list[Slot]] = [[]]

        def add(node, attribute, style, protected=False):
            if getattr(node, attribute):
                lines[-1].append(Slot(node, attribute, style, protected))

        def walk(element, style):
            add(element, "text", style)
            for child in element:
                name = local(child)
                if name in _INLINE and namespace(child) == TEXT:
                    walk(
                        child,
                        (
                            *style,
                            name,
                            child.get(f"{{{TEXT}}}style-name"),
                            child.get("{http://www.w3.org/1999/xlink}href"),
                        ),
                    )
                elif name in _BREAKS:
                    lines.append([])
                elif name and name not in _OPAQUE and namespace(child) == TEXT:
                    add(child, "text", style, protected=True)  # a field: its text as written
                add(child, "tail", style)

        walk(paragraph, ())
        return lines
