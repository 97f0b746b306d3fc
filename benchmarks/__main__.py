"""make bench: the service against raw CTranslate2 and Argos-style batching.

    python -m benchmarks            # full run (transformer-base-size model, minutes)
    python -m benchmarks --smoke    # the same code path, tiny model, seconds

Prints the figures and ratios of one run and writes them to var/bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from benchmarks import direct, load, service
from benchmarks.corpus import corpus
from benchmarks.glossary_cost import glossary_cost
from benchmarks.model import install_bench_model, load as load_model, model_bytes
from benchmarks.stack import Stack
from config import Settings

ROOT = Path(__file__).resolve().parent.parent
BEAM = 4  # Argos's default, used by all three paths


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--smoke", action="store_true", help="tiny model, few articles, short load: a quick check")
    parser.add_argument("--articles", type=int, default=24)
    parser.add_argument("--baseline-articles", type=int, default=5,
                        help="(b) is several times slower; its rate is measured on the first N articles")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.2,
                        help="pause of each client between requests in the paced load run (seconds)")
    parser.add_argument("--intra-threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max-batch-tokens", type=int, default=Settings().max_batch_tokens,
                        help="the service's TRANSLATE_MAX_BATCH_TOKENS; (a) always uses 4096")
    args = parser.parse_args()
    if args.smoke:
        args.articles, args.baseline_articles, args.clients, args.load_seconds = 3, 2, 4, 2
    size = "tiny" if args.smoke else "base"
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)

    articles = corpus(max(args.articles, 20) if not args.smoke else args.articles)[:args.articles]
    package = install_bench_model(work, size)
    translator, sp = load_model(package, args.intra_threads)
    tokens_per_article = [sum(len(sp.encode(s)) for para in direct.sentences_by_paragraph(a) for s in para)
                          for a in articles]
    figures = {"model": {"package": package.name, "size": size, "bytes": model_bytes(package)},
               "beam_size": BEAM, "intra_threads": args.intra_threads, "articles": len(articles),
               "service_max_batch_tokens": args.max_batch_tokens}
    print(f"model {package.name}: {figures['model']['bytes'] / 1e6:.1f} MB; {len(articles)} articles, "
          f"{sum(tokens_per_article)} tokens; beam {BEAM}, intra_threads {args.intra_threads}, "
          f"service batch budget {args.max_batch_tokens} tokens")

    figures["a_raw_translate_batch"] = direct.raw_batched(translator, sp, articles, BEAM, 4096)
    _line("(a) raw translate_batch", figures["a_raw_translate_batch"])
    figures["b_argos_style"] = direct.argos_style(translator, sp, articles[:args.baseline_articles])
    _line(f"(b) argos-style, {args.baseline_articles} articles", figures["b_argos_style"])
    del translator

    with Stack(work / f"stack-{size}", package.parent, args.intra_threads, BEAM, args.max_batch_tokens) as stack:
        figures["c_service"] = service.through_service(stack.url, articles, tokens_per_article, stack.headers)
        _line("(c) service over HTTP", figures["c_service"])
        figures["correction"] = service.correction(stack.url, articles[0], stack.headers)
        figures["worker_peak_rss_bytes"] = stack.worker_peak_rss_bytes()
        job_id = _any_job(stack.url, stack.headers)
        # 1. Closed loop on the shared 2 cores, the worker translating what the load submits.
        figures["api_load_saturated"] = load.api_under_load(stack.url, args.clients, args.load_seconds, job_id,
                                                            api_key=stack.api_key)
        # 2. Paced clients, the translation tier elsewhere (here: stopped): the API tier's own latency.
        stack.stop_worker()
        figures["api_load"] = load.api_under_load(stack.url, args.clients, args.load_seconds, job_id, args.think,
                                                 api_key=stack.api_key)
    figures["glossary_enforcement"] = glossary_cost(work, size, args.intra_threads, BEAM)
    figures["ratios"] = {
        "c_over_a": round(figures["c_service"]["tokens_per_s"] / figures["a_raw_translate_batch"]["tokens_per_s"], 3),
        "c_over_b": round(figures["c_service"]["tokens_per_s"] / figures["b_argos_style"]["tokens_per_s"], 2),
    }
    _report(figures)
    out = work / ("smoke.json" if args.smoke else "results.json")
    out.write_text(json.dumps(figures, indent=2))
    print(f"\nfigures written to {out.relative_to(ROOT)}")
    return 0


def _any_job(url: str, headers: dict) -> str:
    import httpx

    return httpx.post(f"{url}/v1/jobs", headers=headers,
                      json={"source_lang": "en", "target_langs": ["de"],
                            "article": {"title": "Poll me", "body": "A short one."}}).json()["id"]


def _line(label: str, f: dict) -> None:
    print(f"{label:<34} {f['sentences']:>5} sentences {f['tokens']:>7} tokens in {f['seconds']:>8.2f} s: "
          f"{f['sentences_per_s']:>7.2f} sentences/s {f['tokens_per_s']:>8.1f} tokens/s")


def _report(f: dict) -> None:
    c, r, loadf, busy = f["c_service"], f["ratios"], f["api_load"], f["api_load_saturated"]
    rss_limit = 2 * f["model"]["bytes"] + 300e6
    corr = f["correction"]
    print(f"\njob latency (all submitted at once): p50 {c['job_latency_p50_s']:.2f} s, p95 {c['job_latency_p95_s']:.2f} s;"
          f" first article {c['first_job_worker_seconds']:.2f} s in the worker; wrong or failed jobs: {c['failed_or_wrong']}")
    print(f"correction of one paragraph: {corr['segments_translated']} of {corr['segments']} segments translated, "
          f"{corr['cache_hits']} from the cache; {corr['worker_seconds']:.2f} s in the worker "
          f"(the full article took {c['first_job_worker_seconds']:.2f} s)")
    for label, run in (("closed loop, worker busy on the same cores", busy),
                       (f"paced ({loadf['think_s']} s mean think time), worker stopped", loadf)):
        print(f"API, {run['clients']} clients for {run['seconds']:.0f} s, {label}: submit p50 {run['submit']['p50_ms']} ms"
              f" p99 {run['submit']['p99_ms']} ms ({run['submit']['requests']} requests); poll p50 {run['poll']['p50_ms']}"
              f" ms p99 {run['poll']['p99_ms']} ms ({run['poll']['requests']} requests); errors {run['errors']}")
    g = f["glossary_enforcement"]
    print(f"glossary enforcement on the sample article: none {g['none_s']:.2f} s, mask {g['mask_s']:.2f} s "
          f"({g['mask_methods']}), split fallback {g['split_s']:.2f} s ({g['split_methods']})")
    print("\ntargets:")
    _target("(c)/(a) >= 0.90", r["c_over_a"], r["c_over_a"] >= 0.90)
    _target("(c)/(b) >= 5", r["c_over_b"], r["c_over_b"] >= 5)
    for label, run in (("closed loop", busy), ("paced", loadf)):
        _target(f"{label}: submit p99 < 50 ms", run["submit"]["p99_ms"], run["submit"]["p99_ms"] < 50)
        _target(f"{label}: poll p99 < 20 ms", run["poll"]["p99_ms"], run["poll"]["p99_ms"] < 20)
        _target(f"{label}: 0 errors", run["errors"], run["errors"] == 0)
    _target(f"worker peak RSS <= {rss_limit / 1e6:.0f} MB", f"{f['worker_peak_rss_bytes'] / 1e6:.0f} MB",
            f["worker_peak_rss_bytes"] <= rss_limit)


def _target(name: str, value, met: bool) -> None:
    print(f"  {'MET   ' if met else 'MISSED'} {name:<32} measured {value}")


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench took {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
