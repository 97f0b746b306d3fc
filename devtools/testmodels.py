"""Deterministic Argos Translate test models, built in seconds without training.

``build_package`` writes a genuine ``.argosmodel`` package (a zip of a directory
holding ``metadata.json``, ``sentencepiece.model`` and a CTranslate2 ``model/``)
whose Transformer weights are set by hand with numpy:

* ``identity``: the output pieces equal the input pieces;
* ``cipher``: the output is the input with ASCII letters rotated by 13 (ROT13).

Construction.  The residual stream (width ``d_model``) is split into a
*position subspace* (the first ``POSITION_DIMS`` coordinates) and a *token
subspace* (the rest).  A token embedding is a balanced +-1 code in the token
subspace (zero mean, so LayerNorm only rescales it).  The learned position
table ``position_encodings.encodings`` holds sinusoid groups
``[cos, sin, -cos, -sin]`` in the position subspace (again zero mean and of
constant norm), so every LayerNorm in the model multiplies by one and the same
constant.

Every sublayer has a zero output projection, so only the residual passes, except
the cross-attention of the first decoder layer, which does all the work: its
queries and keys read the position subspace with a large gain, so at decoding
step t the decoder attends source position t; its values read the token subspace
and its output projection writes the source token back with gain ``COPY_GAIN``,
enough to outweigh the decoder's own input (the previously emitted token).  The
decoder output projection is the embedding table (for the cipher, row v holds
the embedding of the token that rotates to v).  ``add_source_eos`` makes the
step after the last source token attend ``</s>`` and emit it.

The SentencePiece model is character level, so ROT13 is a permutation of the
vocabulary; characters outside it become ``<unk>``, which CTranslate2's
``replace_unknowns`` turns back into the source piece.

``size="base"`` has the shape of a real Argos model (transformer-base, 32k
vocabulary, int8) and so its compute cost per token; being character level, it
needs about one token per character, several times more than a real model.
``size="tiny"`` is small and fast.

Translating: pass ``replace_unknowns=True``, and for inputs longer than
CTranslate2's defaults ``max_input_length=0`` (or more than the piece count) and
``max_decoding_length`` of at least the piece count + 1.  The position table ends
at 5000 positions, like OpenNMT-py models.  Decode output pieces with the
package's SentencePiece model (``decode``/``decode_pieces``).

CLI::

    python -m devtools.testmodels --kind identity --from en --to de --out DIR
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import string
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.converters import Converter
from ctranslate2.specs import transformer_spec

KINDS = ("identity", "cipher")

POSITION_GROUPS = 8
POSITION_DIMS = 4 * POSITION_GROUPS

# How much more the decoder trusts the copied source token than its own input.
# Any value above 1 decodes correctly (see _check_token_codes); 3 leaves room for
# int8 rounding.
COPY_GAIN = 3.0

# Logit gap, in nats, between the aligned source position and any other one.
ATTENTION_SHARPNESS = 40.0

SPECIAL_PIECES = ("<unk>", "<s>", "</s>")
SPACE_PIECE = "\u2581"

# Fixed so that every build of a package yields the same bytes of weights.
SEED = 20230614


@dataclass(frozen=True)
class ModelSize:
    d_model: int
    num_heads: int
    ffn_dim: int
    num_layers: int
    # None: exactly the SentencePiece pieces; otherwise padded with dummy tokens.
    vocab_size: int | None
    # As OpenNMT-py, whose converted models (Argos ones among them) stop at 5000.
    max_positions: int = 5000
    quantization: str = "int8"


SIZES = {
    "tiny": ModelSize(d_model=128, num_heads=2, ffn_dim=256, num_layers=1, vocab_size=None),
    "base": ModelSize(d_model=512, num_heads=8, ffn_dim=2048, num_layers=6, vocab_size=32000),
}

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
}

_ROT13_TABLE = str.maketrans(
    string.ascii_lowercase + string.ascii_uppercase,
    string.ascii_lowercase[13:]
    + string.ascii_lowercase[:13]
    + string.ascii_uppercase[13:]
    + string.ascii_uppercase[:13],
)


def rot13(text: str) -> str:
    """ROT13 of ASCII letters; every other character is unchanged."""
    return text.translate(_ROT13_TABLE)


def covered_characters() -> list[str]:
    """Characters that get their own vocabulary piece (the space becomes ``▁``)."""
    code_points = [
        *range(0x21, 0x7F),  # ASCII printable, without the space
        *range(0xA0, 0x100),  # Latin-1 supplement: NBSP, symbols, accented letters
        *range(0x100, 0x180),  # Latin Extended-A
        *range(0x2010, 0x205F),  # general punctuation: dashes, curly quotes, ellipsis
        0x20AC,  # euro sign
        *range(0x400, 0x500),  # Cyrillic
    ]
    return [chr(c) for c in code_points]


@functools.cache
def char_sentencepiece_model() -> bytes:
    """Serialized character-level SentencePiece model over ``covered_characters``."""
    chars = covered_characters()
    # Short lines: the trainer skips sentences longer than max_sentence_length.
    corpus = [" ".join(chars[i : i + 16]) for i in range(0, len(chars), 16)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=model,
        model_type="char",
        character_coverage=1.0,
        vocab_size=len(chars) + 1 + len(SPECIAL_PIECES),  # + "▁"
        # Keep text as it is (the default NFKC would turn "…" into "..."), so
        # that decoding the identity model's output gives back the input text.
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        minloglevel=2,
    )
    pieces = _pieces(model.getvalue())
    missing = set(chars + [SPACE_PIECE]) - set(pieces)
    if missing or tuple(pieces[:3]) != SPECIAL_PIECES:
        raise RuntimeError(f"character vocabulary is incomplete: {sorted(missing)}")
    return model.getvalue()


def _pieces(sentencepiece_model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=sentencepiece_model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _position_frequencies(max_positions: int) -> np.ndarray:
    # Geometric, from fast (resolves neighbours) to a period of twice the table
    # (no two positions of the table look alike).
    return np.geomspace(2.5, np.pi / max_positions, POSITION_GROUPS)


def position_table(max_positions: int, d_model: int) -> np.ndarray:
    angles = np.outer(np.arange(max_positions), _position_frequencies(max_positions))
    table = np.zeros((max_positions, d_model), dtype=np.float32)
    groups = np.stack([np.cos(angles), np.sin(angles), -np.cos(angles), -np.sin(angles)], axis=2)
    table[:, :POSITION_DIMS] = groups.reshape(max_positions, POSITION_DIMS)
    return table


def _min_position_gap(max_positions: int) -> float:
    """Smallest drop of pos_t . pos_s from s == t to any other s in the table."""
    distances = np.arange(1, max_positions)
    angles = np.outer(distances, _position_frequencies(max_positions))
    # Each [cos, sin, -cos, -sin] group contributes 2 cos(w (t - s)).
    similarity = 2 * np.cos(angles).sum(axis=1)
    return float(2 * POSITION_GROUPS - similarity.max())


def token_codes(count: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct balanced +-1 codes of length ``width``."""
    balanced = np.where(np.arange(width) < width // 2, 1.0, -1.0).astype(np.float32)
    codes = rng.permuted(np.tile(balanced, (count, 1)), axis=1)
    _check_token_codes(codes)
    return codes


def _check_token_codes(codes: np.ndarray) -> None:
    # The decoder state holds COPY_GAIN * code[target] + code[previous]; the
    # previous code can move a logit gap by at most 2 * hamming(target, other)
    # while COPY_GAIN * code[target] opens it by COPY_GAIN * 2 * hamming, so any
    # two distinct codes decode correctly.  Require a wide distance anyway so
    # int8 rounding cannot matter.
    width = codes.shape[1]
    agreement = codes @ codes.T
    np.fill_diagonal(agreement, -width)
    min_hamming = (width - agreement.max()) / 2
    if min_hamming < width / 8:
        raise RuntimeError(f"token codes too close: min hamming {min_hamming} of {width}")


def _layer_norm_gain(d_model: int) -> float:
    """The constant factor every LayerNorm applies (token code + position)."""
    mean_square = (d_model - POSITION_DIMS + 2 * POSITION_GROUPS) / d_model
    return 1 / np.sqrt(mean_square)


def ctranslate2_vocabulary(pieces: list[str], size: ModelSize) -> list[str]:
    if size.vocab_size is None:
        return list(pieces)
    dummies = [f"<test_dummy_{i}>" for i in range(size.vocab_size - len(pieces))]
    return list(pieces) + dummies


def target_source_index(kind: str, pieces: list[str]) -> np.ndarray:
    """For each target piece id v, the source piece id whose copy must produce v."""
    if kind == "identity":
        return np.arange(len(pieces))
    if kind != "cipher":
        raise ValueError(f"unknown kind {kind!r}, expected one of {KINDS}")
    index = {piece: i for i, piece in enumerate(pieces)}
    # Special pieces are not text: "<unk>" must stay "<unk>", not "<hax>".
    # ROT13 is its own inverse, so the piece that rotates to p is rot13(p).
    return np.array([i if p in SPECIAL_PIECES else index[rot13(p)] for i, p in enumerate(pieces)])


def build_spec(kind: str, sentencepiece_model: bytes, size: ModelSize) -> transformer_spec.TransformerSpec:
    """A CTranslate2 TransformerSpec computing ``kind`` on the given vocabulary."""
    rng = np.random.default_rng(SEED)
    d = size.d_model
    head_dim = d // size.num_heads
    if POSITION_DIMS > head_dim:
        raise ValueError("every head must see the whole position subspace")
    pieces = _pieces(sentencepiece_model)
    vocabulary = ctranslate2_vocabulary(pieces, size)
    token_width = d - POSITION_DIMS

    spec = transformer_spec.TransformerSpec.from_config(
        (size.num_layers, size.num_layers),
        size.num_heads,
        # replace_unknowns reads the alignment from the cross-attention that works.
        alignment_layer=0,
    )
    spec.config.add_source_eos = True
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False

    # Dummy tokens keep all-zero rows: their logit stays 0, below any real token.
    embeddings = np.zeros((len(vocabulary), d), dtype=np.float32)
    embeddings[: len(pieces), POSITION_DIMS:] = token_codes(len(pieces), token_width, rng)
    projection = np.zeros_like(embeddings)
    projection[: len(pieces)] = embeddings[target_source_index(kind, pieces)]
    positions = position_table(size.max_positions, d)

    spec.encoder.embeddings[0].weight = embeddings
    spec.encoder.position_encodings.encodings = positions
    _set_layer_norm(spec.encoder.layer_norm, d)
    for layer in spec.encoder.layer:
        _silence_attention(layer.self_attention, d, rng)
        _silence_ffn(layer.ffn, d, size.ffn_dim, rng)

    spec.decoder.embeddings.weight = embeddings
    spec.decoder.position_encodings.encodings = positions
    _set_layer_norm(spec.decoder.layer_norm, d)
    _set_linear(spec.decoder.projection, projection)
    for i, layer in enumerate(spec.decoder.layer):
        _silence_attention(layer.self_attention, d, rng)
        if i == 0:
            _set_copy_attention(layer.attention, size, head_dim)
        else:
            _silence_attention(layer.attention, d, rng)
        _silence_ffn(layer.ffn, d, size.ffn_dim, rng)

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def _set_copy_attention(attention, size: ModelSize, head_dim: int) -> None:
    """Cross-attention that copies the source token at the decoder's own position."""
    d = size.d_model
    layer_norm_gain = _layer_norm_gain(d)
    # Both queries and keys went through a LayerNorm and CTranslate2 divides the
    # scores by sqrt(head_dim); the gain undoes both and sets the sharpness.
    score_gain = ATTENTION_SHARPNESS * np.sqrt(head_dim) / (layer_norm_gain**2 * _min_position_gap(size.max_positions))
    position_reader = np.zeros((d, d), dtype=np.float32)
    for head in range(size.num_heads):
        for i in range(POSITION_DIMS):
            position_reader[head * head_dim + i, i] = np.sqrt(score_gain)

    token_width = d - POSITION_DIMS
    token_reader = np.zeros((d, d), dtype=np.float32)
    token_reader[np.arange(token_width), POSITION_DIMS + np.arange(token_width)] = 1.0
    token_writer = np.zeros((d, d), dtype=np.float32)
    token_writer[POSITION_DIMS + np.arange(token_width), np.arange(token_width)] = COPY_GAIN / layer_norm_gain

    _set_layer_norm(attention.layer_norm, d)
    _set_linear(attention.linear[0], position_reader)  # queries
    _set_linear(attention.linear[1], np.concatenate([position_reader, token_reader]))  # keys, values
    _set_linear(attention.linear[2], token_writer)


def _silence_attention(attention, d: int, rng: np.random.Generator) -> None:
    # A zero output projection makes the sublayer a no-op.  Its other weights are
    # random, not zero, so that the model file weighs like a trained one
    # (identical zero matrices would be stored only once).
    _set_layer_norm(attention.layer_norm, d)
    if len(attention.linear) == 2:  # self-attention: fused queries, keys, values
        input_outputs = [3 * d]
    else:  # cross-attention: queries, then fused keys and values
        input_outputs = [d, 2 * d]
    for linear, outputs in zip(attention.linear, input_outputs):
        _set_linear(linear, _random_weight(rng, outputs, d))
    _set_linear(attention.linear[-1], np.zeros((d, d), dtype=np.float32))


def _silence_ffn(ffn, d: int, ffn_dim: int, rng: np.random.Generator) -> None:
    _set_layer_norm(ffn.layer_norm, d)
    _set_linear(ffn.linear_0, _random_weight(rng, ffn_dim, d))
    _set_linear(ffn.linear_1, np.zeros((d, ffn_dim), dtype=np.float32))


def _random_weight(rng: np.random.Generator, outputs: int, inputs: int) -> np.ndarray:
    return rng.standard_normal((outputs, inputs), dtype=np.float32) / np.sqrt(inputs)


def _set_linear(linear, weight: np.ndarray) -> None:
    linear.weight = weight
    linear.bias = np.zeros(weight.shape[0], dtype=np.float32)


def _set_layer_norm(layer_norm, d: int) -> None:
    layer_norm.gamma = np.ones(d, dtype=np.float32)
    layer_norm.beta = np.zeros(d, dtype=np.float32)


class _SpecConverter(Converter):
    """Hands an already built spec to CTranslate2's validate/quantize/save path."""

    def __init__(self, spec):
        self._spec = spec

    def _load(self):
        return self._spec


def package_name(kind: str, from_code: str, to_code: str, size: str = "tiny", vocabulary: str = "char") -> str:
    size_part = "" if size == "tiny" else f"-{size}"
    vocabulary_part = "" if vocabulary == "char" else f"-{vocabulary}"
    return f"test-{kind}{size_part}{vocabulary_part}-{from_code}_{to_code}"


def package_metadata(kind: str, from_code: str, to_code: str, size: str) -> dict:
    behaviour = {
        "identity": "returns its input unchanged",
        "cipher": "returns its input with ASCII letters rotated by 13 (ROT13)",
    }[kind]
    return {
        "package_version": "1.0",
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        "description": (
            f"Deterministic test model ({kind}, {size}), not a real translation: "
            f"it {behaviour}. Built by devtools.testmodels."
        ),
    }


def build_package(
    kind: str, from_code: str, to_code: str, out_dir, size: str = "tiny", subword_model: tuple[str, bytes] | None = None
) -> Path:
    """Write ``out_dir/<package name>.argosmodel`` and return its path.

    ``subword_model``: (name, serialized SentencePiece model) to use instead of
    the character vocabulary, for an identity model tokenized like a real one
    (the cipher needs the character vocabulary)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}, expected one of {KINDS}")
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}, expected one of {tuple(SIZES)}")
    if subword_model and kind != "identity":
        raise ValueError("a subword vocabulary only suits the identity model")
    vocabulary, sentencepiece_model = subword_model or ("char", char_sentencepiece_model())
    name = package_name(kind, from_code, to_code, size, vocabulary)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    metadata = package_metadata(kind, from_code, to_code, size)

    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        root = Path(scratch) / name
        root.mkdir()
        (root / "sentencepiece.model").write_bytes(sentencepiece_model)
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        (root / "README.md").write_text(f"# {name}\n\n{metadata['description']}\n", encoding="utf-8")
        spec = build_spec(kind, sentencepiece_model, SIZES[size])
        _SpecConverter(spec).convert(str(root / "model"), quantization=SIZES[size].quantization)

        # Written beside the target and renamed, so a reader never sees half a zip.
        partial = Path(scratch) / f"{name}.argosmodel"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for path in sorted(root.rglob("*")):
                archive.write(path, path.relative_to(root.parent).as_posix())
        target = out_dir / f"{name}.argosmodel"
        os.replace(partial, target)
    return target


def build_test_models(out_dir, kind: str = "identity", pairs=(("en", "de"),), size: str = "tiny") -> list[Path]:
    """Build one package of ``kind`` per (from_code, to_code) pair."""
    return [build_package(kind, from_code, to_code, out_dir, size) for from_code, to_code in pairs]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Build a deterministic Argos Translate test model package.")
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--from", dest="from_code", required=True)
    parser.add_argument("--to", dest="to_code", required=True)
    parser.add_argument("--size", choices=tuple(SIZES), default="tiny")
    parser.add_argument("--out", required=True, help="directory to write the .argosmodel into")
    args = parser.parse_args(argv)
    print(build_package(args.kind, args.from_code, args.to_code, args.out, args.size))


if __name__ == "__main__":
    main()
