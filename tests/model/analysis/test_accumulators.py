"""The model's run totals (recording only): never decreasing, never NaN, consistent with a step."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportnet import SupportModel

from ...conftest import SMALL

TOTALS = ("stressor_total", "given_total", "received_kind_total", "ties_lost_total")


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(
    seed=st.integers(0, 2**16),
    stressor_rate=st.floats(0.0, 1.0),
    end_hazard=st.floats(0.0, 1.0),
    closure_rate=st.floats(0.0, 0.5),
    steps=st.integers(1, 12),
)
def test_run_totals_never_decrease_and_are_never_nan(
    seed, stressor_rate, end_hazard, closure_rate, steps
):
    m = SupportModel(rng=seed, stressor_rate=stressor_rate, end_hazard=end_hazard,
                     closure_rate=closure_rate, **SMALL)  # fmt: skip
    pop, ties = m.population, m.ties
    assert all(not getattr(pop, name).any() for name in TOTALS) and not ties.contacts.any()
    for _ in range(steps):
        before = {name: getattr(pop, name).copy() for name in TOTALS}
        keys, formed, contacts = ties.keys.copy(), ties.formed.copy(), ties.contacts.copy()
        m.step()
        for name in TOTALS:
            now = getattr(pop, name)
            assert np.isfinite(now).all() and (now >= before[name]).all(), name
        # Each ending tie counts once at both of its ends.
        lost = pop.ties_lost_total.sum() - before["ties_lost_total"].sum()
        assert lost == 2 * m.last_step.ended
        # Ties that lasted keep their count, plus at most one contact this step.
        slot = ties.find_keys(keys)
        kept = slot >= 0
        kept[kept] &= ties.formed[slot[kept]] == formed[kept]
        gained = ties.contacts[slot[kept]] - contacts[kept]
        assert np.isin(gained, (0.0, 1.0)).all()
        assert np.isfinite(ties.contacts).all()
        assert (ties.contacts <= np.maximum(m.steps - ties.formed, 0)).all()
    assert (pop.arrived == 0).all()
