"""The stored job, typed: the one module that turns a job's Redis hashes into
records and back. Jobs live 7 days; a field renamed here is a migration
(`migrate`), never a silent break of the jobs already stored.

    job:{id}             hash: request (JSON, a `JobRequest` with its
                         `schema_version`), created_at, cancelled
    job:{id}:lang:{xx}   hash: a `LanguageRecord` (its state machine is written
                         by jobs/lease_scripts.py under the same field names),
                         and the result (JSON), read on its own

Schema versions of the request:
  1  (no `schema_version`): what the service stored until issue 22; the
     article's `format` and the pinned `glossaries` could be missing.
  2  every field present; `schema_version` written.
  3  `publish`: when a revision is published and announced, "on_completion"
     (what every earlier job did) or "on_approval" (issue 24, editorial/).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum

from conventions import iso

SCHEMA_VERSION = 3


class State(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED})
ACTIVE = (State.QUEUED, State.RUNNING)
PARTIALLY_FAILED = "partially_failed"  # a job's state only, derived from its languages


class JobNotFound(Exception):
    """No such job (never was, or expired)."""


class UnknownSchema(ValueError):
    """A record written by a newer version of the service than this one."""


@dataclass(frozen=True)
class Article:
    title: str
    body: str
    format: str = "text"


@dataclass(frozen=True)
class Owner:
    key: str  # the submitting key's id
    prefix: str  # what the API shows of it
    tenant: str


@dataclass(frozen=True)
class JobRequest:
    """What was submitted, as checked and completed by jobs/submission.py."""

    source_lang: str
    target_langs: tuple[str, ...]
    article: Article
    glossaries: tuple[dict, ...] = ()  # pinned versions: {id, name, version}
    glossary: dict | None = None  # the inline glossary, when there is one
    time_limits: dict | None = None  # {soft, hard} seconds
    owner: Owner | None = None
    detected_source: dict | None = None  # {language, confidence} when the source was detected
    external_id: str | None = None
    revision: int | None = None  # of the external_id's article, with external_id
    callback_url: str | None = None
    document: dict | None = None  # the compatibility APIs' upload: {api, filename, characters, ...}
    headline_max: int | None = None  # characters: the checks flag a longer headline (checks/headline.py)
    publish: str = "on_completion"  # or "on_approval": revision and webhook wait for a reviewer
    schema_version: int = SCHEMA_VERSION

    @property
    def tenant(self) -> str:
        return self.owner.tenant if self.owner else ""

    def publication(self) -> tuple[str, int, str] | None:
        """(external_id, revision, tenant) when a CMS article's revision is published with the result."""
        if not self.external_id or self.revision is None:
            return None
        return (self.external_id, self.revision, self.tenant)


@dataclass(frozen=True)
class LanguageRecord:
    """One target language of a job: its state and what the API shows of it."""

    state: State
    done: int = 0
    total: int = 0
    attempts: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    updated_at: float | None = None
    error: str | None = None
    glossary: dict | None = None  # the glossary report
    stats: dict | None = None
    model: list | None = None  # the route's models
    review: dict | None = None  # the editorial state (editorial/store.py writes it)

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL


@dataclass(frozen=True)
class JobRecord:
    id: str
    request: JobRequest
    created_at: float
    cancelled: bool
    languages: dict[str, LanguageRecord] = field(default_factory=dict)
    deliveries: tuple[dict, ...] = ()  # webhook deliveries, when the job has a callback_url

    @property
    def state(self) -> str:
        return overall_state([language.state for language in self.languages.values()], self.cancelled)


def overall_state(states: list[str], cancelled: bool) -> str:
    """A job's state, derived from its languages' (never stored, so it cannot disagree with them)."""
    if any(s in ACTIVE for s in states):
        return State.QUEUED if all(s == State.QUEUED for s in states) else State.RUNNING
    if cancelled and State.CANCELLED in states:
        return State.CANCELLED
    if all(s == State.SUCCEEDED for s in states):
        return State.SUCCEEDED
    if all(s == State.FAILED for s in states):
        return State.FAILED
    return PARTIALLY_FAILED


# -- the request -----------------------------------------------------------------------------


def migrate(data: dict) -> dict:
    """A stored request of any known schema version as the current version's fields."""
    version = data.get("schema_version", 1)
    if version > SCHEMA_VERSION:
        raise UnknownSchema(f"job request of schema version {version}; this service reads up to {SCHEMA_VERSION}")
    if version == 1:
        article = data["article"]
        data = {
            **data,
            "article": {"format": "text", **article},
            "glossaries": data.get("glossaries") or [],
            "schema_version": 2,
        }
        data.pop("glossary_ids", None)  # never used after submission
        version = 2
    if version == 2:
        data = {**data, "publish": "on_completion", "schema_version": 3}
    return data


_REQUEST_FIELDS = {f.name for f in fields(JobRequest)}


def load_request(raw: bytes | str) -> JobRequest:
    return request_from_dict(json.loads(raw))


def request_from_dict(data: dict) -> JobRequest:
    """A request from its JSON fields, of any known schema version."""
    data = migrate(data)
    data = {name: value for name, value in data.items() if name in _REQUEST_FIELDS}
    owner = data.pop("owner", None)
    return JobRequest(
        **{
            **data,
            "target_langs": tuple(data["target_langs"]),
            "article": Article(**data["article"]),
            "glossaries": tuple(data.get("glossaries") or ()),
            "owner": Owner(**owner) if owner else None,
        }
    )


def dump_request(request: JobRequest) -> str:
    data = {name: value for name, value in asdict(request).items() if value is not None}
    data["target_langs"] = list(request.target_langs)
    data["glossaries"] = list(request.glossaries)
    return json.dumps(data)


# -- the job and its languages -----------------------------------------------------------------


def _text(raw: dict) -> dict[str, str]:
    return {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in raw.items()
    }


def _number(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def new_job_fields(request: JobRequest, job_id: str, created_at: float) -> dict:
    return {"id": job_id, "request": dump_request(request), "created_at": created_at, "cancelled": 0}


def new_language_fields(created_at: float) -> dict:
    return {"state": State.QUEUED.value, "done": 0, "total": 0, "attempts": 0, "updated_at": created_at}


def load_language(raw: dict) -> LanguageRecord:
    data = _text(raw)
    return LanguageRecord(
        state=State(data["state"]),
        done=int(data.get("done") or 0),
        total=int(data.get("total") or 0),
        attempts=int(data.get("attempts") or 0),
        started_at=_number(data.get("started_at")),
        finished_at=_number(data.get("finished_at")),
        updated_at=_number(data.get("updated_at")),
        error=data.get("error") or None,
        **{
            name: json.loads(data[name]) if data.get(name) else None
            for name in ("glossary", "stats", "model", "review")
        },
    )


def load_job(
    job_id: str, raw_job: dict, raw_languages: dict[str, dict], raw_deliveries: dict | None = None
) -> JobRecord:
    data = _text(raw_job)
    request = load_request(data["request"])
    deliveries = sorted((json.loads(v) for v in (raw_deliveries or {}).values()), key=lambda d: d.get("created_at", 0))
    return JobRecord(
        job_id,
        request,
        float(data["created_at"]),
        data.get("cancelled") == "1",
        {lang: load_language(raw_languages[lang]) for lang in request.target_langs if raw_languages.get(lang)},
        tuple(deliveries),
    )


def success_fields(result: dict, report: dict | None, stats: dict) -> dict:
    """What a succeeded language stores besides its state."""
    fields_ = {"result": json.dumps(result), "stats": json.dumps(stats), "model": json.dumps(result.get("model"))}
    if report is not None:
        fields_["glossary"] = json.dumps(report)
    return fields_


def load_result(raw: bytes | None) -> dict | None:
    return json.loads(raw) if raw else None


def iso_or_none(stamp: float | None) -> str | None:
    return iso(stamp) if stamp is not None else None
