"""The engine settings that matter, measured: raw translate_batch throughput
and peak memory on the first articles of the bench corpus, one setting changed
at a time. Each setting runs in a fresh process, so its peak RSS is its own.

    python -m benchmarks.settings [--articles 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import ctranslate2

from benchmarks.corpus import corpus
from benchmarks.direct import sentences_by_paragraph, translate_all
from benchmarks.model import install_bench_model, load, model_bytes

ROOT = Path(__file__).resolve().parent.parent
BASELINE = {"beam_size": 4, "intra_threads": os.cpu_count() or 1, "compute_type": "default", "max_batch_tokens": 4096}
VARIANTS = [
    ("beam_size", 1),
    ("beam_size", 2),
    ("intra_threads", 1),
    ("compute_type", "float32"),
    ("max_batch_tokens", 512),
    ("max_batch_tokens", 1024),
    ("max_batch_tokens", 2048),
    ("max_batch_tokens", 16384),
]


def measure(
    package: str, tokens: list[list[str]], beam_size: int, intra_threads: int, compute_type: str, max_batch_tokens: int
) -> tuple[float, int]:
    """Tokens/s and peak RSS (bytes) of this process; runs in a child process."""
    translator = ctranslate2.Translator(
        str(Path(package) / "model"), intra_threads=intra_threads, compute_type=compute_type
    )
    start = time.perf_counter()
    translate_all(translator, tokens, beam_size, max_batch_tokens)
    rate = sum(map(len, tokens)) / (time.perf_counter() - start)
    return rate, _peak_rss_bytes()


def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def in_fresh_process(package: Path, tokens: list[list[str]], setting: dict) -> tuple[float, int]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure, str(package), tokens, **setting).result()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.settings")
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--size", default="base", choices=("tiny", "base"))
    args = parser.parse_args()
    package = install_bench_model(ROOT / "var" / "bench", args.size)
    _, sp = load(package, 1)
    tokens = [
        sp.encode(s, out_type=str)
        for a in corpus()[: args.articles]
        for para in sentences_by_paragraph(a)
        for s in para
    ]
    print(
        f"{package.name} ({model_bytes(package) / 1e6:.1f} MB), {len(tokens)} sentences, {sum(map(len, tokens))} tokens"
    )
    base, base_rss = in_fresh_process(package, tokens, BASELINE)
    print(f"baseline {BASELINE}: {base:.0f} tokens/s, peak RSS {base_rss / 1e6:.0f} MB")
    for name, value in VARIANTS:
        rate, rss = in_fresh_process(package, tokens, {**BASELINE, name: value})
        print(
            f"  {name} = {value!s:<8} {rate:>7.0f} tokens/s ({rate / base:.2f}x the baseline), "
            f"peak RSS {rss / 1e6:>5.0f} MB"
        )


if __name__ == "__main__":
    main()
