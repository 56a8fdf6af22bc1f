"""Periphery: lonely people have fewer ties and lose them faster (they drift to the edge).

Method. Degree: the Pearson correlation between loneliness and degree among members at each
snapshot, averaged over snapshots. Tie loss: for people who are the same person in every
snapshot and members throughout, over all windows between consecutive snapshots,

    lost     = sum over windows of the ties of the person that ended in the window
    exposure = sum over windows of the person's degree at the window's start
    rate     = (sum of lost over a group) / (sum of exposure over the group)

for the top 20% of members by mean loneliness over the snapshots ("lonely") and for the rest:
ties lost per tie held per window. ``tie_loss_diff`` = lonely rate - others' rate.

Source:
    Cacioppo, J. T., Fowler, J. H. & Christakis, N. A. (2009). Alone in the crowd: the structure
    and spread of loneliness in a large social network. J. Pers. Soc. Psychol. 97(6), 977-991
    (lonely people have fewer ties, lose them, and move to the periphery of the network).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .distance import top_share
from .panel import mean_snapshot_correlation
from .record import stable_rows

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = ["periphery"]


def periphery(record: RunRecord) -> dict[str, float]:
    """Degree-loneliness correlation and tie loss of the lonely vs others.

    Keys: ``corr_loneliness_degree``, ``tie_loss_lonely``, ``tie_loss_others``,
    ``tie_loss_diff``.
    """
    nan = float("nan")
    out = {"corr_loneliness_degree": mean_snapshot_correlation(record, "loneliness", "degree")}
    snaps = record.snapshots
    out |= {"tie_loss_lonely": nan, "tie_loss_others": nan, "tie_loss_diff": nan}
    if len(snaps) < 2:
        return out
    k = min(s.n for s in snaps)
    keep = stable_rows(snaps)[:k]
    for s in snaps:
        keep &= s.member[:k]
    lost = np.sum([b.ties_lost[:k] for b in snaps[1:]], axis=0)
    exposure = np.sum([a.degree[:k] for a in snaps[:-1]], axis=0)
    mean_lon = np.mean([s.loneliness[:k] for s in snaps], axis=0)
    lonely = top_share(mean_lon, keep, 0.2)
    others = keep & ~lonely
    rates = []
    for group in (lonely, others):
        e = exposure[group].sum()
        rates.append(float(lost[group].sum() / e) if e > 0 and group.any() else nan)
    out["tie_loss_lonely"], out["tie_loss_others"] = rates
    out["tie_loss_diff"] = rates[0] - rates[1]
    return out
