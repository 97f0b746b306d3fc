"""Stand-in for MiniSBD (installed as `minisbd` in LibreTranslate's bench
virtualenv only): pysbd's rule-based splitter, offline.

MiniSBD downloads an ONNX sentence model on first use (and at LibreTranslate's
boot); the bench runs without the network. LibreTranslate imports
`download_models`, Argos's fork imports `SBDetect` and `models`
(`cache_dir`, `list_models()`), nothing else.
"""

from __future__ import annotations

import pysbd


class _Models:
    cache_dir = ""

    @staticmethod
    def list_models() -> list[str]:
        return ["en"]


models = _Models()


def download_models(*args, **kwargs) -> None:
    """Nothing to download."""


class SBDetect:
    def __init__(self, lang: str = "en", use_gpu: bool = False):
        self.segmenter = pysbd.Segmenter(language="en", clean=False)

    def sentences(self, text: str) -> list[str]:
        return [s.strip() for s in self.segmenter.segment(text) if s.strip()]
