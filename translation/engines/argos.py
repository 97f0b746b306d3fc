"""The `argos` engine: Argos Translate packages driven through CTranslate2 directly.

Argos's own `argostranslate.translate` sends one paragraph at a time to the
model; here every segment of an article for one language goes to the model in
a single `translate_batch` call, batched by tokens, which keeps all cores busy
on the whole article at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from translation.argos_packages import installed_models
from translation.engines.base import ModelInfo

NAME = "argos"


@dataclass(frozen=True)
class ArgosOptions:
    beam_size: int = 4
    compute_type: str = "auto"
    intra_threads: int = 1
    inter_threads: int = 1
    max_batch_tokens: int = 4096
    max_decoding_length: int = 2 * 256 + 8

    @classmethod
    def from_settings(cls, settings) -> "ArgosOptions":
        return cls(settings.beam_size, settings.compute_type, settings.intra_threads,
                   settings.inter_threads, settings.max_batch_tokens, settings.max_decoding_length)


@dataclass
class ArgosEngine:
    packages_dir: str | None
    options: ArgosOptions
    name: str = NAME

    def available(self) -> list[ModelInfo]:
        return [ModelInfo(NAME, m.package, m.version, m.from_code, m.to_code, str(m.path))
                for m in installed_models(self.packages_dir or None)]

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
            # degenerate model from looping, and the absolute cap bounds the
            # decoding cost of any one call (segments are split to fit the
            # model's input limit before they get here).
            max_decoding_length=min(self.options.max_decoding_length,
                                    max(16, 2 * max((len(t) for t in tokens), default=0) + 8)),
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
