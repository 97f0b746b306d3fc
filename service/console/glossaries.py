"""Glossary pages: list and create, the entry table (filter, sort, inline
edit, toggles), import and export, version history with diffs and restore.

Every change goes to the API with the ETag of the version the editor was
looking at. When someone else saved first (412), nothing is lost: the page
shows what they changed and offers the editor's own change again, merged on
top of theirs (`conflict`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from glossary.diff import diff_glossaries, field_changes, merge_entry
from glossary.entries import Entry, Glossary, parse_etag
from service.console.api import ApiError

bp = Blueprint("glossaries", __name__, url_prefix="/glossaries")

_PAGE = 500  # the API's largest page
IMPORT_FORMATS = {"csv": "CSV", "tsv": "TSV (DeepL: term, rendering)", "tbx": "TBX"}
IMPORT_TYPES = {"csv": "text/csv", "tsv": "text/tab-separated-values", "tbx": "application/x-tbx+xml"}
EXPORT_SUFFIX = {"csv": "csv", "tsv": "tsv", "tbx": "tbx"}


# -- reading through the API --------------------------------------------------


def _all_glossaries() -> list[dict]:
    items, offset = [], 0
    while True:
        page = g.api.json("GET", "/v1/glossaries", params={"offset": offset, "limit": _PAGE})
        items += page["items"]
        offset += _PAGE
        if offset >= page["total"] or not page["items"]:
            return items


def _glossary(glossary_id: str) -> tuple[Glossary, str]:
    response = g.api.get(f"/v1/glossaries/{quote(glossary_id, safe='')}")
    return Glossary.from_dict(response.json()), response.headers["ETag"]


def _version(glossary_id: str, number: int) -> Glossary:
    return Glossary.from_dict(g.api.json("GET", f"/v1/glossaries/{quote(glossary_id, safe='')}/versions/{number}"))


def _target_langs(source_lang: str) -> list[str]:
    """Languages the installed models translate `source_lang` into."""
    try:
        pairs = g.api.json("GET", "/v1/languages")["pairs"]
    except ApiError:
        return []
    return sorted({p["target"] for p in pairs if p["source"] == source_lang})


def _languages(glossary: Glossary) -> list[str]:
    """The rendering columns: every language an entry has, and every one the models offer."""
    used = {lang for entry in glossary.entries for lang in entry.translations}
    return sorted(used | set(_target_langs(glossary.source_lang)))


def _form_version() -> int:
    """The version the editor was looking at, from the form's ETag."""
    parsed = parse_etag(request.form.get("etag", ""))
    if parsed is None:
        abort(400, "The form does not say which version of the glossary it edits; reload the page.")
    return parsed[1]


def _api_path(glossary_id: str, tail: str = "") -> str:
    return f"/v1/glossaries/{quote(glossary_id, safe='')}{tail}"


# -- forms ---------------------------------------------------------------------


def entry_from_form(form) -> dict:
    """An entry as the API takes it, from the entry form's fields."""
    translations = {}
    for name, value in form.items():
        if name.startswith("tr.") and value.strip():
            translations[name[3:]] = value.strip()
    new_lang, new_rendering = form.get("new_lang", "").strip(), form.get("new_rendering", "").strip()
    if new_lang or new_rendering:
        translations[new_lang] = new_rendering
    note = form.get("note", "").strip()
    return {
        "term": form.get("term", "").strip(),
        "variants": [v.strip() for v in form.get("variants", "").split("|") if v.strip()],
        "translations": translations,
        "keep": form.get("keep") == "on",
        "case_sensitive": form.get("case_sensitive") == "on",
        "match_inside_names": form.get("match_inside_names") == "on",
        "note": note or None,
        "grammar": grammar_from_form(form),
    }


def grammar_from_form(form) -> dict:
    """{lang: {gender, number, article}} from the selects `gr.<lang>.<field>`; an empty select says nothing."""
    grammar: dict[str, dict] = {}
    for name, value in form.items():
        if not name.startswith("gr.") or not value.strip():
            continue
        lang, _, field_name = name[3:].rpartition(".")
        value = value.strip()
        if field_name == "article":
            grammar.setdefault(lang, {})["article"] = value == "yes" if value in ("yes", "no") else value
        else:
            grammar.setdefault(lang, {})[field_name] = value
    return grammar


@dataclass
class FieldErrors:
    """A problem document's errors, by form field, for showing next to the inputs."""

    by_field: dict[str, list[str]]
    general: list[str]

    @classmethod
    def from_error(cls, error: ApiError, prefix: str = "") -> "FieldErrors":
        by_field: dict[str, list[str]] = {}
        general = []
        for item in error.errors:
            message = item.get("message") or item.get("reason") or ""
            name = (item.get("field") or "").removeprefix(prefix)
            name = name.split("[")[0] if name.startswith("variants") else name
            if name.startswith("grammar."):
                name = "translations." + name.split(".")[1]  # shown beside that language's rendering
            if name.startswith("translations.") or name in (
                "term",
                "variants",
                "note",
                "keep",
                "case_sensitive",
                "name",
                "description",
                "source_lang",
            ):
                by_field.setdefault(name, []).append(message)
            else:
                general.append(f"{name}: {message}" if name else message)
        if not error.errors:
            general.append(error.detail)
        return cls(by_field, general)


# -- pages ---------------------------------------------------------------------


@bp.get("")
def index():
    query = request.args.get("q", "").strip()
    glossaries = _all_glossaries()
    if query:
        needle = query.casefold()
        glossaries = [
            x for x in glossaries if needle in x["name"].casefold() or needle in (x.get("description") or "").casefold()
        ]
    return render_template("console/glossaries.html", glossaries=glossaries, query=query, form={}, errors=None)


@bp.post("")
def create():
    data = {
        "name": request.form.get("name", "").strip(),
        "source_lang": request.form.get("source_lang", "").strip(),
        "description": request.form.get("description", "").strip(),
    }
    try:
        created = g.api.json("POST", "/v1/glossaries", json=data)
    except ApiError as error:
        if error.status != 422:
            raise
        return render_template(
            "console/glossaries.html",
            glossaries=_all_glossaries(),
            query="",
            form=data,
            errors=FieldErrors.from_error(error),
        ), 422
    flash(f"Glossary “{created['name']}” created.", "success")
    return redirect(url_for(".show", glossary_id=created["id"]))


def _sorted_entries(glossary: Glossary, query: str, sort: str) -> list[Entry]:
    entries = list(glossary.entries)
    if query:
        needle = query.casefold()
        entries = [
            e
            for e in entries
            if any(needle in text.casefold() for text in [e.term, *e.variants, *e.translations.values(), e.note or ""])
        ]
    field, descending = sort.removeprefix("-"), sort.startswith("-")
    if field == "term":
        entries.sort(key=lambda e: e.term.casefold(), reverse=descending)
    elif field.startswith("lang:"):
        lang = field[5:]
        # Entries without a rendering in that language go last either way.
        with_rendering = sorted(
            (e for e in entries if lang in e.translations),
            key=lambda e: e.translations[lang].casefold(),
            reverse=descending,
        )
        entries = with_rendering + [e for e in entries if lang not in e.translations]
    return entries


@bp.get("/<glossary_id>")
def show(glossary_id: str):
    glossary, etag = _glossary(glossary_id)
    query, sort = request.args.get("q", "").strip(), request.args.get("sort", "")
    return render_template(
        "console/glossary.html",
        glossary=glossary,
        etag=etag,
        languages=_languages(glossary),
        entries=_sorted_entries(glossary, query, sort),
        query=query,
        sort=sort,
        editing=request.args.get("edit"),
        add_form={},
        add_errors=None,
        edit_form=None,
        edit_errors=None,
        import_formats=IMPORT_FORMATS,
    )


def _render_show_with_errors(glossary_id: str, status: int, **kwargs):
    glossary, etag = _glossary(glossary_id)
    context = dict(
        glossary=glossary,
        etag=etag,
        languages=_languages(glossary),
        entries=glossary.entries,
        query="",
        sort="",
        editing=None,
        add_form={},
        add_errors=None,
        edit_form=None,
        edit_errors=None,
        import_formats=IMPORT_FORMATS,
    )
    context.update(kwargs)
    return render_template("console/glossary.html", **context), status


def _saved(glossary_id: str, result: dict, message: str, anchor: str | None = None):
    flash(f"{message} Saved as version {result['version']}.", "success")
    return redirect(url_for(".show", glossary_id=glossary_id, _anchor=anchor))


@bp.post("/<glossary_id>/properties")
def update_properties(glossary_id: str):
    base_version = _form_version()
    changes = {"name": request.form.get("name", "").strip(), "description": request.form.get("description", "").strip()}
    try:
        result = g.api.json("PATCH", _api_path(glossary_id), json=changes, etag=request.form["etag"])
    except ApiError as error:
        if error.status == 412:
            return conflict(glossary_id, base_version, "properties", mine=changes)
        if error.status == 422:
            return _render_show_with_errors(glossary_id, 422, properties_errors=FieldErrors.from_error(error))
        raise
    return _saved(glossary_id, result, "Name and description changed.")


@bp.post("/<glossary_id>/entries")
def add_entry(glossary_id: str):
    base_version = _form_version()
    entry = entry_from_form(request.form)
    try:
        result = g.api.json("POST", _api_path(glossary_id, "/entries"), json=entry, etag=request.form["etag"])
    except ApiError as error:
        if error.status == 412:
            return conflict(glossary_id, base_version, "add", mine=entry)
        if error.status == 422:
            return _render_show_with_errors(glossary_id, 422, add_form=entry, add_errors=FieldErrors.from_error(error))
        raise
    return _saved(glossary_id, result, f"Entry “{entry['term']}” added.", f"entry-{result['entries'][-1]['id']}")


@bp.post("/<glossary_id>/entries/<entry_id>")
def edit_entry(glossary_id: str, entry_id: str):
    return _replace_entry(glossary_id, entry_id, entry_from_form(request.form), "Entry saved.")


@bp.post("/<glossary_id>/entries/<entry_id>/toggle")
def toggle(glossary_id: str, entry_id: str):
    flag = request.form.get("flag")
    if flag not in ("keep", "case_sensitive", "match_inside_names"):
        abort(400, "Only keep, case_sensitive and match_inside_names can be toggled.")
    base = _version(glossary_id, _form_version()).entry(entry_id)
    if base is None:
        abort(404, "That entry is not in the version you were looking at.")
    mine = base.to_dict()
    mine.pop("id")
    mine[flag] = not mine[flag]
    label = {
        "keep": "Keep (do not translate)",
        "case_sensitive": "Case-sensitive",
        "match_inside_names": "Match inside longer names",
    }[flag]
    return _replace_entry(
        glossary_id, entry_id, mine, f"{label} is now {'on' if mine[flag] else 'off'} for “{base.term}”."
    )


def _replace_entry(glossary_id: str, entry_id: str, entry: dict, message: str):
    base_version = _form_version()
    try:
        result = g.api.json(
            "PUT", _api_path(glossary_id, f"/entries/{quote(entry_id, safe='')}"), json=entry, etag=request.form["etag"]
        )
    except ApiError as error:
        if error.status == 412:
            return conflict(glossary_id, base_version, "edit", mine=entry, entry_id=entry_id)
        if error.status == 422:
            return _render_show_with_errors(
                glossary_id, 422, editing=entry_id, edit_form=entry, edit_errors=FieldErrors.from_error(error)
            )
        raise
    return _saved(glossary_id, result, message, f"entry-{entry_id}")


@bp.post("/<glossary_id>/entries/<entry_id>/delete")
def delete_entry(glossary_id: str, entry_id: str):
    base_version = _form_version()
    try:
        result = g.api.json(
            "DELETE", _api_path(glossary_id, f"/entries/{quote(entry_id, safe='')}"), etag=request.form["etag"]
        )
    except ApiError as error:
        if error.status == 412:
            return conflict(glossary_id, base_version, "delete", entry_id=entry_id)
        raise
    return _saved(glossary_id, result, "Entry deleted.")


@bp.post("/<glossary_id>/delete")
def delete(glossary_id: str):
    base_version = _form_version()
    try:
        g.api.request("DELETE", _api_path(glossary_id), etag=request.form["etag"])
    except ApiError as error:
        if error.status == 412:
            return conflict(glossary_id, base_version, "delete-glossary")
        raise
    flash("Glossary deleted.", "success")
    return redirect(url_for(".index"))


# -- import and export ---------------------------------------------------------


@dataclass
class ImportLine:
    number: int
    text: str
    errors: list[dict]


def import_lines(content: str, errors: list[dict]) -> tuple[list[ImportLine], list[dict]]:
    """The file's lines, each with its errors; errors that name no line apart."""
    by_line: dict[int, list[dict]] = {}
    general = []
    for error in errors:
        line = error.get("line")
        if isinstance(line, int) and line > 0:
            by_line.setdefault(line, []).append(error)
        else:
            general.append(error)
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    numbered = [ImportLine(n, text.rstrip("\r"), by_line.pop(n, [])) for n, text in enumerate(lines, start=1)]
    for _line, rest in sorted(by_line.items()):  # past the end: keep them visible
        general += rest
    return numbered, general


@bp.post("/<glossary_id>/import")
def import_file(glossary_id: str):
    base_version = _form_version()
    fmt = request.form.get("format", "csv")
    upload = request.files.get("file")
    raw = upload.read() if upload and upload.filename else request.form.get("content", "").encode("utf-8")
    form = {
        "format": fmt,
        "mode": request.form.get("mode", "append"),
        "target_lang": request.form.get("target_lang", "").strip(),
    }
    params = {k: v for k, v in form.items() if v}
    try:
        result = g.api.json(
            "POST",
            _api_path(glossary_id, "/import"),
            params=params,
            content=raw,
            headers={"Content-Type": IMPORT_TYPES.get(fmt, "application/octet-stream")},
            etag=request.form["etag"],
        )
    except ApiError as error:
        content = raw.decode("utf-8", errors="replace")
        if error.status == 412:
            return conflict(glossary_id, base_version, "import", mine={**form, "content": content})
        if error.status not in (413, 422):
            raise
        glossary, etag = _glossary(glossary_id)
        lines, general = import_lines(content, error.errors)
        if not error.errors:
            general = [{"reason": error.detail}]
        return render_template(
            "console/import.html",
            glossary=glossary,
            etag=etag,
            form=form,
            content=content,
            lines=lines,
            general=general,
            error=error,
            import_formats=IMPORT_FORMATS,
        ), error.status
    added = len(result["entries"])
    return _saved(glossary_id, result, f"Import done: the glossary has {added} entries.")


@bp.get("/<glossary_id>/export")
def export(glossary_id: str):
    fmt = request.args.get("format", "csv")
    params = {"format": fmt}
    if request.args.get("target_lang"):
        params["target_lang"] = request.args["target_lang"]
    response = g.api.get(_api_path(glossary_id, "/export"), params=params)
    glossary_name = request.args.get("name") or glossary_id
    safe_name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in glossary_name)[:80] or "glossary"
    suffix = f"-{params['target_lang']}" if "target_lang" in params else ""
    return Response(
        response.content,
        mimetype=response.headers.get("Content-Type", "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{safe_name}{suffix}.{EXPORT_SUFFIX.get(fmt, "txt")}"'},
    )


# -- history -------------------------------------------------------------------

_HISTORY_PAGE = 50


@bp.get("/<glossary_id>/history")
def history(glossary_id: str):
    glossary, etag = _glossary(glossary_id)
    offset = max(0, request.args.get("offset", 0, type=int))
    listed = g.api.json("GET", _api_path(glossary_id, "/versions"), params={"offset": offset, "limit": _HISTORY_PAGE})
    to_version = request.args.get("to", type=int) or glossary.version
    from_version = request.args.get("from", type=int) or max(1, to_version - 1)
    diff, missing = None, None
    try:
        diff = diff_glossaries(_version(glossary_id, from_version), _version(glossary_id, to_version))
    except ApiError as error:
        if error.status != 404:
            raise
        missing = error.detail  # superseded versions expire after the job TTL
    return render_template(
        "console/history.html",
        glossary=glossary,
        etag=etag,
        versions=listed["items"],
        diff=diff,
        missing=missing,
        from_version=from_version,
        to_version=to_version,
        offset=offset,
        page=_HISTORY_PAGE,
        total=listed["total"],
    )


@bp.post("/<glossary_id>/restore")
def restore(glossary_id: str):
    base_version = _form_version()
    number = request.form.get("version", type=int)
    if not number:
        abort(400, "Which version should be restored?")
    old = _version(glossary_id, number)
    data = {
        "name": old.name,
        "source_lang": old.source_lang,
        "description": old.description,
        "entries": [e.to_dict() for e in old.entries],
    }
    try:
        result = g.api.json("PUT", _api_path(glossary_id), json=data, etag=request.form["etag"])
    except ApiError as error:
        if error.status == 412:
            return conflict(glossary_id, base_version, "restore", mine={"version": number})
        raise
    flash(f"Version {number} restored as version {result['version']}; nothing was rewritten.", "success")
    return redirect(url_for(".history", glossary_id=glossary_id))


# -- someone else saved first -----------------------------------------------------


def conflict(glossary_id: str, base_version: int, action: str, mine: dict | None = None, entry_id: str | None = None):
    """The 412 page: what the others changed since `base_version`, and the
    editor's own change again, ready to apply on top of the current version."""
    current, etag = _glossary(glossary_id)
    try:
        base = _version(glossary_id, base_version)
    except ApiError:
        base = None  # expired: the change itself can still be shown and re-applied
    their_diff = diff_glossaries(base, current) if base else None
    merge, my_changes = None, []
    if action == "edit":
        base_entry = base.entry(entry_id) if base is not None else None
        mine_entry = Entry.from_dict(mine)
        merge = merge_entry(base_entry or mine_entry, current.entry(entry_id), mine_entry)
        my_changes = field_changes(base_entry, mine_entry) if base_entry else []
    languages = sorted(
        {lang for e in current.entries for lang in e.translations}
        | set((mine or {}).get("translations", {}))
        | set(merge.entry.translations if merge else ())
    )
    return render_template(
        "console/conflict.html",
        glossary=current,
        etag=etag,
        base_version=base_version,
        action=action,
        latest_author=current.author,
        mine=mine or {},
        entry_id=entry_id,
        their_diff=their_diff,
        merge=merge,
        my_changes=my_changes,
        languages=languages,
        entry_now=current.entry(entry_id) if entry_id else None,
        import_formats=IMPORT_FORMATS,
    ), 409
