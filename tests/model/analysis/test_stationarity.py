"""MSER-5 burn-in and drift per 100 steps, on series with a known transient or trend."""

import numpy as np
import pandas as pd
import pytest

from supportnet.analysis.stationarity import (
    HEADLINE,
    mser_burn_in,
    relative_drift,
    stationarity,
)
from supportnet.kinds import TIE_KINDS

from .builders import ci_contains_zero, record

SEEDS = range(10)


@pytest.mark.parametrize("seed", SEEDS)
def test_mser_finds_an_exponential_transient_of_about_200_steps(seed):
    # The transient exp(-t/40) falls below a tenth of the noise sd by t ~ 150 and to 0.7% of its
    # start by t = 200; MSER-5 trades the bias of keeping it against the variance of cutting.
    rng = np.random.default_rng(seed)
    t = np.arange(2000)
    x = 0.5 + 0.5 * np.exp(-t / 40) + rng.normal(0, 0.02, len(t))
    burn, at_limit = mser_burn_in(x)
    assert 100 <= burn <= 300 and not at_limit


@pytest.mark.parametrize("seed", SEEDS)
def test_mser_on_stationary_noise_cuts_little(seed):
    x = np.random.default_rng(seed).normal(0.3, 0.05, 1000)
    burn, at_limit = mser_burn_in(x)
    assert burn < 50 and not at_limit


def test_mser_flags_a_trend_that_never_settles():
    x = np.linspace(0.0, 1.0, 1000) + np.random.default_rng(1).normal(0, 0.01, 1000)
    burn, at_limit = mser_burn_in(x)
    assert at_limit and burn == 5 * (1000 // 5 // 2)


def test_mser_of_a_short_or_broken_series_is_nan():
    assert np.isnan(mser_burn_in(np.ones(15))[0])
    assert np.isnan(mser_burn_in(np.r_[np.ones(50), np.nan, np.ones(9)])[0])


def test_mser_matches_the_definition_by_brute_force():
    x = np.random.default_rng(3).normal(size=203) + np.r_[np.linspace(2, 0, 60), np.zeros(143)]
    y = x[:200].reshape(40, 5).mean(axis=1)
    scores = [((y[d:] - y[d:].mean()) ** 2).sum() / (40 - d) ** 2 for d in range(21)]
    assert mser_burn_in(x) == (5 * int(np.argmin(scores)), int(np.argmin(scores)) == 20)


@pytest.mark.parametrize("seed", SEEDS)
def test_relative_drift_recovers_one_percent_per_100_steps(seed):
    # Level 0.5, slope 0.5 * 1% per 100 steps, centred so that the mean is the level; noise sd
    # 0.02 gives the drift an sd of ~0.00015 (0.015 points), far inside the 0.2-point tolerance.
    rng = np.random.default_rng(seed)
    t = np.arange(300, 2300)
    x = 0.5 + 0.5 * 0.01 / 100 * (t - t.mean()) + rng.normal(0, 0.02, len(t))
    assert relative_drift(pd.Series(x, index=t), floor=0.05) == pytest.approx(0.01, abs=0.002)


def test_relative_drift_without_a_trend_is_zero_across_seeds():
    drifts = [
        relative_drift(np.random.default_rng(s).normal(0.2, 0.03, 1500), floor=0.05) for s in SEEDS
    ]
    assert ci_contains_zero(drifts)


def test_relative_drift_divides_by_the_floor_for_small_levels():
    t = np.arange(100)
    x = 0.001 + 1e-5 * t  # slope 0.001 per 100 steps at a level ~0.0015: floor 0.05 wins
    assert relative_drift(x, floor=0.05) == pytest.approx(0.001 / 0.05)
    assert np.isnan(relative_drift([1.0, 2.0], floor=1.0))


def steps_frame(seed: int, slope: float = 0.0, family_end: float = 100.0) -> pd.DataFrame:
    """A per-step table: a transient, then stationary noise (plus an optional trend)."""
    rng = np.random.default_rng(seed)
    t = np.arange(1001)
    df = pd.DataFrame(index=pd.Index(t, name="step"))
    for name in HEADLINE:
        level = 1000.0 if name in ("ties", "mean_degree") else 0.4
        trend = level * slope / 100 * (t - 600)
        df[name] = level * (1 + np.exp(-t / 20) + rng.normal(0, 0.01, len(t))) + trend
    for kind in TIE_KINDS:
        df[f"ties_{kind}"] = 100.0
    df.loc[df.index >= 200, "ties_family"] = np.linspace(100, family_end, 801)
    df["ties_online"] = 0.0  # absent at burn-in: not counted
    return df


def test_stationarity_measure_of_a_settled_world():
    out = stationarity(record(steps=steps_frame(1), burn_in=200))
    assert 50 <= out["burn_in"] <= 200 and out["burn_in_at_limit"] == 0.0
    assert out["max_abs_drift"] < 0.005
    assert set(out) == {
        "burn_in",
        "burn_in_at_limit",
        "max_abs_drift",
        "kind_kept_min",
        *(f"drift_{name}" for name in HEADLINE),
    }
    assert out["kind_kept_min"] == pytest.approx(1.0)


def test_stationarity_measure_sees_drift_and_a_dying_kind():
    out = stationarity(record(steps=steps_frame(1, slope=0.05, family_end=10.0), burn_in=200))
    assert out["burn_in_at_limit"] == 1.0
    assert out["drift_ties"] == pytest.approx(0.05, rel=0.05)
    assert out["max_abs_drift"] == pytest.approx(0.05, rel=0.05)
    # Family ties fall linearly from 100 to 10 over steps 200..1000: the last 10% of the
    # post-burn-in steps (80 steps, 920..999 from the end) average ~14.
    tail = np.linspace(100, 10, 801)[-80:].mean()
    assert out["kind_kept_min"] == pytest.approx(tail / 100)
