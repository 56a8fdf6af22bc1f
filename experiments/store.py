"""The results folder of one experiment: crash-safe, resumable storage.

Layout (see docs/experiments.md)::

    DIR/manifest.json         config, its hash, seed, versions, git commit, command lines
    DIR/runs/<run>.parquet    per-step measures of each finished run; its summary row and spec
                              digest in the file's metadata
    DIR/persons/<run>.parquet person-level state (only with output.persons_every > 0)
    DIR/failures/<run>.json   the error and traceback of each run that raised
    DIR/summary.parquet       one row per finished run
    DIR/report/               figures and report.md (`supportnet report DIR`)

Every file is written to a temporary name in its folder, flushed to disk and renamed, so a reader
(or a resumed sweep) never sees half a file. A run is finished exactly when its file under
``runs/`` exists and its recorded digest matches the planned run; resuming skips those.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .config import ConfigError, ExperimentConfig, _plain
from .files import atomic_path as _atomic

__all__ = ["FORMAT", "ResultStore", "read_manifest"]

#: Version of the folder layout, recorded in manifests.
FORMAT = 1
_META = b"supportnet"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write_json(path: Path, data: Any) -> None:
    with _atomic(path) as tmp:
        tmp.write_text(json.dumps(_plain(data), indent=2, allow_nan=True) + "\n", encoding="utf-8")


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Return the manifest of a results folder.

    Raises:
        ConfigError: If the folder has no readable manifest.
    """
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise ConfigError(
            [
                f"{folder}: not a results folder (no manifest.json); "
                "give the folder a `supportnet sweep` wrote"
            ]
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError([f"{path}: cannot be read: {exc}"]) from None


class ResultStore:
    """Reads and writes one experiment's results folder.

    Args:
        folder: The results folder.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.manifest_path = self.folder / "manifest.json"
        self.runs_dir = self.folder / "runs"
        self.persons_dir = self.folder / "persons"
        self.failures_dir = self.folder / "failures"
        self.summary_path = self.folder / "summary.parquet"

    # --- opening ---------------------------------------------------------------------------
    def open(
        self,
        config: ExperimentConfig,
        *,
        force: bool,
        session: dict[str, Any],
        provenance: dict[str, Any],
        n_runs: int,
    ) -> bool:
        """Create the folder and manifest, or check an existing one belongs to ``config``.

        Args:
            config: The experiment.
            force: Accept a folder holding another config's results (its runs that do not
                match this config are discarded when the sweep starts).
            session: What this invocation records (command line, executor, time).
            provenance: Versions, git state, model digest (see
                :mod:`supportnet.experiments.provenance`).
            n_runs: Runs planned.

        Returns:
            True when the folder already held this experiment (a resume).

        Raises:
            ConfigError: If the folder holds something else, or another config without ``force``.
        """
        resumed = False
        if self.manifest_path.exists():
            old = read_manifest(self.folder)
            if old.get("config_hash") != config.hash():
                if not force:
                    raise ConfigError(
                        [
                            f"{self.folder}: holds results of a different config (experiment "
                            f"'{old.get('experiment')}', config hash {old.get('config_hash')}, "
                            f"from {old.get('config_source') or 'a dict'}); this config's hash is "
                            f"{config.hash()}. Use another --out folder, or --force to replace "
                            "them (runs whose settings did not change are kept)"
                        ]
                    )
                sessions = [*old.get("sessions", []), {**session, "forced": True}]
            else:
                resumed = True
                sessions = [*old.get("sessions", []), session]
            created = old.get("created", _now())
        else:
            if self.folder.exists() and any(self.folder.iterdir()):
                raise ConfigError(
                    [
                        f"{self.folder}: exists and is not a SupportNet results folder (no "
                        "manifest.json); give an empty or new folder with --out"
                    ]
                )
            sessions, created = [session], _now()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.clean_temporary()
        manifest = {
            "format": FORMAT,
            "experiment": config.name,
            "title": config.title,
            "config_source": config.source,
            "config_hash": config.hash(),
            "seed": config.seed,
            "runs_planned": n_runs,
            "created": created,
            "command": sessions[0].get("command"),
            "provenance": provenance,
            "config": config.canonical(),
            "sessions": sessions,
        }
        _write_json(self.manifest_path, manifest)
        return resumed

    def clean_temporary(self) -> int:
        """Remove temporary files left by an interrupted write; return how many."""
        n = 0
        for d in (self.folder, self.runs_dir, self.persons_dir, self.failures_dir):
            if d.is_dir():
                for tmp in d.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)
                    n += 1
        return n

    def update_session(self, **fields: Any) -> None:
        """Add fields to the latest session of the manifest (e.g. when it ended and how)."""
        manifest = read_manifest(self.folder)
        manifest["sessions"][-1].update(fields)
        _write_json(self.manifest_path, manifest)

    # --- runs ------------------------------------------------------------------------------
    def run_path(self, run_id: str) -> Path:
        """Return the file of run ``run_id``."""
        return self.runs_dir / f"{run_id}.parquet"

    def stored_meta(self, run_id: str) -> dict[str, Any] | None:
        """Return the metadata of a stored run (digest, summary row), or None if not stored."""
        path = self.run_path(run_id)
        if not path.exists():
            return None
        try:
            meta = pq.read_schema(path).metadata or {}
            return json.loads(meta[_META])
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return None  # unreadable: run it again

    def finished(self, specs: Sequence[Any], discard: bool = False) -> dict[str, dict[str, Any]]:
        """Return the summary rows of planned runs already finished, by run id.

        Args:
            specs: The planned runs.
            discard: Delete stored runs that do not match their planned run (after ``--force``)
                and stored runs that are not planned at all.
        """
        rows: dict[str, dict[str, Any]] = {}
        planned = {s.run_id: s for s in specs}
        for spec in specs:
            meta = self.stored_meta(spec.run_id)
            if meta is not None and meta.get("digest") == spec.digest:
                rows[spec.run_id] = meta["summary"]
        if discard and self.runs_dir.is_dir():
            for path in self.runs_dir.glob("*.parquet"):
                if path.stem not in rows:
                    path.unlink()
                    (self.persons_dir / path.name).unlink(missing_ok=True)
                    (self.failures_dir / f"{path.stem}.json").unlink(missing_ok=True)
            if self.failures_dir.is_dir():
                for path in self.failures_dir.glob("*.json"):
                    if path.stem not in planned:
                        path.unlink()
        return rows

    def write_run(self, result) -> dict[str, Any]:
        """Store a finished run (persons first, then the run file that marks it finished).

        Returns:
            The summary row as stored (JSON round trip), the same whether it is read back
            now or on a later resume.
        """
        meta = json.dumps(
            _plain(
                {
                    "digest": result.digest,
                    "summary": result.summary,
                    "elapsed": result.elapsed,
                    "cpu": result.cpu,
                    "model_code": result.model_code,
                    "worker": result.worker,
                }
            )
        )
        if result.persons is not None:
            with _atomic(self.persons_dir / f"{result.run_id}.parquet") as tmp:
                result.persons.to_parquet(tmp, index=False)
        table = pa.Table.from_pandas(result.steps, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: meta})
        with _atomic(self.run_path(result.run_id)) as tmp:
            pq.write_table(table, tmp)
        (self.failures_dir / f"{result.run_id}.json").unlink(missing_ok=True)
        return json.loads(meta)["summary"]

    def write_failure(self, result, spec) -> None:
        """Record a run that raised: its identity, error and traceback."""
        _write_json(
            self.failures_dir / f"{result.run_id}.json",
            {
                "run_id": result.run_id,
                "arm": spec.arm,
                "point": spec.point,
                "replication": spec.replication,
                "seed": spec.seed,
                "factors": spec.factors,
                "params": spec.params,
                "interventions": list(spec.interventions),
                "error": result.error,
                "traceback": result.traceback,
                "worker": result.worker,
                "time": _now(),
            },
        )

    def failures(self) -> list[dict[str, Any]]:
        """Return the recorded failures, ordered by run id."""
        if not self.failures_dir.is_dir():
            return []
        out = []
        for path in sorted(self.failures_dir.glob("*.json")):
            try:
                out.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    # --- tables ----------------------------------------------------------------------------
    def write_summary(self, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
        """Write summary.parquet (one row per finished run, in planned order) and return it."""
        df = pd.DataFrame(list(rows))
        with _atomic(self.summary_path) as tmp:
            df.to_parquet(tmp, index=False)
        return df

    def summary(self) -> pd.DataFrame:
        """Return the summary table (rebuilt from the run files if summary.parquet is missing)."""
        if self.summary_path.exists():
            return pd.read_parquet(self.summary_path)
        rows = []
        for path in sorted(self.runs_dir.glob("*.parquet")):
            meta = self.stored_meta(path.stem)
            if meta is not None:
                rows.append(meta["summary"])
        return pd.DataFrame(rows)

    def steps(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Return the per-step tables of finished runs, stacked, with a ``run_id`` column."""
        ids = (
            list(run_ids)
            if run_ids is not None
            else sorted(p.stem for p in self.runs_dir.glob("*.parquet"))
        )
        frames = []
        for run_id in ids:
            df = pd.read_parquet(self.run_path(run_id))
            df.insert(0, "run_id", run_id)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def persons(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Return the person-level tables (empty when none were kept), with a ``run_id`` column."""
        if not self.persons_dir.is_dir():
            return pd.DataFrame()
        ids = (
            list(run_ids)
            if run_ids is not None
            else sorted(p.stem for p in self.persons_dir.glob("*.parquet"))
        )
        frames = []
        for run_id in ids:
            path = self.persons_dir / f"{run_id}.parquet"
            if path.exists():
                df = pd.read_parquet(path)
                df.insert(0, "run_id", run_id)
                frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
