"""How a worker process's cores are divided (config.py): replicas of one
thread each by default, never more threads in all than the machine's cores."""

from __future__ import annotations

import pytest

from config import Settings
from translation.engines import ENGINES


@pytest.fixture
def cores(monkeypatch):
    for name in ("WORKER_CONCURRENCY", "TRANSLATE_INTRA_THREADS", "TRANSLATE_INTER_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    return monkeypatch


def test_one_process_gets_a_replica_per_core(cores):
    s = Settings.from_env()
    assert (s.intra_threads, s.inter_threads, s.translation_threads) == (1, 8, 8)


def test_processes_share_the_cores(cores):
    cores.setenv("WORKER_CONCURRENCY", "4")
    s = Settings.from_env()
    assert (s.intra_threads, s.inter_threads) == (1, 2)


def test_intra_threads_set_alone_leaves_the_rest_to_replicas(cores):
    # An older deployment that sets TRANSLATE_INTRA_THREADS=4 is not oversubscribed.
    cores.setenv("TRANSLATE_INTRA_THREADS", "4")
    s = Settings.from_env()
    assert (s.intra_threads, s.inter_threads, s.translation_threads) == (4, 2, 8)


def test_never_zero_threads(cores):
    cores.setenv("WORKER_CONCURRENCY", "16")
    assert Settings.from_env().inter_threads == 1


def test_the_bergamot_engine_keeps_a_segment_in_flight_per_thread(cores):
    cores.setenv("TRANSLATE_INTRA_THREADS", "2")
    cores.setenv("TRANSLATE_INTER_THREADS", "3")
    assert ENGINES["bergamot"](Settings.from_env()).threads == 6
