"""The real stack for the service measurement, started by the launcher as
`make up` starts it: redis-server, gunicorn behind the nginx front, one Celery
worker (`workers` pool processes) and the interactive worker; every process is
stopped on exit, also on error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import launcher
from launcher import free_port

ROOT = Path(__file__).resolve().parent.parent


class Stack:
    def __init__(
        self,
        work: Path,
        packages_dir: Path,
        intra_threads: int | None,
        beam_size: int,
        max_batch_tokens: int,
        workers: int = 1,
        engines: str | None = None,
        env: dict[str, str] | None = None,
        loglevel: str = "WARNING",
    ):
        """intra_threads None: the service's own default threading for `workers`
        processes (config.py: cores / workers replicas of one thread each)."""
        self.work, self.packages_dir, self.workers = work, packages_dir, workers
        self.loglevel = loglevel  # the workers' (INFO: their model loads and evictions are logged)
        self.place = launcher.Place(var=work, port=free_port(), redis_port=free_port())
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "REDIS_URL": f"redis://127.0.0.1:{self.place.redis_port}/0",
            "ARGOS_PACKAGES_DIR": str(packages_dir),
            "TRANSLATE_BEAM_SIZE": str(beam_size),
            "WORKER_CONCURRENCY": str(workers),
            "TRANSLATE_MAX_BATCH_TOKENS": str(max_batch_tokens),
            "MAX_TARGET_LANGS": "10",
            # (c) is compared with (a), run in this process at normal priority: the worker too.
            # benchmarks.short sets the default back, to measure what it is for.
            "WORKER_NICE": "0",
        }
        self.env.pop("REDIS_PASSWORD", None)  # the bench's own Redis, without one
        for name in ("TRANSLATE_INTRA_THREADS", "TRANSLATE_INTER_THREADS"):
            self.env.pop(name, None)  # the bench states its threading, not the caller's shell
        if intra_threads is not None:
            self.env.update(TRANSLATE_INTRA_THREADS=str(intra_threads), TRANSLATE_INTER_THREADS="1")
        if engines:
            self.env["TRANSLATE_ENGINES"] = engines
        self.env.update(env or {})
        self.url = self.place.url

    def __enter__(self) -> "Stack":
        # A cold segment cache for every run.
        shutil.rmtree(self.place.redis_dir, ignore_errors=True)
        self.stack = launcher.Stack(self.place, self.env)
        try:
            self.stack.start("redis", wait=60, extra=("--appendonly", "no"))
            # Workers and threads from gunicorn.conf.py, as in every deployment.
            self.stack.start("api", wait=60)
            self.stack.start("front", wait=30)
            self.stack.start(
                "worker", concurrency=self.workers, loglevel=self.loglevel, node=f"bench-{self.place.port}@%h", wait=180
            )
            if self.env.get("WORKER_SERVES_INTERACTIVE", "").lower() not in ("1", "true", "yes", "on"):
                self.start_interactive()  # else the worker serves the interactive queue itself
            # The benchmark's own key: admin, no limits (it measures the service, not the quotas).
            from access import KeyStore

            self.api_key = (
                KeyStore(self.stack.redis_client())
                .create("benchmark", ["admin"], rate_limit="unlimited", char_quota="unlimited")
                .secret
            )
        except BaseException:
            self.__exit__()
            raise
        return self

    def start_interactive(self, **env) -> None:
        """The interactive worker (short requests), with `env` on top of the stack's (e.g. INTERACTIVE_BATCHING=0)."""
        self.stack.start(
            "interactive", env=env, loglevel=self.loglevel, node=f"bench-interactive-{self.place.port}@%h", wait=300
        )

    def restart_interactive(self, **env) -> None:
        self.stack.stop("interactive")
        self.start_interactive(**env)

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}"}

    def worker_peak_rss_bytes(self) -> int:
        """Peak resident memory (VmHWM) of the worker's processes, the largest one."""
        return max(self.worker_peaks_rss_bytes())

    def worker_peaks_rss_bytes(self) -> list[int]:
        """Peak resident memory (VmHWM) of each of the worker's processes, the
        Celery main process first, then its pool processes (those translate)."""
        main = self.stack.pid("worker")
        return [_vm_hwm(pid) for pid in [main] + [int(p) for p in _children(main)]]

    def process_rss(self) -> dict[str, list[tuple[int, int, int]]]:
        """Every process of the stack by key (children included: gunicorn's and
        nginx's workers, Celery's pool): (pid, RSS now, peak RSS) in bytes."""
        found: dict[str, list[tuple[int, int, int]]] = {}
        for key in self.stack.keys():
            pid = self.stack.pid(key)
            if pid is None:
                continue
            pids, todo = [], [pid]
            while todo:
                current = todo.pop()
                pids.append(current)
                todo.extend(int(child) for child in _children(current))
            found[key] = [(p, _status_kb(p, "VmRSS:"), _vm_hwm(p)) for p in pids]
        return found

    def stop_worker(self) -> None:
        """Take the translation tier away, as if it ran on other machines."""
        self.stack.stop("worker")

    def __exit__(self, *exc) -> None:
        self.stack.stop_all()


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _vm_hwm(pid: int) -> int:
    return _status_kb(pid, "VmHWM:")


def pss_bytes(pid: int) -> int:
    """Proportional set size: each page divided among the processes that map it
    (a forked process's inherited pages count once across them, where RSS counts
    them in each); 0 if the process is gone. Costlier to read than RSS."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _status_kb(pid: int, field: str) -> int:
    """A /proc/PID/status memory field, in bytes (0: the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
