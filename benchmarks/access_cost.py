"""What access control costs per request: the same glossary read through the
real app on a real Redis, with AUTH_DISABLED (the baseline, measured in the
same run) and with an API key (one key read, one rate-limit script).

    .venv/bin/python -m benchmarks.access_cost [--requests 3000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import launcher
from config import Settings
from launcher import free_port


def _per_request_ms(client, path: str, count: int, headers: dict) -> float:
    for _ in range(50):  # warm-up
        client.get(path, headers=headers)
    start = time.perf_counter()
    for _ in range(count):
        assert client.get(path, headers=headers).status_code == 200
    return (time.perf_counter() - start) / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    from access import ADMIN, KeyStore
    from service import create_app

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        redis_env = {k: v for k, v in os.environ.items() if k != "REDIS_PASSWORD"}  # its own Redis, no password
        server = launcher.Stack(launcher.Place(var=Path(folder), port=port, redis_port=port), redis_env)
        server.start("redis", wait=10, extra=("--appendonly", "no"))
        try:
            client = server.redis_client()
            settings = replace(Settings(), redis_url=f"redis://127.0.0.1:{port}/0")
            results = {}
            for label, disabled in (("AUTH_DISABLED (baseline)", True), ("API key + rate limit", False)):
                app = create_app(replace(settings, auth_disabled=disabled)).test_client()
                key = KeyStore(client).create("bench", [ADMIN], rate_limit="1000000/minute").secret
                headers = {"Authorization": f"Bearer {key}"}
                created = app.post("/v1/glossaries", json={"name": "bench", "source_lang": "en"}, headers=headers)
                path = f"/v1/glossaries/{created.get_json()['id']}"
                results[label] = _per_request_ms(app, path, args.requests, headers)
                print(
                    f"{label:<26} GET /v1/glossaries/<id>: {results[label]:.3f} ms per request "
                    f"({args.requests} requests, in-process, one thread)"
                )
            base, keyed = results.values()
            print(f"access control adds {keyed - base:.3f} ms per request ({keyed / base:.2f}x the baseline)")
        finally:
            server.stop_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
