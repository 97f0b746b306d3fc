"""Fixtures for the whole path: a real Redis server, real Celery worker
processes, Argos packages built from the deterministic test models and
installed with argostranslate's own installer."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import redis

from config import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TEST_LANGS = ("de", "fr", "es", "lt", "uk")
WEBHOOK_SECRET = "test-webhook-secret-" + "0" * 32  # settings refuse shorter ones


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RedisServer:
    """A redis-server process of our own, with AOF persistence like production."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    # With a password, as every deployment runs it (scripts/env.sh, docker-compose.yml).
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}"

    def start(self) -> None:
        auth = self.directory / "auth.conf"  # not on the command line, where `ps` shows it
        auth.write_text(f"requirepass {self.password}\n")
        self.process = subprocess.Popen(
            ["redis-server", str(ROOT / "scripts" / "redis.conf"), "--port", str(self.port),
             "--dir", str(self.directory), "--daemonize", "no", "--logfile", str(self.directory / "redis.log"),
             "--include", str(auth)],
        )
        client = redis.Redis(port=self.port, password=self.password)
        wait_until(lambda: _pings(client), 10, what="redis to start")

    def stop(self) -> None:
        """A clean shutdown, as an operator's restart would do."""
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed; run `make test`, which installs it")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def install_packages(files: list[Path], packages_dir: Path) -> None:
    """argostranslate reads ARGOS_PACKAGES_DIR at import, so install in a
    fresh interpreter pointed at the target folder."""
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages_dir), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "translation.argos_packages", "install-file", *map(str, files)],
                   env=env, check=True, capture_output=True, cwd=ROOT)


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory) -> dict[str, Path]:
    """ARGOS_PACKAGES_DIR folders: 'identity' and 'cipher' for en -> TEST_LANGS."""
    from devtools.testmodels import build_package

    built = tmp_path_factory.mktemp("argosmodels")
    dirs = {}
    for kind in ("identity", "cipher"):
        files = [build_package(kind, "en", lang, built) for lang in TEST_LANGS]
        dirs[kind] = tmp_path_factory.mktemp(f"packages-{kind}")
        install_packages(files, dirs[kind])
    return dirs


@dataclass
class Worker:
    process: subprocess.Popen
    name: str

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
    """API (Flask test client on the real app) + Redis + worker processes."""

    settings: Settings
    packages_dir: Path
    log_dir: Path
    workers: list[Worker] = field(default_factory=list)

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
            **extra,
        }

    def start_worker(self, **env) -> Worker:
        name = f"w{len(self.workers)}-{os.getpid()}@localhost"
        log = open(self.log_dir / f"{name}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.worker", "worker", "--concurrency", "1",
             "--loglevel", "INFO", "-n", name, "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env(**env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        worker = Worker(process, name)
        self.workers.append(worker)
        from workers.celery_app import create_celery

        control = create_celery(self.settings).control
        wait_until(lambda: any(name in reply for reply in control.ping(timeout=0.5)), 60,
                   what=f"worker {name} (log: {log.name})")
        return worker

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


def make_settings(redis_server: RedisServer, db: int, packages_dir: Path, **overrides) -> Settings:
    return replace(Settings(), redis_url=f"{redis_server.url}/{db}", argos_packages_dir=str(packages_dir),
                   intra_threads=1, **overrides)


@pytest.fixture(scope="module", params=["identity", "cipher"])
def stack(request, redis_server, model_dirs, tmp_path_factory):
    """One stack per test model, each in its own Redis database."""
    kind = request.param
    db = {"identity": 1, "cipher": 2}[kind]
    redis.Redis.from_url(f"{redis_server.url}/{db}").flushdb()
    # The test models only: these workers need not load the real model (tests/test_real_model_e2e.py does).
    settings = make_settings(redis_server, db, model_dirs[kind], engines=("argos",), webhook_secret=WEBHOOK_SECRET,
                             webhook_allowed_hosts=("127.0.0.1",), webhook_backoff_seconds=1)
    running = Stack(settings, model_dirs[kind], tmp_path_factory.mktemp(f"logs-{kind}"))
    running.kind = kind
    running.start_worker()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(stack):
    from service import create_app

    app = create_app(stack.settings)
    app.testing = True
    return keyed_client(app)


def read_article() -> dict:
    title, _, body = (DATA / "article.txt").read_text(encoding="utf-8").partition("\n")
    return {"title": title.strip(), "body": body.lstrip("\n"), "format": "text"}


def wait_for_job(client, job_id: str, timeout: float = 60) -> dict:
    def finished():
        status = client.get(f"/v1/jobs/{job_id}").get_json()
        return status if status["state"] not in ("queued", "running") else None

    return wait_until(finished, timeout, interval=0.1, what=f"job {job_id}")


# -- API keys: every test client of the API sends one ------------------------------

def keyed_client(app, roles=("admin",), **options):
    """A test client of `app` sending a new API key with every request (admin,
    without limits, unless told otherwise); the key is `client.api_key`
    (an access.NewKey). A request's own Authorization header still wins."""
    from access import KeyStore

    options = {"rate_limit": "unlimited", "char_quota": "unlimited", **options}
    new = KeyStore(app.extensions["newsroom"].redis).create(options.pop("name", "tests"), roles, **options)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {new.secret}"
    client.api_key = new
    return client


ACCESS_KEY_PREFIXES = (b"apikey:", b"audit:", b"quota")


def stored_keys(store) -> list[bytes]:
    """Redis keys a request left behind, access control's own (keys, audit, counters) aside."""
    return [k for k in store.keys() if not k.startswith(ACCESS_KEY_PREFIXES)]
