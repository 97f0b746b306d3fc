"""What answering a write only once a replica has it costs (docs/ha.md).

A primary, a replica and three sentinels on loopback (the launcher, as `make
up HA=1`), the real app (Flask's test client, no HTTP) found through the
sentinels; the same glossary edits (POST /v1/glossaries/{id}/entries with
If-Match) measured with REDIS_ACK_REPLICAS=0 and =1, interleaved in rounds so
that both see the same machine; and `Replication.confirm()` (the marker write
and WAIT) alone.

    python -m benchmarks.replication_cost [--edits 300]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import launcher
from access import ADMIN
from config import Settings
from jobs.redis_client import connect
from jobs.replication import Replication
from launcher import free_port


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, p99 {pick(0.99):.2f} ms (mean {statistics.mean(ordered) * 1000:.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=300, help="glossary edits per setting")
    args = parser.parse_args(argv)
    from service import create_app

    with tempfile.TemporaryDirectory(prefix="replication-cost-") as tmp:
        password = secrets.token_hex(16)
        place = launcher.Place(
            var=Path(tmp),
            port=free_port(),
            redis_port=free_port(),
            replica_port=free_port(),
            sentinel_ports=(free_port(), free_port(), free_port()),
        )
        stack = launcher.Stack(place, {**os.environ, "REDIS_PASSWORD": password})
        try:
            stack.start("redis")
            stack.start("replica")
            for index in range(3):
                stack.start("sentinel", f"sentinel-{index}", index=index)
            base = replace(
                Settings(),
                redis_url=f"redis://:{password}@unused:1/0",
                redis_sentinels=tuple(place.sentinels.split(",")),
                argos_packages_dir=str(Path(tmp) / "none"),
            )
            clients = {}
            for replicas in (0, 1):
                app = create_app(replace(base, redis_ack_replicas=replicas))
                key = app.extensions["access"].keys.create(
                    "bench", [ADMIN], "bench", rate_limit="unlimited", char_quota="unlimited"
                )
                client = app.test_client()
                client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key.secret}"
                glossary = client.post("/v1/glossaries", json={"name": f"cost {replicas}", "source_lang": "en"})
                clients[replicas] = (client, glossary.get_json()["id"], glossary.headers["ETag"])
            times: dict[int, list[float]] = {0: [], 1: []}
            for n in range(args.edits):
                for replicas in (0, 1):
                    client, glossary_id, etag = clients[replicas]
                    started = time.perf_counter()
                    response = client.post(
                        f"/v1/glossaries/{glossary_id}/entries",
                        json={"term": f"term {n}", "keep": True},
                        headers={"If-Match": etag},
                    )
                    times[replicas].append(time.perf_counter() - started)
                    assert response.status_code == 201, response.get_json()
                    clients[replicas] = (client, glossary_id, response.headers["ETag"])
            replication = Replication(connect(base, patient=False), 1, 2000)
            confirms = [replication.confirm() for _ in range(args.edits)]
        finally:
            stack.stop_all()
    print(f"glossary edit, REDIS_ACK_REPLICAS=0: {percentiles(times[0])}")
    print(f"glossary edit, REDIS_ACK_REPLICAS=1: {percentiles(times[1])}")
    print(f"marker write + WAIT 1 alone:        {percentiles(confirms)}")
    print(f"({args.edits} edits each, interleaved; replica on loopback)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
