"""Running a sweep: plan the runs, skip those already finished, execute the rest, store each.

:func:`run_sweep` is what ``supportnet sweep`` and :func:`supportnet.experiments.api.run_experiment`
call. Runs are written as they finish; the summary table is rewritten at the end of every session,
including an interrupted one, and rebuilt from the run files when a killed sweep is resumed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ConfigError, ExperimentConfig
from .executors import make_executor
from .plan import RunSpec, plan_runs
from .progress import SweepProgress
from .store import ResultStore

if TYPE_CHECKING:
    from .executors import DaskExecutor, InProcessExecutor, ProcessExecutor

    Executor = InProcessExecutor | ProcessExecutor | DaskExecutor

__all__ = ["SweepOutcome", "default_folder", "run_sweep", "sigterm_as_interrupt"]


def default_folder(config: ExperimentConfig) -> Path:
    """Return the default results folder of ``config``: ``results/<name>``."""
    return Path("results") / config.name


@dataclass
class SweepOutcome:
    """What a sweep session did.

    Attributes:
        folder: The results folder.
        planned: Runs in the design.
        skipped: Runs already finished before this session (resumed).
        finished: Runs finished in this session.
        failed: Run ids that raised in this session.
        elapsed: Seconds this session took.
        executor: Where the runs ran.
        interrupted: The session was interrupted (Ctrl-C, SIGTERM).
    """

    folder: Path
    planned: int
    skipped: int = 0
    finished: int = 0
    failed: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    executor: str = ""
    interrupted: bool = False

    @property
    def complete(self) -> bool:
        """True when every planned run is finished."""
        return self.skipped + self.finished == self.planned


@contextmanager
def sigterm_as_interrupt():
    """Treat SIGTERM like Ctrl-C, so the summary and manifest are finalised before exiting."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. a notebook's worker thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _check_memory(config: ExperimentConfig, parallel: int) -> None:
    """Refuse ``parallel`` local runs at once that together need more memory than there is."""
    from supportnet.resources import machine_memory

    total = machine_memory()
    if not isinstance(parallel, int) or not config.memory or total is None:
        return
    if config.memory * parallel > total:
        fit = max(1, total // config.memory)
        raise ConfigError(
            [
                f"{config.source or config.name}: {parallel} runs at once would need about "
                f"{config.memory * parallel / 1e9:.1f} GB of memory (the largest run needs about "
                f"{config.memory / 1e9:.1f} GB); this machine has {total / 1e9:.1f} GB: use "
                f"--workers {fit} or fewer"
            ]
        )


def run_sweep(
    config: ExperimentConfig,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    force: bool = False,
    progress: bool = True,
    command: Sequence[str] | None = None,
    echo: Callable[[str], None] | None = print,
    specs: list[RunSpec] | None = None,
    executor: Executor | None = None,
) -> SweepOutcome:
    """Run (or resume) the sweep of ``config`` into a results folder.

    Args:
        config: The validated experiment.
        out: Results folder (default ``results/<name>``).
        workers: Local worker processes (default: the machine's cores; 1 runs in this process).
        scheduler: Address of a Dask scheduler to run on instead.
        dask_local: Start a local Dask cluster with this many workers instead.
        force: Accept a folder holding another config's results (non-matching runs discarded).
        progress: Show the live progress bar.
        command: Command line recorded in the manifest (default: ``sys.argv``).
        echo: Where one-line messages go (None: nowhere).
        specs: The planned runs, if already computed.
        executor: An executor the caller has already entered, to run on instead of one made from
            ``workers``, ``scheduler`` and ``dask_local``. The sweep neither enters nor closes
            it, so a caller running many sweeps (a calibration's batches) starts its workers
            once.

    Returns:
        What happened.

    Raises:
        ConfigError: If the folder holds another experiment (without ``force``).
        ExecutorError: If the executor fails (a cluster unreachable, workers dying).
    """
    say = echo or (lambda _text: None)
    started = time.perf_counter()
    folder = Path(out) if out is not None else default_folder(config)
    specs = specs if specs is not None else plan_runs(config)
    # A caller's executor stays open after the sweep: it is the caller's to close.
    own = executor is None
    if executor is None:
        executor = make_executor(workers, scheduler, dask_local)
    _check_memory(config, dask_local or (1 if scheduler else getattr(executor, "workers", 1)))
    store = ResultStore(folder)
    session = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": list(command if command is not None else sys.argv),
        "cwd": os.getcwd(),
        "executor": executor.description,
    }
    with store.lock(session["command"]):
        return _run_locked(
            config, store, specs, executor, own, session, force, progress, say, started
        )


def _run_locked(config, store, specs, executor, own, session, force, progress, say, started):
    """The sweep itself, while this process holds the folder's lock.

    ``own``: the sweep opens and closes ``executor``; otherwise its caller has opened it and
    closes it.
    """
    from .provenance import provenance

    folder = store.folder
    resumed = store.open(
        config, force=force, session=session, provenance=provenance(), n_runs=len(specs)
    )
    rows = store.finished(specs, discard=force)
    todo = [s for s in specs if s.run_id not in rows]
    outcome = SweepOutcome(folder, len(specs), skipped=len(rows))
    if store.damaged:
        say(
            f"{len(store.damaged)} run files are damaged (unreadable, or their checksum does not "
            "match their content) and will be run again: "
            + ", ".join(store.damaged[:5])
            + (" ..." if len(store.damaged) > 5 else "")
        )
    if resumed and rows:
        say(
            f"Resuming {folder}: {len(rows)} of {len(specs)} runs already finished, "
            f"{len(todo)} to run"
        )
    spec_of = {s.run_id: s for s in specs}
    from . import runner

    expected_code = runner.MODEL_CODE
    try:
        with sigterm_as_interrupt():
            if todo:
                with (
                    executor if own else nullcontext(),
                    SweepProgress(len(specs), len(rows), config.name, progress) as bar,
                ):
                    outcome.executor = executor.description
                    for result in executor.results(todo):
                        if result.ok and result.model_code != expected_code:
                            result.ok = False
                            result.error = (
                                "ModelCodeChanged: this run was made with other model code "
                                f"({result.model_code}) than this sweep started with "
                                f"({expected_code}): the model was edited during the sweep, or "
                                "a worker runs another checkout. Run the same command again to "
                                "redo it"
                            )
                            result.traceback = "(checked by the sweep, not raised by the run)"
                        if result.ok:
                            rows[result.run_id] = store.write_run(result)
                            outcome.finished += 1
                        else:
                            store.write_failure(result, spec_of[result.run_id])
                            outcome.failed.append(result.run_id)
                        bar.advance(result.ok)
    except KeyboardInterrupt:
        outcome.interrupted = True
        raise
    finally:
        outcome.elapsed = time.perf_counter() - started
        _finish_session(store, specs, rows, outcome, executor)
    return outcome


def _finish_session(store, specs, rows, outcome, executor) -> None:
    """Rewrite the summary from the finished runs and record how the session ended.

    The summary is rewritten only when it would change (runs finished in this session, or it
    is missing or out of date), so a session that fails before running anything leaves a good
    summary as it was. While another error is already on its way out (a full disk, say), a
    failure here must not hide it: it is added to that error as a note instead.
    """
    failing = sys.exc_info()[1]
    try:
        ids = [s.run_id for s in specs if s.run_id in rows]
        if outcome.finished or store.summary_ids() != ids:
            store.write_summary(rows[i] for i in ids)
        store.update_session(
            ended=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            finished=outcome.finished,
            failed=len(outcome.failed),
            interrupted=outcome.interrupted,
            executor=outcome.executor or executor.description,
        )
    except (OSError, ValueError) as exc:
        if failing is None:
            raise
        failing.add_note(f"(the summary and manifest could not be updated either: {exc})")
