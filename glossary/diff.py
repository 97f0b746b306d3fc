"""What changed between two versions of a glossary, and how to re-apply an
edit on top of someone else's.

Entries are compared field by field, with each language's rendering as a
field of its own ("translations.de"), so "A changed the German rendering, B
the French one" is two separate changes that merge without a conflict.

Plain data, no Redis or Flask: the console shows these diffs, and a test can
call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from glossary.entries import Entry, Glossary, fold

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# The fields an editor sees, in the order a diff lists them.
_SCALAR_FIELDS = ("term", "variants", "keep", "case_sensitive", "match_inside_names", "note")


def entry_fields(entry: Entry) -> dict[str, Any]:
    """An entry as flat fields: term, variants, keep, case_sensitive, match_inside_names, note,
    translations.<lang>, grammar.<lang> (a tuple of (name, value) pairs: a field a merge compares whole)."""
    fields: dict[str, Any] = {
        "term": entry.term,
        "variants": tuple(entry.variants),
        "keep": entry.keep,
        "case_sensitive": entry.case_sensitive,
        "match_inside_names": entry.match_inside_names,
        "note": entry.note or None,
    }
    for lang, rendering in sorted(entry.translations.items()):
        fields[f"translations.{lang}"] = rendering
    for lang, info in sorted(entry.grammar.items()):
        if info:
            fields[f"grammar.{lang}"] = tuple(sorted(info.items()))
    return fields


def entry_from_fields(fields: dict[str, Any], entry_id: str) -> Entry:
    """Inverse of `entry_fields` (a missing translations.<lang> means no rendering)."""
    return Entry(
        term=fields.get("term") or "",
        variants=list(fields.get("variants") or ()),
        translations={
            name.split(".", 1)[1]: value
            for name, value in sorted(fields.items())
            if name.startswith("translations.") and value is not None
        },
        keep=bool(fields.get("keep")),
        case_sensitive=bool(fields.get("case_sensitive")),
        note=fields.get("note") or None,
        grammar={
            name.split(".", 1)[1]: dict(value)
            for name, value in sorted(fields.items())
            if name.startswith("grammar.") and value
        },
        match_inside_names=bool(fields.get("match_inside_names")),
        id=entry_id,
    )


def _field_order(name: str) -> tuple[int, str]:
    return (_SCALAR_FIELDS.index(name), "") if name in _SCALAR_FIELDS else (len(_SCALAR_FIELDS), name)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any  # None: the field was absent (no rendering for that language)
    after: Any


def field_changes(before: Entry | None, after: Entry | None) -> list[FieldChange]:
    """Every field whose value differs, in display order. For an entry added
    or removed, only the fields it has (no empty variants, no flags that are off)."""
    old = entry_fields(before) if before else {}
    new = entry_fields(after) if after else {}
    names = sorted(set(old) | set(new), key=_field_order)
    changes = [FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]
    if before is None or after is None:
        changes = [c for c in changes if c.before or c.after]
    return changes


@dataclass
class EntryChange:
    kind: str  # ADDED, REMOVED or CHANGED
    entry_id: str
    term: str  # the term after the change (before it, for a removal)
    before: Entry | None
    after: Entry | None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class GlossaryDiff:
    from_version: int
    to_version: int
    properties: list[FieldChange]  # name, description, source_lang
    entries: list[EntryChange]

    @property
    def empty(self) -> bool:
        return not self.properties and not self.entries

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for c in self.entries if c.kind == kind) for kind in (ADDED, CHANGED, REMOVED)}


def diff_glossaries(old: Glossary, new: Glossary) -> GlossaryDiff:
    """Changes from `old` to `new`, entries matched by id.

    A replacing import gives every entry a new id; an entry removed and one
    added with the same term (case-folded) are therefore shown as one change
    of that entry, which is what an editor would call it.
    """
    properties = [
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in ("name", "description", "source_lang")
        if getattr(old, name) != getattr(new, name)
    ]
    old_by_id = {e.id: e for e in old.entries}
    new_ids = {e.id for e in new.entries}
    removed = {e.id: e for e in old.entries if e.id not in new_ids}
    removed_by_term = {fold(e.term): e for e in removed.values()}
    changes: list[EntryChange] = []
    for entry in new.entries:
        before = old_by_id.get(entry.id)
        if before is None:
            before = removed_by_term.pop(fold(entry.term), None)
            if before is not None:
                del removed[before.id]
        if before is None:
            changes.append(EntryChange(ADDED, entry.id, entry.term, None, entry, field_changes(None, entry)))
            continue
        fields = field_changes(before, entry)
        if fields:
            changes.append(EntryChange(CHANGED, entry.id, entry.term, before, entry, fields))
    for entry in removed.values():
        changes.append(EntryChange(REMOVED, entry.id, entry.term, entry, None, field_changes(entry, None)))
    return GlossaryDiff(old.version, new.version, properties, changes)


@dataclass(frozen=True)
class FieldConflict:
    """Both sides changed `field` from `base`, differently; the merge took `mine`."""

    field: str
    base: Any
    theirs: Any
    mine: Any


@dataclass
class EntryMerge:
    entry: Entry
    conflicts: list[FieldConflict]
    theirs_changed: list[FieldChange]  # what the other editor changed in this entry
    deleted_by_them: bool = False


def merge_entry(base: Entry, theirs: Entry | None, mine: Entry) -> EntryMerge:
    """Three-way merge of one entry, field by field.

    `base` is the entry as the editor read it, `theirs` as it is now (None if
    someone deleted it), `mine` as the editor submitted it. A field changed
    on one side only takes that side's value; a field changed on both sides
    to different values is a conflict, and the merge keeps the editor's
    value (they are looking at it) while reporting the other one.
    """
    if theirs is None:
        return EntryMerge(Entry.from_dict(mine.to_dict()), [], [], deleted_by_them=True)
    b, t, m = entry_fields(base), entry_fields(theirs), entry_fields(mine)
    merged: dict[str, Any] = {}
    conflicts = []
    for name in sorted(set(b) | set(t) | set(m), key=_field_order):
        bv, tv, mv = b.get(name), t.get(name), m.get(name)
        if mv == bv:
            merged[name] = tv
        elif tv == bv or tv == mv:
            merged[name] = mv
        else:
            merged[name] = mv
            conflicts.append(FieldConflict(name, bv, tv, mv))
    return EntryMerge(entry_from_fields(merged, theirs.id), conflicts, field_changes(base, theirs))
