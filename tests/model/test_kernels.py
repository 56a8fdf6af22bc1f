"""Compiled tie kernels against plain Python on random networks."""

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from supportnet.kernels import (
    _components,
    layer_contact_rates,
    merge_sorted,
    shared_neighbours,
    tie_update,
)
from supportnet.kinds import CAN_END, FAMILY, FRIEND
from supportnet.network import TieStore


def _random_store(n: int, density: float, seed: int) -> TieStore:
    rng = np.random.default_rng(seed)
    u, v = np.triu_indices(n, 1)
    keep = rng.random(len(u)) < density
    store = TieStore(n)
    kind = np.where(rng.random(keep.sum()) < 0.3, FAMILY, FRIEND)
    store.add(u[keep], v[keep], kind, rng.uniform(0.06, 1.0, keep.sum()))
    return store


def _neighbour_sets(store: TieStore) -> list[set[int]]:
    sets: list[set[int]] = [set() for _ in range(store.n_nodes)]
    for a, b in zip(store.u.tolist(), store.v.tolist(), strict=True):
        sets[a].add(b)
        sets[b].add(a)
    return sets


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), density=st.floats(0.0, 1.0), seed=st.integers(0, 2**31 - 1))
def test_shared_neighbours_counts_the_friends_both_ends_share(n, density, seed):
    store = _random_store(n, density, seed)
    fptr, bptr = store.row_pointers()
    sets = _neighbour_sets(store)
    for a, b in zip(store.u.tolist(), store.v.tolist(), strict=True):
        got = shared_neighbours(store.keys, store.vkeys, fptr, bptr, a, b)
        assert got == len(sets[a] & sets[b])


def _ends(store: TieStore, draw: np.ndarray, embeddedness: float, hazard: float) -> np.ndarray:
    m = store.m
    fptr, bptr = store.row_pointers()
    floor = np.full(len(CAN_END), 1e-9)
    return tie_update(
        store.strength.copy(), store.kind, store.conflict, store.balance.copy(),
        store.last_contact.copy(), np.zeros(m, np.bool_), np.zeros(m), np.zeros(m), draw, 1,
        0.1, 0.5, 0.05, np.full(len(CAN_END), 0.01), floor, 0.1, 0.05, 1.0, hazard, CAN_END,
        0.3, store.keys, store.vkeys, fptr, bptr, embeddedness,
    )  # fmt: skip


def test_tie_update_shelters_ties_by_their_shared_friends_exactly():
    """Counting shared friends only for ties whose draw could end them changes no decision.

    The expected ends are computed in Python with every tie's count, by the formula of
    ``supportnet.mechanisms.ties`` (no contact, so strength decays first).
    """
    for seed in range(5):
        store = _random_store(60, 0.2, seed)
        rng = np.random.default_rng(seed + 100)
        draw = rng.random(store.m)
        sets = _neighbour_sets(store)
        common = np.array(
            [
                len(sets[a] & sets[b])
                for a, b in zip(store.u.tolist(), store.v.tolist(), strict=True)
            ]
        )
        s = store.strength * (1.0 - 0.01)
        for embeddedness, hazard in ((0.0, 0.02), (0.5, 0.02), (3.0, 0.0)):
            base = np.minimum(1.0, 0.3 * 2.0 * (1.0 - s) / (1.0 + embeddedness * common))
            expected = CAN_END[store.kind] & ((s < 0.05) | (draw < base))  # no imbalance/conflict
            got = _ends(store, draw, embeddedness, hazard)
            np.testing.assert_array_equal(got, expected)
        # Shelter is real: embedded ties end less often than they would without it.
        assert _ends(store, draw, 3.0, 0.0).sum() < _ends(store, draw, 0.0, 0.0).sum()


def test_tie_update_screens_by_risk_without_changing_a_decision():
    """The second screen (the full chance without shelter, with imbalance and conflict) is exact.

    Imbalance and conflict make the risk term matter; draws sit at and around each tie's
    chance of ending (with and without shelter), where a screen that dropped a tie it should
    keep would show. The expected ends use every tie's shared friends, in Python.
    """
    for seed in range(5):
        store = _random_store(60, 0.2, seed)
        rng = np.random.default_rng(seed + 200)
        m = store.m
        store.balance[:] = rng.uniform(-2.0, 2.0, m)
        store.conflict[:] = rng.uniform(0.0, 1.0, m) ** 3
        sets = _neighbour_sets(store)
        common = np.array(
            [
                len(sets[a] & sets[b])
                for a, b in zip(store.u.tolist(), store.v.tolist(), strict=True)
            ]
        )
        s = store.strength * (1.0 - 0.01)
        balance = (1.0 - 0.1) * store.balance  # no flows: the balance forgets
        imbalance = np.minimum(1.0, np.abs(balance) / 1.0)
        risk = np.minimum(1.0, imbalance**2 + store.conflict**2)
        for embeddedness, hazard in ((0.5, 0.02), (3.0, 0.3), (0.0, 0.3)):
            rate = 0.3 * 2.0 * (1.0 - s)
            sheltered = np.minimum(1.0, rate * (1.0 / (1.0 + embeddedness * common)))
            chance = sheltered + (1.0 - sheltered) * hazard * risk
            bare = np.minimum(1.0, rate)
            bare_chance = bare + (1.0 - bare) * hazard * risk
            pick = rng.integers(0, 4, m)
            draw = np.select(
                [pick == 0, pick == 1, pick == 2],
                [chance, np.nextafter(chance, 0.0), bare_chance],
                rng.random(m),
            )
            expected = CAN_END[store.kind] & ((s < 0.05) | (draw < chance))
            got = _ends(store, draw, embeddedness, hazard)
            np.testing.assert_array_equal(got, expected)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 45),
    density=st.floats(0.0, 1.0),
    levels=st.integers(1, 6),
    seed=st.integers(0, 2**31 - 1),
)
def test_layer_ranks_are_those_of_a_stable_sort(n, density, levels, seed):
    # Few strength levels make many equal strengths (ranked by neighbour index); up to 44 ties
    # per person reach the merge sort for large networks; layer sizes include inner > sympathy.
    store = _random_store(n, density, seed)
    rng = np.random.default_rng(seed)
    store.strength[:] = rng.integers(1, levels + 1, store.m) / levels
    inner = rng.integers(0, 12, n)
    sympathy = rng.integers(0, 30, n)
    rates = np.array([3.0, 0.7, 0.1])
    fptr, bptr = store.row_pointers()
    got = layer_contact_rates(
        store.keys, store.vkeys, fptr, bptr, store.strength, inner, sympathy, rates, np.ones(n)
    )
    sides: dict[tuple[int, int], list[float]] = {}
    for i, partners in enumerate(_neighbour_sets(store)):
        slots = {j: store.find([min(i, j)], [max(i, j)])[0] for j in partners}
        ranked = sorted(sorted(partners), key=lambda j: -store.strength[slots[j]])
        for r, j in enumerate(ranked):
            layer = 0 if r < inner[i] else 1 if r < sympathy[i] else 2
            sides.setdefault((min(i, j), max(i, j)), []).append(0.5 * rates[layer])
    want = [sides[(a, b)][0] + sides[(a, b)][1] for a, b in zip(store.u, store.v, strict=True)]
    assert np.array_equal(got, np.array(want, float))


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(0, 300),
    removed=st.floats(0.0, 1.0),
    added=st.integers(0, 60),
    dtype=st.sampled_from([np.int8, np.int32, np.int64, np.float64]),
    seed=st.integers(0, 2**31 - 1),
)
def test_merge_sorted_cuts_and_inserts_like_numpy(m, removed, added, dtype, seed):
    rng = np.random.default_rng(seed)
    old = rng.integers(-100, 100, m).astype(dtype)
    remove = np.flatnonzero(rng.random(m) < removed)
    new = rng.integers(-100, 100, added).astype(dtype)
    insert_at = np.sort(rng.integers(0, m + 1, added))
    want = np.insert(old, insert_at, new)
    keep = np.ones(len(want), bool)
    keep[remove + np.searchsorted(insert_at, remove, side="right")] = False
    got = merge_sorted(old, remove, new, insert_at)
    assert got.dtype == old.dtype
    assert np.array_equal(got, want[keep])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    density=st.floats(0.0, 0.3),
    shuffled=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_components_are_those_networkx_counts(n, density, shuffled, seed):
    store = _random_store(n, density, seed)
    u, v = store.u, store.v
    if shuffled:  # any order of the ties, not only the canonical one
        order = np.random.default_rng(seed).permutation(store.m)
        u, v = u[order], v[order]
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    assert _components(u, v, n) == nx.number_connected_components(G)
