"""Loneliness by network distance: correlation, and excess risk against a permutation null.

Method: breadth-first search from a sample of member egos by sparse frontier expansion (all egos
at once: the frontier is an egos x people sparse matrix, multiplied by the adjacency each step and
stripped of people already reached), giving, for each distance d, the (ego, alter) pairs at
exactly d steps.

Excess risk (Cacioppo, Fowler & Christakis 2009, with Christakis & Fowler's permutation null): over
the (ego, alter) pairs at distance d with both members,

    P_d      = #(ego lonely and alter lonely) / #(alter lonely)
    excess_d = P_d / (mean of P_d over permutations of who is lonely among members) - 1

the permutations keeping the network, the egos and the number of lonely people. With C_d the
egos x people matrix of pairs at distance d and L a 0/1 loneliness vector, P_d = L[egos]' C_d L /
1' C_d L; for many permuted vectors at once (the columns of a people x permutations matrix) this
is one sparse-dense product per distance. The share of pairs at each distance, pairs_d, is the
number of (ego, member) pairs at distance d over all ego-member pairs (ego excluded), so the
shares of d = 1..4 and of "further or unreachable" sum to 1.

A second null, reported beside the published one: the permutations move loneliness only within
strata of people (deciles of degree), so that the excess is not read off who tends to sit at
distance d. The published null keeps the network but not who is where in it: when loneliness goes
with few ties, a lonely alter's pairs at distance 2 run through hubs (well connected, seldom
lonely) and those at distance 4 join the periphery, and the free null reads that as negative and
positive excess. Shuffle tests that keep such structure are the usual check of network-correlation
claims (Anagnostopoulos, Kumar & Mahdian 2008; La Fond & Neville 2010; the critique of Cohen-Cole
& Fletcher 2008).

Correlation (:func:`loneliness_by_distance`, the older summary): the Pearson correlation of
loneliness over the (source, person) pairs at each distance.

Sources:
    Cacioppo, J. T., Fowler, J. H. & Christakis, N. A. (2009). Alone in the crowd: the structure
    and spread of loneliness in a large social network. J. Pers. Soc. Psychol. 97(6), 977-991
    (lonely alters raise the chance of being lonely by about 52% at distance 1, 25% at 2, 15% at
    3, none at 4).
    Anagnostopoulos, A., Kumar, R. & Mahdian, M. (2008). Influence and correlation in social
    networks. Proc. 14th ACM SIGKDD, 7-15 (the shuffle test).
    La Fond, T. & Neville, J. (2010). Randomization tests for distinguishing social influence and
    homophily effects. Proc. 19th WWW, 601-610.
    Cohen-Cole, E. & Fletcher, J. M. (2008). Detecting implausible social network effects in acne,
    height, and headaches: longitudinal analysis. BMJ 337, a2533.
    Christakis, N. A. & Fowler, J. H. (2007). The spread of obesity in a large social network
    over 32 years. N. Engl. J. Med. 357, 370-379 (the permutation null: same network, shuffled
    outcomes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = [
    "degree_deciles",
    "distance_measure",
    "distance_top20_measure",
    "excess_risk_by_distance",
    "loneliness_by_distance",
    "top_share",
]


def _distance_layers(
    A: sparse.csr_matrix, sources: np.ndarray, max_distance: int
) -> Iterator[tuple[int, sparse.csr_matrix]]:
    """Yield (d, reach_d) for d = 1..max_distance: sources x people, True at distance exactly d."""
    n = A.shape[0]
    k = len(sources)
    rows = np.arange(k)
    visited = sparse.csr_matrix((np.ones(k, bool), (rows, sources)), shape=(k, n))
    frontier = visited.copy()
    for d in range(1, max_distance + 1):
        reach = frontier @ A
        reach = reach - reach.multiply(visited)
        reach.eliminate_zeros()
        reach = reach.astype(bool)
        yield d, reach
        visited = (visited + reach).astype(bool)
        frontier = reach


def _sample(people: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 0xD157])
    return np.sort(rng.choice(people, k, replace=False)) if k else people[:0]


def loneliness_by_distance(
    model=None,
    *,
    adjacency: sparse.spmatrix | None = None,
    loneliness: np.ndarray | None = None,
    members: np.ndarray | None = None,
    max_distance: int = 4,
    n_sources: int = 300,
    seed: int = 0,
) -> dict[int, float]:
    """Correlation of loneliness between people at each network distance (1..max_distance).

    Breadth-first search from a sample of sources (all people when there are fewer); for each
    distance d, the Pearson correlation of loneliness over all (source, person at distance d)
    pairs.

    Args:
        model: A SupportModel (uses its current network and loneliness), or None with
            ``adjacency`` and ``loneliness`` given.
        adjacency: Symmetric adjacency (any nonzero entry is a tie).
        loneliness: Loneliness per person.
        members: People to include (default: the model's population proper, or everyone).
        max_distance: Largest distance.
        n_sources: Sources sampled (fixed by ``seed`` and the model's seed).
        seed: Extra seed for the source sample.

    Returns:
        {distance: correlation} (NaN where there are too few pairs).
    """
    if model is not None:
        adjacency = model.ties.adjacency()
        loneliness = model.population.loneliness
        members = model.population.members if members is None else members
        seed = abs(int(getattr(model, "_seed", 0) or 0)) + seed
    A = sparse.csr_matrix(adjacency, dtype=bool)
    n = A.shape[0]
    lon = np.asarray(loneliness, float)
    mem = np.ones(n, bool) if members is None else np.asarray(members, bool)
    people = np.flatnonzero(mem)
    k = min(n_sources, len(people))
    if k == 0:
        return {d: float("nan") for d in range(1, max_distance + 1)}
    sources = _sample(people, k, seed)
    out: dict[int, float] = {}
    for d, reach in _distance_layers(A, sources, max_distance):
        si, pj = reach.nonzero()
        keep = mem[pj]
        si, pj = si[keep], pj[keep]
        x, y = lon[sources[si]], lon[pj]
        if len(x) > 2 and x.std() > 0 and y.std() > 0:
            out[d] = float(np.corrcoef(x, y)[0, 1])
        else:
            out[d] = float("nan")
    return out


def excess_risk_by_distance(
    adjacency: sparse.spmatrix,
    lonely: np.ndarray,
    members: np.ndarray | None = None,
    max_distance: int = 4,
    n_sources: int = 500,
    n_permutations: int = 100,
    seed: int = 0,
    strata: np.ndarray | None = None,
) -> dict[str, float]:
    """Excess risk of loneliness given a lonely alter at each distance, against a permutation null.

    Args:
        adjacency: Symmetric adjacency (any nonzero entry is a tie), people x people.
        lonely: Per person, whether they are lonely (bool, or 0/1).
        members: People counted as egos and alters (default: everyone); paths may pass through
            anyone.
        max_distance: Largest distance.
        n_sources: Egos sampled among members (all when there are fewer).
        n_permutations: Permutations of ``lonely`` among members for the null.
        seed: Seeds the ego sample and the permutations.
        strata: Optional stratum of each person (integers): a second null that permutes
            ``lonely`` only within strata (e.g. degree deciles), read as ``excess_strat_d<d>``.

    Returns:
        For d = 1..max_distance: ``excess_d<d>`` (P_d / null mean - 1), ``risk_d<d>`` (P_d),
        ``null_d<d>`` (mean of P_d over the permutations), ``pairs_d<d>`` (share of ego-member
        pairs at distance d); with ``strata``, also ``excess_strat_d<d>`` and ``null_strat_d<d>``
        (the same against the within-strata permutations); and ``lonely_share`` (lonely members /
        members). NaN where a value cannot be computed (no lonely alter at d, no members).
    """
    A = sparse.csr_matrix(adjacency, dtype=bool)
    n = A.shape[0]
    lon = np.asarray(lonely).astype(bool)
    mem = np.ones(n, bool) if members is None else np.asarray(members, bool)
    people = np.flatnonzero(mem)
    m = len(people)
    nan = float("nan")
    out: dict[str, float] = {"lonely_share": float(lon[people].mean()) if m else nan}
    k = min(n_sources, m)
    names = ("excess", "risk", "null", "pairs") + (
        ("excess_strat", "null_strat") if strata is not None else ()
    )
    if k == 0 or m < 2:
        for d in range(1, max_distance + 1):
            out |= {f"{p}_d{d}": nan for p in names}
        return out
    egos = _sample(people, k, seed)
    # The observed vector and the permuted ones as columns: people x (1 + permutations [+
    # permutations within strata]), zero outside the members so that only member alters count.
    rng = np.random.default_rng([seed, 0x9E12])
    columns = [
        lon[people][None, :],
        rng.permuted(np.tile(lon[people], (n_permutations, 1)), axis=1),
    ]
    if strata is not None:
        columns.append(
            _permuted_within(lon[people], np.asarray(strata)[people], n_permutations, seed)
        )
    L = np.zeros((n, sum(len(c) for c in columns)))
    L[people] = np.concatenate(columns).T
    free = slice(1, 1 + n_permutations)
    ego_L = L[egos]
    for d, reach in _distance_layers(A, egos, max_distance):
        C = reach.astype(np.float64) @ sparse.diags_array(mem.astype(np.float64))
        C = sparse.csr_matrix(C)
        C.eliminate_zeros()
        out[f"pairs_d{d}"] = C.nnz / (k * (m - 1))
        lonely_alters = C @ L  # egos x vectors: lonely member alters at distance d
        denominator = lonely_alters.sum(axis=0)
        numerator = (ego_L * lonely_alters).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            risk = np.where(denominator > 0, numerator / denominator, np.nan)
        out[f"risk_d{d}"] = float(risk[0])
        out[f"null_d{d}"] = null = _mean_risk(risk[free])
        out[f"excess_d{d}"] = float(risk[0]) / null - 1.0 if null > 0 else nan
        if strata is not None:
            out[f"null_strat_d{d}"] = null = _mean_risk(risk[free.stop :])
            out[f"excess_strat_d{d}"] = float(risk[0]) / null - 1.0 if null > 0 else nan
    return out


def _mean_risk(risks: np.ndarray) -> float:
    """Mean of the permuted P_d that are defined (NaN when none is)."""
    return float(np.nanmean(risks)) if np.isfinite(risks).any() else float("nan")


def _permuted_within(values: np.ndarray, strata: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` permutations of ``values`` that move each value only within its stratum.

    Each row sorts the people by (stratum, a fresh uniform key): within a stratum that is a
    uniform random order, and giving the stratum-sorted values to it in turn permutes them within
    their strata.
    """
    rng = np.random.default_rng([seed, 0x57A7])
    codes = np.unique(strata, return_inverse=True)[1]
    by_stratum = np.argsort(codes, kind="stable")
    order = np.argsort(rng.random((count, len(codes))) + codes[None, :], axis=1)
    out = np.empty((count, len(values)), values.dtype)
    np.put_along_axis(out, order, np.broadcast_to(values[by_stratum], out.shape), axis=1)
    return out


def top_share(values: np.ndarray, members: np.ndarray, share: float = 0.2) -> np.ndarray:
    """Mask of the ``share`` of members with the highest values (ties broken by row order)."""
    people = np.flatnonzero(members)
    count = int(round(share * len(people)))
    order = people[np.lexsort((people, -np.asarray(values, float)[people]))]
    out = np.zeros(len(members), bool)
    out[order[:count]] = True
    return out


def _record_distance(record: RunRecord, lonely: np.ndarray) -> dict[str, float]:
    members = record.final_members()
    A = sparse.coo_matrix(
        (np.ones(len(record.edges_u), bool), (record.edges_u, record.edges_v)),
        shape=(record.n, record.n),
    )
    A = sparse.csr_matrix(A + A.T)
    strata = degree_deciles(A, members)
    res = excess_risk_by_distance(A, lonely, members, seed=record.seed, strata=strata)
    keys = [f"{p}_d{d}" for p in ("excess", "pairs", "excess_strat") for d in range(1, 5)]
    return {key: res[key] for key in keys} | {"lonely_share": res["lonely_share"]}


def degree_deciles(adjacency: sparse.spmatrix, members: np.ndarray) -> np.ndarray:
    """Decile of each person's degree among the members (0-9; people sharing a degree share it).

    The strata of the degree-keeping null: loneliness goes with few ties (the periphery fact), and
    pairs at a given distance are not a random draw of people (hubs are two steps from most,
    the periphery four), so the free permutation null mixes clustering with that confound.
    """
    degree = np.asarray((adjacency != 0).sum(axis=1)).ravel()
    members = np.asarray(members, bool)
    if not members.any():
        return np.zeros(len(degree), np.int64)
    cuts = np.quantile(degree[members], np.linspace(0.1, 0.9, 9))
    return np.searchsorted(cuts, degree, side="right")


def _final_loneliness(record: RunRecord) -> np.ndarray:
    last = record.snapshots[-1]
    out = np.zeros(record.n)
    k = min(last.n, record.n)
    out[:k] = last.loneliness[:k]
    return out


def distance_measure(record: RunRecord) -> dict[str, float]:
    """Excess risk by distance, lonely = loneliness above the run's threshold (last snapshot).

    Keys: ``excess_d1``..``excess_d4``, ``pairs_d1``..``pairs_d4``, ``lonely_share``, and
    ``excess_strat_d1``..``excess_strat_d4``: the excess against a null that keeps each lonely
    value within its degree decile (:func:`degree_deciles`; a diagnostic, not the published
    measure).
    """
    return _record_distance(record, _final_loneliness(record) > record.lonely_threshold)


def distance_top20_measure(record: RunRecord) -> dict[str, float]:
    """Excess risk by distance, lonely = the top 20% of members by loneliness (last snapshot).

    Keys as :func:`distance_measure`.
    """
    lonely = top_share(_final_loneliness(record), record.final_members(), 0.2)
    return _record_distance(record, lonely)
