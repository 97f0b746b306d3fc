"""DOCX, ODT, PPTX, SRT and WebVTT: files made by their own libraries
(devtools/samples.py), parsed, translated by the test models (no Redis) and
read back with those libraries; hostile files refused as DocumentError."""

from __future__ import annotations

import base64
import codecs
import io
import re
import time
import zipfile

import docx
import pytest
import srt
from lxml import etree
from odf import teletype
from odf.opendocument import load as load_odt
from odf.text import H, P
from pptx import Presentation

from devtools import samples
from translation.article import Article, translate_article
from translation.documents import FORMATS, DocumentError, TranslatedUnit, file_from_body, parse
from translation.documents import office, subtitles
from translation.engines import ArgosEngine, ArgosOptions, Router

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def engines(model_dirs):
    return {kind: Router([ArgosEngine(str(path), ArgosOptions(beam_size=2))]) for kind, path in model_dirs.items()}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def identity(document) -> list[TranslatedUnit]:
    return [TranslatedUnit(u.text, lambda o, side="right": o) for u in document.units]


def translate(engine, body: str, fmt: str) -> str:
    return translate_article(engine, Article("", body, fmt), "en", "de").body


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


# -- what the libraries read back --------------------------------------------------------


def docx_view(data: bytes) -> dict:
    """Paragraph texts, each run's (bold, italic, underline), links and their texts,
    table cells, header and footer, as python-docx reads them."""
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    return {
        "paragraphs": [p.text for p in document.paragraphs],
        "styles": [p.style.name for p in document.paragraphs],
        "runs": [[(r.bold, r.italic, r.underline) for r in p.runs] for p in document.paragraphs],
        "links": [
            (h.get(f"{{{docx.oxml.ns.nsmap['r']}}}id"), "".join(t.text for t in h.iter(f"{W}t")))
            for h in document.element.body.iter(f"{W}hyperlink")
        ],
        "cells": [[c.text for c in row.cells] for table in document.tables for row in table.rows],
        "header": section.header.paragraphs[0].text,
        "footer": section.footer.paragraphs[0].text,
    }


def docx_skeleton(data: bytes) -> list:
    """document.xml's elements and attributes, without text and xml:space."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return [(e.tag, sorted((k, v) for k, v in e.attrib.items() if not k.endswith("}space"))) for e in root.iter()]


def odt_view(data: bytes) -> list[tuple[str, str]]:
    document = load_odt(io.BytesIO(data))
    return [
        (str(e.qname[1]), teletype.extractText(e))
        for e in document.getElementsByType(H) + document.getElementsByType(P)
    ]


def pptx_view(data: bytes) -> dict:
    presentation = Presentation(io.BytesIO(data))
    shapes, notes = [], []
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                shapes.append([[(r.text, r.font.bold) for r in p.runs] for p in shape.text_frame.paragraphs])
            if shape.has_table:
                shapes.append([c.text for row in shape.table.rows for c in row.cells])
        if slide.has_notes_slide:
            notes.append(slide.notes_slide.notes_text_frame.text)
    return {"shapes": shapes, "notes": notes}


def rot13_view(view):
    if isinstance(view, str):
        return rot13(view)
    if isinstance(view, (list, tuple)):
        return type(view)(rot13_view(v) for v in view)
    if isinstance(view, dict):
        return {k: rot13_view(v) for k, v in view.items()}
    return view


# -- office formats --------------------------------------------------------------------

SAMPLES = {"docx": samples.docx_story, "odt": samples.odt_story, "pptx": samples.pptx_story}
VIEWS = {"docx": docx_view, "odt": odt_view, "pptx": pptx_view}


@pytest.mark.parametrize("fmt", SAMPLES)
def test_identity_render_keeps_every_part_and_the_text(fmt):
    data = SAMPLES[fmt]()
    document = parse(b64(data), fmt)
    output = file_from_body(document.render(identity(document)), fmt)
    assert VIEWS[fmt](output) == VIEWS[fmt](data)
    before, after = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(output))
    assert before.namelist() == after.namelist()
    story = {
        "docx": r"word/(document|header\d*|footer\d*)\.xml",
        "odt": r"content\.xml|styles\.xml",
        "pptx": r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml",
    }[fmt]
    for name in before.namelist():
        if not re.fullmatch(story, name):
            assert before.read(name) == after.read(name), name  # parts without text: byte for byte
    if fmt == "docx":
        assert docx_skeleton(output) == docx_skeleton(data)


def test_docx_units_and_what_they_wrap():
    units = parse(b64(samples.docx_story()), "docx").units
    texts = [u.text for u in units]
    assert texts[:2] == [
        "NATO leaders meet in Vilnius",
        "Leaders of NATO met in Vilnius on Tuesday, and the talks "
        "were difficult. Read the official statement for details.",
    ]
    assert {
        "City",
        "Vilnius",
        "Summit host",
        "Sweden joined the alliance.",
        "NATO desk: summit coverage",
        "Published by the foreign desk",
    } <= set(texts)
    second = units[1]
    assert [second.text[s:e] for s, e in second.inline] == ["NATO", "Vilnius", "difficult", "official statement"]


@pytest.mark.parametrize("fmt", SAMPLES)
def test_identity_model_gives_the_same_file_contents(engines, fmt):
    data = SAMPLES[fmt]()
    output = file_from_body(translate(engines["identity"], b64(data), fmt), fmt)
    assert VIEWS[fmt](output) == VIEWS[fmt](data)


@pytest.mark.parametrize("fmt", SAMPLES)
def test_cipher_model_rotates_the_text_and_keeps_the_structure(engines, fmt):
    data = SAMPLES[fmt]()
    output = file_from_body(translate(engines["cipher"], b64(data), fmt), fmt)
    view, source = VIEWS[fmt](output), VIEWS[fmt](data)
    if fmt == "docx":
        # Formatting (bold, italic, underline per run), styles, links and their targets stay.
        assert view["runs"] == source["runs"] and view["styles"] == source["styles"]
        assert [rid for rid, _ in view["links"]] == [rid for rid, _ in source["links"]]
        assert view["paragraphs"] == rot13_view(source["paragraphs"])
        assert view["links"][0][1] == rot13("official statement")
        assert (view["cells"], view["header"], view["footer"]) == rot13_view(
            (source["cells"], source["header"], source["footer"])
        )
        assert docx_skeleton(output) == docx_skeleton(data)
        # The bold run holds the rotated word it held.
        bold = [r.text for p in docx.Document(io.BytesIO(output)).paragraphs for r in p.runs if r.bold]
        assert bold == [rot13("NATO")]
    elif fmt == "odt":
        assert view == [(tag, rot13(text)) for tag, text in source]
    else:
        assert view == rot13_view(source)


def test_docx_field_results_are_protected_and_breaks_end_units():
    document = docx.Document()
    paragraph = document.add_paragraph("Page ")
    run = paragraph.add_run()
    for kind, extra in (("begin", None), ("instr", " PAGE "), ("separate", None), ("result", "7"), ("end", None)):
        if kind == "instr":
            element = docx.oxml.OxmlElement("w:instrText")
            element.text = extra
        elif kind == "result":
            element = docx.oxml.OxmlElement("w:t")
            element.text = extra
        else:
            element = docx.oxml.OxmlElement("w:fldChar")
            element.set(docx.oxml.ns.qn("w:fldCharType"), kind)
        run._r.append(element)
    paragraph.add_run(" of the report")
    line = document.add_paragraph("First line")
    line.add_run().add_break()
    line.add_run("second line")
    out = io.BytesIO()
    document.save(out)
    units = parse(b64(out.getvalue()), "docx").units
    assert [(u.text, u.protected) for u in units] == [
        ("Page 7 of the report", [(5, 6)]),
        ("First line", []),
        ("second line", []),
    ]


# -- subtitles ---------------------------------------------------------------------------


def cues(body: str) -> list[srt.Subtitle]:
    return list(srt.parse(body))


def test_srt_units_join_a_sentence_over_three_cues():
    units = parse(samples.SRT, "srt").units
    assert [u.text for u in units] == [
        "NATO leaders met in Vilnius on Tuesday to discuss the defence of the Baltic states.",
        "Is the summit over?",
        "Not yet.",
        "The talks continue tomorrow.",
    ]


@pytest.mark.parametrize("fmt, source", [("srt", samples.SRT), ("vtt", samples.VTT)])
def test_subtitles_identity_is_byte_exact(engines, fmt, source):
    document = parse(source, fmt)
    assert document.render(identity(document)) == source
    assert translate(engines["identity"], source, fmt) == source
    crlf = source.replace("\n", "\r\n")
    assert translate(engines["identity"], crlf, fmt) == crlf


def test_srt_cipher_keeps_cues_ids_timings_and_styling(engines):
    output = translate(engines["cipher"], samples.SRT, "srt")
    before, after = cues(samples.SRT), cues(output)
    assert [(c.index, c.start, c.end) for c in after] == [(c.index, c.start, c.end) for c in before]
    assert [c.content for c in after] == [
        rot13(c.content).replace("{\\na8}", "{\\an8}").replace("<v>", "<i>").replace("</v>", "</i>") for c in before
    ]


def test_vtt_cipher_keeps_header_notes_settings_and_references(engines):
    output = translate(engines["cipher"], samples.VTT, "vtt")
    for kept in (
        "WEBVTT Kind: captions",
        "STYLE\n::cue { color: yellow }",
        "NOTE a note about NATO stays as written",
        "intro\n00:00:01.000 --> 00:00:03.200 align:start position:10%\n<v Reporter>",
        "00:00:03.300 --> 00:00:06.000\n",
        "&amp;",
    ):
        assert kept in output
    assert "ANGB yrnqref zrg va Ivyavhf" in output and "ba Ghrfqnl &amp; Jrqarfqnl." in output


def _translated(document, targets: list[str]) -> list[TranslatedUnit]:
    """Given translations, projected by proportion (what a real model's alignment falls back to)."""
    return [TranslatedUnit(t, _proportional(len(u.text), len(t))) for u, t in zip(document.units, targets)]


def _proportional(source_length: int, target_length: int):
    return lambda offset, side="right": round(offset * target_length / source_length)


def test_a_longer_translation_is_spread_over_the_same_cues_and_wrapped():
    document = parse(samples.SRT, "srt")
    sentence = (
        "Os líderes da OTAN reuniram-se em Vilnius na terça-feira para discutir longamente a defesa "
        "dos estados bálticos e o futuro da aliança."
    )
    output = document.render(
        _translated(document, [sentence, "A cimeira acabou?", "Ainda não.", "As conversações continuam amanhã."])
    )
    after = cues(output)
    assert len(after) == 5 and [c.start for c in after] == [c.start for c in cues(samples.SRT)]
    first_three = [c.content for c in after[:3]]
    assert " ".join(re.sub(r"</?i>", "", " ".join(first_three)).split()) == sentence
    assert all(re.sub(r"<[^>]+>", "", c).strip() for c in first_three)  # no cue left empty
    assert first_three[2].startswith("<i>") and first_three[2].endswith("</i>")
    for cue in after:
        lines = cue.content.split("\n")
        assert len(lines) <= subtitles.MAX_LINES and all(
            len(re.sub(r"<[^>]+>|\{[^}]*\}", "", line)) <= subtitles.MAX_LINE for line in lines
        ), lines
    assert after[3].content == "- A cimeira acabou?\n- Ainda não."
    assert after[4].content == "{\\an8}As conversações continuam amanhã."


def test_text_that_cannot_fit_two_lines_gets_more_lines_of_at_most_42():
    source = "1\n00:00:01,000 --> 00:00:02,000\nShort.\n"
    document = parse(source, "srt")
    long = "Uma frase muito comprida que não cabe em duas linhas de quarenta e dois caracteres cada uma."
    lines = cues(document.render(_translated(document, [long])))[0].content.split("\n")
    assert len(lines) == 3 and all(len(line) <= 42 for line in lines) and " ".join(lines) == long


def test_a_translation_with_fewer_words_than_cues_fills_with_an_ellipsis():
    source = "1\n00:00:01,000 --> 00:00:02,000\nWell\n\n2\n00:00:02,000 --> 00:00:03,000\nthen.\n"
    document = parse(source, "srt")
    output = document.render(_translated(document, ["Pois."]))
    assert [c.content for c in cues(output)] == ["Pois.", "…"]


# -- hostile and broken files -------------------------------------------------------------


def zip_of(members: dict[str, bytes]) -> str:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return b64(out.getvalue())


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((98 + i,) + (97 + i,) * 10) for i in range(8)
    )
    + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>"
)
DEEP = (
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    + b"<w:sdt>" * 5000
    + b"</w:sdt>" * 5000
    + b"</w:body></w:document>"
)


@pytest.mark.parametrize(
    "fmt, body, message",
    [
        ("docx", "not base64 at all!", "base64"),
        ("docx", b64(b"PK\x03\x04 not really a zip"), "not a DOCX file"),
        ("odt", b64(b"plain text"), "not a ODT file"),
        ("docx", zip_of({"word/styles.xml": b"<x/>"}), "no word/document.xml"),
        ("pptx", zip_of({"ppt/slides/slide1.xml": b"<x/>"}), "no ppt/presentation.xml"),
        ("docx", zip_of({f"m{i}": b"" for i in range(office.MAX_MEMBERS + 1)}), "members"),
        ("docx", zip_of({"word/document.xml": BILLION_LAUGHS}), "document type|entity"),
        ("docx", zip_of({"word/document.xml": DEEP}), "not well-formed"),
        ("docx", zip_of({"word/document.xml": b"<w:document><unclosed>"}), "not well-formed"),
        ("srt", "1\n00:00:01,000 --> nonsense\nHello\n", "SRT"),
        ("srt", "Hello\x00", "NUL"),
        ("vtt", "00:00:01.000 --> 00:00:02.000\nNo header\n", "WEBVTT"),
    ],
)
def test_broken_and_hostile_files_are_document_errors(fmt, body, message):
    with pytest.raises(DocumentError, match=message):
        parse(body, fmt)


@pytest.mark.parametrize("fmt", SAMPLES)
def test_damaged_files_are_document_errors_never_other_exceptions(fmt):
    # Bytes flipped and files cut short, 150 ways each (a fixed seed): parsing and
    # rendering either work or raise DocumentError, at submission time.
    random = __import__("random").Random(26)
    data = SAMPLES[fmt]()
    outcomes = set()
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(random.randint(1, 20)):
            damaged[random.randrange(len(damaged))] = random.randrange(256)
        if random.random() < 0.2:
            damaged = damaged[: random.randrange(len(damaged))]
        try:
            document = parse(b64(bytes(damaged)), fmt)
            document.render(identity(document))
            outcomes.add("read")
        except DocumentError:
            outcomes.add("refused")
    assert "refused" in outcomes


@pytest.mark.parametrize("fmt, source", [("srt", samples.SRT), ("vtt", samples.VTT)])
def test_damaged_subtitles_are_document_errors_never_other_exceptions(fmt, source):
    random = __import__("random").Random(26)
    for _ in range(300):
        text = list(source)
        for _ in range(random.randint(1, 10)):
            text[random.randrange(len(text))] = random.choice(["\n", "-", ">", "<", ":", "0", " ", "&", "\r", "é"])
        try:
            document = parse("".join(text), fmt)
            document.render(
                [TranslatedUnit(u.text + " and more words", lambda o, side="right": o) for u in document.units]
            )
        except DocumentError:
            pass


def test_a_zip_bomb_is_refused_by_its_declared_size_before_inflating():
    data = b"\0" * (office.MAX_UNCOMPRESSED_BYTES + 1)
    bomb = zip_of({"word/document.xml": b"<w:document/>", "word/media/big.bin": data})
    del data
    assert len(bomb) < 200_000
    started = time.monotonic()
    with pytest.raises(DocumentError, match="would unpack to"):
        parse(bomb, "docx")
    assert time.monotonic() - started < 1


def test_a_lying_member_size_never_inflates_past_what_it_declares():
    # A member whose header claims 10 bytes but holds a megabyte: zipfile stops or fails, never grows.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document xmlns:w='x'>" + b" " * 1_000_000 + b"</w:document>")
    raw = bytearray(out.getvalue())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size in the central directory
    with pytest.raises(DocumentError):
        parse(b64(bytes(raw)), "docx")


def test_every_file_format_is_servable_as_itself_and_as_html():
    for name in ("docx", "odt", "pptx", "srt", "vtt"):
        fmt = FORMATS[name]
        assert fmt.whole_file and fmt.servable == (fmt.media_type, "text/html")
    html = FORMATS["docx"].to_html(b64(samples.docx_story()))
    assert "<p>NATO leaders meet in Vilnius</p>" in html and "<p>Summit host</p>" in html
