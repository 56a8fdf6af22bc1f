"""Each phase of the step on its own: its equation, its bounds, and its switch."""

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.kinds import CONTACT_QUALITY, EVENT_NEEDS, FAMILY, FRIEND, LANDING, STRESS_RELIEF
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
from supportnet.params import PARAMETERS
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
    factor = 1 - m.params.buffering_strength * pop.perceived_support if buffering else 1.0
    # Stress adds up linearly, bounded at 1: an event's harm does not depend on prior stress.
    assert np.allclose(pop.stress, np.minimum(1.0, s0 + 0.5 * factor))


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
    ctx.contact[:] = True  # everyone saw every tie this step: all ties can be asked
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
    ctx.contact[:] = True  # contact over every tie this step, so every tie can be asked
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
def test_trust_moves_only_on_asking_toward_the_helpfulness_of_the_answers():
    m, ctx = make(perception_bias_sd=0.0)
    pop, p = m.population, m.params
    n = pop.n
    pop.trust[:] = 0.5
    pop.asks_made[:] = 0.0
    pop.responses[:] = 0.0
    helped, ignored, half = np.arange(0, 10), np.arange(10, 20), np.arange(20, 30)
    pop.asks_made[helped] = pop.asks_made[ignored] = pop.asks_made[half] = 2.0
    pop.responses[helped] = 2.0  # both asks answered with fully helpful support
    pop.responses[half] = 1.0  # one of two asks answered
    p0 = pop.perceived_support.copy()
    integ = perception.integration(ctx)
    perception.run(ctx)
    r = p.trust_rate
    assert np.allclose(pop.trust[helped], 0.5 + r * (1.0 - 0.5))  # up toward 1
    assert np.allclose(pop.trust[ignored], 0.5 + r * (0.0 - 0.5))  # down toward 0
    assert np.allclose(pop.trust[half], 0.5)  # already at the answered share
    askers = np.zeros(n, bool)
    askers[:30] = True
    assert np.all(pop.trust[~askers] == 0.5)  # no asking, no learning
    # Perceived support follows trust x integration (plus bias, here 0).
    target = np.clip(pop.trust * integ, 0.0, 1.0)
    assert np.allclose(pop.perceived_support, p0 + p.perceived_support_rate * (target - p0))


def test_answered_asks_are_counted_by_helpfulness_in_giving():
    m, ctx = asked_context()
    giving.run(ctx)
    pop = m.population
    asked_arcs = np.bincount(ctx.arcs()[0][ctx.ask_arcs], minlength=pop.n)
    assert np.array_equal(pop.asks_made, asked_arcs)
    assert np.all(pop.responses >= 0) and np.all(pop.responses <= pop.asks_made + 1e-12)
    got = pop.received.sum(axis=1) > 0
    assert np.all(pop.responses[~got] == 0) and np.all(pop.responses[got] > 0)


def test_a_helpful_answer_never_lowers_perceived_support_relative_to_not_asking():
    # Asking is not itself a loss: with every ask answered helpfully, trust cannot fall.
    m, ctx = make(perception_bias_sd=0.0)
    pop = m.population
    pop.trust[:] = np.linspace(0.0, 1.0, pop.n)
    t0 = pop.trust.copy()
    pop.asks_made[:] = 1.0
    pop.responses[:] = 1.0
    perception.run(ctx)
    assert np.all(pop.trust >= t0 - 1e-12)


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
    # No care roles: a care need would add chronic strain (need_stress x unmet need) to stress.
    m, ctx = make(depression_capacity_effect=0.0, stress_recovery_penalty=0.0, caregiving=False)
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
    m, ctx = make(loneliness_bias_sd=0.0)
    pop, p = m.population, m.params
    l0 = pop.loneliness.copy()
    ctx.contacts = np.zeros(m.ties.m)  # nobody saw anyone: the gap is full for all who want any
    loneliness.run(ctx)
    want = pop.desired_connection > 0
    assert want.all()
    assert np.allclose(pop.loneliness, l0 + p.loneliness_rate * (1 - l0))


def test_the_gap_is_relative_to_a_full_network_of_ones_own_size():
    m, ctx = make(loneliness_bias_sd=0.0, lonely_contact_quality=0.0)
    pop, p, t = m.population, m.params, m.ties
    ctx.contacts = m.rng.poisson(0.5, t.m).astype(float)
    l0 = pop.loneliness.copy()
    loneliness.run(ctx)
    w = ctx.contacts * t.strength * (1 - t.conflict) * CONTACT_QUALITY[t.kind]
    Q = np.bincount(t.u, w, pop.n) + np.bincount(t.v, w, pop.n)
    inner, sympathy, size = pop.layer_inner, pop.layer_sympathy, pop.network_size
    C = (
        inner * p.contact_inner
        + (sympathy - inner) * p.contact_sympathy
        + (size - sympathy) * p.contact_wider
    )
    gap = np.maximum(0, 1 - Q / (pop.desired_connection * C))
    assert np.allclose(pop.contact, Q)
    assert np.allclose(pop.loneliness, l0 + p.loneliness_rate * (np.clip(gap, 0, 1) - l0))
    # The same contact is a smaller gap for someone whose full network would give less.
    a = loneliness.full_network_contact(ctx)
    pop.network_size[:] = pop.network_size * 2
    pop.layer_inner[:], pop.layer_sympathy[:] = pop.layer_inner * 2, pop.layer_sympathy * 2
    assert np.allclose(loneliness.full_network_contact(ctx), 2 * a)


def test_a_lonely_partners_contact_counts_for_less():
    m, ctx = make()
    t, pop = m.ties, m.population
    ctx.contacts = np.ones(t.m)
    pop.loneliness[:] = 0.0
    base = loneliness.contact_quality(ctx).copy()
    pop.loneliness[0] = 1.0
    lower = loneliness.contact_quality(ctx)
    mine = np.unique(np.r_[t.v[t.u == 0], t.u[t.v == 0]])
    others = np.setdiff1d(np.arange(pop.n), np.r_[mine, 0])
    assert np.all(lower[mine] < base[mine]) and np.allclose(lower[others], base[others])
    assert np.isclose(lower[0], base[0])  # one's own loneliness does not spoil one's contact


def test_contagion_passes_per_contact_with_a_lonely_person_and_is_off_by_default():
    m, ctx = make(loneliness_rate=0.0, loneliness_contagion=0.5)
    t, pop = m.ties, m.population
    pop.loneliness[:] = 0
    pop.loneliness[0] = 1.0
    ctx.contacts = np.where((t.u == 0) | (t.v == 0), 2.0, 1.0)  # two contacts with person 0
    loneliness.run(ctx)
    nb = np.unique(np.r_[t.v[t.u == 0], t.u[t.v == 0]])
    assert np.allclose(pop.loneliness[nb], 1 - 0.5**2)  # caught with 1 - (1 - c) ** contacts
    far = np.setdiff1d(np.arange(pop.n), np.r_[nb, 0])
    assert np.all(pop.loneliness[far] == 0)
    m, ctx = make(loneliness_rate=0.0)
    assert m.params.loneliness_contagion == PARAMETERS["loneliness_contagion"].default == 0.0
    m.population.loneliness[:] = 0
    m.population.loneliness[0] = 1.0
    ctx.contacts = np.ones(m.ties.m)
    loneliness.run(ctx)
    assert m.population.loneliness.sum() == 1.0


def test_contagion_recovers_toward_the_contact_gap():
    # With contagion on, loneliness still relaxes toward each person's own gap: people with
    # plenty of contact recover, so contagion makes clusters rather than a town of the lonely.
    m, ctx = make(loneliness_contagion=0.5, loneliness_bias_sd=0.0, lonely_contact_quality=0.0)
    pop = m.population
    pop.loneliness[:] = 0.4  # below the lonely threshold: nobody passes it on
    ctx.contacts = np.full(m.ties.m, 50.0)  # far more contact than anyone wants
    loneliness.run(ctx)
    tied = m.ties.degree() > 0  # (anyone without ties has a full gap whatever the contacts)
    assert tied.sum() > 0.9 * pop.n
    assert np.allclose(pop.loneliness[tied], 0.4 * (1 - m.params.loneliness_rate))


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
    p = m.params
    drive = p.stress_weight * pop.stress + p.loneliness_weight * pop.loneliness
    # Linear in the drive (no (1 - d) factor), so stress harms the same at any depression.
    expect = d0 + p.depression_rate * drive
    expect -= p.depression_recovery * expect
    assert np.allclose(pop.depression, np.clip(expect, 0, 1))
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
    m, ctx = make(end_hazard=1.0, tie_end_rate=0.0)
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
    m, ctx = make(
        closure_rate=1.0, focal_rate=0, online_rate=0, neighbourhood_rate=0, withdrawal=False
    )
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
    m, ctx = make(
        closure_rate=0, focal_rate=1.0, online_rate=0, neighbourhood_rate=0, homophily=0.0,
        withdrawal=False,
    )  # fmt: skip
    draws = m.rng.random((ties.N_FORMATION_DRAWS, m.population.n))
    u, v, _ = ties.formation_candidates(ctx, draws)
    assert len(u) > 0 and np.all(m.population.group[u] == m.population.group[v])
    m, ctx = make(
        closure_rate=0, focal_rate=0, online_rate=1.0, neighbourhood_rate=0, homophily=20.0,
        withdrawal=False,
    )  # fmt: skip
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
    # Ties also end when people leave (turnover) and after a loss (stressors): not this switch.
    m = SupportModel(rng=3, tie_dynamics=False, turnover=False, loss_ends_tie=0.0, **SMALL)
    keys, strength = m.ties.keys.copy(), m.ties.strength.copy()
    m.run_for(10)
    assert np.array_equal(keys, m.ties.keys) and np.array_equal(strength, m.ties.strength)
