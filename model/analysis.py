"""Per-run analyses: the buffering estimate and loneliness correlation by network distance.

Both work on any finished (or running) :class:`~supportnet.SupportModel`, and on the plain data they
need (a person panel, a graph and a loneliness vector), so experiments and dashboards can use them
on stored results too.

Sources:
    Cohen, S. & Wills, T. A. (1985): buffering shows as a stress x support interaction.
    Cacioppo, Fowler & Christakis (2009): loneliness correlation by degree of separation, falling
    to near zero beyond three degrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import sparse

__all__ = [
    "BufferingEstimate",
    "buffering_estimate",
    "buffering_from_panel",
    "loneliness_by_distance",
    "ols_cluster",
]


@dataclass(frozen=True)
class BufferingEstimate:
    """The stress x perceived-support interaction on depression change.

    Attributes:
        interaction: Coefficient of (standardised stressor load) x (standardised perceived
            support) in a regression of depression change per window; negative = buffering.
        ci_low: Lower end of its 95% confidence interval (cluster-robust by person).
        ci_high: Upper end.
        se: Its standard error.
        stress_slope: Coefficient of standardised stressor load (the harm of stress at mean
            support).
        support_slope: Coefficient of standardised perceived support (the main effect).
        n_obs: Person-windows in the regression.
        n_people: People (clusters).
    """

    interaction: float
    ci_low: float
    ci_high: float
    se: float
    stress_slope: float
    support_slope: float
    n_obs: int
    n_people: int

    def as_dict(self) -> dict[str, float]:
        """Return the fields as a flat dict (prefixed ``buffering_``), for tables."""
        return {f"buffering_{k}": float(v) for k, v in asdict(self).items()}


_NAN_ESTIMATE = BufferingEstimate(*([float("nan")] * 6), 0, 0)


def ols_cluster(
    y: np.ndarray, X: np.ndarray, clusters: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary least squares with cluster-robust (CR1) standard errors.

    Args:
        y: Outcome (n,).
        X: Design matrix (n, k), intercept included by the caller.
        clusters: Cluster id per row (n,).

    Returns:
        Coefficients (k,) and their standard errors (k,).
    """
    n, k = X.shape
    XtX_inv = np.linalg.pinv(X.T @ X)
    beta = XtX_inv @ X.T @ y
    resid = y - X @ beta
    ids, inv = np.unique(clusters, return_inverse=True)
    g = len(ids)
    scores = np.zeros((g, k))
    np.add.at(scores, inv, X * resid[:, None])
    meat = scores.T @ scores
    correction = (g / max(g - 1, 1)) * ((n - 1) / max(n - k, 1))
    cov = correction * XtX_inv @ meat @ XtX_inv
    return beta, np.sqrt(np.maximum(np.diag(cov), 0.0))


def buffering_from_panel(
    panel: Sequence[dict[str, np.ndarray]],
    members: np.ndarray | None = None,
    burn_in: int = 0,
) -> BufferingEstimate:
    """Estimate buffering from person snapshots taken every few steps.

    For each person and window between consecutive snapshots: X = stressor load (event
    magnitudes summed over the window), P = perceived support at the window's start, Y = change
    in depression over the window. The regression is Y ~ 1 + X + P + X*P + D0 (D0 = depression at
    the window's start, to absorb regression to the mean), with X and P standardised over the
    pooled windows.

    Args:
        panel: Snapshots with keys step, depression, perceived_support, stressor_load.
        members: Mask of people to include (default: all in the first snapshot).
        burn_in: Windows starting before this step are left out.

    Returns:
        The estimate (NaN fields when there are too few windows or no variation).
    """
    rows = [(a, b) for a, b in zip(panel[:-1], panel[1:], strict=False) if a["step"] >= burn_in]
    if not rows:
        return _NAN_ESTIMATE
    n0 = len(panel[0]["depression"])
    mask = np.ones(n0, bool) if members is None else np.asarray(members[:n0], bool)
    idx = np.flatnonzero(mask)
    X = np.concatenate([b["stressor_load"][idx] for a, b in rows])
    P = np.concatenate([a["perceived_support"][idx] for a, b in rows])
    D0 = np.concatenate([a["depression"][idx] for a, b in rows])
    Y = np.concatenate([b["depression"][idx] - a["depression"][idx] for a, b in rows])
    person = np.tile(idx, len(rows))
    if len(Y) < 10 or X.std() == 0 or P.std() == 0:
        return _NAN_ESTIMATE
    xz = (X - X.mean()) / X.std()
    pz = (P - P.mean()) / P.std()
    dz = (D0 - D0.mean()) / (D0.std() or 1.0)
    design = np.column_stack([np.ones_like(xz), xz, pz, xz * pz, dz])
    beta, se = ols_cluster(Y, design, person)
    b, s = float(beta[3]), float(se[3])
    return BufferingEstimate(
        interaction=b,
        ci_low=b - 1.96 * s,
        ci_high=b + 1.96 * s,
        se=s,
        stress_slope=float(beta[1]),
        support_slope=float(beta[2]),
        n_obs=len(Y),
        n_people=len(idx),
    )


def buffering_estimate(model, burn_in: int | None = None) -> BufferingEstimate:
    """Return the buffering estimate of a run (see :func:`buffering_from_panel`).

    Args:
        model: A SupportModel run with ``panel_every`` > 0.
        burn_in: Leave out windows starting before this step (default: the first fifth of the
            run, so the starting state's transient does not count).
    """
    if burn_in is None:
        burn_in = model.steps // 5
    return buffering_from_panel(model.panel, model.population.members, burn_in)


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
    rng = np.random.default_rng([seed, 0xD157])
    k = min(n_sources, len(people))
    sources = np.sort(rng.choice(people, k, replace=False)) if k else people
    out: dict[int, float] = {}
    if k == 0:
        return {d: float("nan") for d in range(1, max_distance + 1)}
    # Frontier expansion, batch of sources at once (rows = sources).
    rows = np.arange(k)
    visited = sparse.csr_matrix((np.ones(k, bool), (rows, sources)), shape=(k, n))
    frontier = visited.copy()
    for d in range(1, max_distance + 1):
        reach = frontier @ A
        reach = reach - reach.multiply(visited)
        reach.eliminate_zeros()
        reach = reach.astype(bool)
        si, pj = reach.nonzero()
        keep = mem[pj]
        si, pj = si[keep], pj[keep]
        x, y = lon[sources[si]], lon[pj]
        if len(x) > 2 and x.std() > 0 and y.std() > 0:
            out[d] = float(np.corrcoef(x, y)[0, 1])
        else:
            out[d] = float("nan")
        visited = (visited + reach).astype(bool)
        frontier = reach
    return out
