"""Families: slots, the starting draw, complete clusters, and families read from family ties."""

import networkx as nx
import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.families import complete_pairs, draw_families, families_from_ties, slot_count
from supportnet.kinds import FAMILY, FRIEND
from supportnet.params import make_params


def test_slot_count_gives_each_person_with_family_the_inner_circles_relatives():
    p = make_params(n_people=1000, convoy_inner=5, convoy_family_share=0.6, local_entry_share=0.9)
    assert slot_count(p, 1000) == round(0.9 * 1000 / 3.0)
    assert slot_count(make_params(local_entry_share=0.0), 1000) == 0
    assert slot_count(make_params(convoy_family_share=0.0), 1000) == 0


def test_draw_families_gives_the_share_and_uniform_slots():
    rng = np.random.default_rng(4)
    family = draw_families(20000, 50, 0.7, rng)
    assert (family >= 0).mean() == pytest.approx(0.7, abs=0.015)
    counts = np.bincount(family[family >= 0], minlength=50)
    assert counts.min() > 0.8 * counts.mean() and counts.max() < 1.2 * counts.mean()
    assert (draw_families(10, 0, 1.0, rng) == -1).all()  # no slots, no families


def test_complete_pairs_ties_every_pair_of_a_family_once():
    family = np.array([2, -1, 0, 2, 2, 0, 1, -1])
    u, v = complete_pairs(family)
    pairs = {tuple(sorted(p)) for p in zip(u.tolist(), v.tolist(), strict=True)}
    assert len(pairs) == len(u) == 4  # family 0: one pair; family 2: three; 1 alone: none
    assert pairs == {(2, 5), (0, 3), (0, 4), (3, 4)}


def test_families_from_ties_are_the_groups_joined_by_family_ties():
    u = np.array([0, 1, 3, 5, 6])
    v = np.array([1, 2, 4, 6, 7])
    kind = np.array([FAMILY, FAMILY, FRIEND, FAMILY, FRIEND], np.int8)
    family, slots = families_from_ties(8, u, v, kind)
    assert slots == 2
    assert family.tolist() == [0, 0, 0, -1, -1, 1, 1, -1]


def test_the_default_town_starts_with_poisson_families_around_one_home():
    m = SupportModel(rng=2, n_people=3000, n_groups=100)
    pop, p = m.population, m.params
    sizes = np.bincount(pop.family[pop.family >= 0], minlength=m.n_families)
    assert sizes.mean() == pytest.approx(p.local_entry_share * 3000 / m.n_families, rel=0.05)
    assert sizes.var() / sizes.mean() == pytest.approx(1.0, abs=0.15)
    # Members share a community group and live close together.
    f = pop.family[pop.family >= 0]
    first = np.full(m.n_families, -1)
    first[f[::-1]] = np.flatnonzero(pop.family >= 0)[::-1]
    members = np.flatnonzero(pop.family >= 0)
    assert (pop.group[members] == pop.group[first[pop.family[members]]]).all()
    d = np.abs(pop.home[members] - pop.home[first[pop.family[members]]])
    assert np.minimum(d, 1 - d).max() < 0.5 / 5  # within one neighbourhood's width


def test_given_networks_get_families_from_their_family_ties():
    G = nx.path_graph(6)
    for a, b in G.edges:
        G.edges[a, b]["kind"] = "family" if a < 2 else "friend"
    m = SupportModel(rng=1, graph=G, n_groups=2)
    assert m.n_families == 1
    assert m.population.family.tolist() == [0, 0, 0, -1, -1, -1]
