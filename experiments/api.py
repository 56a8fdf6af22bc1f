"""Experiments from Python (notebooks): run a config, get its tables back.

>>> from supportnet.experiments import run_experiment                          # doctest: +SKIP
>>> res = run_experiment("demo", workers=2)                           # doctest: +SKIP
>>> res.summary.groupby("help_seeking_mean")["mean_depression"].mean()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from .config import ExperimentConfig, load_config, parse_config
from .store import ResultStore, read_manifest

__all__ = ["SweepResults", "load_results", "run_experiment"]


class SweepResults:
    """The results of a sweep, read from its folder (tables are loaded when first used).

    Attributes:
        folder: The results folder.
        manifest: The manifest (config, hash, seed, provenance, sessions).
        outcome: What the session that produced this object did (None when only loaded).
    """

    def __init__(self, folder: str | Path, outcome=None):
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)
        self.outcome = outcome
        self._store = ResultStore(self.folder)

    def __repr__(self) -> str:
        return (
            f"SweepResults({str(self.folder)!r}: {len(self.summary)} finished runs of "
            f"{self.manifest.get('runs_planned')}, {len(self.failures)} failed)"
        )

    @property
    def config(self) -> dict[str, Any]:
        """The experiment's config as recorded in the manifest."""
        return self.manifest["config"]

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per finished run: ids, seed, varied values, outcomes, analyses."""
        return self._store.summary()

    @cached_property
    def steps(self) -> pd.DataFrame:
        """Per-step measures of every finished run, stacked, with its ids and varied values."""
        df = self._store.steps(self.summary["run_id"] if len(self.summary) else [])
        if df.empty:
            return df
        ids = [
            "run_id",
            "arm",
            "point",
            "replication",
            *[f["key"] for f in self.config["design"]["factors"]],
        ]
        return self.summary[ids].merge(df, on="run_id", how="right")

    @cached_property
    def persons(self) -> pd.DataFrame:
        """Person-level state (empty unless ``output.persons_every`` > 0)."""
        return self._store.persons()

    @cached_property
    def failures(self) -> pd.DataFrame:
        """Failed runs: run_id, error, traceback, seed, parameters."""
        rows = self._store.failures()
        cols = ["run_id", "arm", "point", "replication", "seed", "error", "traceback"]
        return pd.DataFrame(rows, columns=[*cols, "factors", "params", "worker", "time"])


def _as_config(config: ExperimentConfig | Mapping[str, Any] | str | Path) -> ExperimentConfig:
    if isinstance(config, ExperimentConfig):
        return config
    if isinstance(config, Mapping):
        return parse_config(config)
    return load_config(config)


def run_experiment(
    config: ExperimentConfig | Mapping[str, Any] | str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    force: bool = False,
    progress: bool = True,
    quiet: bool = False,
) -> SweepResults:
    """Run (or resume) an experiment and return its results.

    Args:
        config: A config path, a shipped experiment's name, a dict shaped like the TOML file,
            or an :class:`~supportnet.experiments.config.ExperimentConfig`.
        out: Results folder (default ``results/<name>``).
        workers: Local worker processes (default: the machine's cores; 1 = this process).
        scheduler: A Dask scheduler's address, to run there instead.
        dask_local: Start a local Dask cluster with this many workers instead.
        force: Accept a folder holding another config's results.
        progress: Show the progress bar.
        quiet: Print nothing (no resume message).

    Returns:
        The results, with ``summary``, ``steps``, ``persons`` and ``failures`` tables.

    Raises:
        ConfigError: For an invalid config or a folder holding another experiment.
    """
    from .sweep import run_sweep

    cfg = _as_config(config)
    outcome = run_sweep(
        cfg,
        out,
        workers=workers,
        scheduler=scheduler,
        dask_local=dask_local,
        force=force,
        progress=progress,
        command=["supportnet.experiments.run_experiment"],
        echo=None if quiet else print,
    )
    return SweepResults(outcome.folder, outcome)


def load_results(folder: str | Path) -> SweepResults:
    """Return the results stored in ``folder`` (written by a sweep)."""
    return SweepResults(folder)
