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
snapshot. Acoba measured *perceived* support by source (the family and friends subscales of the
MSPSS), so the judged statistic does too: F = perceived support from family at t, R = the same
from friends (each the model's perception formula over that kind's ties alone: trust times the
integration those ties give; :class:`~supportnet.analysis.record.Snapshot`), S0 = stress at t,
Y = stress a year later; all z-scored,

    Y = b0 + b_F F + b_R R + b_S S0 + error  (OLS, cluster-robust by person)

``beta_diff`` = b_F - b_R (negative: family support goes with lower later stress more than
friends' support). The same regression with F and R the support *received* over family and
friend ties in the year before t is reported beside it (``beta_diff_received``): received support
is a marker of need as much as a help (people get most when they are worst off; Barrera 1986),
so it answers a different question.

Sources:
    Lee, S. L. et al. (2021). The association between loneliness and depressive symptoms among
    adults aged 50 years and older: a 12-year population-based cohort study. Lancet Psychiatry
    8(1), 48-57 (cross-sectional r ~0.49; loneliness predicts later depression).
    Acoba, E. F. (2024). Social support and mental health: the mediating role of perceived
    stress. Front. Psychol. 15, 1330720 (family support relates to lower perceived stress more
    than friends' support).
    Zimet, G. D., Dahlem, N. W., Zimet, S. G. & Farley, G. K. (1988). The Multidimensional Scale
    of Perceived Social Support. J. Pers. Assess. 52(1), 30-41 (support perceived by source).
    Barrera, M. (1986). Distinctions between social support concepts, measures, and models.
    Am. J. Community Psychol. 14(4), 413-445 (received support rises with need).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..kinds import FAMILY, FRIEND
from .buffering import person_windows
from .record import person_keys, same_person
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
    """Family vs friend support (perceived now; received in the year before) vs stress a year on.

    Keys: ``beta_family``, ``beta_friend``, ``beta_diff`` (perceived support by source, judged);
    ``beta_family_received``, ``beta_friend_received``, ``beta_diff_received`` (received support).
    """
    snaps, lag = record.snapshots, year_lag(record.every)
    perceived, received = [], []
    for i in range(lag, len(snaps) - lag):
        first, now, later = snaps[i - lag], snaps[i], snaps[i + lag]
        # Rows only ever change hands forwards in time (a later arrival), so the same person at
        # both ends of the two years is the same person throughout.
        rows = np.flatnonzero(same_person(first, later) & now.member[: first.n])
        year = snaps[i - lag + 1 : i + 1]  # the windows ending at t
        fam = np.sum([s.received_by_kind[rows, FAMILY] for s in year], axis=0)
        fri = np.sum([s.received_by_kind[rows, FRIEND] for s in year], axis=0)
        person = person_keys(rows, first.arrived[rows])
        y, s0 = later.stress[rows], now.stress[rows]
        received.append((y, fam, fri, s0, person))
        by_kind = now.perceived_by_kind[rows]
        perceived.append((y, by_kind[:, FAMILY], by_kind[:, FRIEND], s0, person))
    out = {}
    for suffix, parts in (("", perceived), ("_received", received)):
        b_f, b_r = _family_friend_betas(parts)
        out.update({f"beta_family{suffix}": b_f, f"beta_friend{suffix}": b_r,
                    f"beta_diff{suffix}": b_f - b_r})  # fmt: skip
    return out


def _family_friend_betas(parts: list[tuple]) -> tuple[float, float]:
    """Standardised coefficients of family and friend support on later stress (NaN if none)."""
    nan = float("nan")
    est = {"F": (nan, nan), "R": (nan, nan)}
    if parts:
        Y, F, R, S0, person = _pool(parts)
        est = standardised_ols(Y, {"F": F, "R": R, "S0": S0}, person)
    return est["F"][0], est["R"][0]
