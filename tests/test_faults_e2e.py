"""What dies, and what a client sees: real Redis restarts, SIGKILLed workers,
duplicate deliveries, time limits, webhook retries. Its own Redis server,
since these tests stop it; short leases so a lost worker is noticed in seconds."""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import replace

import pytest
import redis

from devtools.webhook_receiver import WebhookReceiver
from tests.conftest import RedisServer, Stack
from tests.helpers import (
    WEBHOOK_SECRET,
    keyed_client,
    make_settings,
    read_article,
    wait_for_job,
    wait_until,
)
from workers.celery_app import create_celery, send_translation

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def faulty_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("faulty-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def stack(faulty_redis, model_dirs, tmp_path):
    if faulty_redis.process is None:
        faulty_redis.start()
    redis.Redis.from_url(faulty_redis.url).flushall()
    # Beam 1: the same paths, three times faster on the long inputs.
    settings = make_settings(
        faulty_redis,
        0,
        model_dirs["identity"],
        beam_size=1,
        job_lease_seconds=3,
        job_sweep_interval_seconds=1,
        job_max_attempts=4,
        job_dispatch_grace_seconds=5,
        webhook_secret=WEBHOOK_SECRET,
        webhook_allowed_hosts=("127.0.0.1:*",),
        webhook_backoff_seconds=1,
        webhook_max_attempts=5,
    )
    running = Stack(settings, model_dirs["identity"], tmp_path)
    yield running
    running.stop()


@pytest.fixture()
def client(stack):
    from service import create_app

    return keyed_client(create_app(stack.settings))


def long_article(repeat: int = 150) -> dict:
    article = read_article()
    article["body"] = "\n".join([article["body"]] * repeat)
    return article


def submit(client, article: dict, langs=("de",), **extra) -> str:
    response = client.post(
        "/v1/jobs", json={"source_lang": "en", "target_langs": list(langs), "article": article, **extra}
    )
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def languages(client, job_id: str) -> dict:
    response = client.get(f"/v1/jobs/{job_id}")
    return response.get_json()["languages"] if response.status_code == 200 else {}


def wait_running(client, job_id: str, lang: str) -> None:
    wait_until(
        lambda: languages(client, job_id).get(lang, {}).get("state") == "running",
        60,
        interval=0.02,
        what=f"{lang} to start",
    )


def test_killed_worker_language_is_requeued_without_waiting_for_the_visibility_timeout(stack, client):
    """Before: the language stayed `running` until CELERY_VISIBILITY_TIMEOUT (an hour)."""
    stack.start_worker()
    article = long_article()
    job_id = submit(client, article, langs=("de", "fr"))
    wait_running(client, job_id, "de")
    stack.workers[0].kill()
    stack.start_worker()  # the default visibility timeout: 3600 s
    status = wait_for_job(client, job_id, timeout=120)
    assert status["state"] == "succeeded"
    assert status["languages"]["de"]["attempts"] == 2
    for lang in ("de", "fr"):
        assert client.get(f"/v1/jobs/{job_id}/translations/{lang}").get_json()["body"] == article["body"]


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_redis_restart_mid_job_loses_no_language(stack, client, faulty_redis, how):
    """Before: the running language got a ConnectionError, could not be marked
    failed, and its message was acknowledged: `running` for ever."""
    worker = stack.start_worker()
    article = long_article(40)  # a few seconds of work: it ends while Redis is away
    job_id = submit(client, article, langs=("de", "fr", "es"))
    wait_running(client, job_id, "de")
    faulty_redis.stop(how)
    time.sleep(15)
    faulty_redis.start()
    status = wait_for_job(client, job_id, timeout=180)
    assert status["state"] == "succeeded", status
    for lang in ("de", "fr", "es"):
        assert client.get(f"/v1/jobs/{job_id}/translations/{lang}").get_json()["body"] == article["body"]
    assert worker.process.poll() is None  # the worker reconnected instead of exiting


def test_cancelled_job_whose_worker_died_ends_cancelled(stack, client):
    """Before: the running language of a cancelled job stayed `running` for ever."""
    stack.start_worker()
    job_id = submit(client, long_article(), langs=("de", "fr"))
    wait_running(client, job_id, "de")
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 200
    stack.workers[0].kill()
    stack.start_worker()
    status = wait_for_job(client, job_id, timeout=60)
    assert status["state"] == "cancelled"
    assert {lang: s["state"] for lang, s in status["languages"].items()} == {"de": "cancelled", "fr": "cancelled"}


def test_duplicate_delivery_while_running_does_no_work(stack, client):
    """Before: a redelivered message (a visibility timeout shorter than the task)
    started the language again on a second worker while the first still ran it."""
    stack.start_worker()
    stack.start_worker()
    article = long_article()
    job_id = submit(client, article)
    wait_running(client, job_id, "de")
    started = languages(client, job_id)["de"]["started_at"]
    send_translation(create_celery(stack.settings), job_id, "de", None)
    status = wait_for_job(client, job_id, timeout=120)
    assert status["state"] == "succeeded"
    assert status["languages"]["de"]["attempts"] == 1 and status["languages"]["de"]["started_at"] == started
    logs = "".join(path.read_text() for path in stack.log_dir.glob("*.log"))
    assert "'busy'" in logs  # the duplicate returned at once


def test_soft_time_limit_fails_the_language_with_the_reason(stack, client):
    from service import create_app

    stack.start_worker()
    strict = create_app(replace(stack.settings, task_time_limit_base_seconds=1, task_seconds_per_1000_chars=0))
    # Every sentence distinct: a repeated article is served from the segment
    # cache after its first copy and can finish inside the 1 s limit.
    body = "\n".join(f"Report {n} says the minister met {n} delegates in the spring." for n in range(2000))
    job_id = submit(keyed_client(strict), {"title": "Long", "body": body})
    status = wait_for_job(client, job_id, timeout=120)
    assert status["state"] == "failed"
    assert status["languages"]["de"]["error"] == "exceeded its time limit of 1 s (derived from the article size)"


def test_long_sentences_are_split_not_truncated(stack, client):
    """A 4,900-character sentence and a 200 KB one without punctuation: split
    at clauses and whitespace into bounded segments, translated whole."""
    stack.start_worker()
    words = "the minister said that the alliance would meet again in the spring".split()
    clauses = ", ".join(" ".join(words) for _ in range(70))[:4900].rstrip(", ") + "."
    run_on = " ".join(words[i % len(words)] for i in range(40_000))[:200_000]
    for body in (clauses, run_on):
        job_id = submit(client, {"title": "Long", "body": body})
        status = wait_for_job(client, job_id, timeout=300)
        assert status["state"] == "succeeded", status
        assert status["languages"]["de"]["progress"]["total"] > len(body) // stack.settings.max_segment_chars
        assert client.get(f"/v1/jobs/{job_id}/translations/de").get_json()["body"] == body


def test_webhook_makes_exactly_max_attempts_and_records_failed(stack, client):
    """Before: Celery's default of 3 retries ended after 4 of the 5 attempts, the delivery `retrying` for ever."""
    receiver = WebhookReceiver(failures=sys.maxsize)  # refuses every delivery
    stack.start_worker()
    job_id = submit(client, {"title": "Hook", "body": "One sentence."}, callback_url=receiver.url)
    wait_for_job(client, job_id)

    def deliveries():
        return client.get(f"/v1/jobs/{job_id}").get_json()["webhook"]["deliveries"]

    wait_until(
        lambda: deliveries() and all(d["state"] == "failed" for d in deliveries()) and len(deliveries()) == 2,
        90,
        interval=0.2,
        what="both events to be given up",
    )
    assert all(d["attempts"] == 5 for d in deliveries())
    wait_until(lambda: len(receiver.requests) == 10, 10, what="5 attempts of 2 events")
    receiver.close()
    assert sorted(e["type"] for e in receiver.events) == ["job.finished"] * 5 + ["translation.succeeded"] * 5
