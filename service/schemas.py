"""Request and response schemas: they validate requests and generate the
OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations


from apiflask import Schema
from marshmallow import INCLUDE
from apiflask.fields import URL, Boolean, Dict, File, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp

from access import ROLES
from conventions import ID_PATTERN, LANGUAGE_CODE_PATTERN, lone_surrogate
from glossary.grammar import GENDERS, NUMBERS
from translation.documents import FORMATS

LANGUAGE_CODE = Regexp(LANGUAGE_CODE_PATTERN, error="Not a language code (ISO 639, e.g. 'de').")
AUTO = "auto"  # a source language to be detected
SOURCE_LANGUAGE = Regexp(
    f"^({AUTO}|{LANGUAGE_CODE_PATTERN[1:-1]})$", error="Not a language code (ISO 639, e.g. 'de'), nor 'auto'."
)


class _UnicodeText:
    """Lone surrogates are refused here, with the position, instead of failing
    later (conventions.lone_surrogate)."""

    default_error_messages = {
        "surrogate": "Contains a lone surrogate (U+{code:04X}) at position {position}; text must be valid Unicode."
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        found = lone_surrogate(text)
        if found:
            raise self.make_error("surrogate", code=found[1], position=found[0])
        return text


class Text(_UnicodeText, String):
    """Every string a request may carry."""


class WebURL(_UnicodeText, URL):
    """An http(s) URL, valid Unicode."""


class ArticleIn(Schema):
    title = Text(required=True, validate=Length(max=2000))
    body = Text(required=True)
    format = Text(load_default="text", validate=OneOf(tuple(FORMATS)))


class GrammarIn(Schema):
    gender = Text(validate=OneOf(GENDERS), allow_none=True)
    number = Text(validate=OneOf(NUMBERS), allow_none=True)
    article = Boolean(allow_none=True)


class EntryIn(Schema):
    term = Text(required=True)
    variants = List(Text(), load_default=list)
    translations = Dict(keys=Text(validate=LANGUAGE_CODE), values=Text(), load_default=dict)
    keep = Boolean(load_default=False)
    case_sensitive = Boolean(load_default=False)
    note = Text(allow_none=True)
    grammar = Dict(
        keys=Text(validate=LANGUAGE_CODE),
        values=Nested(GrammarIn),
        load_default=dict,
        metadata={
            "description": "Per target language: the rendering's gender, number and whether "
            "it takes an article, to make the words around it agree."
        },
    )
    match_inside_names = Boolean(
        load_default=False,
        metadata={"description": 'Also rewrite the term inside a longer proper name ("BBC Scotland", "non-UK").'},
    )


class EntryWithIdIn(EntryIn):
    """An entry in a whole glossary (create, replace): an id, if given, is kept,
    so a glossary read with GET can be sent back with PUT (a restore) and keep
    its entry ids."""

    id = Text(validate=Regexp(ID_PATTERN, error="Not an id (1-64 letters, digits, '_' or '-')."))


class InlineGlossaryIn(Schema):
    entries = List(Nested(EntryIn), required=True, validate=Length(min=1))


class GlossaryIn(Schema):
    name = Text(required=True, validate=Length(min=1, max=200))
    source_lang = Text(required=True, validate=LANGUAGE_CODE)
    description = Text(load_default="", validate=Length(max=2000))
    entries = List(Nested(EntryWithIdIn), load_default=list)


class GlossaryPatch(Schema):
    name = Text(validate=Length(min=1, max=200))
    description = Text(validate=Length(max=2000))
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
    offset = Integer(load_default=0, validate=Range(min=0, max=2**31))
    limit = Integer(load_default=50, validate=Range(min=1, max=500))


class DownloadQuery(Schema):
    download = Boolean(load_default=False, metadata={"description": "Serve as an attachment (Content-Disposition)."})


class ImportQuery(Schema):
    format = Text(required=True, validate=OneOf(("csv", "tsv", "tbx")))
    target_lang = Text(validate=LANGUAGE_CODE, metadata={"description": "Required for TSV (one language pair)."})
    mode = Text(load_default="append", validate=OneOf(("append", "replace")))


class ExportQuery(Schema):
    format = Text(load_default="csv", validate=OneOf(("csv", "tsv", "tbx")))
    target_lang = Text(validate=LANGUAGE_CODE)


class JobIn(Schema):
    source_lang = Text(
        load_default=AUTO,
        validate=SOURCE_LANGUAGE,
        metadata={
            "description": "Omitted or 'auto': detected (the job records the detected language and its confidence); "
            "422 when the article's language cannot be told."
        },
    )
    target_langs = List(Text(validate=LANGUAGE_CODE), required=True, validate=Length(min=1))
    article = Nested(ArticleIn, required=True)
    external_id = Text(validate=Length(min=1, max=200))
    glossary_ids = List(Text(), load_default=list)
    glossary = Nested(InlineGlossaryIn, metadata={"description": "An ad-hoc glossary for this job only."})
    callback_url = WebURL(schemes={"http", "https"}, require_tld=False)
    headline_max = Integer(
        validate=Range(min=1, max=10000),
        metadata={
            "description": "Flag the translated title when longer than this many characters (the headline check)."
        },
    )
    publish = Text(
        load_default="on_completion",
        validate=OneOf(("on_completion", "on_approval")),
        metadata={
            "description": "When the external_id's revision is published and the webhook announces a translation: "
            "when it is translated (`on_completion`), or when a reviewer approves it (`on_approval`; "
            "event `translation.approved`). See docs/editorial.md."
        },
    )


class JobUploadIn(Schema):
    """A job whose article is a file (multipart/form-data): the same job as JobIn."""

    file = File(
        required=True,
        metadata={"description": "The article: " + ", ".join(e for f in FORMATS.values() for e in f.extensions) + "."},
    )
    target_langs = Text(required=True, metadata={"description": "Comma-separated language codes, e.g. 'de,fr'."})
    source_lang = Text(load_default=AUTO, validate=SOURCE_LANGUAGE)
    format = Text(validate=OneOf(tuple(FORMATS)), metadata={"description": "Default: from the file's extension."})
    title = Text(load_default="", validate=Length(max=2000))
    glossary_ids = Text(load_default="", metadata={"description": "Comma-separated glossary ids."})
    external_id = Text(validate=Length(min=1, max=200))
    callback_url = WebURL(schemes={"http", "https"}, require_tld=False)


class Progress(Schema):
    done = Integer()
    total = Integer()


class LanguageStatus(Schema):
    state = String(metadata={"enum": ["queued", "running", "succeeded", "failed", "cancelled"]})
    progress = Nested(Progress)
    attempts = Integer(
        metadata={
            "description": "Times a worker started this language; more than 1 after a "
            "worker was lost and the language was queued again."
        }
    )
    started_at = String(allow_none=True)
    finished_at = String(allow_none=True)
    error = String()
    model = List(Dict())
    glossary = Dict(metadata={"description": "Glossary report summed over the article."})
    stats = Dict(
        metadata={
            "description": "Segments translated by the model and served from the cache; "
            "memory_hits, memory_rejected, human_kept when the editorial memory "
            "was used."
        }
    )
    review = Dict(
        metadata={
            "description": "Editorial state: {state: machine|edited|approved, version, "
            "segments: {machine, memory, human}, approved: {by, at}}."
        }
    )


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
    publish = String(metadata={"enum": ["on_completion", "on_approval"]})


class TranslationOut(Schema):
    job_id = String()
    lang = String()
    title = String()
    body = String()
    format = String()
    model = List(
        Dict(), metadata={"description": "Models used, in order (two when pivoting): engine, model, version, from, to."}
    )
    glossary = Dict()
    checks = Dict(
        metadata={
            "description": "The automatic checks: counts per check and severity, and each flagged"
            " segment with its findings (filter them at ./checks)."
        }
    )


class ChecksQuery(Schema):
    check = Text(
        metadata={
            "description": "Only these checks, comma-separated: numbers, currency, names, untranslated,"
            " omission, repetition, marks, identifiers, glossary, headline."
        }
    )
    severity = Text(
        validate=OneOf(("error", "warning", "info")),
        metadata={"description": "The least serious severity to include (error: errors only)."},
    )


class ChecksOut(Schema):
    job_id = String()
    lang = String()
    checked = Boolean(metadata={"description": "False when the translation was stored without checks."})
    segments = Integer(metadata={"description": "Segments of the translation."})
    flagged = Integer(metadata={"description": "Segments with at least one finding (after the filters)."})
    by_severity = Dict(metadata={"description": "Flagged segments per worst severity."})
    by_check = Dict(metadata={"description": "Flagged segments per check."})
    clauses_checked = Boolean(
        metadata={
            "description": "Whether a reverse model was at hand to confirm the names and clause findings"
            " (CHECKS_BACK_TRANSLATE)."
        }
    )
    back_translated = Integer(metadata={"description": "Segments translated back to confirm a finding."})
    flagged_segments = List(
        Dict(),
        metadata={
            "description": "Per flagged segment: index, unit (0: the title), source, target, severity, findings (code,"
            " check, severity, message, source and target [start, end] or null)."
        },
    )


class SegmentEditIn(Schema):
    target = Text(required=True, validate=Length(max=20000))
    inline = List(
        List(Integer(), validate=Length(equal=2), allow_none=True),
        metadata={
            "description": "Optional: the target range [start, end) of each inline-markup phrase of the segment, in "
            "the order of its `markup` entries of kind `inline`; null where unknown. Omitted: the "
            "markup is placed in proportion."
        },
    )


class SegmentsOut(Schema):
    job_id = String()
    lang = String()
    version = Integer(metadata={"description": 'Goes up with every change; the ETag is "v{version}".'})
    review = Dict(metadata={"description": "{state: machine|edited|approved, version, segments, approved}"})
    segments = List(
        Dict(),
        metadata={
            "description": "{id, source, target, markup: [{kind, source, target}], "
            "provenance: {kind: machine|memory|human, ...}}"
        },
    )


class SuggestionsOut(Schema):
    segment = String()
    source = String()
    suggestions = List(Dict(), metadata={"description": "{entry: a memory entry, score: 0-100}, best first"})


class ApprovalOut(Schema):
    job_id = String()
    lang = String()
    review = Dict()
    published = Boolean(metadata={"description": "Whether approving published the article's revision now."})


class XliffQuery(Schema):
    version = Text(load_default="2.0", validate=OneOf(("1.2", "2.0")))


class MemoryEntriesQuery(Schema):
    q = Text(load_default="", validate=Length(max=500))
    offset = Integer(load_default=0, validate=Range(min=0))
    limit = Integer(load_default=50, validate=Range(min=1, max=500))


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
    message = String(metadata={"description": "What is wrong with a request field."})
    line = Integer(allow_none=True, metadata={"description": "Line of an imported glossary file."})
    reason = String(metadata={"description": "What is wrong with a glossary entry or imported line."})


class ProblemDocument(Schema):
    """RFC 9457 problem details: the body of every error response. Problem
    types may add members (RFC 9457 extensions); the ones in use are listed."""

    class Meta:
        unknown = INCLUDE

    type = String(metadata={"example": "https://newsroom-translate.example/problems/validation-error"})
    title = String()
    status = Integer()
    detail = String()
    errors = List(Nested(ProblemField), metadata={"description": "Validation errors, one per field."})
    available_pairs = List(String(), metadata={"description": "unsupported-language-pair: pairs that are installed"})
    limit = String(
        metadata={
            "description": "limit-exceeded: the setting that was exceeded; "
            "rate-limited, quota-exceeded: the key's limit"
        }
    )
    limit_value = Integer(metadata={"description": "limit-exceeded: the setting's value"})
    retry_after = Integer(metadata={"description": "rate-limited, quota-exceeded: seconds to wait"})
    required_role = String(metadata={"description": "missing-role: the role the operation needs"})
    current_version = Integer(metadata={"description": "stale-version: the glossary's current version"})
    state = String(metadata={"description": "translation-not-ready: the language's state"})


# -- access control (service/keys.py, service/auth.py) ------------------------------

LIMIT_HELP = (
    "In the `limits` notation: '600/minute', '1000000/day', '3 per 2 seconds', or 'unlimited'; "
    "null: the configured default."
)


class KeyIn(Schema):
    name = Text(required=True, validate=Length(min=1, max=100))
    roles = List(Text(validate=OneOf(ROLES)), required=True, validate=Length(min=1))
    tenant = Text(validate=Regexp(ID_PATTERN), metadata={"description": "Defaults to the key's own id."})
    rate_limit = Text(allow_none=True, metadata={"description": "Requests. " + LIMIT_HELP})
    char_quota = Text(allow_none=True, metadata={"description": "Characters submitted for translation. " + LIMIT_HELP})
    webhook_secret = Boolean(
        load_default=False, metadata={"description": "Make a per-key secret for signing this key's webhook events."}
    )


class KeyPatch(Schema):
    name = Text(validate=Length(min=1, max=100))
    roles = List(Text(validate=OneOf(ROLES)), validate=Length(min=1))
    rate_limit = Text(allow_none=True, metadata={"description": LIMIT_HELP})
    char_quota = Text(allow_none=True, metadata={"description": LIMIT_HELP})


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
    tenant = Text(validate=Regexp(ID_PATTERN), metadata={"description": "Admin keys only: one tenant's jobs."})


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
