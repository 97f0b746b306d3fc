"""DeepL's multilingual glossaries (/v3/glossaries) on this service's glossary store.

A DeepL v3 glossary is a name and a set of *dictionaries*, one per language
pair, each a list of source term → target term. One of our glossaries has a
single source language and renderings for any number of targets, so it is a
v3 glossary whose dictionaries are (its source, each target it has renderings
for), under the same id: a glossary edited in the console, through /v1 or
through /v2 shows the same entries here, and the other way round.

What cannot be mapped is refused with DeepL's 400, never silently dropped:
dictionaries of one glossary with different source languages, and a new
rendering for a term the glossary keeps unchanged in every language.

Everything here is plain data (no Flask, no Redis): the views in
`service/deepl_v3.py` read and write the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from compat import codes
from compat.deepl import DeepLError, _Lenient, csv_entries
from conventions import iso
from glossary.entries import Entry, Glossary, GlossaryError, fold


class DictionaryParams(_Lenient):
    source_lang = fields.String(required=True)
    target_lang = fields.String(required=True)
    entries = fields.String(required=True)
    entries_format = fields.String(load_default="tsv", validate=validate.OneOf(("tsv", "csv")))


class CreateParams(_Lenient):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    dictionaries = fields.List(fields.Nested(DictionaryParams), required=True, validate=validate.Length(min=1))


class UpdateParams(_Lenient):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    dictionaries = fields.List(fields.Nested(DictionaryParams), load_default=list)


@dataclass(frozen=True)
class Dictionary:
    """One language pair's entries as the client sent them, in our codes."""

    source: str
    target: str
    tsv: str  # "term\trendering" lines


def dictionary(params: dict) -> Dictionary:
    source, target = codes.from_deepl(params["source_lang"]), codes.from_deepl(params["target_lang"])
    if not source or not target:
        raise DeepLError("Parameters 'source_lang' and 'target_lang' must be specified.")
    if source == target:
        raise DeepLError("Source and target language are equal.")
    tsv = params["entries"]
    if params["entries_format"] == "csv":
        tsv = csv_entries(tsv, source, target)
    return Dictionary(source, target, tsv)


def one_source(dictionaries: list[Dictionary], glossary_source: str | None = None) -> str:
    """The single source language of these dictionaries (and of the glossary they go into)."""
    sources = {d.source for d in dictionaries} | ({glossary_source} if glossary_source else set())
    if len(sources) != 1:
        raise DeepLError(
            "Dictionaries of one glossary must share one source language here "
            f"(found {', '.join(sorted(sources))}); make one glossary per source language."
        )
    return sources.pop()


def targets(glossary: Glossary) -> list[str]:
    """The target languages with a dictionary: those some entry has a rendering for."""
    return sorted({lang for entry in glossary.entries for lang in entry.translations})


def dictionary_pairs(glossary: Glossary, target: str) -> list[tuple[str, str]]:
    """(source term, target term) of one dictionary: every spelling of every entry rendered in `target`."""
    pairs = []
    for entry in glossary.entries:
        rendering = entry.rendering(target)
        if rendering is None:
            continue
        pairs += [(spelling, spelling if entry.keep else rendering) for spelling in entry.spellings()]
    return pairs


def dictionary_info(glossary: Glossary, target: str) -> dict:
    return {
        "source_lang": glossary.source_lang,
        "target_lang": target,
        "entry_count": len(dictionary_pairs(glossary, target)),
    }


def glossary_info(glossary: Glossary) -> dict:
    return {
        "glossary_id": glossary.id,
        "name": glossary.name,
        # The client parses "%Y-%m-%dT%H:%M:%S.%f%z": fractional seconds and a zone, always.
        "creation_time": iso(glossary.created_at or 1e-3),
        "dictionaries": [dictionary_info(glossary, target) for target in targets(glossary)],
    }


def entries_response(glossary: Glossary, target: str) -> dict:
    tsv = "\n".join(f"{term}\t{rendering}" for term, rendering in dictionary_pairs(glossary, target))
    return {
        "dictionaries": [
            {"source_lang": glossary.source_lang, "target_lang": target, "entries": tsv, "entries_format": "tsv"}
        ]
    }


def merge(entries: list[Entry], target: str, new: list[Entry], replace: bool = False) -> list[Entry]:
    """The glossary's entries with `new` renderings for `target` merged in (DeepL's PATCH), or
    with that dictionary replaced by them (PUT). Entries match by any spelling, case-insensitively.

    `new` are entries as `glossary.formats.import_entries` reads a TSV: a term and its rendering.
    """
    merged = [Entry.from_dict(entry.to_dict()) for entry in entries]
    if replace:
        for entry in merged:
            entry.translations.pop(target, None)
        merged = [entry for entry in merged if entry.translations or entry.keep]
    by_spelling = {fold(spelling): entry for entry in merged for spelling in entry.spellings()}
    for incoming in new:
        rendering = incoming.translations[target]
        existing = by_spelling.get(fold(incoming.term))
        if existing is None:
            merged.append(incoming)
            by_spelling[fold(incoming.term)] = incoming
        elif existing.keep:
            if rendering != incoming.term:
                raise DeepLError(
                    f"Invalid glossary entries: the glossary keeps {existing.term!r} unchanged in "
                    f"every language, so it cannot be rendered {rendering!r}; change the entry "
                    "through the glossary API (/v1/glossaries) or the console."
                )
        else:
            existing.translations[target] = rendering
    return merged


def without_target(entries: list[Entry], target: str) -> list[Entry]:
    """The entries with the `target` dictionary removed (entries left with nothing to do go too)."""
    return merge(entries, target, [], replace=True)


def as_input(entries: list[Entry]) -> list[dict]:
    """Entries as the store's create and patch take them."""
    return [entry.to_dict() for entry in entries]


def glossary_error(error: GlossaryError) -> DeepLError:
    return DeepLError(f"Invalid glossary entries: {error}")
