"""Helpers shared by test modules. Test modules import from here (fixtures
come from conftest.py), never from each other or from conftest."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

import yaml

from config import Settings
from launcher import free_port  # noqa: F401 - tests import it from here

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TEST_LANGS = ("de", "fr", "es", "lt", "uk")
WEBHOOK_SECRET = "test-webhook-secret-" + "0" * 32  # settings refuse shorter ones
PROBLEM_KEYS = {"type", "title", "status", "detail"}


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def run_in_threads(target: Callable, args: Iterable[tuple], timeout: float = 60) -> None:
    """Run `target(*a)` for each `a` in its own thread, all at once, and fail
    the calling test if any of them raised (an assert in a thread is otherwise
    lost) or is still running after `timeout` seconds."""
    errors: list[BaseException] = []

    def guarded(*a):
        try:
            target(*a)
        except BaseException as error:  # re-raised in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=a, daemon=True) for a in args]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"{len(stuck)} of {len(threads)} threads still running after {timeout}s"
    if errors:
        for other in errors[1:]:
            errors[0].add_note(f"another thread failed too: {other!r}")
        raise errors[0]


def install_packages(files: list[Path], packages_dir: Path) -> None:
    """Install .argosmodel files with argostranslate's installer. It reads
    ARGOS_PACKAGES_DIR at import, so in a fresh interpreter pointed at the folder."""
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages_dir), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "translation.argos_packages", "install-file", *map(str, files)],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def make_settings(redis_server, db: int, packages_dir: Path, **overrides) -> Settings:
    """Settings for database `db` of a RedisServer (conftest.py) and a package folder."""
    return replace(
        Settings(),
        redis_url=f"{redis_server.url}/{db}",
        argos_packages_dir=str(packages_dir),
        intra_threads=1,
        **overrides,
    )


def race_to_add_entry(url: str, glossary_id: str, name: str, barrier, results) -> None:
    """One editor in a process of its own (test_glossary_store): wait for the
    others, then add an entry at version 1; the outcome goes to `results`.
    Here, not in the test module, because a spawned process imports the
    module of its target, and this one is light."""
    import redis

    from glossary.store import GlossaryStore, VersionConflict

    try:
        store = GlossaryStore(redis.Redis.from_url(url), prefix="race-test")
        barrier.wait(60)
        store.add_entry(glossary_id, {"term": name, "keep": True}, expected_version=1)
        results.put(("won", name))
    except VersionConflict as conflict:
        results.put(("conflict", conflict.current_version))
    except BaseException as error:  # report, don't hang the test
        results.put(("error", repr(error)))


# -- docker-compose.yml, read without a Docker engine ----------------------------

# The secrets compose insists on (docker-compose.yml refuses to start without them).
SECRETS = {"WEBHOOK_SECRET": "a" * 64, "REDIS_PASSWORD": "b" * 64, "METRICS_TOKEN": "c" * 64}


class ComposeError(Exception):
    pass


# Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}.
_VARIABLE = re.compile(r"\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\})")


def interpolate(value, env: dict):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match):
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(3)
        operator, argument = match.group(4), match.group(5)
        current = env.get(name)
        missing = current is None or (operator is not None and operator.startswith(":") and current == "")
        if operator and operator.endswith("?") and missing:
            raise ComposeError(f"required variable {name} is missing a value: {argument}")
        if operator and operator.endswith("-") and missing:
            return argument
        return current or ""

    return _VARIABLE.sub(substitute, value)


def compose(env: dict) -> dict:
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return interpolate({k: v for k, v in raw.items() if not k.startswith("x-")}, env)


# -- articles and jobs -------------------------------------------------------


def job_body(**extra) -> dict:
    """The smallest valid POST /v1/jobs body."""
    return {
        "source_lang": "en",
        "target_langs": ["de"],
        "article": {"title": "Matrix", "body": "A short text."},
        **extra,
    }


def read_article() -> dict:
    title, _, body = (DATA / "article.txt").read_text(encoding="utf-8").partition("\n")
    return {"title": title.strip(), "body": body.lstrip("\n"), "format": "text"}


def wait_for_job(client, job_id: str, timeout: float = 60) -> dict:
    def finished():
        status = client.get(f"/v1/jobs/{job_id}").get_json()
        return status if status["state"] not in ("queued", "running") else None

    return wait_until(finished, timeout, interval=0.1, what=f"job {job_id}")


# -- glossaries ----------------------------------------------------------------

SEED = json.loads((DATA / "glossary.json").read_text())


def seed_payload() -> dict:
    """The sample glossary as a POST /v1/glossaries body."""
    return {
        "name": SEED["name"],
        "source_lang": SEED["source_lang"],
        "description": "NATO desk",
        "entries": [{**e, "translations": e.get("translations", {})} for e in SEED["entries"]],
    }


# -- problem documents ---------------------------------------------------------


def assert_problem(response, status: int, type_suffix: str | None = None) -> dict:
    """The response is an RFC 9457 problem document with this status."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["status"] == status and body["detail"]
    if type_suffix:
        assert body["type"].endswith(type_suffix)
    return body


# -- API keys: every test client of the API sends one ---------------------------


def keyed_client(app, roles=("admin",), **options):
    """A test client of `app` sending a new API key with every request (admin,
    without limits, unless told otherwise); the key is `client.api_key`
    (an access.NewKey). A request's own Authorization header still wins."""
    options = {"rate_limit": "unlimited", "char_quota": "unlimited", **options}
    # The app's own KeyStore: keys' webhook secrets are derived from its WEBHOOK_SECRET.
    new = app.extensions["access"].keys.create(options.pop("name", "tests"), roles, **options)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {new.secret}"
    client.api_key = new
    return client


ACCESS_KEY_PREFIXES = (b"apikey:", b"audit:", b"quota")


def stored_keys(store) -> list[bytes]:
    """Redis keys a request left behind, access control's own (keys, audit, counters) aside."""
    return [k for k in store.keys() if not k.startswith(ACCESS_KEY_PREFIXES)]


@contextlib.contextmanager
def live_server(app):
    """`app` on a real port of 127.0.0.1 (threaded werkzeug), for client
    libraries that speak HTTP themselves (deepl uses requests, libretranslatepy urllib)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
