"""Limits and revocation hold across API processes: two gunicorn servers (each
its own process, started as in production with gunicorn.conf.py) on one Redis.
Their logs are read at the end: no key may appear in them."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
import redis

import launcher
from access import ADMIN, TRANSLATE, KeyStore
from tests.helpers import ROOT, free_port, make_settings

# Two gunicorn processes per test: the full suite's, not make test-fast's.
pytestmark = pytest.mark.slow

DB = 7


@pytest.fixture(scope="module")
def apis(redis_server, model_dirs, tmp_path_factory):
    """Two API processes, A and B, on the same Redis database; yields their URLs, the
    settings and the log folder."""
    settings = make_settings(redis_server, DB, model_dirs["identity"])
    redis.Redis.from_url(settings.redis_url).flushdb()
    logs = tmp_path_factory.mktemp("api-logs")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": settings.redis_url,
        "ARGOS_PACKAGES_DIR": str(model_dirs["identity"]),
        "API_WORKERS": "1",
        "API_THREADS": "2",
    }
    # Each its own gunicorn on a port of its own, no front: the test talks to each process.
    running, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            api = launcher.Stack(launcher.Place(var=logs / name, port=port, redis_port=0), env)
            running.append(api)
            api.start(
                "api",
                bind=f"127.0.0.1:{port}",
                wait=60,
                extra=("--access-logfile", str(logs / f"{name}-access.log"), "--log-level", "info"),
            )
            urls.append(f"http://127.0.0.1:{port}")
        yield urls, settings, logs, env
    finally:
        for api in running:
            api.stop_all()


@pytest.fixture(scope="module")
def secrets_seen():
    """Every key the tests in this module made, for the log check at the end."""
    return []


def new_key(settings, secrets_seen, *roles, **options) -> str:
    secret = KeyStore(redis.Redis.from_url(settings.redis_url)).create("processes", roles, **options).secret
    secrets_seen.append(secret)
    return secret


def get(url: str, key: str, path: str = "/v1/usage") -> httpx.Response:
    return httpx.get(url + path, headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_rate_limit_is_shared_by_both_processes_and_recovers(apis, secrets_seen):
    (a, b), settings, _, _ = apis
    key = new_key(settings, secrets_seen, TRANSLATE, rate_limit="4 per 5 seconds")
    # Two requests on each process: four in all, the limit.
    assert [get(url, key).status_code for url in (a, b, a, b)] == [200, 200, 200, 200]
    for url in (a, b):  # each process has seen only two, yet both refuse
        refused = get(url, key)
        assert refused.status_code == 429
        assert refused.headers["Content-Type"] == "application/problem+json"
        body = refused.json()
        assert body["type"].endswith("/rate-limited") and body["status"] == 429 and body["limit"] == "4 per 5 seconds"
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= 5 and body["retry_after"] == retry_after
    time.sleep(retry_after + 0.3)
    assert get(b, key).status_code == 200  # the window has moved on


def test_character_quota_is_shared_by_both_processes(apis, secrets_seen):
    (a, b), settings, _, _ = apis
    key = new_key(settings, secrets_seen, TRANSLATE, char_quota="50/day")
    job = {"source_lang": "en", "target_langs": ["de"], "article": {"title": "Quota", "body": "y" * 25}}
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.post(f"{a}/v1/jobs", json=job, headers=headers, timeout=10).status_code == 202
    refused = httpx.post(f"{b}/v1/jobs", json=job, headers=headers, timeout=10)
    assert refused.status_code == 429 and refused.json()["type"].endswith("/quota-exceeded")
    assert get(a, key).json()["characters"]["remaining"] == 20


def test_revocation_holds_at_once_on_every_process(apis, secrets_seen):
    (a, b), settings, _, env = apis
    key = new_key(settings, secrets_seen, ADMIN)
    assert get(a, key).status_code == 200 and get(b, key).status_code == 200
    prefix = "_".join(key.split("_")[:3])
    revoked = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "service", "keys", "revoke", prefix],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert revoked.returncode == 0, revoked.stderr
    assert "REVOKED" in revoked.stdout and key not in revoked.stdout
    for url in (a, b):
        response = get(url, key)
        assert response.status_code == 401 and response.json()["type"].endswith("/revoked-api-key")


def test_no_key_appears_in_the_api_logs(apis, secrets_seen):
    (a, b), settings, logs, _ = apis
    key = new_key(settings, secrets_seen, TRANSLATE)
    # Keys in every place a client may put them, right and wrong.
    # Not taken outside LibreTranslate's endpoints (401), but sent in the URL all the same.
    assert httpx.get(f"{a}/v1/languages", params={"api_key": key}, timeout=10).status_code == 401
    assert httpx.get(f"{a}/v1/languages", headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200
    assert httpx.get(f"{b}/v1/usage", headers={"Authorization": f"DeepL-Auth-Key {key}"}, timeout=10).status_code == 200
    assert get(a, key[:-3] + "xyz").status_code == 401
    assert httpx.get(f"{b}/v1/languages", params={"api_key": key[:-3] + "xyz"}, timeout=10).status_code == 401
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    text = "".join(path.read_text() for path in sorted(logs.rglob("*.log")))
    assert "GET /v1/languages" in text and "GET /v1/usage" in text and " 401 " in text  # the log is being written
    assert len(secrets_seen) >= 4
    for secret in secrets_seen:
        assert secret not in text and secret.split("_")[-1] not in text
        assert secret.split("_")[-1][:-3] not in text  # nor the wrong variants' common part
