"""Stable orderings of small integer codes (groups, neighbourhoods, family slots, owners)."""

from __future__ import annotations

import numpy as np

__all__ = ["stable_order"]

_RADIX_LIMIT = 1 << 16


def stable_order(codes: np.ndarray) -> np.ndarray:
    """Return ``np.argsort(codes, kind="stable")``, fast for small non-negative integer codes.

    A stable order is unique (equal codes keep their positions' order), so any stable sort gives
    the same answer; numpy sorts 16-bit integers by radix sort, in linear time, where 64-bit ones
    go through a merge sort: about nine times slower for 10,000 codes. So codes that fit in 16
    bits are sorted as such.
    """
    codes = np.asarray(codes)
    if codes.dtype.kind in "iu" and len(codes) and codes.min() >= 0 and codes.max() < _RADIX_LIMIT:
        codes = codes.astype(np.uint16)
    return np.argsort(codes, kind="stable")
