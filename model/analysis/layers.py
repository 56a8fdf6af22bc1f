"""Contact layers and network shape: weekly and monthly contacts, degree spread, clustering.

Method: per member, at the end of the run, weekly = the number of their ties with at least one
contact per week on average over the contact window (contacts_per_week >= 1), monthly = the number
with at least one contact a month (contacts_per_week >= 12/52; it includes the weekly layer, as
Dunbar's layers are nested). ``weekly_mean`` and ``monthly_mean`` average these over members,
``layer_ratio`` = monthly_mean / weekly_mean (about 3 in Dunbar's layers: ~5 and ~15). Degree
spread: ``degree_cv`` = sd / mean of degree among members (sample sd). ``clustering``: the mean
local clustering coefficient over members, c_i = (ties among i's neighbours) / (d_i (d_i - 1) / 2),
0 for d_i < 2 (networkx's ``average_clustering`` over the members; neighbours may be anyone).

Sources:
    Zhou, W.-X., Sornette, D., Hill, R. A. & Dunbar, R. I. M. (2005). Discrete hierarchical
    organization of social group sizes. Proc. R. Soc. B 272, 439-444 (layers ~5, 15, 50, 150,
    scaling ratio ~3).
    Roberts, S. G. B. & Dunbar, R. I. M. (2011). Communication in social networks: effects of
    kinship, network size, and emotional closeness. Personal Relationships 18(3), 439-452
    (contact frequency defines the layers).
    Watts, D. J. & Strogatz, S. H. (1998). Collective dynamics of 'small-world' networks. Nature
    393, 440-442 (local clustering coefficient).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..kernels import clustering_by_keys

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = ["MONTHLY", "WEEKLY", "layers", "mean_clustering"]

WEEKLY = 1.0  # contacts per week
MONTHLY = 12.0 / 52.0  # at least one contact a month: 12 a year


def mean_clustering(u: np.ndarray, v: np.ndarray, n: int, people: np.ndarray) -> float:
    """Mean local clustering over ``people`` of the graph with ties (u, v) on n nodes.

    Args:
        u: One end of each tie (each pair once, no self-loops).
        v: The other end.
        n: Number of nodes.
        people: Nodes to average over.

    Returns:
        The mean (0 for nodes with fewer than two ties; NaN when ``people`` is empty).
    """
    people = np.asarray(people, np.int64)
    if len(people) == 0:
        return float("nan")
    lo = np.minimum(u, v).astype(np.int64)
    hi = np.maximum(u, v).astype(np.int64)
    # The tie store's two sorted key indexes, so the compiled kernel of the per-step measure
    # (supportnet.kernels.clustering_by_keys) serves here too.
    keys = np.sort((lo << 32) | hi)
    vkeys = np.sort((hi << 32) | lo)
    bounds = np.arange(n + 1, dtype=np.int64) << 32
    fptr = np.searchsorted(keys, bounds)
    bptr = np.searchsorted(vkeys, bounds)
    return float(clustering_by_keys(keys, vkeys, fptr, bptr, people))


def layers(record: RunRecord) -> dict[str, float]:
    """Contact layers, degree CV, clustering and mean degree among members at the end.

    Keys: ``weekly_mean``, ``monthly_mean``, ``layer_ratio``, ``degree_cv``, ``clustering``,
    ``mean_degree``.
    """
    n, u, v = record.n, record.edges_u, record.edges_v
    members = record.final_members()
    rate = np.nan_to_num(record.contacts_per_week, nan=0.0)  # not yet observed: not a layer
    weekly = np.bincount(u, rate >= WEEKLY, n) + np.bincount(v, rate >= WEEKLY, n)
    monthly = np.bincount(u, rate >= MONTHLY, n) + np.bincount(v, rate >= MONTHLY, n)
    degree = record.final_degree()[members].astype(float)
    nan = float("nan")
    if not members.any():
        return dict.fromkeys(
            ("weekly_mean", "monthly_mean", "layer_ratio", "degree_cv", "clustering",
             "mean_degree"), nan,
        )  # fmt: skip
    w, mo = float(weekly[members].mean()), float(monthly[members].mean())
    mean_degree = float(degree.mean())
    sd = float(degree.std(ddof=1)) if len(degree) > 1 else nan
    return {
        "weekly_mean": w,
        "monthly_mean": mo,
        "layer_ratio": mo / w if w > 0 else nan,
        "degree_cv": sd / mean_degree if mean_degree > 0 else nan,
        "clustering": mean_clustering(u, v, n, np.flatnonzero(members)),
        "mean_degree": mean_degree,
    }
