"""Burn-in detection (MSER-5) and drift per 100 steps: is the world stationary after burn-in?

Burn-in, MSER-5: cut the series into k batches of 5 steps and take their means Y_1..Y_k (a
partial batch at the end is dropped). For each number d = 0..floor(k/2) of leading batches to
delete, the marginal standard error rule scores what is left by

    MSER(d) = sum over j > d of (Y_j - mean of Y_{d+1..k})^2 / (k - d)^2

(the variance of the truncated mean, up to a constant); the burn-in is 5 d*, with d* the d of
least MSER. When d* is the largest d allowed, the rule found no point after which the series
settles (a trend, or a transient longer than half the run): ``at_limit``.

Drift: the OLS slope of the series on the step over the post-burn-in steps, times 100, divided
by the series' level max(|mean|, floor): the change per 100 steps as a share of the level (0.02
is 2% per 100 steps). The floor keeps near-zero levels (a share of 0.001) from blowing the
ratio up: 0.05 for shares and 0-1 states, 1 for counts.

Ensemble burn-in (Welch 1983): a single town's mean wanders slowly (a finite population with slow
parts), and MSER on one run can read that wandering as a transient. Averaging the series over
independent replications first removes the wandering and keeps what all runs share, the warm-up:
``ensemble_burn_in`` applies MSER-5 to the mean over runs of each headline series and takes the
largest; the facts battery judges this one, with a bootstrap interval over runs.

Tie kinds kept: for each tie kind present at burn-in, the mean count over the last 10% of the
post-burn-in steps divided by its count at burn-in; the smallest over kinds (0 = a kind died
out).

Sources:
    White, K. P. (1997). An effective truncation heuristic for bias reduction in simulation
    output. Simulation 69(6), 323-334 (MSER).
    Franklin, W. W. & White, K. P. (2008). Stationarity tests and MSER-5: exploring the
    intuition behind mean-squared-error-reduction in warm-up period determination. Proc.
    Winter Simulation Conference, 541-546 (MSER-5, batches of 5).
    Welch, P. D. (1983). The statistical analysis of simulation results. In Lavenberg (ed.), The
    Computer Performance Modeling Handbook, 268-328 (averaging over replications to find the
    warm-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..kinds import TIE_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = [
    "COUNT_SERIES",
    "HEADLINE",
    "ensemble_burn_in",
    "mser_burn_in",
    "relative_drift",
    "stationarity",
]

#: The headline series whose burn-in and drift are measured (columns of the per-step table).
HEADLINE = (
    "mean_stress",
    "mean_depression",
    "mean_loneliness",
    "mean_perceived_support",
    "case_prevalence",
    "lonely_fraction",
    "mean_degree",
    "ties",
    "clustering",
)
#: Series that are counts (drift floor 1.0); the others are shares or 0-1 states (floor 0.05).
COUNT_SERIES = ("ties", "mean_degree")
SHARE_FLOOR = 0.05
COUNT_FLOOR = 1.0


def mser_burn_in(x, batch: int = 5) -> tuple[float, bool]:
    """Return the MSER burn-in of a series, in steps, and whether it hit the search limit.

    Args:
        x: The series, one value per step from the start of the run.
        batch: Steps per batch (5: MSER-5).

    Returns:
        (burn-in in steps, at_limit). NaN and False when the series has fewer than 4 batches or
        non-finite values.

    Examples:
        >>> mser_burn_in([5.0] * 10 + [1.0] * 200)
        (10, False)
    """
    x = np.asarray(x, float)
    k = len(x) // batch
    if k < 4 or not np.isfinite(x[: k * batch]).all():
        return float("nan"), False
    y = x[: k * batch].reshape(k, batch).mean(axis=1)
    y = y - y.mean()  # centring keeps the sums of squares below free of cancellation
    # Tail sums over j > d for d = 0..k-1 (reverse cumulative sums).
    s1 = np.cumsum(y[::-1])[::-1]
    s2 = np.cumsum((y * y)[::-1])[::-1]
    d = np.arange(k // 2 + 1)
    left = k - d
    sse = np.maximum(s2[d] - s1[d] ** 2 / left, 0.0)
    mser = sse / left.astype(float) ** 2
    best = int(np.argmin(mser))  # the first minimum: the shortest burn-in among equals
    return best * batch, bool(best == d[-1])


def relative_drift(x, floor: float, steps=None) -> float:
    """Return the change of ``x`` per 100 steps as a share of its level.

    Args:
        x: The series over the post-burn-in steps (a pandas Series uses its index as the step).
        floor: Smallest level to divide by (0.05 for shares, 1 for counts).
        steps: The steps of ``x`` (default: its index if a Series, else 0, 1, 2, ...).

    Returns:
        100 * slope / max(|mean|, floor); NaN with fewer than 3 finite values.

    Examples:
        >>> round(relative_drift([1.0 + 0.0001 * t for t in range(500)], 1.0), 4)
        0.0098
    """
    if steps is None:
        steps = x.index if isinstance(x, pd.Series) else np.arange(len(x))
    t = np.asarray(steps, float)
    y = np.asarray(x, float)
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    if len(y) < 3 or np.ptp(t) == 0:
        return float("nan")
    tc = t - t.mean()
    slope = float((tc * (y - y.mean())).sum() / (tc * tc).sum())
    return 100.0 * slope / max(abs(float(y.mean())), floor)


def stationarity(record: RunRecord) -> dict[str, float]:
    """Burn-in, drift per 100 steps and tie kinds kept, from a run record's per-step table.

    Keys: ``burn_in`` (the largest MSER-5 burn-in over :data:`HEADLINE`, from step 0),
    ``burn_in_at_limit`` (1.0 if any series never settled), ``drift_<name>`` per headline series
    (over steps >= the record's burn-in), ``max_abs_drift``, ``kind_kept_min``.
    """
    df = record.steps
    out: dict[str, float] = {}
    burn, limit = [], False
    post = df[df.index >= record.burn_in]
    for name in HEADLINE:
        b, at = mser_burn_in(df[name].to_numpy())
        burn.append(b)
        limit |= at
        floor = COUNT_FLOOR if name in COUNT_SERIES else SHARE_FLOOR
        out[f"drift_{name}"] = relative_drift(post[name], floor)
    finite = [b for b in burn if np.isfinite(b)]
    out["burn_in"] = float(max(finite)) if finite else float("nan")
    out["burn_in_at_limit"] = 1.0 if limit else 0.0
    drifts = np.array([out[f"drift_{name}"] for name in HEADLINE])
    drifts = drifts[np.isfinite(drifts)]
    out["max_abs_drift"] = float(np.abs(drifts).max()) if len(drifts) else float("nan")
    out["kind_kept_min"] = _kind_kept_min(post)
    return out


def ensemble_burn_in(tables: list[pd.DataFrame], batch: int = 5) -> float:
    """MSER-5 burn-in of the mean over runs, largest over :data:`HEADLINE` (in steps).

    Args:
        tables: One per-step table per run, each with a ``step`` column (or a step index) and
            the headline columns; rows may be every k-th step (the batch is then 5 rows).
        batch: Rows per MSER batch.

    Returns:
        The burn-in in steps (NaN without tables or with too short series).
    """
    frames = []
    for t in tables:
        t = t.set_index("step") if "step" in t.columns else t
        frames.append(t[[c for c in HEADLINE if c in t.columns]])
    if not frames:
        return float("nan")
    mean = pd.concat(frames).groupby(level=0).mean().sort_index()
    steps = mean.index.to_numpy()
    spacing = float(np.median(np.diff(steps))) if len(steps) > 1 else 1.0
    burn = []
    for name in mean.columns:
        b, _ = mser_burn_in(mean[name].to_numpy(), batch=batch)
        if np.isfinite(b):
            burn.append(b * spacing)
    return float(max(burn)) if burn else float("nan")


def _kind_kept_min(post) -> float:
    if len(post) == 0:
        return float("nan")
    tail = post.iloc[-max(1, int(round(0.1 * len(post)))) :]
    cols = [f"ties_{k}" for k in TIE_KINDS]
    start = post[cols].iloc[0].to_numpy(float)
    present = start >= 1
    if not present.any():
        return float("nan")
    kept = tail[cols].mean().to_numpy(float)[present] / start[present]
    return float(kept.min())
