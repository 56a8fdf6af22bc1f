"""The starting town as a cross-section of a town that renews itself: time in town and fill."""

import numpy as np
import pytest

from supportnet import SupportModel, make_params
from supportnet.generators import (
    NEWCOMER_TIES_PER_STEP,
    START_FILL,
    settled_share,
    starting_tenure,
)
from supportnet.kinds import FAMILY
from supportnet.mechanisms.turnover import weekly_leave_probability


def test_time_in_town_has_the_stationary_law_of_a_constant_leaving_hazard():
    p = make_params(leave_rate=0.04)
    size = np.full(200_000, 30.0)
    arrived, fill = starting_tenure(p, size, np.random.default_rng(1))
    tenure = -arrived
    h = weekly_leave_probability(0.04)
    assert tenure.min() == 0
    assert tenure.mean() == pytest.approx((1 - h) / h, rel=0.02)  # geometric from 0
    # P(t >= k) = (1 - h)^k: the survival function at one and three mean times in town.
    for k in (1300, 3900):
        assert (tenure >= k).mean() == pytest.approx((1 - h) ** k, rel=0.05)
    # The share filled is the newcomer's law at that time in town.
    assert np.allclose(fill, 1 - np.exp(-NEWCOMER_TIES_PER_STEP * tenure / 30.0))


def test_fill_grows_with_time_in_town_and_is_slower_for_larger_networks():
    p = make_params()
    size = np.array([10.0, 60.0] * 5000)
    arrived, fill = starting_tenure(p, size, np.random.default_rng(2))
    assert ((fill >= 0) & (fill <= 1)).all()
    t = -arrived
    for s in (10.0, 60.0):
        k = size == s
        order = np.argsort(t[k], kind="stable")
        assert (np.diff(fill[k][order]) >= 0).all() and fill[k].min() < 0.2 < 0.9 < fill[k].max()
    assert fill[size == 10].mean() > fill[size == 60].mean()


def test_without_turnover_everyone_has_always_been_there_and_nothing_is_drawn():
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    arrived, fill = starting_tenure(make_params(turnover=False), np.full(50, 20.0), rng)
    assert (arrived == 0).all() and (fill == 1).all()
    assert rng.bit_generator.state == state


def test_the_convoy_start_gives_each_person_their_target_share():
    m = SupportModel(rng=4, n_people=3000)
    pop = m.population
    fam = m.ties.kind_degree()[:, FAMILY]
    other = m.ties.degree() - fam
    fill = 1 - np.exp(-NEWCOMER_TIES_PER_STEP * -pop.arrived / pop.network_size)
    share = np.minimum(START_FILL, settled_share(pop.network_size))
    target = np.maximum(share * pop.network_size - fam, 0) * fill
    mid = (pop.network_size > 15) & (pop.network_size < 55)
    # (A partner may accept several proposals in one round, so people end a little above it.)
    assert other[mid].sum() == pytest.approx(target[mid].sum(), rel=0.12)
    # Recent arrivals hold a small part of their network, long-standing residents most of it.
    recent, settled = -pop.arrived < 50, -pop.arrived > 1000
    assert other[recent & mid].mean() < 0.5 * other[settled & mid].mean()


@pytest.mark.slow
def test_newcomers_fill_their_networks_at_the_documented_pace():
    """Re-measures the settled share and NEWCOMER_TIES_PER_STEP after 700 steps.

    Settled residents (more than 1,000 steps in town) hold their settled share of their network
    size, within 0.06 in each band of network size below 55 (the largest networks, which start
    below their settled share, take longer than 700 steps to fill). Of people who arrived during the run, the share of a settled resident's non-family degree
    (same network-size band) they hold at time t in town follows 1 - exp(-a t / S); the mean
    over newcomers of the predicted share must match the observed within 0.08 in each band of
    time in town.
    """
    m = SupportModel(rng=5, n_people=2000)
    for _ in range(700):
        m.step()
    pop = m.population
    fam = m.ties.kind_degree()[:, FAMILY]
    other = m.ties.degree() - fam
    want = np.maximum(START_FILL * pop.network_size - fam, 1.0)
    tenure = m.steps - pop.arrived
    edges = [0, 15, 22, 30, 40, 55, np.inf]
    band = np.digitize(pop.network_size, edges) - 1
    settled = (tenure > 1000) & pop.members
    for b in range(5):
        k = settled & (band == b)
        share = m.ties.degree()[k] / pop.network_size[k]
        assert share.mean() == pytest.approx(settled_share(pop.network_size[k]).mean(), abs=0.06), b
    level = np.array([(other / want)[settled & (band == b)].mean() for b in range(6)])
    share = (other / want) / level[band]
    newcomer = (pop.arrived > 0) & pop.members
    for lo, hi in ((20, 100), (100, 250), (250, 600)):
        k = newcomer & (tenure >= lo) & (tenure < hi) & (band < 5)
        predicted = 1 - np.exp(-NEWCOMER_TIES_PER_STEP * tenure[k] / pop.network_size[k])
        assert k.sum() > 40
        assert share[k].mean() == pytest.approx(predicted.mean(), abs=0.08), (lo, hi)
