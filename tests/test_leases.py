"""Leases on a real Redis: exactly one outcome per language, whatever dies.

The scripts run inside Redis with its clock, so these tests use the real
server (fakeredis has no Lua without an extra package) and short leases.
"""

from __future__ import annotations

import time

import pytest
import redis

from jobs.leases import Heartbeat, LeaseLost, Sweeper
from jobs.store import JobStore
from workers.celery_app import create_celery
from tests.helpers import make_settings, wait_until
from service.job_status import describe


# Short leases keep the waits for expiry short; the heartbeat renews at most
# every 0.5 s, so the test of renewal keeps a one-second lease.
LEASE = 0.4
PAST_LEASE = LEASE + 0.15


def describe_job(store, job_id: str) -> dict:
    """The job as GET /v1/jobs/{id} shows it."""
    return describe(store.job(job_id))


@pytest.fixture()
def store(redis_server, tmp_path):
    client = redis.Redis.from_url(f"{redis_server.url}/10")
    client.flushdb()
    return JobStore(client, ttl_seconds=600, lease_seconds=LEASE, max_attempts=3, dispatch_grace_seconds=LEASE)


def new_job(store: JobStore, langs=("de",), **extra) -> str:
    return store.create(
        {
            "source_lang": "en",
            "target_langs": list(langs),
            "article": {"title": "t", "body": "b", "format": "text"},
            **extra,
        }
    )


def sweeper(store: JobStore, sent: list, waiting: int = 0, ended: list | None = None) -> Sweeper:
    def settle(job_id, lang):
        ended.append((job_id, lang, store.language(job_id, lang).state))
        store.outbox.settled(job_id, lang)

    return Sweeper(
        store,
        lambda job_id, lang: sent.append((job_id, lang)),
        lambda: waiting,
        settle=settle if ended is not None else None,
        interval=0.1,
        settle_after=0.5,
    )


def sweep(s: Sweeper) -> dict:
    s.jobs.redis.delete("sweeper:lock")
    return s.run_once()


def test_one_claim_wins_and_a_duplicate_delivery_is_busy(store):
    job_id = new_job(store)
    first = store.leases.claim(job_id, "de")
    assert first.claimed and first.attempts == 1
    second = store.leases.claim(job_id, "de")
    assert second.outcome == "busy"  # a redelivered message while the first worker runs
    assert store.language(job_id, "de").started_at
    assert describe_job(store, job_id)["languages"]["de"]["attempts"] == 1


def test_only_the_lease_holder_writes(store):
    job_id = new_job(store)
    claim = store.leases.claim(job_id, "de")
    assert not store.leases.succeed(job_id, "de", "someone-else", {"model": None}, None, {})
    assert store.leases.progress(job_id, "de", claim.holder, 3, 10)
    assert store.leases.succeed(job_id, "de", claim.holder, {"model": None}, None, {})
    # The same write again (its first reply lost in a Redis blip, retried) is not a second outcome.
    assert store.leases.succeed(job_id, "de", claim.holder, {"model": None}, None, {})
    assert not store.leases.fail(job_id, "de", claim.holder, "late")
    assert store.language(job_id, "de").state == "succeeded"
    assert store.redis.zcard("leases") == 0


def test_expired_lease_is_requeued_then_failed_after_max_attempts(store):
    job_id = new_job(store)
    sent, ended = [], []
    s = sweeper(store, sent, ended=ended)
    for attempt in (1, 2, 3):
        claim = store.leases.claim(job_id, "de")
        assert claim.claimed and claim.attempts == attempt
        time.sleep(PAST_LEASE)  # the worker died: nobody renews
        counts = sweep(s)
        if attempt < 3:
            assert counts == {"requeue": 1} and sent[-1] == (job_id, "de")
            assert store.language(job_id, "de").state == "queued"
    assert counts == {"failed": 1}
    language = describe_job(store, job_id)["languages"]["de"]
    assert language["state"] == "failed" and "gave up after 3 attempts" in language["error"]
    assert ended == [(job_id, "de", "failed")]
    assert store.redis.zcard("leases") == 0


def test_redelivered_message_takes_over_an_expired_lease(store):
    job_id = new_job(store)
    dead = store.leases.claim(job_id, "de")
    time.sleep(PAST_LEASE)
    again = store.leases.claim(job_id, "de")
    assert again.claimed and again.attempts == 2
    assert not store.leases.succeed(job_id, "de", dead.holder, {"model": None}, None, {})  # the old holder lost it


def test_renewed_lease_is_not_swept(store):
    store.lease_seconds = 1
    job_id = new_job(store)
    claim = store.leases.claim(job_id, "de")
    beat = Heartbeat(store)
    sent: list = []
    with beat.hold(job_id, "de", claim.holder):
        time.sleep(2.5)  # more than two lease periods
        assert sweep(sweeper(store, sent)) in ({}, {"live": 1})
        beat.check(job_id, "de")
    assert sent == [] and store.language(job_id, "de").state == "running"


def test_heartbeat_notices_a_takeover(store):
    job_id = new_job(store)
    claim = store.leases.claim(job_id, "de")
    store.redis.hset(f"job:{job_id}:lang:de", "holder", "another-worker")
    beat = Heartbeat(store)
    with beat.hold(job_id, "de", claim.holder):

        def lost():
            try:
                beat.check(job_id, "de")
            except LeaseLost:
                return True
            return False

        wait_until(lost, 5, what="the heartbeat to notice the takeover")


def test_cancelled_job_with_a_dead_worker_ends_cancelled(store):
    job_id = new_job(store, langs=("de", "fr"))
    store.leases.claim(job_id, "de")
    assert store.cancel(job_id) == ["fr"]
    time.sleep(PAST_LEASE)
    ended: list = []
    assert sweep(sweeper(store, [], ended=ended)) == {"cancelled": 1}
    status = describe_job(store, job_id)
    assert status["state"] == "cancelled" and status["languages"]["de"]["state"] == "cancelled"
    assert ended == [(job_id, "de", "cancelled")]


def test_language_running_past_its_time_limit_is_failed_not_retried(store):
    job_id = new_job(store)
    store.leases.claim(job_id, "de", time_limit=1)
    time.sleep(1.2)
    assert sweep(sweeper(store, [])) == {"failed": 1}
    assert "time limit of 1 s" in describe_job(store, job_id)["languages"]["de"]["error"]


def test_queued_language_without_a_message_is_sent_again_only_when_the_queue_is_empty(store):
    job_id = new_job(store)
    time.sleep(PAST_LEASE)  # past the dispatch grace, never claimed
    sent: list = []
    assert sweep(sweeper(store, sent, waiting=3)) == {"queued": 1} and sent == []
    time.sleep(PAST_LEASE)
    assert sweep(sweeper(store, sent, waiting=0)) == {"redispatched": 1} and sent == [(job_id, "de")]


def test_an_ended_language_whose_follow_up_never_ran_is_settled_by_the_sweeper(store):
    """Its worker stored the result, then died (or lost Redis) before publishing
    and sending webhook events: the end is in the outbox, so the sweep does it."""
    job_id = new_job(store)
    claim = store.leases.claim(job_id, "de")
    assert store.leases.succeed(job_id, "de", claim.holder, {"model": None}, None, {})
    ended: list = []
    assert sweep(sweeper(store, [], ended=ended)) == {}  # not yet: its own worker settles it at once
    time.sleep(0.6)
    assert sweep(sweeper(store, [], ended=ended)) == {"settled": 1}
    assert ended == [(job_id, "de", "succeeded")] and store.redis.zcard("outbox") == 0


def test_expired_job_keys_leave_the_lease_set(store):
    job_id = new_job(store)
    store.redis.delete(f"job:{job_id}:lang:de")
    time.sleep(PAST_LEASE)
    assert sweep(sweeper(store, [])) == {"gone": 1}
    assert store.redis.zcard("leases") == 0


def test_celery_reconnects_for_ever_and_cancels_tasks_cut_off_from_the_broker(redis_server, model_dirs):
    conf = create_celery(make_settings(redis_server, 10, model_dirs["identity"])).conf
    assert conf.broker_connection_max_retries is None  # Celery's default, 100, gave up after ~46 minutes
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
