"""Compiled tie kernels against plain Python on random networks."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from supportnet.kernels import shared_neighbours, tie_update
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
