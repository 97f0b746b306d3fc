"""Calibrate the length check on human translations: `python -m quality.checks_calibrate`.

Fits the spread of length ratios (checks.length.fit) on the development half
of NTREX-128 en→pt-BR (quality/data/ntrex, lines 1-988, the only lines
vendored) and writes it to checks/data/length.json, which the check reads.

Also writes checks/data/common_words.txt, the names check's list of common
words: every whole word the bundled Bergamot en→pt model's vocabulary holds in
lower case (its SentencePiece vocabulary, joint over English and Portuguese:
"council", "west", "may"; a rare name such as "sturridge" is not a single
lower-case piece). A capitalised source word on that list is a word English
capitalises (the West, the Council), not a name, unless it follows a name
("Theresa May").
"""

from __future__ import annotations

import json
import sys

from checks import length, names
from quality import ntrex
from translation.engines.bergamot import _models_root


def main() -> int:
    table = {"en-pt": {**length.fit(ntrex.pairs()), "data": ntrex.DESCRIPTION}}
    length.DATA.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    for b in table["en-pt"]["bands"]:
        print(
            f"source from {b['from']:>4} chars: {b['count']:>4} pairs,"
            f" log ratio mean {b['mean']:+.3f}, sd {b['sd']:.3f}"
        )
    print(f"written: {length.DATA}")
    tokenizer = next(_models_root().glob("enpt-*")) / "tokenizer.json"
    vocabulary = json.loads(tokenizer.read_text(encoding="utf-8"))["model"]["vocab"]
    common = sorted(
        {
            piece[1:]
            for piece, _ in vocabulary
            if piece.startswith("▁") and piece[1:].isalpha() and piece[1:].islower() and len(piece) > 2
        }
    )
    names.COMMON_WORDS.write_text("\n".join(common) + "\n", encoding="utf-8")
    print(f"written: {names.COMMON_WORDS} ({len(common)} words, from {tokenizer.parent.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
