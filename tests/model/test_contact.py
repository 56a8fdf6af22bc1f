"""Phase 4, everyday contact: layers by strength, Poisson counts by inversion, availability.

Also the seeking phase's rule that help is asked for only over ties with contact this step.
"""

import math

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from supportnet import SupportModel
from supportnet.kernels import poisson_counts
from supportnet.mechanisms import StepContext, contact, seeking
from supportnet.space import Neighbourhoods
from tests.conftest import SMALL


def context(m, step=1, cohesion=None):
    return StepContext(pop=m.population, ties=m.ties, params=m.params, rng=m.rng, step=step,
                       shock=m.shock_mask(step), cohesion=cohesion)  # fmt: skip


def star(strengths, **params):
    """Person 0 tied to 1..k with the given strengths (friends), no one else tied."""
    G = nx.Graph()
    G.add_nodes_from(range(len(strengths) + 1))
    for j, s in enumerate(strengths, 1):
        G.add_edge(0, j, kind="friend", strength=s, conflict=0.0)
    m = SupportModel(rng=1, graph=G, **params)
    pop = m.population
    pop.depression[:] = 0.0
    pop.loneliness[:] = 0.0
    return m


def test_each_person_ranks_their_ties_by_strength_into_layers():
    m = star([0.5, 0.9, 0.7, 0.8, 0.6])
    p, pop, t = m.params, m.population, m.ties
    pop.layer_inner[:] = 1  # for the leaves, their one tie is their inner circle
    pop.layer_sympathy[:] = 1
    pop.layer_inner[0], pop.layer_sympathy[0] = 2, 4  # person 0: 2 inner, 2 more sympathy
    rates = contact.contact_rates(context(m))
    by_leaf = dict(zip(t.v.tolist(), rates.tolist(), strict=True))  # u is always 0 here
    inner, sympathy, wider = p.contact_inner, p.contact_sympathy, p.contact_wider
    # A tie's rate is the mean of what its two people give it.
    assert by_leaf[2] == pytest.approx((inner + inner) / 2)  # 0.9: person 0's inner circle
    assert by_leaf[4] == pytest.approx((inner + inner) / 2)  # 0.8
    assert by_leaf[3] == pytest.approx((sympathy + inner) / 2)  # 0.7: sympathy group
    assert by_leaf[5] == pytest.approx((sympathy + inner) / 2)  # 0.6
    assert by_leaf[1] == pytest.approx((wider + inner) / 2)  # 0.5: the wider network


def test_when_a_close_tie_ends_the_next_closest_moves_up():
    m = star([0.9, 0.8, 0.7])
    pop, t = m.population, m.ties
    pop.layer_inner[:] = 1
    pop.layer_sympathy[:] = 1
    before = contact.contact_rates(context(m))
    t.remove(np.array([0]))  # the 0.9 tie ends
    after = contact.contact_rates(context(m))
    assert before[1] < before[0] and after[0] == pytest.approx(before[0])  # 0.8 now inner


@pytest.mark.parametrize("lam", [0.0, 0.03, 0.4, 2.0, 7.5, 40.0])
def test_poisson_counts_invert_one_uniform(lam):
    u = np.linspace(0.001, 0.999, 400)
    counts = poisson_counts(np.full(len(u), lam), u)
    # The count is the smallest k whose cumulative probability reaches u (inversion).
    assert np.array_equal(counts, stats.poisson.ppf(u, lam) if lam > 0 else np.zeros(len(u)))
    assert poisson_counts(np.array([lam]), np.array([0.0]))[0] == 0


def _inversion(mu: float, u: float) -> int:
    """One tie's count, tie by tie, as the kernel's rounds must reproduce bit for bit."""
    if mu <= 0.0 or u < (1.0 - mu) - 1e-15:
        return 0
    p = math.exp(-mu)
    cdf, k = p, 0
    while u > cdf and k < 1000:
        k += 1
        p *= mu / k
        cdf += p
    return k


def test_poisson_counts_in_rounds_are_the_tie_by_tie_inversion():
    """Means from 0 to 900 (past exp's underflow, where the count stops at 1000), NaN, and
    draws exactly at e^-mu and at each cumulative sum, where a differently rounded sum shows."""
    rng = np.random.default_rng(3)
    lam = rng.exponential(rng.choice([0.1, 1.0, 5.0, 60.0], 6000))
    lam[:50] = np.linspace(0.0, 900.0, 50)
    lam[rng.random(len(lam)) < 0.03] = 0.0
    lam[rng.random(len(lam)) < 0.01] = np.nan
    draw = rng.random(len(lam))
    at = rng.random(len(lam)) < 0.3
    draw[at] = np.exp(-lam[at])
    k = rng.integers(1, 4, len(lam))
    sums = np.array(
        [stats.poisson.cdf(j, mu) if mu == mu else 0.5 for j, mu in zip(k, lam, strict=True)]
    )
    near = rng.random(len(lam)) < 0.2
    draw[near] = np.clip(sums[near], 0.0, np.nextafter(1.0, 0.0))
    got = poisson_counts(lam, draw)
    want = [_inversion(mu, u) for mu, u in zip(lam.tolist(), draw.tolist(), strict=True)]
    assert got.tolist() == want


def test_poisson_counts_have_the_poisson_mean_and_variance():
    rng = np.random.default_rng(0)
    for lam in (0.06, 0.4, 2.0):
        x = poisson_counts(np.full(200_000, lam), rng.random(200_000))
        assert x.mean() == pytest.approx(lam, rel=0.03)
        assert x.var() == pytest.approx(lam, rel=0.05)


def test_availability_multiplies_its_factors():
    m = SupportModel(rng=2, shock_start=1, shock_duration=3, shock_contact_multiplier=0.5,
                     **SMALL)  # fmt: skip
    p, pop = m.params, m.population
    rng = np.random.default_rng(1)
    pop.depression[:] = rng.random(pop.n)
    pop.loneliness[:] = rng.random(pop.n)
    pop.carer_of[:] = -1
    pop.carer_of[:5] = np.arange(5, 10)
    ctx = context(m, step=2)  # under the shock
    a = contact.availability(ctx)
    care = np.where(pop.carer_of >= 0, 1 - p.care_contact_effect, 1.0)
    expected = (
        (1 - p.depression_contact_effect * pop.depression)
        * care
        * (1 - p.withdrawal_strength * pop.loneliness)
        * p.shock_contact_multiplier
    )
    assert np.allclose(a, np.clip(expected, 0, 1))
    # Outside the shock and with withdrawal off, those factors go.
    m2 = SupportModel(rng=2, withdrawal=False, caregiving=False, **SMALL)
    m2.population.depression[:] = pop.depression
    m2.population.loneliness[:] = pop.loneliness
    a2 = contact.availability(context(m2, step=9))
    assert np.allclose(a2, 1 - p.depression_contact_effect * pop.depression)


def test_neighbourhood_cohesion_scales_residents_contact():
    # Carers see people less (care_contact_effect): no roles here, only cohesion.
    m = SupportModel(rng=3, caregiving=False, **{**SMALL, "neighbourhood_size": 15})  # 2 x 2 grid
    pop = m.population
    pop.depression[:] = 0
    pop.loneliness[:] = 0
    cohesion = np.array([0.5, 1.0, 1.5, 2.0])
    a = contact.availability(context(m, cohesion=cohesion))
    cell = Neighbourhoods.cell_of_grid(pop.home, 2)
    assert np.allclose(a, cohesion[cell])
    rates = contact.contact_rates(context(m, cohesion=cohesion))
    base = contact.contact_rates(context(m))
    t = m.ties
    assert np.allclose(rates, base * cohesion[cell[t.u]] * cohesion[cell[t.v]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohesion_spreads_between_neighbourhoods_around_the_towns_level(seed):
    # The town's overall contact is the contact rates'; cohesion only redistributes it, so the
    # residents' mean factor is 1 in every town, while neighbourhoods still differ.
    sd = 0.5
    m = SupportModel(rng=seed, neighbourhood_cohesion_sd=sd, **{**SMALL, "neighbourhood_size": 6})
    g = int(round(np.sqrt(len(m.cohesion))))
    assert g > 2
    pop = m.population
    residents = ~pop.is_professional
    cell = Neighbourhoods.cell_of_grid(pop.home[residents], g)
    assert m.cohesion[cell].mean() == pytest.approx(1.0, abs=1e-12)
    assert np.ptp(np.log(m.cohesion)) > 0.3  # neighbourhoods still differ


def test_contact_phase_records_counts_and_accumulates_them_per_tie():
    m = SupportModel(rng=4, **SMALL)
    ctx = context(m)
    lam = contact.contact_rates(ctx)
    contact.run(ctx)
    assert np.array_equal(ctx.contact, ctx.contacts > 0)
    assert np.array_equal(m.ties.contacts, ctx.contacts)
    assert np.all(ctx.contacts == np.round(ctx.contacts)) and (ctx.contacts[lam == 0] == 0).all()
    # Over many steps, each tie's count averages its rate (all else held).
    total = np.zeros(m.ties.m)
    for _ in range(300):
        c = context(m)
        contact.run(c)
        total += c.contacts
    heavy = lam > 0.5
    assert np.allclose(total[heavy] / 300, lam[heavy], rtol=0.35)
    assert total.sum() / 300 == pytest.approx(lam.sum(), rel=0.05)


def test_help_is_asked_for_only_over_ties_with_contact():
    m = SupportModel(rng=5, help_seeking_mean=1.0, help_seeking_sd=0.0, ask_breadth=50.0,
                     **SMALL)  # fmt: skip
    pop, t = m.population, m.ties
    pop.need[:] = 0.8
    pop.depression[:] = 0
    pop.loneliness[:] = 0
    ctx = context(m)
    ctx.contact[:] = False  # a week without seeing anyone
    seeking.run(ctx)
    assert pop.asked.all() and len(ctx.ask_arcs) == 0
    ctx = context(m)
    ctx.contact[:] = np.arange(t.m) % 3 == 0  # a third of the ties had contact
    seeking.run(ctx)
    src, _, slot = ctx.arcs()
    assert len(ctx.ask_arcs) > 0 and ctx.contact[slot[ctx.ask_arcs]].all()
    # With asking this broad, every tie with contact that leaves an asker is asked.
    assert len(ctx.ask_arcs) == 2 * ctx.contact.sum()
