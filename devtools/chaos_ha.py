"""`make chaos-ha`: failover under load. The fault suite's stack and load
(devtools/chaos.py: the API behind the front, two supervised workers, job
submissions, status polls and glossary edits), on Redis with a replica and
three sentinels (docs/ha.md), every client finding the primary through them
and every acknowledged write confirmed by the replica (REDIS_ACK_REPLICAS=1).

Faults, each while the load runs:

  - the primary SIGKILLed (then started again, as a supervisor or compose's
    restart policy would: it rejoins as a replica), twice, so that each node
    is killed as the primary once;
  - a worker host lost: every process of one worker (the supervisor too), never
    started again; its languages must finish on the other within the lease.

Then every acknowledged job is followed to its end and the tables are printed:
acknowledged-but-lost (jobs and glossary edits; target 0), stuck (0),
duplicated outcomes (0), and per fault the failover time (until the sentinels
name the new primary) and the time until the API accepts a job again.

    python -m devtools.chaos_ha            # about 3 minutes
    python -m devtools.chaos_ha --short    # one primary kill, one worker host
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import launcher
from devtools import chaos
from devtools.chaos import Client, Fault, Ledger, Load, Options, account, probe, say, webhook_endpoint
from devtools.hosts import Hosts
from launcher import free_port


@dataclass
class HaOptions(Options):
    primary_kills: int = 2
    worker_host_lost: bool = True
    # On test hosts (network namespaces, devtools/hosts.py): the primary's host cut off for this long; 0: no partition.
    hosts: bool = False
    partition_seconds: float = 20.0
    out: Path = chaos.ROOT / "var" / "chaos-ha"


# Which test host each process runs on (--hosts): the data nodes apart, a
# sentinel beside each and one with the API, each worker on a host of its own.
HOSTS = ("data1", "data2", "app", "work1", "work2")
SENTINEL_HOSTS = ("data1", "data2", "app")


class HaStack(chaos.Stack):
    """chaos.Stack with a replica and three sentinels beside the primary;
    with `hosts`, every process on a test host of its own (the front, the load
    and the webhook receiver stay here, on the hosts' bridge)."""

    def __init__(self, options: Options, work: Path, receiver_port: int, hosts: Hosts | None = None):
        super().__init__(options, work, receiver_port)
        self.hosts = hosts
        where: dict = {}
        if hosts is not None:
            address = hosts.addresses
            where = {
                "redis_host": address["data1"],
                "replica_host": address["data2"],
                "sentinel_hosts": tuple(address[h] for h in SENTINEL_HOSTS),
            }
            self.env["WEBHOOK_ALLOWED_HOSTS"] = f"{hosts.root_address}:{receiver_port}"
        self.place = launcher.Place(
            var=work,
            port=self.place.port,
            redis_port=self.redis_port,
            replica_port=free_port(),
            logs=self.logs,
            sentinel_ports=(free_port(), free_port(), free_port()),
            **where,
        )
        self.env.update({"REDIS_SENTINELS": self.place.sentinels, "REDIS_ACK_REPLICAS": "1"})
        self.stack = launcher.Stack(self.place, self.env)

    def on(self, host: str) -> dict:
        """start()'s options that put a process on `host` (nothing without hosts)."""
        if self.hosts is None:
            return {}
        return {"netns": self.hosts.netns(host)}

    def bound(self, host: str) -> dict:
        return {} if self.hosts is None else {"bind": self.hosts.addresses[host], **self.on(host)}

    def data_host(self, key: str) -> str:
        return "data1" if key == "redis" else "data2"

    def start_redis(self) -> None:
        self.stack.start("redis", wait=120, **self.bound("data1"))
        self.stack.start("replica", wait=120, **self.bound("data2"))
        for index, host in enumerate(SENTINEL_HOSTS):
            self.stack.start("sentinel", f"sentinel-{index}", wait=30, index=index, **self.bound(host))

    def start_api(self) -> None:
        # gunicorn on the app host, on its unix socket (a file: the front, here, reaches it across namespaces).
        self.stack.start("api", wait=60, **self.on("app"))
        self.stack.start("front", wait=30)

    def worker_placement(self, index: int) -> dict:
        return self.on(f"work{index + 1}")  # one worker host each

    def primary(self) -> int | None:
        """The primary's port, as a majority of the sentinels names it."""
        found = self.stack._primary_by_majority()
        return None if found is None else found[1]

    def promoted(self, old: int) -> bool:
        """Whether the other data node is the primary now (its own word: ROLE)."""
        other = self.place.replica_port if old == self.place.redis_port else self.place.redis_port
        host = (
            self.place.replica_host or self.place.redis_host
            if other == self.place.replica_port
            else self.place.redis_host
        )
        try:
            return self.stack.redis_client(port=other, host=host).execute_command("ROLE")[0] == b"master"
        except Exception:
            return False

    def key_of(self, port: int) -> str:
        return "redis" if port == self.place.redis_port else "replica"

    def kill_primary(self) -> float:
        """SIGKILL the primary; seconds until the sentinels name another; then start it again."""
        old = self.primary()
        key = self.key_of(old)
        killed = time.monotonic()
        self.stack.signal(key, signal.SIGKILL)
        self.stack.processes[key].wait(30)
        chaos.wait_for(lambda: self.promoted(old), 60, "the sentinels to promote the replica", interval=0.05)
        failover = time.monotonic() - killed
        chaos.wait_for(lambda: self.primary() not in (None, old), 60, "the sentinels to agree on the new primary")
        # Rejoins as the new primary's replica (the launcher asks the sentinels first).
        self.stack.start(key, wait=120, **self.bound(self.data_host(key)))
        return failover

    def partition_primary(self, seconds: float) -> float:
        """Take the primary's host off the network; seconds until the sentinels
        on the other hosts name another primary; heal after `seconds`."""
        old = self.primary()
        host = self.data_host(self.key_of(old))
        cut = time.monotonic()
        self.hosts.partition(host)
        try:
            chaos.wait_for(lambda: self.promoted(old), 60, "the sentinels to promote the replica", interval=0.05)
            failover = time.monotonic() - cut
            time.sleep(max(0.0, seconds - failover))
        finally:
            self.hosts.heal(host)
        return failover

    def lose_worker_host(self, index: int) -> None:
        """Every process of worker `index`, its supervisor first, so nothing starts it again."""
        supervisor = self.stack.pidfile(f"w{index}-supervisor")
        os.kill(int(supervisor.read_text()), signal.SIGKILL)
        supervisor.unlink()
        self.stack.signal(f"w{index}", signal.SIGKILL)


def run(options: HaOptions) -> dict:
    rng = random.Random(options.seed)
    ledger = Ledger()
    hosts = Hosts(HOSTS).create() if options.hosts else None
    receiver = webhook_endpoint(ledger, hosts.root_address if hosts else "127.0.0.1")
    options.out.mkdir(parents=True, exist_ok=True)
    failovers: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="chaos-ha-") as tmp:
        stack = HaStack(options, Path(tmp), receiver.port, hosts)
        faults: list[Fault] = []
        started = time.time()
        outcome: dict = {}
        try:
            stack.install_models()
            stack.start_redis()
            key = stack.api_key()
            stack.start_api()
            stack.start_workers(2)
            client = Client(stack.api, ledger, key)
            load = Load(lambda: Client(stack.api, ledger, key), ledger, options, receiver.url)
            load.start()
            time.sleep(options.warmup_seconds)

            def fault(name: str, inject) -> None:
                record = Fault(name, time.time())
                say(f"fault: {name}")
                inject(name)
                record.ended = time.time()
                probe(client, record, ledger, timeout=options.drain_seconds)
                faults.append(record)
                say(f"  recovered in {record.recovered:.1f} s" if record.recovered is not None else "  did not recover")
                time.sleep(options.settle_seconds)

            for n in range(options.primary_kills):

                def kill(name: str) -> None:
                    failovers[name] = round(stack.kill_primary(), 2)
                    say(f"  the sentinels promoted the replica {failovers[name]:.2f} s after the kill")

                fault(f"primary SIGKILL, restarted ({n + 1}/{options.primary_kills})", kill)
            if hosts is not None and options.partition_seconds:

                def cut(name: str) -> None:
                    failovers[name] = round(stack.partition_primary(options.partition_seconds), 2)
                    say(f"  the sentinels promoted the replica {failovers[name]:.2f} s after the cut")

                fault(f"primary's host cut off for {options.partition_seconds:.0f} s", cut)
            if options.worker_host_lost:
                # A long job first, so that the host is lost in the middle of a language.
                body = "\n".join(rng.choices(load.paragraphs, k=150))
                response = client.call(
                    "POST",
                    "/v1/jobs",
                    json={
                        "source_lang": "en",
                        "target_langs": list(chaos.LANGS),
                        "article": {"title": "Long", "body": body, "format": "text"},
                        "callback_url": receiver.url,
                    },
                )
                if response is not None and response.status_code == 202:
                    with ledger.lock:
                        ledger.jobs[response.json()["id"]] = {
                            "langs": list(chaos.LANGS),
                            "acknowledged_at": time.time(),
                            "article": {"title": "Long", "body": body, "format": "text"},
                        }
                victim = stack.busy_worker(rng, wait=30)
                fault(
                    f"worker host {victim} lost mid-language (every process, not restarted)",
                    lambda name: stack.lose_worker_host(victim),
                )
            load.stop()
            say("load stopped; following every acknowledged job to its end")
            outcome = account(client, ledger, options, load)
        finally:
            stack.stop()
            if hosts is not None:
                hosts.destroy()
        outcome["faults"] = [{**asdict(f), "recovered": f.recovered, "failover": failovers.get(f.name)} for f in faults]
        outcome["seconds"] = round(time.time() - started, 1)
    outcome["targets_met"] = chaos.targets_met(outcome)
    (options.out / "results.json").write_text(json.dumps(outcome, indent=2))
    return outcome


def table(o: dict) -> str:
    lines = chaos.table(o).splitlines()
    # The fault table again, with the failover time (until the sentinels named the new primary).
    cut = next(i for i, line in enumerate(lines) if line.startswith("| fault |"))
    rows = [
        "| fault | failover (sentinels name the new primary) | API accepts a job again | a new job done | "
        "jobs in flight done |",
        "|---|---|---|---|---|",
    ]
    cell = lambda v: "n/a" if v is None else f"{v:.1f} s"  # noqa: E731
    for f in o["faults"]:
        rows.append(
            f"| {f['name']} | {cell(f['failover'])} | {cell(f['api_back'])} | {cell(f['new_work_done'])} | "
            f"{cell(f['in_flight_done'])} |"
        )
    tail = [line for line in lines[cut:] if line.startswith("targets")]
    return "\n".join(lines[:cut] + rows + [""] + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="one primary kill, one worker host lost")
    parser.add_argument(
        "--hosts",
        action="store_true",
        help="each process on a test host of its own (network namespaces); adds the partition",
    )
    parser.add_argument("--out", type=Path, help="where results.json and the logs go (default var/chaos-ha)")
    args = parser.parse_args(argv)
    options = HaOptions(slow_connections=0)
    if args.short:
        options = HaOptions(
            primary_kills=1,
            warmup_seconds=5,
            settle_seconds=3,
            drain_seconds=180,
            lease_seconds=5,
            partition_seconds=10,
            slow_connections=0,
        )
    if args.hosts:
        if not Hosts.available():
            parser.error("--hosts needs network namespaces (root and iproute2's ip); run without it")
        options.hosts = True
    if args.out is not None:
        options.out = args.out.resolve()  # nginx reads its log path relative to its own folder
    outcome = run(options)
    print(table(outcome))
    return 0 if outcome["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
