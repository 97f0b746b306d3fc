"""The benchmark model: the identity test model at transformer-base size,
built once into var/bench and installed into its own ARGOS_PACKAGES_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import ctranslate2
import sentencepiece

from devtools.testmodels import build_package, package_name

ROOT = Path(__file__).resolve().parent.parent


def install_bench_model(work: Path, size: str) -> Path:
    """Build (if missing) and install; returns the installed package folder."""
    packages = work / f"packages-{size}"
    installed = packages / package_name("identity", "en", "de", size)
    if not installed.exists():
        archive = build_package("identity", "en", "de", work / "built", size=size)
        # argostranslate reads ARGOS_PACKAGES_DIR at import: install in a fresh interpreter.
        subprocess.run([sys.executable, "-m", "translation.argos_packages", "install-file", str(archive)], cwd=ROOT, check=True,
                       env={**os.environ, "ARGOS_PACKAGES_DIR": str(packages), "PYTHONPATH": str(ROOT)},
                       capture_output=True)
    return installed


def load(package: Path, intra_threads: int) -> tuple[ctranslate2.Translator, sentencepiece.SentencePieceProcessor]:
    translator = ctranslate2.Translator(str(package / "model"), device="cpu", intra_threads=intra_threads,
                                        inter_threads=1)
    return translator, sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))


def model_bytes(package: Path) -> int:
    return sum(f.stat().st_size for f in (package / "model").rglob("*") if f.is_file())
