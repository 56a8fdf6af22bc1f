"""Planning a sweep: every run's identity, parameters and seed.

A run is (arm, design point, replication). Its seed is derived with ``numpy.random.SeedSequence``
from the experiment seed, the replication number and the values of the point's varied factors,
so it does not depend on which worker runs it, in what order, or on which executor. The arm and
the keys of ``[control.where]`` are left out of that identity on purpose: a treated run and its
control run then start from the same random stream (common random numbers), so their difference
is the treatment's effect and not a different draw of the population.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .config import ExperimentConfig, _plain
from .designs import design_points

__all__ = ["RunSpec", "plan_runs", "run_seed"]


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs, picklable (it crosses to worker processes and Dask).

    Attributes:
        run_id: Stable name, e.g. ``main-p003-r01``; also its file name under ``runs/``.
        arm: Arm name.
        point: Index of the design point.
        replication: Replication number (0-based).
        seed: The run's seed (``SupportModel(rng=seed)``).
        params: Parameter values given to the model (preset, base, arm, point).
        interventions: Intervention tables for ``supportnet.interventions.build``.
        factors: The point's varied values (parameters and ``kind.field`` keys).
        steps: Steps to run.
        measures: Per-step measures kept.
        every: Keep every k-th step.
        persons_every: Person-level state every k steps (0 = off).
        outcomes: Measures summarised per run.
        outcome_window: Steps at the end averaged into each outcome.
        burn_in: Buffering estimate burn-in (None = the model's default).
        digest: Hash of all of the above except ``run_id``; a stored run counts as finished
            only when its digest matches.
    """

    run_id: str
    arm: str
    point: int
    replication: int
    seed: int
    params: dict[str, Any]
    interventions: tuple[dict[str, Any], ...]
    factors: dict[str, Any]
    steps: int
    measures: tuple[str, ...]
    every: int
    persons_every: int
    outcomes: tuple[str, ...]
    outcome_window: int
    burn_in: int | None
    digest: str = ""


def run_seed(experiment_seed: int, replication: int, identity: dict[str, Any]) -> int:
    """Derive a run's seed from the experiment seed, its replication and its identity.

    Args:
        experiment_seed: The config's seed.
        replication: Replication number.
        identity: The varied values that make the run what it is (JSON-serialisable).

    Returns:
        A seed from 0 to 2**32 - 1.

    Examples:
        >>> run_seed(1, 0, {"stressor_rate": 0.1}) == run_seed(1, 0, {"stressor_rate": 0.1})
        True
        >>> run_seed(1, 0, {"stressor_rate": 0.1}) != run_seed(1, 1, {"stressor_rate": 0.1})
        True
    """
    text = json.dumps(_plain(identity), sort_keys=True, separators=(",", ":"))
    words = np.frombuffer(hashlib.sha256(text.encode()).digest()[:16], dtype="<u4")
    ss = np.random.SeedSequence(experiment_seed, spawn_key=(replication, *map(int, words)))
    return int(ss.generate_state(1, np.uint32)[0])


def _digest(spec: RunSpec) -> str:
    data = asdict(spec)
    data.pop("run_id")
    data.pop("digest")
    text = json.dumps(_plain(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _with_field(interventions, key: str, value: Any) -> tuple[dict[str, Any], ...]:
    kind, name = key.split(".", 1)
    return tuple({**i, name: value} if i.get("kind") == kind else i for i in interventions)


def plan_runs(config: ExperimentConfig) -> list[RunSpec]:
    """Return every run of ``config``, replication by replication.

    Early results then cover the whole design.

    Within a replication the order is design point, then arm.
    """
    points = design_points(config)
    where = set(config.control.where) if config.control else set()
    out = config.output
    wp = max(3, len(str(len(points) - 1)))
    wr = max(2, len(str(config.replications - 1)))
    persons = {"agent_every": out.persons_every} if out.persons_every else {}
    specs = []
    for rep in range(config.replications):
        for i, point in enumerate(points):
            identity = {k: v for k, v in point.items() if k not in where}
            seed = run_seed(config.seed, rep, identity)
            for arm in config.arms:
                params = {
                    **config.base,
                    **arm.set,
                    **persons,
                    **{k: v for k, v in point.items() if "." not in k},
                }
                interventions = tuple(dict(x) for x in arm.interventions)
                for k, v in point.items():
                    if "." in k:
                        interventions = _with_field(interventions, k, v)
                spec = RunSpec(
                    run_id=f"{arm.name}-p{i:0{wp}d}-r{rep:0{wr}d}",
                    arm=arm.name,
                    point=i,
                    replication=rep,
                    seed=seed,
                    params=params,
                    interventions=interventions,
                    factors=dict(point),
                    steps=config.steps,
                    measures=out.measures,
                    every=out.every,
                    persons_every=out.persons_every,
                    outcomes=out.outcomes,
                    outcome_window=out.outcome_window,
                    burn_in=out.burn_in,
                )
                specs.append(_replace_digest(spec))
    return specs


def _replace_digest(spec: RunSpec) -> RunSpec:
    from dataclasses import replace

    return replace(spec, digest=_digest(spec))
