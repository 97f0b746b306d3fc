"""The stored job, typed (jobs/record.py): a schema version, old records still
readable, states as an enum; and a page of jobs read in one round trip."""

from __future__ import annotations

import json

import fakeredis
import pytest
import redis
from redis.connection import Connection

from jobs import record
from jobs.record import SCHEMA_VERSION, Article, JobRequest, Owner, State, UnknownSchema
from jobs.store import JobStore
from service.job_status import describe
from tests.helpers import make_settings

# What the service stored before typed records (schema version 1): no version,
# no format in the article, no pinned glossaries, glossary_ids kept.
VERSION_1 = {
    "source_lang": "en",
    "target_langs": ["de", "fr"],
    "article": {"title": "T", "body": "B."},
    "glossary_ids": [],
    "external_id": "cms-1",
    "revision": 3,
    "time_limits": {"soft": 61, "hard": 91},
    "owner": {"key": "k1", "prefix": "nt_live_k1", "tenant": "desk-a"},
}


def test_a_version_1_request_is_migrated_to_the_current_fields():
    migrated = record.migrate(dict(VERSION_1))
    assert migrated["schema_version"] == SCHEMA_VERSION == 3
    assert migrated["publish"] == "on_completion"  # version 2 -> 3: every earlier job published on completion
    assert migrated["article"] == {"title": "T", "body": "B.", "format": "text"} and migrated["glossaries"] == []
    assert "glossary_ids" not in migrated
    loaded = record.request_from_dict(VERSION_1)
    assert loaded == JobRequest(
        "en",
        ("de", "fr"),
        Article("T", "B."),
        (),
        time_limits={"soft": 61, "hard": 91},
        owner=Owner("k1", "nt_live_k1", "desk-a"),
        external_id="cms-1",
        revision=3,
    )
    assert loaded.publication() == ("cms-1", 3, "desk-a")


def test_a_request_round_trips_with_its_version():
    request = JobRequest(
        "en",
        ("de",),
        Article("T", "<p>B.</p>", "html"),
        ({"id": "g1", "name": "G", "version": 2},),
        owner=Owner("k1", "p", "t"),
        document={"api": "deepl", "filename": "a.html"},
    )
    dumped = json.loads(record.dump_request(request))
    assert dumped["schema_version"] == SCHEMA_VERSION and "callback_url" not in dumped  # no nulls stored
    assert record.load_request(record.dump_request(request)) == request


def test_a_record_from_a_newer_service_is_refused_not_misread():
    with pytest.raises(UnknownSchema):
        record.request_from_dict({**VERSION_1, "schema_version": SCHEMA_VERSION + 1})


def test_states_are_an_enum_that_reads_the_stored_strings():
    assert State("succeeded") is State.SUCCEEDED and State.SUCCEEDED == "succeeded"
    assert f"translation.{State.FAILED}" == "translation.failed"
    assert State.CANCELLED.terminal and not State.RUNNING.terminal
    with pytest.raises(ValueError):
        State("finished")


def test_a_job_stored_before_the_schema_version_is_still_read_and_shown():
    client = fakeredis.FakeRedis()
    store = JobStore(client)
    # Written by hand as the old store wrote it.
    client.hset(
        "job:old1", mapping={"id": "old1", "request": json.dumps(VERSION_1), "created_at": 1700000000.0, "cancelled": 0}
    )
    client.hset(
        "job:old1:lang:de",
        mapping={
            "state": "succeeded",
            "done": 3,
            "total": 3,
            "attempts": 1,
            "finished_at": 1700000010.5,
            "updated_at": 1700000010.5,
            "model": json.dumps([{"engine": "argos"}]),
            "result": json.dumps({"title": "T", "body": "B.", "format": "text"}),
        },
    )
    client.hset("job:old1:lang:fr", mapping={"state": "queued", "done": 0, "total": 0, "attempts": 0})
    client.zadd("jobs:all", {"old1": 1700000000.0})
    job = store.job("old1")
    assert job.request.article.format == "text" and job.languages["de"].state is State.SUCCEEDED
    status = describe(job)
    assert status["state"] == "running" and status["revision"] == 3
    assert status["languages"]["de"]["progress"] == {"done": 3, "total": 3}
    assert status["languages"]["de"]["model"] == [{"engine": "argos"}]
    assert "result" not in status["languages"]["de"]  # results are read on their own
    assert store.result("old1", "de")["body"] == "B."


class CountingConnection(Connection):
    round_trips = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.round_trips += 1
        return super().send_packed_command(command, check_health)


def test_a_page_of_jobs_is_read_in_one_round_trip(redis_server, model_dirs):
    url = make_settings(redis_server, 22, model_dirs["identity"]).redis_url
    redis.Redis.from_url(url).flushdb()
    langs = ["de", "fr", "es", "it", "nl", "pt", "pl", "sv", "fi", "da"]
    writer = JobStore(redis.Redis.from_url(url))
    for _ in range(50):
        writer.create(
            {
                "source_lang": "en",
                "target_langs": langs,
                "article": {"title": "T", "body": "B."},
                "owner": {"key": "k", "prefix": "p", "tenant": "t"},
                "callback_url": "http://127.0.0.1:9/",
            }
        )
    store = JobStore(
        redis.Redis(connection_pool=redis.ConnectionPool.from_url(url, connection_class=CountingConnection))
    )
    store.list("t", 0, 1)  # connects and loads the script
    CountingConnection.round_trips = 0
    jobs, total = store.list("t", 0, 500)
    assert CountingConnection.round_trips == 1  # before: 1 + 50 × (1 job + 10 languages + 1 deliveries) = 601
    assert total == 50 and len(jobs) == 50 and all(list(job.languages) == langs for job in jobs)
    assert all(describe(job)["webhook"] == {"url": "http://127.0.0.1:9/", "deliveries": []} for job in jobs)
