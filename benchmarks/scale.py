"""make bench, many language pairs: whole-stack memory with 1 and with 10 pairs.

    python -m benchmarks.scale            # base-size identity models, en -> 10 languages (a few minutes)
    python -m benchmarks.scale --smoke    # tiny models, 3 pairs, seconds

For each layout and each number of pairs, a fresh stack (the launcher's:
Redis, gunicorn behind nginx, the article worker, the interactive worker
unless the layout shares the article worker's models) serves the same mixed
workload: `--jobs` article jobs, each into one language, cycling over the
installed pairs, while `--clients` clients send one- or two-sentence short
requests (DeepL's /v2/translate, paced) into the same languages. Every
process's RSS is sampled every 0.1 s; the whole stack's peak is the peak of
their sum (and, beside it, the peak of their PSS's sum, sampled every 0.5 s:
a page shared by forked processes counts once there). Reported per row: that peak, each process kind's peak (VmHWM),
model loads and evictions (from the workers' logs), article tokens/s and
the short requests' p95. The growth per added pair is
(peak with N pairs - peak with 1) / (N - 1).

Layouts: `separate` (the default settings: every model preloaded by the
article worker and by the interactive worker) and `shared`
(WORKER_SERVES_INTERACTIVE=1, MODEL_MEMORY_BUDGET: one copy per host,
at most --budget-models models loaded). Writes var/bench/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from benchmarks import direct, service
from benchmarks.corpus import corpus
from benchmarks.service import percentile
from benchmarks.stack import Stack, pss_bytes
from config import Settings
from devtools.testmodels import build_package, package_name

ROOT = Path(__file__).resolve().parent.parent
BEAM = 4
# en -> these: identity test models (output = input), one package each, like today's bench model.
LANGUAGES = ("de", "fr", "es", "it", "nl", "pl", "sv", "da", "fi", "cs")
LOADED = re.compile(r"model \S+ loaded in ([\d.]+) s")
EVICTED = re.compile(r"model \S+ evicted")


def install_pairs(work: Path, size: str, count: int) -> Path:
    """ARGOS_PACKAGES_DIR with en -> the first `count` LANGUAGES (built once, kept in var/bench)."""
    packages = work / f"packages-scale-{size}-{count}"
    for lang in LANGUAGES[:count]:
        if (packages / package_name("identity", "en", lang, size)).exists():
            continue
        archive = work / "built" / f"{package_name('identity', 'en', lang, size)}.argosmodel"
        if not archive.exists():
            archive = build_package("identity", "en", lang, work / "built", size=size)
        subprocess.run(
            [sys.executable, "-m", "translation.argos_packages", "install-file", str(archive)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "ARGOS_PACKAGES_DIR": str(packages), "PYTHONPATH": str(ROOT)},
        )
    return packages


class Sampler:
    """The sum of every stack process's RSS, every `interval` seconds, in a thread;
    beside it, the sum of their PSS every `pss_every` samples (reading it walks
    each process's page tables: too costly at every sample on 2 cores)."""

    def __init__(self, stack: Stack, interval: float = 0.1, pss_every: int = 5):
        self.stack, self.interval, self.pss_every = stack, interval, pss_every
        self.peak_total = 0
        self.peak_total_pss = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            processes = [p for found in self.stack.process_rss().values() for p in found]
            self.peak_total = max(self.peak_total, sum(rss for _, rss, _ in processes))
            if n % self.pss_every == 0:
                self.peak_total_pss = max(self.peak_total_pss, sum(pss_bytes(pid) for pid, _, _ in processes))
            n += 1
            self.stop.wait(self.interval)

    def __enter__(self) -> "Sampler":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def _jobs(url: str, headers: dict, articles: list[dict], languages: list[str]) -> dict:
    """Every job submitted at once (one language each, cycling); seconds until the last is translated."""
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        ids = []
        for i, article in enumerate(articles):
            lang = languages[i % len(languages)]
            response = client.post(
                "/v1/jobs",
                json={
                    "source_lang": "en",
                    "target_langs": [lang],
                    "article": {k: article[k] for k in ("title", "body", "format")},
                },
            )
            response.raise_for_status()
            ids.append((response.json()["id"], lang, article))
        wrong = 0
        for job_id, lang, article in ids:
            status = service._wait(client, job_id)
            translation = client.get(f"/v1/jobs/{job_id}/translations/{lang}").json()
            wrong += status["state"] != "succeeded" or translation.get("body") != article["body"]
    return {"seconds": time.perf_counter() - started, "failed_or_wrong": wrong}


def _short_requests(
    stack: Stack, sentences: list[str], languages: list[str], clients: int, think: float, until: threading.Event
) -> dict:
    """Paced DeepL /v2/translate requests into `languages` until `until` is set; latencies and errors."""
    latencies: list[float] = []
    errors = [0]

    def client_loop(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(
            base_url=stack.url, timeout=120, headers={"Authorization": f"DeepL-Auth-Key {stack.api_key}"}
        ) as client:
            n = 0
            while not until.is_set():
                # A unique reference: never a segment-cache hit.
                text = f"{rng.choice(sentences)[:-1]} (ref {os.getpid()}-{index}-{n})."
                lang = languages[(index + n) % len(languages)]
                started = time.perf_counter()
                response = client.post(
                    "/v2/translate", json={"text": [text], "source_lang": "EN", "target_lang": lang.upper()}
                )
                latencies.append(time.perf_counter() - started)
                ok = response.status_code == 200 and response.json()["translations"][0]["text"] == text
                errors[0] += not ok
                n += 1
                until.wait(rng.expovariate(1 / think))

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "p95_ms": round(percentile(latencies, 95) * 1000, 1) if latencies else None,
    }


def _log_counts(stack: Stack) -> dict:
    text = ""
    for key in stack.stack.keys():
        try:
            text += stack.stack.logfile(key).read_text(errors="replace")
        except OSError:
            pass
    loads = [float(s) for s in LOADED.findall(text)]
    return {
        "loads": len(loads),
        "evictions": len(EVICTED.findall(text)),
        "load_seconds_max": round(max(loads), 3) if loads else 0.0,
    }


def run_row(work: Path, packages: Path, layout: str, pairs: int, articles: list[dict], tokens: int, args) -> dict:
    # The article worker at its default niceness (the main bench sets 0 to compare with raw CTranslate2):
    # short requests are measured as deployed.
    env = {"TRANSLATE_MAX_BATCH_TOKENS": "4096", "WORKER_NICE": str(getattr(args, "worker_nice", Settings.worker_nice))}
    if layout == "shared":
        model_mb = max(
            1, round(sum(f.stat().st_size for f in next(packages.iterdir()).rglob("*") if f.is_file()) / 2**20)
        )
        env.update(WORKER_SERVES_INTERACTIVE="1", MODEL_MEMORY_BUDGET=str(model_mb * args.budget_models + 1))
    languages = list(LANGUAGES[:pairs])
    with Stack(
        work / f"stack-scale-{layout}-{pairs}", packages, None, BEAM, 4096, engines="argos", env=env, loglevel="INFO"
    ) as stack:
        # Short requests into the same languages, identity model: the output must equal the input.
        sentences = [s for a in articles for p in direct.sentences_by_paragraph(a) for s in p]
        done = threading.Event()
        short: dict = {}
        with Sampler(stack) as sampler:
            shorts = threading.Thread(
                target=lambda: short.update(
                    _short_requests(stack, sentences, languages, args.clients, args.think, done)
                )
            )
            shorts.start()
            jobs = _jobs(stack.url, stack.headers, articles, languages)
            done.set()
            shorts.join()
        processes = stack.process_rss()
        counts = _log_counts(stack)
    peaks = {key: sorted((hwm for _, _, hwm in found), reverse=True) for key, found in processes.items()}
    return {
        "layout": layout,
        "pairs": pairs,
        "env": env,
        "peak_total_bytes": sampler.peak_total,
        "peak_total_pss_bytes": sampler.peak_total_pss,
        "peak_by_process_bytes": peaks,
        **counts,
        "tokens": tokens,
        "tokens_per_s": round(tokens / jobs["seconds"], 1),
        "seconds": round(jobs["seconds"], 1),
        "failed_or_wrong": jobs["failed_or_wrong"] + short.get("errors", 0),
        "short_p95_ms": short.get("p95_ms"),
        "short_requests": short.get("requests", 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("--smoke", action="store_true", help="tiny models, 3 pairs, few jobs: a quick check")
    parser.add_argument("--pairs", type=int, default=10, choices=range(2, len(LANGUAGES) + 1), metavar="N")
    parser.add_argument("--jobs", type=int, default=10, help="article jobs per row, one language each")
    parser.add_argument("--paragraphs", type=int, default=2, help="paragraphs of each article (run time)")
    parser.add_argument("--clients", type=int, default=2, help="short-request clients during the jobs")
    parser.add_argument("--think", type=float, default=1.0, help="pause of a short-request client (seconds)")
    parser.add_argument(
        "--budget-models", type=int, default=3, help="the shared layout's MODEL_MEMORY_BUDGET, in models of this size"
    )
    parser.add_argument("--layouts", default="separate,shared")
    args = parser.parse_args()
    if args.smoke:
        args.pairs, args.jobs, args.clients, args.budget_models = 3, 3, 2, 2
    size = "tiny" if args.smoke else "base"
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    # Short articles (the first paragraphs), one per job, the same in every row.
    articles = [
        {**a, "body": "\n\n".join(a["body"].split("\n\n")[: args.paragraphs])}
        for a in corpus(max(args.jobs, 20))[: args.jobs]
    ]
    started = time.perf_counter()
    packages = {n: install_pairs(work, size, n) for n in (1, args.pairs)}
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(next(packages[1].iterdir()) / "sentencepiece.model"))
    tokens = sum(len(sp.encode(s)) for a in articles for p in direct.sentences_by_paragraph(a) for s in p)
    print(
        f"scale: {args.jobs} jobs of {args.paragraphs} paragraphs ({tokens} tokens), {args.clients} short-request "
        f"clients; models {size} ({time.perf_counter() - started:.0f} s to build/install); load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    rows = [
        run_row(work, packages[n], layout, n, articles, tokens, args)
        for layout in args.layouts.split(",")
        for n in (1, args.pairs)
    ]
    report(rows, args.pairs)
    (work / ("scale-smoke.json" if args.smoke else "scale.json")).write_text(json.dumps({"rows": rows}, indent=2))
    return 0 if all(r["failed_or_wrong"] == 0 for r in rows) else 1


def peaks_mb(row: dict) -> str:
    """The stack's peak sum of RSS (the figure compared), its peak sum of PSS beside it."""
    return f"{row['peak_total_bytes'] / 1e6:.0f} ({row.get('peak_total_pss_bytes', 0) / 1e6:.0f})"


def report(rows: list[dict], pairs: int) -> None:
    mb = lambda b: f"{b / 1e6:.0f}"  # noqa: E731
    print(
        f"{'layout':<9} {'pairs':>5} {'stack peak MB (PSS)':>19} {'per process peak MB':<58} {'loads':>5} {'evict':>5} "
        f"{'tokens/s':>8} {'short p95 ms':>12}"
    )
    for r in rows:
        per = ", ".join(f"{k} {'+'.join(mb(p) for p in v)}" for k, v in r["peak_by_process_bytes"].items())
        print(
            f"{r['layout']:<9} {r['pairs']:>5} {peaks_mb(r):>19} {per:<58} {r['loads']:>5} "
            f"{r['evictions']:>5} {r['tokens_per_s']:>8} {r['short_p95_ms']!s:>12}"
            + (f"  FAILED/WRONG {r['failed_or_wrong']}" if r["failed_or_wrong"] else "")
        )
    for layout in dict.fromkeys(r["layout"] for r in rows):
        one = next((r for r in rows if r["layout"] == layout and r["pairs"] == 1), None)
        many = next((r for r in rows if r["layout"] == layout and r["pairs"] == pairs), None)
        if one and many:
            print(
                f"{layout}: growth per added pair {(many['peak_total_bytes'] - one['peak_total_bytes']) / (pairs - 1) / 1e6:.1f} MB"
                f" (stack peak {mb(one['peak_total_bytes'])} -> {mb(many['peak_total_bytes'])} MB)"
            )


if __name__ == "__main__":
    sys.exit(main())
