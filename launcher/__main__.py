"""python -m launcher up|down|status|argv|run

up [NAME...]     start the local stack in var/ (all of it by default), wait
                 until it is ready, print where it is; `make up` (after
                 scripts/env.sh and scripts/models.sh)
down             stop what `up` started; `make down`
status           each process: pid, running or not
argv NAME        print the command that starts NAME (--container: as in docker-compose.yml)
run NAME         exec NAME in the foreground (--container: compose's entry point for
                 api, worker, interactive and front; it writes the front's nginx.conf first)
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

from config import Settings
from launcher.commands import HA_NAMES, NAMES, ROOT, Place, argv, write_front_conf
from launcher.stack import MAX_BODY_BYTES, NotReady, Stack


def local_place() -> Place:
    """scripts/env.sh's ports; with HA=1 also the replica's and the sentinels' (docs/ha.md)."""
    sentinels = tuple(int(p) for p in os.environ.get("REDIS_SENTINEL_PORTS", "").split() if p) if ha() else ()
    return Place(
        var=ROOT / "var",
        port=int(os.environ.get("API_PORT", "8080")),
        redis_port=int(os.environ.get("REDIS_PORT", "6399")),
        replica_port=int(os.environ.get("REDIS_REPLICA_PORT", "0")) if ha() else 0,
        sentinel_ports=sentinels,
    )


def ha() -> bool:
    """`make up HA=1`: a replica and three sentinels too (scripts/env.sh sets their ports)."""
    return os.environ.get("HA", "") not in ("", "0")


def default_names() -> list[str]:
    return [name for name in NAMES if ha() or name not in HA_NAMES]


def container_place() -> Place:
    """docker-compose.yml's: one process per container, found on PATH; Redis
    is the `redis` service, the API listens on the `backend` network for the front."""
    return Place(var=Path("/tmp"), port=8080, redis_port=6379, container=True)


def options(name: str, place: Place, index: int = 0) -> dict:
    """What `up` and compose give each process beyond its defaults (index: which sentinel)."""
    if name == "sentinel":
        return {"index": index}
    if name in ("redis", "replica"):
        # A ceiling below the machine's (or container's) memory; scripts/env.sh and compose set it.
        return {"maxmemory": os.environ.get("REDIS_MAXMEMORY", "1gb")}
    if name == "worker":
        found: dict[str, object] = {"concurrency": int(os.environ.get("WORKER_CONCURRENCY", "1"))}
    elif name == "interactive":
        found = {}
    else:
        return {}
    if not place.container:  # in compose the container's hostname names the worker
        found["node"] = f"{name}-{place.port}@%h"
    return found


def up(names: list[str]) -> int:
    place = local_place()
    stack = Stack(place)
    waits = {"redis": float(os.environ.get("REDIS_START_TIMEOUT", "300")), "interactive": 300}
    admin_key = ""
    if "sentinel" in names and not place.sentinel_ports:
        print("sentinels need HA=1 (scripts/env.sh then sets their ports)", file=sys.stderr)
        return 2
    try:
        for name in names:
            if name == "interactive" and Settings.from_env().worker_serves_interactive:
                continue  # the article worker serves the interactive queue on its own models
            # Three sentinels: a majority (2) must agree before a failover.
            keys = [f"sentinel-{i}" for i in range(len(place.sentinel_ports))] if name == "sentinel" else [name]
            for index, key in enumerate(keys):
                if stack.alive(key):
                    print(f"{key} already running (pid {stack.pid(key)})")
                    continue
                if name == "api":
                    _fresh_metrics_folder()
                stack.start(
                    name,
                    key,
                    supervised=name in ("worker", "interactive"),
                    wait=waits.get(name, 120),
                    **options(name, place, index),
                )
            # The key is made through the same client policy as the API's: in
            # the HA stack, through the sentinels, so once they run.
            if name == ("sentinel" if place.sentinel_ports else "redis"):
                admin_key = _dev_key(place)
    except NotReady as error:
        print(f"the stack did not start: {error}", file=sys.stderr)
        stack.stop_all()
        return 1
    if "front" in names:
        print(
            f"API on {place.url} (docs: /docs; metrics: /metrics with the bearer token in "
            "var/secrets/metrics-token), behind nginx; logs in var/log/. Stop with 'make down'."
        )
        print(f"Web console: {place.url}/console/")
    if "sentinel" in names:
        print(
            f"Redis: primary on port {place.redis_port}, replica on {place.replica_port}, sentinels on "
            f"{place.sentinels}; clients find the primary through them (docs/ha.md)"
        )
    if admin_key:
        print(f"Admin API key (in var/admin.key): {admin_key}")
        print(f'  curl -H "Authorization: Bearer $(cat var/admin.key)" {place.url}/v1/languages')
    return 0


def _fresh_metrics_folder() -> None:
    # API and workers share one metrics folder, so /metrics shows both; each start begins it afresh.
    folder = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(ROOT / "var" / "metrics")))
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)


def _dev_key(place: Place) -> str:
    """The local admin key: var/admin.key (mode 600), kept while Redis still knows it, else made anew."""
    return subprocess.run(
        [str(place.tool("flask")), "--app", "service", "keys", "dev-key", str(ROOT / "var/admin.key")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def status() -> int:
    stack = Stack(local_place())
    for key in stack.keys() or NAMES:
        print(f"{key:12} {'running' if stack.alive(key) else 'stopped':8} {stack.pid(key) or ''}")
    return 0


def run(name: str, place: Place) -> int:
    """Become process `name` (compose's entry point: the container's main process)."""
    env = dict(os.environ)
    if name == "front":
        write_front_conf(place, int(env.get("MAX_BODY_BYTES", MAX_BODY_BYTES)))
    if name == "api":
        env.setdefault("PROXY_HOPS", "1")  # only the front reaches it
    command = argv(name, place, **options(name, place))
    os.execvpe(command[0], command, env)
    return 1  # not reached


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("up", "down", "status", "argv", "run"))
    parser.add_argument("names", nargs="*", choices=[[], *NAMES], metavar="NAME")
    parser.add_argument("--container", action="store_true", help="as docker-compose.yml runs it")
    parsed = parser.parse_args(args)
    place = container_place() if parsed.container else local_place()
    if parsed.command == "up":
        return up(parsed.names or default_names())
    if parsed.command == "down":
        Stack(place).stop_all()
        return 0
    if parsed.command == "status":
        return status()
    if len(parsed.names) != 1:
        parser.error(f"{parsed.command} takes one NAME")
    if parsed.command == "argv":
        print(shlex.join(argv(parsed.names[0], place, **options(parsed.names[0], place))))
        return 0
    return run(parsed.names[0], place)


if __name__ == "__main__":
    sys.exit(main())
