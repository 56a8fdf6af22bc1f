"""Row sums and maxima of narrow arrays (the n x 4 needs), as numpy's axis-1 reductions, faster.

``need.max(axis=1)`` on an array of 10,000 rows of 4 costs about 0.9 ms: numpy reduces each short
row in its own inner loop. Reducing column by column instead is one vector operation per column
(about 0.06 ms). The results are numpy's: a maximum does not depend on the order it is taken in,
and numpy adds the entries of a row of fewer than 8 one after the other, left to right, as
:func:`row_sum` does (the tests check both, bit for bit).
"""

from __future__ import annotations

import numpy as np

__all__ = ["row_max", "row_sum"]


def row_sum(x: np.ndarray) -> np.ndarray:
    """Return ``x.sum(axis=1)`` of a 2-d array with few columns (a new array)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] == 0 or x.shape[1] >= 8:  # 8 or more: numpy sums pairwise
        return x.sum(axis=1)
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        out += x[:, j]
    return out


def row_max(x: np.ndarray) -> np.ndarray:
    """Return ``x.max(axis=1)`` of a 2-d array with at least one column (a new array)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] == 0:
        return x.max(axis=1)
    out = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        np.maximum(out, x[:, j], out=out)
    return out
