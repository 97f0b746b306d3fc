"""API latency under load: concurrent clients, half submitting small jobs, half
polling a job's status, for a fixed time (asyncio + httpx: one process drives
all clients without a thread per client)."""

from __future__ import annotations

import asyncio
import time

import httpx

from benchmarks.service import percentile


async def _client(kind: str, url: str, job_id: str, until: float, think: float, results: dict) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        n = 0
        while time.perf_counter() < until:
            n += 1
            start = time.perf_counter()
            try:
                if kind == "submit":
                    response = await client.post("/v1/jobs", json={
                        "source_lang": "en", "target_langs": ["de"],
                        "article": {"title": f"Brief {n}", "body": "Allies met in Vilnius on Monday."}})
                    ok = response.status_code == 202
                else:
                    response = await client.get(f"/v1/jobs/{job_id}")
                    ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            results[kind].append(time.perf_counter() - start)
            if not ok:
                results["errors"] += 1
            if think:
                await asyncio.sleep(think)


async def _run(url: str, clients: int, seconds: float, job_id: str, think: float) -> dict:
    results = {"submit": [], "poll": [], "errors": 0}
    until = time.perf_counter() + seconds
    kinds = ["submit" if i % 2 == 0 else "poll" for i in range(clients)]
    await asyncio.gather(*(_client(kind, url, job_id, until, think, results) for kind in kinds))
    return results


def api_under_load(url: str, clients: int, seconds: float, job_id: str, think: float = 0.0) -> dict:
    """`think` is each client's pause between requests; 0 is a closed loop that
    saturates the API (latency then only measures queueing, by Little's law)."""
    results = asyncio.run(_run(url, clients, seconds, job_id, think))
    figures = {"clients": clients, "seconds": seconds, "think_s": think, "errors": results["errors"]}
    for kind in ("submit", "poll"):
        times = results[kind]
        figures[kind] = {"requests": len(times), "p50_ms": round(percentile(times, 50) * 1000, 1),
                         "p99_ms": round(percentile(times, 99) * 1000, 1)}
    return figures
