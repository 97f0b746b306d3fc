"""Small files of every file format, made by the libraries made for each
(python-docx, odfpy, python-pptx; subtitles as text): what the tests and
`make demo` translate. These libraries are test dependencies
(requirements-dev.txt); the service itself reads the files with lxml."""

from __future__ import annotations

import functools
import io

LINK = "https://www.nato.int/cps/en/natohq/news.htm"

SRT = """1
00:00:01,000 --> 00:00:03,200
NATO leaders met in Vilnius

2
00:00:03,300 --> 00:00:05,900
on Tuesday to discuss

3
00:00:06,000 --> 00:00:08,500
<i>the defence of the Baltic states.</i>

4
00:00:09,000 --> 00:00:11,000
- Is the summit over?
- Not yet.

5
00:00:11,500 --> 00:00:14,000
{\\an8}The talks continue tomorrow.
"""

VTT = """WEBVTT Kind: captions

STYLE
::cue { color: yellow }

NOTE a note about NATO stays as written

intro
00:00:01.000 --> 00:00:03.200 align:start position:10%
<v Reporter>NATO leaders met in Vilnius

00:00:03.300 --> 00:00:06.000
on Tuesday &amp; Wednesday.
"""


# Each story is made once per process: the libraries stamp the current time
# into the ZIP entries, so two calls a second apart give different bytes, and
# a test that compares an upload with a second call would fail at random.
@functools.cache
def docx_story() -> bytes:
    """A heading, a paragraph with bold, italic and underlined runs, a link,
    a bulleted list, a table, a header and a footer."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "NATO desk: summit coverage"
    section.footer.paragraphs[0].text = "Published by the foreign desk"
    document.add_heading("NATO leaders meet in Vilnius", level=1)
    paragraph = document.add_paragraph("Leaders of ")
    paragraph.add_run("NATO").bold = True
    paragraph.add_run(" met in ")
    paragraph.add_run("Vilnius").italic = True
    paragraph.add_run(" on Tuesday, and the talks were ")
    paragraph.add_run("difficult").underline = True
    paragraph.add_run(". Read the ")
    relationship = document.part.relate_to(LINK, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "official statement"
    run.append(text)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)
    paragraph.add_run(" for details.")
    document.add_paragraph("Ukraine asked for more air defence.", style="List Bullet")
    document.add_paragraph("Sweden joined the alliance.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate((("City", "Role"), ("Vilnius", "Summit host"))):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    document.add_paragraph("The next summit will be held in Washington.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@functools.cache
def odt_story() -> bytes:
    """A heading, a paragraph with a bold span and a link, a list, a table."""
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import A, H, List, ListItem, P, Span

    document = OpenDocumentText()
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    document.text.addElement(H(outlinelevel=1, text="NATO leaders meet in Vilnius"))
    paragraph = P(text="Leaders of ")
    paragraph.addElement(Span(stylename=bold, text="NATO"))
    paragraph.addText(" met in Vilnius on Tuesday. Read the ")
    paragraph.addElement(A(href=LINK, text="official statement"))
    paragraph.addText(" for details.")
    document.text.addElement(paragraph)
    items = List()
    for value in ("Ukraine asked for more air defence.", "Sweden joined the alliance."):
        item = ListItem()
        item.addElement(P(text=value))
        items.addElement(item)
    document.text.addElement(items)
    table = Table(name="Hosts")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for cells in (("City", "Role"), ("Vilnius", "Summit host")):
        row = TableRow()
        for value in cells:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


@functools.cache
def pptx_story() -> bytes:
    """A title slide, a slide with a bold run, a table and speaker notes."""
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    slide.shapes.title.text = "NATO leaders meet in Vilnius"
    slide.placeholders[1].text = "Summit coverage by the foreign desk"
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = "The talks"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    paragraph = box.text_frame.paragraphs[0]
    run = paragraph.add_run()
    run.text = "Leaders of "
    run = paragraph.add_run()
    run.text = "NATO"
    run.font.bold = True
    run = paragraph.add_run()
    run.text = " met in Vilnius on Tuesday."
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(3.5), Inches(6), Inches(1)).table
    for row, cells in enumerate((("City", "Role"), ("Vilnius", "Summit host"))):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    slide.notes_slide.notes_text_frame.text = "Mention the air defence request."
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def write(folder) -> list:
    """story.docx and clip.srt in `folder` (for `make demo`); their paths."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.docx").write_bytes(docx_story())
    (folder / "clip.srt").write_text(SRT, encoding="utf-8")
    return [folder / "story.docx", folder / "clip.srt"]


if __name__ == "__main__":
    import sys

    for path in write(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(path)
