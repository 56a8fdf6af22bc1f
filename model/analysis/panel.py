"""Panel effects between snapshots: loneliness and depression; family vs friend support.

Cross-sectional (Lee et al. 2021): the Pearson correlation of loneliness and depression among
members at each snapshot, averaged over snapshots (``r_cross``).

Lagged (Lee et al. 2021): pairs of snapshots one year apart, L = round(52 / every) snapshots
(lag_steps = L * every), same person in both, members at the first. With z-scores over the pooled
pairs, Y = depression a year later, X = loneliness now, D = depression now,

    Y = b0 + b_X X + b_D D + error          (OLS, cluster-robust by person)

``lagged_effect`` = b_X: the standardised effect of loneliness on depression a year later beyond
earlier depression.

Family vs friends (Acoba 2024): pairs (t, t + L) as above, with t at least a year after the first
snapshot. F = support received over family ties in the year before t (the L windows ending at t),
R = the same over friend ties, S0 = stress at t, Y = stress a year later; all z-scored,

    Y = b0 + b_F F + b_R R + b_S S0 + error  (OLS, cluster-robust by person)

``beta_diff`` = b_F - b_R (negative: family support goes with lower later stress more than
friends' support).

Sources:
    Lee, S. L. et al. (2021). The association between loneliness and depressive symptoms among
    adults aged 50 years and older: a 12-year population-based cohort study. Lancet Psychiatry
    8(1), 48-57 (cross-sectional r ~0.49; loneliness predicts later depression).
    Acoba, E. F. (2024). Social support and mental health: the mediating role of perceived
    stress. Front. Psychol. 15, 1330720 (family support relates to lower perceived stress more
    than friends' support).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..kinds import FAMILY, FRIEND
from .buffering import person_windows
from .record import same_person
from .regression import standardised_ols

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = [
    "family_friends",
    "lonely_depressed",
    "mean_snapshot_correlation",
    "pearson",
    "year_lag",
]


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of x and y (NaN with fewer than 3 values or no variation)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if len(x) < 3:
        return float("nan")
    xc, yc = x - x.mean(), y - y.mean()
    den = np.sqrt((xc * xc).sum() * (yc * yc).sum())
    return float((xc * yc).sum() / den) if den > 0 else float("nan")


def mean_snapshot_correlation(record: RunRecord, a: str, b: str) -> float:
    """Mean over snapshots of the correlation of snapshot fields ``a`` and ``b`` among members."""
    rs = [pearson(getattr(s, a)[s.member], getattr(s, b)[s.member]) for s in record.snapshots]
    rs = [r for r in rs if np.isfinite(r)]
    return float(np.mean(rs)) if rs else float("nan")


def year_lag(every: int) -> int:
    """Snapshots in a year (52 steps) at one snapshot every ``every`` steps (at least 1)."""
    return max(1, round(52 / every))


def _pool(parts):
    return [np.concatenate(c) for c in zip(*parts, strict=True)]


def lonely_depressed(record: RunRecord) -> dict[str, float]:
    """Cross-sectional and one-year lagged loneliness-depression effects.

    Keys: ``r_cross``, ``lagged_effect``, ``lagged_se``, ``lag_steps``.
    """
    lag = year_lag(record.every)
    out = {
        "r_cross": mean_snapshot_correlation(record, "loneliness", "depression"),
        "lag_steps": float(lag * record.every),
    }
    parts = [
        (b.depression[r], a.loneliness[r], a.depression[r], person)
        for a, b, r, person in person_windows(record, lag)
    ]
    est = {"X": (float("nan"),) * 2}
    if parts:
        Y, X, D, person = _pool(parts)
        est = standardised_ols(Y, {"X": X, "D": D}, person)
    out["lagged_effect"], out["lagged_se"] = est["X"]
    return out


def family_friends(record: RunRecord) -> dict[str, float]:
    """Family vs friend support received in a year against stress a year later.

    Keys: ``beta_family``, ``beta_friend``, ``beta_diff``.
    """
    snaps, lag = record.snapshots, year_lag(record.every)
    parts = []
    for i in range(lag, len(snaps) - lag):
        first, now, later = snaps[i - lag], snaps[i], snaps[i + lag]
        # Rows only ever change hands forwards in time (a later arrival), so the same person at
        # both ends of the two years is the same person throughout.
        rows = np.flatnonzero(same_person(first, later) & now.member[: first.n])
        year = snaps[i - lag + 1 : i + 1]  # the windows ending at t
        fam = np.sum([s.received_by_kind[rows, FAMILY] for s in year], axis=0)
        fri = np.sum([s.received_by_kind[rows, FRIEND] for s in year], axis=0)
        person = (rows.astype(np.int64) << 32) | first.arrived[rows]
        parts.append((later.stress[rows], fam, fri, now.stress[rows], person))
    nan = float("nan")
    est = {"F": (nan, nan), "R": (nan, nan)}
    if parts:
        Y, F, R, S0, person = _pool(parts)
        est = standardised_ols(Y, {"F": F, "R": R, "S0": S0}, person)
    b_f, b_r = est["F"][0], est["R"][0]
    return {"beta_family": b_f, "beta_friend": b_r, "beta_diff": b_f - b_r}
