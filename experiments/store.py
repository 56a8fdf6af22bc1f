"""The results folder of one experiment: crash-safe, resumable storage.

Layout (see docs/experiments.md)::

    DIR/manifest.json         config, its hash, seed, versions, git commit, command lines
    DIR/runs/<run>.parquet    per-step measures of each finished run; its summary row and spec
                              digest in the file's metadata; its sha256 in <run>.parquet.sha256
    DIR/persons/<run>.parquet person-level state (only with output.persons_every > 0)
    DIR/failures/<run>.json   the error and traceback of each run that raised
    DIR/summary.parquet       one row per finished run
    DIR/report/               figures and report.md (`supportnet report DIR`)
    DIR/.lock                 held (flock) by the sweep writing the folder; names its process

Every file is written to a temporary name in its folder, flushed to disk and renamed, so a reader
(or a resumed sweep) never sees half a file. A run is finished exactly when its file under
``runs/`` exists, its bytes match the checksum written beside it (``runs/<run>.parquet.sha256``,
written before the run file appears) and its recorded digest matches the planned run; resuming
skips those. A run file damaged afterwards (disk, copy, editor) fails its checksum and is run
again; a report refuses it with a message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .config import ConfigError, ExperimentConfig, _plain
from .files import atomic_path as _atomic
from .files import file_mode
from .folders import FolderKind, claim_folder, read_record

__all__ = ["FORMAT", "FolderBusy", "ResultStore", "file_checksum", "read_manifest"]

#: Version of the folder layout, recorded in manifests (2: run files have checksums).
FORMAT = 2
_META = b"supportnet"


_MODE = file_mode()

#: A results folder: its manifest, and what refusing to write into another's folder says.
RESULTS_FOLDER = FolderKind(
    record="manifest.json",
    title="results",
    other="results of a different config",
    name_key="experiment",
    source_key="config_source",
    force_does="replace them (runs whose settings did not change are kept)",
    ignore=(".lock",),  # the lock is taken before the folder is opened
)


class FolderBusy(ConfigError):
    """Another sweep is writing the results folder; the message names it."""


def file_checksum(path: Path) -> str:
    """Return the sha256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sidecar(path: Path) -> Path:
    """The file holding ``path``'s checksum: ``runs/x.parquet`` -> ``runs/x.parquet.sha256``."""
    return path.with_name(path.name + ".sha256")


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
    return read_record(path)


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

    # --- locking ---------------------------------------------------------------------------
    @contextmanager
    def lock(self, command: Sequence[str]):
        """Hold the folder's lock while a sweep writes it; refuse if another sweep holds it.

        The lock is an ``flock`` on ``DIR/.lock``, so the operating system releases it when its
        holder exits, however it exits (a SIGKILLed sweep leaves no stale lock). The file names
        the holder's process, command line and start time, for the message a second sweep gets.
        Where ``flock`` does not exist (Windows) sweeps are not locked.

        Raises:
            FolderBusy: If another process holds the lock.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / ".lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, _MODE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
                try:
                    who = json.loads(holder)
                    text = (
                        f"process {who['pid']} (`{' '.join(who['command'])}`, "
                        f"since {who['started']})"
                    )
                except (ValueError, KeyError, TypeError):
                    text = "another process"
                raise FolderBusy(
                    [
                        f"{self.folder}: another sweep is writing this results folder: {text}. "
                        "Wait for it to finish (or stop it), or give another --out folder"
                    ]
                ) from None
            info = {"pid": os.getpid(), "command": list(command), "started": _now()}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing releases the flock

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
        old, resumed = claim_folder(self.folder, RESULTS_FOLDER, config, force)
        if old is None:
            sessions, created = [session], _now()
        else:
            sessions = [
                *old.get("sessions", []),
                session if resumed else {**session, "forced": True},
            ]
            created = old.get("created", _now())
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

    def stored_meta(self, run_id: str, verify: bool = False) -> dict[str, Any] | None:
        """Return the metadata of a stored run (digest, summary row), or None if not stored.

        Args:
            run_id: The run.
            verify: Also read the whole table and check it against the checksum recorded when
                it was written (and the persons file's); a damaged run counts as not stored.
        """
        path = self.run_path(run_id)
        if not path.exists():
            return None
        try:
            if not verify:
                return json.loads((pq.read_schema(path).metadata or {})[_META])
            return self._verified_meta(path, run_id)
        except (KeyError, ValueError, pa.ArrowException, EOFError):
            return None  # unreadable: run it again
        except OSError as exc:
            if exc.errno is None or isinstance(exc, (IsADirectoryError, FileNotFoundError)):
                return None  # pyarrow reports a damaged file as a plain OSError
            raise

    def _verified_meta(self, path: Path, run_id: str) -> dict[str, Any] | None:
        """Check the run's files against their recorded checksums, then read its metadata."""
        for file in (path, self.persons_dir / path.name):
            recorded = _sidecar(file)
            if recorded.exists():
                if not file.exists() or recorded.read_text().strip() != file_checksum(file):
                    return None
            elif file is path and self._format() >= 2:
                return None  # written with checksums, and this one is gone
        table = pq.read_table(path)  # every page read: a damaged page raises here
        return json.loads((table.schema.metadata or {})[_META])

    def _format(self) -> int:
        if not hasattr(self, "_layout"):
            try:
                self._layout = int(read_manifest(self.folder).get("format", 1))
            except (ConfigError, TypeError, ValueError):
                self._layout = FORMAT
        return self._layout

    def finished(self, specs: Sequence[Any], discard: bool = False) -> dict[str, dict[str, Any]]:
        """Return the summary rows of planned runs already finished, by run id.

        Args:
            specs: The planned runs.
            discard: Delete stored runs that do not match their planned run (after ``--force``)
                and stored runs that are not planned at all.
        """
        rows: dict[str, dict[str, Any]] = {}
        planned = {s.run_id: s for s in specs}
        self.damaged: list[str] = []
        for spec in specs:
            meta = self.stored_meta(spec.run_id, verify=True)
            if meta is not None and meta.get("digest") == spec.digest:
                rows[spec.run_id] = meta["summary"]
            elif meta is None and self.run_path(spec.run_id).exists():
                self.damaged.append(spec.run_id)
        if discard and self.runs_dir.is_dir():
            for path in self.runs_dir.glob("*.parquet"):
                if path.stem not in rows:
                    for file in (path, self.persons_dir / path.name):
                        file.unlink(missing_ok=True)
                        _sidecar(file).unlink(missing_ok=True)
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
            self._write_checked(self.persons_dir / f"{result.run_id}.parquet", result.persons, {})
        self._write_checked(self.run_path(result.run_id), result.steps, {_META: meta.encode()})
        (self.failures_dir / f"{result.run_id}.json").unlink(missing_ok=True)
        return json.loads(meta)["summary"]

    def _write_checked(self, path: Path, df: pd.DataFrame, metadata: dict[bytes, bytes]) -> None:
        """Write ``df`` to ``path`` atomically, its checksum beside it (written first).

        The checksum is in place before the file appears, so a finished run always has one; a
        checksum whose file never appeared (a kill in between) is simply overwritten later.
        """
        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
        with _atomic(path) as tmp:
            pq.write_table(table, tmp)
            digest = file_checksum(tmp)
            with _atomic(_sidecar(path)) as side:
                side.write_text(digest + "\n", encoding="utf-8")

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

    def summary_ids(self) -> list[str] | None:
        """Return the run ids in summary.parquet, in order (None if it is missing or unreadable)."""
        try:
            df = pd.read_parquet(self.summary_path)
        except (OSError, ValueError, pa.ArrowException):
            return None
        return [str(x) for x in df["run_id"]] if "run_id" in df.columns else []

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
