"""Running a calibration: generations of ABC-SMC, resumable, then the posterior predictive check.

Each generation proposes particles in fixed-size batches (proposal i of generation t from its
own seeded generator, :mod:`.smc`), evaluates a batch's runs through the sweep machinery
(:mod:`.evaluate`) and accepts, in proposal order, those within the threshold until the population
is full. A finished generation is written to ``generations/gen-XX.parquet`` (particles, weights,
distances, statistics) and then ``gen-XX.json`` (threshold, acceptance, the distance units); the
JSON is written last, so a generation counts only once complete. Killed, the same command
continues after the last complete generation, and the runs already finished in the interrupted
generation are read from ``runs/`` rather than run again; since nothing depends on timing or on
the executor, it ends with the same posterior as an uninterrupted calibration.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..files import atomic_path
from ..folders import FolderKind, claim_folder
from . import smc
from .config import CalibrationConfig
from .evaluate import (
    Proposal,
    arm_map,
    check_keys,
    distance,
    evaluate,
    make_proposal,
    one_sided_scales,
)

__all__ = ["CalibrationOutcome", "Generation", "default_folder", "load_generations",
           "run_calibration"]  # fmt: skip

#: Generation number of the posterior predictive draws (their run ids start with ``pp-``).
PREDICTIVE = -1


#: A calibration's folder: its record, and what refusing to write into another's folder says.
CALIBRATION_FOLDER = FolderKind(
    record="calibration.json",
    title="calibration",
    other="another calibration",
    name_key="name",
    source_key="source",
    force_does="start it afresh (its finished runs are reused where they match)",
)


def default_folder(config: CalibrationConfig) -> Path:
    """``results/calibrate-<name>``."""
    return Path("results") / f"calibrate-{config.name}"


@dataclass
class Generation:
    """A finished generation.

    Attributes:
        t: Its number (0: the prior sample).
        particles: One row per accepted particle: ``index``, ``z.<p>``, ``<p>``, ``weight``,
            ``distance``, ``stat.<check key>``.
        meta: ``epsilon``, ``proposals``, ``accepted``, ``acceptance``, ``ess``, ``scales``,
            ``seconds``, ``finished``.
    """

    t: int
    particles: pd.DataFrame
    meta: dict[str, Any]

    def z(self, names: Sequence[str]) -> np.ndarray:
        """The particles in the unit cube."""
        return self.particles[[f"z.{n}" for n in names]].to_numpy(float)

    @property
    def weights(self) -> np.ndarray:
        """Normalised weights."""
        w = self.particles["weight"].to_numpy(float)
        return w / w.sum()


@dataclass
class CalibrationOutcome:
    """What a calibration session produced.

    Attributes:
        folder: The calibration folder.
        generations: The finished generations.
        stopped: Why the calibration stopped, in words.
        predictive: One row per posterior predictive draw (check estimates).
        report: The report folder.
        elapsed: Seconds this session took.
        resumed_from: Generations already finished when this session started.
        failed_runs: Runs that failed in this session.
    """

    folder: Path
    generations: list[Generation]
    stopped: str
    predictive: pd.DataFrame
    report: Path
    elapsed: float = 0.0
    resumed_from: int = 0
    failed_runs: int = 0
    figures: list[Path] = field(default_factory=list)

    @property
    def posterior(self) -> Generation:
        """The last finished generation."""
        return self.generations[-1]


def _gen_paths(folder: Path, t: int) -> tuple[Path, Path]:
    base = folder / "generations" / f"gen-{t:02d}"
    return base.with_suffix(".parquet"), base.with_suffix(".json")


def load_generations(folder: Path) -> list[Generation]:
    """The complete generations stored in ``folder``, in order."""
    out = []
    t = 0
    while True:
        table, meta = _gen_paths(folder, t)
        if not (table.is_file() and meta.is_file()):
            return out
        out.append(Generation(t, pd.read_parquet(table), json.loads(meta.read_text())))
        t += 1


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    with atomic_path(path) as tmp:
        write(tmp)


def _save_generation(folder: Path, gen: Generation) -> None:
    table, meta = _gen_paths(folder, gen.t)
    table.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(table, lambda p: gen.particles.to_parquet(p, index=False))
    _write_atomic(meta, lambda p: p.write_text(json.dumps(gen.meta, indent=1, sort_keys=True)))


def _open_folder(folder: Path, config: CalibrationConfig, force: bool) -> None:
    """Create the folder's calibration.json, or check the folder holds this calibration."""
    old, same = claim_folder(folder, CALIBRATION_FOLDER, config, force)
    if old is not None and not same:  # forced: its generations were another calibration's
        for path in sorted((folder / "generations").glob("gen-*")):
            path.unlink()
    from ..provenance import provenance

    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(
        folder / CALIBRATION_FOLDER.record,
        lambda p: p.write_text(
            json.dumps(
                {
                    "name": config.name,
                    "source": config.source,
                    "config_hash": config.hash(),
                    "config": config.canonical(),
                    "provenance": provenance(),
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                },
                indent=1,
                default=str,
            )
        ),
    )


@contextmanager
def _executor_options(workers, scheduler, dask_local):
    """Keyword arguments for the sweep of every batch, and where the runs go, in words.

    Workers are started, or a cluster connected to, once for the whole calibration, not once
    per batch: the local worker processes, a local Dask cluster, or one client of a Dask
    cluster whose workers are checked once (a pool's start or a client's connection and check
    cost seconds; a batch's runs may take less). They are stopped, or the client closed, when
    the calibration ends, however it ends: at once after an error, Ctrl-C or SIGTERM, which is
    treated as Ctrl-C while they are open so that workers are stopped too. Which process runs a
    run never changes its result, so a shared executor gives the same posterior as one per batch.

    Yields:
        ``(keyword arguments of run_sweep, description)``.
    """
    from ..sweep import sigterm_as_interrupt

    if dask_local or scheduler:
        from ..executors import DaskExecutor

        cluster = DaskExecutor(local_workers=dask_local) if dask_local else DaskExecutor(scheduler)
        with sigterm_as_interrupt(), cluster as ex:
            yield {"executor": ex}, ex.description
        return
    n = workers or os.cpu_count() or 1
    if n == 1:
        yield {"workers": 1}, "this process"
        return
    from ..executors import ProcessExecutor

    with sigterm_as_interrupt(), ProcessExecutor(n) as ex:
        yield {"executor": ex}, ex.description


class _Clock:
    """ETA from the time per proposal measured in this session."""

    def __init__(self):
        self.started = time.perf_counter()
        self.proposals = 0

    def per_proposal(self) -> float:
        done = max(self.proposals, 1)
        return (time.perf_counter() - self.started) / done


def _generation_table(config, accepted: list[Proposal], weights, dists) -> pd.DataFrame:
    names = config.names
    data: dict[str, Any] = {"index": [p.index for p in accepted]}
    for k, n in enumerate(names):
        data[f"z.{n}"] = [float(p.z[k]) for p in accepted]
    for n in names:
        data[n] = [p.theta[n] for p in accepted]
    data["weight"] = list(map(float, weights))
    data["distance"] = list(map(float, dists))
    data["seed"] = [p.seed for p in accepted]
    for key, _f, _c in check_keys(config.battery.facts):
        data[f"stat.{key}"] = [p.stats.get(key, math.nan) for p in accepted]
    return pd.DataFrame(data)


def _run_generation(
    config: CalibrationConfig,
    t: int,
    prev: Generation | None,
    scales: dict[str, float] | None,
    folder: Path,
    arm_of,
    executor: dict[str, Any],
    say: Callable[[str], None],
    clock: _Clock,
    command,
) -> tuple[Generation | None, int, str]:
    """Run generation ``t``; return it (None when it could not be completed), failed runs, why."""
    abc, names = config.abc, config.names
    fitted = config.fitted_facts()
    dims = len(names)
    started = time.perf_counter()
    if prev is None:
        epsilon, previous, pw, cov = math.inf, None, None, None
    else:
        epsilon = smc.weighted_quantile(
            prev.particles["distance"].to_numpy(float), prev.weights, abc.quantile
        )
        previous, pw = prev.z(names), prev.weights
        cov = smc.kernel_covariance(previous, pw)
    accepted: list[Proposal] = []
    made = 0
    failed = 0
    while len(accepted) < abc.population:
        if made >= abc.max_proposals:
            return (
                None,
                failed,
                (
                    f"generation {t} accepted only {len(accepted)} of {abc.population} particles "
                    f"in {made} proposals (abc.max_proposals) at threshold {epsilon:.4g}: the "
                    f"facts cannot be met more closely with this model and budget; the posterior "
                    f"is generation {t - 1}'s"
                ),
            )
        batch = []
        for i in range(made, min(made + abc.batch, abc.max_proposals)):
            rng = smc.proposal_rng(config.seed, t, i)
            z = smc.propose(rng, dims, previous, pw, cov)
            batch.append(make_proposal(config, t, i, z, smc.simulation_seed(config.seed, t, i)))
        failed += evaluate(config, batch, folder, arm_of, executor, command)
        made += len(batch)
        clock.proposals += len(batch)
        if prev is None:
            # The prior sample: every proposal counts; the distance units come from it.
            accepted.extend(batch[: abc.population - len(accepted)])
            if len(accepted) == abc.population:
                scales = one_sided_scales([p.stats for p in accepted], fitted)
        else:
            for p in batch:
                if len(accepted) < abc.population and distance(p.stats, fitted, scales) <= epsilon:
                    accepted.append(p)
        rate = len(accepted) / made
        per = clock.per_proposal()
        left = (abc.population - len(accepted)) / max(rate, 1e-3)
        later = (abc.generations - t - 1) * abc.population / max(rate, 1e-3)
        say(
            f"generation {t}/{abc.generations - 1}: {len(accepted)}/{abc.population} accepted of "
            f"{made} proposals ({rate:.0%}), epsilon {epsilon:.4g}, ETA "
            f"{_duration(per * (left + later))} (this generation {_duration(per * left)})"
        )
    assert scales is not None
    dists = [distance(p.stats, fitted, scales) for p in accepted]
    if prev is None:
        weights = np.full(len(accepted), 1.0 / len(accepted))
    else:
        weights = smc.smc_weights(np.array([p.z for p in accepted]), previous, pw, cov)
    meta = {
        "generation": t,
        "epsilon": None if math.isinf(epsilon) else epsilon,
        "proposals": made,
        "accepted": len(accepted),
        "acceptance": len(accepted) / made,
        "ess": smc.effective_sample_size(weights),
        "scales": scales,
        "seconds": time.perf_counter() - started,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return Generation(t, _generation_table(config, accepted, weights, dists), meta), failed, ""


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def predictive_draws(config: CalibrationConfig, gen: Generation) -> list[int]:
    """Indices (rows of the posterior) of the posterior predictive draws, drawn by weight."""
    rng = smc.proposal_rng(config.seed, 1_000_000, 0)
    return [int(i) for i in rng.choice(len(gen.particles), config.abc.predictive, p=gen.weights)]


def _predictive(config, gen, folder, arm_of, executor, command) -> tuple[pd.DataFrame, int]:
    """Simulate the posterior predictive draws afresh (new seeds) and return their estimates."""
    names = config.names
    z = gen.z(names)
    draws = predictive_draws(config, gen)
    props = [
        make_proposal(config, PREDICTIVE, k, z[i], smc.simulation_seed(config.seed, 1_000_000, k))
        for k, i in enumerate(draws)
    ]
    failed = evaluate(config, props, folder, arm_of, executor, command)
    rows = []
    for k, (i, p) in enumerate(zip(draws, props, strict=True)):
        rows.append({"draw": k, "particle": i, **p.theta, **{f"stat.{s}": v
                     for s, v in p.stats.items()}})  # fmt: skip
    return pd.DataFrame(rows), failed


def run_calibration(
    config: CalibrationConfig,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    force: bool = False,
    echo: Callable[[str], None] | None = print,
    command: Sequence[str] | None = None,
    report: bool = True,
) -> CalibrationOutcome:
    """Run (or resume) a calibration and write its posterior and report.

    Args:
        config: The checked calibration config.
        out: Its folder (default ``results/calibrate-<name>``).
        workers: Local worker processes (default: the machine's cores; 1 = this process).
        scheduler: A Dask scheduler's address, to run there instead.
        dask_local: Start a local Dask cluster with this many workers.
        force: Start afresh in a folder holding another calibration.
        echo: Where progress lines go (None: nowhere).
        command: Command line for the manifests.
        report: Write the report (figures) at the end.

    Returns:
        The generations, why it stopped, the predictive draws and the report's location.
    """
    from .output import write_outputs

    say = echo or (lambda _text: None)
    started = time.perf_counter()
    folder = Path(out) if out is not None else default_folder(config)
    command = list(command if command is not None else sys.argv)
    _open_folder(folder, config, force)
    gens = load_generations(folder)
    resumed_from = len(gens)
    if gens:
        say(f"Resuming {folder}: {len(gens)} generation(s) finished")
    arm_of = arm_map(config)
    abc = config.abc
    stopped = ""
    failed = 0
    clock = _Clock()
    with _executor_options(workers, scheduler, dask_local) as (executor, where):
        say(f"Calibrating {config.name} ({len(config.names)} free parameters, population "
            f"{abc.population}, {abc.generations} generations) on {where}")  # fmt: skip
        while len(gens) < abc.generations:
            last = gens[-1] if gens else None
            if last is not None:
                eps = last.meta["epsilon"]
                if eps is not None and eps <= abc.min_epsilon:
                    stopped = f"threshold {eps:.4g} reached abc.min_epsilon ({abc.min_epsilon})"
                    break
                if last.t > 0 and last.meta["acceptance"] < abc.min_acceptance:
                    stopped = (f"acceptance {last.meta['acceptance']:.3g} fell below "
                               f"abc.min_acceptance ({abc.min_acceptance})")  # fmt: skip
                    break
            scales = gens[0].meta["scales"] if gens else None
            gen, f, why = _run_generation(
                config, len(gens), last, scales, folder, arm_of, executor, say, clock, command
            )
            failed += f
            if gen is None:
                stopped = why
                break
            _save_generation(folder, gen)
            gens.append(gen)
        stopped = stopped or f"all {abc.generations} generations done"
        say(f"Stopped: {stopped}")
        if abc.predictive:
            say(f"Posterior predictive check: {abc.predictive} draws simulated afresh")
            predictive, f = _predictive(config, gens[-1], folder, arm_of, executor, command)
            failed += f
        else:
            predictive = pd.DataFrame()
    outcome = CalibrationOutcome(
        folder=folder,
        generations=gens,
        stopped=stopped,
        predictive=predictive,
        report=folder / "report",
        resumed_from=resumed_from,
        failed_runs=failed,
    )
    outcome.figures = write_outputs(config, outcome, figures=report)
    outcome.elapsed = time.perf_counter() - started
    return outcome
