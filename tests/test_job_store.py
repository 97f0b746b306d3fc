"""The job store's transitions on fakeredis (its Lua with lupa): every write
that changes a language's state is a check-and-set, and only the holder of a
language's lease writes, so late or repeated task deliveries cannot overwrite
a finished result or resurrect a cancelled language. Leases, the sweeper and
the heartbeat on a real Redis: tests/test_leases.py."""

from __future__ import annotations

import fakeredis
import pytest

from jobs import record
from jobs.record import overall_state
from jobs.store import CANCELLED, FAILED, QUEUED, RUNNING, SUCCEEDED, JobNotFound, JobStore
from service.job_status import describe

TTL = 600


def describe_job(store, job_id: str) -> dict:
    """The job as GET /v1/jobs/{id} shows it."""
    return describe(store.job(job_id))


@pytest.fixture
def client():
    return fakeredis.FakeRedis()


@pytest.fixture
def store(client):
    return JobStore(client, ttl_seconds=TTL)


def request(langs=("de", "fr"), **extra) -> dict:
    return {
        "source_lang": "en",
        "target_langs": list(langs),
        "article": {"title": "T", "body": "B.", "format": "text"},
        **extra,
    }


def result(body: str = "Translated.") -> dict:
    return {
        "title": "T",
        "body": body,
        "format": "text",
        "model": [{"engine": "argos", "model": "m", "version": "1", "from": "en", "to": "de"}],
    }


def state(store, job_id, lang) -> str:
    return store.language(job_id, lang).state


def test_create_writes_the_job_and_a_queued_language_each_with_the_ttl(store, client):
    job_id = store.create(request())
    status = describe_job(store, job_id)
    assert status["state"] == QUEUED and status["target_langs"] == ["de", "fr"]
    for lang in ("de", "fr"):
        language = status["languages"][lang]
        assert language["state"] == QUEUED and language["progress"] == {"done": 0, "total": 0}
        assert language["started_at"] is None and language["finished_at"] is None
    assert status["finished_at"] is None and status["created_at"].endswith("Z")
    assert store.request(job_id) == record.request_from_dict(request())
    keys = client.keys("job:*")
    assert len(keys) == 3 and all(0 < client.ttl(key) <= TTL for key in keys)


def test_unknown_job(store):
    with pytest.raises(JobNotFound):
        describe_job(store, "nope")
    with pytest.raises(JobNotFound):
        store.request("nope")
    with pytest.raises(JobNotFound):
        store.language("nope", "de")


def test_claim_progress_succeed(store):
    job_id = store.create(request())
    claim = store.leases.claim(job_id, "de")
    assert claim.claimed and claim.attempts == 1
    assert state(store, job_id, "de") == RUNNING
    assert describe_job(store, job_id)["state"] == RUNNING
    assert describe_job(store, job_id)["languages"]["de"]["started_at"] is not None

    store.leases.progress(job_id, "de", claim.holder, 3, 10)
    assert describe_job(store, job_id)["languages"]["de"]["progress"] == {"done": 3, "total": 10}

    report, stats = {"terms": []}, {"segments": 10}
    assert store.leases.succeed(job_id, "de", claim.holder, result(), report, stats)
    language = describe_job(store, job_id)["languages"]["de"]
    assert language["state"] == SUCCEEDED and language["finished_at"] is not None
    assert language["glossary"] == report and language["stats"] == stats and language["model"] == result()["model"]
    assert store.result(job_id, "de") == result()
    assert store.result(job_id, "fr") is None
    assert describe_job(store, job_id)["state"] == RUNNING  # fr is still queued
    assert not store.all_finished(job_id)


def test_only_a_running_language_succeeds_or_reports_progress(store):
    job_id = store.create(request())
    assert not store.leases.succeed(job_id, "de", "no-lease", result(), None, {})  # never claimed
    store.leases.progress(job_id, "de", "no-lease", 1, 2)
    assert state(store, job_id, "de") == QUEUED
    assert describe_job(store, job_id)["languages"]["de"]["progress"] == {"done": 0, "total": 0}


def test_fail_by_the_lease_holder(store):
    job_id = store.create(request())
    de, fr = store.leases.claim(job_id, "de"), store.leases.claim(job_id, "fr")
    assert not store.leases.fail(job_id, "de", "someone-else", "no model")
    assert store.leases.fail(job_id, "de", de.holder, "no model")  # e.g. no route: failed as soon as it ran
    assert store.leases.fail(job_id, "fr", fr.holder, "internal error: RuntimeError")
    status = describe_job(store, job_id)
    assert status["state"] == FAILED and status["finished_at"] is not None
    assert status["languages"]["de"]["error"] == "no model"
    assert store.all_finished(job_id)


def test_redelivery_does_nothing_while_the_lease_lives_and_never_overwrites_a_result(store):
    job_id = store.create(request(["de"]))
    first = store.leases.claim(job_id, "de")
    assert first.claimed
    # A second copy of the task while the first worker holds the lease: a duplicate.
    assert store.leases.claim(job_id, "de").outcome == "busy"
    assert store.leases.succeed(job_id, "de", first.holder, result("first"), None, {"segments": 1})
    finished_at = store.language(job_id, "de").finished_at

    # Another copy arrives late: nothing it does sticks.
    late = store.leases.claim(job_id, "de")
    assert late.outcome == "finished" and not late.claimed
    assert not store.leases.succeed(job_id, "de", late.holder, result("second"), None, {"segments": 2})
    assert not store.leases.fail(job_id, "de", late.holder, "late failure")
    store.leases.progress(job_id, "de", late.holder, 0, 5)
    language = describe_job(store, job_id)["languages"]["de"]
    assert language["state"] == SUCCEEDED and "error" not in language
    assert store.result(job_id, "de")["body"] == "first" and language["stats"] == {"segments": 1}
    assert store.language(job_id, "de").finished_at == finished_at


def test_a_failed_language_stays_failed(store):
    job_id = store.create(request(["de"]))
    claim = store.leases.claim(job_id, "de")
    store.leases.fail(job_id, "de", claim.holder, "boom")
    assert not store.leases.claim(job_id, "de").claimed
    assert not store.leases.succeed(job_id, "de", claim.holder, result(), None, {})
    assert state(store, job_id, "de") == FAILED


def test_cancel_stops_queued_languages_only(store):
    job_id = store.create(request(["de", "fr", "es"]))
    de = store.leases.claim(job_id, "de")
    fr = store.leases.claim(job_id, "fr")
    store.leases.succeed(job_id, "fr", fr.holder, result(), None, {})
    assert store.cancel(job_id) == ["es"]
    assert [state(store, job_id, lang) for lang in ("de", "fr", "es")] == [RUNNING, SUCCEEDED, CANCELLED]
    assert describe_job(store, job_id)["state"] == RUNNING  # de is still being translated
    # The running language may still finish; then the job counts as cancelled.
    assert store.leases.succeed(job_id, "de", de.holder, result(), None, {})
    assert describe_job(store, job_id)["state"] == CANCELLED


def test_a_cancelled_language_is_never_resurrected(store):
    job_id = store.create(request(["de"]))
    assert store.cancel(job_id) == ["de"]
    late = store.leases.claim(job_id, "de")  # its task arrives after the cancel
    assert not late.claimed
    assert not store.leases.succeed(job_id, "de", late.holder, result(), None, {})
    assert not store.leases.fail(job_id, "de", late.holder, "x")
    assert state(store, job_id, "de") == CANCELLED
    assert describe_job(store, job_id)["state"] == CANCELLED
    assert store.cancel(job_id) == []


def test_a_cancelled_job_whose_worker_died_still_finishes(client):
    """Was a known bug (an xfail here): the language stayed 'running' for ever."""
    store = JobStore(client, ttl_seconds=TTL, lease_seconds=0)  # every lease has run out at once
    job_id = store.create(request(["de"]))
    store.leases.claim(job_id, "de")  # running on a worker ...
    store.cancel(job_id)  # ... when the job is cancelled, and then that worker dies
    assert store.leases.claim(job_id, "de").outcome == "cancelled"  # the redelivered task (or the sweeper) ends it
    assert describe_job(store, job_id)["state"] == CANCELLED


@pytest.mark.parametrize(
    "states, cancelled, expected",
    [
        ([QUEUED, QUEUED], False, QUEUED),
        ([QUEUED, RUNNING], False, RUNNING),
        ([SUCCEEDED, QUEUED], False, RUNNING),
        ([SUCCEEDED, SUCCEEDED], False, SUCCEEDED),
        ([FAILED, FAILED], False, FAILED),
        ([SUCCEEDED, FAILED], False, "partially_failed"),
        ([SUCCEEDED, CANCELLED], True, CANCELLED),
        ([SUCCEEDED, SUCCEEDED], True, SUCCEEDED),  # cancelled too late to stop anything
        ([RUNNING, CANCELLED], True, RUNNING),
    ],
)
def test_overall_state_is_derived_from_the_languages(states, cancelled, expected):
    assert overall_state(states, cancelled) == expected


def test_events_are_claimed_exactly_once(store):
    job_id = store.create(request())
    assert store.webhooks.claim_event(job_id, "job.finished")
    assert not store.webhooks.claim_event(job_id, "job.finished")
    assert store.webhooks.claim_event(job_id, f"{job_id}.de.succeeded")


def test_deliveries_keep_the_latest_record_per_event(store, client):
    job_id = store.create(request(callback_url="https://cms.example/hook"))
    store.webhooks.record(job_id, "e1", {"event": "e1", "state": "retrying", "attempts": 1, "created_at": 1.0})
    store.webhooks.record(job_id, "e2", {"event": "e2", "state": "delivered", "attempts": 1, "created_at": 2.0})
    store.webhooks.record(job_id, "e1", {"event": "e1", "state": "delivered", "attempts": 2, "created_at": 3.0})
    assert [(d["event"], d["state"], d["attempts"]) for d in store.webhooks.deliveries(job_id)] == [
        ("e2", "delivered", 1),
        ("e1", "delivered", 2),
    ]
    assert 0 < client.ttl(f"job:{job_id}:deliveries") <= TTL
    webhook = describe_job(store, job_id)["webhook"]
    assert webhook["url"] == "https://cms.example/hook" and len(webhook["deliveries"]) == 2


def test_revisions_count_up_and_an_older_one_never_replaces_a_newer(store):
    assert [store.articles.next_revision("cms-1") for _ in range(3)] == [1, 2, 3]
    assert store.articles.next_revision("cms-2") == 1
    assert store.articles.published("cms-1", "de") is None
    assert store.articles.publish("cms-1", "de", 2, "job-b")
    # Revision 1 finishes later on another worker: it must not replace revision 2.
    assert not store.articles.publish("cms-1", "de", 1, "job-a")
    published = store.articles.published("cms-1", "de")
    assert published["revision"] == 2 and published["job_id"] == "job-b"
    assert store.articles.publish("cms-1", "de", 3, "job-c")
    published = store.articles.published("cms-1", "de")
    assert (published["revision"], published["job_id"]) == (3, "job-c") and published["published_at"].endswith("Z")
    assert store.articles.published("cms-1", "fr") is None


def test_delete_removes_the_job(store, client):
    job_id = store.create(request())
    store.delete(job_id, ["de", "fr"])
    assert client.keys("job:*") == []
    with pytest.raises(JobNotFound):
        describe_job(store, job_id)
