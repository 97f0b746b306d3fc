"""DeepL's API (v2) in this service's terms, as the official `deepl` client calls it.

Requests are read with marshmallow schemas (form bodies and JSON bodies alike:
deepl >= 1.x sends JSON, curl users and older clients send forms); results are
written in DeepL's shapes. What the client depends on, measured against
deepl 1.32.0: every translation carries `billed_characters`; error bodies carry
a string `message`; a bad key is 403 (401 is "unexpected" to it), an exhausted
character quota 456, a rate limit 429 (which it retries), bad parameters 400.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from compat import codes
from conventions import from_iso, iso

FORMALITIES = ("default", "prefer_more", "prefer_less", "more", "less")
MODEL_TYPES = ("quality_optimized", "prefer_quality_optimized", "latency_optimized")
# One model per language pair, small and fast: what DeepL calls its latency-optimised
# ("classic") model. Every model_type is served by it and reported as such.
MODEL_TYPE_USED = "latency_optimized"
# Parameters DeepL has and this service cannot honour: refused, so a client
# never believes a style or memory was applied when it was not.
REFUSED = {
    "style_id": "style rules are not supported",
    "translation_memory_id": "translation memories are not supported",
    "translation_memory_threshold": "translation memories are not supported",
    "custom_instructions": "custom instructions are not supported",
}
# File types a document upload may have, and the format each is translated as.
DOCUMENT_FORMATS = {
    "txt": "text",
    "html": "html",
    "htm": "html",
    "md": "markdown",
    "markdown": "markdown",
    "docx": "docx",
    "odt": "odt",
    "pptx": "pptx",
    "srt": "srt",
    "vtt": "vtt",
}


class DeepLError(Exception):
    """A request DeepL would refuse: its status and message, as the client shows them."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _flag(value) -> bool:
    """DeepL's booleans: JSON true/false, or "0"/"1" in forms."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE  # DeepL ignores parameters it does not know; so do we


class TranslateParams(_Lenient):
    text = fields.List(fields.String(), required=True)
    target_lang = fields.String(required=True)
    source_lang = fields.String(load_default=None, allow_none=True)
    tag_handling = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("html", "xml")))
    tag_handling_version = fields.String(load_default=None, allow_none=True)
    split_sentences = fields.String(load_default="1", validate=validate.OneOf(("0", "1", "nonewlines")))
    preserve_formatting = fields.Raw(load_default=False)
    formality = fields.String(load_default="default", validate=validate.OneOf(FORMALITIES))
    glossary_id = fields.String(load_default=None, allow_none=True)
    glossary_ids = fields.List(fields.String(), load_default=list)
    context = fields.String(load_default=None, allow_none=True)
    model_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MODEL_TYPES))
    show_billed_characters = fields.Raw(load_default=True)
    outline_detection = fields.Raw(load_default=True)
    ignore_tags = fields.List(fields.String(), load_default=list)
    non_splitting_tags = fields.List(fields.String(), load_default=list)
    splitting_tags = fields.List(fields.String(), load_default=list)

    @pre_load
    def _shapes(self, data, **_):
        data = dict(data)
        if isinstance(data.get("text"), str):
            data["text"] = [data["text"]]
        for name in ("ignore_tags", "non_splitting_tags", "splitting_tags", "glossary_ids"):
            if isinstance(data.get(name), str):  # forms: comma-separated
                data[name] = [tag.strip() for tag in data[name].split(",") if tag.strip()]
        return data


class DocumentParams(_Lenient):
    target_lang = fields.String(required=True)
    source_lang = fields.String(load_default=None, allow_none=True)
    formality = fields.String(load_default="default", validate=validate.OneOf(FORMALITIES))
    glossary_id = fields.String(load_default=None, allow_none=True)
    glossary_ids = fields.String(load_default=None, allow_none=True)  # comma-joined by the client
    output_format = fields.String(load_default=None, allow_none=True)


class GlossaryParams(_Lenient):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source_lang = fields.String(required=True)
    target_lang = fields.String(required=True)
    entries = fields.String(required=True)
    entries_format = fields.String(load_default="tsv", validate=validate.OneOf(("tsv", "csv")))


def load(schema: Schema, data: dict) -> dict:
    """Validated parameters, or a DeepLError naming the parameter as DeepL does."""
    refused = [name for name in REFUSED if data.get(name) not in (None, "", [])]
    if refused:
        raise DeepLError(f"Parameter '{refused[0]}' is not supported: {REFUSED[refused[0]]}.")
    try:
        return schema.load(data)
    except ValidationError as error:
        name, messages = next(iter(error.messages.items()))
        message = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], str) else messages
        if message == "Missing data for required field.":
            raise DeepLError(f"Parameter '{name}' not specified.")
        raise DeepLError(f"Value for '{name}' not supported: {message}")


def form_to_dict(form, list_fields=("text",)) -> dict:
    """A form body as the schemas read it: repeated `text` fields become a list."""
    data = {key: form.get(key) for key in form.keys()}
    for name in list_fields:
        if name in form:
            data[name] = form.getlist(name)
    return data


# -- translation --------------------------------------------------------------------


@dataclass
class TextRequest:
    """A /v2/translate request in this service's terms."""

    texts: list[str]
    source: str | None  # None: detect
    target: str
    format: str  # "text" or "html"
    glossary_ids: list[str] = field(default_factory=list)
    model_type: str | None = None  # as asked; the answer then says which model was used


def refuse_formality(formality: str, target_code: str) -> None:
    if formality in ("more", "less"):
        # Listed as supports_formality false for every target: DeepL's answer for those.
        raise DeepLError(f"Target language '{target_code.upper()}' doesn't support formality.")


def text_request(params: dict) -> TextRequest:
    if not params["text"]:
        raise DeepLError("Parameter 'text' not specified.")
    target = codes.from_deepl(params["target_lang"])
    source = codes.from_deepl(params["source_lang"])
    refuse_formality(params["formality"], params["target_lang"])
    glossaries = [params["glossary_id"]] if params["glossary_id"] else []
    glossaries += [g for g in params["glossary_ids"] if g not in glossaries]
    if glossaries and source is None:
        raise DeepLError("Use of a glossary requires the source_lang parameter to be set.")
    if params["ignore_tags"]:
        raise DeepLError(
            "Parameter 'ignore_tags' is not supported: mark such elements translate=\"no\" "
            '(or class="notranslate"), which tag_handling=html keeps verbatim.'
        )
    # XML is read as HTML: tags are kept byte for byte, inline HTML elements stay in their sentence.
    fmt = "html" if params["tag_handling"] else "text"
    return TextRequest(params["text"], source, target, fmt, glossaries, params["model_type"])


def translations(results: list[dict], texts: list[str], model_type: str | None = None) -> dict:
    """{translations: [...]}: one per text, in order; `billed_characters` is what the client requires,
    `model_type_used` is answered when `model_type` was asked (as DeepL does)."""
    answered = []
    for result, text in zip(results, texts):
        item = {
            "detected_source_language": codes.to_deepl_source(result["source"]),
            "text": result["text"],
            "billed_characters": len(text),
        }
        if model_type is not None:
            item["model_type_used"] = MODEL_TYPE_USED
        answered.append(item)
    return {"translations": answered}


# -- languages and usage ------------------------------------------------------------


def languages(routes, kind: str) -> list[dict]:
    """GET /v2/languages: every source (or target) some installed route serves."""
    if kind == "target":
        ours = sorted({target for _source, target in routes})
        return [
            {"language": code, "name": codes.deepl_name(code), "supports_formality": False}
            for lang in ours
            for code in codes.to_deepl_targets(lang)
        ]
    ours = sorted({source for source, _target in routes})
    return [{"language": codes.to_deepl_source(lang), "name": codes.name(lang)} for lang in ours]


def glossary_language_pairs(routes) -> dict:
    return {"supported_languages": [{"source_lang": s, "target_lang": t} for s, t in sorted(routes)]}


# -- glossaries ----------------------------------------------------------------------
#
# A glossary here has one source language and renderings for any number of
# targets; a DeepL (v2) glossary is one pair. Each of our glossaries therefore
# appears to DeepL's clients once per target language it has renderings for,
# as "<our id>.<target>". A glossary made through DeepL's API is one of ours
# with renderings for one target, and the same id without the suffix works too.

GLOSSARY_ID_SEPARATOR = "."


def glossary_id(ours: str, target: str) -> str:
    return f"{ours}{GLOSSARY_ID_SEPARATOR}{target}"


def split_glossary_id(deepl_id: str) -> tuple[str, str | None]:
    """'abc.de' -> ('abc', 'de'); 'abc' -> ('abc', None)."""
    ours, _, target = deepl_id.partition(GLOSSARY_ID_SEPARATOR)
    return ours, (target or None)


def glossary_targets(glossary) -> list[str]:
    """The target languages a glossary has renderings for (kept terms alone make none)."""
    return sorted({lang for entry in glossary.entries for lang in entry.translations})


def glossary_info(glossary, target: str, entry_count: int) -> dict:
    return {
        "glossary_id": glossary_id(glossary.id, target),
        "name": glossary.name,
        "ready": True,
        "source_lang": glossary.source_lang,
        "target_lang": target,
        # The client parses "%Y-%m-%dT%H:%M:%S.%f%z": milliseconds and a zone, always.
        "creation_time": iso(glossary.created_at or 1e-3),
        "entry_count": entry_count,
    }


def csv_entries(text: str, source: str, target: str) -> str:
    """DeepL's glossary CSV (`source,target[,source_lang,target_lang]`, no header) as its TSV.

    Rows for another language pair are skipped, as DeepL does; a row with a
    tab, a wrong column count or an empty term is refused.
    """
    lines = []
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise DeepLError(f"Invalid glossary entries: malformed CSV ({error}).")
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) not in (2, 4):
            raise DeepLError(f"Invalid glossary entries: line {number} has {len(row)} columns; expected 2 or 4.")
        if len(row) == 4 and (codes.from_deepl(row[2]), codes.from_deepl(row[3])) != (source, target):
            continue
        term, rendering = row[0].strip(), row[1].strip()
        if "\t" in term + rendering or not term or not rendering:
            raise DeepLError(f"Invalid glossary entries: line {number} has an empty term or a tab.")
        lines.append(f"{term}\t{rendering}")
    if not lines:
        raise DeepLError("Invalid glossary entries: no entries for this language pair.")
    return "\n".join(lines)


# -- documents -----------------------------------------------------------------------


def document_format(filename: str, output_format: str | None) -> str:
    """The article format an uploaded file is translated as; DeepLError for other file types."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in DOCUMENT_FORMATS:
        raise DeepLError(
            f"Invalid file data: file type '.{extension}' is not supported; "
            f"supported: {', '.join('.' + e for e in DOCUMENT_FORMATS)}."
        )
    wanted = (output_format or extension).lower().lstrip(".")
    if DOCUMENT_FORMATS.get(wanted) != DOCUMENT_FORMATS[extension]:
        raise DeepLError("Conversion between different document types is not supported.")
    return DOCUMENT_FORMATS[extension]


# Job state -> DeepL document status.
DOCUMENT_STATUS = {
    "queued": "queued",
    "running": "translating",
    "succeeded": "done",
    "failed": "error",
    "partially_failed": "error",
    "cancelled": "error",
}


def document_status(document_id: str, job: dict, characters: int) -> dict:
    lang = next(iter(job["languages"].values()))
    status = {"document_id": document_id, "status": DOCUMENT_STATUS[job["state"]]}
    if status["status"] == "translating":
        done, total = lang["progress"]["done"], lang["progress"]["total"]
        if done and total:
            elapsed = time.time() - from_iso(lang["started_at"])
            status["seconds_remaining"] = max(1, round(elapsed * (total - done) / done))
    if status["status"] == "done":
        status["billed_characters"] = characters
    if status["status"] == "error":
        status["error_message"] = lang.get("error") or f"the translation was {job['state']}"
    return status


# -- errors ----------------------------------------------------------------------------


def error(doc: dict, headers: dict) -> tuple[dict, int, dict]:
    """A problem document as DeepL answers: {"message": …} with the status its clients expect."""
    status = doc["status"]
    kind = doc.get("type", "").rsplit("/", 1)[-1]
    if status == 401:
        status = 403  # deepl raises AuthorizationException for 403 only
    elif status == 429 and kind == "quota-exceeded":
        status = 456  # QuotaExceededException
    elif status in (415, 422):
        status = 400
    headers = {k: v for k, v in headers.items() if k.lower() != "www-authenticate"}
    return {"message": doc.get("detail") or doc.get("title") or "error"}, status, headers
