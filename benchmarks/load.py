"""API latency under load with wrk: concurrent connections, half submitting
small jobs, half polling a job's status, for a fixed time.

wrk is a C load generator: it needs a small fraction of a core where a Python
client would take as much CPU as the API it measures, on the same two cores.
Paced clients pause for an exponentially distributed think time (see
wrk_client.lua); a think time of 0 is a closed loop that saturates the API,
where latency only measures queueing (Little's law)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_client.lua")


def api_under_load(url: str, clients: int, seconds: float, job_id: str, think: float = 0.0, api_key: str = "") -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: run scripts/setup.sh (Debian package 'wrk')")
    env = {**os.environ, "WRK_THINK_MS": str(round(think * 1000)), "WRK_API_KEY": api_key}
    runs = {}
    for seed, kind in enumerate(("submit", "poll"), start=1):
        command = [
            wrk,
            "-t1",
            f"-c{max(1, clients // 2)}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(SCRIPT),
            url,
            "--",
            kind,
            job_id,
            str(seed),
        ]
        runs[kind] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    figures = {"clients": clients, "seconds": seconds, "think_s": think, "errors": 0, "generator": "wrk"}
    for kind, process in runs.items():
        out, err = process.communicate(timeout=seconds + 60)
        if process.returncode != 0:
            raise RuntimeError(f"wrk {kind} failed: {err or out}")
        result = json.loads(out.strip().splitlines()[-1])
        figures["errors"] += result["errors"]
        figures[kind] = {
            "requests": result["requests"],
            "p50_ms": round(result["p50_us"] / 1000, 1),
            "p99_ms": round(result["p99_us"] / 1000, 1),
        }
    return figures
