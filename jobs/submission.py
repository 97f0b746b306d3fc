"""Submitting a job: may this article be translated into these languages with
these glossaries, and what does it cost? A function over plain values that
returns the job or a typed refusal; no Flask, no Celery.

The native API (POST /v1/jobs), DeepL's /v2/document, LibreTranslate's
/translate_file and the console (through the native API) all call `submit`.
Every refusal that can come is checked before the characters are charged;
what can still fail after the charge (writing the job, sending its tasks) is
refunded, so a refused request costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field as default, replace
from functools import cached_property
from typing import Callable, Protocol

import redis

from glossary.entries import GlossaryError
from glossary.store import GlossaryStore, NotFound
from jobs import record
from jobs.record import JobRequest, Owner
from jobs.store import JobStore
from jobs.time_limits import time_limits
from jobs.webhooks import UnsafeCallbackURL, check_callback_url
from translation.documents import DocumentError, body_characters, parse
from translation.limits import LimitExceeded, SegmentBudget, SegmentLimits, check_units, token_counter

log = logging.getLogger(__name__)

AUTO = "auto"  # a source language to be detected
# Enough of an article to tell its language; the rest adds time, not certainty.
DETECTION_CHARS = 3000
# Seconds a client should wait before retrying a refusal of a part that is away.
QUEUE_RETRY_AFTER = 5
DETECTION_RETRY_AFTER = 1


@dataclass(frozen=True)
class Refusal:
    """Why a request was not accepted, as the HTTP layer needs it: a status, a
    problem type (`slug`), the field at fault (422s), headers and extra members."""

    status: int
    slug: str
    title: str
    detail: str
    field: str | None = None
    headers: dict = default(default_factory=dict)
    extra: dict = default(default_factory=dict)


def invalid(field_name: str, message: str, slug: str = "validation-error", **extra) -> Refusal:
    """A 422 naming the field."""
    return Refusal(422, slug, "Invalid request", f"{field_name}: {message}", field=field_name, extra=extra)


class Unavailable(Exception):
    """A part the submission needs (language detection, the queue) cannot be reached now."""


@dataclass(frozen=True)
class Caller:
    """The key submitting, as the job records it."""

    key_id: str
    prefix: str
    tenant: str
    has_webhook_secret: bool = False


class Meter(Protocol):
    """The caller's character quota: `charge` returns a refusal when the characters do not fit."""

    def charge(self, characters: int) -> Refusal | None: ...

    def refund(self, characters: int) -> None: ...


@dataclass(frozen=True)
class Article:
    title: str
    body: str
    format: str = "text"

    @cached_property  # an office file is unpacked to count its text: once
    def characters(self) -> int:
        """Title and body as the quota and time limits count them (translation.documents.body_characters)."""
        return len(self.title) + body_characters(self.body, self.format)


@dataclass(frozen=True)
class Request:
    """A submission in plain values."""

    article: Article
    target_langs: tuple[str, ...]
    source_lang: str = AUTO
    glossary_ids: tuple[str, ...] = ()
    glossary: dict | None = None  # an inline glossary ({"entries": [...]})
    external_id: str | None = None
    callback_url: str | None = None
    document: dict | None = None  # recorded with the job: the compatibility APIs' uploads
    headline_max: int | None = None  # the automatic checks flag a longer headline
    publish: str = "on_completion"  # or "on_approval" (editorial/review.py)

    @property
    def characters(self) -> int:
        """What it costs against the character quota: title and body (of an office file, the
        text of its units, not its base64), once per target language."""
        return self.article.characters * len(self.target_langs)


@dataclass(frozen=True)
class Submitted:
    job_id: str
    request: JobRequest  # as stored


@dataclass
class Desk:
    """What submitting needs, wired once by the caller (the API's app factory, a CLI)."""

    jobs: JobStore
    glossaries: GlossaryStore
    routes: Callable[[], dict]  # (source, target) -> the route's models
    detect: Callable[[str], dict]  # text -> {language|None, confidence, reason}; raises Unavailable
    dispatch: Callable[[str, str, dict], None]  # (job_id, lang, time limits): send the language's task
    limits: SegmentLimits = default(default_factory=SegmentLimits)
    max_target_langs: int = 10
    time_limit_base_seconds: int = 60
    seconds_per_1000_chars: int = 30
    webhook_secret: str = ""
    webhook_allowed_hosts: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings, jobs: JobStore, glossaries: GlossaryStore, routes, detect, dispatch) -> "Desk":
        return cls(
            jobs,
            glossaries,
            routes,
            detect,
            dispatch,
            SegmentLimits.from_settings(settings),
            settings.max_target_langs,
            settings.task_time_limit_base_seconds,
            settings.task_seconds_per_1000_chars,
            settings.webhook_secret,
            settings.webhook_allowed_hosts,
        )


def submit(desk: Desk, caller: Caller, wanted: Request, meter: Meter) -> Submitted | Refusal:
    """Check, charge, store and queue a job; the job, or why not."""
    checked = check(desk, caller, wanted)
    if isinstance(checked, Refusal):
        return checked
    request, limits = checked
    refused = meter.charge(wanted.characters)
    if refused is not None:
        return refused
    # Nothing above can refuse any more; what follows can only fail, and is refunded.
    try:
        if wanted.external_id:
            # Counted only once the request is valid, so revisions have no gaps from refused submissions.
            request = replace(request, revision=desk.jobs.articles.next_revision(wanted.external_id, caller.tenant))
        job_id = desk.jobs.create(request)
    except BaseException:
        _refund(meter, wanted.characters)
        raise
    try:
        for lang in wanted.target_langs:
            desk.dispatch(job_id, lang, limits)
    except BaseException as error:
        # The broker is unreachable (or full): remove the job rather than leave one that never runs.
        _refund(meter, wanted.characters)
        desk.jobs.delete(job_id, list(wanted.target_langs))
        if _is_full(error) or not isinstance(error, Exception):
            raise  # a full Redis is a 507 (service/problems.py); an interrupt stays one
        log.warning("job %s not queued: %s", job_id, error)
        return Refusal(
            503,
            "queue-unavailable",
            "Queue unavailable",
            "The job queue cannot be reached; retry later.",
            headers={"Retry-After": str(QUEUE_RETRY_AFTER)},
        )
    log.info("job submitted", extra={"job_id": job_id, "langs": list(wanted.target_langs)})
    return Submitted(job_id, request)


def check(desk: Desk, caller: Caller, wanted: Request) -> tuple[JobRequest, dict] | Refusal:
    """Every refusal a submission can meet before it is charged; (the request to
    store, the task time limits) when there is none."""
    article = wanted.article
    try:
        document = parse(article.body, article.format)
    except DocumentError as error:
        return invalid("article.body", str(error))
    detected = None
    source = wanted.source_lang
    if source in (None, AUTO):
        found = detect_source(desk, article.title, document.units)
        if isinstance(found, Refusal):
            return found
        detected = found
        source = detected["language"]
    targets = list(wanted.target_langs)
    refused = check_languages(desk, source, targets)
    if refused:
        return refused
    limits = check_size(desk, article, list(document.units), source, targets)
    if isinstance(limits, Refusal):
        return limits
    if wanted.callback_url:
        refused = check_callback(desk, caller, wanted.callback_url)
        if refused:
            return refused
    pinned = pin_glossaries(desk.glossaries, wanted.glossary_ids, wanted.glossary, source)
    if isinstance(pinned, Refusal):
        return pinned
    request = JobRequest(
        source,
        tuple(targets),
        record.Article(article.title, article.body, article.format),
        tuple(pinned),
        glossary=wanted.glossary or None,
        time_limits=limits,
        owner=Owner(caller.key_id, caller.prefix, caller.tenant),
        detected_source={"language": detected["language"], "confidence": round(detected["confidence"], 3)}
        if detected
        else None,
        external_id=wanted.external_id or None,
        callback_url=wanted.callback_url or None,
        document=wanted.document or None,
        headline_max=wanted.headline_max or None,
        publish=wanted.publish,
    )
    return request, limits


def detect_source(desk: Desk, title: str, units) -> dict | Refusal:
    """{language, confidence} of an article (its title and parsed body units), or why it cannot be told."""
    text = "\n".join([title, *(unit.text for unit in units)]).strip()
    if not any(character.isalpha() for character in text):
        return invalid(
            "source_lang",
            "The article has no words to detect its language from. Name it in source_lang.",
            slug="language-not-detected",
        )
    try:
        found = desk.detect(text[:DETECTION_CHARS])
    except Unavailable as error:
        return Refusal(
            503,
            "interactive-unavailable",
            "Translation unavailable",
            f"Language detection cannot be served now: {error}. Retry later.",
            headers={"Retry-After": str(DETECTION_RETRY_AFTER)},
        )
    if not found["language"]:
        return invalid(
            "source_lang",
            f"The source language could not be detected: {found['reason']}. Name it in source_lang.",
            slug="language-not-detected",
        )
    return found


def check_languages(desk: Desk, source: str, targets: list[str]) -> Refusal | None:
    if len(targets) > desk.max_target_langs:
        return invalid("target_langs", f"At most {desk.max_target_langs} target languages per job.")
    if len(set(targets)) != len(targets):
        return invalid("target_langs", "A language is listed twice.")
    if source in targets:
        return invalid("target_langs", f"The source language {source!r} is also a target.")
    routes = desk.routes()
    missing = [t for t in targets if (source, t) not in routes]
    if missing:
        return invalid(
            "target_langs",
            f"No installed model translates {source} into {', '.join(missing)}.",
            slug="unsupported-language-pair",
            available_pairs=sorted(f"{a}-{b}" for a, b in routes),
        )
    return None


def check_size(desk: Desk, article: Article, units: list, source: str, targets: list[str]) -> dict | Refusal:
    """A refusal for an article no splitting can bring within the segment limits;
    else the task time limits its size calls for."""
    routes = desk.routes()
    first_models = {routes[(source, t)][0] for t in targets}
    budgets = [
        SegmentBudget(desk.limits.max_chars, desk.limits.max_tokens, token_counter(model)) for model in first_models
    ]
    try:
        check_units(
            [(article.title, [])] + [(u.text, [tuple(p) for p in u.protected]) for u in units], desk.limits, budgets
        )
    except LimitExceeded as error:
        return invalid("article", str(error), slug="limit-exceeded", limit=error.setting, limit_value=error.limit)
    hops = max(len(routes[(source, t)]) for t in targets)
    return time_limits(article.characters, hops, desk.time_limit_base_seconds, desk.seconds_per_1000_chars)


def check_callback(desk: Desk, caller: Caller, url: str) -> Refusal | None:
    if not (desk.webhook_secret or caller.has_webhook_secret):
        return invalid(
            "callback_url",
            "webhooks are disabled: neither the service (WEBHOOK_SECRET) nor this API key "
            "has a secret to sign them with",
            slug="webhooks-disabled",
        )
    try:
        check_callback_url(url, desk.webhook_allowed_hosts)
    except UnsafeCallbackURL as refused:
        return invalid("callback_url", str(refused), slug="unsafe-callback-url")
    return None


def pin_glossaries(store: GlossaryStore, ids, inline: dict | None, source: str) -> list[dict] | Refusal:
    """The glossary versions a job uses, pinned now, so editing a glossary
    later never changes a job's results."""
    used = []
    for glossary_id in dict.fromkeys(ids or ()):
        try:
            glossary = store.get(glossary_id)
        except NotFound:
            return invalid("glossary_ids", f"There is no glossary {glossary_id!r}.")
        if glossary.source_lang != source:
            return invalid(
                "glossary_ids",
                f"Glossary {glossary_id!r} is for source language {glossary.source_lang!r}, not {source!r}.",
            )
        used.append({"id": glossary.id, "name": glossary.name, "version": glossary.version})
    if inline:
        try:
            store.inline(inline, source)  # validates, stores nothing
        except GlossaryError as error:
            return invalid(
                "glossary", "; ".join(f"{p.get('field') or ''} {p['reason']}".strip() for p in error.problems)
            )
        # An inline glossary's "version" is its content hash: workers cache term
        # matchers by (id, version), and two jobs' inline glossaries must not collide.
        digest = hashlib.sha256(json.dumps(inline, sort_keys=True).encode()).hexdigest()[:16]
        used.append({"id": "inline", "name": "inline", "version": digest})
    return used


def _refund(meter: Meter, characters: int) -> None:
    """Give the characters back; if even that fails (Redis away), the original error is the one to report."""
    try:
        meter.refund(characters)
    except Exception as error:
        log.error("refund of %d characters failed: %s", characters, error)


def _is_full(error: BaseException) -> bool:
    return isinstance(error, redis.exceptions.OutOfMemoryError) or isinstance(
        error.__cause__, redis.exceptions.OutOfMemoryError
    )
