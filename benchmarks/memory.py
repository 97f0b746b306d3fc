"""Where a worker's memory goes, measured: the argos engine on the bench model,
each setting in a fresh process (peak RSS, VmHWM, is per process).

    python -m benchmarks.memory [--vocabulary char|subword] [--articles 2]

Rows: the process with the model loaded; the encoder and the first decoding
step only (max_decoding_length=1: encoder output plus every layer's
cross-attention keys and values, per hypothesis); the full decode at several
TRANSLATE_MAX_BATCH_TOKENS and beams, on the service's threading (a replica
per core) and with MALLOC_ARENA_MAX=2 (scripts/env.sh) unless the row says
otherwise; one pooled translate_batch of 4096 source tokens (the bench's (a), and (a') on a replica per core).
Throughput here is indicative (a few articles); `make bench` measures (c)/(a).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import corpus
from benchmarks.direct import sentences_by_paragraph
from benchmarks.model import VOCABULARIES, install_bench_model

ROOT = Path(__file__).resolve().parent.parent

# (label, setting): budget is TRANSLATE_MAX_BATCH_TOKENS (hypothesis tokens: source tokens x beam).
ROWS = [
    ("model loaded, nothing translated", {"phase": "load"}),
    ("encoder + first step, beam 4, 4096", {"phase": "encode", "beam": 4, "budget": 4096}),
    ("full decode, beam 4, 2048", {"phase": "engine", "beam": 4, "budget": 2048}),
    ("full decode, beam 4, 4096", {"phase": "engine", "beam": 4, "budget": 4096}),
    ("full decode, beam 4, 8192", {"phase": "engine", "beam": 4, "budget": 8192}),
    ("full decode, beam 4, 16384", {"phase": "engine", "beam": 4, "budget": 16384}),
    ("full decode, beam 1, 4096", {"phase": "engine", "beam": 1, "budget": 4096}),
    (
        "full decode, beam 4, 4096, glibc's default arenas",
        {"phase": "engine", "beam": 4, "budget": 4096, "env": {"MALLOC_ARENA_MAX": None}},
    ),
    ("full decode, beam 4, 4096, 1 replica x all threads", {"phase": "engine", "beam": 4, "budget": 4096, "inter": 1}),
    ("pooled translate_batch, 4096 src tokens, beam 4", {"phase": "pooled", "beam": 4, "budget": 4096, "inter": 1}),
    # The bench's (a'): the same call on the service's threading, each replica decoding 4096 source tokens.
    ("pooled, 4096 src tokens, beam 4, a replica per core", {"phase": "pooled", "beam": 4, "budget": 4096}),
]


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def rss_bytes() -> int:
    """This process's resident memory now."""
    return _status("VmRSS")


def child(cfg: dict) -> dict:
    from translation.engines.argos import ArgosEngine, ArgosOptions, length_sorted_batches

    started_rss = _status("VmRSS")
    beam, budget = cfg.get("beam", 4), cfg.get("budget", 4096)
    # The service's default threading: one thread per batch, a replica per core.
    inter = cfg.get("inter", cfg["threads"])
    engine = ArgosEngine(
        cfg["packages_dir"],
        ArgosOptions(
            beam_size=beam, intra_threads=max(1, cfg["threads"] // inter), inter_threads=inter, max_batch_tokens=budget
        ),
    )
    model = engine.load(engine.available()[0])
    model.translate(["Warm up."])
    loaded = _status("VmRSS")
    articles = [[s for para in sentences_by_paragraph(a) for s in para] for a in corpus()[: cfg["articles"]]]
    tokens = [[model.tokenizer.encode(s) for s in texts] for texts in articles]
    start = time.perf_counter()
    if cfg["phase"] == "encode":
        for article in tokens:
            # Submitted at once, as the engine does: each replica encodes a batch at the same time.
            pending = [
                model.translator.translate_batch(
                    [article[i] for i in batch],
                    beam_size=beam,
                    max_decoding_length=1,
                    max_input_length=0,
                    asynchronous=True,
                )
                for batch in length_sorted_batches([len(t) for t in article], max(1, budget // (beam * inter)), inter)
            ]
            for results in pending:
                for result in results:
                    result.result()
    elif cfg["phase"] == "engine":
        for texts in articles:
            outputs = model.translate(texts)
            assert outputs == texts, "the identity model must give its input back"
    elif cfg["phase"] == "pooled":
        from benchmarks.direct import translate_all

        translate_all(model.translator, [t for article in tokens for t in article], beam, budget)
    seconds = time.perf_counter() - start
    count = sum(len(t) for article in tokens for t in article)
    return {
        "replicas": inter,
        "started": started_rss,
        "loaded": loaded,
        "peak": _status("VmHWM"),
        "after": _status("VmRSS"),
        "seconds": round(seconds, 3),
        "tokens": count,
        "sentences": sum(map(len, tokens)),
        "tokens_per_s": round(count / seconds, 1) if seconds else 0.0,
    }


def run(packages_dir: Path, setting: dict) -> dict:
    """One setting in a fresh process: {phase, beam, budget, articles, threads, env}."""
    cfg = {"packages_dir": str(packages_dir), **setting}
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ARGOS_PACKAGES_DIR": str(packages_dir),
        "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),
        **setting.get("env", {}),
    }
    env = {k: v for k, v in env.items() if v is not None}  # None: unset
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--child", json.dumps(cfg)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("--vocabulary", choices=VOCABULARIES, default="char")
    parser.add_argument("--articles", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    package = install_bench_model(ROOT / "var" / "bench", "base", args.vocabulary)
    print(f"{package.name}, {args.articles} articles, {args.threads} threads; load average {os.getloadavg()[0]:.2f}")
    print(f"{'':<52} {'peak RSS':>9} {'over loaded':>11} {'after':>7} {'tokens/s':>9}")
    for label, setting in ROWS:
        r = run(package.parent, {"articles": args.articles, "threads": args.threads, **setting})
        print(
            f"{label:<52} {r['peak'] / 1e6:>6.0f} MB {(r['peak'] - r['loaded']) / 1e6:>8.0f} MB "
            f"{r['after'] / 1e6:>4.0f} MB {r['tokens_per_s'] if setting['phase'] != 'load' else 0:>9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
