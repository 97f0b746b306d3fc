"""How the argos engine cuts an article into model batches (length_sorted_batches)."""

from hypothesis import example, given, settings, strategies as st

from translation.engines.argos import length_sorted_batches

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
