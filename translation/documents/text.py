"""Plain text: one unit per non-blank line; blank lines and indentation survive."""

from __future__ import annotations

from translation.documents.units import TranslatedUnit, Unit


class TextDocument:
    def __init__(self, source: str):
        self._lines = source.split("\n")
        self.units = [Unit(line) for line in self._lines if line.strip()]

    def render(self, translated: list[TranslatedUnit]) -> str:
        outputs = iter(translated)
        return "\n".join(next(outputs).text if line.strip() else line for line in self._lines)
