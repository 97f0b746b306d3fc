"""How the argos engine cuts an article into model batches (length_sorted_batches)
and hands them to its replicas (on_free_replicas)."""

import threading
import time

import pytest
from hypothesis import example, given, settings, strategies as st

from translation.engines.argos import length_sorted_batches, on_free_replicas

lengths_lists = st.lists(st.integers(min_value=0, max_value=1200), max_size=120)
budgets = st.integers(min_value=1, max_value=8192)


@settings(max_examples=300, deadline=None)
@given(lengths_lists, budgets)
def test_every_index_once(lengths, budget):
    batches = length_sorted_batches(lengths, budget)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert all(batches), "no empty batch"


@settings(max_examples=300, deadline=None)
@given(lengths_lists, budgets)
# A tiny budget beside empty and one-token segments: the first version looked
# for a valid cut one batch count at a time and took hours here.
@example([1200] * 100 + [1] * 10 + [0] * 10, 1)
def test_padded_size_within_budget_unless_a_single_segment(lengths, budget):
    for batch in length_sorted_batches(lengths, budget):
        padded = len(batch) * max(lengths[i] for i in batch)
        assert padded <= budget or len(batch) == 1, (batch, [lengths[i] for i in batch], budget)


@settings(max_examples=200, deadline=None)
@given(lengths_lists, budgets)
def test_longest_first_so_lengths_in_a_batch_are_close(lengths, budget):
    batches = length_sorted_batches(lengths, budget)
    for earlier, later in zip(batches, batches[1:]):
        assert min(lengths[i] for i in earlier) >= max(lengths[i] for i in later)


def test_a_budget_larger_than_everything_gives_one_batch():
    assert length_sorted_batches([3, 10, 7], 1000) == [[1, 2, 0]]


def test_batches_are_near_equal_rather_than_full_plus_a_remainder():
    # 10 segments of 100 tokens, budget 900: CTranslate2's own token batching
    # would give 9 + 1; two batches of 5 decode with twice as many hypotheses a step.
    batches = length_sorted_batches([100] * 10, 900)
    assert sorted(map(len, batches)) == [5, 5]


def test_no_segments_no_batches():
    assert length_sorted_batches([], 1024) == []


@settings(max_examples=300, deadline=None)
@given(lengths_lists, budgets, st.integers(min_value=1, max_value=4))
def test_with_replicas_every_index_once_within_budget(lengths, budget, replicas):
    batches = length_sorted_batches(lengths, budget, replicas)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert batch and (len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= budget)


def test_replicas_each_get_a_batch_of_a_short_article():
    # One batch would fit the budget; with 2 replicas, one would sit idle.
    # The cut falls where the tokens are nearest half and half (40 | 60).
    assert length_sorted_batches([10, 30, 20, 40], 1000) == [[3, 1, 2, 0]]
    assert length_sorted_batches([10, 30, 20, 40], 1000, replicas=2) == [[3], [1, 2, 0]]


def test_the_batch_count_is_rounded_up_to_the_replicas():
    # 5 full batches of 100-token segments; on 2 replicas the fifth would run alone.
    lengths = [100] * 50
    assert len(length_sorted_batches(lengths, 1000)) == 5
    batches = length_sorted_batches(lengths, 1000, replicas=2)
    assert sorted(map(len, batches)) == [8, 8, 8, 8, 9, 9]


def test_fewer_segments_than_replicas_gives_one_batch_each():
    assert length_sorted_batches([5], 1000, replicas=4) == [[0]]
    assert length_sorted_batches([5, 9], 1000, replicas=4) == [[1], [0]]


def _recording_decoder(seconds_per_batch: dict[int, float]):
    """decode(batch) that sleeps as given and records how many run at once and in which order they start."""
    lock, state = threading.Lock(), {"running": 0, "most": 0, "started": []}

    def decode(batch: int) -> str:
        with lock:
            state["running"] += 1
            state["most"] = max(state["most"], state["running"])
            state["started"].append(batch)
        time.sleep(seconds_per_batch.get(batch, 0.01))
        with lock:
            state["running"] -= 1
        return f"out{batch}"

    return decode, state


def test_free_replicas_keep_the_batch_order_and_never_run_more_batches_than_replicas():
    decode, state = _recording_decoder({})
    assert on_free_replicas(list(range(9)), decode, 2) == [f"out{i}" for i in range(9)]
    assert state["most"] == 2


def test_a_replica_that_finishes_takes_the_next_batch_without_waiting_for_a_slower_one():
    # Batch 0 runs until batch 3 has started: that happens only if the other
    # replica goes on to batches 2 and 3 while batch 0 still decodes (the
    # engine used to wait for the oldest batch before submitting the next).
    third_started, seen = threading.Event(), {}

    def decode(batch: int) -> int:
        if batch == 0:
            seen["beside"] = third_started.wait(timeout=10)
        if batch == 3:
            third_started.set()
        return batch

    assert on_free_replicas([0, 1, 2, 3], decode, 2) == [0, 1, 2, 3]
    assert seen["beside"], "batch 3 did not start while batch 0 was decoding"


def test_one_replica_or_one_batch_runs_in_the_calling_thread():
    caller = threading.get_ident()
    assert on_free_replicas([1, 2], lambda b: threading.get_ident() == caller, 1) == [True, True]
    assert on_free_replicas([1], lambda b: threading.get_ident() == caller, 4) == [True]


def test_an_error_is_raised_and_the_batches_not_started_are_dropped():
    decode, state = _recording_decoder({0: 0.2})

    def failing(batch: int) -> str:
        if batch == 1:
            raise RuntimeError("model failed")
        return decode(batch)

    with pytest.raises(RuntimeError, match="model failed"):
        on_free_replicas(list(range(20)), failing, 2)
    time.sleep(0.3)  # what was decoding when the error came has finished
    assert len(state["started"]) < 19, state["started"]
