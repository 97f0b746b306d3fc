"""The NTREX-128 development half (en → pt, lines 1–988, documents 1–62) as
the quality harness reads it: documents (the first line of each is its
headline), the two human references, the newsroom glossary written for it,
and the headlines in sentence case and Title Case.

data/ntrex/                 the vendored lines (README and licence there)
data/ntrex-glossary.json    the newsroom glossary, in the API's glossary format,
                            each entry with `grammar.pt`: the rendering's gender,
                            number and whether it takes the definite article
data/ntrex-headlines.json   the sentence-case wording of the headlines NTREX
                            writes in Title Case (by hand: which words are names)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from glossary.entries import Glossary, GlossaryError

DATA = Path(__file__).resolve().parent / "data"
NTREX = DATA / "ntrex"
LINES = 988  # the development half; the rest of NTREX is held out and never read here
REFERENCES = {"por-BR": "newstest2019-ref.por-BR.txt", "por": "newstest2019-ref.por.txt"}


@dataclass(frozen=True)
class Document:
    id: str
    first: int  # index of its first line (the headline) in the corpus
    lines: list[str]  # headline, then one paragraph per line

    @property
    def headline(self) -> str:
        return self.lines[0]

    @property
    def body(self) -> str:
        return "\n".join(self.lines[1:])


@dataclass(frozen=True)
class Grammar:
    """How a Portuguese rendering behaves in running text: "os EUA" is m/pl with
    the article, "a UE" f/sg with it, "Londres" and people take none."""

    gender: str  # m | f
    number: str  # sg | pl
    article: bool


def _read(name: str) -> list[str]:
    lines = (NTREX / name).read_text(encoding="utf-8").split("\n")[:LINES]
    if len(lines) != LINES:
        raise ValueError(f"{NTREX / name}: {len(lines)} lines, expected {LINES}")
    return lines


def source() -> list[str]:
    return _read("newstest2019-src.eng.txt")


def reference(variant: str = "por-BR") -> list[str]:
    return _read(REFERENCES[variant])


def documents() -> list[Document]:
    lines, ids = source(), [line.strip() for line in _read("DOCUMENT_IDS.tsv")]
    docs: list[Document] = []
    for index, (doc_id, line) in enumerate(zip(ids, lines)):
        if not docs or docs[-1].id != doc_id:
            docs.append(Document(doc_id, index, []))
        docs[-1].lines.append(line)
    return docs


def glossary() -> tuple[Glossary, dict[str, Grammar]]:
    """The newsroom glossary and, per Portuguese rendering, its grammar.

    The entries' `grammar` field is loaded with them where the Entry class
    knows it; where it does not (yet), it is taken off before loading so the
    same file serves both."""
    data = json.loads((DATA / "ntrex-glossary.json").read_text(encoding="utf-8"))
    grammar: dict[str, Grammar] = {}
    for item in data["entries"]:
        pt = (item.get("grammar") or {}).get("pt")
        if pt:
            rendering = item["term"] if item.get("keep") else item["translations"]["pt"]
            grammar[rendering] = Grammar(pt["gender"], pt["number"], pt["article"])
    try:
        loaded = Glossary.from_dict(data)
    except GlossaryError:
        stripped = {**data, "entries": [{k: v for k, v in e.items() if k != "grammar"} for e in data["entries"]]}
        loaded = Glossary.from_dict(stripped)
    return loaded, grammar


# -- headlines in both cases ------------------------------------------------------------------

# AP style: these stay lower case inside a Title Case headline.
_SMALL = {
    "a",
    "an",
    "the",
    "and",
    "but",
    "or",
    "nor",
    "for",
    "so",
    "yet",
    "as",
    "at",
    "by",
    "in",
    "of",
    "off",
    "on",
    "per",
    "to",
    "up",
    "via",
    "vs",
    "vs.",
}
# A word starts after no letter or digit, nor after a letter and an apostrophe ("Sainsbury's").
_WORD = re.compile(r"(?<!\w)(?<!\w['’])[^\W\d_][\w'’.-]*")


def title_case(headline: str) -> str:
    """The headline as a Title Case desk would set it: every word capitalised
    but short function words not at the start (AP); names stay as written."""

    def cap(match: re.Match) -> str:
        word = match.group()
        if match.start() > 0 and word.casefold() in _SMALL:
            return word
        return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))

    return _WORD.sub(cap, headline)


@dataclass(frozen=True)
class Headline:
    line: int  # index in the corpus
    sentence_case: str
    title_case: str
    written_in_title_case: bool  # NTREX's own headline is the Title Case one


def headlines() -> list[Headline]:
    """Every document's headline in sentence case (NTREX's own wording, or the
    hand-written sentence case of the ones NTREX sets in Title Case) and in
    Title Case (derived)."""
    by_hand = {
        int(k): v
        for k, v in json.loads((DATA / "ntrex-headlines.json").read_text(encoding="utf-8"))["sentence_case"].items()
    }
    out = []
    lines = source()
    for doc in documents():
        number = doc.first + 1  # 1-based, as in the file and the JSON
        sentence = by_hand.get(number, lines[doc.first])
        out.append(Headline(doc.first, sentence, title_case(sentence), number in by_hand))
    return out


# -- what the checks' measurement reads (quality/checks_eval.py, quality/checks_calibrate.py) --------

DESCRIPTION = "NTREX-128 newstest2019 en -> por-BR, lines 1-988 (documents 1-62)"


def sources() -> list[str]:
    return source()


def references() -> list[str]:
    return reference("por-BR")


def pairs() -> list[tuple[str, str]]:
    return list(zip(source(), reference("por-BR")))
