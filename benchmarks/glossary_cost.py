"""What glossary enforcement costs: the sample article with the seed glossary,
in-process, without a glossary, with masking (identity model: codes survive)
and with the split fallback (cipher model: every code is rewritten)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from glossary.matching import TermMatcher
from glossary.entries import Entry
from translation.engines import ArgosEngine, ArgosOptions, Router
from devtools.testmodels import build_package, package_name
from translation.article import Article, translate_article

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def _installed(work: Path, kind: str, size: str) -> Path:
    packages = work / f"glossary-{kind}-{size}"
    if not (packages / package_name(kind, "en", "de", size)).exists():
        archive = build_package(kind, "en", "de", work / "built", size=size)
        subprocess.run(
            [sys.executable, "-m", "translation.argos_packages", "install-file", str(archive)],
            cwd=ROOT,
            check=True,
            env={**os.environ, "ARGOS_PACKAGES_DIR": str(packages), "PYTHONPATH": str(ROOT)},
            capture_output=True,
        )
    return packages


def glossary_cost(work: Path, size: str, threads: int, beam: int) -> dict:
    seed = json.loads((DATA / "glossary.json").read_text())
    matcher = TermMatcher([Entry.from_dict({**e, "translations": e.get("translations", {})}) for e in seed["entries"]])
    title, _, body = (DATA / "article.txt").read_text().partition("\n")
    article = Article(title.strip(), body.lstrip("\n"))
    options = ArgosOptions(beam_size=beam, inter_threads=threads)  # the service's default threading
    figures = {}
    for label, kind, with_glossary in (
        ("none", "identity", False),
        ("mask", "identity", True),
        ("split", "cipher", True),
    ):
        router = Router([ArgosEngine(str(_installed(work, kind, size)), options)])  # no cache: measure the model
        router.load_all()
        start = time.perf_counter()
        result = translate_article(router, article, "en", "de", matcher if with_glossary else None)
        figures[f"{label}_s"] = round(time.perf_counter() - start, 3)
        report = result.report.to_dict()
        figures[f"{label}_methods"] = {
            m: sum(t["methods"].get(m, 0) for t in report["terms"]) for m in ("model", "replace", "mask", "split")
        }
        figures[f"{label}_model_calls"] = result.stats.model_calls
    return figures
