"""Person-level Hedges' g, and carers against others, on groups with a known difference."""

import numpy as np
import pytest

from supportnet.analysis.effects import caregiver, person_hedges_g

from .builders import ci_contains_zero, record, snapshot


def test_hedges_g_recovers_a_known_standardised_difference():
    rng = np.random.default_rng(1)
    a = rng.normal(0.58, 1.0, 5000)
    b = rng.normal(0.0, 1.0, 5000)
    # sd of g with 5,000 a side: sqrt(2 / 5000 + 0.58^2 / 20000) ~ 0.021; tolerance 0.05.
    assert person_hedges_g(a, b) == pytest.approx(0.58, abs=0.05)
    assert person_hedges_g(b, a) == pytest.approx(-person_hedges_g(a, b))


def test_hedges_g_of_equal_groups_is_zero_across_seeds():
    gs = [person_hedges_g(*np.random.default_rng(s).normal(0.3, 0.1, (2, 400))) for s in range(10)]
    assert ci_contains_zero(gs)


def test_hedges_g_small_sample_correction_and_edge_cases():
    # d = 1 exactly (means 3 and 2, both sds 1); J = 1 - 3 / (4 * 6 - 9) = 0.8.
    assert person_hedges_g([2.0, 3.0, 4.0], [1.0, 2.0, 3.0]) == pytest.approx(0.8)
    assert np.isnan(person_hedges_g([1.0], [1.0, 2.0]))
    assert np.isnan(person_hedges_g([1.0, 1.0], [1.0, 1.0]))


def carer_record(shift: float, seed: int, role: bool, n: int = 4000, snaps: int = 5):
    """People whose depression and stress are shifted by ``shift`` SD if they are carers."""
    rng = np.random.default_rng(seed)
    carer = rng.random(n) < 0.15
    given_trait = rng.exponential(0.1, n) + np.where(carer, 1.0, 0.0)  # proxy: carers give most
    base_dep = rng.normal(0.3, 0.1, n) + shift * 0.1 * carer
    base_str = rng.normal(0.2, 0.1, n) + 0.5 * shift * 0.1 * carer
    out = []
    for k in range(snaps):
        role_now = carer & (rng.random(n) < 0.9) if role else np.zeros(n, bool)
        out.append(
            snapshot(13 * k, n, depression=base_dep + rng.normal(0, 0.02, n),
                     stress=base_str + rng.normal(0, 0.02, n), carer=role_now,
                     given=given_trait * 13)
        )  # fmt: skip
    return record(out, carer_role=role), carer


def test_caregiver_recovers_a_planted_difference_with_a_caring_role():
    rec, carer = carer_record(0.58, seed=1, role=True)
    out = caregiver(rec)
    # Per-person means over 5 snapshots add noise sd 0.02 / sqrt(5) ~ 0.009 to an sd of 0.1:
    # the true g shrinks by ~0.4%; its sampling sd with 600 carers is ~0.045.
    assert out["g_depression"] == pytest.approx(0.58, abs=0.12)
    assert out["g_stress"] == pytest.approx(0.29, abs=0.12)
    in_role = np.mean([s.carer for s in rec.snapshots], axis=0) >= 0.5  # 3 of 5 snapshots
    assert out["carer_share"] == pytest.approx(in_role.mean())
    assert in_role[~carer].sum() == 0 and in_role[carer].mean() > 0.95
    assert out["carer_proxy"] == 0.0


def test_caregiver_proxy_is_the_top_tenth_of_givers():
    rec, _ = carer_record(0.58, seed=2, role=False)
    out = caregiver(rec)
    assert out["carer_proxy"] == 1.0 and out["carer_share"] == pytest.approx(0.1)
    assert out["g_depression"] > 0.3  # the top 10% of givers are (nearly) all carers


def test_caregiver_without_a_difference_is_zero_across_seeds():
    gs = [caregiver(carer_record(0.0, seed=s, role=True, n=1000)[0]) for s in range(10)]
    assert ci_contains_zero([o["g_depression"] for o in gs])
    assert ci_contains_zero([o["g_stress"] for o in gs])
