"""Webhook delivery's state machine (jobs/webhooks.attempt_delivery) on
fakeredis, with the HTTP POST replaced by a receiver of our own."""

from __future__ import annotations

import fakeredis
import httpx
import pytest

from jobs.store import JobStore
from jobs.webhooks import WebhookPolicy, attempt_delivery, sign, tenant_secret, verify

URL = "https://cms.example/hooks/translations"
EVENT = {"id": "job1.de.succeeded", "type": "translation.succeeded", "job_id": "job1", "lang": "de"}
POLICY = WebhookPolicy(secret="s3cret", allowed_hosts=("cms.example",), max_attempts=4, backoff_seconds=2)


class Receiver:
    """Stands in for `jobs.webhooks.deliver`: answers each POST with the next
    of `answers` (an HTTP status, or an exception to raise)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.posts = []

    def __call__(self, url, event, secret, allowed_hosts):
        self.posts.append((url, event, secret, allowed_hosts))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def jobs():
    return JobStore(fakeredis.FakeRedis())


@pytest.fixture
def job_id(jobs):
    return jobs.create(
        {
            "source_lang": "en",
            "target_langs": ["de"],
            "callback_url": URL,
            "article": {"title": "T", "body": "B", "format": "text"},
        }
    )


def only_delivery(jobs, job_id) -> dict:
    (record,) = jobs.webhooks.deliveries(job_id)
    return record


def test_delivered_on_a_2xx(jobs, job_id):
    send = Receiver(204)
    outcome = attempt_delivery(jobs, job_id, EVENT, 1, POLICY, send=send)
    assert (outcome.state, outcome.retry_in) == ("delivered", None)
    # Signed with a secret derived for the job's tenant (none here), never with the shared one.
    assert send.posts == [(URL, EVENT, tenant_secret("s3cret", ""), ("cms.example",))]
    record = only_delivery(jobs, job_id)
    assert (record["event"], record["type"], record["state"], record["status"], record["attempts"]) == (
        EVENT["id"],
        EVENT["type"],
        "delivered",
        204,
        1,
    )


@pytest.mark.parametrize(
    "answer, error",
    [
        (500, "receiver answered 500"),
        (302, "receiver answered 302"),  # redirects are not followed
        (httpx.ConnectError("connection refused"), "ConnectError: connection refused"),
        (httpx.ReadTimeout("timed out"), "ReadTimeout: timed out"),
    ],
)
def test_a_failed_attempt_is_retried_with_its_reason(jobs, job_id, answer, error):
    outcome = attempt_delivery(jobs, job_id, EVENT, 1, POLICY, send=Receiver(answer))
    assert (outcome.state, outcome.retry_in) == ("retrying", 2)
    record = only_delivery(jobs, job_id)
    assert record["state"] == "retrying" and record["error"] == error


def test_backoff_doubles_and_the_last_attempt_fails(jobs, job_id):
    """max_attempts=4: attempts 1-3 are retried after 2, 4, 8 s; the 4th is final."""
    outcomes = [attempt_delivery(jobs, job_id, EVENT, attempt, POLICY, send=Receiver(503)) for attempt in (1, 2, 3, 4)]
    assert [(o.state, o.retry_in) for o in outcomes] == [
        ("retrying", 2),
        ("retrying", 4),
        ("retrying", 8),
        ("failed", None),
    ]
    record = only_delivery(jobs, job_id)  # one record per event, its latest state
    assert (record["state"], record["attempts"], record["status"]) == ("failed", 4, 503)


def test_retried_until_delivered_as_the_task_does(jobs, job_id):
    """The Celery task calls attempt_delivery with attempt = retries + 1 until
    the outcome is final; here the receiver recovers on the third attempt."""
    send = Receiver(500, httpx.ConnectError("refused"), 200)
    states, attempt = [], 0
    while True:
        attempt += 1
        outcome = attempt_delivery(jobs, job_id, EVENT, attempt, POLICY, send=send)
        states.append(outcome.state)
        if outcome.retry_in is None:
            break
    assert states == ["retrying", "retrying", "delivered"]
    assert len(send.posts) == 3
    assert only_delivery(jobs, job_id)["attempts"] == 3


def test_a_refused_address_is_final_and_never_posted(jobs):
    """The real `deliver` checks the address before any connection: a private
    address is refused once, not retried."""
    job_id = jobs.create(
        {
            "source_lang": "en",
            "target_langs": ["de"],
            "callback_url": "http://10.0.0.8/hook",
            "article": {"title": "T", "body": "B", "format": "text"},
        }
    )
    outcome = attempt_delivery(jobs, job_id, EVENT, 1, POLICY)
    assert (outcome.state, outcome.retry_in) == ("refused", None)
    record = only_delivery(jobs, job_id)
    assert record["state"] == "refused" and "non-public address 10.0.0.8" in record["error"]


def test_signature_round_trip_and_replay_window():
    body = b'{"id":"e1"}'
    url = "https://cms.example/hooks"
    header = sign("s3cret", body, url, timestamp=1_700_000_000)
    assert verify("s3cret", body, header, url, now=1_700_000_100)
    assert not verify("s3cret", body + b" ", header, url, now=1_700_000_100)
    assert not verify("other", body, header, url, now=1_700_000_100)
    assert not verify("s3cret", body, header, url, now=1_700_000_000 + 301)  # too old: a replay
    assert not verify("s3cret", body, "garbage", url)
