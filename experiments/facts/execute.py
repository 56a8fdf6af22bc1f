"""Running one run of the battery, in whatever process the executor chose.

A run builds the model of its arm, records it (:func:`supportnet.analysis.record.record_run`:
person snapshots after the burn-in, contact frequencies at the end) and computes its measures on
the record. A trial run instead runs twin trials: for its seed, the same town with and without each
intervention (:func:`twin_trial_row`). The result is a flat summary row of floats, named
``<measure>.<statistic>``, plus the per-step measures for figures. A measure that cannot be taken
on this model leaves ``<measure>.unmeasurable`` with the reason instead of its statistics.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .measures import NotMeasurable

__all__ = ["TRIAL_OUTCOMES", "execute_fact_run", "twin_trial_row"]

#: Person states compared in twin trials, and the sign that makes g positive for an improvement
#: (+1: the intervention should raise it; -1: lower it).
TRIAL_OUTCOMES = {"perceived_support": 1, "depression": -1, "loneliness": -1, "stress": -1}


def _steps_table(df: pd.DataFrame, every: int) -> pd.DataFrame:
    from .plan import STEPS_EVERY

    keep = df.index.to_numpy() % STEPS_EVERY == 0
    keep[-1] = True
    out = df.loc[keep].astype("float64")
    out.insert(0, "step", out.index.to_numpy().astype("int64"))
    return out.reset_index(drop=True)


def _float(x: Any) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan


def execute_fact_run(run) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run ``run`` (a :class:`~.plan.FactRun`) and return its summary row and per-step table."""
    row: dict[str, Any] = {
        "run_id": run.run_id,
        "setting": run.setting,
        "arm": run.arm,
        "replication": run.replication,
        "seed": run.seed,
    }
    if run.trials:
        stats, steps = twin_trial_row(run)
        row.update(stats)
        return row, _steps_table(steps, run.every)

    from supportnet import SupportModel
    from supportnet.analysis.measures import MEASURES
    from supportnet.analysis.record import record_run

    model = SupportModel(rng=run.seed, **run.params)
    record = record_run(
        model,
        steps=run.steps,
        burn_in=run.burn_in,
        every=run.every,
        contact_window=run.contact_window,
    )
    for name in run.measures:
        try:
            if name not in MEASURES:
                raise NotMeasurable(_missing_reason(name))
            values = MEASURES[name](record)
        except NotMeasurable as exc:
            row[f"{name}.unmeasurable"] = str(exc)
            continue
        row.update({f"{name}.{k}": _float(v) for k, v in values.items()})
    return row, _steps_table(record.steps, run.every)


def _missing_reason(name: str) -> str:
    return f"the model provides no measure {name!r}"


def twin_trial_row(run) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the twin trials of ``run`` for its seed and return person-level g per trial and outcome.

    For each trial the intervention starts at the burn-in (unless its table gives ``start``); the
    people it reaches when it first acts (its first wave, chosen while both towns are still
    identical) are compared at their follow-up (e.g. the end of a course of professional help) with
    the same people in the town without it:

        g = J * sign * (mean_treated - mean_control) / s_pooled,  J = 1 - 3 / (4 (n_t + n_c) - 9)

    (Hedges 1981; positive: an improvement), across the people of this run. The battery averages
    g over seeds.

    Returns:
        ``trial.g_<label>_<outcome>`` and ``trial.n_<label>`` per trial; the control town's
        per-step measures.
    """
    from supportnet import SupportModel
    from supportnet.interventions import build

    out: dict[str, float] = {}
    plans = []
    for table in run.trials:
        spec = {k: v for k, v in table.items() if k != "label"}
        spec.setdefault("start", run.burn_in)
        probe = build(spec)
        plans.append((str(table["label"]), spec, probe.start + probe.follow_up()))
    control = SupportModel(rng=run.seed, **run.params)
    control_states: dict[int, dict[str, np.ndarray]] = {}
    for end in sorted({p[2] for p in plans}):
        control.run_for(end - control.steps)
        control_states[end] = {k: getattr(control.population, k).copy() for k in TRIAL_OUTCOMES}
    for label, spec, end in plans:
        iv = build(spec)
        treated = SupportModel(rng=run.seed, interventions=[iv], **run.params)
        treated.run_for(end)
        who = np.flatnonzero(iv.first_reached == iv.start)
        out[f"trial.n_{label}"] = float(len(who))
        for outcome, sign in TRIAL_OUTCOMES.items():
            t = getattr(treated.population, outcome)[who]
            c = control_states[end][outcome][who]
            out[f"trial.g_{label}_{outcome}"] = person_g(t, c, sign)
    return out, control.dataframe()


def person_g(treated: np.ndarray, control: np.ndarray, sign: int = 1) -> float:
    """Hedges' g of ``sign * (treated - control)`` across people (NaN with fewer than 2 each).

    Examples:
        >>> round(person_g(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0])), 3)
        0.8
    """
    t, c = np.asarray(treated, float), np.asarray(control, float)
    nt, nc = len(t), len(c)
    if nt < 2 or nc < 2:
        return math.nan
    pooled = math.sqrt(((nt - 1) * t.var(ddof=1) + (nc - 1) * c.var(ddof=1)) / (nt + nc - 2))
    if pooled == 0:
        return 0.0 if t.mean() == c.mean() else math.nan
    j = 1.0 - 3.0 / (4.0 * (nt + nc) - 9.0)
    return float(sign * j * (t.mean() - c.mean()) / pooled)
