"""Start, wait for and stop the processes of one stack (`Place`).

Each process runs in a session of its own (a signal to one leaves the
others), with its pid in run/KEY.pid and its output in log/KEY.log; `stop`
works from those files, so `python -m launcher down` stops what an earlier
`up` started, and a test or the fault suite can signal a process by its key.
A supervised process (scripts/supervise.sh) is started again whenever it
exits; run/KEY.pid is then the current process, run/KEY-supervisor.pid the
supervisor.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Mapping

from config import Settings
from launcher.commands import (
    MASTER_NAME,
    NAMES,
    ROOT,
    SENTINEL_DOWN_AFTER_MS,
    SENTINEL_FAILOVER_TIMEOUT_MS,
    Place,
    argv,
    node_conf,
    sentinel_conf,
    write_front_conf,
)

# The app's body limit, which the front enforces too; the environment's MAX_BODY_BYTES overrides both.
MAX_BODY_BYTES = Settings.max_body_bytes


# What a process may create: Redis's data files (jobs, glossaries, keys' hashes)
# for this user only; everything else (logs, the API's socket, the front's
# temp files) for this user and its group.
UMASKS = {"redis": 0o077}


class NotReady(RuntimeError):
    pass


class Stack:
    def __init__(self, place: Place, env: Mapping[str, str] | None = None):
        self.place = place
        self.env = dict(os.environ if env is None else env)
        self.processes: dict[str, subprocess.Popen] = {}
        place.run.mkdir(parents=True, exist_ok=True)
        # The API's socket is in here (gunicorn makes it writable by all): only
        # this user and its group may reach gunicorn without the front.
        place.run.chmod(0o750)
        place.log.mkdir(parents=True, exist_ok=True)

    # -- files -----------------------------------------------------------------

    def pidfile(self, key: str) -> Path:
        return self.place.run / f"{key}-{self.place.port}.pid"

    def logfile(self, key: str) -> Path:
        return self.place.log / f"{key}-{self.place.port}.log"

    def pid(self, key: str) -> int | None:
        try:
            return int(self.pidfile(key).read_text())
        except (OSError, ValueError):
            return None

    def alive(self, key: str) -> bool:
        pid = self.pid(key)
        if pid is None:
            return False
        process = self.processes.get(key)
        if process is not None and process.pid == pid:
            return process.poll() is None  # reaps it once it has exited
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    # -- starting ----------------------------------------------------------------

    def start(
        self,
        name: str,
        key: str = "",
        *,
        env: Mapping[str, str] | None = None,
        supervised: bool = False,
        wait: float = 120,
        front: bool = True,
        netns: str = "",
        **options,
    ) -> int:
        """Start process `name` (one of NAMES) as `key` (default: its name; two
        workers need two keys), wait up to `wait` seconds for it to be ready
        (0: do not wait), and return its pid.

        env: on top of the stack's; front: the API listens on the front's
        socket (False: on options['bind'], for tests of one API process);
        netns: run it inside this network namespace (a test "host", docs/ha.md);
        options: for commands.argv (node, concurrency, bind, index, extra, ...)."""
        key = key or name
        env = {**self.env, **(env or {})}
        if name in ("redis", "replica"):
            self._prepare_redis(env, name == "replica")
        elif name == "sentinel":
            self._prepare_sentinel(env, options.get("index", 0), options.get("bind", ""))
        elif name == "api" and front and not options.get("bind"):
            # Behind the front: the client's address and scheme come from its X-Forwarded-* headers.
            env.setdefault("PROXY_HOPS", "1")
            self.place.socket.unlink(missing_ok=True)
        elif name == "front":
            self._prepare_front(env)
        if name in ("redis", "replica"):
            options["extra"] = (*self._follow_current_primary(name, options.get("bind", "")), *options.get("extra", ()))
        command = argv(name, self.place, **options)
        if netns:
            # `ip netns exec` enters the namespace and execs the command: the pid is the process's own.
            command = ["ip", "netns", "exec", netns, *command]
        # Logs may hold what clients sent: readable by this user and its group only.
        log = os.fdopen(os.open(self.logfile(key), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640), "ab")
        if supervised:
            command = [str(ROOT / "scripts" / "supervise.sh"), "--pidfile", str(self.pidfile(key)), "--", *command]
        old = self.processes.pop(key, None)
        if old is not None:
            old.poll()  # reap a process that was killed
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=UMASKS.get(name, 0o027),
        )
        log.close()
        self.processes[key] = process
        if supervised:
            self.pidfile(f"{key}-supervisor").write_text(str(process.pid))
        else:
            self.pidfile(key).write_text(str(process.pid))
        if wait:
            self.wait(name, key, wait, options.get("node", ""), options.get("bind", ""), options.get("index", 0))
        return self.pid(key) or process.pid

    def _prepare_redis(self, env: dict, replica: bool) -> None:
        directory = self.place.replica_dir if replica else self.place.redis_dir
        directory.mkdir(parents=True, exist_ok=True)
        conf = directory / "node.conf"
        if not conf.exists():  # once: after a failover it holds the node's role
            _write_private(conf, node_conf(self.place, replica))
        # Written with mode 600 from the start: it holds the password. Every
        # data node may become a replica (a failover turns the old primary into
        # one), so each also has the password it replicates with.
        password = env.get("REDIS_PASSWORD", "")
        _write_private(directory / "auth.conf", f"requirepass {password}\nmasterauth {password}\n" if password else "")

    def _follow_current_primary(self, name: str, bind: str) -> tuple[str, ...]:
        """A data node that starts again after a failover joins the current
        primary as its replica at once (the sentinels would turn it into one
        anyway, about 15 s later, while writes waited for a replica).

        While the sentinels still name this very node (it was the primary and
        died; their failover is under way), starting it as a primary would let
        them keep it and throw away what the replica took since: wait for them
        to name another, for as long as a failover takes; if they never do
        (no replica to promote), it is the primary."""
        if not self.place.sentinel_ports:
            return ()
        place = self.place
        me = (
            (bind or place.replica_host or place.redis_host, place.replica_port)
            if name == "replica"
            else (bind or place.redis_host, place.redis_port)
        )
        deadline = time.monotonic() + (SENTINEL_DOWN_AFTER_MS + SENTINEL_FAILOVER_TIMEOUT_MS) / 1000
        while True:
            primary = self._primary_by_majority()
            if primary is None:
                return ()  # no sentinel answers yet (a first start): as node.conf says
            if primary != me:
                return ("--replicaof", primary[0], str(primary[1]))
            if time.monotonic() > deadline:
                return ()
            time.sleep(0.2)

    def _primary_by_majority(self) -> tuple[str, int] | None:
        """The primary a majority of the sentinels names (one may lag: in TILT
        mode after a stall it keeps an old view); None if no majority answers."""
        import redis

        place = self.place
        named = []
        for index, port in enumerate(place.sentinel_ports):
            try:
                found = self.redis_client(port=port, host=place.sentinel_host(index)).execute_command(
                    "SENTINEL", "get-master-addr-by-name", self.place_master()
                )
            except redis.RedisError:
                continue
            if found:
                named.append((found[0].decode(), int(found[1])))
        agreed = [address for address in set(named) if named.count(address) * 2 > len(place.sentinel_ports)]
        return agreed[0] if agreed else None

    def place_master(self) -> str:
        return self.env.get("REDIS_MASTER_NAME") or MASTER_NAME

    def _prepare_sentinel(self, env: dict, index: int, bind: str) -> None:
        directory = self.place.sentinel_dir(index)
        directory.mkdir(parents=True, exist_ok=True)
        conf = directory / "sentinel.conf"
        # Once: Sentinel rewrites its file with what it learnt (the current
        # primary, the epoch); writing it again would send a restarted sentinel
        # back to a primary that may since have become a replica.
        if not conf.exists():
            _write_private(
                conf,
                sentinel_conf(
                    self.place,
                    index,
                    env.get("REDIS_PASSWORD", ""),
                    master=env.get("REDIS_MASTER_NAME") or MASTER_NAME,
                    bind=bind,
                ),
            )

    def _prepare_front(self, env: dict) -> None:
        write_front_conf(self.place, int(env.get("MAX_BODY_BYTES", MAX_BODY_BYTES)))

    # -- readiness ---------------------------------------------------------------

    def wait(self, name: str, key: str, timeout: float, node: str = "", bind: str = "", index: int = 0) -> None:
        place = self.place
        check = {
            "redis": lambda: self._redis_answers(bind or place.redis_host, place.redis_port),
            "replica": lambda: self._replica_in_sync(bind or place.replica_host or place.redis_host),
            "sentinel": lambda: self._redis_answers(bind or place.sentinel_host(index), place.sentinel_ports[index]),
            "api": lambda: self._http_ok("/healthz", bind),
            "front": lambda: self._http_ok("/healthz", f"127.0.0.1:{self.place.port}"),
            "worker": lambda: self._worker_answers(node),
            "interactive": lambda: self._worker_answers(node),
        }[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(key)
            if process is not None and process.poll() is not None:
                raise NotReady(
                    f"{key} exited with status {process.returncode}; see {self.logfile(key)}:\n"
                    + _tail(self.logfile(key))
                )
            if check():
                return
            time.sleep(0.1)
        raise NotReady(f"{key} not ready after {timeout:.0f} s; see {self.logfile(key)}:\n" + _tail(self.logfile(key)))

    def redis_client(self, db: int = 0, port: int = 0, host: str = ""):
        """A plain client of one Redis process (the primary by default; in the
        highly available stack, the primary it started with)."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: the callers poll (readiness) or say what they found; redis-py's default retries with
        # back-off would make each poll of a process not yet listening take seconds.
        return redis.Redis(
            host=host or self.place.redis_host,
            port=port or self.place.redis_port,
            db=db,
            password=self.env.get("REDIS_PASSWORD") or None,
            socket_connect_timeout=2,
            socket_timeout=10,
            retry=Retry(NoBackoff(), 0),
        )

    def _redis_answers(self, host: str, port: int) -> bool:
        import redis

        try:
            # PONG only once Redis has loaded its data (BusyLoadingError before).
            return bool(self.redis_client(port=port, host=host).ping())
        except redis.RedisError:
            return False

    def _replica_in_sync(self, host: str) -> bool:
        """A replica counts as started once it holds the primary's data (its link is up)."""
        import redis

        try:
            info = self.redis_client(port=self.place.replica_port, host=host).info("replication")
        except redis.RedisError:
            return False
        return info.get("role") == "master" or info.get("master_link_status") == "up"

    def _http_ok(self, path: str, address: str) -> bool:
        import httpx

        try:
            if address and not address.startswith("unix:"):
                return httpx.get(f"http://{address}{path}", timeout=2).status_code == 200
            transport = httpx.HTTPTransport(uds=str(self.place.socket))
            with httpx.Client(transport=transport, timeout=2) as client:
                return client.get(f"http://api{path}").status_code == 200
        except httpx.HTTPError:
            return False

    def _worker_answers(self, node: str) -> bool:
        from config import Settings
        from workers.celery_app import create_celery

        control = getattr(self, "_control", None)
        if control is None:
            # Only where Redis is (one server, or sentinels): the rest of the env is the workers' business.
            found = {k: v for k, v in self.env.items() if k in ("REDIS_URL", "REDIS_SENTINELS", "REDIS_MASTER_NAME")}
            control = self._control = create_celery(Settings.from_env(found)).control
        prefix = node.split("@")[0] + "@"
        try:
            return any(name.startswith(prefix) for reply in control.ping(timeout=0.5) for name in reply)
        except Exception:  # Redis away or restarting: not ready yet
            return False

    # -- stopping ----------------------------------------------------------------

    def signal(self, key: str, sig: int) -> None:
        """Send `sig` to the process group of `key` (a crash, a kill -9 of a worker and its pool)."""
        pid = self.pid(key)
        if pid is None:
            raise ProcessLookupError(f"{key} is not running")
        os.killpg(pid, sig)

    def stop(self, key: str, timeout: float = 30) -> None:
        """SIGTERM (a warm shutdown: a Celery worker finishes or gives back its
        task, Redis writes its data), SIGKILL after `timeout` seconds."""
        supervisor = self.pidfile(f"{key}-supervisor")
        child = self.pid(key)
        if supervisor.exists():
            # The supervisor passes SIGTERM on and exits once its process has stopped.
            self._terminate(int(supervisor.read_text()), timeout, group=False)
            supervisor.unlink(missing_ok=True)
            if child is not None:
                _killpg(child, signal.SIGKILL)
        elif child is not None:
            self._terminate(child, timeout, group=True)
        self.pidfile(key).unlink(missing_ok=True)
        process = self.processes.pop(key, None)
        if process is not None:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def _terminate(self, pid: int, timeout: float, group: bool) -> None:
        send = _killpg if group else _kill
        if not send(pid, signal.SIGTERM):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _exists(pid, self.processes):
            time.sleep(0.05)
        send(pid, signal.SIGKILL)

    def keys(self) -> list[str]:
        """The keys with a pid file here, in the order NAMES starts them."""
        suffix = f"-{self.place.port}.pid"
        found = {p.name[: -len(suffix)] for p in self.place.run.glob(f"*{suffix}")}
        found = {k[: -len("-supervisor")] if k.endswith("-supervisor") else k for k in found}
        return sorted(found, key=lambda k: (_rank(k), k))

    def stop_all(self) -> None:
        for key in reversed(self.keys()):
            self.stop(key)

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def _write_private(path: Path, text: str) -> None:
    """Write a file that holds a password: mode 600 from its creation."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def _rank(key: str) -> int:
    for index, name in enumerate(NAMES):
        if key.startswith(name):
            return index
    return len(NAMES)


def _kill(pid: int, sig: int) -> bool:
    try:
        os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False


def _killpg(pid: int, sig: int) -> bool:
    try:
        os.killpg(pid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _exists(pid: int, ours: dict[str, subprocess.Popen]) -> bool:
    for process in ours.values():
        if process.pid == pid:
            return process.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of a process we did not start (an earlier `up`) is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""
