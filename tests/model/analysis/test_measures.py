"""The registry, and the post-burn-in levels on a constructed per-step table."""

import numpy as np
import pandas as pd
import pytest

from supportnet.analysis import LEVELS, MEASURES, levels

from .builders import record


def test_registry_names_the_fact_measures():
    assert set(MEASURES) == {
        "levels", "stationarity", "distance", "distance_top20", "periphery", "buffering",
        "lonely_depressed", "family_friends", "caregiver", "layers", "sisa",
    }  # fmt: skip


def test_levels_are_post_burn_in_means():
    steps = np.arange(101)
    df = pd.DataFrame({name: np.where(steps < 40, 1.0, 0.25 + 0.001 * k) for k, name in
                       enumerate(LEVELS)}, index=pd.Index(steps, name="step"))  # fmt: skip
    out = levels(record(steps=df, burn_in=40))
    assert list(out) == list(LEVELS)
    for k, name in enumerate(LEVELS):
        assert out[name] == pytest.approx(0.25 + 0.001 * k)
    assert np.isnan(levels(record(steps=df, burn_in=500))["mean_stress"])
