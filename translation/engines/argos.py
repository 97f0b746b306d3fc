"""The `argos` engine: Argos Translate packages driven through CTranslate2 directly.

Argos's own `argostranslate.translate` sends one paragraph at a time to the
model; here the segments of an article for one language are sorted by length
and go to the model in a few large batches of near-equal size, decoded by
TRANSLATE_INTER_THREADS replicas of the model in parallel (they share its
weights), while the budget (TRANSLATE_MAX_BATCH_TOKENS, hypothesis tokens in
flight across the replicas) bounds the worker's memory: see docs/performance.md, "Memory".
"""

from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from config import Settings
from translation.argos_packages import installed_models
from translation.engines.base import ModelInfo

NAME = "argos"
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ArgosOptions:
    # The defaults are the settings' (config.py), declared there once.
    beam_size: int = Settings.beam_size
    compute_type: str = Settings.compute_type
    intra_threads: int = Settings.intra_threads
    inter_threads: int = Settings.inter_threads
    max_batch_tokens: int = Settings.max_batch_tokens
    max_decoding_length: int = Settings.max_decoding_length

    @classmethod
    def from_settings(cls, settings) -> "ArgosOptions":
        return cls(
            settings.beam_size,
            settings.compute_type,
            settings.intra_threads,
            settings.inter_threads,
            settings.max_batch_tokens,
            settings.max_decoding_length,
        )


@dataclass
class ArgosEngine:
    packages_dir: str | None
    options: ArgosOptions
    name: str = NAME

    def available(self) -> list[ModelInfo]:
        return [
            ModelInfo(NAME, m.package, m.version, m.from_code, m.to_code, str(m.path))
            for m in installed_models(self.packages_dir or None)
        ]

    def load(self, info: ModelInfo) -> "ArgosModel":
        return ArgosModel(info, self.options)


class ArgosModel:
    """One Argos package with its CTranslate2 translator and tokenizer."""

    def __init__(self, info: ModelInfo, options: ArgosOptions):
        import ctranslate2
        from argostranslate.package import Package  # reads ARGOS_PACKAGES_DIR at import

        self.info = info
        self.options = options
        package = Package(Path(info.location))
        self.tokenizer = package.tokenizer
        self.target_prefix = package.target_prefix or ""
        self.translator = ctranslate2.Translator(
            str(Path(info.location) / "model"),
            device="cpu",
            compute_type=options.compute_type,
            intra_threads=options.intra_threads,
            inter_threads=options.inter_threads,
        )

    @property
    def cache_key(self) -> str:
        o = self.options
        return f"{NAME}:{self.info.name}@{self.info.version}|beam={o.beam_size}|{o.compute_type}"

    def describe(self) -> dict:
        return self.info.describe()

    def translate(self, texts: list[str]) -> list[str]:
        """Length-sorted batches, each of at most max_batch_tokens hypothesis
        tokens in flight (source tokens x beam size)."""
        tokens = [self.tokenizer.encode(t) for t in texts]
        outputs = [""] * len(texts)
        # Beam search keeps, for each of the beam_size hypotheses of a source
        # token, every decoder layer's attention keys and values (about 48 KB a
        # hypothesis token on a transformer-base model: docs/performance.md, "Memory").
        # Counting source tokens x beam bounds a batch's memory whatever the beam;
        # with inter_threads replicas, that many batches run at once.
        o = self.options
        replicas = max(1, o.inter_threads)
        budget = max(1, o.max_batch_tokens // (o.beam_size * replicas))
        batches = length_sorted_batches([len(t) for t in tokens], budget, replicas)
        decoded = on_free_replicas(batches, lambda batch: self._decode_batch([tokens[i] for i in batch]), replicas)
        for batch, texts in zip(batches, decoded):
            for i, text in zip(batch, texts):
                outputs[i] = text
        return outputs

    def _decode_batch(self, tokens: list[list[str]]) -> list[str]:
        texts = []
        for result in self._translate_batch(tokens):
            pieces = result.result().hypotheses[0]
            if self.target_prefix and pieces[:1] == [self.target_prefix]:
                pieces = pieces[1:]
            texts.append(self._decode(pieces))
        return texts

    def _translate_batch(self, tokens: list[list[str]]):
        prefix = [[self.target_prefix] for _ in tokens] if self.target_prefix else None
        return self.translator.translate_batch(
            tokens,
            target_prefix=prefix,
            beam_size=self.options.beam_size,
            asynchronous=True,
            replace_unknowns=True,
            max_input_length=0,  # the default (1024) silently truncates long segments
            # A translation rarely runs past twice its source; the bound stops a
            # degenerate model from looping, and the absolute cap bounds the
            # decoding cost of any one call (segments are split to fit the
            # model's input limit before they get here).
            max_decoding_length=min(self.options.max_decoding_length, max(16, 2 * max(len(t) for t in tokens) + 8)),
        )

    def _decode(self, pieces: list[str]) -> str:
        processor = getattr(self.tokenizer, "lazy_processor", None)
        if processor is None:  # BPE packages: argostranslate's detokenizer
            return self.tokenizer.decode(pieces)
        sp = processor()
        # replace_unknowns can emit a source piece the target vocabulary lacks;
        # SentencePiece would decode it as "⁇", so those are joined verbatim.
        if all(sp.piece_to_id(p) != sp.unk_id() for p in pieces):
            return sp.decode_pieces(pieces)
        return "".join(pieces).replace("\u2581", " ").strip()


def on_free_replicas(batches: list[T], decode: Callable[[T], R], replicas: int) -> list[R]:
    """decode(batch) for every batch, results in batch order, with at most
    `replicas` batches of this call decoding at any time, each next batch
    taken by whichever finishes first.

    One batch per replica bounds the call's memory (a replica's batch is done
    before it takes the next), and a call from another thread (a short request
    on the same model, WORKER_SERVES_INTERACTIVE) queues behind the batches
    decoding now, not behind the rest of an article. Waiting for the oldest
    batch instead left a replica idle whenever a younger one finished first
    (docs/performance.md, "Replicas that wait for each other")."""
    if replicas <= 1 or len(batches) <= 1:
        return [decode(batch) for batch in batches]
    # CTranslate2 releases the GIL while it decodes, so one thread per replica
    # keeps each replica fed; the threads live for one call.
    pool = ThreadPoolExecutor(max_workers=min(replicas, len(batches)), thread_name_prefix="argos-replica")
    try:
        futures = [pool.submit(decode, batch) for batch in batches]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:  # a failing batch ends the call at once, not after the batches before it
            error = future.exception()
            if error is not None:
                raise error
        return [future.result() for future in futures]
    finally:
        # On an error (a soft time limit raised into this thread), batches not
        # started are dropped; those decoding now finish in the background.
        pool.shutdown(wait=False, cancel_futures=True)


def length_sorted_batches(lengths: list[int], budget: int, replicas: int = 1) -> list[list[int]]:
    """Indices, longest first, cut into the fewest batches whose padded size
    (count x longest) fits the budget, rounded up to a multiple of `replicas`,
    as near-equal in tokens as they can be.

    CTranslate2's own token batching fills each batch to the budget and leaves
    a remainder that decodes with few hypotheses per step; equal batches keep
    every step about as wide as the budget allows, and a multiple of the
    replicas keeps each replica busy until the last batch (5 batches on 2
    replicas would leave one idle for a fifth of the article)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    # Filling each batch in turn gives the fewest batches (the order is sorted,
    # so a batch's padded size is its count times its first length) ...
    filled: list[list[int]] = []
    for i in order:
        if filled and (len(filled[-1]) + 1) * lengths[filled[-1][0]] <= budget:
            filled[-1].append(i)
        else:
            filled.append([i])  # a segment longer than the budget is a batch of its own
    count = min(len(order), -(-len(filled) // max(1, replicas)) * max(1, replicas))
    if count < 2:
        return filled
    # ... then that many batches, each taking the segments whose middle token
    # falls in its equal share of all tokens, where those fit the budget.
    total = sum(lengths) or 1
    spread: list[list[int]] = [[] for _ in range(count)]
    done = 0
    for i in order:
        spread[min(count - 1, int((done + lengths[i] / 2) * count / total))].append(i)
        done += lengths[i]
    if all(batch and (len(batch) == 1 or len(batch) * lengths[batch[0]] <= budget) for batch in spread):
        return spread
    return filled
