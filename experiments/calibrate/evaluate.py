"""Evaluating particles: a parameter set becomes runs of the facts battery, its runs a distance.

A particle's runs are the battery's own runs
(:func:`~supportnet.experiments.facts.plan.plan_battery`)
of the fitted and held-out facts, with the calibration's town and run length, the particle's
values, and a battery seed of its own; their ids start with the generation and proposal
(``g02-p0017-standard-default-r00``). They run through the sweep machinery
(:func:`~supportnet.experiments.sweep.run_sweep`) into one results folder, so they run on local
workers or Dask alike, and runs finished before a kill are found there and not run again.

Each check of a fact is read from a particle's runs exactly as ``supportnet facts`` reads it
(:func:`~supportnet.experiments.facts.judge.judge_check`: a mean over seeds, a contrast seed by
seed, a ratio of means). Its distance is how far that estimate lies outside the check's target,
in units of the band's width: 0 inside the band. For one-sided targets (above, below, not_above)
and nulls, which have no width, the unit is the statistic's spread across the prior sample
(generation 0), as in adaptive ABC distances (Prangle 2017). A particle's distance is the root
mean square over the fitted checks; a check its runs cannot estimate costs :data:`MISSING`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..facts.declare import Check, Fact
from ..facts.plan import FactRun, Overrides, plan_battery
from .config import CalibrationConfig

__all__ = [
    "MISSING",
    "Proposal",
    "check_distance",
    "check_keys",
    "distance",
    "evaluate",
    "make_proposal",
    "meets_target",
    "particle_stats",
]

#: Distance of a check that a particle's runs cannot estimate (a failed run, an unmeasurable
#: statistic): ten band widths, far beyond any threshold after the first generation.
MISSING = 10.0


@dataclass
class Proposal:
    """One proposed particle and what became of it.

    Attributes:
        generation: Its generation.
        index: Its proposal index within the generation.
        z: Its position in the unit cube.
        theta: Its parameter values.
        seed: The battery seed its runs derive from.
        runs: Its planned runs.
        error: Why it could not be planned ('' if it could).
        stats: Each check's estimate (after evaluation).
    """

    generation: int
    index: int
    z: np.ndarray
    theta: dict[str, float]
    seed: int
    runs: list[FactRun] = field(default_factory=list)
    error: str = ""
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """The prefix of its run ids."""
        return _prefix(self.generation, self.index)


def _prefix(generation: int, index: int) -> str:
    g = "pp" if generation < 0 else f"g{generation:02d}"
    return f"{g}-p{index:05d}"


def check_keys(facts: Sequence[Fact]) -> list[tuple[str, Fact, Check]]:
    """Every check of ``facts`` with its key ``<fact id>: <check label>``."""
    return [(f"{f.id}: {c.label}", f, c) for f in facts for c in f.checks]


def make_proposal(
    config: CalibrationConfig, generation: int, index: int, z: np.ndarray, seed: int
) -> Proposal:
    """Plan the runs of the particle at ``z`` (unit cube) with battery seed ``seed``."""
    from ..config import ConfigError

    theta = {
        p.name: float(p.from_unit(z[k])) for k, p in enumerate(config.parameters)
    }  # fmt: skip
    prop = Proposal(generation, index, np.asarray(z, float), theta, seed)
    battery = replace(config.battery, seed=seed)
    try:
        runs, _ = plan_battery(battery, Overrides(set={**config.town, **theta}))
    except ConfigError as exc:  # a combination the model refuses: the particle is never accepted
        prop.error = str(exc)
        return prop
    prop.runs = [replace(r, run_id=f"{prop.prefix}-{r.run_id}") for r in runs]
    return prop


def arm_map(config: CalibrationConfig) -> dict[tuple[str, str], str]:
    """The run arm of each (fact id, fact arm name): the same for every particle."""
    _, arm_of = plan_battery(config.battery, Overrides(set=dict(config.town)))
    return arm_of


def particle_stats(
    facts: Sequence[Fact],
    rows: pd.DataFrame,
    arm_of: Mapping[tuple[str, str], str],
    seed: int,
) -> dict[str, float]:
    """Each check's estimate from one particle's summary rows (NaN where there is none)."""
    from ..facts.judge import judge_check

    out: dict[str, float] = {}
    for key, fact, check in check_keys(facts):
        if rows.empty:
            out[key] = math.nan
            continue
        sub = rows[rows["setting"] == fact.setting]
        out[key] = float(judge_check(check, fact, sub, arm_of, seed).mean)
    return out


def meets_target(check: Check, value: float) -> bool:
    """True when ``value`` meets the check's target (inside the band, on the right side)."""
    if not math.isfinite(value):
        return False
    if check.kind == "band":
        return check.low <= value <= check.high
    if check.kind == "above":
        return value > check.low
    if check.kind in ("below", "not_above"):
        return value < check.low if check.kind == "below" else value <= check.low
    return value == 0.0


def check_distance(check: Check, value: float, scale: float) -> float:
    """How far ``value`` lies outside the check's target, in band widths (or ``scale``).

    Examples:
        >>> band = Check("x", "x", None, None, None, "band", 0.2, 0.4)
        >>> check_distance(band, 0.3, 1.0), round(check_distance(band, 0.5, 1.0), 6)
        (0.0, 0.5)
        >>> below = Check("b", "b", None, None, None, "below", 0.0, math.nan)
        >>> check_distance(below, 0.2, 0.1), check_distance(below, -0.2, 0.1)
        (2.0, 0.0)
    """
    if not math.isfinite(value):
        return MISSING
    lo = check.low
    if check.kind == "band":
        return max(0.0, lo - value, value - check.high) / (check.high - lo)
    if check.kind == "above":
        gap = lo - value
    elif check.kind in ("below", "not_above"):
        gap = value - lo
    else:  # null
        gap = abs(value)
    return max(0.0, gap) / scale


def distance(
    stats: Mapping[str, float], facts: Sequence[Fact], scales: Mapping[str, float]
) -> float:
    """A particle's distance: root mean square of its fitted checks' distances."""
    d = [check_distance(c, stats.get(k, math.nan), scales.get(k, 1.0))
         for k, _f, c in check_keys(facts)]  # fmt: skip
    return float(math.sqrt(sum(x * x for x in d) / len(d))) if d else 0.0


def one_sided_scales(
    stats: Sequence[Mapping[str, float]], facts: Sequence[Fact]
) -> dict[str, float]:
    """The unit of each one-sided or null check: its spread across the prior sample."""
    out = {}
    for key, _f, check in check_keys(facts):
        if check.kind == "band":
            continue
        values = np.array([s.get(key, math.nan) for s in stats], float)
        values = values[np.isfinite(values)]
        sd = float(values.std(ddof=1)) if len(values) > 1 else math.nan
        out[key] = sd if math.isfinite(sd) and sd > 0 else 1.0
    return out


@dataclass(frozen=True)
class RunsFolder:
    """What the runs folder's manifest records (duck-typed like an ExperimentConfig).

    Its identity is the calibration's name only, not its hash: every stored run carries the
    digest of its own spec and is reused only when that matches, so a calibration started afresh
    with ``--force`` (a prior widened, a generation added) reuses every run it plans again, and
    the runs of different batches never count as "another experiment".
    """

    name: str
    source: str
    title: str = "Calibration runs"
    seed: int = 0
    memory: int = 0

    def canonical(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        return {"kind": "calibration-runs", "name": self.name}

    def hash(self) -> str:
        """A short digest of :meth:`canonical`."""
        import hashlib
        import json

        text = json.dumps(self.canonical(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def evaluate(
    config: CalibrationConfig,
    proposals: Sequence[Proposal],
    folder: Path,
    arm_of: Mapping[tuple[str, str], str],
    executor: Mapping[str, Any],
    command: Sequence[str] | None = None,
) -> int:
    """Run the proposals' runs (those not finished already) and fill in their statistics.

    Args:
        config: The calibration.
        proposals: The particles to evaluate.
        folder: The calibration's folder; runs are stored in ``folder/runs``.
        arm_of: From :func:`arm_map`.
        executor: Keyword arguments of the sweep: ``workers``, ``scheduler``, or an open
            ``executor`` shared by every batch.
        command: Command line for the runs folder's manifest.

    Returns:
        Runs that failed.
    """
    from ..store import ResultStore
    from ..sweep import run_sweep

    specs = [r for p in proposals for r in p.runs]
    failed = 0
    if specs:
        outcome = run_sweep(
            RunsFolder(config.name, config.source),  # type: ignore[arg-type]
            folder / "runs",
            progress=False,
            echo=None,
            command=command,
            specs=specs,  # type: ignore[arg-type]
            **executor,
        )
        failed = len(outcome.failed)
        rows = ResultStore(folder / "runs").finished(specs)
    else:
        rows = {}
    facts = config.battery.facts
    for p in proposals:
        mine = [rows[r.run_id] for r in p.runs if r.run_id in rows]
        df = pd.DataFrame(mine) if mine else pd.DataFrame()
        p.stats = particle_stats(facts, df, arm_of, config.seed)
    return failed
