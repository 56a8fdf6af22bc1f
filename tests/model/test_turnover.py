"""Phase 1, turnover: people leave, newcomers take their rows, their ties end, locals join families."""

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.kinds import FAMILY
from supportnet.mechanisms import StepContext, turnover
from tests.conftest import SMALL


def make(seed=1, **params):
    m = SupportModel(rng=seed, **{**SMALL, **params})
    ctx = StepContext(pop=m.population, ties=m.ties, params=m.params, rng=m.rng, step=7,
                      shock=m.shock_mask(7))  # fmt: skip
    return m, ctx


def test_the_weekly_probability_gives_the_yearly_rate():
    for rate in (0.0, 0.04, 0.5, 1.0):
        h = turnover.weekly_leave_probability(rate)
        assert (1 - h) ** 52 == pytest.approx(1 - rate)


def test_leavers_rows_are_replaced_by_newcomers_and_the_town_keeps_its_size():
    m, ctx = make(leave_rate=0.99)
    pop = m.population
    n, members = pop.n, pop.members.sum()
    interests = pop.interests.copy()
    turnover.run(ctx)
    who = ctx.replaced
    assert 0 < len(who) < n
    assert pop.n == n and pop.members.sum() == members  # the town's size stays the same
    assert (pop.arrived[who] == 7).all() and (np.delete(pop.arrived, who) == 0).all()
    assert not np.allclose(pop.interests[who], interests[who])  # traits drawn afresh
    assert np.array_equal(np.delete(pop.interests, who, 0), np.delete(interests, who, 0))
    # Newcomers arrive without a care role, stress from before or a history.
    assert (pop.carer_of[who] == -1).all() and (pop.cared_by[who] == -1).all()
    assert (pop.stressor_total[who] == 0).all() and (pop.ties_lost_total[who] == 0).all()


def test_the_share_who_leave_matches_the_rate():
    m, ctx = make(n_people=2000, n_groups=100, leave_rate=0.5)
    turnover.run(ctx)
    h = turnover.weekly_leave_probability(0.5)
    expected, sd = 2000 * h, np.sqrt(2000 * h * (1 - h))
    assert abs(len(ctx.replaced) - expected) < 4 * sd


def test_leavers_ties_end_and_their_partners_lose_a_tie():
    m, ctx = make(leave_rate=0.99, local_entry_share=0.0)  # newcomers from elsewhere: no ties
    t, pop = m.ties, m.population
    u0, v0, m0 = t.u.copy(), t.v.copy(), t.m
    turnover.run(ctx)
    who = ctx.replaced
    left = np.zeros(pop.n, bool)
    left[who] = True
    gone = left[u0] | left[v0]
    assert t.m == m0 - gone.sum() and ctx.ended == gone.sum()
    assert not (left[t.u] | left[t.v]).any()  # nobody is tied to a newcomer from elsewhere
    # Each partner who stayed counts the ties they lost.
    lost = np.bincount(v0[gone & ~left[v0]], minlength=pop.n) + np.bincount(
        u0[gone & ~left[u0]], minlength=pop.n
    )
    assert np.array_equal(pop.ties_lost_total, lost)


def test_local_newcomers_join_a_resident_and_that_residents_family():
    m, ctx = make(leave_rate=0.99, local_entry_share=1.0)
    t, pop = m.ties, m.population
    family_before = {
        (int(a), int(b)) for a, b, k in zip(t.u, t.v, t.kind, strict=True) if k == FAMILY
    }
    homes = pop.home.copy()
    turnover.run(ctx)
    who = ctx.replaced
    assert len(who) > 0 and ctx.formed > 0
    new = t.formed == 7
    assert (t.kind[new] == FAMILY).all()
    assert (t.strength[new] >= m.params.family_floor).all()
    joined = 0
    for person in who:
        mine = new & ((t.u == person) | (t.v == person))
        partners = np.where(t.u[mine] == person, t.v[mine], t.u[mine])
        assert 1 <= len(partners) <= turnover.MAX_FAMILY
        residents = [int(p) for p in partners if p not in who]
        if not residents:
            continue  # they joined someone who left in the same step
        joined += 1
        # One of them is the resident they joined; the others are that resident's family.
        assert any(
            all((min(a, b), max(a, b)) in family_before for b in residents if b != a)
            for a in residents
        )
        # They live next to the resident they joined (a jitter of at most 0.01 on the torus).
        d = np.abs(pop.home[person] - homes[residents])
        d = np.minimum(d, 1 - d).max(axis=1)
        assert d.min() <= 0.01 + 1e-12
    assert joined > 0


def test_switch_off_and_zero_rate_leave_everyone_in_place():
    for kw in ({"turnover": False, "leave_rate": 0.9}, {"leave_rate": 0.0}):
        m, ctx = make(**kw)
        state = m.rng.bit_generator.state
        keys = m.ties.keys.copy()
        turnover.run(ctx)
        assert len(ctx.replaced) == 0 and np.array_equal(keys, m.ties.keys)
        assert m.rng.bit_generator.state == state  # no draws either


def test_professionals_never_leave():
    from supportnet.interventions import build

    iv = build({"kind": "professional", "start": 1, "budget": 20, "cost": 5})
    m = SupportModel(rng=3, interventions=[iv], leave_rate=0.99, **SMALL)
    m.run_for(10)
    pros = np.flatnonzero(m.population.is_professional)
    assert len(pros) > 0 and (m.population.arrived[pros] == 1).all()
