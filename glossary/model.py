"""Glossaries and their entries, and the rules a valid glossary follows.

An entry is a source term (plus variant spellings) with a rendering per target
language, or `keep`: the term stays as written in every language.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class GlossaryLimits:
    max_entries: int = 5000
    max_term_length: int = 200
    max_glossaries: int = 1000
    max_import_bytes: int = 1024 * 1024


class GlossaryError(ValueError):
    """Invalid glossary input; `problems` lists every issue found: [{field, reason, line?}]."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("; ".join(p["reason"] for p in problems))


@dataclass
class Entry:
    term: str
    variants: list[str] = field(default_factory=list)
    translations: dict[str, str] = field(default_factory=dict)
    keep: bool = False
    case_sensitive: bool = False
    note: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def spellings(self) -> list[str]:
        return [self.term, *self.variants]

    def rendering(self, target_lang: str, matched: str) -> str | None:
        """What the matched source text becomes in the target language; None: not applied."""
        return matched if self.keep else self.translations.get(target_lang)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Entry":
        known = {k: data[k] for k in ("term", "variants", "translations", "keep", "case_sensitive", "note", "id")
                 if k in data and data[k] is not None}
        known.setdefault("id", uuid.uuid4().hex[:12])
        return cls(**known)


@dataclass
class Glossary:
    id: str
    name: str
    source_lang: str
    description: str = ""
    entries: list[Entry] = field(default_factory=list)
    version: int = 1
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def etag(self) -> str:
        return f'"{self.id}-v{self.version}"'

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def summary(self) -> dict:
        return {"id": self.id, "name": self.name, "source_lang": self.source_lang, "version": self.version,
                "entries": len(self.entries), "updated_at": _iso(self.updated_at)}

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "source_lang": self.source_lang, "description": self.description,
            "version": self.version, "created_at": _iso(self.created_at), "updated_at": _iso(self.updated_at),
            "entries": [e.to_dict() for e in self.entries],
        }

    def to_record(self) -> dict:
        """The stored form (timestamps as numbers)."""
        return {**self.to_dict(), "created_at": self.created_at, "updated_at": self.updated_at}

    @classmethod
    def from_record(cls, data: dict) -> "Glossary":
        return cls(data["id"], data["name"], data["source_lang"], data.get("description", ""),
                   [Entry.from_dict(e) for e in data.get("entries", [])], data.get("version", 1),
                   data.get("created_at", 0.0), data.get("updated_at", 0.0))


def _iso(ts: float) -> str | None:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else None


def validate(glossary: Glossary, limits: GlossaryLimits) -> None:
    """Raise GlossaryError listing every problem; a valid glossary passes silently."""
    problems: list[dict] = []
    if not LANGUAGE_CODE.match(glossary.source_lang or ""):
        problems.append({"field": "source_lang", "reason": f"{glossary.source_lang!r} is not a language code"})
    if len(glossary.entries) > limits.max_entries:
        problems.append({"field": "entries",
                         "reason": f"{len(glossary.entries)} entries; the limit is {limits.max_entries}"})
    seen: dict[str, list[tuple[int, str, bool]]] = {}
    for index, entry in enumerate(glossary.entries):
        problems.extend(_entry_problems(entry, f"entries[{index}]", limits))
        for spelling in entry.spellings():
            # Spellings clash when one would match the other's text; two
            # case-sensitive entries differing in case ("NATO", "Nato") do not.
            key = spelling.strip().casefold()
            clash = next((i for i, other, other_cs in seen.get(key, [])
                          if not (entry.case_sensitive and other_cs and other != spelling)), None)
            if clash is not None:
                problems.append({"field": f"entries[{index}].term",
                                 "reason": f"duplicate term {spelling!r} (also in entries[{clash}])"})
            seen.setdefault(key, []).append((index, spelling, entry.case_sensitive))
    if problems:
        raise GlossaryError(problems)


def _entry_problems(entry: Entry, where: str, limits: GlossaryLimits) -> list[dict]:
    problems = []
    for label, spelling in [("term", entry.term)] + [(f"variants[{i}]", v) for i, v in enumerate(entry.variants)]:
        if not isinstance(spelling, str) or not spelling.strip():
            problems.append({"field": f"{where}.{label}", "reason": "empty term"})
        elif len(spelling) > limits.max_term_length:
            problems.append({"field": f"{where}.{label}",
                             "reason": f"term longer than {limits.max_term_length} characters"})
        elif spelling != spelling.strip():
            problems.append({"field": f"{where}.{label}", "reason": "term has leading or trailing whitespace"})
    for lang, rendering in entry.translations.items():
        if not LANGUAGE_CODE.match(lang):
            problems.append({"field": f"{where}.translations", "reason": f"{lang!r} is not a language code"})
        if not isinstance(rendering, str) or not rendering.strip():
            problems.append({"field": f"{where}.translations.{lang}", "reason": "empty rendering"})
    if entry.keep and entry.translations:
        problems.append({"field": where, "reason": "an entry is either keep or has translations, not both"})
    if not entry.keep and not entry.translations:
        problems.append({"field": where, "reason": "an entry needs translations or keep: true"})
    return problems
