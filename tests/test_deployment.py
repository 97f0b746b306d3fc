"""The hardened deployment, checked without a Docker engine: docker-compose.yml
parsed and interpolated the way compose does it, the image's user, the
scripts' generated secrets and their Redis (password, loopback, maxmemory with
noeviction), and the 507 problem document when Redis is full."""

from __future__ import annotations

import os
import re
import stat
import subprocess

import pytest
import redis

import launcher
from config import Settings
from tests.helpers import ROOT, SECRETS, ComposeError, compose, free_port


@pytest.mark.parametrize("name", sorted(SECRETS))
@pytest.mark.parametrize("value", [None, ""])
def test_compose_refuses_to_start_without_each_secret(name, value):
    env = {**SECRETS, name: value} if value is not None else {k: v for k, v in SECRETS.items() if k != name}
    with pytest.raises(ComposeError, match=name):
        compose(env)


def test_a_placeholder_webhook_secret_stops_the_api_and_the_workers(monkeypatch):
    # Compose cannot compare values; the processes it starts refuse short ones.
    services = compose({**SECRETS, "WEBHOOK_SECRET": "change-me"})["services"]
    for service in ("api", "worker"):
        environment = services[service]["environment"]
        assert environment["WEBHOOK_SECRET"] == "change-me"
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        with pytest.raises(SystemExit, match="WEBHOOK_SECRET"):
            Settings.from_env()
    monkeypatch.setenv("WEBHOOK_SECRET", SECRETS["WEBHOOK_SECRET"])
    assert Settings.from_env().webhook_secret == SECRETS["WEBHOOK_SECRET"]


def test_compose_hardening():
    config = compose(SECRETS)
    services, networks = config["services"], config["networks"]
    redis_service = services["redis"]
    assert "ports" not in redis_service and redis_service["networks"] == ["backend"]
    assert networks["backend"]["internal"] is True
    command = " ".join(redis_service["command"])
    assert (
        "requirepass" in command and "--include /tmp/auth.conf" in command and SECRETS["REDIS_PASSWORD"] not in command
    )
    assert "--maxmemory 1gb" in command
    for name in ("api", "worker"):
        url = services[name]["environment"]["REDIS_URL"]
        assert url == f"redis://:{SECRETS['REDIS_PASSWORD']}@redis:6379/0"
    # Only the front is published; the API is on the internal network behind it.
    assert services["front"]["ports"] == ["127.0.0.1:8080:8080"] and "ports" not in services["api"]
    assert services["api"]["networks"] == ["backend"]
    assert all(
        not str(p).split(":")[0].replace(".", "").isdigit() or str(p).startswith("127.0.0.1:")
        for s in services.values()
        for p in s.get("ports", [])
    )
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        assert service["deploy"]["resources"]["limits"]["memory"], name
        assert service["healthcheck"]["test"], name
    assert "inspect ping -d celery@$HOSTNAME" in services["worker"]["healthcheck"]["test"][1]
    conf = (ROOT / "scripts" / "redis.conf").read_text()
    assert re.search(r"^maxmemory \d+[kmg]b$", conf, re.M) and re.search(r"^maxmemory-policy noeviction$", conf, re.M)
    assert re.search(r"^bind 127\.0\.0\.1 ::1$", conf, re.M) and "protected-mode yes" in conf


def test_the_image_runs_as_an_unprivileged_user():
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    assert users and users[-1].split(":")[0] not in ("0", "root")


def clean_env(**extra) -> dict:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), **extra}


def test_scripts_generate_their_secrets_once_and_privately(tmp_path):
    script = f'. {ROOT}/scripts/env.sh && printf \'%s\\n\' "$REDIS_URL" "$WEBHOOK_SECRET" "$METRICS_TOKEN"'
    first = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True
    ).stdout.split()
    again = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True
    ).stdout.split()
    assert first == again
    password = (tmp_path / "var/secrets/redis-password").read_text()
    assert first[0] == f"redis://:{password}@127.0.0.1:6399/0" and len(password) == 64
    assert first[1] == (tmp_path / "var/secrets/webhook-secret").read_text() and len(first[1]) >= 32
    assert stat.S_IMODE((tmp_path / "var/secrets").stat().st_mode) == 0o700
    for secret in (tmp_path / "var/secrets").iterdir():
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret


@pytest.mark.slow  # seconds: the full suite's, not make test-fast's
def test_the_launchers_redis_wants_the_password_and_has_a_memory_ceiling(tmp_path):
    port = free_port()
    place = launcher.Place(var=tmp_path, port=port, redis_port=port)
    running = launcher.Stack(place, clean_env(REDIS_PASSWORD="p" * 40))
    running.start("redis", wait=30, maxmemory="64mb")
    try:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).ping()
        client = redis.Redis(port=port, password="p" * 40)
        assert client.ping()
        assert client.config_get("maxmemory")["maxmemory"] == str(64 * 1024 * 1024)
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        assert client.config_get("bind")["bind"] == "127.0.0.1 ::1"
        assert stat.S_IMODE((place.redis_dir / "auth.conf").stat().st_mode) == 0o600
        assert "p" * 40 not in open(f"/proc/{running.pid('redis')}/cmdline").read()
    finally:
        running.stop_all()


@pytest.fixture()
def full_redis(tmp_path, model_dirs):
    """A Redis of its own with a tiny maxmemory, already full."""
    port = free_port()
    server = launcher.Stack(launcher.Place(var=tmp_path, port=port, redis_port=port), clean_env())
    server.start("redis", wait=10, maxmemory="4mb", extra=("--appendonly", "no", "--save", ""))
    client = server.redis_client()
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        for i in range(1000):
            client.set(f"ballast:{i}", "x" * 100_000)
    # Well past the ceiling, not at its edge, so every write is refused.
    used = client.info("memory")["used_memory"]
    client.config_set("maxmemory", used - 1024 * 1024)
    yield client, port
    server.stop_all()


def test_a_full_redis_gets_a_507_problem_and_nothing_half_written(full_redis, model_dirs, make_app):
    from dataclasses import replace

    client, port = full_redis
    # Access control off: this is about Redis, and a full Redis cannot store a key.
    settings = replace(
        Settings(),
        redis_url=f"redis://127.0.0.1:{port}/0",
        argos_packages_dir=str(model_dirs["identity"]),
        auth_disabled=True,
    )
    api = make_app(settings=settings, flush=False).test_client()  # flushing would empty the full Redis
    keys = client.dbsize()
    job = {"source_lang": "en", "target_langs": ["de", "fr"], "article": {"title": "T", "body": "Body."}}
    glossary = {"name": "g", "source_lang": "en", "entries": [{"term": "NATO", "keep": True}]}
    for response in (api.post("/v1/jobs", json=job), api.post("/v1/glossaries", json=glossary)):
        assert response.status_code == 507, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json" and response.headers["Retry-After"] == "60"
        problem = response.get_json()
        assert problem["type"].endswith("/storage-full") and problem["status"] == 507 and problem["detail"]
    assert client.dbsize() == keys
    assert api.get("/v1/jobs/nope").status_code == 404  # reads still work


def test_a_queue_that_is_full_gets_a_507_and_the_job_is_removed(make_app, monkeypatch):
    # Redis full between writing the job and queueing its tasks (the job fitted, the message did not).
    from tests.helpers import stored_keys

    app = make_app(15, auth_disabled=True)
    client = app.extensions["newsroom"].redis

    def full(*args, **kwargs):
        raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")

    monkeypatch.setattr(app.extensions["newsroom"].celery, "send_task", full)
    response = app.test_client().post(
        "/v1/jobs", json={"source_lang": "en", "target_langs": ["de"], "article": {"title": "T", "body": "B."}}
    )
    assert response.status_code == 507 and response.get_json()["type"].endswith("/storage-full")
    assert [key for key in stored_keys(client) if not key.startswith(b"active:")] == []
    assert client.zcard("active:jobs:queued") == client.zcard("active:languages:queued") == 0
