"""/v1/glossaries: create, read, edit (optimistic concurrency), import/export.

Every change makes a new version. Changes to an existing glossary require
`If-Match` with the current ETag: a stale one gets 412, a missing one 428, so
two editors working at once never overwrite each other's edits.

Glossaries are shared by all tenants, as a newsroom's editorial policy:
`glossary:read` reads them, `glossary:write` changes them, and every version
names the key that made it (`author`; the list is /versions). How many
glossaries a tenant may create is limited per tenant (MAX_GLOSSARIES).
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, request, url_for

from glossary.formats import export_entries, import_entries
from glossary.entries import GlossaryError
from glossary.store import LimitExceeded, NotFound, VersionConflict
from access import GLOSSARY_READ, GLOSSARY_WRITE
from service.auth import current_key, requires
from service.preconditions import expected_version, stale_version
from service.problems import Problem, accepts_any_body
from service.schemas import (
    EntryIn,
    ExportQuery,
    GlossaryIn,
    GlossaryList,
    GlossaryOut,
    GlossaryPatch,
    GlossaryVersions,
    ImportQuery,
    Page,
)
from service.wiring import services

bp = APIBlueprint("glossaries", __name__, url_prefix="/v1/glossaries", tag="Glossaries")

_EXPORT_TYPES = {"csv": "text/csv", "tsv": "text/tab-separated-values", "tbx": "application/x-tbx+xml"}


def _invalid(error: GlossaryError) -> Problem:
    errors = error.problems
    detail = "; ".join(
        (f"line {p['line']}: " if p.get("line") else "") + (f"{p['field']}: " if p.get("field") else "") + p["reason"]
        for p in errors
    )
    return Problem(422, "invalid-glossary", "Invalid glossary", detail, errors=errors)


def _expected_version(glossary_id: str) -> int:
    return expected_version(_get(glossary_id), "Glossary")


def _get(glossary_id: str):
    try:
        return services().glossaries.get(glossary_id)
    except NotFound:
        raise Problem(404, "glossary-not-found", "Glossary not found", f"There is no glossary {glossary_id!r}.")


def _write(operation, glossary_id: str | None = None):
    """Run a store operation, turning domain errors into problem documents."""
    try:
        return operation()
    except GlossaryError as error:
        raise _invalid(error)
    except VersionConflict:
        raise stale_version(_get(glossary_id), "Glossary")
    except NotFound as error:
        raise Problem(404, "not-found", "Not found", str(error) or "No such glossary or entry.")
    except LimitExceeded as error:
        raise Problem(422, "limit-exceeded", "Limit exceeded", str(error))


def _author() -> dict:
    return current_key().author()


def _with_etag(glossary, status: int = 200, **headers):
    return glossary.to_dict(), status, {"ETag": glossary.etag, **headers}


@bp.post("")
@requires(GLOSSARY_WRITE)
@bp.input(GlossaryIn, arg_name="data")
@bp.output(GlossaryOut, status_code=201)
@bp.doc(summary="Create a glossary", responses=[201, 415, 422])
def create_glossary(data: dict):
    glossary = _write(lambda: services().glossaries.create(data, _author(), current_key().tenant))
    return _with_etag(glossary, 201, Location=url_for("glossaries.get_glossary", glossary_id=glossary.id))


@bp.get("")
@requires(GLOSSARY_READ)
@bp.input(Page, location="query", arg_name="page")
@bp.output(GlossaryList)
@bp.doc(summary="List glossaries (paginated)")
def list_glossaries(page: dict):
    items, total = services().glossaries.list(page["offset"], page["limit"])
    return {"items": [g.summary() for g in items], "total": total, "offset": page["offset"], "limit": page["limit"]}


@bp.get("/<glossary_id>")
@requires(GLOSSARY_READ)
@bp.output(GlossaryOut)
@bp.doc(summary="A glossary at its current version, with its ETag", responses=[200, 404])
def get_glossary(glossary_id: str):
    return _with_etag(_get(glossary_id))


@bp.put("/<glossary_id>")
@requires(GLOSSARY_WRITE)
@bp.input(GlossaryIn, arg_name="data")
@bp.output(GlossaryOut)
@bp.doc(summary="Replace a glossary (If-Match required)", responses=[200, 404, 412, 422, 428])
def replace_glossary(glossary_id: str, data: dict):
    version = _expected_version(glossary_id)
    return _with_etag(_write(lambda: services().glossaries.replace(glossary_id, data, version, _author()), glossary_id))


@bp.patch("/<glossary_id>")
@requires(GLOSSARY_WRITE)
@bp.input(GlossaryPatch, arg_name="changes")
@bp.output(GlossaryOut)
@bp.doc(summary="Change name, description or entries (If-Match required)", responses=[200, 404, 412, 422, 428])
def patch_glossary(glossary_id: str, changes: dict):
    version = _expected_version(glossary_id)
    return _with_etag(
        _write(lambda: services().glossaries.patch(glossary_id, changes, version, _author()), glossary_id)
    )


@bp.delete("/<glossary_id>")
@requires(GLOSSARY_WRITE)
@bp.output({}, status_code=204)
@bp.doc(summary="Delete a glossary (If-Match required)", responses=[204, 404, 412, 428])
def delete_glossary(glossary_id: str):
    version = _expected_version(glossary_id)
    _write(lambda: services().glossaries.delete(glossary_id, version), glossary_id)
    return ""


@bp.post("/<glossary_id>/entries")
@requires(GLOSSARY_WRITE)
@bp.input(EntryIn, arg_name="entry")
@bp.output(GlossaryOut, status_code=201)
@bp.doc(summary="Add an entry (If-Match required)", responses=[201, 404, 412, 422, 428])
def add_entry(glossary_id: str, entry: dict):
    version = _expected_version(glossary_id)
    return _with_etag(
        _write(lambda: services().glossaries.add_entry(glossary_id, entry, version, _author()), glossary_id), 201
    )


@bp.put("/<glossary_id>/entries/<entry_id>")
@requires(GLOSSARY_WRITE)
@bp.input(EntryIn, arg_name="entry")
@bp.output(GlossaryOut)
@bp.doc(summary="Replace an entry (If-Match required)", responses=[200, 404, 412, 422, 428])
def replace_entry(glossary_id: str, entry_id: str, entry: dict):
    version = _expected_version(glossary_id)
    return _with_etag(
        _write(
            lambda: services().glossaries.replace_entry(glossary_id, entry_id, entry, version, _author()), glossary_id
        )
    )


@bp.delete("/<glossary_id>/entries/<entry_id>")
@requires(GLOSSARY_WRITE)
@bp.output(GlossaryOut)
@bp.doc(summary="Delete an entry (If-Match required)", responses=[200, 404, 412, 428])
def delete_entry(glossary_id: str, entry_id: str):
    version = _expected_version(glossary_id)
    return _with_etag(
        _write(lambda: services().glossaries.delete_entry(glossary_id, entry_id, version, _author()), glossary_id)
    )


@bp.get("/<glossary_id>/versions")
@requires(GLOSSARY_READ)
@bp.input(Page, location="query", arg_name="page")
@bp.output(GlossaryVersions)
@bp.doc(summary="Who changed the glossary, and when: its versions, newest first", responses=[200, 404])
def list_versions(glossary_id: str, page: dict):
    try:
        items, total = services().glossaries.versions(glossary_id, page["offset"], page["limit"])
    except NotFound:
        raise Problem(404, "glossary-not-found", "Glossary not found", f"There is no glossary {glossary_id!r}.")
    return {"items": items, "total": total, "offset": page["offset"], "limit": page["limit"]}


@bp.get("/<glossary_id>/versions/<int:number>")
@requires(GLOSSARY_READ)
@bp.output(GlossaryOut)
@bp.doc(summary="An earlier version, as it was", responses=[200, 404])
def get_version(glossary_id: str, number: int):
    try:
        glossary = services().glossaries.get_version(glossary_id, number)
    except NotFound:
        raise Problem(
            404, "version-not-found", "Version not found", f"Glossary {glossary_id!r} has no version {number}."
        )
    return _with_etag(glossary)


@bp.post("/<glossary_id>/import")
@requires(GLOSSARY_WRITE)
@accepts_any_body
@bp.input(ImportQuery, location="query", arg_name="query")
@bp.output(GlossaryOut)
@bp.doc(
    summary="Import entries from CSV, TSV or TBX (If-Match required); all rows or none",
    responses=[200, 404, 412, 413, 422, 428],
)
def import_glossary(glossary_id: str, query: dict):
    version = _expected_version(glossary_id)
    current = _get(glossary_id)
    existing = current.entries if query["mode"] == "append" else None
    entries = _write(
        lambda: import_entries(
            request.get_data(),
            query["format"],
            current.source_lang,
            query.get("target_lang"),
            limits=services().glossaries.limits,
            existing=existing,
        )
    )
    if query["mode"] == "append":
        entries = [e.to_dict() for e in current.entries] + [e.to_dict() for e in entries]
    else:
        entries = [e.to_dict() for e in entries]
    return _with_etag(
        _write(lambda: services().glossaries.patch(glossary_id, {"entries": entries}, version, _author()), glossary_id)
    )


@bp.get("/<glossary_id>/export")
@requires(GLOSSARY_READ)
@bp.input(ExportQuery, location="query", arg_name="query")
@bp.doc(summary="Export entries as CSV, TSV (one language pair) or TBX", responses=[200, 404, 422])
def export_glossary(glossary_id: str, query: dict):
    glossary = _get(glossary_id)
    data = _write(lambda: export_entries(glossary, query["format"], query.get("target_lang")))
    return Response(data, mimetype=_EXPORT_TYPES[query["format"]], headers={"ETag": glossary.etag})
