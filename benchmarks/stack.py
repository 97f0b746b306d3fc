"""The real stack for the service measurement: redis-server, gunicorn, one
Celery worker (`workers` pool processes); every process is stopped on exit, also on error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, work: Path, packages_dir: Path, intra_threads: int | None, beam_size: int,
                 max_batch_tokens: int, workers: int = 1, engines: str | None = None):
        """intra_threads None: the service's own default threading for `workers`
        processes (config.py: cores / workers replicas of one thread each)."""
        self.work, self.packages_dir, self.workers = work, packages_dir, workers
        self.redis_port, self.api_port = free_port(), free_port()
        self.env = {
            **os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "ARGOS_PACKAGES_DIR": str(packages_dir), "TRANSLATE_BEAM_SIZE": str(beam_size),
            "WORKER_CONCURRENCY": str(workers),
            "TRANSLATE_MAX_BATCH_TOKENS": str(max_batch_tokens),
            "MAX_TARGET_LANGS": "10",
            # (c) is compared with (a), run in this process at normal priority: the worker too.
            # benchmarks.short sets the default back, to measure what it is for.
            "WORKER_NICE": "0",
        }
        for name in ("TRANSLATE_INTRA_THREADS", "TRANSLATE_INTER_THREADS"):
            self.env.pop(name, None)  # the bench states its threading, not the caller's shell
        if intra_threads is not None:
            self.env.update(TRANSLATE_INTRA_THREADS=str(intra_threads), TRANSLATE_INTER_THREADS="1")
        if engines:
            self.env["TRANSLATE_ENGINES"] = engines
        self.processes: dict[str, subprocess.Popen] = {}
        self.url = f"http://127.0.0.1:{self.api_port}"

    def _start(self, name: str, argv: list[str]) -> None:
        log = open(self.work / f"{name}.log", "w")
        self.processes[name] = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def __enter__(self) -> "Stack":
        redis_dir = self.work / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        for f in redis_dir.glob("*"):  # a cold segment cache for every run
            if f.is_file():
                f.unlink()
        try:
            self._start("redis", ["redis-server", str(ROOT / "scripts" / "redis.conf"), "--port", str(self.redis_port),
                                  "--dir", str(redis_dir), "--appendonly", "no"])
            # Workers and threads from gunicorn.conf.py, as in every deployment.
            self._start("api", [sys.executable, "-m", "gunicorn", "service:create_app()", "--bind",
                                f"127.0.0.1:{self.api_port}"])
            self._start("worker", [sys.executable, "-m", "celery", "-A", "workers.worker", "worker",
                                   "--concurrency", str(self.workers), "--loglevel", "WARNING", "-n", f"bench-{self.api_port}@%h"])
            self.start_interactive()
            self._wait_ready()
            # The benchmark's own key: admin, no limits (it measures the service, not the quotas).
            from access import KeyStore

            self.api_key = KeyStore(redis.Redis(port=self.redis_port)).create(
                "benchmark", ["admin"], rate_limit="unlimited", char_quota="unlimited").secret
        except BaseException:
            self.__exit__()
            raise
        return self

    def start_interactive(self, **env) -> None:
        """The interactive worker (short requests), with `env` on top of the stack's (e.g. INTERACTIVE_BATCHING=0)."""
        log = open(self.work / "interactive.log", "a")
        self.processes["interactive"] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.interactive", "worker", "--loglevel", "WARNING",
             "-n", f"bench-interactive-{self.api_port}@%h"],
            cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def restart_interactive(self, **env) -> None:
        self._stop("interactive")
        self.start_interactive(**env)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=3).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"stack not ready after {timeout}s; logs in {self.work}")

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}"}

    def worker_peak_rss_bytes(self) -> int:
        """Peak resident memory (VmHWM) of the worker's processes, the largest one."""
        return max(self.worker_peaks_rss_bytes())

    def worker_peaks_rss_bytes(self) -> list[int]:
        """Peak resident memory (VmHWM) of each of the worker's processes, the
        Celery main process first, then its pool processes (those translate)."""
        main = self.processes["worker"].pid
        return [_vm_hwm(pid) for pid in [main] + [int(p) for p in _children(main)]]

    def stop_worker(self) -> None:
        """Take the translation tier away, as if it ran on other machines."""
        self._stop("worker")

    def _stop(self, name: str) -> None:
        process = self.processes.get(name)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def __exit__(self, *exc) -> None:
        for name in ("interactive", "worker", "api", "redis"):
            self._stop(name)


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
