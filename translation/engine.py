"""The translation engine: Argos packages driven through CTranslate2 directly.

Argos's own `argostranslate.translate` sends one paragraph at a time to the
model; here every segment of an article for one language goes to the model in
a single `translate_batch` call, batched by tokens, which keeps all cores busy
on the whole article at once. Each worker process builds one Engine after the
fork and keeps its loaded models for its lifetime.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import ctranslate2

from translation.cache import SegmentCache
from translation.argos_packages import InstalledModel, installed_models, routes


class UnsupportedPair(Exception):
    def __init__(self, source: str, target: str):
        super().__init__(f"no model or pivot route for {source}->{target}")
        self.source, self.target = source, target


@dataclass(frozen=True)
class EngineOptions:
    beam_size: int = 4
    compute_type: str = "auto"
    intra_threads: int = 1
    inter_threads: int = 1
    max_batch_tokens: int = 4096
    pivot_lang: str = "en"

    @classmethod
    def from_settings(cls, settings) -> "EngineOptions":
        return cls(settings.beam_size, settings.compute_type, settings.intra_threads,
                   settings.inter_threads, settings.max_batch_tokens, settings.pivot_lang)


@dataclass
class EngineStats:
    """What the engine did, so callers (and tests) can see cache effectiveness."""

    model_calls: int = 0
    segments_translated: int = 0
    cache_hits: int = 0

    def add(self, other: "EngineStats") -> None:
        self.model_calls += other.model_calls
        self.segments_translated += other.segments_translated
        self.cache_hits += other.cache_hits


class LoadedModel:
    """One Argos package with its CTranslate2 translator and tokenizer."""

    def __init__(self, info: InstalledModel, options: EngineOptions):
        from argostranslate.package import Package  # reads ARGOS_PACKAGES_DIR at import

        self.info = info
        self.options = options
        package = Package(info.path)
        self.tokenizer = package.tokenizer
        self.target_prefix = package.target_prefix or ""
        self.translator = ctranslate2.Translator(
            str(info.path / "model"),
            device="cpu",
            compute_type=options.compute_type,
            intra_threads=options.intra_threads,
            inter_threads=options.inter_threads,
        )

    @property
    def cache_key(self) -> str:
        o = self.options
        return f"{self.info.package}@{self.info.version}|beam={o.beam_size}|{o.compute_type}"

    def translate(self, texts: list[str]) -> list[str]:
        """All texts in one token-batched translate_batch call."""
        tokens = [self.tokenizer.encode(t) for t in texts]
        prefix = [[self.target_prefix] for _ in texts] if self.target_prefix else None
        results = self.translator.translate_batch(
            tokens,
            target_prefix=prefix,
            beam_size=self.options.beam_size,
            max_batch_size=self.options.max_batch_tokens,
            batch_type="tokens",
            replace_unknowns=True,
            max_input_length=0,  # the default (1024) silently truncates long segments
            # A translation rarely runs past twice its source; the bound stops a
            # degenerate model from looping to CTranslate2's default of 256.
            max_decoding_length=max(16, 2 * max((len(t) for t in tokens), default=0) + 8),
        )
        outputs = []
        for result in results:
            pieces = result.hypotheses[0]
            if self.target_prefix and pieces[:1] == [self.target_prefix]:
                pieces = pieces[1:]
            outputs.append(self._decode(pieces))
        return outputs

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


@dataclass
class Engine:
    models: list[InstalledModel]
    options: EngineOptions
    cache: SegmentCache | None = None
    _loaded: dict[str, LoadedModel] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_packages_dir(cls, packages_dir: str | None, options: EngineOptions, cache=None) -> "Engine":
        return cls(installed_models(packages_dir or None), options, cache)

    def load_all(self) -> None:
        for model in self.models:
            self._model(model)

    def _model(self, info: InstalledModel) -> LoadedModel:
        with self._lock:
            if info.package not in self._loaded:
                self._loaded[info.package] = LoadedModel(info, self.options)
            return self._loaded[info.package]

    def route(self, source: str, target: str) -> list[InstalledModel]:
        route = routes(self.models, self.options.pivot_lang).get((source, target))
        if route is None:
            raise UnsupportedPair(source, target)
        return route

    def describe_route(self, source: str, target: str) -> list[dict]:
        return [m.to_dict() for m in self.route(source, target)]

    def translate(self, texts: list[str], source: str, target: str) -> tuple[list[str], EngineStats]:
        """Translate texts, pivoting where needed; cached segments skip the model."""
        stats = EngineStats()
        for hop in self.route(source, target):
            texts = self._translate_hop(self._model(hop), texts, stats)
        return texts, stats

    def _translate_hop(self, model: LoadedModel, texts: list[str], stats: EngineStats) -> list[str]:
        cached = self.cache.get_many(model.cache_key, texts) if self.cache else [None] * len(texts)
        # Identical segments within one article go to the model once.
        missing = list(dict.fromkeys(t for t, c in zip(texts, cached) if c is None))
        stats.cache_hits += sum(c is not None for c in cached)
        fresh: dict[str, str] = {}
        if missing:
            fresh = dict(zip(missing, model.translate(missing)))
            stats.model_calls += 1
            stats.segments_translated += len(missing)
            if self.cache:
                self.cache.put_many(model.cache_key, fresh)
        return [c if c is not None else fresh[t] for t, c in zip(texts, cached)]
