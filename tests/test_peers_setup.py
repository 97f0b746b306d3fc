"""make bench-peers' LibreTranslate runs offline: the MiniSBD stand-in it
installs splits sentences without a model download, and the setup pins
every requirement and installs LibreTranslate without its dependencies."""

from __future__ import annotations

import re

from benchmarks.peers import minisbd
from tests.helpers import ROOT

PEERS = ROOT / "benchmarks" / "peers"


def test_the_minisbd_stand_in_splits_sentences_offline():
    minisbd.download_models(["en"], print)  # nothing to download, nothing raised
    assert minisbd.models.list_models() == ["en"] and hasattr(minisbd.models, "cache_dir")
    detector = minisbd.SBDetect("de")
    assert detector.sentences("The talks ended on Jan. 5 in Vilnius. Both sides agreed. ") == [
        "The talks ended on Jan. 5 in Vilnius.",
        "Both sides agreed.",
    ]


def test_libretranslate_is_installed_without_its_dependencies_and_everything_else_is_pinned():
    lines = [
        line.split("#")[0].strip() for line in (PEERS / "libretranslate-requirements.txt").read_text().splitlines()
    ]
    requirements = [line for line in lines if line]
    assert requirements and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", r) for r in requirements)
    assert not any(r.lower().startswith(("torch", "minisbd", "stanza", "onnxruntime")) for r in requirements)
    script = (PEERS / "setup.sh").read_text()
    assert "--no-deps libretranslate==1.9.6 argos-translate-lt==1.12.1" in script
