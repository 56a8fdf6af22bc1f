"""The model's run totals (recording only): never decreasing for the same person, never NaN,
consistent with a step; a newcomer's row starts afresh."""

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
    leave_rate=st.sampled_from([0.0, 0.04, 0.9]),
    steps=st.integers(1, 12),
)
def test_run_totals_never_decrease_and_are_never_nan(
    seed, stressor_rate, end_hazard, closure_rate, leave_rate, steps
):
    m = SupportModel(rng=seed, stressor_rate=stressor_rate, end_hazard=end_hazard,
                     closure_rate=closure_rate, leave_rate=leave_rate, **SMALL)  # fmt: skip
    pop, ties = m.population, m.ties
    assert all(not getattr(pop, name).any() for name in TOTALS) and not ties.contacts.any()
    for _ in range(steps):
        before = {name: getattr(pop, name).copy() for name in TOTALS}
        arrived = pop.arrived.copy()
        keys, formed, contacts = ties.keys.copy(), ties.formed.copy(), ties.contacts.copy()
        m.step()
        # A row whose arrival step changed holds a newcomer (turnover): their totals start afresh.
        stayed = pop.arrived == arrived
        assert (pop.arrived[~stayed] == m.steps).all()
        for name in TOTALS:
            now = getattr(pop, name)
            assert np.isfinite(now).all() and (now[stayed] >= before[name][stayed]).all(), name
            assert (now[~stayed] >= 0).all(), name
        # A newcomer's totals are this step's alone (they arrive first thing in the step).
        assert np.allclose(pop.stressor_total[~stayed], pop.event[~stayed])
        assert np.allclose(pop.given_total[~stayed], pop.given[~stayed])
        # Each tie that ended counts once at each end that is still the same person.
        slot = ties.find_keys(keys)
        kept = slot >= 0
        kept[kept] &= ties.formed[slot[kept]] == formed[kept]
        ended = keys[~kept]
        assert len(ended) == m.last_step.ended
        lo, hi = ended >> 32, ended & 0xFFFFFFFF
        lost = pop.ties_lost_total[stayed].sum() - before["ties_lost_total"][stayed].sum()
        assert lost == stayed[lo].sum() + stayed[hi].sum()
        # Ties that lasted keep their count plus this step's everyday contacts (a whole number).
        gained = ties.contacts[slot[kept]] - contacts[kept]
        assert (gained >= 0).all() and np.array_equal(gained, np.round(gained))
        assert np.isfinite(ties.contacts).all() and (ties.contacts >= 0).all()
    assert (pop.arrived <= m.steps).all()
