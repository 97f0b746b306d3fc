"""Request and response schemas: they validate requests and generate the
OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import URL, Boolean, Dict, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Regexp

LANGUAGE_CODE = Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", error="Not a language code (ISO 639, e.g. 'de').")
FORMATS = ("text", "html", "markdown")


class ArticleIn(Schema):
    title = String(required=True, validate=Length(max=2000))
    body = String(required=True)
    format = String(load_default="text", validate=OneOf(FORMATS))


class InlineEntryIn(Schema):
    term = String(required=True)
    variants = List(String(), load_default=list)
    translations = Dict(keys=String(validate=LANGUAGE_CODE), values=String(), load_default=dict)
    keep = Boolean(load_default=False)
    case_sensitive = Boolean(load_default=False)
    note = String(allow_none=True)


class InlineGlossaryIn(Schema):
    entries = List(Nested(InlineEntryIn), required=True, validate=Length(min=1))


class JobIn(Schema):
    source_lang = String(required=True, validate=LANGUAGE_CODE)
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
    target_langs = List(String())
    external_id = String(allow_none=True)
    created_at = String()
    updated_at = String()
    finished_at = String(allow_none=True)
    languages = Dict(keys=String(), values=Nested(LanguageStatus))
    glossaries = List(Dict())
    webhook = Dict()


class TranslationOut(Schema):
    job_id = String()
    lang = String()
    title = String()
    body = String()
    format = String()
    model = List(Dict(), metadata={"description": "Argos packages used, in order (two when pivoting)."})
    glossary = Dict()


class LanguagePair(Schema):
    source = String()
    target = String()
    via = List(String(), metadata={"description": "Packages used, in order."})
    pivot = Boolean()


class LanguagesOut(Schema):
    installed = List(Dict())
    pairs = List(Nested(LanguagePair))


class Health(Schema):
    status = String()
    checks = Dict()
