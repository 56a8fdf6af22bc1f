"""Targeting rules pick the right people, in the model and inside interventions."""

import numpy as np
import pytest

from supportnet import SupportModel
from supportnet.interventions import TARGETING_RULES, build, rank
from tests.conftest import SMALL


@pytest.fixture
def model():
    return SupportModel(rng=3, **SMALL)


def test_rules_are_the_five_of_the_design():
    assert TARGETING_RULES == (
        "random", "most_lonely", "most_stressed", "most_central", "least_connected"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "state"), [("most_lonely", "loneliness"), ("most_stressed", "stress")]
)
def test_state_rules_rank_highest_first(model, rule, state):
    values = getattr(model.population, state)
    values[:] = np.linspace(0, 1, len(values))[::-1]  # person 0 highest
    values[7] = 0.999999
    order = rank(rule, model.population, model.ties, np.arange(len(values)), None)
    assert order[0] == 0 and order[1] == 7 and order[-1] == len(values) - 1
    assert np.all(np.diff(values[order]) <= 0)
    # Only the candidates are ranked.
    some = np.array([40, 3, 12])
    assert set(rank(rule, model.population, model.ties, some, None)) == {3, 12, 40}


def test_network_rules_rank_by_degree_then_strength(model):
    deg = model.ties.degree()
    strength = model.ties.weighted_degree(model.ties.strength)
    people = np.arange(SMALL["n_people"])
    central = rank("most_central", model.population, model.ties, people, None)
    assert deg[central[0]] == deg.max() and np.all(np.diff(deg[central]) <= 0)
    same = deg[central] == deg[central[0]]
    assert np.all(np.diff(strength[central][same]) <= 0)  # ties broken by total strength
    least = rank("least_connected", model.population, model.ties, people, None)
    assert deg[least[0]] == deg.min() and np.all(np.diff(deg[least]) >= 0)
    # An isolated person is the least connected of all.
    model.ties.remove(np.flatnonzero((model.ties.u == 9) | (model.ties.v == 9)))
    least = rank("least_connected", model.population, model.ties, people, None)
    assert least[0] == 9


def test_random_rule_is_a_seeded_permutation(model):
    people = np.arange(SMALL["n_people"])
    a = rank("random", model.population, model.ties, people, np.random.default_rng(5))
    b = rank("random", model.population, model.ties, people, np.random.default_rng(5))
    c = rank("random", model.population, model.ties, people, np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(np.sort(a), people)


def test_unknown_rule_is_refused(model):
    with pytest.raises(ValueError, match="unknown targeting rule 'loneliest'"):
        rank("loneliest", model.population, model.ties, np.arange(3), None)


@pytest.mark.parametrize(
    "rule", ["most_lonely", "most_stressed", "most_central", "least_connected"]
)
def test_interventions_reach_the_people_their_rule_ranks_first(rule):
    # Outreach reaches `units` people at its first step: exactly the first of the ranking then.
    ref = SupportModel(rng=8, **SMALL)
    ref.run_for(5)
    expected = rank(rule, ref.population, ref.ties, np.arange(SMALL["n_people"]), None)[:6]
    iv = build({"kind": "outreach", "start": 5, "budget": 30, "cost": 5, "targeting": rule})
    m = SupportModel(rng=8, interventions=[iv], **SMALL)
    m.run_for(5)
    assert set(np.flatnonzero(iv.first_reached == 5)) == set(expected)


def test_professionals_and_people_already_reached_are_not_candidates():
    iv = build(
        {"kind": "professional", "budget": 20, "access_cost": 0.0, "targeting": "least_connected"}
    )
    m = SupportModel(rng=2, **SMALL, interventions=[iv])
    m.run_for(3)
    pros = np.flatnonzero(m.population.is_professional)
    assert len(pros) and not np.isin(np.flatnonzero(iv.first_reached >= 0), pros).any()
    assert not np.isin(iv.candidates(m), pros).any()
    # Professionals have few ties, yet the least connected *people* were offered places.
    clients = np.flatnonzero(iv.client_of >= 0)
    deg = m.ties.degree()[: SMALL["n_people"]]
    assert deg[clients].mean() < deg.mean()
