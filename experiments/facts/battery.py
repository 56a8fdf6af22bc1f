"""Running a battery: plan its runs, run them through the sweep machinery, judge and report.

The runs go through :func:`supportnet.experiments.sweep.run_sweep`, so a battery is parallel,
resumable after a kill, gives the same results on any executor (local processes or Dask), and
keeps its runs in an ordinary results folder (``runs/``, ``summary.parquet``, ``manifest.json``).
The verdicts and the report are then computed from the stored summary rows alone, so re-judging a
finished battery needs no simulation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .declare import Battery, load_battery
from .judge import FactResult, judge_facts
from .plan import BatteryConfig, Overrides, plan_battery

__all__ = ["BatteryOutcome", "default_folder", "run_facts"]


@dataclass
class BatteryOutcome:
    """What a battery session produced.

    Attributes:
        folder: The results folder.
        results: One verdict per chosen fact, in declaration order.
        report: The folder with report.md, facts.json and the figures.
        figures: The figures written.
        planned: Runs planned.
        finished: Runs finished in this session.
        skipped: Runs already finished before it (resumed).
        failed: Runs that failed in this session.
        elapsed: Seconds the runs took.
        executor: Where they ran.
    """

    folder: Path
    results: list[FactResult]
    report: Path
    figures: list[Path] = field(default_factory=list)
    planned: int = 0
    finished: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    executor: str = ""

    @property
    def verdicts(self) -> dict[str, str]:
        """Fact id -> verdict."""
        return {r.fact.id: r.verdict for r in self.results}


def default_folder(overrides: Overrides, battery: Battery | None = None) -> Path:
    """Return ``results/facts`` plus what sets the runs apart (quick, preset, --set values).

    The seed count and the chosen facts are not in the name: a battery with more seeds, or with
    fewer facts, reuses the runs it shares with one already in the folder.
    """
    name = "facts"
    if overrides.quick:
        name += "-quick"
    if overrides.preset:
        name += f"-{overrides.preset}"
    extra = {"set": dict(overrides.set)}
    if battery is not None and battery.source and Path(battery.source).name != "facts.toml":
        extra["file"] = Path(battery.source).stem
    extra.update(overrides.given())
    if overrides.set or len(extra) > 1:
        text = json.dumps(extra, sort_keys=True, default=str)
        name += "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return Path("results") / name


def run_facts(
    battery: Battery | None = None,
    *,
    only: Sequence[str] | None = None,
    overrides: Overrides | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    force: bool = False,
    progress: bool = True,
    command: Sequence[str] | None = None,
    echo: Callable[[str], None] | None = print,
) -> BatteryOutcome:
    """Run (or resume) the facts battery and write its report.

    Args:
        battery: The declarations (default: the shipped facts.toml).
        only: Fact ids to run (default: all).
        overrides: Preset, parameter values, quick mode, seed count.
        out: Results folder (default: :func:`default_folder`).
        workers: Local worker processes (default: the machine's cores; 1 = this process).
        scheduler: A Dask scheduler's address, to run there instead.
        dask_local: Start a local Dask cluster with this many workers.
        force: Accept a folder holding another battery's results.
        progress: Show the progress bar.
        command: Command line for the manifest.
        echo: Where one-line messages go (None: nowhere).

    Returns:
        The verdicts, the report's location and what ran.

    Raises:
        ConfigError: Unknown facts, bad parameter values, or a folder holding something else.
    """
    from ..store import ResultStore
    from ..sweep import run_sweep
    from .output import write_report

    battery = battery or load_battery()
    overrides = overrides or Overrides()
    facts = battery.select(list(only) if only else None)
    runs, arm_of = plan_battery(battery, overrides, facts)
    folder = Path(out) if out is not None else default_folder(overrides, battery)
    from .plan import largest_run_memory

    config = BatteryConfig(battery, overrides, memory=largest_run_memory(runs))
    sweep = run_sweep(
        config,  # type: ignore[arg-type]  (duck-typed: name, title, source, seed, hash, canonical)
        folder,
        workers=workers,
        scheduler=scheduler,
        dask_local=dask_local,
        force=force,
        progress=progress,
        command=command,
        echo=echo,
        specs=runs,  # type: ignore[arg-type]
    )
    store = ResultStore(folder)
    summary = store.summary()
    planned = {r.run_id for r in runs}
    if len(summary):
        summary = summary[summary["run_id"].isin(planned)]
    failures = [f for f in store.failures() if f.get("run_id") in planned]
    results = judge_facts(battery, facts, summary, arm_of, failures, steps_of=store.steps)
    report, figures = write_report(
        folder, battery, results, summary, arm_of, overrides, runs, store
    )
    return BatteryOutcome(
        folder=folder,
        results=results,
        report=report,
        figures=figures,
        planned=sweep.planned,
        finished=sweep.finished,
        skipped=sweep.skipped,
        failed=sweep.failed,
        elapsed=sweep.elapsed,
        executor=sweep.executor,
    )
