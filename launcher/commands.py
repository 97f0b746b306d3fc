"""The command line of each process of the stack, and the front's nginx
configuration: plain functions of a `Place`, nothing started here.

Every way of running the stack reads these: `make up` (launcher/__main__.py),
the tests' fixtures, the benchmark, the fault suite, and docker-compose.yml
(whose services run `python -m launcher run NAME`, or, for Redis's own
image, the argv that tests/test_launcher.py compares with `argv("redis")`).
"""

from __future__ import annotations

import getpass
import json
import socket
import sys
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In the order they start; `down` stops them in the reverse order. `replica`
# and `sentinel` run only in the highly available stack (`make up HA=1`,
# compose's `ha` profile; docs/ha.md).
NAMES = ("redis", "replica", "sentinel", "api", "worker", "interactive", "front")
HA_NAMES = ("replica", "sentinel")
# The name the sentinels monitor the primary under (REDIS_MASTER_NAME's default).
MASTER_NAME = "newsroom"
# How long the sentinels wait before they call the primary down (a majority must
# agree), and how long one failover attempt may take before another is tried.
# 2 s: a process crash is seen fast; a short network stall does not cause a failover.
SENTINEL_DOWN_AFTER_MS = 2000
SENTINEL_FAILOVER_TIMEOUT_MS = 10000


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now (a stack of a test or benchmark)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Place:
    """Where one stack runs. `var` holds its run/ (pids, the API's socket,
    the front's configuration), log/ and Redis's data; `port` is the front's,
    the one clients use; `bin` is where gunicorn and celery are (this
    interpreter's, the virtualenv's; in a container, names found on PATH)."""

    var: Path
    port: int
    redis_port: int
    bin: Path = field(default=Path(sys.executable).parent)
    container: bool = False
    # The API behind the front: a unix socket here; in a container, a port on
    # the compose network that nothing publishes.
    api_socket: Path | None = None
    api_host: str = "api:8000"
    listen: str = ""  # the front's listen address; default: 127.0.0.1:port (0.0.0.0:port in a container)
    logs: Path | None = None  # default: var/log
    redis_conf: Path = field(default=ROOT / "scripts" / "redis.conf")
    # The highly available stack (docs/ha.md): the replica's port and the sentinels'.
    replica_port: int = 0
    sentinel_ports: tuple[int, ...] = ()
    # Where the primary is first (the sentinels' `monitor` line); a process's
    # listen address is `bind` (default: Redis's loopback, from redis.conf).
    redis_host: str = "127.0.0.1"
    # On test hosts (network namespaces, docs/ha.md) each has an address of its
    # own; default: redis_host.
    replica_host: str = ""
    sentinel_hosts: tuple[str, ...] = ()

    @property
    def run(self) -> Path:
        return self.var / "run"

    @property
    def log(self) -> Path:
        return self.logs or self.var / "log"

    @property
    def redis_dir(self) -> Path:
        return self.var / f"redis-{self.redis_port}"

    @property
    def replica_dir(self) -> Path:
        return self.var / f"redis-{self.replica_port}"

    def sentinel_dir(self, index: int) -> Path:
        return self.var / f"sentinel-{self.sentinel_ports[index]}"

    def sentinel_host(self, index: int) -> str:
        return self.sentinel_hosts[index] if self.sentinel_hosts else self.redis_host

    @property
    def sentinels(self) -> str:
        """REDIS_SENTINELS for the clients of this place."""
        return ",".join(f"{self.sentinel_host(i)}:{port}" for i, port in enumerate(self.sentinel_ports))

    @property
    def socket(self) -> Path:
        return self.api_socket or self.run / f"api-{self.port}.sock"

    @property
    def api_bind(self) -> str:
        """Where gunicorn listens behind the front."""
        return f"0.0.0.0:{self.api_host.rsplit(':', 1)[1]}" if self.container else f"unix:{self.socket}"

    @property
    def upstream(self) -> str:
        """The same address as nginx names it."""
        return self.api_host if self.container else f"unix:{self.socket}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tool(self, name: str) -> str:
        return name if self.container else str(self.bin / name)


def argv(
    name: str,
    place: Place,
    *,
    node: str = "",
    concurrency: int = 1,
    loglevel: str = "INFO",
    bind: str = "",
    maxmemory: str = "1gb",
    index: int = 0,
    extra: tuple[str, ...] = (),
) -> list[str]:
    """The command that starts process `name` at `place`.

    node: a Celery worker's name (-n); bind: gunicorn's address when the API
    runs without the front (tests that talk to one process), Redis's listen
    address on a test host (docs/ha.md); index: which sentinel;
    extra: arguments appended for this run only (a test Redis without persistence, ...)."""
    if name == "redis":
        return _redis(place, maxmemory, bind) + list(extra)
    if name == "replica":
        return _replica(place, maxmemory, bind) + list(extra)
    if name == "sentinel":
        if place.container:  # compose writes /tmp/sentinel.conf from the environment first
            return ["redis-sentinel", "/tmp/sentinel.conf"]
        return ["redis-sentinel", str(place.sentinel_dir(index) / "sentinel.conf")] + list(extra)
    if name == "api":
        # Workers, threads, logging: gunicorn.conf.py, which gunicorn reads from the working folder.
        return [place.tool("gunicorn"), "service:create_app()", "--bind", bind or place.api_bind, *extra]
    if name in ("worker", "interactive"):
        command = [place.tool("celery"), "-A", f"workers.{name}", "worker", "--loglevel", loglevel]
        if name == "worker":
            # One pool process per container; scale with more containers (compose) or WORKER_CONCURRENCY.
            command += ["--concurrency", str(concurrency)]
        if node:
            command += ["-n", node]
        return command + list(extra)
    if name == "front":
        conf = front_conf_path(place)
        # -e: nginx opens its error log before it reads the configuration; the
        # compiled-in /var/log/nginx/error.log is not ours to write.
        return [
            "nginx",
            "-p",
            str(conf.parent),
            "-c",
            str(conf),
            "-e",
            str(_front_error_log(place)),
            "-g",
            "daemon off;",
            *extra,
        ]
    raise ValueError(f"no process called {name!r}; the stack has {', '.join(NAMES)}")


def _redis(place: Place, maxmemory: str, bind: str = "", port: int = 0, directory: Path | None = None) -> list[str]:
    """redis-server with the project's redis.conf, through the node's own
    node.conf (`include`s it; `Stack` writes it once): a failover rewrites
    the node's configuration (CONFIG REWRITE: its new role), and that must land
    in a file of this node, never in the shared scripts/redis.conf.
    The password is never on the command line (where `ps` shows it): it is in
    auth.conf, which `Stack` writes with mode 600 (compose: a tmpfs file
    written from the environment)."""
    if place.container:
        return [
            "redis-server",
            "/data/node.conf",
            "--include",
            "/tmp/auth.conf",
            "--bind",
            "0.0.0.0",
            "--maxmemory",
            maxmemory,
        ]
    directory = directory or place.redis_dir
    command = [
        "redis-server",
        str(directory / "node.conf"),
        "--port",
        str(port or place.redis_port),
        "--dir",
        str(directory),
        "--daemonize",
        "no",
        "--logfile",
        str(directory / "redis.log"),
        "--include",
        str(directory / "auth.conf"),
        "--maxmemory",
        maxmemory,
    ]
    return command + (["--bind", bind] if bind else [])


def _replica(place: Place, maxmemory: str, bind: str) -> list[str]:
    """The same Redis, on its own port and folder; its node.conf says whose
    replica it starts as (`node_conf`), and from then on the sentinels own the
    roles (they rewrite node.conf at a failover)."""
    if place.container:
        return _redis(place, maxmemory)
    return _redis(place, maxmemory, bind, place.replica_port, place.replica_dir)


def node_conf(place: Place, replica: bool) -> str:
    """A data node's first node.conf: the project's settings, and for the
    replica, the primary it copies."""
    lines = [
        "# Written once by the launcher (launcher/commands.py: node_conf); Redis rewrites it at a failover.",
        f"include {place.redis_conf}",
    ]
    if replica:
        lines.append(f"replicaof {place.redis_host} {place.redis_port}")
    return "\n".join(lines) + "\n"


def sentinel_conf(place: Place, index: int, password: str, master: str = MASTER_NAME, bind: str = "") -> str:
    """One sentinel's configuration (Sentinel rewrites it as it learns the
    replicas, the other sentinels and the current primary, so `Stack` writes it
    only once per folder). The password is the data nodes' (`auth-pass`) and
    the sentinel's own (`requirepass`): a sentinel that anyone could reach
    could be told to fail over, or asked for the primary's address."""
    directory = place.sentinel_dir(index)
    lines = [
        "# Written once by the launcher (launcher/commands.py: sentinel_conf); Sentinel rewrites it.",
        f"port {place.sentinel_ports[index]}",
        f"bind {bind or place.sentinel_host(index)}",
        "daemonize no",
        f"dir {directory}",
        f"logfile {directory / 'sentinel.log'}",
        # 2 of 3 must agree that the primary is down before one of them fails it over.
        f"sentinel monitor {master} {place.redis_host} {place.redis_port} 2",
        f"sentinel down-after-milliseconds {master} {SENTINEL_DOWN_AFTER_MS}",
        f"sentinel failover-timeout {master} {SENTINEL_FAILOVER_TIMEOUT_MS}",
        f"sentinel parallel-syncs {master} 1",
    ]
    if password:
        lines += [f"sentinel auth-pass {master} {password}", f"requirepass {password}"]
    return "\n".join(lines) + "\n"


# -- the front: Debian's nginx -----------------------------------------------------


def front_conf_path(place: Place) -> Path:
    return (Path("/tmp/front") if place.container else place.run / f"front-{place.port}") / "nginx.conf"


def write_front_conf(place: Place, max_body: int) -> Path:
    """The front's nginx.conf and the folders it names, ready for `argv("front")`."""
    conf = front_conf_path(place)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (conf.parent / "temp" / folder).mkdir(parents=True, exist_ok=True)
    conf.write_text(front_conf(place, max_body=max_body))
    return conf


def _front_error_log(place: Place) -> Path:
    return Path("/dev/stderr") if place.container else place.log / f"front-{place.port}.log"


# nginx's own refusals, as problem documents like the API's (service/problems.py:
# type about:blank, the status's standard phrase as title, a detail).
FRONT_PROBLEMS = {
    400: "The request could not be read.",
    408: "The request was not received in time.",
    413: "The request body exceeds the limit of {max_body} bytes.",  # the app's own words
    414: "The request target is too long.",
    431: "The request headers are too large.",
    502: "The API is not answering; try again shortly.",
    503: "The API is not answering; try again shortly.",
    504: "The API did not answer in time.",
}


def front_conf(
    place: Place, *, max_body: int, header_timeout: int = 10, body_timeout: int = 10, read_timeout: int = 120
) -> str:
    """nginx.conf for the front. Why a front at all: gunicorn's threads read the
    request themselves, so a client that trickles its headers or body holds a
    thread (2 processes × 8 threads: 16 such clients took the API down). nginx
    reads every request whole, on its event loop, before it passes it on.

    max_body: the app's MAX_BODY_BYTES, so both refuse the same bodies.
    header_timeout: the whole request head must arrive within this many
    seconds (nginx does not restart the clock on each line); body_timeout:
    the longest pause between two reads of the body. read_timeout: the
    longest the API may take to answer (above the short requests' 8 s wait)."""
    temp = front_conf_path(place).parent / "temp"
    listen = place.listen or (f"{place.port}" if place.container else f"127.0.0.1:{place.port}")
    pages = "\n".join(
        _problem_location(status, detail.format(max_body=max_body)) for status, detail in FRONT_PROBLEMS.items()
    )
    # nginx's own 494 (a header line too long) is answered as 431.
    error_pages = "\n".join(f"        error_page {status} ={status} /.front/{status};" for status in FRONT_PROBLEMS)
    return f"""# Written by the launcher (launcher/commands.py: front_conf); edit there.
# The same user as the rest of the stack; ignored (with a notice) unless started as root.
user {getpass.getuser() if not place.container else "newsroom"};
worker_processes auto;
worker_rlimit_nofile 16384;
pid {temp.parent / "nginx.pid"};
error_log {_front_error_log(place)} warn;

events {{
    worker_connections 8192;
}}

http {{
    # The app logs every request it serves, with its request id; nginx's own
    # refusals (408, 413, ...) go to the error log.
    access_log off;
    server_tokens off;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;

    client_header_timeout {header_timeout}s;
    client_body_timeout {body_timeout}s;
    send_timeout 30s;
    keepalive_timeout 30s;
    client_max_body_size {max_body};
    # Bodies past 16 KiB wait in a temp file, not in memory: a client that
    # announces 1 MiB and trickles it costs a file, not a megabyte.
    client_body_buffer_size 16k;

    upstream api {{
        server {place.upstream};
        keepalive 16;
    }}

    server {{
        listen {listen};
{error_pages}
        error_page 494 =431 /.front/431;

        location / {{
            proxy_pass http://api;
            # Read the whole request first, then hand it to a gunicorn thread
            # (the default; said here because it is the reason for the front).
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The app (PROXY_HOPS=1, werkzeug's ProxyFix) takes the client's
            # address, scheme and host from these; nginx replaces what a client sent.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_connect_timeout 5s;
            proxy_read_timeout {read_timeout}s;
        }}

{pages}
    }}
}}
"""


def _problem_location(status: int, detail: str) -> str:
    body = json.dumps({"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail})
    return f"""        location = /.front/{status} {{
            internal;
            default_type application/problem+json;
            return {status} '{body}';
        }}"""
