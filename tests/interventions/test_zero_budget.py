"""Zero budget changes nothing; before its start an intervention changes nothing; runs repeat."""

import numpy as np
import pandas as pd
import pytest

from supportnet import SupportModel
from supportnet.interventions import INTERVENTIONS, build
from tests.conftest import SMALL

STEPS = 25
SEEDS = (1, 2)


def _run(seed, interventions=(), steps=STEPS):
    m = SupportModel(rng=seed, interventions=list(interventions), **SMALL)
    m.run_for(steps)
    return m


def _same_state(a, b):
    pa, pb = a.population, b.population
    for name in ("stress", "depression", "loneliness", "capacity", "perceived_support", "need",
                 "seeking_boost", "tie_formation", "online_formation", "generic_support"):  # fmt: skip
        assert np.array_equal(getattr(pa, name), getattr(pb, name)), name
    assert np.array_equal(a.ties.keys, b.ties.keys)
    assert np.array_equal(a.ties.strength[a.ties.key_slots], b.ties.strength[b.ties.key_slots])
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


@pytest.fixture(scope="module")
def controls():
    return {seed: _run(seed) for seed in SEEDS}


@pytest.mark.parametrize("kind", list(INTERVENTIONS))
@pytest.mark.parametrize("budget", [0.0, "below_cost", "zero_duration"])
def test_zero_budget_is_bitwise_identical_to_no_intervention(kind, budget, controls):
    cost = INTERVENTIONS[kind].parameters()["cost"].default
    spec = {"kind": kind, "budget": budget}
    if budget == "below_cost":
        spec["budget"] = cost * 0.99
    elif budget == "zero_duration":
        spec.update(budget=50.0, duration=0)
    for seed in SEEDS:
        iv = build(spec)
        m = _run(seed, [iv])
        pd.testing.assert_frame_equal(m.dataframe(), controls[seed].dataframe(), check_exact=True)
        _same_state(m, controls[seed])
        assert iv.spent == 0 and iv.reached == 0 and iv.ties_created == 0


@pytest.mark.parametrize("kind", list(INTERVENTIONS))
def test_nothing_changes_before_the_start(kind, controls):
    start = 12
    for seed in SEEDS:
        iv = build({"kind": kind, "budget": 40, "start": start})
        m = _run(seed, [iv])
        ctrl = controls[seed].dataframe()
        df = m.dataframe()
        pd.testing.assert_frame_equal(df.loc[: start - 1], ctrl.loc[: start - 1], check_exact=True)
        assert iv.first_reached[iv.first_reached >= 0].min() == start
        assert not df.loc[start:].equals(ctrl.loc[start:])  # ...and it acts from the start on


@pytest.mark.parametrize("kind", list(INTERVENTIONS))
def test_same_seed_same_run_and_objects_can_be_reused(kind):
    iv = build({"kind": kind, "budget": 30, "start": 3})
    a = _run(5, [iv], steps=15)
    status = iv.status()
    b = _run(5, [iv], steps=15)  # setup resets the object's state
    assert iv.status() == status
    pd.testing.assert_frame_equal(a.dataframe(), b.dataframe(), check_exact=True)
    c = _run(5, [build({"kind": kind, "budget": 30, "start": 3})], steps=15)
    pd.testing.assert_frame_equal(a.dataframe(), c.dataframe(), check_exact=True)


def test_interventions_never_draw_from_the_model_generator():
    # Same stream position after setup as without interventions, whatever the budget.
    ivs = [build({"kind": k, "budget": 50}) for k in INTERVENTIONS]
    with_all = SupportModel(rng=9, interventions=ivs, **SMALL)
    alone = SupportModel(rng=9, **SMALL)
    assert with_all.rng.bit_generator.state == alone.rng.bit_generator.state
    # Two interventions of the same kind get different streams.
    a, b = build({"kind": "outreach", "budget": 10}), build({"kind": "outreach", "budget": 10})
    SupportModel(rng=9, interventions=[a, b], **SMALL)
    assert a.rng.random() != b.rng.random()
