"""Glossaries and their entries, and the rules a valid glossary follows.

An entry is a source term (plus variant spellings) with a rendering per target
language, or `keep`: the term stays exactly as written in every language
("Jens Stoltenberg"). An entry without a rendering for some language is simply
not applied when translating into that language.

Everything here is plain data and checks: no Redis, no Flask. Limits are passed
in by the caller (`GlossaryLimits`), never read from the environment here.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

from conventions import ID, LANGUAGE_CODE, from_iso, iso
from glossary.grammar import Grammar, grammar_problems

# Entry ids travel in URLs (/entries/<id>) and reports.
ENTRY_ID = ID

_ENTRY_FIELDS = (
    "id",
    "term",
    "variants",
    "translations",
    "keep",
    "case_sensitive",
    "note",
    "grammar",
    "match_inside_names",
)


@dataclass(frozen=True)
class GlossaryLimits:
    max_entries: int = 5000
    max_term_length: int = 200  # also applies to each variant and each rendering
    max_glossaries: int = 1000
    max_import_bytes: int = 1024 * 1024
    max_name_length: int = 200
    max_description_length: int = 2000
    max_note_length: int = 2000


class GlossaryError(ValueError):
    """Invalid glossary input.

    `problems` lists every issue found, not just the first, so an editor can fix
    a whole file at once: [{"field": str, "reason": str, "line": int (imports only)}].
    """

    def __init__(self, problems: list[dict]):
        self.problems = [dict(p) for p in problems]
        for problem in self.problems:
            problem.setdefault("field", "")
        super().__init__("; ".join(_describe(p) for p in self.problems) or "invalid glossary")

    @classmethod
    def single(cls, field_name: str, reason: str, line: int | None = None) -> "GlossaryError":
        problem: dict[str, Any] = {"field": field_name, "reason": reason}
        if line is not None:
            problem["line"] = line
        return cls([problem])


def _describe(problem: dict) -> str:
    where = f"line {problem['line']}: " if problem.get("line") else ""
    return where + (f"{problem['field']}: " if problem.get("field") else "") + problem["reason"]


def new_entry_id() -> str:
    return uuid.uuid4().hex[:12]


def fold(text: str) -> str:
    """Case-fold a spelling for case-insensitive comparison, keeping its length.

    str.casefold() can change the length ("ß" -> "ss"), which would break the
    character offsets matching reports, so each character is lower-cased only
    when that gives exactly one character. Matching and duplicate checks both
    use this, so "duplicate" means exactly "would match the same text".
    """
    return "".join(lowered if len(lowered := ch.lower()) == 1 else ch for ch in text)


@dataclass
class Entry:
    term: str
    variants: list[str] = field(default_factory=list)
    translations: dict[str, str] = field(default_factory=dict)
    keep: bool = False
    case_sensitive: bool = False
    note: str | None = None
    # Per target language: {"gender": "m"|"f", "number": "sg"|"pl", "article": bool}
    # (glossary.grammar), used to make the words around an enforced rendering agree.
    grammar: dict[str, dict] = field(default_factory=dict)
    # Also rewrite the term inside a longer proper name ("BBC Scotland",
    # "non-UK"); by default such a name is left to the model (glossary.matching).
    match_inside_names: bool = False
    # Assigned once when the entry is created and kept across edits, so reports
    # and /entries/<id> URLs stay valid from version to version.
    id: str = field(default_factory=new_entry_id)

    def spellings(self) -> list[str]:
        return [self.term, *self.variants]

    def rendering(self, target_lang: str, matched: str | None = None) -> str | None:
        """What the matched source text becomes in `target_lang`; None: not applied."""
        if self.keep:
            return matched if matched is not None else self.term
        return self.translations.get(target_lang)

    def grammar_for(self, target_lang: str) -> Grammar | None:
        info = self.grammar.get(target_lang)
        return Grammar.from_dict(info) if info else None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "term": self.term,
            "variants": list(self.variants),
            "translations": dict(self.translations),
            "keep": self.keep,
            "case_sensitive": self.case_sensitive,
            "note": self.note,
            "grammar": {lang: dict(info) for lang, info in self.grammar.items()},
            "match_inside_names": self.match_inside_names,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "entry") -> "Entry":
        """Build an entry from its JSON shape, checking types (values are checked by `validate`).

        A missing id gets a new one.
        """
        problems = _shape_problems(data, where)
        if problems:
            raise GlossaryError(problems)
        entry = cls(
            term=data["term"],
            variants=list(data.get("variants") or []),
            translations=dict(data.get("translations") or {}),
            keep=bool(data.get("keep", False)),
            case_sensitive=bool(data.get("case_sensitive", False)),
            note=data.get("note"),
            # Records stored before these fields existed load with the defaults.
            grammar={lang: dict(info) for lang, info in (data.get("grammar") or {}).items()},
            match_inside_names=bool(data.get("match_inside_names", False)),
        )
        if data.get("id") is not None:
            entry.id = data["id"]
        return entry


def _shape_problems(data: Any, where: str) -> list[dict]:
    """Type errors in an entry's JSON shape (wrong types would crash later checks)."""
    if not isinstance(data, dict):
        return [{"field": where, "reason": "an entry must be an object"}]
    problems = []
    for key in data:
        if key not in _ENTRY_FIELDS:
            problems.append({"field": f"{where}.{key}", "reason": "unknown field"})
    if "term" not in data:
        problems.append({"field": f"{where}.term", "reason": "missing"})
    elif not isinstance(data["term"], str):
        problems.append({"field": f"{where}.term", "reason": "must be a string"})
    variants = data.get("variants")
    if variants is not None and not (isinstance(variants, list) and all(isinstance(v, str) for v in variants)):
        problems.append({"field": f"{where}.variants", "reason": "must be a list of strings"})
    translations = data.get("translations")
    if translations is not None and not (
        isinstance(translations, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in translations.items())
    ):
        problems.append(
            {"field": f"{where}.translations", "reason": "must be an object mapping language codes to strings"}
        )
    problems += grammar_problems(data.get("grammar"), f"{where}.grammar")
    for flag in ("keep", "case_sensitive", "match_inside_names"):
        if flag in data and data[flag] is not None and not isinstance(data[flag], bool):
            problems.append({"field": f"{where}.{flag}", "reason": "must be true or false"})
    if data.get("note") is not None and not isinstance(data["note"], str):
        problems.append({"field": f"{where}.note", "reason": "must be a string or null"})
    if data.get("id") is not None and not (isinstance(data["id"], str) and ENTRY_ID.match(data["id"])):
        problems.append({"field": f"{where}.id", "reason": "must be 1-64 letters, digits, '_' or '-'"})
    return problems


@dataclass
class Glossary:
    id: str
    name: str
    source_lang: str
    description: str = ""
    entries: list[Entry] = field(default_factory=list)
    version: int = 1
    created_at: float = 0.0  # Unix time; ISO 8601 in to_dict()
    updated_at: float = 0.0
    # Who made this version: {"key": <API key prefix>, "name": <key name>}; None before access control.
    author: dict | None = None

    @property
    def etag(self) -> str:
        return etag(self.id, self.version)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def rendering(self, entry: Entry, target_lang: str, matched: str | None = None) -> str | None:
        """keep -> the matched source text itself; otherwise the translation, or None (not applied)."""
        return entry.rendering(target_lang, matched)

    def summary(self) -> dict:
        """The list view: everything but the entries."""
        return {
            "id": self.id,
            "name": self.name,
            "source_lang": self.source_lang,
            "description": self.description,
            "version": self.version,
            "entries": len(self.entries),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "author": self.author,
        }

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "source_lang": self.source_lang,
            "description": self.description,
            "version": self.version,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "author": self.author,
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Glossary":
        """Inverse of to_dict() (timestamps may be ISO strings or Unix times)."""
        if not isinstance(data, dict):
            raise GlossaryError.single("glossary", "must be an object")
        entries = data.get("entries") or []
        if not isinstance(entries, list):
            raise GlossaryError.single("entries", "must be a list")
        problems, parsed = [], []
        for index, item in enumerate(entries):
            try:
                parsed.append(Entry.from_dict(item, f"entries[{index}]"))
            except GlossaryError as error:
                problems += error.problems
        if problems:
            raise GlossaryError(problems)
        return cls(
            id=data.get("id", ""),
            name=data.get("name", ""),
            source_lang=data.get("source_lang", ""),
            description=data.get("description") or "",
            entries=parsed,
            version=int(data.get("version", 1)),
            created_at=from_iso(data.get("created_at")),
            updated_at=from_iso(data.get("updated_at")),
            author=data.get("author") if isinstance(data.get("author"), dict) else None,
        )

    def to_record(self) -> dict:
        """The stored form: like to_dict() but with exact (float) timestamps."""
        return {**self.to_dict(), "created_at": self.created_at, "updated_at": self.updated_at}

    from_record = from_dict


def etag(glossary_id: str, version: int) -> str:
    """A strong ETag naming one version of one glossary: "<id>-v<version>"."""
    return f'"{glossary_id}-v{version}"'


def parse_etag(value: str) -> tuple[str, int] | None:
    """(id, version) from an ETag made by `etag`, or None if it is not one."""
    match = re.fullmatch(r'(?:W/)?"?([A-Za-z0-9_-]+)-v(\d+)"?', value.strip())
    return (match.group(1), int(match.group(2))) if match else None


def now() -> float:
    return time.time()


# -- validation -------------------------------------------------------------


def validate(glossary: Glossary, limits: GlossaryLimits) -> None:
    """Raise GlossaryError listing every problem; a valid glossary passes silently."""
    problems: list[dict] = []
    if not isinstance(glossary.name, str) or not glossary.name.strip():
        problems.append({"field": "name", "reason": "empty name"})
    elif len(glossary.name) > limits.max_name_length:
        problems.append({"field": "name", "reason": f"longer than {limits.max_name_length} characters"})
    if not isinstance(glossary.description, str):
        problems.append({"field": "description", "reason": "must be a string"})
    elif len(glossary.description) > limits.max_description_length:
        problems.append({"field": "description", "reason": f"longer than {limits.max_description_length} characters"})
    if not isinstance(glossary.source_lang, str) or not LANGUAGE_CODE.match(glossary.source_lang):
        problems.append(
            {"field": "source_lang", "reason": f"{glossary.source_lang!r} is not a language code (ISO 639, e.g. 'en')"}
        )
    problems += validate_entries(glossary.entries, limits)
    if problems:
        raise GlossaryError(problems)


def validate_entries(entries: list[Entry], limits: GlossaryLimits, where: str = "entries") -> list[dict]:
    """Every problem of a list of entries (each on its own, and duplicates between them)."""
    problems: list[dict] = []
    if len(entries) > limits.max_entries:
        problems.append({"field": where, "reason": f"{len(entries)} entries; the limit is {limits.max_entries}"})
    ids: dict[str, int] = {}
    for index, entry in enumerate(entries):
        problems += entry_problems(entry, f"{where}[{index}]", limits)
        if entry.id in ids:
            problems.append(
                {
                    "field": f"{where}[{index}].id",
                    "reason": f"duplicate entry id {entry.id!r} (also {where}[{ids[entry.id]}])",
                }
            )
        ids.setdefault(entry.id, index)
    problems += duplicate_problems(entries, where)
    return problems


def duplicate_problems(entries: list[Entry], where: str = "entries") -> list[dict]:
    """Spellings that would match the same text twice.

    Case-insensitive unless both spellings are case-sensitive: "NATO" (case-
    sensitive) and "Nato" (case-sensitive) never match the same text, but
    "NATO" and "nato" (either one case-insensitive) do.
    """
    problems = []
    seen: dict[str, list[tuple[int, str, bool, str]]] = {}
    for index, entry in enumerate(entries):
        for position, spelling in enumerate(entry.spellings()):
            if not isinstance(spelling, str) or not spelling.strip():
                continue  # reported as empty elsewhere
            label = "term" if position == 0 else f"variants[{position - 1}]"
            for other_index, other, other_cs, other_label in seen.get(fold(spelling), []):
                if entry.case_sensitive and other_cs and other != spelling:
                    continue
                also = (
                    "the term"
                    if other_index == index and other_label == "term"
                    else (other_label if other_index == index else f"{where}[{other_index}].{other_label}")
                )
                problems.append(
                    {"field": f"{where}[{index}].{label}", "reason": f"duplicate term {spelling!r} (same as {also})"}
                )
                break
            seen.setdefault(fold(spelling), []).append((index, spelling, entry.case_sensitive, label))
    return problems


def entry_problems(entry: Entry, where: str, limits: GlossaryLimits) -> list[dict]:
    """The problems of one entry on its own."""
    problems = []
    if not isinstance(entry.id, str) or not ENTRY_ID.match(entry.id):
        problems.append({"field": f"{where}.id", "reason": "must be 1-64 letters, digits, '_' or '-'"})
    labelled = [("term", entry.term)] + [(f"variants[{i}]", v) for i, v in enumerate(entry.variants)]
    for label, spelling in labelled:
        reason = _text_problem(spelling, limits.max_term_length, "term")
        if reason:
            problems.append({"field": f"{where}.{label}", "reason": reason})
    for lang, rendering in entry.translations.items():
        if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang):
            problems.append(
                {"field": f"{where}.translations", "reason": f"{lang!r} is not a language code (ISO 639, e.g. 'de')"}
            )
            continue
        reason = _text_problem(rendering, limits.max_term_length, "rendering")
        if reason:
            problems.append({"field": f"{where}.translations.{lang}", "reason": reason})
    if entry.keep and entry.translations:
        problems.append({"field": where, "reason": "an entry is either keep or has translations, not both"})
    if not entry.keep and not entry.translations:
        problems.append({"field": where, "reason": "needs translations or keep: true"})
    problems += grammar_problems(entry.grammar, f"{where}.grammar")
    for lang in entry.grammar if isinstance(entry.grammar, dict) else ():
        if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang):
            problems.append(
                {"field": f"{where}.grammar", "reason": f"{lang!r} is not a language code (ISO 639, e.g. 'pt')"}
            )
    if entry.note is not None and (not isinstance(entry.note, str) or len(entry.note) > limits.max_note_length):
        problems.append(
            {"field": f"{where}.note", "reason": f"must be text of at most {limits.max_note_length} characters"}
        )
    return problems


def _text_problem(text: Any, max_length: int, what: str) -> str | None:
    if not isinstance(text, str):
        return "must be a string"
    if not text.strip():
        return f"empty {what}"
    if len(text) > max_length:
        return f"{what} longer than {max_length} characters"
    if text != text.strip():
        return f"{what} has leading or trailing whitespace"
    # Tabs and line breaks would break TSV/CSV round trips and sentence splitting;
    # a glossary term is a phrase on one line.
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
        return f"{what} contains a control character or line break"
    return None


def entries_from_input(items: Any, where: str = "entries", keep_ids: bool = True) -> list[Entry]:
    """Entries from request JSON; type errors of all entries at once."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise GlossaryError.single(where, "must be a list")
    problems, entries = [], []
    for index, item in enumerate(items):
        try:
            data = item if keep_ids or not isinstance(item, dict) else {k: v for k, v in item.items() if k != "id"}
            entries.append(Entry.from_dict(data, f"{where}[{index}]"))
        except GlossaryError as error:
            problems += error.problems
    if problems:
        raise GlossaryError(problems)
    return entries


def check_input_fields(data: Any, allowed: Iterable[str], required: Iterable[str] = ()) -> dict:
    """The request object itself: an object, known keys, required keys present."""
    if not isinstance(data, dict):
        raise GlossaryError.single("glossary", "must be an object")
    allowed = set(allowed)
    problems = [{"field": key, "reason": "unknown field"} for key in data if key not in allowed]
    problems += [{"field": key, "reason": "missing"} for key in required if key not in data]
    for key in ("name", "source_lang", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append({"field": key, "reason": "must be a string"})
    if problems:
        raise GlossaryError(problems)
    return data
