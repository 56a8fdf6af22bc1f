"""Phases 2 and 8, caregiving as a role: needs start and end, carers are assigned and released,
care is given (and counted as support), and the role costs the carer."""

import networkx as nx
import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.mechanisms import StepContext, caregiving, giving, seeking
from supportnet.mechanisms.caregiving import INSTRUMENTAL
from tests.conftest import SMALL


def context(m, step=1):
    return StepContext(pop=m.population, ties=m.ties, params=m.params, rng=m.rng, step=step,
                       shock=m.shock_mask(step))  # fmt: skip


def town(edges, n=None, **params):
    """A model on a hand-made network: edges (a, b, kind, strength)."""
    G = nx.Graph()
    G.add_nodes_from(range(n or 1 + max(max(a, b) for a, b, *_ in edges)))
    for a, b, kind, strength in edges:
        G.add_edge(a, b, kind=kind, strength=strength, conflict=0.0)
    return SupportModel(rng=1, graph=G, **params)


def test_weekly_hazard_gives_the_yearly_rate():
    for rate in (0.0, 0.02, 0.3, 1.0):
        assert (1 - caregiving.weekly(rate)) ** 52 == pytest.approx(1 - rate)


def test_needs_start_and_end_at_their_rates_and_set_a_floor_on_practical_need():
    m = SupportModel(rng=2, care_onset_rate=1.0, care_end_rate=0.0, care_need=0.6, **SMALL)
    pop = m.population
    pop.need[:] = 0.0
    caregiving.run_roles(context(m))
    assert pop.care_need[pop.members].all()  # a yearly rate of 1 is a weekly hazard of 1
    assert np.all(pop.need[:, INSTRUMENTAL] >= 0.6) and np.all(pop.need[:, 0] == 0)
    m2 = SupportModel(rng=2, care_onset_rate=0.0, care_end_rate=1.0, **SMALL)
    m2.population.care_need[:10] = True
    caregiving.run_roles(context(m2))
    assert not m2.population.care_need.any()
    # Statistically: the share of people whose need starts in a week is the weekly hazard.
    big = SupportModel(rng=3, n_people=3000, n_groups=200, care_onset_rate=0.5, **SMALL_REST)
    big.population.care_need[:] = False  # the town starts at the steady state; start from none
    caregiving.run_roles(context(big))
    h = caregiving.weekly(0.5)
    assert abs(big.population.care_need.mean() - h) < 4 * np.sqrt(h * (1 - h) / 3000)


SMALL_REST = {k: v for k, v in SMALL.items() if k not in ("n_people", "n_groups")}


def test_the_carer_is_the_strongest_free_family_tie_else_any_tie():
    # Person 0 needs care: family 1 (0.5) and 2 (0.9), friend 3 (1.0), professional 4 (1.0).
    edges = [(0, 1, "family", 0.5), (0, 2, "family", 0.9), (0, 3, "friend", 1.0),
             (0, 4, "professional", 1.0), (2, 5, "family", 0.8)]  # fmt: skip
    m = town(edges, care_onset_rate=0.0)
    pop = m.population
    pop.care_need[0] = True
    caregiving.assign_carers(context(m))
    assert pop.cared_by[0] == 2 and pop.carer_of[2] == 0
    # If 2 already cares for someone, the next strongest family tie takes the role.
    m = town(edges, care_onset_rate=0.0)
    pop = m.population
    pop.care_need[[0, 5]] = True
    caregiving.assign_carers(context(m))  # 0 first (index order): takes 2; 5 has only 2 ...
    assert pop.cared_by[0] == 2 and pop.cared_by[5] == -1  # ... who is taken: 5 waits
    m = town(edges, care_onset_rate=0.0)
    pop = m.population
    pop.care_need[0] = True
    pop.carer_of[2], pop.cared_by[5] = 5, 2  # 2 is busy caring for 5
    pop.care_need[5] = True
    caregiving.assign_carers(context(m))
    assert pop.cared_by[0] == 1
    # No family free: a friend (never a professional); nobody in need cares for anyone.
    m = town(edges, care_onset_rate=0.0)
    pop = m.population
    pop.care_need[[0, 1, 2]] = True
    caregiving.assign_carers(context(m))
    assert pop.cared_by[0] == 3 and pop.carer_of[4] == -1
    assert pop.carer_of[1] == -1 and pop.carer_of[2] == -1


def test_roles_are_released_when_the_need_ends_the_tie_ends_or_someone_leaves():
    edges = [(0, 1, "family", 0.9), (2, 3, "family", 0.9), (4, 5, "friend", 0.9)]
    m = town(edges, care_onset_rate=0.0, care_end_rate=0.0)
    pop, t = m.population, m.ties
    pop.care_need[[0, 2, 4]] = True
    caregiving.assign_carers(context(m))
    assert pop.cared_by[[0, 2, 4]].tolist() == [1, 3, 5]
    pop.care_need[0] = False  # the need ends
    t.remove(t.find(np.array([4]), np.array([5])))  # 4 and 5 fall out
    pop.carer_of[3] = -1  # 3 left the town: a newcomer's row has no role (turnover)
    caregiving.release_carers(context(m))
    assert (pop.cared_by[[0, 2, 4]] == -1).all() and (pop.carer_of[[1, 3, 5]] == -1).all()
    # Those still in need get a carer again if a tie is free: 2's family tie to 3 is still there
    # (here 3 only lost the role); 4 has no tie left and waits.
    caregiving.assign_carers(context(m))
    assert pop.cared_by[2] == 3 and pop.cared_by[4] == -1


def test_a_leaving_carer_is_replaced_through_turnover():
    m = SupportModel(rng=4, care_onset_rate=0.5, leave_rate=0.9, **SMALL)
    m.run_for(30)
    pop = m.population
    carers = np.flatnonzero(pop.carer_of >= 0)
    assert len(carers) > 0
    # Every role is between two people who are both still tied (checked at the start of each
    # step: roles are released there); and every carer's row is someone who arrived before.
    assert np.array_equal(pop.cared_by[pop.carer_of[carers]], carers)


def test_care_is_support_given_and_received_and_costs_the_carer():
    m = SupportModel(rng=5, care_onset_rate=0.5, care_hours=0.3, care_stress=0.05,
                     help_seeking_mean=1.0, help_seeking_sd=0.0, **SMALL)  # fmt: skip
    m.run_for(20)  # roles build up
    pop, p = m.population, m.params
    ctx = context(m, step=21)
    pop.need[:] = 0.3
    ctx.contact[:] = True
    seeking.run(ctx)
    giving.run(ctx)
    given, received = pop.given.copy(), pop.received.copy()
    stress, flows = pop.stress.copy(), ctx.flow_uv.sum() + ctx.flow_vu.sum()
    carers = np.flatnonzero(pop.carer_of >= 0)
    assert len(carers) > 0
    caregiving.give_care(ctx)
    care = pop.given - given
    assert (care[carers] > 0).any() and np.all(care[pop.carer_of < 0] == 0)
    assert np.all(care[carers] <= p.care_hours * pop.capacity_max[carers] + 1e-12)
    # Care is practical support from the carer to the person they care for ...
    got = pop.received - received
    assert np.allclose(got[:, [0, 2, 3]], 0)
    assert np.allclose(got[pop.carer_of[carers], INSTRUMENTAL], care[carers])
    # ... and counted like any support: given equals received, flows and totals include it.
    assert pop.given.sum() == pytest.approx(pop.received.sum())
    assert ctx.flow_uv.sum() + ctx.flow_vu.sum() == pytest.approx(flows + care.sum())
    assert ctx.given_by_type.sum() == pytest.approx(pop.given.sum())
    # The role is a stressor whatever capacity is left.
    assert np.allclose(pop.stress[carers], stress[carers] + p.care_stress * (1 - stress[carers]))
    others = pop.carer_of < 0
    assert np.array_equal(pop.stress[others], stress[others])
    assert pop.carer[carers].all() and not pop.carer[others].any()


def test_the_town_starts_with_care_roles_at_their_steady_state():
    from supportnet.mechanisms.turnover import weekly_leave_probability

    rates = dict(care_onset_rate=0.05, care_end_rate=0.3, leave_rate=0.1)
    m = SupportModel(rng=8, n_people=3000, n_groups=200, **rates, **SMALL_REST)
    pop = m.population
    h_on, h_end = caregiving.weekly(0.05), caregiving.weekly(0.3)
    pi = h_on / (h_on + h_end + weekly_leave_probability(0.1))
    assert caregiving.stationary_need_share(m.params) == pytest.approx(pi)
    assert abs(pop.care_need.mean() - pi) < 4 * np.sqrt(pi * (1 - pi) / 3000)
    # Without turnover nobody leaves: the share is h_on / (h_on + h_end).
    still = SupportModel(rng=8, turnover=False, **rates, **SMALL)
    assert caregiving.stationary_need_share(still.params) == pytest.approx(h_on / (h_on + h_end))
    # Everyone in need has a carer unless every partner is caring or in need already.
    need = np.flatnonzero(pop.care_need)
    assert (pop.cared_by[need] >= 0).mean() > 0.9
    G = m.graph
    for i in need[pop.cared_by[need] < 0]:
        assert all(pop.carer_of[j] >= 0 or pop.care_need[j] for j in G.neighbors(int(i)))
    carers = pop.cared_by[pop.cared_by >= 0]
    assert len(np.unique(carers)) == len(carers)
    assert np.array_equal(pop.carer_of[carers], np.flatnonzero(pop.cared_by >= 0))
    assert np.all(pop.need[need, INSTRUMENTAL] >= m.params.care_need)
    # Stationary: the share in need after 2 years of steps is still the steady-state share.
    m.run_for(104)
    assert abs(pop.care_need.mean() - pi) < 5 * np.sqrt(pi * (1 - pi) / 3000)


def test_switch_off_gives_no_roles_and_no_care():
    m = SupportModel(rng=6, caregiving=False, care_onset_rate=1.0, **SMALL)
    m.run_for(10)
    pop = m.population
    assert not pop.care_need.any() and (pop.carer_of == -1).all() and not pop.carer.any()
