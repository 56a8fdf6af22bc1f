"""Row sums and maxima of narrow arrays equal numpy's axis-1 reductions, bit for bit."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from supportnet.rows import row_max, row_sum

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)


@given(arrays(np.float64, st.tuples(st.integers(0, 50), st.integers(1, 8)), elements=finite))
def test_row_sum_and_max_equal_numpys(x):
    assert np.array_equal(row_sum(x), x.sum(axis=1))
    assert np.array_equal(row_max(x), x.max(axis=1))


def test_needs_like_rows_bit_for_bit_and_inputs_untouched():
    rng = np.random.default_rng(0)
    x = rng.random((5000, 4)) * rng.random((5000, 1))
    x[rng.random(x.shape) < 0.6] = 0.0
    before = x.copy()
    assert row_sum(x).tobytes() == x.sum(axis=1).tobytes()
    assert row_max(x).tobytes() == x.max(axis=1).tobytes()
    assert np.array_equal(x, before)


def test_wide_or_empty_rows_fall_back_to_numpy():
    x = np.arange(40.0).reshape(4, 10)
    assert np.array_equal(row_sum(x), x.sum(axis=1))
    assert np.array_equal(row_max(x), x.max(axis=1))
    assert row_sum(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]
