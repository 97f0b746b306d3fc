"""The benchmark model: the identity test model at transformer-base size,
built once into var/bench and installed into its own ARGOS_PACKAGES_DIR.

Its character vocabulary gives a sentence 4-5 times more tokens than a real
model's subwords; ``vocabulary="subword"`` builds the same model over a BPE
vocabulary, so that figures also hold for real packages."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import ctranslate2
import sentencepiece

from devtools.testmodels import build_package, covered_characters, package_name

ROOT = Path(__file__).resolve().parent.parent
VOCABULARIES = ("char", "subword")
# BPE pieces, trained on other articles of the bench's generator: 1150 gives
# the bench corpus 23 tokens a sentence (the character vocabulary: 103), about
# what a real model's SentencePiece gives English news.
SUBWORD_PIECES = 1150


def install_bench_model(work: Path, size: str, vocabulary: str = "char") -> Path:
    """Build (if missing) and install; returns the installed package folder."""
    packages = work / (f"packages-{size}" if vocabulary == "char" else f"packages-{size}-{vocabulary}")
    installed = packages / package_name("identity", "en", "de", size, vocabulary)
    if not installed.exists():
        subword = ("subword", subword_sentencepiece_model()) if vocabulary == "subword" else None
        archive = build_package("identity", "en", "de", work / "built", size=size, subword_model=subword)
        # argostranslate reads ARGOS_PACKAGES_DIR at import: install in a fresh interpreter.
        subprocess.run(
            [sys.executable, "-m", "translation.argos_packages", "install-file", str(archive)],
            cwd=ROOT,
            check=True,
            env={**os.environ, "ARGOS_PACKAGES_DIR": str(packages), "PYTHONPATH": str(ROOT)},
            capture_output=True,
        )
    return installed


def subword_sentencepiece_model() -> bytes:
    from benchmarks.corpus import corpus
    from benchmarks.direct import sentences_by_paragraph

    # Another seed than the bench corpus's, and every covered character, so
    # any text encodes without <unk>.
    text = [s for a in corpus(300, seed=7) for para in sentences_by_paragraph(a) for s in para]
    chars = covered_characters()
    text += [" ".join(chars[i : i + 16]) for i in range(0, len(chars), 16)]
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(text),
        model_writer=model,
        model_type="bpe",
        vocab_size=SUBWORD_PIECES,
        character_coverage=1.0,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        minloglevel=2,
    )
    return model.getvalue()


def load(
    package: Path, intra_threads: int, inter_threads: int = 1
) -> tuple[ctranslate2.Translator, sentencepiece.SentencePieceProcessor]:
    translator = ctranslate2.Translator(
        str(package / "model"), device="cpu", intra_threads=intra_threads, inter_threads=inter_threads
    )
    return translator, sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))


def model_bytes(package: Path) -> int:
    return sum(f.stat().st_size for f in (package / "model").rglob("*") if f.is_file())
