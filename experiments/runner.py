"""Running one planned run: a pure function from a :class:`~.plan.RunSpec` to its result.

:func:`execute_run` is what every executor calls (in this process, in worker processes, on Dask
workers), so it lives at module level and imports nothing heavy beyond the model. It never
raises for a problem inside the run: the error and its traceback come back in the result and the
sweep goes on.
"""

from __future__ import annotations

import math
import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .provenance import model_code_digest

__all__ = ["RunResult", "build_model", "execute_run", "summary_row"]

#: Distances of the loneliness correlation kept per run (Cacioppo et al. 2009 use 1-3).
DISTANCES = (1, 2, 3, 4)

#: Digest of the model code this process runs, taken when it imports the runner (just after the
#: model). Every result carries it, so a run made by a worker that loaded other code (the model
#: edited while a sweep runs, or another checkout on a cluster) is caught, not silently mixed in.
MODEL_CODE = model_code_digest()


@dataclass
class RunResult:
    """What one run produced (or why it failed).

    Attributes:
        run_id: The run's id.
        digest: The spec's digest.
        ok: True when the run finished.
        summary: The run's summary row (ids, varied values, seed, outcomes, analyses).
        steps: Per-step measures (column ``step`` plus the kept measures).
        persons: Person-level state (``step``, ``person`` and the reporters), or None.
        error: ``Type: message`` of the exception that stopped it.
        traceback: Its traceback.
        elapsed: Seconds the run took in the worker (wall clock).
        cpu: CPU seconds the worker process spent on it.
        model_code: :data:`MODEL_CODE` of the process that ran it.
        worker: ``host:pid`` of the process that ran it.
    """

    run_id: str
    digest: str
    ok: bool
    summary: dict[str, Any] = field(default_factory=dict)
    steps: pd.DataFrame | None = None
    persons: pd.DataFrame | None = None
    error: str = ""
    traceback: str = ""
    elapsed: float = 0.0
    cpu: float = 0.0
    model_code: str = ""
    worker: str = ""


def build_model(spec):
    """Build the run's model: its parameters, seed and interventions."""
    from supportnet import SupportModel

    interventions = []
    if spec.interventions:
        from supportnet.interventions import build

        interventions = [build(dict(item)) for item in spec.interventions]
    return SupportModel(rng=spec.seed, interventions=interventions, **spec.params)


def _float(x: Any) -> float:
    x = float(x)
    return x if math.isfinite(x) else float("nan")


def summary_row(spec, model, df: pd.DataFrame) -> dict[str, Any]:
    """Return the summary row of a finished run.

    Outcomes are means over the last ``outcome_window`` steps; the buffering estimate and the
    loneliness correlation by network distance come from :mod:`supportnet.analysis`.
    """
    from supportnet.analysis import buffering_estimate, loneliness_by_distance

    row: dict[str, Any] = {
        "run_id": spec.run_id,
        "arm": spec.arm,
        "point": spec.point,
        "replication": spec.replication,
        "seed": spec.seed,
    }
    row.update(spec.factors)
    tail = df.iloc[-spec.outcome_window :]
    for name in spec.outcomes:
        row[name] = _float(tail[name].mean())
    if model.params.panel_every:
        row.update(
            {k: _float(v) for k, v in buffering_estimate(model, spec.burn_in).as_dict().items()}
        )  # noqa: E501
    corr = loneliness_by_distance(model, max_distance=max(DISTANCES))
    for d in DISTANCES:
        row[f"loneliness_r_d{d}"] = _float(corr.get(d, float("nan")))
    row.update(person_stats(model))
    return row


#: Outcomes with a person-level counterpart: outcome -> the person value it averages.
PERSON_VALUES = {
    "mean_stress": "stress",
    "mean_depression": "depression",
    "mean_loneliness": "loneliness",
    "mean_perceived_support": "perceived_support",
    "unmet_need": "unmet_need",
    "mean_degree": "degree",
    "case_prevalence": "case",
    "lonely_fraction": "lonely",
}


def person_stats(model) -> dict[str, float]:
    """Mean and standard deviation across people (members) of each person value, at the end.

    Reports use them for person-level effect sizes: a difference between two runs in units of
    the spread between people, as a trial would report it (``person_mean_<v>``,
    ``person_sd_<v>``, ``person_n``).
    """
    import numpy as np

    pop, p = model.population, model.params
    mem = pop.members
    values = {
        "stress": pop.stress[mem],
        "depression": pop.depression[mem],
        "loneliness": pop.loneliness[mem],
        "perceived_support": pop.perceived_support[mem],
        "unmet_need": pop.need[mem].sum(axis=1),
        "degree": model.ties.degree()[mem].astype(float),
        "case": (pop.depression[mem] > p.case_threshold).astype(float),
        "lonely": (pop.loneliness[mem] > p.lonely_threshold).astype(float),
    }
    out: dict[str, float] = {"person_n": float(mem.sum())}
    for name, x in values.items():
        out[f"person_mean_{name}"] = _float(x.mean()) if len(x) else float("nan")
        out[f"person_sd_{name}"] = _float(np.std(x, ddof=1)) if len(x) > 1 else float("nan")
    return out


def _steps_table(spec, df: pd.DataFrame) -> pd.DataFrame:
    keep = df.index.to_numpy() % spec.every == 0
    keep[-1] = True  # the last step always counts
    out = df.loc[keep, list(spec.measures)].astype("float64")
    out.insert(0, "step", out.index.to_numpy().astype("int64"))
    return out.reset_index(drop=True)


def _persons_table(model) -> pd.DataFrame:
    raw = model.agent_datacollector.get_agent_vars_dataframe().reset_index()
    index_of = {a.unique_id: a.index for a in model.people}
    raw.insert(0, "person", raw.pop("AgentID").map(index_of).astype("int64"))
    raw.insert(0, "step", raw.pop("Step").astype("int64"))
    return raw


def execute_run(spec) -> RunResult:
    """Run one simulation as planned and return its tables and summary (never raises).

    A spec with an ``execute()`` method (a run of the facts battery) runs itself and returns its
    summary row and per-step table; every other spec is a sweep's
    :class:`~supportnet.experiments.plan.RunSpec`.
    """
    started, started_cpu = time.perf_counter(), time.process_time()
    where = f"{socket.gethostname()}:{os.getpid()}"
    try:
        own = getattr(spec, "execute", None)
        if own is not None:
            # Runs that measure themselves (the facts battery): same store, same executors.
            summary, steps = own()
            result = RunResult(spec.run_id, spec.digest, ok=True, summary=summary, steps=steps)
        else:
            model = build_model(spec)
            model.run_for(spec.steps)
            df = model.dataframe()
            result = RunResult(
                spec.run_id,
                spec.digest,
                ok=True,
                summary=summary_row(spec, model, df),
                steps=_steps_table(spec, df),
                persons=_persons_table(model) if spec.persons_every else None,
            )
    except Exception as exc:  # a failing run is recorded; the sweep goes on
        result = RunResult(
            spec.run_id,
            spec.digest,
            ok=False,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
    result.elapsed = time.perf_counter() - started
    result.cpu = time.process_time() - started_cpu
    result.model_code = MODEL_CODE
    result.worker = where
    return result
