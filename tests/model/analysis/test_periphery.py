"""Periphery: fewer ties and faster tie loss for the lonely, planted in constructed snapshots."""

import numpy as np
import pytest

from supportnet.analysis.periphery import periphery

from .builders import ci_contains_zero, record, snapshot


def periphery_record(degree_slope: float, loss_lonely: float, loss_others: float, seed: int,
                     n: int = 2000, snaps: int = 8):  # fmt: skip
    """Degree falls with a loneliness trait; ties end at a per-tie rate by loneliness group."""
    rng = np.random.default_rng(seed)
    trait = rng.random(n)
    lonely = trait >= np.quantile(trait, 0.8)  # the top 20% by (mean) loneliness
    rate = np.where(lonely, loss_lonely, loss_others)
    out, degree = [], None
    for k in range(snaps):
        lon = np.clip(trait + rng.normal(0, 0.01, n), 0, 1)
        lost = rng.binomial(degree, rate) if degree is not None else np.zeros(n, np.int64)
        degree = np.maximum(1, np.round(30 - degree_slope * 20 * trait + rng.normal(0, 3, n)))
        degree = degree.astype(np.int64)
        out.append(snapshot(13 * k, n, loneliness=lon, degree=degree, ties_lost=lost))
    return record(out)


def test_planted_periphery_is_recovered():
    out = periphery(periphery_record(1.0, loss_lonely=0.08, loss_others=0.04, seed=1))
    assert out["corr_loneliness_degree"] < -0.7  # degree 30 - 20 trait, noise sd 3
    # 400 lonely people x 7 windows x ~11 ties: ~31,000 tie-windows, rate se ~0.0015.
    assert out["tie_loss_lonely"] == pytest.approx(0.08, abs=0.006)
    assert out["tie_loss_others"] == pytest.approx(0.04, abs=0.003)
    assert out["tie_loss_diff"] == pytest.approx(0.04, abs=0.007)


def test_no_periphery_is_zero_across_seeds():
    per_seed = [periphery(periphery_record(0.0, 0.05, 0.05, seed=s, n=500)) for s in range(10)]
    assert ci_contains_zero([o["corr_loneliness_degree"] for o in per_seed])
    assert ci_contains_zero([o["tie_loss_diff"] for o in per_seed])


def test_tie_loss_uses_only_stable_members():
    rec = periphery_record(1.0, 0.08, 0.04, seed=2, n=200, snaps=3)
    base = periphery(rec)
    for s in rec.snapshots[1:]:
        s.ties_lost[:50] += 1000  # people who will be excluded
    rec.snapshots[2].arrived[:25] = 26  # rows 0-24 change hands
    for s in rec.snapshots:
        s.member[25:50] = False
    out = periphery(rec)
    assert np.isfinite(out["tie_loss_lonely"]) and out["tie_loss_lonely"] < 1
    assert out["tie_loss_others"] == pytest.approx(base["tie_loss_others"], rel=0.2)
    rec.snapshots = rec.snapshots[:1]
    assert np.isnan(periphery(rec)["tie_loss_diff"])
