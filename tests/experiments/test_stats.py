"""Report statistics: confidence intervals and Hedges' g against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportnet.experiments.stats import ci_frame, g_ratio, hedges_g, mean_ci


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


# --- ratio of two effect sizes ------------------------------------------------------------------
def paired_arms(rng, n, shift_num=0.8, shift_den=0.4):
    """Three arms sharing a unit effect per replication (common random numbers)."""
    unit = rng.normal(0, 1, n)
    return (
        unit + shift_num + rng.normal(0, 0.5, n),
        unit + shift_den + rng.normal(0, 0.5, n),
        unit + rng.normal(0, 0.5, n),
    )


def test_g_ratio_is_the_ratio_of_the_two_effect_sizes():
    num, den, ctrl = paired_arms(np.random.default_rng(1), 20)
    r = g_ratio(num, den, ctrl, seed=5)
    assert r.g_numerator == pytest.approx(hedges_g(num, ctrl).g)
    assert r.g_denominator == pytest.approx(hedges_g(den, ctrl).g)
    assert r.ratio == pytest.approx(r.g_numerator / r.g_denominator)
    assert r.ci_low < r.ratio < r.ci_high and r.n == 20 and r.defined == 1.0


def test_g_ratio_bootstrap_is_seeded():
    num, den, ctrl = paired_arms(np.random.default_rng(2), 15)
    assert g_ratio(num, den, ctrl, seed=9) == g_ratio(num, den, ctrl, seed=9)
    assert g_ratio(num, den, ctrl, seed=9).ci_low != g_ratio(num, den, ctrl, seed=10).ci_low


def test_g_ratio_interval_covers_the_true_ratio():
    # True g ratio 2 (shifts 0.8 and 0.4 on the same spread); a 95% interval should cover it
    # in most of 40 simulated experiments (bootstrap percentile intervals run a bit narrow).
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(40):
        r = g_ratio(*paired_arms(rng, 30), seed=int(rng.integers(1 << 31)), resamples=1000)
        covered += r.ci_low <= 2.0 <= r.ci_high
    assert covered >= 32


def test_g_ratio_drops_incomplete_units_and_needs_three():
    num, den, ctrl = paired_arms(np.random.default_rng(4), 6)
    num[0] = np.nan
    ctrl[5] = np.nan
    assert g_ratio(num, den, ctrl, seed=1).n == 4
    r = g_ratio(num[:4], den[:4], ctrl[:4] * np.nan, seed=1)
    assert r.n == 0 and math.isnan(r.ratio) and math.isnan(r.ci_low)
    flat = np.ones(5)
    r = g_ratio(flat + 1, flat, flat, seed=1)  # no spread: g undefined, so is the ratio
    assert math.isnan(r.ratio) and r.n == 5
