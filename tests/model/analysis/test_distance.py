"""Excess risk of loneliness by network distance, against planted patterns and brute force."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from supportnet.analysis.distance import (
    _permuted_within,
    degree_deciles,
    distance_measure,
    distance_top20_measure,
    excess_risk_by_distance,
    top_share,
)

from .builders import ci_contains_zero, record, snapshot

PI = 0.2
#: Persistence of the Markov chain such that the excess at distance 1 (offsets 1 and 2) is +52%:
#: (1 - pi) / pi * (lambda + lambda^2) / 2 = 0.52.
LAMBDA = (-1 + np.sqrt(1 + 4 * 0.52 * 2 * PI / (1 - PI))) / 2


def ring(n: int) -> sparse.csr_matrix:
    """Ring lattice: each node tied to the nodes 1 and 2 places away (distance d: offsets 2d-1, 2d)."""
    i = np.arange(n)
    u = np.r_[i, i]
    v = np.r_[(i + 1) % n, (i + 2) % n]
    A = sparse.coo_matrix((np.ones(2 * n), (u, v)), shape=(n, n))
    return (A + A.T).tocsr()


def markov_chain(n: int, pi: float, lam: float, seed: int) -> np.ndarray:
    """Stationary two-state chain with P(1 at k | 1 at 0) = pi + (1 - pi) lam^k."""
    rng = np.random.default_rng(seed)
    stay = pi + (1 - pi) * lam  # P(1 -> 1)
    enter = pi * (1 - lam)  # P(0 -> 1)
    draws = rng.random(n)
    out = np.zeros(n, bool)
    out[0] = draws[0] < pi
    for k in range(1, n):  # test data only: a sequential chain
        out[k] = draws[k] < (stay if out[k - 1] else enter)
    return out


def expected_excess(d: int, pi: float = PI, lam: float = LAMBDA) -> float:
    return (1 - pi) / pi * (lam ** (2 * d - 1) + lam ** (2 * d)) / 2


def test_planted_distance_pattern_is_recovered_on_a_ring():
    assert expected_excess(1) == pytest.approx(0.52)
    n = 20_000
    lonely = markov_chain(n, PI, LAMBDA, seed=5)
    out = excess_risk_by_distance(ring(n), lonely, n_sources=n, n_permutations=100, seed=1)
    # All 20,000 egos: P_1 rests on ~16,000 lonely alters, so its sd is ~0.004 (0.02 in excess);
    # pairs along the chain are correlated, which widens that a little. Tolerance 0.1 (spec).
    assert out["excess_d1"] == pytest.approx(expected_excess(1), abs=0.1)
    assert out["excess_d2"] == pytest.approx(expected_excess(2), abs=0.1)
    assert abs(out["excess_d4"]) < 0.1
    # Every ego has exactly 4 alters at each distance 1..4, out of n - 1 others.
    for d in range(1, 5):
        assert out[f"pairs_d{d}"] == pytest.approx(4 / (n - 1))
    assert out["lonely_share"] == pytest.approx(PI, abs=0.02)


def test_random_loneliness_gives_no_excess_at_any_distance():
    per_seed = [
        excess_risk_by_distance(
            ring(2000), np.random.default_rng(s).random(2000) < PI, n_sources=500, seed=s
        )
        for s in range(10)
    ]
    for d in range(1, 5):
        assert ci_contains_zero([o[f"excess_d{d}"] for o in per_seed]), d


def random_graph(seed: int = 3):
    G = nx.gnp_random_graph(80, 0.04, seed=seed)
    rng = np.random.default_rng(seed)
    members = rng.random(80) < 0.85
    lonely = rng.random(80) < 0.3
    return G, members, lonely


def test_pair_shares_and_risk_equal_brute_force_networkx():
    G, members, lonely = random_graph()
    A = nx.to_scipy_sparse_array(G, nodelist=range(80))
    out = excess_risk_by_distance(A, lonely, members, n_sources=1000, n_permutations=20)
    egos = np.flatnonzero(members)
    m = len(egos)
    pairs = np.zeros(5)
    both = np.zeros(5)
    alter_lonely = np.zeros(5)
    for e in egos:  # brute force over all pairs (test only)
        for j, d in nx.single_source_shortest_path_length(G, int(e), cutoff=4).items():
            if j != e and members[j]:
                pairs[d] += 1
                alter_lonely[d] += lonely[j]
                both[d] += lonely[j] and lonely[e]
    for d in range(1, 5):
        assert out[f"pairs_d{d}"] == pytest.approx(pairs[d] / (m * (m - 1)), rel=1e-12)
        assert out[f"risk_d{d}"] == pytest.approx(both[d] / alter_lonely[d], rel=1e-12)


def test_null_mean_is_the_permutation_expectation():
    # Over random permutations of K lonely among m members, P_d is a ratio whose expectation is
    # close to (K - 1) / (m - 1) (the ego cannot be its own alter); 2,000 permutations put the
    # mean within ~0.005 of it.
    G, members, lonely = random_graph(4)
    A = nx.to_scipy_sparse_array(G, nodelist=range(80))
    out = excess_risk_by_distance(A, lonely, members, n_sources=1000, n_permutations=2000)
    m, k = members.sum(), (lonely & members).sum()
    for d in (2, 3):  # the distances with the most pairs (d = 1 has few: a sparse graph)
        assert out[f"null_d{d}"] == pytest.approx((k - 1) / (m - 1), abs=0.01)


def test_same_seed_same_answer_and_egos_are_sampled():
    G, members, lonely = random_graph()
    A = nx.to_scipy_sparse_array(G, nodelist=range(80))
    a = excess_risk_by_distance(A, lonely, members, n_sources=30, seed=9)
    b = excess_risk_by_distance(A, lonely, members, n_sources=30, seed=9)
    c = excess_risk_by_distance(A, lonely, members, n_sources=30, seed=10)
    np.testing.assert_equal(a, b)
    assert a["excess_d2"] != c["excess_d2"]


def test_nobody_lonely_or_no_members_gives_nan():
    A = ring(50)
    out = excess_risk_by_distance(A, np.zeros(50, bool))
    assert np.isnan(out["excess_d1"]) and out["lonely_share"] == 0.0
    out = excess_risk_by_distance(A, np.ones(50, bool), np.zeros(50, bool))
    assert np.isnan(out["excess_d1"]) and np.isnan(out["pairs_d1"])


def test_top_share_takes_the_highest_members():
    values = np.array([0.9, 0.1, 0.8, 0.95, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    members = np.ones(10, bool)
    members[3] = False  # the highest value is not a member
    assert np.flatnonzero(top_share(values, members, 0.2)).tolist() == [0, 2]


def test_record_measures_read_the_last_snapshot_and_the_final_network():
    n = 3000
    lonely = markov_chain(n, PI, LAMBDA, seed=2)
    A = sparse.triu(ring(n)).tocoo()
    lon = np.where(lonely, 0.8, 0.1)
    rec = record([snapshot(0, n, loneliness=lon)], edges=(A.row, A.col), seed=4)
    out = distance_measure(rec)
    assert set(out) == {*(f"excess_d{d}" for d in range(1, 5)),
                        *(f"excess_strat_d{d}" for d in range(1, 5)),
                        *(f"pairs_d{d}" for d in range(1, 5)), "lonely_share"}  # fmt: skip
    direct = excess_risk_by_distance(ring(n), lonely, seed=4)
    assert out["excess_d1"] == direct["excess_d1"] and out["lonely_share"] == lonely.mean()
    top = distance_top20_measure(rec)
    assert top["lonely_share"] == pytest.approx(0.2)
    assert top["excess_d1"] > 0.2  # the planted clustering shows with either definition


def test_degree_keeping_null_removes_a_pattern_made_by_degree_alone():
    """Loneliness set by degree alone (no clustering given degree) on a scale-free network.

    The free null reads an excess (here negative at every distance: everyone's contacts are hubs,
    seldom lonely); the null that keeps each value within its degree decile reads none.
    """
    for seed in range(3):
        G = nx.barabasi_albert_graph(4000, 2, seed=seed)
        A = nx.to_scipy_sparse_array(G, format="csr")
        degree = np.asarray(A.sum(axis=1)).ravel()
        lonely = np.random.default_rng(seed).random(4000) < np.where(degree <= 2, 0.5, 0.08)
        strata = degree_deciles(A, np.ones(4000, bool))
        out = excess_risk_by_distance(A, lonely, n_sources=1000, seed=seed, strata=strata)
        free = [out[f"excess_d{d}"] for d in range(1, 5)]
        kept = [out[f"excess_strat_d{d}"] for d in range(1, 5)]
        assert max(free) < -0.09
        assert abs(kept[0]) < 0.25 and max(abs(x) for x in kept[1:]) < 0.08


def test_degree_keeping_null_still_finds_a_planted_pattern():
    """On a ring everyone has the same degree: both nulls read the planted chain alike."""
    n = 20_000
    lonely = markov_chain(n, PI, LAMBDA, seed=5)
    A = ring(n)
    out = excess_risk_by_distance(
        A, lonely, n_sources=5000, seed=1, strata=degree_deciles(A, np.ones(n, bool))
    )
    for d in (1, 2):
        assert out[f"excess_strat_d{d}"] == pytest.approx(expected_excess(d), abs=0.1)
    assert abs(out["excess_strat_d4"]) < 0.1


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.booleans(), min_size=1, max_size=40),
    data=st.data(),
)
def test_within_strata_permutations_keep_each_stratums_values(values, data):
    values = np.array(values)
    strata = np.array(
        data.draw(st.lists(st.integers(-3, 3), min_size=len(values), max_size=len(values)))
    )
    out = _permuted_within(values, strata, 5, seed=data.draw(st.integers(0, 99)))
    assert out.shape == (5, len(values))
    for s in np.unique(strata):
        here = strata == s
        for row in out:
            assert sorted(row[here]) == sorted(values[here])


def test_within_strata_permutations_are_uniform_within_a_stratum():
    values = np.array([1, 0, 0, 0, 5, 6])
    strata = np.array([0, 0, 0, 0, 1, 1])
    out = _permuted_within(values, strata, 4000, seed=3)
    where_one = out[:, :4].argmax(axis=1)  # position of the 1 within stratum 0
    assert np.bincount(where_one, minlength=4) / 4000 == pytest.approx([0.25] * 4, abs=0.03)
    assert set(map(tuple, out[:, 4:])) == {(5, 6), (6, 5)}
