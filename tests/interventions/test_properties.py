"""Invariants under any allowed settings (hypothesis): bounds, accounting, budget, no NaN."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportnet import SupportModel
from supportnet.interventions import INTERVENTIONS, TARGETING_RULES, build

TINY = {"n_people": 30, "convoy_inner": 2, "convoy_sympathy": 4, "convoy_wider": 8, "n_groups": 3}
STEPS = 6


def _value(p, draw):
    if p.type is str:
        return draw(st.sampled_from(p.choices))
    # Keep sizes and lengths small so that examples stay fast and reach the interesting cases.
    high = min(p.high, {"start": 4, "duration": 8, "budget": 60}.get(p.name, p.high))
    high = min(high, 30) if p.type is int else high
    if p.type is int:
        return draw(st.integers(int(p.low), int(high)))
    return draw(st.floats(p.low, min(high, 50.0), allow_nan=False))


@st.composite
def specs(draw):
    kind = draw(st.sampled_from(list(INTERVENTIONS)))
    params = INTERVENTIONS[kind].parameters()
    names = draw(st.lists(st.sampled_from(list(params)), unique=True, max_size=len(params)))
    spec = {"kind": kind, "targeting": draw(st.sampled_from(TARGETING_RULES))}
    for name in names:
        spec[name] = _value(params[name], draw)
    if "tie_strength" in params:  # must start above the model's end threshold (checked at setup)
        spec["tie_strength"] = max(spec.get("tie_strength", 0.3), 0.06)
    return spec


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), seed=st.integers(0, 2**16))
def test_any_allowed_settings_keep_the_model_sound(spec, seed):
    iv = build(spec)
    m = SupportModel(rng=seed, interventions=[iv], **TINY)
    for _ in range(STEPS):
        m.step()
        pop = m.population
        for name in ("stress", "depression", "loneliness", "perceived_support"):
            x = getattr(pop, name)
            assert np.isfinite(x).all() and (x >= 0).all() and (x <= 1).all(), name
        assert (pop.capacity >= 0).all() and (pop.capacity <= pop.capacity_max + 1e-12).all()
        assert np.isclose(pop.given.sum(), pop.received.sum())
        assert np.isfinite(pop.seeking_boost).all() and (pop.tie_formation >= -1e-12).all()
        t = m.ties
        assert (t.u < t.v).all() and (t.strength > 0).all() and (t.strength <= 1).all()
        assert len(np.unique(t.keys)) == t.m
        assert not m.dataframe().iloc[-1].drop("loneliness_assortativity").isna().any()
    # Never more spent than the budget allows, never anyone reached before the start.
    assert iv.spent <= iv.units * iv.cost * iv.steps_acted + 1e-9
    reached = iv.first_reached[iv.first_reached >= 0]
    assert (reached >= iv.start).all() and (reached < iv.start + iv.duration).all()
    assert iv.steps_acted == max(0, min(m.steps, iv.end - 1) - iv.start + 1) * (iv.units > 0)
    if spec["kind"] == "professional" and len(getattr(iv, "professionals", ())):
        clients = iv.client_of[iv.client_of >= 0]  # none left once a short service has closed
        assert np.bincount(clients - iv.professionals[0], minlength=1).max() <= iv.caseload
        assert len(clients) <= iv.units
