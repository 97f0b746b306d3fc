"""make bench-peers: this service and LibreTranslate 1.9.6 side by side, on the
same bench models (base-size identity test models, en -> 1 and 10 languages)
and the same articles: tokens/s and peak RSS, whole stack and per process.

    python -m benchmarks.peers              # a few minutes after the first setup
    python -m benchmarks.peers --smoke      # tiny models, 3 pairs

Not part of the tests. LibreTranslate runs in its own virtualenv
(benchmarks/peers/setup.sh, from PyPI), on 127.0.0.1 only, offline:
- MiniSBD, which downloads a sentence model on first use, is replaced by a
  pysbd stand-in (benchmarks/peers/minisbd.py);
- its model-index update (it runs at boot when fewer than two packages are
  installed) reads a local empty index: ARGOS_PACKAGE_INDEX=file://.../;
- HOME and the Argos data folders point into var/peers, so nothing of the
  user's is read or written; the packages are the bench's own folders
  (ARGOS_PACKAGES_DIR), read only.
Everything else is LibreTranslate's default configuration (waitress, 4
threads, its Argos fork's batching), and `--lt-batch 4096` adds the row
tuned with ARGOS_BATCH_SIZE. Ours: benchmarks.scale's rows (the default
layout, and one copy per host with a model budget). Writes var/bench/peers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks import direct
from benchmarks.corpus import corpus
from benchmarks.scale import install_pairs, LANGUAGES, run_row, peaks_mb
from benchmarks.stack import _status_kb, pss_bytes
from launcher import free_port

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "var" / "peers"


def setup() -> Path:
    subprocess.run([str(ROOT / "benchmarks" / "peers" / "setup.sh")], check=True)
    return PEERS / "venv"


def libretranslate_row(
    venv: Path, packages: Path, pairs: int, articles: list[dict], tokens: int, batch: int | None
) -> dict:
    home = PEERS / f"home-{pairs}"
    index = PEERS / "empty-index"
    index.mkdir(parents=True, exist_ok=True)
    (index / "index.json").write_text("[]")
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "ARGOS_PACKAGES_DIR": str(packages),
        "ARGOS_PACKAGE_INDEX": f"file://{index}/",
        "ARGOS_DEVICE_TYPE": "cpu",
        "LT_HOST": "127.0.0.1",
        "LT_PORT": str(port),
        "LT_DISABLE_WEB_UI": "true",
        "LT_UPDATE_MODELS": "false",
    }
    if batch:
        env["ARGOS_BATCH_SIZE"] = str(batch)
    log = open(PEERS / f"libretranslate-{pairs}.log", "wb")
    process = subprocess.Popen(
        [str(venv / "bin" / "libretranslate")],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    peak, peak_pss = [0], [0]
    stop = threading.Event()

    def sample() -> None:  # as benchmarks.scale.Sampler samples our stack
        n = 0
        while not stop.is_set():
            peak[0] = max(peak[0], _status_kb(process.pid, "VmRSS:"))
            if n % 5 == 0:
                peak_pss[0] = max(peak_pss[0], pss_bytes(process.pid))
            n += 1
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"LibreTranslate did not start; see {log.name}")
            try:
                if httpx.get(f"{url}/languages", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        sampler.start()
        languages = list(LANGUAGES[:pairs])

        def translate(item: tuple[int, dict]) -> bool:
            i, article = item
            with httpx.Client(timeout=600) as client:
                response = client.post(
                    f"{url}/translate",
                    json={
                        "q": article["body"],
                        "source": "en",
                        "target": languages[i % len(languages)],
                        "format": "text",
                    },
                )
            return response.status_code == 200 and response.json()["translatedText"] == article["body"]

        started = time.perf_counter()
        # As many at once as its waitress threads (4): LibreTranslate's own concurrency.
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(translate, enumerate(articles)))
        seconds = time.perf_counter() - started
        hwm = _status_kb(process.pid, "VmHWM:")
    finally:
        stop.set()
        os.killpg(process.pid, 15)
        process.wait(30)
        log.close()
    return {
        "layout": "libretranslate" + (f" batch {batch}" if batch else ""),
        "pairs": pairs,
        "peak_total_bytes": max(peak[0], hwm),
        "peak_total_pss_bytes": peak_pss[0],
        "peak_by_process_bytes": {"libretranslate": [hwm]},
        "tokens": tokens,
        "tokens_per_s": round(tokens / seconds, 1),
        "seconds": round(seconds, 1),
        "failed_or_wrong": sum(not ok for ok in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("--smoke", action="store_true", help="tiny models, 3 pairs")
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--paragraphs", type=int, default=2)
    parser.add_argument("--lt-batch", type=int, default=0, help="also LibreTranslate with ARGOS_BATCH_SIZE=N")
    parser.add_argument("--layouts", default="separate,shared", help="our layouts (benchmarks.scale)")
    parser.add_argument("--budget-models", type=int, default=3)
    args = parser.parse_args()
    if args.smoke:
        args.pairs, args.jobs = 3, 3
    size = "tiny" if args.smoke else "base"
    venv = setup()
    work = ROOT / "var" / "bench"
    articles = [
        {**a, "body": "\n\n".join(a["body"].split("\n\n")[: args.paragraphs])}
        for a in corpus(max(args.jobs, 20))[: args.jobs]
    ]
    packages = {n: install_pairs(work, size, n) for n in (1, args.pairs)}
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(next(packages[1].iterdir()) / "sentencepiece.model"))
    tokens = sum(len(sp.encode(s)) for a in articles for p in direct.sentences_by_paragraph(a) for s in p)
    print(
        f"peers: {args.jobs} articles of {args.paragraphs} paragraphs ({tokens} tokens), {size} models; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    rows = []
    for n in (1, args.pairs):
        rows.append(libretranslate_row(venv, packages[n], n, articles, tokens, None))
        if args.lt_batch:
            rows.append(libretranslate_row(venv, packages[n], n, articles, tokens, args.lt_batch))
    # Ours: the articles alone, as LibreTranslate is measured, and at its priority (no WORKER_NICE).
    args.clients, args.think, args.worker_nice = 0, 0.5, 0
    for layout in args.layouts.split(","):
        for n in (1, args.pairs):
            rows.append(run_row(work, packages[n], layout, n, articles, tokens, args))
    report(rows, args.pairs)
    (work / ("peers-smoke.json" if args.smoke else "peers.json")).write_text(json.dumps({"rows": rows}, indent=2))
    return 0 if all(r["failed_or_wrong"] == 0 for r in rows) else 1


def report(rows: list[dict], pairs: int) -> None:
    mb = lambda b: f"{b / 1e6:.0f}"  # noqa: E731
    print(f"{'system':<22} {'pairs':>5} {'tokens/s':>8} {'stack peak MB (PSS)':>19}  per process peak MB")
    for r in rows:
        per = ", ".join(f"{k} {'+'.join(mb(p) for p in v)}" for k, v in r["peak_by_process_bytes"].items())
        print(
            f"{r['layout']:<22} {r['pairs']:>5} {r['tokens_per_s']:>8} {peaks_mb(r):>19}  {per}"
            + (f"  FAILED/WRONG {r['failed_or_wrong']}" if r["failed_or_wrong"] else "")
        )
    print("growth per added pair (whole stack):")
    for layout in dict.fromkeys(r["layout"] for r in rows):
        one = next((r for r in rows if r["layout"] == layout and r["pairs"] == 1), None)
        many = next((r for r in rows if r["layout"] == layout and r["pairs"] == pairs), None)
        if one and many:
            print(f"  {layout:<22} {(many['peak_total_bytes'] - one['peak_total_bytes']) / (pairs - 1) / 1e6:6.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
