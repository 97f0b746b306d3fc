"""DeepL's multilingual glossaries (/v3/glossaries) for `deepl.DeepLClient`.

The same glossary store as /v1/glossaries and /v2/glossaries: a v3 glossary
is one of ours, its dictionaries are the target languages it has renderings
for (compat/deepl_glossaries.py says how entries map). Errors are DeepL's
{"message": …}, like /v2 (service.problems.speak).
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, request

from access import GLOSSARY_READ, GLOSSARY_WRITE
from compat import deepl, deepl_glossaries as v3
from compat.codes import from_deepl
from glossary.entries import Entry, Glossary, GlossaryError
from glossary.formats import import_entries
from glossary.store import LimitExceeded, NotFound, VersionConflict
from service.auth import current_key, requires
from service.deepl import _bad, _check_glossary_pair, _params
from service.problems import Problem
from service.wiring import services

bp = APIBlueprint("deepl_v3", __name__, url_prefix="/v3", tag="DeepL-compatible")

# Edits read the glossary, change it and write it with its version; another
# edit in between moves the version, so read again a few times.
_ATTEMPTS = 3


def _not_found() -> Problem:
    return Problem(404, "glossary-not-found", "Not found", "Glossary not found.")


def _get(glossary_id: str):
    try:
        return services().glossaries.get(glossary_id)
    except NotFound:
        raise _not_found()


def _pair_from_query(glossary) -> str:
    """The target of the dictionary named by ?source_lang=&target_lang=; 404 when it has none."""
    source, target = from_deepl(request.args.get("source_lang")), from_deepl(request.args.get("target_lang"))
    if not source or not target:
        raise _bad("Parameters 'source_lang' and 'target_lang' must be specified.")
    if source != glossary.source_lang or target not in v3.targets(glossary):
        raise Problem(404, "glossary-not-found", "Not found", "Glossary dictionary not found.")
    return target


def _read_dictionaries(raw: list[dict], glossary_source: str | None = None) -> tuple[str | None, list]:
    """(source language, [(dictionary, its entries)]) of the request, every pair checked."""
    store = services().glossaries
    try:
        dictionaries = [v3.dictionary(params) for params in raw]
        source = v3.one_source(dictionaries, glossary_source) if dictionaries else glossary_source
        read = []
        for d in dictionaries:
            _check_glossary_pair(d.source, d.target)
            read.append((d, import_entries(d.tsv, "tsv", d.source, d.target, limits=store.limits)))
    except deepl.DeepLError as error:
        raise _bad(error.message, error.status)
    except GlossaryError as error:
        raise _bad(v3.glossary_error(error).message)
    return source, read


def _edit(glossary_id: str, change) -> Glossary:
    """Apply `change(glossary) -> patch` with the glossary's version; the new glossary."""
    store = services().glossaries
    for _attempt in range(_ATTEMPTS):
        glossary = _get(glossary_id)
        try:
            patch = change(glossary)
            return store.patch(glossary.id, patch, glossary.version, current_key().author())
        except VersionConflict:
            continue
        except deepl.DeepLError as error:
            raise _bad(error.message, error.status)
        except GlossaryError as error:
            raise _bad(v3.glossary_error(error).message)
        except LimitExceeded as error:
            raise _bad(str(error))
    raise Problem(409, "glossary-busy", "Conflict", "The glossary kept changing; retry.")


@bp.post("/glossaries")
@requires(GLOSSARY_WRITE)
@bp.doc(summary="Create a multilingual glossary: one of ours, a dictionary per target language")
def create_glossary():
    params = _params(v3.CreateParams())
    source, read = _read_dictionaries(params["dictionaries"])
    entries: list[Entry] = []
    for d, new in read:
        entries = v3.merge(entries, d.target, new)
    store, key = services().glossaries, current_key()
    try:
        glossary = store.create(
            {"name": params["name"], "source_lang": source, "entries": v3.as_input(entries)}, key.author(), key.tenant
        )
    except GlossaryError as error:
        raise _bad(v3.glossary_error(error).message)
    except LimitExceeded as error:
        raise _bad(str(error))
    return v3.glossary_info(glossary), 201


@bp.get("/glossaries")
@requires(GLOSSARY_READ)
@bp.doc(summary="Every glossary with its dictionaries")
def list_glossaries():
    store, infos, offset = services().glossaries, [], 0
    while True:
        page, total = store.list(offset, 500)
        infos += [v3.glossary_info(glossary) for glossary in page]
        offset += len(page)
        if not page or offset >= total:
            return {"glossaries": infos}


@bp.get("/glossaries/<glossary_id>")
@requires(GLOSSARY_READ)
@bp.doc(summary="One glossary with its dictionaries")
def get_glossary(glossary_id: str):
    return v3.glossary_info(_get(glossary_id))


@bp.patch("/glossaries/<glossary_id>")
@requires(GLOSSARY_WRITE)
@bp.doc(summary="Rename, and/or merge entries into dictionaries (a new version of the glossary)")
def update_glossary(glossary_id: str):
    params = _params(v3.UpdateParams())
    glossary = _get(glossary_id)
    _source, read = _read_dictionaries(params["dictionaries"], glossary.source_lang)

    def change(current) -> dict:
        patch: dict = {}
        if params["name"] is not None:
            patch["name"] = params["name"]
        if read:
            entries = current.entries
            for d, new in read:
                entries = v3.merge(entries, d.target, new)
            patch["entries"] = v3.as_input(entries)
        return patch

    return v3.glossary_info(_edit(glossary_id, change))


@bp.put("/glossaries/<glossary_id>/dictionaries")
@requires(GLOSSARY_WRITE)
@bp.doc(summary="Replace (or add) one dictionary's entries")
def replace_dictionary(glossary_id: str):
    params = _params(v3.DictionaryParams())
    glossary = _get(glossary_id)
    _source, [(d, new)] = _read_dictionaries([params], glossary.source_lang)
    updated = _edit(
        glossary_id, lambda current: {"entries": v3.as_input(v3.merge(current.entries, d.target, new, replace=True))}
    )
    return v3.dictionary_info(updated, d.target)


@bp.get("/glossaries/<glossary_id>/entries")
@requires(GLOSSARY_READ)
@bp.doc(summary="One dictionary's entries as TSV (?source_lang=&target_lang=)")
def glossary_entries(glossary_id: str):
    glossary = _get(glossary_id)
    return v3.entries_response(glossary, _pair_from_query(glossary))


@bp.delete("/glossaries/<glossary_id>/dictionaries")
@requires(GLOSSARY_WRITE)
@bp.doc(summary="Delete one dictionary (?source_lang=&target_lang=): the glossary's renderings for that language")
def delete_dictionary(glossary_id: str):
    target = _pair_from_query(_get(glossary_id))
    _edit(glossary_id, lambda current: {"entries": v3.as_input(v3.without_target(current.entries, target))})
    return Response(status=204)


@bp.delete("/glossaries/<glossary_id>")
@requires(GLOSSARY_WRITE)
@bp.doc(summary="Delete the glossary")
def delete_glossary(glossary_id: str):
    store = services().glossaries
    for _attempt in range(_ATTEMPTS):
        glossary = _get(glossary_id)
        try:
            store.delete(glossary.id, glossary.version)
        except VersionConflict:
            continue
        return Response(status=204)
    raise Problem(409, "glossary-busy", "Conflict", "The glossary kept changing; retry.")
