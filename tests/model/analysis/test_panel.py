"""Lagged loneliness -> depression, and family vs friend support -> later stress, planted."""

import numpy as np
import pytest

from supportnet.analysis.panel import family_friends, lonely_depressed, year_lag
from supportnet.kinds import FAMILY, FRIEND

from .builders import ci_contains_zero, record, snapshot

EVERY = 13  # a year is 4 snapshots


def lagged_record(effect: float, seed: int, n: int = 2000, snaps: int = 12):
    """dep(s) = effect z(lon(s-4)) + 0.5 dep(s-4) + noise, unit variance throughout.

    Loneliness is drawn afresh at each snapshot (standard normal), so in the pooled regression
    of dep(t+4) on lon(t) and dep(t) the standardised coefficients are ``effect`` and 0.5.
    """
    rng = np.random.default_rng(seed)
    lag = year_lag(EVERY)
    lon = rng.normal(size=(snaps, n))
    dep = rng.normal(size=(snaps, n))
    noise_sd = np.sqrt(1 - effect**2 - 0.25)
    for s in range(lag, snaps):
        dep[s] = effect * lon[s - lag] + 0.5 * dep[s - lag] + rng.normal(0, noise_sd, n)
    return record(
        [snapshot(EVERY * s, n, loneliness=lon[s], depression=dep[s]) for s in range(snaps)],
        every=EVERY,
    )


def test_lag_is_one_year_of_snapshots():
    assert year_lag(13) == 4 and year_lag(5) == 10 and year_lag(1) == 52 and year_lag(100) == 1


def test_planted_lagged_effect_is_recovered():
    out = lonely_depressed(lagged_record(0.2, seed=1))
    # 16,000 pairs (2,000 people x 8): se ~0.008 (reported as lagged_se); tolerance 0.03.
    assert out["lagged_effect"] == pytest.approx(0.2, abs=0.03)
    assert 0.003 < out["lagged_se"] < 0.02
    assert out["lag_steps"] == 52


def test_no_lagged_effect_is_zero_across_seeds():
    effects = [
        lonely_depressed(lagged_record(0.0, seed=s, n=500))["lagged_effect"] for s in range(10)
    ]
    assert ci_contains_zero(effects)


def test_cross_sectional_correlation_is_the_mean_over_snapshots():
    rng = np.random.default_rng(3)
    snaps = []
    for k, r in enumerate((0.3, 0.5, 0.7)):
        lon = rng.normal(size=5000)
        dep = r * lon + np.sqrt(1 - r * r) * rng.normal(size=5000)
        snaps.append(snapshot(k, 5000, loneliness=lon, depression=dep))
    snaps[0].member[:100] = False
    out = lonely_depressed(record(snaps, every=1))
    # se of r with 5,000 people ~0.012 each; of their mean ~0.007.
    assert out["r_cross"] == pytest.approx(0.5, abs=0.03)
    assert np.isnan(out["lagged_effect"])  # 3 snapshots: no pair a year (52) apart


def family_record(b_family: float, b_friend: float, seed: int, n: int = 2000, snaps: int = 20):
    """stress(t+4) = b_F z(F_t) + b_R z(R_t) + 0.4 stress(t) + noise (unit variance).

    Support received per window is exponential (mean 1), so a year of it (4 windows) is
    Gamma(4, 1): z = (sum - 4) / 2. Support after t and stress at t are independent.
    """
    rng = np.random.default_rng(seed)
    lag = year_lag(EVERY)
    received = np.zeros((snaps, n, 6))
    received[1:, :, FAMILY] = rng.exponential(1.0, (snaps - 1, n))
    received[1:, :, FRIEND] = rng.exponential(1.0, (snaps - 1, n))
    stress = rng.normal(size=(snaps, n))
    noise_sd = np.sqrt(1 - b_family**2 - b_friend**2 - 0.16)
    for s in range(2 * lag, snaps):
        t = s - lag
        year = received[t - lag + 1 : t + 1].sum(axis=0)
        fz, rz = (year[:, FAMILY] - 4) / 2, (year[:, FRIEND] - 4) / 2
        stress[s] = b_family * fz + b_friend * rz + 0.4 * stress[t] + rng.normal(0, noise_sd, n)
    return record(
        [snapshot(EVERY * s, n, stress=stress[s], received_by_kind=received[s])
         for s in range(snaps)],
        every=EVERY,
    )  # fmt: skip


def perceived_family_record(b_family: float, b_friend: float, seed: int, n: int = 2000):
    """stress(t+4) = b_F z(F_t) + b_R z(R_t) + 0.4 stress(t) + noise, F and R perceived support
    from family and friends at t (uniform, independent of everything else)."""
    rng = np.random.default_rng(seed)
    snaps, lag = 20, year_lag(EVERY)
    perceived = np.zeros((snaps, n, 6))
    perceived[:, :, FAMILY] = rng.random((snaps, n))
    perceived[:, :, FRIEND] = rng.random((snaps, n))
    stress = rng.normal(size=(snaps, n))
    noise_sd = np.sqrt(1 - b_family**2 - b_friend**2 - 0.16)
    z = (perceived - 0.5) / np.sqrt(1 / 12)
    for s in range(lag, snaps):
        t = s - lag
        stress[s] = (b_family * z[t, :, FAMILY] + b_friend * z[t, :, FRIEND] + 0.4 * stress[t]
                     + rng.normal(0, noise_sd, n))  # fmt: skip
    return record(
        [snapshot(EVERY * s, n, stress=stress[s], perceived_by_kind=perceived[s])
         for s in range(snaps)],
        every=EVERY,
    )  # fmt: skip


def test_planted_perceived_family_and_friend_effects_are_recovered():
    out = family_friends(perceived_family_record(-0.3, -0.1, seed=3))
    assert out["beta_family"] == pytest.approx(-0.3, abs=0.03)
    assert out["beta_friend"] == pytest.approx(-0.1, abs=0.03)
    assert out["beta_diff"] == pytest.approx(-0.2, abs=0.04)
    # Nothing planted on received support: its coefficients are NaN (no variation) here.
    assert np.isnan(out["beta_diff_received"])


def test_planted_family_and_friend_effects_are_recovered():
    out = family_friends(family_record(-0.3, -0.1, seed=1))
    # 24,000 pairs (2,000 people x 12 starting snapshots): se ~0.007 per coefficient.
    assert out["beta_family_received"] == pytest.approx(-0.3, abs=0.03)
    assert out["beta_friend_received"] == pytest.approx(-0.1, abs=0.03)
    assert out["beta_diff_received"] == pytest.approx(-0.2, abs=0.04)


def test_no_family_friend_difference_is_zero_across_seeds():
    diffs = [
        family_friends(family_record(-0.2, -0.2, seed=s, n=500))["beta_diff_received"]
        for s in range(10)
    ]
    assert ci_contains_zero(diffs)


def test_family_friends_without_friend_support_is_nan_for_friends():
    rec = family_record(-0.3, 0.0, seed=2, n=300)
    for s in rec.snapshots:
        s.received_by_kind[:, FRIEND] = 0.0
    out = family_friends(rec)
    assert np.isfinite(out["beta_family_received"]) and np.isnan(out["beta_friend_received"])
