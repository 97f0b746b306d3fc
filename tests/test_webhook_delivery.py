"""Webhook delivery policy: attempts, DNS failures, the allow-list, and the
address that is checked being the address that is connected to."""

from __future__ import annotations

import socket

import httpx
import pytest
import redis

from devtools.webhook_receiver import WebhookReceiver
from jobs import webhooks
from jobs.store import JobStore
from jobs.webhooks import UnsafeCallbackURL, WebhookPolicy, allowed, attempt_delivery, deliver

EVENT = {"id": "j.de.succeeded", "type": "translation.succeeded"}


@pytest.fixture()
def receiver():
    r = WebhookReceiver()
    yield r
    r.close()


@pytest.fixture()
def dns(monkeypatch):
    """Answers for made-up names, in order, counting the look-ups; real DNS for the rest."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            lookups.append(host)
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
            if address == "fail":
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, lookups


@pytest.mark.parametrize(
    "entry, url_host, port, scheme, expected",
    [
        ("hooks.example:8080", "hooks.example", 8080, "http", True),
        ("hooks.example:8080", "hooks.example", 9090, "http", False),  # before: any port of an allowed host
        ("hooks.example", "hooks.example", 80, "http", True),
        ("hooks.example", "hooks.example", 443, "https", True),
        ("hooks.example", "hooks.example", 6379, "http", False),
        ("hooks.example:*", "hooks.example", 6379, "http", True),
        ("HOOKS.example:8080", "hooks.EXAMPLE", 8080, "http", True),
        ("[::1]:8080", "::1", 8080, "http", True),
        ("other.example:8080", "hooks.example", 8080, "http", False),
    ],
)
def test_allow_list_matches_host_and_port(entry, url_host, port, scheme, expected):
    assert allowed(url_host, port, scheme, (entry,)) is expected


def test_allow_listed_host_on_another_port_is_refused(dns):
    answers, _ = dns
    answers["internal.example"] = ["10.1.2.3"]
    webhooks.check_callback_url("http://internal.example:8080/hook", ("internal.example:8080",))
    with pytest.raises(UnsafeCallbackURL, match="non-public"):
        webhooks.check_callback_url("http://internal.example:6379/", ("internal.example:8080",))


def test_the_checked_address_is_the_one_connected_to(dns, receiver):
    """DNS rebinding: a public answer for the check, then loopback for the
    connection. Before: the second look-up sent the event to the internal service."""
    answers, lookups = dns
    answers["rebind.example"] = ["93.184.215.14", "127.0.0.1"]
    with pytest.raises(httpx.HTTPError):
        deliver(f"http://rebind.example:{receiver.port}/hook", EVENT, "secret", (), timeout=1.0)
    assert lookups == ["rebind.example"]  # one look-up, checked, then used
    assert receiver.hosts == []


def test_delivery_keeps_the_host_name_in_the_host_header(dns, receiver):
    answers, lookups = dns
    answers["hooks.example"] = ["127.0.0.1"]
    status = deliver(f"http://hooks.example:{receiver.port}/hook", EVENT, "secret", ("hooks.example:*",))
    assert status == 204
    assert receiver.hosts == [f"hooks.example:{receiver.port}"] and lookups == ["hooks.example"]


@pytest.fixture()
def jobs(redis_server):
    client = redis.Redis.from_url(f"{redis_server.url}/8")
    client.flushdb()
    return JobStore(client)


def new_job(jobs: JobStore, url: str) -> str:
    return jobs.create(
        {
            "source_lang": "en",
            "target_langs": ["de"],
            "callback_url": url,
            "article": {"title": "t", "body": "b", "format": "text"},
        }
    )


def test_dns_failure_at_delivery_is_retried_not_refused(jobs, dns):
    """Before: recorded as `refused` and never tried again."""
    answers, _ = dns
    answers["flaky.example"] = ["fail"]
    job_id = new_job(jobs, "http://flaky.example/hook")
    policy = WebhookPolicy("secret", max_attempts=3, backoff_seconds=2)
    outcome = attempt_delivery(jobs, job_id, EVENT, 1, policy)
    assert outcome.state == "retrying" and outcome.retry_in == 2
    delivery = jobs.webhooks.deliveries(job_id)[0]
    assert delivery["state"] == "retrying" and "does not resolve" in delivery["error"]
    assert attempt_delivery(jobs, job_id, EVENT, 3, policy).state == "failed"
    assert jobs.webhooks.deliveries(job_id)[0]["state"] == "failed"


def test_unsafe_address_at_delivery_is_refused_at_once(jobs, dns):
    answers, _ = dns
    answers["moved.example"] = ["10.0.0.7"]
    job_id = new_job(jobs, "http://moved.example/hook")
    outcome = attempt_delivery(jobs, job_id, EVENT, 1, WebhookPolicy("secret"))
    assert outcome.state == "refused" and outcome.retry_in is None


def test_attempts_stop_at_max_attempts_with_failed(jobs):
    job_id = new_job(jobs, "http://hooks.example/hook")
    policy = WebhookPolicy("secret", max_attempts=4, backoff_seconds=1)
    attempts = []

    def refuse(*args):
        attempts.append(args)
        return 503

    outcomes = [attempt_delivery(jobs, job_id, EVENT, n, policy, send=refuse) for n in range(1, 5)]
    assert [o.state for o in outcomes] == ["retrying"] * 3 + ["failed"]
    assert [o.retry_in for o in outcomes] == [1, 2, 4, None]
    assert len(attempts) == 4 and jobs.webhooks.deliveries(job_id)[0]["attempts"] == 4
