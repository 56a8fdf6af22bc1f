"""The tie store and its networkx mirror."""

import pickle

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportnet.kernels import rows_from_keys
from supportnet.kinds import FAMILY, FRIEND, KIND_CODES
from supportnet.network import TieGraph, TieStore, tie_keys


def store_with(edges, n=6):
    s = TieStore(n)
    u, v = np.array(edges).T
    s.add(u, v, FRIEND, 0.5)
    return s


def check_consistent(s: TieStore):
    keys = tie_keys(s.u, s.v)
    assert np.all(s.u < s.v)
    assert np.array_equal(np.sort(keys), s.keys)
    assert np.array_equal(keys[s.key_slots], s.keys)
    A = s.adjacency()
    assert np.array_equal(np.sort(A.data), np.sort(np.r_[np.arange(s.m), np.arange(s.m)]))
    if s._graph is not None:
        G = s.graph
        assert G.number_of_edges() == s.m
        for slot in range(s.m):
            d = G[int(s.u[slot])][int(s.v[slot])]
            assert d.slot == slot and d["strength"] == s.strength[slot]


def test_add_skips_self_loops_existing_and_repeats():
    s = store_with([(0, 1), (2, 1)])
    added = s.add(np.array([3, 1, 4, 4, 5]), np.array([3, 0, 5, 5, 4]), FAMILY, 0.9)
    assert len(added) == 1 and s.m == 3  # only (4, 5) is new; (1, 0) exists, (5, 4) repeats it
    assert s.find(np.array([5, 1, 0]), np.array([4, 2, 5])).tolist() == [2, 1, -1]
    check_consistent(s)


def test_remove_swaps_from_the_tail_and_keeps_keys():
    rng = np.random.default_rng(3)
    s = TieStore(30)
    s.add(rng.integers(0, 30, 200), rng.integers(0, 30, 200), FRIEND, 0.4)
    G = s.graph  # mirror built: removals must update it too
    before = {tuple(sorted(e)) for e in G.edges}
    drop = rng.choice(s.m, 40, replace=False)
    gone = {(int(s.u[i]), int(s.v[i])) for i in drop}
    s.remove(drop)
    check_consistent(s)
    assert {tuple(sorted(e)) for e in G.edges} == before - gone
    s.add(np.array([0, 1]), np.array([29, 28]), FAMILY, 0.7)
    check_consistent(s)


def test_graph_attributes_are_live_views():
    s = store_with([(0, 1), (1, 2)])
    G = s.graph
    s.strength[0] = 0.25
    assert G[1][0]["strength"] == 0.25 and G[0][1]["weight"] == 0.25
    G[0][1]["strength"] = 0.75  # writes through
    assert s.strength[0] == 0.75
    G[1][2]["kind"] = "family"
    assert s.kind[1] == KIND_CODES["family"]
    G[1][2]["note"] = "user data"  # extra attributes are kept on the edge
    assert G[1][2]["note"] == "user data"
    with pytest.raises(ValueError, match=r"strength must be in \(0, 1\]"):
        G[0][1]["strength"] = 2
    with pytest.raises(KeyError, match="kept by the model"):
        G[0][1]["balance"] = 1.0
    assert nx.shortest_path_length(G, 0, 2) == 2


def test_graph_structure_is_read_only_but_copies_are_plain():
    s = store_with([(0, 1), (1, 2)])
    G = s.graph
    with pytest.raises(nx.NetworkXError, match="cannot be edited directly"):
        G.add_edge(3, 4)
    with pytest.raises(nx.NetworkXError, match="cannot be edited directly"):
        G.remove_edge(0, 1)
    H = G.copy()
    assert type(H) is nx.Graph and H[0][1]["kind"] == "friend"
    H.add_edge(3, 4)
    D = G.to_directed()
    assert D.number_of_edges() == 4 and isinstance(D[0][1], dict)
    R = pickle.loads(pickle.dumps(G))
    assert type(R) is nx.Graph and R.number_of_edges() == 2
    # networkx's own constructors on the class give an ordinary editable graph
    E = TieGraph()
    E.add_edge("a", "b", weight=1)
    assert E["a"]["b"]["weight"] == 1


def test_adjacency_rows_are_sorted_neighbour_lists():
    s = store_with([(0, 3), (0, 1), (2, 0), (1, 2)])
    A = s.adjacency()
    assert A.indices[A.indptr[0] : A.indptr[1]].tolist() == [1, 2, 3]
    assert A.indices[A.indptr[2] : A.indptr[3]].tolist() == [0, 1]
    # data holds the slot of each arc's tie
    for i in range(4):
        for k in range(A.indptr[i], A.indptr[i + 1]):
            j, slot = A.indices[k], A.data[k]
            assert {s.u[slot], s.v[slot]} == {i, j}
    assert s.adjacency() is A  # cached until ties change
    s.remove(np.array([0]))
    assert s.adjacency() is not A


def test_degree_and_weighted_degree():
    s = store_with([(0, 1), (0, 2), (3, 4)])
    assert s.degree().tolist() == [2, 1, 1, 1, 1, 0]
    assert s.weighted_degree(np.array([1.0, 2.0, 3.0])).tolist() == [3, 1, 2, 3, 3, 0]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), seed=st.integers(0, 2**31 - 1))
def test_row_pointers_carried_over_merges_are_those_counted_afresh(n, seed):
    rng = np.random.default_rng(seed)
    s = TieStore(n)
    for _ in range(6):
        s.row_pointers()  # cached, so the merge below carries it over
        ending = np.flatnonzero(rng.random(s.m) < 0.3)
        u, v = rng.integers(0, n, (2, rng.integers(0, 3 * n + 1)))
        s.add(u, v, FRIEND, 0.5, remove=ending, renew=bool(rng.integers(2)))
        carried = s._rows_cache
        assert carried is not None and carried[0] == s.version
        for got, want in zip(carried[1:], rows_from_keys(s.keys, s.vkeys, n), strict=True):
            assert got.dtype == want.dtype
            assert np.array_equal(got, want)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 30),
    density=st.floats(0.0, 1.0),
    asked=st.lists(st.integers(0, 29), max_size=12),
    seed=st.integers(0, 2**31 - 1),
)
def test_ties_of_lists_each_persons_ties_in_partner_order(n, density, asked, seed):
    """Person by person as given (repeats answered twice), partners increasing, their slots."""
    rng = np.random.default_rng(seed)
    u, v = np.triu_indices(n, 1)
    keep = rng.random(len(u)) < density
    s = TieStore(n)
    s.add(u[keep], v[keep], FRIEND, 0.5)
    s.remove(np.flatnonzero(rng.random(s.m) < 0.2))  # row pointers carried over a merge
    people = np.array([p % n for p in asked], np.int64)
    owner, partner, slot = s.ties_of(people)
    want = [
        (t, j, int(s.find([min(i, j)], [max(i, j)])[0]))
        for t, i in enumerate(people.tolist())
        for j in range(n)
        if j != i and s.find([min(i, j)], [max(i, j)])[0] >= 0
    ]
    got = list(zip(owner.tolist(), partner.tolist(), slot.tolist(), strict=True))
    assert got == want
