"""Run records built from constructed data, so the measures are tested without a simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supportnet.analysis.record import RunRecord, Snapshot
from supportnet.kinds import TIE_KINDS


def snapshot(step: int, n: int, **fields) -> Snapshot:
    """A snapshot of n members with zero states and windows, except the fields given."""
    values = {
        "arrived": np.zeros(n, np.int64),
        "member": np.ones(n, bool),
        "stress": np.zeros(n),
        "depression": np.zeros(n),
        "loneliness": np.zeros(n),
        "perceived_support": np.zeros(n),
        "degree": np.zeros(n, np.int64),
        "stressor_load": np.zeros(n),
        "given": np.zeros(n),
        "received_by_kind": np.zeros((n, len(TIE_KINDS))),
        "ties_lost": np.zeros(n, np.int64),
        "carer": np.zeros(n, bool),
        "perceived_by_kind": np.zeros((n, len(TIE_KINDS))),
    }
    values.update(fields)
    return Snapshot(step=step, **values)


def record(
    snapshots=(),
    *,
    n: int | None = None,
    steps: pd.DataFrame | None = None,
    edges=((), ()),
    kind=None,
    contacts_per_week=None,
    every: int = 13,
    burn_in: int = 0,
    carer_role: bool = False,
    seed: int = 0,
    lonely_threshold: float = 0.5,
) -> RunRecord:
    """A run record around the given snapshots and final network."""
    snapshots = list(snapshots)
    u, v = (np.asarray(e, np.int64) for e in edges)
    if n is None:
        n = snapshots[-1].n if snapshots else int(max(u.max(initial=-1), v.max(initial=-1)) + 1)
    return RunRecord(
        steps=steps if steps is not None else pd.DataFrame(),
        snapshots=snapshots,
        n=n,
        edges_u=u,
        edges_v=v,
        edges_kind=np.zeros(len(u), np.int8) if kind is None else np.asarray(kind, np.int8),
        contacts_per_week=np.zeros(len(u)) if contacts_per_week is None else contacts_per_week,
        burn_in=burn_in,
        every=every,
        contact_window=52,
        case_threshold=0.4,
        lonely_threshold=lonely_threshold,
        carer_role=carer_role,
        seed=seed,
    )


def ci_contains_zero(values) -> bool:
    """Whether the 95% interval of the mean across seeds contains 0."""
    from supportnet.experiments.stats import mean_ci

    _, lo, hi, n = mean_ci(values)
    assert n == len(values), "a seed gave NaN"
    return lo <= 0.0 <= hi
