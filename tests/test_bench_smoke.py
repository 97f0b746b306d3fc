"""The benchmark keeps working: its smoke run (tiny model, seconds) produces
every figure. No timing is asserted; `make bench` is where figures are read."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.cpu import cpu_info, describe
from tests.helpers import ROOT


# A whole stack (Redis, gunicorn, a worker) and three load runs: half a minute.
@pytest.mark.slow
def test_bench_smoke_run_produces_every_figure():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads((ROOT / "var" / "bench" / "smoke.json").read_text())
    for path in ("a_raw_translate_batch", "a_replicas", "b_argos_style", "c_service"):
        assert figures[path]["sentences"] > 0 and figures[path]["tokens_per_s"] > 0
    assert figures["a_raw_translate_batch"]["sentences"] == figures["c_service"]["sentences"]
    assert figures["c_service"]["failed_or_wrong"] == 0
    assert figures["correction"]["segments_translated"] == 2 and figures["correction"]["cache_hits"] > 0
    for run in ("api_load", "api_load_saturated"):
        assert figures[run]["submit"]["requests"] > 0 and figures[run]["poll"]["requests"] > 0
    assert figures["worker_peak_rss_bytes"] > 0
    two = figures["two_workers"]
    assert two["workers"] == 2 and len(two["pool_peak_rss_bytes"]) == 2 and two["failed_or_wrong"] == 0
    assert figures["real_engine"]["segments"] > 0 and figures["real_engine"]["segments_per_s"] > 0
    assert figures["cpu"]["model"] and set(figures["cpu"]["simd"]) == {"AVX2", "AVX-512", "AVX512-VNNI", "AVX-VNNI"}
    # Every occurrence placed, whatever the method (the test models never write a rendering themselves).
    assert sum(figures["glossary_enforcement"]["mask_methods"].values()) == 22
    assert sum(figures["glossary_enforcement"]["split_methods"].values()) == 22
    assert set(figures["ratios"]) == {
        "c_over_a",
        "c_over_a_replicas",
        "c_over_a_replicas_median",
        "a_replicas_over_a",
        "a_over_b",
        "c_over_b",
        "two_workers_over_one",
    }
    # (a') and (c) again on a fresh stack: a ratio per round, every output right.
    assert len(figures["rounds"]) == 2
    assert all(r["c_over_a_replicas"] > 0 and r["failed_or_wrong"] == 0 for r in figures["rounds"])
    assert "targets:" in result.stdout and "CPU: " in result.stdout and "(c)/(a') >= 0.95 (median)" in result.stdout


# Four stacks (1 and 3 tiny pairs, each layout): about a minute.
@pytest.mark.slow
def test_scale_smoke_run_reports_every_row():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {(r["layout"], r["pairs"]): r for r in json.loads((ROOT / "var/bench/scale-smoke.json").read_text())["rows"]}
    assert set(rows) == {("separate", 1), ("separate", 3), ("shared", 1), ("shared", 3)}
    for row in rows.values():
        assert row["peak_total_bytes"] > 0 and row["tokens_per_s"] > 0 and row["short_requests"] > 0
        assert row["failed_or_wrong"] == 0
    # The default layout: every model in both workers (loads counted from the article worker's log: the
    # interactive worker loads before its logging is set up); shared: no interactive worker, 2 of 3 models.
    assert rows[("separate", 3)]["loads"] == 3 and "interactive" in rows[("separate", 3)]["peak_by_process_bytes"]
    assert "interactive" not in rows[("shared", 3)]["peak_by_process_bytes"]
    assert rows[("shared", 3)]["evictions"] > 0
    assert "growth per added pair" in result.stdout


def test_cpu_flags_are_read_from_cpuinfo():
    info = cpu_info(
        "processor\t: 0\nmodel name\t: Some CPU @ 2.0GHz\nflags\t\t: fpu sse2 avx avx2 avx512f "
        "avx512_vnni\n\nprocessor\t: 1\nmodel name\t: Some CPU @ 2.0GHz\nflags\t\t: fpu\n"
    )
    assert info["model"] == "Some CPU @ 2.0GHz"
    assert info["simd"] == {"AVX2": True, "AVX-512": True, "AVX512-VNNI": True, "AVX-VNNI": False}
    assert "AVX2 yes" in describe(info) and "AVX-VNNI no" in describe(info)


# The editorial row (benchmarks/editorial.py): its own stack, seconds.
@pytest.mark.slow
def test_editorial_bench_smoke_run_keeps_corrections_and_spares_the_model():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.editorial", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads((ROOT / "var" / "bench" / "editorial.json").read_text())
    assert figures["segments"] >= 31 and figures["corrected"] >= 6
    assert figures["corrections_kept"] == figures["corrections_unchanged_source"] == figures["corrected"]
    assert figures["v2_stats"]["segments_translated"] == figures["changed_in_v2"] == 4
    assert figures["baseline_v2_stats"]["segments_translated"] == figures["segments"]
    assert "editorial (tiny model)" in result.stdout
