"""The vendored development half of NTREX-128 en→pt-BR (data/ntrex/README.md):
lines 1-988, documents 1-62. Nothing reads further; the held-out half is not here."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "ntrex"
LINES = 988
DESCRIPTION = "NTREX-128 newstest2019 en -> por-BR, lines 1-988 (documents 1-62)"


def _lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").split("\n")[:LINES]
    assert len(lines) == LINES, f"{name}: {len(lines)} lines, expected {LINES}"
    return lines


def sources() -> list[str]:
    return _lines("newstest2019-src.eng.txt")


def references() -> list[str]:
    return _lines("newstest2019-ref.por-BR.txt")


def documents() -> list[str]:
    return _lines("DOCUMENT_IDS.tsv")


def pairs() -> list[tuple[str, str]]:
    return list(zip(sources(), references()))
