"""Request and response schemas: they validate requests and generate the
OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import URL, Boolean, Dict, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp

from access import ROLES
from conventions import ID_PATTERN, LANGUAGE_CODE_PATTERN
from translation.documents import FORMATS

LANGUAGE_CODE = Regexp(LANGUAGE_CODE_PATTERN, error="Not a language code (ISO 639, e.g. 'de').")
AUTO = "auto"  # a source language to be detected
SOURCE_LANGUAGE = Regexp(f"^({AUTO}|{LANGUAGE_CODE_PATTERN[1:-1]})$",
                         error="Not a language code (ISO 639, e.g. 'de'), nor 'auto'.")


class ArticleIn(Schema):
    title = String(required=True, validate=Length(max=2000))
    body = String(required=True)
    format = String(load_default="text", validate=OneOf(tuple(FORMATS)))


class EntryIn(Schema):
    term = String(required=True)
    variants = List(String(), load_default=list)
    translations = Dict(keys=String(validate=LANGUAGE_CODE), values=String(), load_default=dict)
    keep = Boolean(load_default=False)
    case_sensitive = Boolean(load_default=False)
    note = String(allow_none=True)


class EntryWithIdIn(EntryIn):
    """An entry in a whole glossary (create, replace): an id, if given, is kept,
    so a glossary read with GET can be sent back with PUT (a restore) and keep
    its entry ids."""

    id = String(validate=Regexp(ID_PATTERN, error="Not an id (1-64 letters, digits, '_' or '-')."))


class InlineGlossaryIn(Schema):
    entries = List(Nested(EntryIn), required=True, validate=Length(min=1))


class GlossaryIn(Schema):
    name = String(required=True, validate=Length(min=1, max=200))
    source_lang = String(required=True, validate=LANGUAGE_CODE)
    description = String(load_default="", validate=Length(max=2000))
    entries = List(Nested(EntryWithIdIn), load_default=list)


class GlossaryPatch(Schema):
    name = String(validate=Length(min=1, max=200))
    description = String(validate=Length(max=2000))
    entries = List(Nested(EntryWithIdIn))


class EntryOut(EntryIn):
    id = String()


class GlossaryOut(Schema):
    id = String()
    name = String()
    source_lang = String()
    description = String()
    version = Integer()
    created_at = String()
    updated_at = String()
    author = Dict(allow_none=True, metadata={"description": "The key that made this version: {key, name}."})
    entries = List(Nested(EntryOut))


class GlossaryList(Schema):
    items = List(Dict())
    total = Integer()
    offset = Integer()
    limit = Integer()


class Page(Schema):
    offset = Integer(load_default=0, validate=Range(min=0))
    limit = Integer(load_default=50, validate=Range(min=1, max=500))


class DownloadQuery(Schema):
    download = Boolean(load_default=False, metadata={"description": "Serve as an attachment (Content-Disposition)."})


class ImportQuery(Schema):
    format = String(required=True, validate=OneOf(("csv", "tsv", "tbx")))
    target_lang = String(validate=LANGUAGE_CODE, metadata={"description": "Required for TSV (one language pair)."})
    mode = String(load_default="append", validate=OneOf(("append", "replace")))


class ExportQuery(Schema):
    format = String(load_default="csv", validate=OneOf(("csv", "tsv", "tbx")))
    target_lang = String(validate=LANGUAGE_CODE)


class JobIn(Schema):
    source_lang = String(load_default=AUTO, validate=SOURCE_LANGUAGE, metadata={
        "description": "Omitted or 'auto': detected (the job records the detected language and its confidence); "
                       "422 when the article's language cannot be told."})
    target_langs = List(String(validate=LANGUAGE_CODE), required=True, validate=Length(min=1))
    article = Nested(ArticleIn, required=True)
    external_id = String(validate=Length(min=1, max=200))
    glossary_ids = List(String(), load_default=list)
    glossary = Nested(InlineGlossaryIn, metadata={"description": "An ad-hoc glossary for this job only."})
    callback_url = URL(schemes={"http", "https"}, require_tld=False)


class Progress(Schema):
    done = Integer()
    total = Integer()


class LanguageStatus(Schema):
    state = String()
    progress = Nested(Progress)
    started_at = String(allow_none=True)
    finished_at = String(allow_none=True)
    error = String()
    model = List(Dict())
    glossary = Dict(metadata={"description": "Glossary report summed over the article."})
    stats = Dict(metadata={"description": "Segments translated by the model and served from the cache."})


class JobOut(Schema):
    id = String()
    state = String(metadata={"enum": ["queued", "running", "succeeded", "failed", "partially_failed", "cancelled"]})
    source_lang = String()
    detected_source = Dict(metadata={"description": "When the source language was detected: {language, confidence}."})
    target_langs = List(String())
    external_id = String(allow_none=True)
    revision = Integer(metadata={"description": "Revision of the article (external_id), counted from 1."})
    created_at = String()
    updated_at = String()
    finished_at = String(allow_none=True)
    languages = Dict(keys=String(), values=Nested(LanguageStatus))
    glossaries = List(Dict())
    webhook = Dict()
    owner = Dict(metadata={"description": "The submitting key's prefix and its tenant."})


class TranslationOut(Schema):
    job_id = String()
    lang = String()
    title = String()
    body = String()
    format = String()
    model = List(Dict(), metadata={"description": "Models used, in order (two when pivoting): engine, model, version,"
                                                  " from, to."})
    glossary = Dict()


class LanguagePair(Schema):
    source = String()
    target = String()
    via = List(String(), metadata={"description": "Models used, in order."})
    engines = List(String(), metadata={"description": "The engine of each model in `via` (argos, bergamot)."})
    pivot = Boolean()


class LanguagesOut(Schema):
    installed = List(Dict())
    pairs = List(Nested(LanguagePair))


class Health(Schema):
    status = String()
    checks = Dict()


class ProblemField(Schema):
    field = String(allow_none=True)
    message = String()


class ProblemDocument(Schema):
    """RFC 9457 problem details: the body of every error response."""

    type = String(metadata={"example": "https://newsroom-translate.example/problems/validation-error"})
    title = String()
    status = Integer()
    detail = String()
    errors = List(Nested(ProblemField), metadata={"description": "Validation errors, one per field."})


# -- access control (service/keys.py, service/auth.py) ------------------------------

LIMIT_HELP = "In the `limits` notation: '600/minute', '1000000/day', '3 per 2 seconds', or 'unlimited'; " \
             "null: the configured default."


class KeyIn(Schema):
    name = String(required=True, validate=Length(min=1, max=100))
    roles = List(String(validate=OneOf(ROLES)), required=True, validate=Length(min=1))
    tenant = String(validate=Regexp(ID_PATTERN), metadata={"description": "Defaults to the key's own id."})
    rate_limit = String(allow_none=True, metadata={"description": "Requests. " + LIMIT_HELP})
    char_quota = String(allow_none=True, metadata={"description": "Characters submitted for translation. " + LIMIT_HELP})
    webhook_secret = Boolean(load_default=False,
                             metadata={"description": "Make a per-key secret for signing this key's webhook events."})


class KeyPatch(Schema):
    name = String(validate=Length(min=1, max=100))
    roles = List(String(validate=OneOf(ROLES)), validate=Length(min=1))
    rate_limit = String(allow_none=True, metadata={"description": LIMIT_HELP})
    char_quota = String(allow_none=True, metadata={"description": LIMIT_HELP})


class KeyOut(Schema):
    id = String()
    prefix = String(metadata={"description": "Tells keys apart in lists and logs; not enough to use the key."})
    name = String()
    tenant = String()
    roles = List(String())
    rate_limit = String(allow_none=True)
    char_quota = String(allow_none=True)
    has_webhook_secret = Boolean(metadata={"description": "Whether the key's webhooks are signed with its own secret."})
    created_at = String()
    created_by = String(allow_none=True)
    revoked = Boolean()
    revoked_at = String(allow_none=True)
    revoked_by = String(allow_none=True)
    rotated_from = String(allow_none=True)
    rotated_to = String(allow_none=True)


class NewKeyOut(KeyOut):
    key = String(metadata={"description": "The API key. Shown this once: only its hash is kept."})
    webhook_secret = String(allow_none=True, metadata={"description": "The per-key webhook secret, shown this once."})


class KeyList(Schema):
    items = List(Nested(KeyOut))
    total = Integer()


class AuditQuery(Schema):
    limit = Integer(load_default=100, validate=Range(min=1, max=1000))


class AuditEntry(Schema):
    at = String()
    action = String()
    key = String()
    endpoint = String(allow_none=True)
    status = Integer()


class AuditOut(Schema):
    key = String()
    items = List(Nested(AuditEntry))


class UsageOut(Schema):
    key = Nested(KeyOut)
    requests = Dict(metadata={"description": "{limit, remaining}"})
    characters = Dict(metadata={"description": "{limit, remaining}"})


class JobListQuery(Page):
    tenant = String(validate=Regexp(ID_PATTERN), metadata={"description": "Admin keys only: one tenant's jobs."})


class JobList(Schema):
    items = List(Dict(), metadata={"description": "Job summaries, newest first."})
    total = Integer()
    offset = Integer()
    limit = Integer()


class GlossaryVersions(Schema):
    items = List(Dict(), metadata={"description": "{version, author, updated_at, entries}, newest first."})
    total = Integer()
    offset = Integer()
    limit = Integer()
