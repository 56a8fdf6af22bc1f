"""Phase 1, turnover: people leave, newcomers take their rows, their ties end, locals join families."""

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.kinds import FAMILY
from supportnet.mechanisms import StepContext, turnover
from supportnet.space import grid_size
from tests.conftest import SMALL


def make(seed=1, **params):
    m = SupportModel(rng=seed, **{**SMALL, **params})
    ctx = StepContext(pop=m.population, ties=m.ties, params=m.params, rng=m.rng, step=7,
                      shock=m.shock_mask(7), families=m.n_families)  # fmt: skip
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
    arrived = pop.arrived.copy()
    turnover.run(ctx)
    who = ctx.replaced
    assert 0 < len(who) < n
    assert pop.n == n and pop.members.sum() == members  # the town's size stays the same
    assert (pop.arrived[who] == 7).all() and np.array_equal(
        np.delete(pop.arrived, who), np.delete(arrived, who)
    )
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


def test_local_newcomers_join_a_family_and_are_tied_to_all_its_members():
    m, ctx = make(n_people=400, n_groups=10, leave_rate=0.99, local_entry_share=1.0)
    t, pop = m.ties, m.population
    homes, groups, family_before = pop.home.copy(), pop.group.copy(), pop.family.copy()
    turnover.run(ctx)
    who = ctx.replaced
    assert len(who) > 5 and ctx.formed > 0
    assert (pop.family[who] >= 0).all()  # everyone joins a family
    new = t.formed == 7
    assert (t.kind[new] == FAMILY).all() and (t.strength[new] >= m.params.family_floor).all()
    half_cell = 0.25 / grid_size(pop.n, m.params.neighbourhood_size) + 1e-12
    placed = 0
    for person in who:
        mine = new & ((t.u == person) | (t.v == person))
        partners = set(np.where(t.u[mine] == person, t.v[mine], t.u[mine]).tolist())
        # Tied to exactly the other members of their family (old members and fellow newcomers).
        family = set(np.flatnonzero(pop.family == pop.family[person]).tolist()) - {person}
        assert partners == family
        old = [int(q) for q in family if q not in who]
        if old:  # near one of the old members, in the family's group
            assert family_before[old].tolist() == [pop.family[person]] * len(old)
            d = np.abs(pop.home[person] - homes[old])
            assert np.minimum(d, 1 - d).max(axis=1).min() <= half_cell
            assert pop.group[person] == groups[old[0]]
            placed += 1
    assert placed > 0


def test_the_family_structure_keeps_its_starting_law_under_turnover():
    """Families are stationary: after most of the town has been replaced, the family sizes still
    follow the starting law, Poisson(l n / F) per slot (the old rule, join a random resident's
    family, made them heavy-tailed: a variance many times the mean)."""
    m, ctx = make(n_people=3000, n_groups=100, leave_rate=0.99)
    pop, p = m.population, m.params
    slots = m.n_families
    mean = p.local_entry_share * pop.n / slots

    def sizes():
        return np.bincount(pop.family[pop.family >= 0], minlength=slots)

    start = sizes()
    for step in range(8, 8 + 120):  # ~ 1 - 0.92^120: all but 0.01% of the town replaced
        ctx.step = step
        turnover.run(ctx)
    assert (pop.arrived > 0).mean() > 0.99
    end = sizes()
    for s in (start, end):
        assert s.mean() == pytest.approx(mean, rel=0.05)
        assert s.var() / s.mean() == pytest.approx(1.0, abs=0.15)  # Poisson: variance = mean
        assert (s == 0).mean() == pytest.approx(np.exp(-mean), abs=0.03)
    # Family ties are complete within each family and join no one else.
    t = m.ties
    fam = t.kind == FAMILY
    assert (pop.family[t.u[fam]] == pop.family[t.v[fam]]).all()
    assert fam.sum() == (end * (end - 1) // 2).sum()


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
