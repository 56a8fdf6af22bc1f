"""The buffering regression on person-window panels with a planted stress x support interaction."""

import numpy as np
import pytest

from supportnet.analysis import buffering_from_panel
from supportnet.analysis.buffering import buffering

from .builders import ci_contains_zero, record, snapshot

B_X = 0.01  # harm of one SD of stressor load at mean support
LOAD_MEAN = LOAD_SD = 0.3  # exponential loads
SUPPORT_MEAN, SUPPORT_SD = 0.5, np.sqrt(1 / 12)  # uniform support


def interaction_for(ratio: float) -> float:
    """b_XP such that the slope at +1 SD support is ``ratio`` x the slope at -1 SD."""
    return B_X * (ratio - 1) / (ratio + 1)


def panel_record(b_xp: float, seed: int, n: int = 500, windows: int = 12, noise: float = 0.01):
    """Snapshots where depression change = b_X X + b_P P + b_XP X P - 0.05 D0 + noise (z units)."""
    rng = np.random.default_rng(seed)
    dep = rng.random(n) * 0.3
    trait = rng.random(n)
    support = trait.copy()
    snaps = [snapshot(0, n, depression=dep.copy(), perceived_support=support.copy())]
    for w in range(1, windows + 1):
        load = rng.exponential(LOAD_MEAN, n)
        xz = (load - LOAD_MEAN) / LOAD_SD
        pz = (support - SUPPORT_MEAN) / SUPPORT_SD
        dep = dep + B_X * xz - 0.004 * pz + b_xp * xz * pz - 0.05 * dep + rng.normal(0, noise, n)
        support = np.clip(trait + rng.normal(0, 0.05, n), 0, 1)
        snaps.append(
            snapshot(13 * w, n, depression=dep.copy(), perceived_support=support.copy(),
                     stressor_load=load)
        )  # fmt: skip
    return record(snaps)


def test_planted_buffering_is_recovered():
    b_xp = interaction_for(0.7)
    out = buffering(panel_record(b_xp, seed=1))
    # 6,000 windows, noise sd 0.01: b_XP has an se of ~0.00015, which moves the ratio by ~0.03.
    assert out["slope_ratio"] == pytest.approx(0.7, abs=0.1)
    assert out["interaction"] + 1.96 * out["interaction_se"] < 0  # the CI excludes 0
    assert out["interaction"] == pytest.approx(b_xp, abs=4 * out["interaction_se"])
    assert out["stress_slope"] == pytest.approx(B_X, rel=0.1)
    assert out["slope_low_support"] == pytest.approx(out["stress_slope"] - out["interaction"])
    assert out["slope_high_support"] == pytest.approx(out["stress_slope"] + out["interaction"])
    assert out["r2_gain"] > 0.005
    assert out["n_windows"] == 500 * 12


def test_no_buffering_gives_an_interaction_interval_containing_zero():
    per_seed = [buffering(panel_record(0.0, seed=s)) for s in range(10)]
    assert ci_contains_zero([o["interaction"] for o in per_seed])
    assert all(o["r2_gain"] < 0.002 for o in per_seed)
    assert ci_contains_zero([o["slope_ratio"] - 1 for o in per_seed])


def test_same_estimate_as_the_panel_api():
    # The record measure and buffering_from_panel fit the same regression on the same windows.
    rec = panel_record(interaction_for(0.7), seed=2)
    panel = [
        {"step": s.step, "depression": s.depression, "perceived_support": s.perceived_support,
         "stressor_load": s.stressor_load}
        for s in rec.snapshots
    ]  # fmt: skip
    old = buffering_from_panel(panel)
    new = buffering(rec)
    assert new["interaction"] == pytest.approx(old.interaction, rel=1e-9)
    assert new["interaction_se"] == pytest.approx(old.se, rel=1e-9)


def test_windows_follow_people_and_members():
    rec = panel_record(0.0, seed=3, n=50, windows=3)
    rec.snapshots[2].arrived[:10] = 26  # rows 0-9 hold new people from the third snapshot on
    rec.snapshots[3].arrived[:10] = 26
    for s in rec.snapshots:
        s.member[-5:] = False  # five professionals
    # windows 0->1: 45 members; 1->2: 35 (rows 0-9 changed hands); 2->3: 45 (the new people).
    assert buffering(rec)["n_windows"] == 45 + 35 + 45


def test_too_little_data_is_nan():
    rec = panel_record(0.0, seed=3, n=50, windows=1)
    rec.snapshots = rec.snapshots[:1]
    out = buffering(rec)
    assert np.isnan(out["interaction"]) and out["n_windows"] == 0


def confounded_record(seed: int, n: int = 500, windows: int = 12):
    """No X*P at all, but loneliness (which goes with low support) makes stress harm more."""
    rng = np.random.default_rng(seed)
    dep = rng.random(n) * 0.3
    support = rng.random(n)
    lonely = np.clip(1.0 - support + rng.normal(0, 0.2, n), 0, 1)  # corr with support ~ -0.8
    snaps = [snapshot(0, n, depression=dep.copy(), perceived_support=support.copy(),
                      loneliness=lonely.copy())]  # fmt: skip
    for w in range(1, windows + 1):
        load = rng.exponential(LOAD_MEAN, n)
        xz = (load - LOAD_MEAN) / LOAD_SD
        lz = (lonely - lonely.mean()) / lonely.std()
        dep = dep + B_X * xz + 0.004 * xz * lz - 0.05 * dep + rng.normal(0, 0.01, n)
        snaps.append(
            snapshot(13 * w, n, depression=dep.copy(), perceived_support=support.copy(),
                     loneliness=lonely.copy(), stressor_load=load)
        )  # fmt: skip
    return record(snaps)


def test_adjusted_interaction_removes_a_moderator_that_goes_with_support():
    # Yzerbyt, Muller & Judd (2004): leaving X*L out biases X*P when L goes with P.
    per_seed = [buffering(confounded_record(s)) for s in range(6)]
    assert all(o["interaction"] + 1.96 * o["interaction_se"] < 0 for o in per_seed)  # biased
    assert ci_contains_zero([o["interaction_adjusted"] for o in per_seed])
    assert all(abs(o["interaction_adjusted"]) < 3 * o["interaction_adjusted_se"] for o in per_seed)


def test_adjusted_interaction_keeps_planted_buffering():
    b_xp = interaction_for(0.7)
    out = buffering(panel_record(b_xp, seed=4))
    assert out["interaction_adjusted"] == pytest.approx(
        b_xp, abs=4 * out["interaction_adjusted_se"]
    )
