"""The ABC-SMC pieces: proposals, weights, thresholds and distances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from supportnet.experiments.calibrate import smc
from supportnet.experiments.calibrate.config import FreeParameter
from supportnet.experiments.calibrate.evaluate import MISSING, check_distance, distance
from supportnet.experiments.facts.declare import Check, Fact


def test_proposals_depend_only_on_seed_generation_and_index():
    prev = np.array([[0.2, 0.3], [0.6, 0.7], [0.5, 0.5]])
    w = np.array([0.2, 0.5, 0.3])
    cov = smc.kernel_covariance(prev, w)
    a = [smc.propose(smc.proposal_rng(5, 2, i), 2, prev, w, cov) for i in range(20)]
    b = [smc.propose(smc.proposal_rng(5, 2, i), 2, prev, w, cov) for i in reversed(range(20))]
    assert all(np.array_equal(x, y) for x, y in zip(a, b[::-1], strict=True))
    assert all(((z >= 0) & (z <= 1)).all() for z in a)
    assert not np.array_equal(a[0], smc.propose(smc.proposal_rng(6, 2, 0), 2, prev, w, cov))


def test_weights_favour_particles_the_kernel_rarely_proposes():
    """Importance weights are 1 / (mixture density): a particle far from every ancestor weighs
    more than one sitting on the heaviest ancestor."""
    prev = np.array([[0.5, 0.5], [0.52, 0.5]])
    w = smc.smc_weights(
        np.array([[0.5, 0.5], [0.9, 0.1]]), prev, np.array([0.5, 0.5]), np.eye(2) * 0.02
    )
    assert w.sum() == pytest.approx(1.0)
    assert w[1] > w[0]


def test_weights_match_the_formula_for_one_dimension():
    prev, pw = np.array([[0.2], [0.8]]), np.array([0.25, 0.75])
    z, var = np.array([[0.3], [0.7]]), 0.04
    w = smc.smc_weights(z, prev, pw, np.array([[var]]))
    dens = [sum(p * math.exp(-((x - m) ** 2) / (2 * var)) for p, m in zip(pw, prev[:, 0], strict=True))
            for x in z[:, 0]]  # fmt: skip
    expected = np.array([1 / d for d in dens])
    assert np.allclose(w, expected / expected.sum())


def test_weighted_quantile_and_ess():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert smc.weighted_quantile(x, np.array([1, 1, 1, 1.0]), 0.5) == 2.0
    assert smc.weighted_quantile(x, np.array([0, 0, 0, 1.0]), 0.5) == 4.0
    assert smc.effective_sample_size(np.array([1.0, 0, 0, 0])) == 1.0


def test_unit_maps_round_trip_and_loguniform_is_uniform_in_the_log():
    p = FreeParameter("x", 0.01, 1.0, "loguniform")
    assert p.from_unit(0.5) == pytest.approx(0.1)
    assert p.to_unit(p.from_unit(0.3)) == pytest.approx(0.3)
    q = FreeParameter("y", 2.0, 6.0)
    assert q.from_unit(0.25) == pytest.approx(3.0)


def _check(kind, low, high=math.nan):
    return Check("c", "s", None, None, None, kind, low, high)


@pytest.mark.parametrize(
    ("check", "value", "scale", "expected"),
    [
        (_check("band", 1.0, 3.0), 2.0, 1.0, 0.0),
        (_check("band", 1.0, 3.0), 4.0, 1.0, 0.5),
        (_check("band", 1.0, 3.0), 0.0, 1.0, 0.5),
        (_check("above", 0.4), 0.5, 0.1, 0.0),
        (_check("above", 0.4), 0.2, 0.1, 2.0),
        (_check("not_above", 0.0), 0.3, 0.1, 3.0),
        (_check("null", 0.0), -0.2, 0.1, 2.0),
        (_check("band", 1.0, 3.0), math.nan, 1.0, MISSING),
    ],
)
def test_check_distance(check, value, scale, expected):
    assert check_distance(check, value, scale) == pytest.approx(expected)


def test_distance_is_the_root_mean_square_over_checks():
    fact = Fact("f", "t", "c", "s", "w", "m", "standard", "levels", (), (
        Check("a", "a", None, None, None, "band", 0.0, 1.0),
        Check("b", "b", None, None, None, "band", 0.0, 1.0),
    ))  # fmt: skip
    assert distance({"f: a": 0.5, "f: b": 3.0}, [fact], {}) == pytest.approx(math.sqrt(2.0))
