"""The submission use case (jobs/submission.py) on its own: plain values, fakeredis,
a meter and a dispatcher that record what they are asked; no Flask, no Celery."""

from __future__ import annotations

import fakeredis
import pytest
import redis

from glossary.store import GlossaryStore
from jobs import submission
from jobs.store import JobStore
from jobs.submission import Article, Caller, Desk, Refusal, Request, Submitted, Unavailable, submit
from translation.engines import ModelInfo

CALLER = Caller("k1", "nt_live_k1", "desk-a")
ROUTES = {("en", t): [ModelInfo("upper", f"en_{t}", "1", "en", t)] for t in ("de", "fr")}


class Meter:
    def __init__(self, refuse: bool = False):
        self.refuse, self.charged, self.refunded = refuse, [], []

    def charge(self, characters: int) -> Refusal | None:
        if self.refuse:
            return Refusal(429, "quota-exceeded", "Character quota exceeded", "no characters left")
        self.charged.append(characters)
        return None

    def refund(self, characters: int) -> None:
        self.refunded.append(characters)

    @property
    def balance(self) -> int:
        return sum(self.charged) - sum(self.refunded)


@pytest.fixture()
def desk():
    client = fakeredis.FakeRedis()
    sent = []
    made = Desk(
        JobStore(client),
        GlossaryStore(client),
        lambda: ROUTES,
        detect=lambda text: {"language": "en", "confidence": 0.93, "reason": ""},
        dispatch=lambda job_id, lang, limits: sent.append((job_id, lang, limits)),
        max_target_langs=2,
    )
    made.sent = sent
    return made


def request(**changes) -> Request:
    return Request(
        **{"article": Article("Title", "A short text."), "target_langs": ("de", "fr"), "source_lang": "en", **changes}
    )


def test_an_accepted_job_is_stored_queued_and_charged_once(desk):
    meter = Meter()
    done = submit(desk, CALLER, request(external_id="story-1", document={"api": "deepl"}), meter)
    assert isinstance(done, Submitted)
    assert meter.charged == [2 * len("TitleA short text.")] and meter.refunded == []
    assert [(job_id, lang) for job_id, lang, _ in desk.sent] == [(done.job_id, "de"), (done.job_id, "fr")]
    stored = desk.jobs.request(done.job_id)
    assert stored == done.request
    assert (stored.owner.key, stored.owner.prefix, stored.owner.tenant) == ("k1", "nt_live_k1", "desk-a")
    assert (stored.revision, stored.document, stored.glossaries) == (1, {"api": "deepl"}, ())
    assert stored.time_limits == desk.sent[0][2]


def test_a_detected_source_is_recorded(desk):
    done = submit(desk, CALLER, request(source_lang="auto"), Meter())
    assert desk.jobs.request(done.job_id).detected_source == {"language": "en", "confidence": 0.93}


def unavailable(text):
    raise Unavailable("no answer within 0.5 s")


@pytest.mark.parametrize(
    "changes, status, slug",
    [
        ({"target_langs": ("xx",)}, 422, "unsupported-language-pair"),
        ({"target_langs": ("de", "de")}, 422, "validation-error"),
        ({"target_langs": ("de", "fr", "es")}, 422, "validation-error"),
        ({"source_lang": "de"}, 422, "validation-error"),  # de is also a target
        ({"source_lang": "es"}, 422, "unsupported-language-pair"),
        ({"article": Article("T", "x" * 20000)}, 422, "limit-exceeded"),
        ({"article": Article("T", "body", "docx")}, 422, "validation-error"),
        ({"glossary_ids": ("nope",)}, 422, "validation-error"),
        ({"glossary": {"entries": [{"term": ""}]}}, 422, "validation-error"),
        ({"callback_url": "http://127.0.0.1:9/hook"}, 422, "webhooks-disabled"),
        ({"source_lang": "auto", "article": Article("", "1234 5678")}, 422, "language-not-detected"),
        ({"source_lang": "auto", "detect": unavailable}, 503, "interactive-unavailable"),
        (
            {"source_lang": "auto", "detect": lambda text: {"language": None, "confidence": 0, "reason": "too short"}},
            422,
            "language-not-detected",
        ),
    ],
)
def test_every_refusal_comes_before_the_charge_and_stores_nothing(desk, changes, status, slug):
    if "detect" in changes:
        desk.detect = changes.pop("detect")
    meter = Meter()
    refused = submit(desk, CALLER, request(**changes), meter)
    assert isinstance(refused, Refusal) and (refused.status, refused.slug) == (status, slug), refused
    assert meter.charged == [] and desk.sent == []
    assert desk.jobs.list(None)[1] == 0


def test_a_quota_refusal_stores_and_counts_nothing(desk):
    refused = submit(desk, CALLER, request(external_id="story-1"), Meter(refuse=True))
    assert refused.status == 429 and desk.sent == [] and desk.jobs.list(None)[1] == 0
    assert desk.jobs.articles.next_revision("story-1", "desk-a") == 1  # no revision was used up


def test_a_queue_that_cannot_be_reached_refunds_and_removes_the_job(desk):
    def broken(job_id, lang, limits):
        desk.sent.append(job_id)
        raise ConnectionError("broker unreachable")

    desk.dispatch, meter = broken, Meter()
    refused = submit(desk, CALLER, request(), meter)
    assert (refused.status, refused.slug, refused.headers) == (503, "queue-unavailable", {"Retry-After": "5"})
    assert meter.balance == 0 and meter.refunded == meter.charged != []
    assert desk.jobs.list(None)[1] == 0 and not desk.jobs.redis.exists(f"job:{desk.sent[0]}")


def test_a_full_redis_while_queueing_refunds_and_raises_for_the_507(desk):
    def full(job_id, lang, limits):
        raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")

    desk.dispatch, meter = full, Meter()
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        submit(desk, CALLER, request(), meter)
    assert meter.balance == 0 and desk.jobs.list(None)[1] == 0


def test_a_failure_writing_the_job_refunds(desk, monkeypatch):
    def down(request):
        raise redis.ConnectionError("Redis went away")

    monkeypatch.setattr(desk.jobs, "create", down)
    meter = Meter()
    with pytest.raises(redis.ConnectionError):
        submit(desk, CALLER, request(), meter)
    assert meter.charged and meter.balance == 0


def test_the_use_case_imports_neither_flask_nor_celery():
    source = open(submission.__file__).read()
    assert "import flask" not in source.lower() and "from flask" not in source.lower() and "celery" not in source
