"""The engine settings that matter, measured: raw translate_batch throughput on
the first articles of the bench corpus, one setting changed at a time.

    python -m benchmarks.settings [--articles 4]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import ctranslate2

from benchmarks.corpus import corpus
from benchmarks.direct import sentences_by_paragraph
from benchmarks.model import install_bench_model, load

ROOT = Path(__file__).resolve().parent.parent
BASELINE = {"beam_size": 4, "intra_threads": os.cpu_count() or 1, "compute_type": "default", "max_batch_tokens": 4096}
VARIANTS = [
    ("beam_size", 1), ("beam_size", 2),
    ("intra_threads", 1),
    ("compute_type", "float32"),
    ("max_batch_tokens", 1024), ("max_batch_tokens", 16384),
]


def throughput(package: Path, tokens: list[list[str]], beam_size: int, intra_threads: int, compute_type: str,
               max_batch_tokens: int) -> float:
    translator = ctranslate2.Translator(str(package / "model"), intra_threads=intra_threads, compute_type=compute_type)
    start = time.perf_counter()
    translator.translate_batch(tokens, beam_size=beam_size, max_batch_size=max_batch_tokens, batch_type="tokens",
                               max_input_length=0, max_decoding_length=2 * max(map(len, tokens)) + 8)
    return sum(map(len, tokens)) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.settings")
    parser.add_argument("--articles", type=int, default=4)
    parser.add_argument("--size", default="base", choices=("tiny", "base"))
    args = parser.parse_args()
    package = install_bench_model(ROOT / "var" / "bench", args.size)
    _, sp = load(package, 1)
    tokens = [sp.encode(s, out_type=str) for a in corpus()[:args.articles]
              for para in sentences_by_paragraph(a) for s in para]
    print(f"{package.name}, {len(tokens)} sentences, {sum(map(len, tokens))} tokens")
    base = throughput(package, tokens, **BASELINE)
    print(f"baseline {BASELINE}: {base:.0f} tokens/s")
    for name, value in VARIANTS:
        rate = throughput(package, tokens, **{**BASELINE, name: value})
        print(f"  {name} = {value!s:<8} {rate:>7.0f} tokens/s  ({rate / base:.2f}x the baseline)")


if __name__ == "__main__":
    main()
