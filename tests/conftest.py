"""Fixtures: a real Redis server, Argos packages built from the deterministic
test models and installed with argostranslate's own installer, the API built
by its app factory, and, for the whole path, real Celery worker processes.

Sections: Redis, test models, the API, worker processes. Plain helpers that
test modules import live in tests/helpers.py."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

import launcher
from config import Settings
from tests.helpers import (
    ROOT,
    TEST_LANGS,
    WEBHOOK_SECRET,
    free_port,
    install_packages,
    keyed_client,
    live_server,
    make_settings,
)

# -- Redis ---------------------------------------------------------------------


@dataclass
class RedisServer:
    """A redis-server process of our own, started by the launcher as every
    stack starts it (scripts/redis.conf, AOF persistence, a password)."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    # With a password, as every deployment runs it (scripts/env.sh, docker-compose.yml).
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}"

    @property
    def launcher(self) -> launcher.Stack:
        place = launcher.Place(var=self.directory, port=self.port, redis_port=self.port)
        return launcher.Stack(place, {**os.environ, "REDIS_PASSWORD": self.password})

    def start(self) -> None:
        running = self.launcher
        # A database per test module that needs one (see make_app).
        running.start("redis", wait=10, extra=("--databases", "32"))
        self.process = running.processes["redis"]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """A clean shutdown (SIGTERM), as an operator's restart would do, or a crash (SIGKILL)."""
        if self.process:
            self.process.send_signal(sig)
            self.process.wait(10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed; run `make test`, which installs it")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def private_redis_server(tmp_path):
    """A Redis server of this test's own, for tests that restart it."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# -- Argos test models -----------------------------------------------------------


class ModelDirs(Mapping):
    """ARGOS_PACKAGES_DIR folders by test model kind ('identity', 'cipher'),
    each with en -> TEST_LANGS installed. A kind is built on first use, so a
    run that needs only one (the API tests) does not build the other."""

    KINDS = ("identity", "cipher")  # devtools.testmodels.KINDS, without importing the builder

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.built: dict[str, Path] = {}

    def __getitem__(self, kind: str) -> Path:
        from devtools.testmodels import build_package

        if kind not in self.KINDS:
            raise KeyError(kind)
        if kind not in self.built:
            out = self.tmp_path_factory.mktemp(f"argosmodels-{kind}")
            files = [build_package(kind, "en", lang, out) for lang in TEST_LANGS]
            packages = self.tmp_path_factory.mktemp(f"packages-{kind}")
            install_packages(files, packages)
            self.built[kind] = packages
        return self.built[kind]

    def __iter__(self):
        return iter(self.KINDS)

    def __len__(self) -> int:
        return len(self.KINDS)


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory) -> Mapping[str, Path]:
    return ModelDirs(tmp_path_factory)


# -- The API ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def make_app(redis_server, model_dirs):
    """The one way tests build the API: the real app factory on real Redis.
    Requests need an API key: `keyed_client(app)` (tests/helpers.py).

        make_app(db, **overrides)   settings for database `db` of the session's
                                    server, identity test models, overrides
                                    as `Settings` fields
        make_app(settings=s)        exactly these settings (the stack's)
        server=                     another RedisServer (private_redis_server)
        flush=False                 keep what the database holds, as a new
                                    API process would (default: flush it)

    Databases of the session's server in use: 0 test_glossary_store (its own
    key prefix), 1 and 2 the stacks, 3 test_api_errors, 4 test_glossary_api,
    5 test_access_matrix, 6 test_access_api, 7 test_access_processes,
    8 test_api_links, 9 test_real_model_e2e, 10 test_console_e2e, 11
    test_console, 12 test_compat_api, 13 test_compat_e2e, 14 test_content_safety,
    15 test_deployment, 16
    test_observability, 17 test_served_pages, 18 test_job_store_publication,
    19 test_metrics_e2e, 20 test_front_e2e.
    """
    from service import create_app

    def make(
        db: int = 0,
        *,
        settings: Settings | None = None,
        server: RedisServer | None = None,
        flush: bool = True,
        **overrides,
    ):
        if settings is None:
            settings = make_settings(server or redis_server, db, model_dirs["identity"], **overrides)
        if flush:
            redis.Redis.from_url(settings.redis_url).flushdb()
        app = create_app(settings)
        app.testing = True
        return app

    return make


# -- Worker processes: the whole path --------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen
    name: str
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a crashed machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    """API (Flask test client on the real app) + Redis + worker processes,
    started by the launcher as every stack starts them."""

    settings: Settings
    packages_dir: Path
    log_dir: Path
    workers: list[Worker] = field(default_factory=list)

    def __post_init__(self):
        # Pid and log files in log_dir; the port is the front's, if the test starts the API.
        place = launcher.Place(var=self.log_dir, port=free_port(), redis_port=0, logs=self.log_dir)
        self.launcher = launcher.Stack(place, self.env())

    def env(self, **extra) -> dict:
        s = self.settings
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "REDIS_URL": s.redis_url,
            "ARGOS_PACKAGES_DIR": str(self.packages_dir),
            "TRANSLATE_ENGINES": ",".join(s.engines),
            "TRANSLATE_BEAM_SIZE": str(s.beam_size),
            "CELERY_VISIBILITY_TIMEOUT": str(s.visibility_timeout),
            "WEBHOOK_SECRET": s.webhook_secret,
            "WEBHOOK_ALLOWED_HOSTS": ",".join(s.webhook_allowed_hosts),
            "WEBHOOK_BACKOFF_SECONDS": str(s.webhook_backoff_seconds),
            "WEBHOOK_MAX_ATTEMPTS": str(s.webhook_max_attempts),
            "JOB_LEASE_SECONDS": str(s.job_lease_seconds),
            "JOB_SWEEP_INTERVAL_SECONDS": str(s.job_sweep_interval_seconds),
            "JOB_MAX_ATTEMPTS": str(s.job_max_attempts),
            "JOB_DISPATCH_GRACE_SECONDS": str(s.job_dispatch_grace_seconds),
            "MAX_SEGMENT_CHARS": str(s.max_segment_chars),
            "MAX_SEGMENT_TOKENS": str(s.max_segment_tokens),
            **extra,
        }

    def start_worker(self, **env) -> Worker:
        return self._start("worker", f"w{len(self.workers)}", env, 60)

    def start_interactive_worker(self, **env) -> Worker:
        """The worker of the interactive queue (workers/interactive.py): short
        requests and detection, threads, dynamic batching, the detector built
        at start (its models are preloaded before the first request: a while)."""
        return self._start("interactive", f"i{len(self.workers)}", env, 180)

    def _start(self, kind: str, key: str, env: dict, wait: float) -> Worker:
        name = f"{key}-{os.getpid()}@localhost"
        self.launcher.start(kind, key, env=env, wait=wait, node=name, extra=("--without-gossip", "--without-mingle"))
        worker = Worker(self.launcher.processes[key], name, self.launcher.logfile(key))
        self.workers.append(worker)
        return worker

    def start_api(self, **env) -> str:
        """The API under gunicorn behind the nginx front, as `make up` runs it
        (gunicorn.conf.py: API_WORKERS processes); returns the front's URL. Its log:
        `self.launcher.logfile("api")`."""
        self.launcher.start("api", env=env, wait=60)
        self.launcher.start("front", env=env, wait=30)
        return self.launcher.place.url

    def stop(self) -> None:
        self.launcher.stop_all()


@pytest.fixture(scope="session")
def start_stack(tmp_path_factory):
    """Starts a Stack with one worker for any settings and package folder (the
    `stack` fixture's, or a module's own; `worker_env`: extra environment of
    the worker); the caller stops it."""

    def start(settings: Settings, packages_dir: Path, name: str, **worker_env) -> Stack:
        running = Stack(settings, packages_dir, tmp_path_factory.mktemp(f"logs-{name}"))
        running.start_worker(**worker_env)
        return running

    return start


@pytest.fixture(scope="module", params=["identity", "cipher"])
def stack(request, redis_server, model_dirs, start_stack):
    """One stack per test model, each in its own Redis database."""
    kind = request.param
    db = {"identity": 1, "cipher": 2}[kind]
    redis.Redis.from_url(f"{redis_server.url}/{db}").flushdb()
    # The test models only: these workers need not load the real model (tests/test_real_model_e2e.py does).
    settings = make_settings(
        redis_server,
        db,
        model_dirs[kind],
        engines=("argos",),
        webhook_secret=WEBHOOK_SECRET,
        webhook_allowed_hosts=("127.0.0.1:*",),
        webhook_backoff_seconds=1,
    )
    running = start_stack(settings, model_dirs[kind], kind)
    running.kind = kind
    yield running
    running.stop()


@pytest.fixture(scope="module")
def url(app):
    """The module's `app` served on a real port: for clients that speak HTTP
    (DeepL's and LibreTranslate's libraries)."""
    with live_server(app) as base:
        yield base


@pytest.fixture
def deepl_no_retries(monkeypatch):
    # deepl retries 429 and 5xx for ~15 s by default (module globals, read at each request).
    import deepl

    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)


@pytest.fixture(scope="module")
def client(stack, make_app):
    """An admin client of the stack's API (its database is not flushed: the stack owns it)."""
    return keyed_client(make_app(settings=stack.settings, flush=False))
