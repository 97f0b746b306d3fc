"""make bench, short requests: DeepL's /v2/translate and LibreTranslate's
/translate (one or two sentences, 10 clients) on an idle stack and while an
article backlog is translated, and dynamic batching against one model call
per request.

    python -m benchmarks.short            # bench model (transformer-base size), a few minutes
    python -m benchmarks.short --smoke    # tiny model, seconds
    python -m benchmarks.short --layout shared --backlog-langs de,pt
        # one copy per host (WORKER_SERVES_INTERACTIVE=1): the article worker's
        # process serves the short requests too; the backlog also on the real
        # en->pt model, the one the `pt` short requests use

Every sentence is made unique (a reference number), so no request is served
from the segment cache; the identity model's output must equal its input,
which is checked. Prints the figures and writes var/bench/short.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks import service
from benchmarks.corpus import corpus
from benchmarks.model import install_bench_model
from benchmarks.service import percentile
from benchmarks.stack import Stack
from config import Settings

ROOT = Path(__file__).resolve().parent.parent
BEAM = 4


class ShortLoad:
    """Clients sending one- or two-sentence requests, alternating DeepL's and
    LibreTranslate's endpoints (and, if asked, target languages)."""

    def __init__(self, url: str, key: str, sentences: list[str], seed: int):
        self.url, self.key, self.sentences = url, key, sentences
        self.rng = random.Random(seed)
        self.counter = itertools.count()
        self.lock = threading.Lock()

    def _text(self, sentences: int) -> str:
        with self.lock:
            picked = [self.rng.choice(self.sentences) for _ in range(sentences)]
            reference = next(self.counter)
        # A unique reference number: never a segment-cache hit, in this run or a later one.
        return " ".join(f"{s[:-1]} (ref {os.getpid()}-{reference}-{i})." for i, s in enumerate(picked))

    def request(self, client: httpx.Client, api: str, target: str, sentences: int) -> tuple[str, str, float, bool]:
        text = self._text(sentences)
        started = time.perf_counter()
        if api == "deepl":
            response = client.post(
                "/v2/translate",
                json={"text": [text], "source_lang": "EN", "target_lang": TARGETS[target]},
                headers={"Authorization": f"DeepL-Auth-Key {self.key}"},
            )
            output = response.json()["translations"][0]["text"] if response.status_code == 200 else None
        else:
            response = client.post(
                "/translate", data={"q": text, "source": "en", "target": target, "api_key": self.key}
            )
            output = response.json()["translatedText"] if response.status_code == 200 else None
        # The identity bench model must give its input back; the real model, something else.
        ok = output == text if target == "de" else bool(output) and output != text
        return api, target, time.perf_counter() - started, ok

    def run(
        self,
        clients: int,
        requests: int | None = None,
        until: threading.Event | None = None,
        think: float = 0.0,
        sentences: tuple[int, ...] = (1, 2),
        targets: tuple[str, ...] = ("de",),
    ) -> dict:
        """`requests` in total (closed loop), or until `until` is set (each client pausing ~`think` s)."""
        remaining = itertools.count()
        results: list[tuple[str, str, float, bool]] = []

        def client_loop(index: int) -> None:
            rng = random.Random(index)
            with httpx.Client(base_url=self.url, timeout=120) as client:
                for n in itertools.count():
                    if until is not None and until.is_set():
                        return
                    if requests is not None and next(remaining) >= requests:
                        return
                    api = ("deepl", "libre")[(index + n) % 2]
                    target = targets[(index + n // 2) % len(targets)]
                    results.append(self.request(client, api, target, rng.choice(sentences)))
                    if think:
                        time.sleep(rng.expovariate(1 / think))

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client_loop, range(clients)))
        return summary(results, time.perf_counter() - started)


# Our target -> DeepL's code. de: the bench model (identity, transformer-base size); pt: the real model (bergamot).
TARGETS = {"de": "DE", "pt": "PT-PT"}


def summary(results: list[tuple[str, str, float, bool]], seconds: float) -> dict:
    figures = {
        "requests": len(results),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(results) / seconds, 2) if seconds else 0.0,
        "errors": sum(not ok for *_, ok in results),
    }
    groups = {
        "all": lambda a, t: t == "de",
        "deepl": lambda a, t: a == "deepl" and t == "de",
        "libre": lambda a, t: a == "libre" and t == "de",
        "real_model_pt": lambda a, t: t == "pt",
    }
    for name, member in groups.items():
        latencies = [seconds for api, target, seconds, _ in results if member(api, target)]
        if latencies:
            figures[name] = {
                "p50_ms": round(percentile(latencies, 50) * 1000, 1),
                "p95_ms": round(percentile(latencies, 95) * 1000, 1),
                "n": len(latencies),
            }
    return figures


def backlog(url: str, headers: dict, articles: list[dict], during=None, targets: tuple[str, ...] = ("de",)) -> dict:
    """Submit every article at once, into `targets`; seconds until the last is translated (and what `during`
    measured meanwhile)."""
    done = threading.Event()
    measured = {}
    thread = None
    if during is not None:
        thread = threading.Thread(target=lambda: measured.update(during(done)))
        thread.start()
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        ids = [service._submit(client, article, targets) for article in articles]
        for job_id in ids:
            status = service._wait(client, job_id)
            assert status["state"] == "succeeded", status
    seconds = time.perf_counter() - started
    done.set()
    if thread is not None:
        thread.join()
    characters = sum(len(a["title"]) + len(a["body"]) for a in articles)
    return {
        "articles": len(articles),
        "seconds": round(seconds, 2),
        "characters_per_s": round(characters / seconds, 1),
        "short": measured or None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.short")
    parser.add_argument("--smoke", action="store_true", help="tiny model, few requests: a quick check")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--articles", type=int, default=3, help="the backlog")
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="mean pause of each client between requests while the backlog runs (seconds)",
    )
    parser.add_argument(
        "--intra-threads",
        type=int,
        default=None,
        help="CTranslate2 threads per batch (default: the service's, 1 thread x cores replicas)",
    )
    parser.add_argument(
        "--layout",
        choices=("separate", "shared"),
        default="separate",
        help="separate: the interactive worker (the default settings); shared: WORKER_SERVES_INTERACTIVE=1",
    )
    parser.add_argument(
        "--backlog-langs",
        default="de",
        help="the backlog's target languages: de the bench model, pt the real model the pt short requests use",
    )
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.articles = 20, 2
    targets = tuple(lang for lang in args.backlog_langs.split(",") if lang)
    size = "tiny" if args.smoke else "base"
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    package = install_bench_model(work, size)
    articles = corpus(max(args.articles, 4))[: args.articles]
    sentences = [
        s.strip() + "."
        for a in corpus(24, seed=7)
        for s in a["body"].replace("\n\n", " ").split(". ")
        if 40 <= len(s) <= 160
    ]
    figures: dict = {
        "model": package.name,
        "clients": args.clients,
        "beam_size": BEAM,
        "intra_threads": args.intra_threads,
        "layout": args.layout,
        "backlog_langs": targets,
        "load_average_at_start": os.getloadavg(),
    }
    threading = (
        "the service's default threading" if args.intra_threads is None else f"{args.intra_threads} threads per batch"
    )
    print(
        f"short requests on {package.name}: {args.clients} clients, beam {BEAM}, {threading}"
        f"; backlog of {args.articles} articles into {', '.join(targets)}; {args.layout} layout"
    )

    stack = Stack(work / f"stack-short-{size}", package.parent, args.intra_threads, BEAM, 4096)
    # Latency is measured here, not cut at the API's 8 s wait.
    stack.env["INTERACTIVE_TIMEOUT_SECONDS"] = "120"
    stack.env["WORKER_NICE"] = str(Settings().worker_nice)  # the default: articles yield to short requests
    if args.layout == "shared":
        stack.env["WORKER_SERVES_INTERACTIVE"] = "1"  # no interactive worker: the article worker serves them
    with stack:
        load = ShortLoad(stack.url, stack.api_key, sentences, seed=1)
        load.run(2, requests=4, targets=("de", "pt"))  # warm-up: connections, first batches
        # One client, one request at a time: what a request costs by itself, the floor under any latency.
        figures["one_at_a_time"] = load.run(1, requests=20, targets=("de", "pt"))
        _line("one request at a time, idle stack", figures["one_at_a_time"])
        figures["backlog_alone"] = backlog(stack.url, stack.headers, articles, targets=targets)
        print(f"backlog alone: {args.articles} articles in {figures['backlog_alone']['seconds']} s")
        paced = lambda done: load.run(args.clients, until=done, think=args.think, targets=("de", "pt"))  # noqa: E731
        figures["backlog_with_short"] = backlog(
            stack.url, stack.headers, corpus(24, seed=99)[: args.articles], paced, targets
        )
        _line(f"during the backlog ({args.think} s think)", figures["backlog_with_short"]["short"])
        figures["idle"] = load.run(
            args.clients,
            requests=figures["backlog_with_short"]["short"]["requests"],
            think=args.think,
            targets=("de", "pt"),
        )
        _line("idle stack, same requests", figures["idle"])

        one = ShortLoad(stack.url, stack.api_key, sentences, seed=2)
        figures["batched"] = one.run(args.clients, requests=args.requests, sentences=(1,))
        _line(f"{args.requests} one-sentence requests, batching", figures["batched"])
        if args.layout == "separate":  # the shared layout has no interactive worker to restart without batching
            stack.restart_interactive(INTERACTIVE_BATCHING="0")
            one.run(2, requests=4)
            figures["unbatched"] = one.run(args.clients, requests=args.requests, sentences=(1,))
            _line(f"{args.requests} one-sentence requests, one call each", figures["unbatched"])

    figures["load_average_at_end"] = os.getloadavg()
    alone, shared = figures["backlog_alone"], figures["backlog_with_short"]
    figures["ratios"] = {"backlog_slowdown": round(shared["seconds"] / alone["seconds"], 3)}
    if "unbatched" in figures:
        figures["ratios"]["batched_over_unbatched_throughput"] = round(
            figures["batched"]["requests_per_s"] / figures["unbatched"]["requests_per_s"], 2
        )
    during = shared["short"]["all"]
    print(
        f"\nload average (1 min) on this machine: {figures['load_average_at_start'][0]:.1f} at the start, "
        f"{figures['load_average_at_end'][0]:.1f} at the end"
    )
    print(
        f"backlog: {alone['seconds']} s alone, {shared['seconds']} s while serving short requests "
        f"({figures['ratios']['backlog_slowdown']}x)"
    )
    if "unbatched" in figures:
        print(
            f"dynamic batching: {figures['ratios']['batched_over_unbatched_throughput']}x the requests/s of "
            f"one model call per request"
        )
    print("\ntargets:")
    met = during["p95_ms"] < 1000
    print(f"  {'MET   ' if met else 'MISSED'} short p95 < 1 s during the backlog   measured {during['p95_ms']} ms")
    alone_p50 = figures["one_at_a_time"]["all"]["p50_ms"]
    print(
        f"         (one request alone on the idle stack: p50 {alone_p50} ms on the bench model; "
        f"p95 during the backlog is {during['p95_ms'] / alone_p50:.1f}x that)"
    )
    errors = (
        sum(figures[name]["errors"] for name in ("idle", "batched", "unbatched") if name in figures)
        + shared["short"]["errors"]
    )
    real = shared["short"].get("real_model_pt")
    if real:
        print(f"  (real en->pt model during the backlog: p95 {real['p95_ms']} ms)")
    print(f"  {'MET   ' if errors == 0 else 'MISSED'} 0 errors or wrong outputs           measured {errors}")
    out = work / f"short{'-smoke' if args.smoke else ''}{'-shared' if args.layout == 'shared' else ''}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nfigures written to {out.relative_to(ROOT)}")
    return 0


def _line(label: str, f: dict) -> None:
    real = f.get("real_model_pt")
    print(
        f"{label:<42} {f['requests']:>4} requests in {f['seconds']:>6.2f} s ({f['requests_per_s']:>5.2f}/s); "
        f"bench model p50 {f['all']['p50_ms']:>7.1f} ms p95 {f['all']['p95_ms']:>7.1f} ms "
        f"(DeepL p95 {f['deepl']['p95_ms']}, Libre p95 {f['libre']['p95_ms']})"
        + (f"; real en->pt p50 {real['p50_ms']} ms p95 {real['p95_ms']} ms" if real else "")
        + f"; errors {f['errors']}"
    )


if __name__ == "__main__":
    # A stopped bench still stops its stack (Stack.__exit__ runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    code = main()
    print(f"bench took {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
