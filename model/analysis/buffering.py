"""Buffering: does perceived support weaken the harm of stress (a stress x support interaction)?

Method: a person-period panel. For each person and window between consecutive snapshots:
X = stressor load in the window (event magnitudes summed), P = perceived support at the window's
start, D0 = depression at its start, Y = the change in depression over the window. X and P are
standardised over the pooled windows, and

    Y = b0 + b_X X + b_P P + b_XP X*P + b_D D0 + error

is fitted by OLS with cluster-robust (CR1) standard errors by person (D0 absorbs regression to
the mean). Buffering shows as b_XP < 0. Simple slopes (Aiken & West 1991): the effect of stress at
low support (P = -1 SD) is b_X - b_XP, at high support (P = +1 SD) b_X + b_XP; their ratio
high/low is below 1 under buffering. The R^2 gain is R^2 of the full model minus R^2 of the same
model without X*P.

Reported beside it, not judged: the product adjusted for other moderators of stress
(``interaction_adjusted``). When a covariate that goes with support (here depression, loneliness
and stress at the window's start) itself changes how much stress harms, leaving its product with
X out of the regression biases b_XP (Yzerbyt, Muller & Judd 2004); the adjusted regression adds
L0 and S0 and the products X*D0, X*L0 and X*S0. In the model, stress harms depressed people more
(depression slows coping) and lonely people more (through loneliness's path to depression), and
both go with low perceived support, so with buffering switched off the unadjusted product is a
small negative number, about two thirds of which the adjustment removes (docs/validation.md).

Sources:
    Cohen, S. & Wills, T. A. (1985). Stress, social support, and the buffering hypothesis.
    Psychol. Bull. 98(2), 310-357 (buffering is a stress x support interaction).
    Aiken, L. S. & West, S. G. (1991). Multiple Regression: Testing and Interpreting
    Interactions. Sage (simple slopes at +-1 SD of the moderator).
    Yzerbyt, V. Y., Muller, D. & Judd, C. M. (2004). Adjusting researchers' approach to
    adjustment: on the use of covariates when testing interactions. J. Exp. Soc. Psychol. 40(3),
    424-431.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from .record import person_keys, same_person
from .regression import ols_cluster, ols_fit, zscore

if TYPE_CHECKING:  # pragma: no cover
    from .record import RunRecord

__all__ = [
    "BufferingEstimate",
    "buffering",
    "buffering_estimate",
    "buffering_from_panel",
    "person_windows",
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


def person_windows(record: RunRecord, lag: int = 1):
    """Yield (a, b, rows, person) for the snapshot pairs ``lag`` apart.

    ``rows`` are the members in ``a`` that are the same person in ``b``; ``person`` gives each
    row one int64 id (:func:`~.record.person_keys`), for clustering by person.
    """
    snaps = record.snapshots
    for i in range(len(snaps) - lag):
        a, b = snaps[i], snaps[i + lag]
        rows = np.flatnonzero(same_person(a, b) & a.member)
        yield a, b, rows, person_keys(rows, a.arrived[rows])


def buffering(record: RunRecord) -> dict[str, float]:
    """The buffering regression on a run record's person-windows (see the module docstring).

    Keys: ``interaction`` (b_XP), ``interaction_se``, ``stress_slope`` (b_X),
    ``slope_low_support`` (b_X - b_XP), ``slope_high_support`` (b_X + b_XP), ``slope_ratio``
    (high / low; NaN if low <= 0), ``r2_gain``, ``n_windows``; and ``interaction_adjusted``,
    ``interaction_adjusted_se`` (b_XP with the other moderators of stress adjusted for, see the
    module docstring).
    """
    parts = [
        (b.stressor_load[r], a.perceived_support[r], a.depression[r],
         b.depression[r] - a.depression[r], person, a.loneliness[r], a.stress[r])
        for a, b, r, person in person_windows(record)
    ]  # fmt: skip
    nan = float("nan")
    keys = ("interaction", "interaction_se", "stress_slope", "slope_low_support",
            "slope_high_support", "slope_ratio", "r2_gain", "interaction_adjusted",
            "interaction_adjusted_se")  # fmt: skip
    out = dict.fromkeys(keys, nan) | {"n_windows": 0.0}
    if not parts:
        return out
    X, P, D0, Y, person, L0, S0 = (np.concatenate(c) for c in zip(*parts, strict=True))
    out["n_windows"] = float(len(Y))
    xz, pz = zscore(X), zscore(P)
    if len(Y) < 10 or xz is None or pz is None:
        return out
    # D0 is z-scored too: only its own coefficient changes (it is not reported), and the design
    # is better conditioned. A constant D0 (a constructed panel) is left out.
    dz = zscore(D0)
    base = [np.ones(len(Y)), xz, pz] + ([dz] if dz is not None else [])
    full = ols_fit(Y, np.column_stack([*base, xz * pz]), person)
    reduced = ols_fit(Y, np.column_stack(base), person)
    b_x, b_xp = float(full.beta[1]), float(full.beta[-1])
    low, high = b_x - b_xp, b_x + b_xp
    # Other moderators of stress, each with its own product with X (constant ones left out).
    lz, sz = zscore(L0), zscore(S0)
    extra = [z for z in (lz, sz) if z is not None]  # covariates not already in the base
    moderators = [z for z in (dz, lz, sz) if z is not None]
    adjusted = ols_fit(
        Y, np.column_stack([*base, *extra, *(xz * z for z in moderators), xz * pz]), person
    )
    out |= {
        "interaction_adjusted": float(adjusted.beta[-1]),
        "interaction_adjusted_se": float(adjusted.se[-1]),
        "interaction": b_xp,
        "interaction_se": float(full.se[-1]),
        "stress_slope": b_x,
        "slope_low_support": low,
        "slope_high_support": high,
        "slope_ratio": high / low if low > 0 else nan,
        "r2_gain": full.r2 - reduced.r2,
    }
    return out
