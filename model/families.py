"""Families in the town: a fixed number of family slots, joined at the start and by newcomers alike.

Each person belongs to at most one family of the town. The town has ``F`` family slots; a person
has family in the town with probability ``local_entry_share`` (``l``) and then belongs to a slot
drawn uniformly. The members of a family are tied to each other by family ties (complete
clusters: a family knows itself). Newcomers (:mod:`supportnet.mechanisms.turnover`) draw their
family by the same law, independently of everything else, so the law of the family structure is
the same at every step: the families are stationary from the first step. Each slot is an
M/M/infinity queue (members arrive at a constant rate, each leaves at the person's leaving rate)
whose stationary size is Poisson (Kelly 1979), and a person in a family has Poisson(l n / F)
relatives in it. ``F`` is set so that this mean is the number of family ties in the inner circle,
``convoy_inner * convoy_family_share``.

Why not the simpler rule "a local newcomer joins the family of a resident drawn at random": a
family then gains members in proportion to its size (0.9 births per departure at the defaults),
a near-critical birth-death process whose size distribution relaxes at rate (1 - l) * leave_rate,
once in 250 years at the defaults. The town's clustering drifted for 1,100 steps.

Networks that are given rather than generated (real networks, files, the other generators) get
their families from the ties: each connected group of two or more people joined by family ties is
a family slot.

Sources:
    Kelly, F. P. (1979). Reversibility and Stochastic Networks. Wiley, ch. 2 (the M/M/infinity
    queue: stationary occupancy Poisson, whatever the starting state's law if started there).
    Kahn, R. L. & Antonucci, T. C. (1980). Convoys over the life course (family in the inner
    circle).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .kinds import FAMILY
from .params import Params

__all__ = ["MAX_JOINED", "complete_pairs", "draw_families", "families_from_ties", "slot_count"]

#: A newcomer is tied to at most this many members of the family they join (the lowest
#: indices first). Generated families are Poisson(3) in size at the defaults, so this binds less
#: than once in 10,000 joins; it keeps families read from large real networks manageable.
MAX_JOINED = 12


def slot_count(params: Params, n: int) -> int:
    """The number of family slots F of a town of ``n`` people.

    F = round(l n / f), where l is ``local_entry_share`` and f = ``convoy_inner *
    convoy_family_share`` the mean number of relatives of a person with family; 0 (no families)
    when either is 0.
    """
    relatives = params.convoy_inner * params.convoy_family_share
    if relatives <= 0 or params.local_entry_share <= 0 or n <= 0:
        return 0
    return max(1, round(params.local_entry_share * n / relatives))


def draw_families(k: int, slots: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """Draw the family of ``k`` people: a uniform slot with probability ``share``, else -1.

    Draws: uniform (k) whether in a family, integers (k) the slot (both always drawn, so the
    stream does not depend on the outcome).
    """
    has = rng.random(k) < share
    slot = rng.integers(0, max(slots, 1), k)
    return np.where(has & (slots > 0), slot, -1).astype(np.int64)


def complete_pairs(family: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of people in the same family (u < v by position in the family's index order).

    Args:
        family: Family slot per person (-1: none).

    Returns:
        (u, v): arrays of person indices, family by family in slot order.
    """
    members = np.flatnonzero(family >= 0)
    order = members[np.argsort(family[members], kind="stable")]
    _, starts, sizes = np.unique(family[order], return_index=True, return_counts=True)
    us, vs = [], []
    for size in np.unique(sizes[sizes > 1]):  # one vectorised block per family size
        blocks = starts[sizes == size]
        iu, iv = np.triu_indices(size, 1)
        us.append(order[(blocks[:, None] + iu).ravel()])
        vs.append(order[(blocks[:, None] + iv).ravel()])
    if not us:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(us), np.concatenate(vs)


def families_from_ties(
    n: int, u: np.ndarray, v: np.ndarray, kind: np.ndarray
) -> tuple[np.ndarray, int]:
    """Family slots read from the family ties of a given network.

    Args:
        n: Number of people.
        u: First end of each tie.
        v: Second end of each tie.
        kind: Kind code per tie.

    Returns:
        (family, F): each person's slot (-1 when they have no family tie) and the number of slots:
        one per connected group of two or more people joined by family ties.
    """
    fam = kind == FAMILY
    if not fam.any():
        return np.full(n, -1, np.int64), 0
    graph = coo_matrix((np.ones(int(fam.sum())), (u[fam], v[fam])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    sizes = np.bincount(label)
    big = sizes[label] > 1
    # Number the families 0..F-1 in the order of their lowest member.
    _, first = np.unique(label, return_index=True)
    keep = np.sort(first[sizes[label[first]] > 1])
    slot_of_label = np.full(len(sizes), -1, np.int64)
    slot_of_label[label[keep]] = np.arange(len(keep))
    return np.where(big, slot_of_label[label], -1), len(keep)
