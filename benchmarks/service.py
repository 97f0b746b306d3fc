"""(c) the service: every article over HTTP into the running stack, until every
translation has been fetched; and the correction case (segment cache)."""

from __future__ import annotations

import time
from datetime import datetime

import httpx


def _seconds(start: str, end: str) -> float:
    parse = lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def _submit(client: httpx.Client, article: dict, targets: tuple[str, ...] = ("de",)) -> str:
    response = client.post(
        "/v1/jobs",
        json={
            "source_lang": "en",
            "target_langs": list(targets),
            "external_id": article["external_id"],
            "article": {k: article[k] for k in ("title", "body", "format")},
        },
    )
    response.raise_for_status()
    return response.json()["id"]


def _wait(client: httpx.Client, job_id: str, timeout: float = 1800) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/v1/jobs/{job_id}").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.1)
    raise TimeoutError(job_id)


def through_service(url: str, articles: list[dict], tokens_per_article: list[int], headers: dict | None = None) -> dict:
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        start = time.perf_counter()
        submitted = [(_submit(client, a), time.perf_counter()) for a in articles]
        latencies, sentences, mismatches, statuses = [], 0, 0, []
        # One worker runs jobs in order, so waiting for them in order polls least.
        for (job_id, sent_at), article in zip(submitted, articles):
            status = _wait(client, job_id)
            latencies.append(time.perf_counter() - sent_at)
            translation = client.get(f"/v1/jobs/{job_id}/translations/de").json()
            mismatches += translation["body"] != article["body"]  # identity model: output must equal input
            sentences += status["languages"]["de"]["stats"]["segments"]
            statuses.append(status)
        seconds = time.perf_counter() - start
    tokens = sum(tokens_per_article)
    return {
        "seconds": round(seconds, 3),
        "sentences": sentences,
        "tokens": tokens,
        "sentences_per_s": round(sentences / seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "jobs": len(articles),
        "failed_or_wrong": mismatches + sum(s["state"] != "succeeded" for s in statuses),
        "job_latency_p50_s": round(percentile(latencies, 50), 3),
        "job_latency_p95_s": round(percentile(latencies, 95), 3),
        "first_job_worker_seconds": round(
            _seconds(statuses[0]["languages"]["de"]["started_at"], statuses[0]["languages"]["de"]["finished_at"]), 3
        ),
    }


def correction(url: str, article: dict, headers: dict | None = None) -> dict:
    """Resubmit an article with one paragraph changed: only that paragraph is translated."""
    paragraphs = article["body"].split("\n\n")
    paragraphs[1] = "This paragraph was corrected after publication. The minister's name was misspelled."
    corrected = {**article, "body": "\n\n".join(paragraphs)}
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        sent = time.perf_counter()
        status = _wait(client, _submit(client, corrected))
        latency = time.perf_counter() - sent
    de = status["languages"]["de"]
    return {
        "revision": status.get("revision"),
        **de["stats"],
        "latency_s": round(latency, 3),
        "worker_seconds": round(_seconds(de["started_at"], de["finished_at"]), 3),
    }
