"""The nginx front (launcher/, docs/front.md) on the real stack, as `make up`
starts it: slow clients cannot take the API's threads, nginx's own refusals
are problem documents, and the app sees the client's real address.

The same slow clients against gunicorn alone (no front) take it down: that
case is an expected failure (strict), so this test is known to catch it."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import redis

from access import TRANSLATE, KeyStore
from devtools.slow_clients import HealthProbe, SlowClients
from tests.helpers import assert_problem, free_port, make_settings, wait_until

pytestmark = pytest.mark.e2e

DB = 26
SLOW_CONNECTIONS = 100  # gunicorn alone has 2 processes × 8 threads
SLOW_SECONDS = 10
# make chaos's target is 200 ms (measured there: 47 ms at 500 connections). Here the
# bound is looser: the tests share two cores with everything else a CI run does,
# and one slow probe of a hundred is the p99 (265 ms seen once under such load).
# What tells the front from gunicorn alone is the unanswered probes (2 s each).
P99_MS = 1000


@pytest.fixture(scope="module")
def deployment(redis_server, model_dirs, start_stack):
    settings = make_settings(redis_server, DB, model_dirs["identity"])
    redis.Redis.from_url(settings.redis_url).flushdb()
    stack = start_stack(settings, model_dirs["identity"], "front")
    stack.url = stack.start_api()
    key = (
        KeyStore(redis.Redis.from_url(settings.redis_url))
        .create("front", [TRANSLATE], rate_limit="unlimited", char_quota="unlimited")
        .secret
    )
    yield stack, {"Authorization": f"Bearer {key}"}
    stack.stop()


@pytest.fixture(scope="module")
def gunicorn_alone(deployment) -> str:
    """The same app under gunicorn, clients straight to it (as before the front)."""
    stack, _ = deployment
    port = free_port()
    stack.launcher.start("api", "alone", bind=f"127.0.0.1:{port}", wait=60)
    yield f"http://127.0.0.1:{port}"
    stack.launcher.stop("alone")


@pytest.mark.parametrize(
    "behind_front",
    [
        True,
        pytest.param(
            False,
            marks=pytest.mark.xfail(
                strict=True, raises=AssertionError, reason="slow clients hold every gunicorn thread"
            ),
        ),
    ],
    ids=["front", "gunicorn-alone"],
)
def test_slow_clients_do_not_take_the_api_down(deployment, gunicorn_alone, behind_front):
    stack, headers = deployment
    url = stack.url if behind_front else gunicorn_alone
    trickle = SlowClients(url, SLOW_CONNECTIONS, SLOW_SECONDS).start()
    time.sleep(1)  # every slow connection open before the probes begin
    health = HealthProbe(url).start()
    job = {"source_lang": "en", "target_langs": ["de"], "article": {"title": "Slow", "body": "Clients trickle."}}
    submitted = httpx.post(f"{url}/v1/jobs", json=job, headers=headers, timeout=30)
    trickle.join()
    health.stop()
    found = health.summary()
    assert found["failures"] == 0 and found["p99_ms"] < P99_MS, found
    assert trickle.opened >= SLOW_CONNECTIONS
    assert submitted.status_code == 202, submitted.text
    done = wait_until(lambda: _finished(url, submitted.json()["id"], headers), 60, what="the job")
    assert done["state"] == "succeeded"


def _finished(url: str, job_id: str, headers: dict) -> dict | None:
    status = httpx.get(f"{url}/v1/jobs/{job_id}", headers=headers, timeout=10).json()
    return status if status["state"] not in ("queued", "running") else None


def test_the_fronts_own_refusals_are_problem_documents_like_the_apps(deployment, gunicorn_alone):
    stack, headers = deployment
    too_large = {
        "content": b"x" * (1024 * 1024 + 1),
        "headers": {**headers, "Content-Type": "application/json"},
        "timeout": 10,
    }
    by_nginx = httpx.post(f"{stack.url}/v1/jobs", **too_large)
    assert by_nginx.headers["Server"] == "nginx"
    body = assert_problem(_flask_like(by_nginx), 413)
    # The same limit, in the same words, as the app's own refusal.
    by_app = httpx.post(f"{gunicorn_alone}/v1/jobs", **too_large)
    assert "Server" not in by_app.headers or by_app.headers["Server"] != "nginx"
    assert body == assert_problem(_flask_like(by_app), 413)
    # A request head that is too large: nginx's 494, answered as 431.
    huge = httpx.get(f"{stack.url}/healthz", headers={"X-Big": "y" * 20_000}, timeout=10)
    assert_problem(_flask_like(huge), 431)
    # The API away: 502 as a problem document, and back once it is started again.
    stack.launcher.stop("api")
    try:
        assert_problem(_flask_like(httpx.get(f"{stack.url}/healthz", timeout=10)), 502)
    finally:
        stack.launcher.start("api", wait=60)


def test_the_app_sees_the_clients_address_not_a_header_it_made_up(deployment):
    stack, headers = deployment
    log = stack.launcher.logfile("api")
    marker = f"forwarded-{time.monotonic_ns()}"
    response = httpx.get(
        f"{stack.url}/healthz", timeout=10, headers={"X-Forwarded-For": "203.0.113.9", "X-Request-Id": marker}
    )
    assert response.status_code == 200

    def logged():
        lines = [json.loads(line) for line in log.read_text().splitlines() if marker in line]
        return lines[0] if lines else None

    line = wait_until(logged, 10, what="the access line")
    assert line["remote_addr"] == "127.0.0.1"


class _flask_like:
    """An httpx response seen through the attributes assert_problem reads."""

    def __init__(self, response: httpx.Response):
        self.status_code = response.status_code
        self.mimetype = response.headers.get("Content-Type", "").split(";")[0]
        self._response = response

    def get_data(self, as_text: bool = False):
        return self._response.text

    def get_json(self):
        return self._response.json()
