"""Designs and the run plan: counts, bounds, order, seeding; seeds independent of order."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportnet.experiments.config import parse_config
from supportnet.experiments.designs import design_points
from supportnet.experiments.plan import plan_runs, run_seed
from tests.experiments.conftest import TINY

RANGES = {"stressor_rate": [0.01, 0.2], "n_groups": [1, 4], "capacity_mean": [0.2, 0.9]}


def sampled(kind, samples, seed=11, **extra):
    data = copy.deepcopy(TINY)
    data.pop("control")
    data["seed"] = seed
    data["design"] = {"kind": kind, "samples": samples, "ranges": RANGES, **extra}
    return parse_config(data)


def test_grid_is_full_factorial_last_key_fastest():
    points = design_points(parse_config(TINY))
    assert points == [
        {"stressor_rate": 0.02, "buffering": True},
        {"stressor_rate": 0.02, "buffering": False},
        {"stressor_rate": 0.1, "buffering": True},
        {"stressor_rate": 0.1, "buffering": False},
    ]


def test_grid_without_factors_is_one_point():
    data = copy.deepcopy(TINY)
    data.pop("control")
    data.pop("design")
    assert design_points(parse_config(data)) == [{}]


@pytest.mark.parametrize(
    ("kind", "samples", "extra", "n_points"),
    [
        ("lhs", 10, {}, 10),
        ("sobol", 8, {}, 8 * (3 + 2)),
        ("sobol", 8, {"second_order": True}, 8 * (2 * 3 + 2)),
        ("morris", 5, {}, 5 * (3 + 1)),
    ],
)
def test_sampled_designs_size_bounds_types_and_seed(kind, samples, extra, n_points):
    points = design_points(sampled(kind, samples, **extra))
    assert len(points) == n_points
    for key, (low, high) in RANGES.items():
        xs = np.array([p[key] for p in points])
        assert xs.min() >= low and xs.max() <= high
        assert len(set(xs)) > 1
    assert all(isinstance(p["n_groups"], int) for p in points)  # whole-number parameter rounded
    assert all(isinstance(p["stressor_rate"], float) for p in points)
    assert design_points(sampled(kind, samples, **extra)) == points  # seeded
    assert design_points(sampled(kind, samples, seed=12, **extra)) != points


def test_latin_hypercube_fills_every_stratum():
    points = design_points(sampled("lhs", 10))
    strata = np.floor((np.array([p["stressor_rate"] for p in points]) - 0.01) / 0.019)
    assert sorted(strata.astype(int)) == list(range(10))


def test_plan_ids_seeds_and_order():
    specs = plan_runs(parse_config(TINY))
    assert [s.run_id for s in specs[:4]] == [
        "main-p000-r00",
        "main-p001-r00",
        "main-p002-r00",
        "main-p003-r00",
    ]
    assert len({s.run_id for s in specs}) == len(specs) == 8
    by_id = {s.run_id: s for s in specs}
    # The control's `where` key (buffering) is left out of the seed: paired points share it.
    assert by_id["main-p000-r00"].seed == by_id["main-p001-r00"].seed
    assert by_id["main-p000-r00"].seed != by_id["main-p002-r00"].seed
    assert by_id["main-p000-r00"].seed != by_id["main-p000-r01"].seed
    assert by_id["main-p001-r01"].params == {
        **TINY["base"],
        "stressor_rate": 0.02,
        "buffering": False,
    }
    assert len({s.digest for s in specs}) == 8


def test_arms_share_seeds_and_digests_track_settings():
    data = copy.deepcopy(TINY)
    data.pop("control")
    data["arms"] = [{"name": "a"}, {"name": "b", "set": {"capacity_mean": 0.9}}]
    specs = plan_runs(parse_config(data))
    by_id = {s.run_id: s for s in specs}
    assert by_id["a-p002-r01"].seed == by_id["b-p002-r01"].seed
    assert by_id["a-p002-r01"].digest != by_id["b-p002-r01"].digest
    assert by_id["b-p002-r01"].params["capacity_mean"] == 0.9


def test_seed_does_not_depend_on_the_other_points_of_the_design():
    small = {
        s.factors["stressor_rate"]: s.seed
        for s in plan_runs(parse_config(TINY))
        if s.replication == 0
    }
    data = copy.deepcopy(TINY)
    data["design"]["vary"]["stressor_rate"] = [0.05, 0.1, 0.02]
    bigger = {
        s.factors["stressor_rate"]: s.seed
        for s in plan_runs(parse_config(data))
        if s.replication == 0
    }
    assert bigger[0.02] == small[0.02] and bigger[0.1] == small[0.1]


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32), rep=st.integers(0, 1000), x=st.floats(0, 1, allow_nan=False))
def test_run_seed_is_a_function_of_its_inputs(seed, rep, x):
    s = run_seed(seed, rep, {"a": x})
    assert 0 <= s < 2**32
    assert s == run_seed(seed, rep, {"a": x})
    assert s != run_seed(seed, rep + 1, {"a": x}) or s != run_seed(seed, rep + 2, {"a": x})
