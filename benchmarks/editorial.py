"""make bench, the editorial loop: what a corrected article costs the next time.

    python -m benchmarks.editorial            # bench model (transformer-base size), about a minute
    python -m benchmarks.editorial --smoke    # tiny model, seconds

On the real stack (redis-server, gunicorn, a Celery worker; benchmarks/stack.py):
an article of 36 sentences is translated (publish on approval); an editor
corrects 20% of its segments through the API and a reviewer approves it; then
a second version with 10% of its sentences changed is submitted under the same
external_id. Checked: every corrected segment whose sentence did not change
comes back as the editor wrote it, and the model translates only the changed
sentences (the job's own statistics). Measured in the same run: the second
version with the memory, against the same version submitted by another tenant
(no memory, a cold segment cache: every sentence goes to the model).
Prints one row and writes var/bench/editorial.json.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import httpx

from benchmarks.corpus import corpus
from benchmarks.model import install_bench_model
from benchmarks.stack import Stack
from config import Settings

ROOT = Path(__file__).resolve().parent.parent
BEAM = 4
SENTENCES = 36
PER_PARAGRAPH = 4


def article_sentences(seed: int) -> list[str]:
    """36 distinct news sentences (the bench corpus's), each with a reference number: no two alike."""
    pool = [s.strip() + " " for a in corpus(12, seed) for s in a["body"].replace("\n\n", " ").split(". ") if s.strip()]
    rng = random.Random(seed)
    rng.shuffle(pool)
    return [f"{s.strip().rstrip('.')} (ref {i + 1})." for i, s in enumerate(pool[:SENTENCES])]


def body_of(sentences: list[str]) -> str:
    return "\n\n".join(" ".join(sentences[i : i + PER_PARAGRAPH]) for i in range(0, len(sentences), PER_PARAGRAPH))


def wait(api: httpx.Client, job_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api.get(f"/v1/jobs/{job_id}").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id}")


def timed_job(api: httpx.Client, title: str, body: str, **extra) -> tuple[dict, float]:
    started = time.monotonic()
    response = api.post(
        "/v1/jobs",
        json={
            "source_lang": "en",
            "target_langs": ["de"],
            "article": {"title": title, "body": body, "format": "text"},
            **extra,
        },
    )
    response.raise_for_status()
    status = wait(api, response.json()["id"])
    assert status["state"] == "succeeded", status
    return status, time.monotonic() - started


def segments(api: httpx.Client, job_id: str) -> tuple[list[dict], str]:
    response = api.get(f"/v1/jobs/{job_id}/translations/de/segments")
    response.raise_for_status()
    return response.json()["segments"], response.headers["ETag"]


def run(stack: Stack, seed: int) -> dict:
    from access import KeyStore
    import redis

    keys = KeyStore(redis.Redis(port=stack.place.redis_port))
    desk = keys.create("desk editor", ["translate", "review"], "bench-desk", "unlimited", "unlimited").secret
    other = keys.create("other desk", ["translate"], "bench-other", "unlimited", "unlimited").secret
    api = httpx.Client(base_url=stack.url, timeout=60, headers={"Authorization": f"Bearer {desk}"})
    baseline_api = httpx.Client(base_url=stack.url, timeout=60, headers={"Authorization": f"Bearer {other}"})
    sentences = article_sentences(seed)
    title = "Council weighs the budget"

    first, first_seconds = timed_job(
        api, title, body_of(sentences), external_id="bench-editorial", publish="on_approval"
    )
    found, etag = segments(api, first["id"])
    body_segments = [s for s in found if s["source"] in sentences]
    corrected = {}
    started = time.monotonic()
    for segment in body_segments[::5]:  # 20%
        target = f"Korrigiert: {segment['source'][::-1]}"
        response = api.patch(
            f"/v1/jobs/{first['id']}/translations/de/segments/{segment['id']}",
            json={"target": target},
            headers={"If-Match": etag},
        )
        response.raise_for_status()
        etag = response.headers["ETag"]
        corrected[segment["source"]] = target
    approval = api.post(f"/v1/jobs/{first['id']}/translations/de/approval", headers={"If-Match": etag})
    approval.raise_for_status()
    editing_seconds = time.monotonic() - started

    # Version 2: every tenth sentence rewritten (10%), the rest as they were.
    revised = list(sentences)
    changed = set()
    for i in range(3, SENTENCES, 10):
        revised[i] = revised[i].replace(" (ref", ", officials said (ref")
        changed.add(revised[i])
    second, second_seconds = timed_job(api, title, body_of(revised), external_id="bench-editorial")
    baseline, baseline_seconds = timed_job(baseline_api, title, body_of(revised))

    found, _ = segments(api, second["id"])
    by_source = {s["source"]: s for s in found}
    kept = [source for source in corrected if source in by_source]
    assert all(by_source[s]["target"] == corrected[s] for s in kept), "a correction was lost"
    stats, baseline_stats = second["languages"]["de"]["stats"], baseline["languages"]["de"]["stats"]
    assert stats["segments_translated"] == len(changed), stats
    assert baseline_stats["segments_translated"] == len(found), baseline_stats
    return {
        "segments": len(found),
        "sentences": SENTENCES,
        "corrected": len(corrected),
        "changed_in_v2": len(changed),
        "corrections_kept": len(kept),
        "corrections_unchanged_source": len([s for s in corrected if s not in changed]),
        "v1_seconds": round(first_seconds, 3),
        "editing_and_approval_seconds": round(editing_seconds, 3),
        "v2_seconds": round(second_seconds, 3),
        "v2_stats": stats,
        "baseline_v2_seconds": round(baseline_seconds, 3),
        "baseline_v2_stats": baseline_stats,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.editorial")
    parser.add_argument("--smoke", action="store_true", help="tiny model: a quick check of the same path")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    size = "tiny" if args.smoke else "base"
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    package = install_bench_model(work, size)
    with Stack(work / f"stack-editorial-{size}", package.parent, None, BEAM, Settings().max_batch_tokens) as stack:
        result = run(stack, args.seed)
    result["model"] = size
    print(
        f"editorial ({size} model): {result['segments']} segments, {result['corrected']} corrected and approved "
        f"({result['editing_and_approval_seconds']:.2f} s through the API); version 2 with "
        f"{result['changed_in_v2']} sentences changed: {result['corrections_kept']}/"
        f"{result['corrections_unchanged_source']} unchanged corrections kept as written, the model translated "
        f"{result['v2_stats']['segments_translated']} segments (memory {result['v2_stats'].get('memory_hits', 0)}, "
        f"kept edits {result['v2_stats'].get('human_kept', 0)}) in {result['v2_seconds']:.2f} s; "
        f"without the memory (another tenant): {result['baseline_v2_stats']['segments_translated']} segments in "
        f"{result['baseline_v2_seconds']:.2f} s; version 1: {result['v1_seconds']:.2f} s"
    )
    (work / "editorial.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
