"""DeepL's API (/v2) for DeepL's clients: point `deepl.Translator(key,
server_url=...)` here and it works (see compat/deepl.py for the shapes).

- /v2/translate: short texts, on the interactive worker (same engines, cache
  and glossary enforcement as jobs), waited for.
- /v2/document: a job; status and result read that job.
- /v2/glossaries: our glossary store, one DeepL glossary per (glossary, target language).
- /v2/languages, /v2/glossary-language-pairs: the installed routes; /v2/usage: the key's character quota.

Errors are DeepL's: {"message": …}; 403 for a missing or bad key, 456 for an
exhausted character quota, 400 for bad parameters (service.problems.speak).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from apiflask import APIBlueprint
from flask import Response, request

from access import GLOSSARY_READ, GLOSSARY_WRITE, TRANSLATE, parse_limit
from access.quotas import UNLIMITED
from compat import deepl
from compat.codes import from_deepl
from conventions import LANGUAGE_CODE, first_lone_surrogate
from glossary.entries import GlossaryError
from glossary.formats import export_entries, import_entries
from glossary.store import LimitExceeded, NotFound, VersionConflict
from jobs.record import JobRequest
from jobs.store import SUCCEEDED
from service import interactive
from jobs.refused_documents import RefusedDocument, RefusedDocuments
from jobs.submission import AUTO, Article, Refusal, pin_glossaries
from service.auth import ANY_KEY, access, current_key, requires
from service.job_status import describe, visible_job
from service.metering import meter
from service.problems import Problem, accepts_any_body, refused
from service.replication import volatile
from service.representations import attachment
from service.submission import Request, may_use_glossaries, submit
from service.wiring import services
from translation.documents import FORMATS, DocumentError, body_characters, body_from_file, file_from_body

bp = APIBlueprint("deepl", __name__, url_prefix="/v2", tag="DeepL-compatible")

# What DeepL reports as the limit of an unlimited (Pro) account.
UNLIMITED_CHARACTERS = 1_000_000_000_000


def _bad(message: str, status: int = 400) -> Problem:
    return Problem(status, "deepl-request", "Bad request", message)


def _params(schema) -> dict:
    """The request's parameters from a JSON body, a form, or (GET) the query and a form body."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise _bad("Invalid JSON: the body must be a JSON object.")
    else:
        data = {**request.args.to_dict(), **deepl.form_to_dict(request.form)}
    surrogate = first_lone_surrogate(data)
    if surrogate:
        raise _bad(f"Invalid text: {surrogate}; text must be valid Unicode.")
    try:
        return deepl.load(schema, data)
    except deepl.DeepLError as error:
        raise _bad(error.message, error.status)


def _routes():
    return services().catalog.routes()


def _check_pair(source: str | None, target: str, target_code: str) -> None:
    routes = _routes()
    if target not in {t for _s, t in routes}:
        raise _bad(f"Value for 'target_lang' not supported: no installed model translates into '{target_code}'.")
    if source is not None and source != target and (source, target) not in routes:
        raise _bad(f"Value for 'source_lang' not supported: no installed model translates {source} into {target}.")


def _check_glossary_pair(source: str, target: str) -> None:
    """DeepL refuses a glossary for a pair not in /v2/glossary-language-pairs: so do we."""
    for name, code in (("source_lang", source), ("target_lang", target)):
        if not LANGUAGE_CODE.match(code or ""):
            raise _bad(f"Value for '{name}' not supported.")
    if source == target:
        raise _bad("Source and target language are equal.")
    if (source, target) not in _routes():
        raise _bad(
            f"Unsupported glossary language pair: {source.upper()} → {target.upper()} "
            "(see /v2/glossary-language-pairs)."
        )


def _our_glossary_ids(ids: list[str], target: str) -> list[str]:
    """DeepL glossary ids (ours, or ours.target) as our glossary ids, checked against the target language."""
    ours = []
    for deepl_id in ids:
        glossary_id, glossary_target = deepl.split_glossary_id(deepl_id)
        if glossary_target is not None and glossary_target != target:
            raise _bad(f"The glossary {deepl_id!r} is for target language {glossary_target!r}, not {target!r}.")
        ours.append(glossary_id)
    return ours


# -- translation ----------------------------------------------------------------------


@bp.post("/translate")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(
    summary="Translate short texts (DeepL's /v2/translate; JSON or form body)",
    description="Waits for the interactive worker. `billed_characters` is charged to the key's character quota.",
)
@volatile  # counters only: see service/replication.py
def translate():
    try:
        wanted = deepl.text_request(_params(deepl.TranslateParams()))
    except deepl.DeepLError as error:
        raise _bad(error.message, error.status)
    characters = sum(len(text) for text in wanted.texts)
    limit = services().settings.interactive_max_chars
    if characters > limit:
        raise _bad(
            f"The texts have {characters} characters; a request may have {limit}. "
            "Send longer texts as a document (/v2/document).",
            413,
        )
    _check_pair(wanted.source, wanted.target, wanted.target.upper())
    ours = _our_glossary_ids(wanted.glossary_ids, wanted.target)
    may_use_glossaries(ours)
    used = pin_glossaries(services().glossaries, ours, None, wanted.source) if ours else []
    if isinstance(used, Refusal):
        raise refused(used)
    results = interactive.translate(
        services().interactive,
        {
            "texts": wanted.texts,
            "source": wanted.source,
            "target": wanted.target,
            "format": wanted.format,
            "glossaries": used,
        },
        meter(),
        characters,
    )
    return deepl.translations(results, wanted.texts, wanted.model_type)


# -- documents -----------------------------------------------------------------------


def _key_digest(document_key: str) -> str:
    return hashlib.sha256(document_key.encode()).hexdigest()


@bp.post("/document")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(
    summary="Upload a document to translate (.txt, .html, .md, .docx, .odt, .pptx, .srt, .vtt): a job",
    description="Returns document_id (the job's id) and document_key (needed to read it).",
)
def upload_document():
    params = _params(deepl.DocumentParams())
    upload = request.files.get("file")
    if upload is None:
        raise _bad("Parameter 'file' not specified.")
    filename = upload.filename or ""
    try:
        fmt = deepl.document_format(filename, params["output_format"])
        body = body_from_file(upload.read(), fmt)
    except deepl.DeepLError as error:
        raise _bad(error.message)
    except DocumentError as error:
        raise _bad(f"Invalid file data: {error}.")
    target = from_deepl(params["target_lang"])
    source = from_deepl(params["source_lang"])
    try:
        deepl.refuse_formality(params["formality"], params["target_lang"])
    except deepl.DeepLError as error:
        raise _bad(error.message)
    document_key = secrets.token_hex(32).upper()  # DeepL's shape: 64 hexadecimal digits
    if source == target:
        # DeepL takes the upload and reports the document as failed (its clients raise
        # DocumentTranslationException with the handle): so do we.
        refused = RefusedDocument(
            current_key().tenant, _key_digest(document_key), "Source and target language are equal."
        )
        return {"document_id": _refused_documents().record(refused), "document_key": document_key}
    _check_pair(source, target, params["target_lang"])
    glossary_ids = [params["glossary_id"]] if params["glossary_id"] else []
    glossary_ids += [g.strip() for g in (params["glossary_ids"] or "").split(",") if g.strip()]
    if glossary_ids and source is None:
        raise _bad("Use of a glossary requires the source_lang parameter to be set.")
    job_id = submit(
        Request(
            Article("", body, fmt),
            (target,),
            source or AUTO,
            tuple(_our_glossary_ids(glossary_ids, target)),
            document={
                "api": "deepl",
                "filename": filename,
                "characters": body_characters(body, fmt),
                "key_sha256": _key_digest(document_key),
            },
        )
    )
    return {"document_id": job_id, "document_key": document_key}


def _refused_documents() -> RefusedDocuments:
    return RefusedDocuments(services().redis, services().settings.job_ttl_seconds)


def _document_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    key = (data or {}).get("document_key") if isinstance(data, dict) else None
    key = key or request.values.get("document_key")
    if not key:
        raise _bad("Parameter 'document_key' not specified.")
    return key


def _refused(document_id: str) -> RefusedDocument | None:
    """The refusal kept for an upload DeepL accepts and reports failed, if the caller may read it."""
    refused = _refused_documents().get(document_id)
    if refused is None:
        return None
    if refused.tenant != current_key().tenant or not hmac.compare_digest(
        refused.key_sha256, _key_digest(_document_key())
    ):
        raise Problem(404, "document-not-found", "Not found", "Document not found.")
    return refused


def _document(document_id: str) -> tuple[dict, JobRequest]:
    """(job status, stored request) of a document the caller may read, checked against its document_key."""
    key = _document_key()
    job = visible_job(document_id)
    document = job.request.document or {}
    if not hmac.compare_digest(document.get("key_sha256", ""), _key_digest(key)):
        raise Problem(404, "document-not-found", "Not found", "Document not found.")
    return describe(job), job.request


@bp.post("/document/<document_id>")
@requires(TRANSLATE)
@accepts_any_body  # the client sends document_key as JSON, curl users as a form
@bp.doc(summary="A document's status: queued, translating, done or error")
def document_status(document_id: str):
    refused = _refused(document_id)
    if refused is not None:
        return {"document_id": document_id, "status": "error", "error_message": refused.message}
    status, stored = _document(document_id)
    return deepl.document_status(document_id, status, stored.document["characters"])


@bp.post("/document/<document_id>/result")
@requires(TRANSLATE)
@accepts_any_body
@bp.doc(summary="The translated document, as a file of the uploaded type")
def document_result(document_id: str):
    refused = _refused(document_id)
    if refused is not None:
        raise _bad(f"Document translation failed: {refused.message}")
    status, stored = _document(document_id)
    lang = stored.target_langs[0]
    if status["state"] in ("queued", "running"):
        raise Problem(503, "document-not-ready", "Not ready", "Document translation is not done.")
    if status["state"] != SUCCEEDED:
        raise _bad(f"Document translation failed: {status['languages'][lang].get('error') or status['state']}.")
    result = services().jobs.result(document_id, lang)
    media_type = FORMATS[result["format"]].media_type
    return Response(
        file_from_body(result["body"], result["format"]),
        mimetype=media_type,
        headers={"Content-Disposition": attachment(stored.document["filename"])},
    )


# -- languages and usage -----------------------------------------------------------------


@bp.get("/languages")
@requires(ANY_KEY)
@bp.doc(summary="Source (default) or target languages (?type=target)")
def languages():
    # deepl's get_target_languages() sends type=target as a form body on a GET.
    kind = request.args.get("type") or request.form.get("type") or "source"
    if kind not in ("source", "target"):
        raise _bad("Value for 'type' not supported.")
    return deepl.languages(_routes(), kind)


@bp.get("/glossary-language-pairs")
@requires(ANY_KEY)
@bp.doc(summary="Language pairs glossaries can be used for: the installed routes")
def glossary_language_pairs():
    return deepl.glossary_language_pairs(_routes())


@bp.get("/usage")
@requires(ANY_KEY)
@bp.doc(summary="Characters used and allowed: the key's character quota (per its window, e.g. a day)")
def usage():
    characters = access().quotas.usage(current_key())["characters"]
    if characters["limit"] == UNLIMITED:
        return {"character_count": 0, "character_limit": UNLIMITED_CHARACTERS}
    limit = parse_limit(characters["limit"]).amount
    return {"character_count": limit - characters["remaining"], "character_limit": limit}


# -- glossaries -------------------------------------------------------------------------


def _glossary(deepl_id: str):
    """(glossary, target) named by a DeepL glossary id; 404 (GlossaryNotFoundException) otherwise."""
    glossary_id, target = deepl.split_glossary_id(deepl_id)
    try:
        glossary = services().glossaries.get(glossary_id)
    except NotFound:
        glossary = None
    targets = deepl.glossary_targets(glossary) if glossary else []
    if target is None and len(targets) == 1:
        target = targets[0]
    if glossary is None or target not in targets:
        raise Problem(404, "glossary-not-found", "Not found", "Glossary not found.")
    return glossary, target


def _entries_tsv(glossary, target: str) -> str:
    return export_entries(glossary, "tsv", target)


def _info(glossary, target: str) -> dict:
    return deepl.glossary_info(glossary, target, _entries_tsv(glossary, target).count("\n"))


@bp.post("/glossaries")
@requires(GLOSSARY_WRITE)
@accepts_any_body
@bp.doc(summary="Create a glossary from TSV or CSV entries: one of ours, with renderings for target_lang")
def create_glossary():
    params = _params(deepl.GlossaryParams())
    source, target = from_deepl(params["source_lang"]), from_deepl(params["target_lang"])
    _check_glossary_pair(source, target)
    store = services().glossaries
    try:
        tsv = (
            params["entries"]
            if params["entries_format"] == "tsv"
            else deepl.csv_entries(params["entries"], source, target)
        )
        entries = import_entries(tsv, "tsv", source, target, limits=store.limits)
        key = current_key()
        glossary = store.create(
            {"name": params["name"], "source_lang": source, "entries": [entry.to_dict() for entry in entries]},
            key.author(),
            key.tenant,
        )
    except deepl.DeepLError as error:
        raise _bad(error.message)
    except GlossaryError as error:
        raise _bad(f"Invalid glossary entries: {error}")
    except LimitExceeded as error:
        raise _bad(str(error))
    return _info(glossary, target), 201


@bp.get("/glossaries")
@requires(GLOSSARY_READ)
@bp.doc(summary="Every glossary, once per target language it has renderings for")
def list_glossaries():
    store, infos, offset = services().glossaries, [], 0
    while True:
        page, total = store.list(offset, 500)
        infos += [_info(glossary, target) for glossary in page for target in deepl.glossary_targets(glossary)]
        offset += len(page)
        if not page or offset >= total:
            return {"glossaries": infos}


@bp.get("/glossaries/<glossary_id>")
@requires(GLOSSARY_READ)
@bp.doc(summary="One glossary (one target language of one of ours)")
def get_glossary(glossary_id: str):
    return _info(*_glossary(glossary_id))


@bp.get("/glossaries/<glossary_id>/entries")
@requires(GLOSSARY_READ)
@bp.doc(summary="Its entries as TSV (text/tab-separated-values)")
def glossary_entries(glossary_id: str):
    return Response(_entries_tsv(*_glossary(glossary_id)), mimetype="text/tab-separated-values")


@bp.delete("/glossaries/<glossary_id>")
@requires(GLOSSARY_WRITE)
@bp.doc(
    summary="Delete: the whole glossary if this is its only target language, else its renderings for it (a new version)"
)
def delete_glossary(glossary_id: str):
    store = services().glossaries
    for _attempt in range(3):  # an edit in between moves the version: read again
        glossary, target = _glossary(glossary_id)
        try:
            if deepl.glossary_targets(glossary) == [target]:
                store.delete(glossary.id, glossary.version)
            else:
                entries = []
                for entry in glossary.entries:
                    translations = {lang: text for lang, text in entry.translations.items() if lang != target}
                    if translations or entry.keep:
                        entries.append({**entry.to_dict(), "translations": translations})
                store.patch(glossary.id, {"entries": entries}, glossary.version, current_key().author())
        except VersionConflict:
            continue
        return Response(status=204)
    raise Problem(409, "glossary-busy", "Conflict", "The glossary kept changing; retry.")
