"""Report statistics: confidence intervals and Hedges' g against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.stats import ci_frame, hedges_g, mean_ci


def test_mean_ci_matches_scipy_t_interval():
    x = np.array([0.3, 0.5, 0.45, 0.61, 0.38])
    m, lo, hi, n = mean_ci(x)
    want = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (m, n) == (pytest.approx(x.mean()), 5)
    assert (lo, hi) == (pytest.approx(want[0]), pytest.approx(want[1]))


def test_mean_ci_of_one_value_has_no_interval_and_nans_are_dropped():
    m, lo, hi, n = mean_ci([0.4, float("nan")])
    assert m == 0.4 and n == 1 and math.isnan(lo) and math.isnan(hi)


def test_ci_frame_agrees_with_mean_ci():
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 3, "v": [1.0, 2.0, 4.0, 3.0, 5.0, 5.5, 7.0]})
    out = ci_frame(df, ["g"], "v").set_index("g")
    for g, grp in df.groupby("g"):
        m, lo, hi, n = mean_ci(grp["v"])
        assert out.loc[g, "mean"] == pytest.approx(m) and out.loc[g, "n"] == n
        assert out.loc[g, "lo"] == pytest.approx(lo) and out.loc[g, "hi"] == pytest.approx(hi)


def test_hedges_g_by_hand():
    t = np.array([5.0, 6.0, 7.0, 8.0, 6.5])
    c = np.array([4.0, 5.0, 5.5, 6.0])
    sp = math.sqrt(((5 - 1) * t.var(ddof=1) + (4 - 1) * c.var(ddof=1)) / 7)
    d = (t.mean() - c.mean()) / sp
    g = d * (1 - 3 / (4 * 9 - 9))
    se = math.sqrt(9 / 20 + g**2 / 18)
    e = hedges_g(t, c)
    assert e.g == pytest.approx(g)
    assert (e.ci_low, e.ci_high) == (
        pytest.approx(g - 1.959964 * se, abs=1e-5),
        pytest.approx(g + 1.959964 * se, abs=1e-5),
    )
    assert (e.n_treated, e.n_control) == (5, 4)
    assert hedges_g(c, t).g == pytest.approx(-g)


def test_hedges_g_is_nan_without_spread_or_replication():
    assert math.isnan(hedges_g([1.0, 1.0], [1.0, 1.0]).g)
    assert math.isnan(hedges_g([1.0], [2.0, 3.0]).g)


def test_hedges_g_recovers_a_known_effect():
    rng = np.random.default_rng(0)
    e = hedges_g(rng.normal(0.5, 1, 4000), rng.normal(0, 1, 4000))
    assert e.ci_low < 0.5 < e.ci_high and e.g == pytest.approx(0.5, abs=0.06)
