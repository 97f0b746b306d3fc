"""The hand-built test models are genuine Argos packages and exact.

Packages are installed with argostranslate's own ``install_from_path`` into a
temporary package directory, then loaded the way Argos loads them (tokenizer
from the package root, ``ctranslate2.Translator`` on ``model/``).
"""

import codecs
import json
import time
import zipfile
from pathlib import Path

import ctranslate2
import pytest

from devtools import testmodels
from tests.helpers import DATA
from translation.argos_packages import install_files
from translation.engines.argos import ArgosModel, ArgosOptions, length_sorted_batches
from translation.engines.base import ModelInfo

ARTICLE = DATA / "article.txt"

EXTRA_TEXTS = [
    "Price: 1,234.56 € (was £99) — 100% off #1 @home ~50 ^2 |x| \\ [a] {b} <c> _d_ `e` ;:!?",
    "“Curly double” and ‘curly single’ quotes, en–dash, em—dash, ellipsis… ‹guillemets› «too»",
    "Москва — столица России; Київ, Україна. ЁЖИК ёжик",
    "Ça ira: naïve façade, Łódź, Šibenik, Øresund, straße, Ærø, Ğ, ő, ŉ",
    " leading space,  double  spaces, trailing space ",
    "0123456789 9876543210 3.14159 2,718 1/2 ½ 10°C",
    "a",
    "Z",
]

# Characters outside the vocabulary: they must come back through replace_unknowns.
UNKNOWN_TEXT = "Emoji 😀😀 and 中文 and a\ttab stay as they are"


def article_texts():
    lines = [line for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = [s.strip() for line in lines for s in line.replace("? ", ". ").split(". ") if s.strip()]
    # As long as a long HTML paragraph: 999 characters, 1000 pieces.
    long_paragraph = " ".join(lines)[:999]
    long_mixed = (" ".join(EXTRA_TEXTS) * 3)[:900]
    return lines + sentences + EXTRA_TEXTS + [long_paragraph, long_mixed, UNKNOWN_TEXT]


@pytest.fixture(scope="module")
def built_packages(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("argosmodels")
    return {kind: testmodels.build_package(kind, "en", "de", out_dir) for kind in testmodels.KINDS}


@pytest.fixture(scope="module")
def installed(built_packages, tmp_path_factory):
    """Installed argostranslate Packages by kind, in a temporary package dir."""
    from argostranslate import package, settings

    packages_dir = tmp_path_factory.mktemp("argos-packages")
    with pytest.MonkeyPatch.context() as monkeypatch:
        # settings reads ARGOS_PACKAGES_DIR once, at import; install_from_path and
        # get_installed_packages read these attributes at call time.
        monkeypatch.setattr(settings, "package_data_dir", packages_dir)
        monkeypatch.setattr(settings, "package_dirs", [packages_dir])
        # The project's installer: argostranslate's install_from_path, tolerating
        # the lean install (see translation/argos_packages.py).
        install_files(list(built_packages.values()))
        installed_packages = package.get_installed_packages()
    by_name = {pkg.package_path.name: pkg for pkg in installed_packages}
    return {kind: by_name[testmodels.package_name(kind, "en", "de")] for kind in testmodels.KINDS}


@pytest.fixture(scope="module")
def texts_and_pieces(installed):
    texts = article_texts()
    tokenizer = installed["identity"].tokenizer
    return texts, [tokenizer.encode(text) for text in texts]


# The batch budget of `translate` below. A longer text fills a batch of its
# own, so it adds nothing to the mixing of lengths, only decoding time.
BATCH_TOKENS = 512


def select(texts_and_pieces, keep):
    texts, pieces = texts_and_pieces
    chosen = [(t, p) for t, p in zip(texts, pieces) if keep(len(p))]
    return [t for t, _ in chosen], [p for _, p in chosen]


def expected_output(kind, text):
    return text if kind == "identity" else codecs.encode(text, "rot13")


def translate(pkg, pieces, beam_size=4, compute_type="default", intra_threads=1, **options):
    translator = ctranslate2.Translator(
        str(pkg.package_path / "model"), compute_type=compute_type, intra_threads=intra_threads
    )
    options = {
        "beam_size": beam_size,
        # Small enough to split the inputs into several padded batches.
        "max_batch_size": BATCH_TOKENS,
        "batch_type": "tokens",
        "replace_unknowns": True,
        # The defaults (1024 and 256) would cut long inputs short.
        "max_input_length": 0,
        "max_decoding_length": max(map(len, pieces)) + 1,
        **options,
    }
    results = translator.translate_batch(pieces, **options)
    return [result.hypotheses[0] for result in results]


def test_package_is_a_zipped_argos_directory(built_packages):
    path = built_packages["identity"]
    assert path.name == "test-identity-en_de.argosmodel"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        metadata = json.loads(archive.read("test-identity-en_de/metadata.json"))
        config = json.loads(archive.read("test-identity-en_de/model/config.json"))
    assert {name.split("/")[0] for name in names} == {"test-identity-en_de"}
    for member in ("sentencepiece.model", "model/model.bin", "model/shared_vocabulary.json"):
        assert f"test-identity-en_de/{member}" in names
    assert metadata["package_version"] == "1.0"
    assert metadata["argos_version"] == "1.0"
    assert metadata["type"] == "translate"
    assert "deterministic test model" in metadata["description"].lower()
    assert config["add_source_eos"] is True


def test_install_from_path_installs_both_kinds_with_their_metadata(installed):
    for kind, pkg in installed.items():
        assert pkg.package_path.name == f"test-{kind}-en_de"
        assert (pkg.from_code, pkg.to_code) == ("en", "de")
        assert (pkg.from_name, pkg.to_name) == ("English", "German")
        assert pkg.type == "translate"
        assert kind in pkg.get_description()
        assert (pkg.package_path / "model" / "model.bin").is_file()
        assert pkg.tokenizer.encode("Hi there") == ["▁", "H", "i", "▁", "t", "h", "e", "r", "e"]


def test_vocabulary_has_a_single_piece_for_every_covered_character(installed):
    processor = installed["identity"].tokenizer.lazy_processor()
    for char in testmodels.covered_characters():
        assert processor.encode(char, out_type=str) == ["▁", char]
    assert processor.piece_to_id("▁") != processor.unk_id()


def test_sample_texts_exercise_what_they_claim(texts_and_pieces):
    texts, pieces = texts_and_pieces
    lengths = sorted(map(len, pieces))
    assert lengths[0] <= 2 and lengths[-1] >= 1000
    assert any(text != codecs.encode(text, "rot13") for text in texts)


# Every beam size, compute type and thread count appears at least once. The
# first row is what the workers run (beam 4, int8 on CPU); the second, a few
# seconds more, only in the full suite. The models are saved as int8, so
# "default" would be int8 again: float32 is named.
DECODING_SETTINGS = [
    (4, "int8", 1),
    pytest.param(1, "float32", 2, marks=pytest.mark.slow),
]


# The exactness checks below run on the cipher model in `make test-fast` (its
# output differs from its input on every Latin letter: the stricter check) and
# on both models in the full suite.
EXACTNESS_KINDS = [pytest.param("identity", marks=pytest.mark.slow), "cipher"]


def assert_exact(pkg, kind, texts, pieces, outputs):
    for text, source, output in zip(texts, pieces, outputs, strict=True):
        assert output == [expected_output(kind, piece) for piece in source]
        assert pkg.tokenizer.lazy_processor().decode(output) == expected_output(kind, text)


@pytest.mark.parametrize("kind", EXACTNESS_KINDS)
@pytest.mark.parametrize("beam_size, compute_type, intra_threads", DECODING_SETTINGS)
def test_output_is_exact_in_mixed_length_batches(
    installed, texts_and_pieces, kind, beam_size, compute_type, intra_threads
):
    texts, pieces = select(texts_and_pieces, lambda length: length <= BATCH_TOKENS)
    assert len(set(map(len, pieces))) > 20  # from 2 pieces to several hundred
    outputs = translate(installed[kind], pieces, beam_size, compute_type, intra_threads)
    assert_exact(installed[kind], kind, texts, pieces, outputs)


@pytest.mark.parametrize("kind", EXACTNESS_KINDS)
@pytest.mark.parametrize("beam_size", [1, 4])
def test_long_inputs_stay_exact(installed, texts_and_pieces, kind, beam_size):
    """A long HTML paragraph (1000 pieces): every position stays distinct for the copy attention."""
    texts, pieces = select(texts_and_pieces, lambda length: length > BATCH_TOKENS)
    assert max(map(len, pieces)) >= 1000
    # These texts have no unknown pieces, so replace_unknowns cannot matter;
    # it would keep every beam's attention history, which makes a beam of 4
    # over 1000 steps twenty times slower.
    processor = installed[kind].tokenizer.lazy_processor()
    assert all(processor.piece_to_id(piece) != processor.unk_id() for p in pieces for piece in p)
    outputs = translate(installed[kind], pieces, beam_size, "int8", 1, replace_unknowns=False)
    assert_exact(installed[kind], kind, texts, pieces, outputs)


@pytest.mark.parametrize("kind", EXACTNESS_KINDS)
def test_engine_batches_give_the_outputs_of_one_big_batch(installed, texts_and_pieces, kind):
    """The argos engine cuts an article into length-sorted batches within its
    token budget (source tokens x beam): same exact outputs, in order, as one batch."""
    # Short sentences and a small budget: many batches, and seconds, not many.
    budget = 128
    texts, pieces = select(texts_and_pieces, lambda length: length <= budget)
    pkg = installed[kind]
    info = ModelInfo("argos", pkg.package_path.name, "1", "en", "de", str(pkg.package_path))

    def engine(max_batch_tokens):
        return ArgosModel(info, ArgosOptions(beam_size=4, compute_type="int8", max_batch_tokens=max_batch_tokens))

    assert len(length_sorted_batches([len(p) for p in pieces], budget)) >= 5
    batched = engine(4 * budget).translate(texts)
    assert batched == engine(4 * sum(map(len, pieces))).translate(texts)
    assert batched == [expected_output(kind, text) for text in texts]


def test_cipher_changes_latin_letters_only(installed):
    (output,) = translate(installed["cipher"], [installed["cipher"].tokenizer.encode("Kyiv, Київ 2023!")])
    assert installed["cipher"].tokenizer.lazy_processor().decode(output) == "Xlvi, Київ 2023!"


def test_unknown_characters_come_back_through_replace_unknowns(installed):
    tokenizer = installed["identity"].tokenizer
    pieces = tokenizer.encode(UNKNOWN_TEXT)
    assert "😀😀" in pieces

    (raw,) = translate(installed["identity"], [pieces], replace_unknowns=False)
    assert "<unk>" in raw
    (replaced,) = translate(installed["identity"], [pieces])
    assert replaced == pieces


def test_argos_style_decoding_options_keep_the_exact_output(installed, texts_and_pieces):
    # The options argostranslate itself passes to translate_batch.
    # Argos leaves max_decoding_length at its default of 256: give it sentences.
    _, pieces = texts_and_pieces
    sentences = [p for p in pieces if len(p) < 256]
    assert len(sentences) > 20
    translator = ctranslate2.Translator(str(installed["cipher"].package_path / "model"), intra_threads=1)
    results = translator.translate_batch(
        sentences,
        replace_unknowns=True,
        max_batch_size=32,
        batch_type="tokens",
        beam_size=4,
        num_hypotheses=1,
        length_penalty=0.2,
        return_scores=True,
    )
    for source, result in zip(sentences, results):
        assert result.hypotheses[0] == [codecs.encode(p, "rot13") for p in source]


def test_cli_writes_the_package_and_prints_its_path(tmp_path, capsys):
    testmodels.main(["--kind", "cipher", "--from", "fr", "--to", "en", "--out", str(tmp_path)])
    printed = Path(capsys.readouterr().out.strip())
    assert printed == tmp_path / "test-cipher-fr_en.argosmodel"
    with zipfile.ZipFile(printed) as archive:
        metadata = json.loads(archive.read("test-cipher-fr_en/metadata.json"))
    assert (metadata["from_code"], metadata["from_name"]) == ("fr", "French")
    assert (metadata["to_code"], metadata["to_name"]) == ("en", "English")


def test_build_test_models_builds_one_package_per_pair(tmp_path):
    paths = testmodels.build_test_models(tmp_path, "identity", [("en", "de"), ("de", "en")])
    assert [p.name for p in paths] == ["test-identity-en_de.argosmodel", "test-identity-de_en.argosmodel"]
    assert all(zipfile.is_zipfile(p) for p in paths)


def test_rejects_unknown_kind_and_size(tmp_path):
    with pytest.raises(ValueError):
        testmodels.build_package("reverse", "en", "de", tmp_path)
    with pytest.raises(ValueError):
        testmodels.build_package("identity", "en", "de", tmp_path, size="huge")


@pytest.mark.slow
def test_base_size_has_real_model_shape_and_stays_exact(tmp_path, texts_and_pieces):
    started = time.perf_counter()
    path = testmodels.build_package("cipher", "en", "de", tmp_path, size="base")
    build_seconds = time.perf_counter() - started
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path)
    model_dir = tmp_path / "test-cipher-base-en_de" / "model"
    vocabulary = json.loads((model_dir / "shared_vocabulary.json").read_text(encoding="utf-8"))
    model_mb = (model_dir / "model.bin").stat().st_size / 1e6
    assert len(vocabulary) == 32000
    assert model_mb > 40  # int8 transformer-base with random filler weights

    texts, pieces = texts_and_pieces
    sample = pieces[1:4]
    translator = ctranslate2.Translator(str(model_dir), compute_type="int8", intra_threads=2)
    started = time.perf_counter()
    results = translator.translate_batch(
        sample, beam_size=4, max_batch_size=1024, batch_type="tokens", replace_unknowns=True
    )
    seconds = time.perf_counter() - started
    for source, result in zip(sample, results):
        assert result.hypotheses[0] == [codecs.encode(p, "rot13") for p in source]
    tokens = sum(map(len, sample))
    print(
        f"\nbase build {build_seconds:.1f} s, model.bin {model_mb:.1f} MB, "
        f"{tokens / seconds:.0f} tokens/s (beam 4, int8, 2 threads)"
    )
