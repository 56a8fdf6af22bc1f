"""Each phase of the step on its own: its equation, its bounds, and its switch."""

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.kinds import EVENT_NEEDS, FAMILY, FRIEND, LANDING, STRESS_RELIEF
from supportnet.mechanisms import (
    PHASES,
    StepContext,
    appraisal,
    costs,
    depression,
    giving,
    loneliness,
    perception,
    recovery,
    seeking,
    stressors,
    ties,
)
from tests.conftest import SMALL


def make(seed=1, **params):
    """A small model and a fresh context for its next step."""
    m = SupportModel(rng=seed, **{**SMALL, **params})
    return m, context(m)


def context(m, step=1):
    return StepContext(
        pop=m.population,
        ties=m.ties,
        params=m.params,
        rng=m.rng,
        step=step,
        shock=m.shock_mask(step),
    )


def run_until(m, ctx, name):
    """Run the phases before ``name`` on ctx."""
    for phase_name, phase in PHASES:
        if phase_name == name:
            return
        phase(ctx)


def snapshot(m):
    pop, t = m.population, m.ties
    return {
        "stress": pop.stress.copy(),
        "depression": pop.depression.copy(),
        "loneliness": pop.loneliness.copy(),
        "capacity": pop.capacity.copy(),
        "perceived_support": pop.perceived_support.copy(),
        "need": pop.need.copy(),
        "keys": t.keys.copy(),
        "strength": t.strength[t.key_slots].copy(),
    }


# --- stressors ----------------------------------------------------------------------------------
def test_stressors_add_the_event_profile_to_needs():
    m, ctx = make(stressor_rate=1.0)
    m.population.need[:] = 0
    stressors.run(ctx)
    pop = m.population
    assert np.all(pop.event > 0) and np.all(pop.event_kind >= 0)
    expected = np.minimum(1, pop.event[:, None] * EVENT_NEEDS[pop.event_kind])
    assert np.allclose(pop.need, expected)
    assert np.allclose(pop.stressor_load, pop.event)


def test_stressor_rate_zero_and_switch_off_bring_no_events():
    for kw in ({"stressor_rate": 0.0}, {"stressors": False}):
        m, ctx = make(**kw)
        need = m.population.need.copy()
        stressors.run(ctx)
        assert not m.population.event.any() and np.array_equal(need, m.population.need)


def test_shock_raises_the_rate_for_its_subgroup_only():
    m, ctx = make(
        stressor_rate=0.01,
        shock_start=1,
        shock_duration=5,
        shock_rate_multiplier=20,
        shock_subgroup="low_income",
        low_income_share=0.5,
    )
    rate, _ = stressors.event_rates(ctx)
    low = m.population.subgroup == 1
    assert np.allclose(rate[low], 0.01 * 1.5 * 20) and np.allclose(rate[~low], 0.01)
    assert not m.shock_mask(6).any() and m.shock_mask(5).sum() == low.sum()


# --- appraisal ----------------------------------------------------------------------------------
@pytest.mark.parametrize("buffering", [True, False])
def test_appraisal_buffers_event_impact(buffering):
    m, ctx = make(buffering=buffering, main_effect=False)
    pop = m.population
    pop.event[:] = 0.5
    pop.perceived_support[:] = np.linspace(0, 1, pop.n)
    s0 = pop.stress.copy()
    appraisal.run(ctx)
    factor = 1 - 0.7 * pop.perceived_support if buffering else 1.0
    assert np.allclose(pop.stress, s0 + 0.5 * factor * (1 - s0))


def test_main_effect_lowers_depression_by_perceived_support():
    m, ctx = make(main_effect_strength=0.01)
    pop = m.population
    pop.event[:] = 0
    d0 = pop.depression.copy()
    appraisal.run(ctx)
    assert np.allclose(pop.depression, np.maximum(0, d0 - 0.01 * pop.perceived_support))
    m, ctx = make(main_effect=False)
    d0 = m.population.depression.copy()
    appraisal.run(ctx)
    assert np.array_equal(d0, m.population.depression)


# --- seeking ------------------------------------------------------------------------------------
def test_nobody_asks_without_need_or_willingness():
    m, ctx = make()
    m.population.need[:] = 0
    seeking.run(ctx)
    assert not m.population.asked.any() and len(ctx.ask_arcs) == 0
    m, ctx = make(help_seeking_mean=0.0, help_seeking_sd=0.0)
    m.population.need[:] = 0.5
    seeking.run(ctx)
    assert not m.population.asked.any()


def test_askers_ask_about_ask_breadth_ties_preferring_strong_competent_ones():
    m, ctx = make(
        n_people=400, convoy_wider=20, help_seeking_mean=1.0, help_seeking_sd=0.0, ask_breadth=3.0
    )  # noqa: E501
    pop = m.population
    pop.need[:] = 0.5
    pop.depression[:] = 0
    pop.loneliness[:] = 0
    seeking.run(ctx)
    assert pop.asked.all()
    src, dst, slot = ctx.arcs()
    per_asker = np.bincount(src[ctx.ask_arcs], minlength=pop.n)
    assert 2.3 < per_asker.mean() < 3.2
    asked_strength = m.ties.strength[slot[ctx.ask_arcs]].mean()
    assert asked_strength > m.ties.strength.mean()
    # only arcs leaving an asker
    assert pop.asked[src[ctx.ask_arcs]].all()


def test_willingness_falls_with_depression_and_loneliness():
    m, ctx = make(help_seeking_mean=0.8, help_seeking_sd=0.0)
    pop = m.population
    pop.depression[:] = 0
    pop.loneliness[:] = 0
    base = seeking.willingness(ctx).copy()
    pop.depression[:] = 1
    assert np.allclose(seeking.willingness(ctx), base * 0.5)
    pop.depression[:] = 0
    pop.loneliness[:] = 1
    assert np.allclose(seeking.willingness(ctx), base * 0.5)
    pop.seeking_boost[:] = 0.3
    assert np.allclose(seeking.willingness(ctx), np.minimum(1, base * 0.5 + 0.3))


def test_seeking_switch_off():
    m, ctx = make(seeking=False)
    m.population.need[:] = 1
    seeking.run(ctx)
    assert not m.population.asked.any() and len(ctx.ask_arcs) == 0


# --- giving -------------------------------------------------------------------------------------
def asked_context(seed=1, **kw):
    m, ctx = make(seed, help_seeking_mean=1.0, help_seeking_sd=0.0, **kw)
    m.population.need[:] = m.rng.random(m.population.need.shape)
    seeking.run(ctx)
    return m, ctx


def test_giving_conserves_support_and_respects_budgets():
    m, ctx = asked_context()
    budget = giving.budget(ctx).copy()
    need0 = m.population.need.copy()
    giving.run(ctx)
    pop = m.population
    assert pop.given.sum() > 0
    assert np.isclose(pop.given.sum(), pop.received.sum())
    assert np.isclose(ctx.given_by_type.sum(), pop.given.sum())
    assert np.isclose(ctx.given_by_kind.sum(), pop.given.sum())
    assert np.isclose(ctx.flow_uv.sum() + ctx.flow_vu.sum(), pop.given.sum())
    assert np.all(pop.given <= budget + 1e-12)
    # nobody receives more than their need (per type) at asking time
    assert np.all(pop.received <= need0 + 1e-12)
    assert np.all(pop.need >= 0) and np.all(pop.need <= need0)


def test_support_lands_by_competence_and_tie_kind():
    m, ctx = asked_context()
    pop = m.population
    stress0 = pop.stress.copy()
    need0 = pop.need.copy()
    giving.run(ctx)
    giver, receiver, amount, kind = ctx.exchanges
    assert len(amount) > 0
    # recompute the landed support per receiver and type
    share = need0[receiver] / need0[receiver].sum(axis=1, keepdims=True)
    landed = amount[:, None] * share * pop.competence[giver] * LANDING[kind]
    eff = np.zeros_like(need0)
    np.add.at(eff, receiver, landed)
    assert np.allclose(pop.received_effective, eff)
    relief = np.zeros(pop.n)
    np.add.at(relief, receiver, landed.sum(axis=1) * STRESS_RELIEF[kind])
    assert np.allclose(pop.stress, stress0 * (1 - np.minimum(1, 0.5 * relief)))


def test_flows_and_balance_follow_the_tie_orientation():
    m, ctx = asked_context()
    giving.run(ctx)
    giver, receiver, amount, _ = ctx.exchanges
    t = m.ties
    slot = t.find(giver, receiver)
    lower_gives = giver < receiver  # u is the lower id: these flows are u -> v
    assert np.allclose(np.bincount(slot[lower_gives], amount[lower_gives], t.m), ctx.flow_uv)
    assert np.allclose(np.bincount(slot[~lower_gives], amount[~lower_gives], t.m), ctx.flow_vu)
    before = t.balance.copy()
    ctx.contact = np.ones(t.m, bool)
    ties.update_existing(ctx)
    assert np.allclose(t.balance, 0.9 * before + ctx.flow_uv - ctx.flow_vu)


def test_caseload_limits_how_many_a_giver_serves():
    m, ctx = asked_context()
    pop = m.population
    src, dst, _ = ctx.arcs()
    pop.caseload[:] = 1
    giving.run(ctx)
    giver = ctx.exchanges[0]
    assert np.bincount(giver).max() == 1
    asked_of = np.bincount(dst[ctx.ask_arcs], minlength=pop.n)
    assert (asked_of > 1).any()  # the limit was binding for some


def test_giving_switch_off_transfers_nothing():
    m, ctx = asked_context(giving=False)
    need0 = m.population.need.copy()
    giving.run(ctx)
    assert m.population.given.sum() == 0 and np.array_equal(need0, m.population.need)


# --- perception ---------------------------------------------------------------------------------
def test_perceived_support_moves_toward_its_target():
    m, ctx = asked_context(perception_bias_sd=0.0)
    giving.run(ctx)
    pop = m.population
    p0 = pop.perceived_support.copy()
    integ = perception.integration(ctx)
    perception.run(ctx)
    others = ~pop.asked
    assert np.allclose(
        pop.perceived_support[others], p0[others] + 0.1 * (integ[others] - p0[others])
    )  # noqa: E501
    asked = pop.asked
    ratio = np.minimum(1, pop.received_effective[asked].sum(1) / ctx.ask_need[asked])
    target = 0.5 * ratio + 0.5 * integ[asked]
    assert np.allclose(pop.perceived_support[asked], p0[asked] + 0.1 * (target - p0[asked]))


# --- costs --------------------------------------------------------------------------------------
def test_costs_spend_capacity_and_burden_givers():
    m, ctx = asked_context(conflict_mean=0.0)
    giving.run(ctx)
    pop = m.population
    cap0, s0 = pop.capacity.copy(), pop.stress.copy()
    costs.run(ctx)
    assert np.allclose(pop.capacity, np.maximum(0, cap0 - pop.given))
    over = np.maximum(0, pop.given / pop.capacity_max - 0.15)
    assert np.allclose(pop.stress, s0 + np.minimum(1, 0.5 * over) * (1 - s0))
    assert (over > 0).any()


def test_conflict_adds_stress_to_both_sides_of_used_ties():
    m, ctx = asked_context(burden_stress=0.0, conflict_mean=0.5)
    giving.run(ctx)
    pop, t = m.population, m.ties
    s0 = pop.stress.copy()
    costs.run(ctx)
    used = (ctx.flow_uv + ctx.flow_vu) > 0
    touched = np.zeros(pop.n, bool)
    touched[t.u[used]] = touched[t.v[used]] = True
    assert np.all(pop.stress[touched] > s0[touched]) and np.array_equal(
        pop.stress[~touched], s0[~touched]
    )  # noqa: E501


def test_costs_switch_off_keeps_capacity():
    m, ctx = asked_context(giving_costs=False)
    giving.run(ctx)
    cap0 = m.population.capacity.copy()
    costs.run(ctx)
    assert np.array_equal(cap0, m.population.capacity)


# --- recovery -----------------------------------------------------------------------------------
def test_recovery_copes_and_restores():
    m, ctx = make(depression_capacity_effect=0.0, stress_recovery_penalty=0.0)
    pop = m.population
    pop.capacity[:] = 0
    s0, n0 = pop.stress.copy(), pop.need.copy()
    recovery.run(ctx)
    assert np.allclose(pop.stress, s0 * (1 - pop.resilience))
    assert np.allclose(pop.capacity, 0.15 * pop.capacity_max)
    assert np.allclose(pop.need, n0 * 0.95)
    m, ctx = make(recovery=False)
    before = snapshot(m)
    recovery.run(ctx)
    after = snapshot(m)
    assert all(np.array_equal(before[k], after[k]) for k in before)


# --- loneliness ---------------------------------------------------------------------------------
def test_loneliness_moves_toward_the_contact_gap():
    m, ctx = make(contact_rate=0.0)  # no routine contact: everyone's gap is full
    pop = m.population
    l0 = pop.loneliness.copy()
    loneliness.run(ctx)
    assert not ctx.contact.any()
    assert np.allclose(pop.loneliness, l0 + 0.1 * (1 - l0))


def test_withdrawal_cuts_contact_of_lonely_people():
    m, ctx = make(withdrawal_strength=1.0)
    pop = m.population
    pop.loneliness[:] = 0
    pop.loneliness[0] = 1.0
    c = loneliness.contact_probability(ctx)
    mine = (m.ties.u == 0) | (m.ties.v == 0)
    assert np.all(c[mine] == 0) and np.all(c[~mine] > 0)
    m, ctx = make(withdrawal=False)
    m.population.loneliness[0] = 1.0
    assert np.all(loneliness.contact_probability(ctx) > 0)


def test_contagion_spreads_from_lonely_ties_and_is_off_by_default():
    m, ctx = make(contact_rate=1.0, loneliness_rate=0.0, loneliness_contagion=0.5)
    pop = m.population
    pop.loneliness[:] = 0
    pop.loneliness[0] = 1.0
    loneliness.run(ctx)
    nb = np.unique(np.r_[m.ties.v[m.ties.u == 0], m.ties.u[m.ties.v == 0]])
    assert np.all(pop.loneliness[nb] > 0)
    far = np.setdiff1d(np.arange(pop.n), np.r_[nb, 0])
    assert np.all(pop.loneliness[far] == 0)
    m, ctx = make(contact_rate=1.0, loneliness_rate=0.0)
    m.population.loneliness[:] = 0
    m.population.loneliness[0] = 1.0
    loneliness.run(ctx)
    assert m.population.loneliness.sum() == 1.0


def test_loneliness_switch_off():
    m, ctx = make(loneliness_dynamics=False)
    l0 = m.population.loneliness.copy()
    loneliness.run(ctx)
    assert np.array_equal(l0, m.population.loneliness)


# --- depression ---------------------------------------------------------------------------------
def test_depression_follows_stress_and_loneliness():
    m, ctx = make()
    pop = m.population
    d0 = pop.depression.copy()
    depression.run(ctx)
    drive = 0.8 * pop.stress + 0.3 * pop.loneliness
    expect = d0 + 0.08 * drive * (1 - d0)
    expect -= 0.03 * expect
    assert np.allclose(pop.depression, expect)
    m, ctx = make(depression_dynamics=False)
    d0 = m.population.depression.copy()
    depression.run(ctx)
    assert np.array_equal(d0, m.population.depression)


# --- ties ---------------------------------------------------------------------------------------
def test_used_ties_strengthen_more_when_reciprocal_and_idle_ties_decay():
    m, ctx = make(end_hazard=0.0, closure_rate=0, focal_rate=0, online_rate=0)
    t = m.ties
    t.strength[:] = 0.5
    ctx.flow_uv = np.zeros(t.m)
    ctx.flow_vu = np.zeros(t.m)
    ctx.flow_uv[0] = 0.1
    ctx.flow_uv[1] = ctx.flow_vu[1] = 0.1
    ctx.contact = np.zeros(t.m, bool)
    ctx.contact[[0, 1, 2]] = True  # 2: routine contact only
    kinds = t.kind.copy()
    ties.update_existing(ctx)
    assert np.isclose(t.strength[0], 0.5 + 0.05 * 0.5)
    assert np.isclose(t.strength[1], 0.5 + 0.05 * 1.5 * 0.5)
    assert np.isclose(t.strength[2], 0.5 + 0.03 * 0.5)
    idle = np.arange(t.m) > 2
    decay = np.array([0.001, 0.005, 0.008, 0.01, 0.0, 0.01])[kinds[idle]]
    assert np.allclose(
        t.strength[idle], np.maximum(0.5 * (1 - decay), np.where(kinds[idle] == FAMILY, 0.1, 0))
    )  # noqa: E501
    assert np.isclose(t.balance[0], 0.1) and np.isclose(t.balance[1], 0.0)
    assert t.last_contact[2] == 1 and t.last_contact[3] == 0


def test_weak_unbalanced_and_conflictual_ties_end_but_family_persists():
    m, ctx = make(end_hazard=1.0)
    t = m.ties
    ctx.contact = np.ones(t.m, bool)
    t.strength[:] = 0.5
    t.conflict[:] = 0.0
    t.balance[:] = 0.0
    t.strength[0] = 0.01
    t.kind[0] = FRIEND
    t.balance[1] = 5.0
    t.kind[1] = FRIEND
    t.conflict[2] = 1.0
    t.kind[2] = FRIEND
    t.kind[3] = FAMILY
    t.strength[3] = 0.01
    t.conflict[3] = 1.0
    ending = ties.update_existing(ctx)
    assert {0, 1, 2} <= set(ending.tolist()) and 3 not in ending
    assert t.strength[3] == 0.1  # family floor
    assert len(ending) == 3


def test_triadic_closure_ties_friends_of_friends():
    m, ctx = make(closure_rate=1.0, focal_rate=0, online_rate=0, withdrawal=False)
    draws = m.rng.random((ties.N_FORMATION_DRAWS, m.population.n))
    draws[3] = 0  # always accepted
    u, v, kind = ties.formation_candidates(ctx, draws)
    assert len(u) > 0 and np.all(kind == FRIEND)
    A = m.ties.adjacency()
    for a, b in zip(u, v, strict=True):
        assert a != b
        common = np.intersect1d(
            A.indices[A.indptr[a] : A.indptr[a + 1]], A.indices[A.indptr[b] : A.indptr[b + 1]]
        )  # noqa: E501
        assert len(common) > 0


def test_focal_and_online_formation_respect_groups_and_homophily():
    m, ctx = make(closure_rate=0, focal_rate=1.0, online_rate=0, homophily=0.0, withdrawal=False)
    draws = m.rng.random((ties.N_FORMATION_DRAWS, m.population.n))
    u, v, _ = ties.formation_candidates(ctx, draws)
    assert len(u) > 0 and np.all(m.population.group[u] == m.population.group[v])
    m, ctx = make(closure_rate=0, focal_rate=0, online_rate=1.0, homophily=20.0, withdrawal=False)
    draws = m.rng.random((ties.N_FORMATION_DRAWS, m.population.n))
    u, v, kind = ties.formation_candidates(ctx, draws)
    dist = np.linalg.norm(m.population.interests[u] - m.population.interests[v], axis=1)
    assert np.all(kind == 5) and (len(u) == 0 or dist.max() < 0.5)


def test_max_ties_stops_formation():
    m, ctx = make(closure_rate=1.0, focal_rate=1.0, online_rate=1.0, max_ties=1, withdrawal=False)
    draws = m.rng.random((ties.N_FORMATION_DRAWS, m.population.n))
    u, _, _ = ties.formation_candidates(ctx, draws)
    assert len(u) == 0


def test_tie_dynamics_switch_off_keeps_the_network():
    m = SupportModel(rng=3, tie_dynamics=False, **SMALL)
    keys, strength = m.ties.keys.copy(), m.ties.strength.copy()
    m.run_for(10)
    assert np.array_equal(keys, m.ties.keys) and np.array_equal(strength, m.ties.strength)
