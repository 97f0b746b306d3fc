"""Office packages (DOCX, PPTX, ODT): what the three share.

Each is a zip archive of XML parts. A job carries the file as base64 text in
`article.body` (the job store, the pipeline and the result hold text), so a
parser here takes base64 and `render` gives base64 back.

- Opening is bounded before anything is decompressed: at most
  `MAX_MEMBERS` members and `MAX_UNCOMPRESSED_BYTES` in all, as the archive
  declares them (zipfile never inflates a member past its declared size), and
  each XML part read is at most `MAX_XML_PART_BYTES`. Encrypted members are
  refused, and every member is inflated once and its checksum checked, so a
  damaged file is refused when it is submitted.
- XML is parsed by lxml without loading DTDs, expanding entities or network
  access, within libxml2's default limits (depth, text node size), and a part
  with a document type declaration is refused (no office part has one: it is
  only there to declare entities).
- A paragraph is read as "slots": the text nodes that hold its characters, in
  reading order, each with the formatting it carries (a run's properties, a
  link). Line breaks and tabs end a unit, as `<br>` does in HTML. The unit is
  the slots' text joined; the start of each slot is a boundary that
  `MarkedUnit.positions` projects into the translation, and the translation is
  cut there, each slot receiving its piece. Runs, links, fields, footnote
  references, drawings and every other element stay where they are; only the
  text of translated slots changes. Field results (page numbers, dates) are
  protected: kept as written.
- Parts with nothing translated are copied as they were; the others are
  written back in the archive's order, with the same names and compression.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Hashable, Iterable

from lxml import etree

from translation.documents.units import DocumentError, MarkedUnit, TranslatedUnit, Unit

MAX_MEMBERS = 2000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_XML_PART_BYTES = 16 * 1024 * 1024
# What a damaged or unusual archive raises while it is read.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def decode_base64(source: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(source.split()), validate=True)
    except (binascii.Error, ValueError):
        raise DocumentError(f"a {what} body is the file in base64; this is not base64")


class Package:
    """A zip archive read within limits; XML parts parsed safely."""

    def __init__(self, data: bytes, what: str):
        self.what = what
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._infos = self._zip.infolist()
        except _ZIP_ERRORS as error:
            raise DocumentError(f"not a {what} file: {error}")
        if len(self._infos) > MAX_MEMBERS:
            raise DocumentError(f"the {what} package has {len(self._infos)} members; at most {MAX_MEMBERS} are read")
        total = sum(info.file_size for info in self._infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise DocumentError(
                f"the {what} package would unpack to {total} bytes; at most {MAX_UNCOMPRESSED_BYTES} are read"
            )
        if any(info.flag_bits & 0x1 for info in self._infos):
            raise DocumentError(f"the {what} package is encrypted")
        self.names = [info.filename for info in self._infos]
        if len(set(self.names)) != len(self.names):
            raise DocumentError(f"the {what} package names a member twice")
        self._check_members()

    def _check_members(self) -> None:
        """Every member inflates to its declared size with its checksum (within
        the limits above), so a damaged file is refused now, not when the
        translation is written back."""
        for info in self._infos:
            try:
                with self._zip.open(info) as member:
                    while member.read(1 << 20):
                        pass
            except _ZIP_ERRORS as error:
                raise DocumentError(f"{info.filename} in the {self.what} package cannot be read: {error}")

    def read(self, name: str, limit: int | None = None) -> bytes:
        info = self._zip.getinfo(name)
        if limit is not None and info.file_size > limit:
            raise DocumentError(
                f"{name} in the {self.what} package is {info.file_size} bytes; at most {limit} are read"
            )
        try:
            return self._zip.read(info)
        except _ZIP_ERRORS as error:
            raise DocumentError(f"{name} in the {self.what} package cannot be read: {error}")

    def xml(self, name: str) -> etree._Element:
        raw = self.read(name, MAX_XML_PART_BYTES)
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as error:
            raise DocumentError(f"{name} in the {self.what} package is not well-formed XML: {error}")
        # Entities are never expanded (resolve_entities=False); a declaration is
        # refused all the same: no office part has one.
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise DocumentError(f"{name} in the {self.what} package declares a document type; office parts never do")
        return root

    def write(self, replaced: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in self._infos:
                data = replaced.get(info.filename)
                target.writestr(info, data if data is not None else self.read(info.filename))
        return out.getvalue()


@dataclass
class Slot:
    """A text node of a paragraph: an element's .text or .tail."""

    node: etree._Element
    attribute: str  # "text" or "tail"
    style: Hashable  # the formatting it carries (what makes it a run of its own)
    protected: bool = False
    original: str = ""

    def __post_init__(self):
        self.original = self.get()

    def get(self) -> str:
        return getattr(self.node, self.attribute) or ""

    def set(self, text: str) -> None:
        setattr(self.node, self.attribute, text)


@dataclass
class SlotUnit:
    """One unit made of slots: its text, and the slot boundaries as markup."""

    slots: list[Slot]
    unit: Unit = field(init=False)
    marked: MarkedUnit = field(init=False)

    def __post_init__(self):
        text, protected, markup, starts = "", [], [], []
        for index, slot in enumerate(self.slots):
            starts.append(len(text))
            if index:
                markup.append((len(text), index))
            if slot.protected:
                protected.append((len(text), len(text) + len(slot.original)))
            text += slot.original
        self.unit = Unit(text, protected, _styled_ranges(self.slots, starts, len(text)))
        # The markup here is the slot index each run starts at, not a string: only its offsets are read back.
        self.marked = MarkedUnit(self.unit, markup)  # type: ignore[arg-type]

    def write(self, translated: TranslatedUnit) -> None:
        text = translated.text
        cuts = [0, *self.marked.positions(translated), len(text)]
        pieces = [text[a:b] for a, b in zip(cuts, cuts[1:])]
        for index, slot in enumerate(self.slots):
            if not slot.protected:
                continue
            # A field result keeps its text; whatever else landed in its piece
            # goes to the slot before it (or after, for the first).
            piece, pieces[index] = pieces[index], slot.original
            rest = piece.replace(slot.original, "", 1) if slot.original in piece else piece
            if rest.strip():
                neighbour = next(
                    (
                        i
                        for i in [*range(index - 1, -1, -1), *range(index + 1, len(self.slots))]
                        if not self.slots[i].protected
                    ),
                    None,
                )
                if neighbour is not None:
                    pieces[neighbour] = pieces[neighbour] + rest if neighbour < index else rest + pieces[neighbour]
        for slot, piece in zip(self.slots, pieces):
            slot.set(piece)


def _styled_ranges(slots: list[Slot], starts: list[int], length: int) -> list[tuple[int, int]]:
    """Ranges of text formatted unlike most of the unit (bold, a link): phrases
    to locate in the translation."""
    weight: Counter = Counter()
    ends = starts[1:] + [length]
    for slot, start, end in zip(slots, starts, ends):
        weight[slot.style] += end - start
    if len(weight) < 2:
        return []
    usual = weight.most_common(1)[0][0]
    ranges: list[tuple[int, int]] = []
    previous = None  # the style of the last range
    for slot, start, end in zip(slots, starts, ends):
        if slot.style == usual or start == end:
            continue
        if ranges and ranges[-1][1] == start and previous == slot.style:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
        previous = slot.style
    return ranges


def has_words(unit: Unit) -> bool:
    return any(c.isalnum() for i, c in enumerate(unit.text) if not any(s <= i < e for s, e in unit.protected))


class OfficeDocument:
    """A package whose story parts are read into slot units by `lines(root)`:
    subclasses name the parts and read a paragraph's slots."""

    WHAT = "office"
    MAIN = ""  # the member every file of the format has
    PARAGRAPHS: tuple[str, ...] = ()

    def __init__(self, source: str):
        self._package = Package(decode_base64(source, self.WHAT), self.WHAT)
        self._roots: dict[str, etree._Element] = {}
        self._slot_units: list[SlotUnit] = []
        self._unit_parts: list[str] = []
        if self.MAIN not in self._package.names:
            raise DocumentError(f"not a {self.WHAT} file: it has no {self.MAIN}")
        parts = [name for name in self._package.names if self.is_story(name)]
        for name in parts:
            root = self._package.xml(name)
            self._roots[name] = root
            for paragraph in root.iter(*self.PARAGRAPHS):
                for slots in self.lines(paragraph):
                    if not slots:
                        continue
                    unit = SlotUnit(slots)
                    if has_words(unit.unit):
                        self._slot_units.append(unit)
                        self._unit_parts.append(name)
        self.units = [u.unit for u in self._slot_units]

    def is_story(self, name: str) -> bool:
        raise NotImplementedError

    def lines(self, paragraph: etree._Element) -> Iterable[list[Slot]]:
        raise NotImplementedError

    def render(self, translated: list[TranslatedUnit]) -> str:
        touched = set()
        for unit, part, translation in zip(self._slot_units, self._unit_parts, translated):
            unit.write(translation)
            touched.add(part)
        replaced = {
            name: etree.tostring(self._roots[name], xml_declaration=True, encoding="UTF-8", standalone=True)
            for name in touched
        }
        return base64.b64encode(self._package.write(replaced)).decode("ascii")


def local(element) -> str:
    """An element's name without its namespace ("" for comments and processing instructions)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def namespace(element) -> str:
    return etree.QName(element).namespace or "" if isinstance(element.tag, str) else ""
