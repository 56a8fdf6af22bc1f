"""Executors: where runs execute. This process, local worker processes, or a Dask cluster.

Each executor takes run specs and yields :class:`~supportnet.experiments.runner.RunResult` objects
as runs finish, in whatever order. Only the coordinating process writes files, so workers (possibly
on other machines) need no shared disk, and results are identical whichever executor ran them: the
run function is the same pure function of its spec everywhere.

Local processes are started with the "spawn" method from a private context (never by changing
the process-wide start method, as ``mesa.batch_run`` does), so they work the same on every OS
and alongside threads (the progress bar).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .runner import RunResult, execute_run
from .workers import WorkerPool

__all__ = [
    "DaskExecutor",
    "ExecutorError",
    "InProcessExecutor",
    "ProcessExecutor",
    "make_executor",
]

#: Thread-pool variables set to 1 in worker processes: one worker per core, no oversubscription.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ExecutorError(RuntimeError):
    """The executor itself failed (a cluster unreachable, workers dying); the message says what."""


class InProcessExecutor:
    """Runs every run in this process, one after another (``--workers 1``)."""

    description = "this process"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def results(self, specs: Sequence[Any]) -> Iterator[RunResult]:
        """Yield the result of each run as it finishes."""
        for spec in specs:
            yield execute_run(spec)


@contextmanager
def _single_threaded_children():
    """Let child processes start with one BLAS/OpenMP thread each (set before they import numpy)."""
    old = {k: os.environ.get(k) for k in _THREAD_VARS}
    for k in _THREAD_VARS:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _context(method: str | None, fork_ok: bool):
    """Return the multiprocessing context to start workers with.

    By default: ``fork`` on Linux when this process has a single thread (the workers start at
    once, with the model already imported, and forking a single-threaded process is safe);
    otherwise a fork server, which imports the model once and forks each worker from that fresh,
    single-threaded process; ``spawn`` where neither exists (Windows).
    """
    available = multiprocessing.get_all_start_methods()
    if method is None:
        if fork_ok and sys.platform == "linux" and "fork" in available:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in available else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["supportnet.experiments.runner", "supportnet"])
    return ctx


class ProcessExecutor:
    """Runs on ``workers`` local processes (see :class:`~.workers.WorkerPool`).

    The workers are started when the executor is entered (see :func:`_context` for how), before
    the progress bar starts its thread, so a plain fork is possible from the command line.

    A worker that dies (killed, out of memory) is replaced at once and the others go on. The run
    it was running is tried again up to ``attempts`` times in all; after that it comes back as a
    failed run whose error gives the cause (``WorkerDied: worker killed (signal 9, SIGKILL): out
    of memory? ...``), so a run that kills its worker every time cannot stop the sweep. Workers
    that die while running nothing (at start-up) are replaced up to ``restarts`` times per
    worker; after that the executor gives up with :class:`ExecutorError`.

    Warm start: workers that do not come from a fork of this process need a few seconds to import
    the model, while this process (which has already imported it) would only wait. So until a
    worker has said it is ready, this process runs runs itself, taken from the end of the queue,
    at most one run in ``workers + 1``. Runs are pure functions of their specs, so where a run
    executes does not change its result. Only the real run function is run here, never a
    replacement (tests pass ones that might stop this process).

    Args:
        workers: Worker processes.
        restarts: Replacements per worker for workers that die while running nothing.
        run: The function run on each spec (importable at module level; tests replace it).
        attempts: Times a run whose worker died is tried before it is recorded as failed.

    Attributes:
        start_method: ``fork``, ``forkserver`` or ``spawn``; None (the default) chooses.
    """

    start_method: str | None = None

    def __init__(self, workers: int, restarts: int = 3, run=execute_run, attempts: int = 1):
        self.run = run
        self.warm_start = run is execute_run
        self.workers = workers
        self.restarts = restarts
        self.attempts = attempts
        self.description = f"{workers} local processes"
        self._pool: WorkerPool | None = None

    def __enter__(self):
        # Workers inherit these variables (a forked worker keeps this process's BLAS threads).
        self._threads = _single_threaded_children()
        self._threads.__enter__()
        ctx = _context(self.start_method, fork_ok=threading.active_count() == 1)
        self._forked = ctx.get_start_method() == "fork"
        self.description = f"{self.workers} local processes ({ctx.get_start_method()})"
        # Replacements start after the progress bar's thread exists: never by a plain fork.
        self._pool = WorkerPool(
            self.workers,
            self.run,
            ctx,
            replacement_context=lambda: _context(self.start_method, fork_ok=False),
        )
        return self

    def __exit__(self, exc_type, *exc):
        if self._pool is not None:
            # After an error or Ctrl-C the workers are stopped at once, not after their runs.
            self._pool.close(graceful=exc_type is None)
            self._pool = None
        self._threads.__exit__(None, None, None)
        return False

    def results(self, specs: Sequence[Any]) -> Iterator[RunResult]:
        """Yield the result of each run as it finishes (a run whose worker died: failed)."""
        pool = self._pool
        queue = deque(specs)
        tries: dict[str, int] = {}
        idle_deaths = 0
        local_budget = len(queue) // (self.workers + 1) if self.warm_start else 0
        while queue or pool.busy():
            for worker in pool.idle():
                if not queue:
                    break
                spec = queue.popleft()
                if not pool.submit(worker, spec):
                    queue.appendleft(spec)  # it died before taking it; seen at the next poll
            warming = local_budget > 0 and queue and not self._forked and not pool.any_ready
            done, deaths = pool.poll(0 if warming else None)
            for spec, result in done:
                yield _as_result(spec, result)
            for death in deaths:
                if death.spec is None:
                    idle_deaths += 1
                    if idle_deaths > self.restarts * self.workers:
                        raise ExecutorError(
                            f"worker processes died {idle_deaths} times before running "
                            f"anything ({death.cause}); {len(queue) + pool.busy()} runs are "
                            "left. Finished runs are kept: run the same command again to "
                            "resume, with fewer --workers if memory is short"
                        )
                    continue
                run_id = death.spec.run_id
                tries[run_id] = tries.get(run_id, 0) + 1
                if tries[run_id] < self.attempts:
                    queue.appendleft(death.spec)
                    continue
                yield _failed(
                    death.spec,
                    f"WorkerDied: {death.cause} (worker {death.pid}, "
                    f"{tries[run_id]} attempt{'s' if tries[run_id] > 1 else ''}). Run the "
                    "same command again to redo it, with fewer --workers if memory is short",
                    "(the worker process died; no Python traceback exists)",
                )
            if warming and not done and not deaths:
                local_budget -= 1
                yield self.run(queue.pop())


def _as_result(spec, result) -> RunResult:
    """Return a worker's answer as a RunResult (a run function that raised: a failed run)."""
    if isinstance(result, tuple) and result and result[0] == "raised":
        return _failed(spec, result[1], result[2])
    return result


def _failed(spec, error: str, trace: str) -> RunResult:
    return RunResult(spec.run_id, spec.digest, ok=False, error=error, traceback=trace)


class DaskExecutor:
    """Runs on a Dask distributed cluster: an existing one (``address``) or a local one.

    Args:
        address: Scheduler address, e.g. ``tcp://10.0.0.5:8786``.
        local_workers: Start a ``LocalCluster`` with this many single-threaded worker processes.
        timeout: Seconds to wait for the scheduler.

    Dask reschedules the runs of a worker that is lost; a run that keeps killing workers comes
    back as a failed run (``KilledWorker``) and the sweep goes on.
    """

    def __init__(
        self, address: str | None = None, local_workers: int | None = None, timeout: float = 20
    ):
        self.address = address
        self.timeout = timeout
        self.local_workers = local_workers
        self.description = (
            f"Dask cluster at {address}"
            if address
            else f"local Dask cluster ({local_workers} workers)"
        )
        self._client = None
        self._cluster = None

    def __enter__(self):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise ExecutorError(f"Dask is not installed: {exc}") from None
        try:
            if self.address:
                self._client = Client(self.address, timeout=f"{self.timeout}s")
            else:
                with _single_threaded_children():
                    self._cluster = LocalCluster(
                        host="127.0.0.1",  # this machine only: Dask has no authentication
                        n_workers=self.local_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                self._client = Client(self._cluster)
        except (OSError, ValueError, TypeError) as exc:  # unreachable, or not an address
            self.__exit__()
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {self.address}: {exc}"
            ) from None  # noqa: E501
        self._check_workers()
        return self

    def _check_workers(self) -> None:
        from . import runner
        from .provenance import versions, worker_info

        mine = (versions().get("supportnet"), runner.MODEL_CODE)
        info = self._client.run(worker_info)
        if not info:
            raise ExecutorError(f"the Dask cluster at {self.address} has no workers")
        for worker, w in info.items():
            theirs = (w["versions"].get("supportnet"), w["model_code"])
            if theirs != mine:
                raise ExecutorError(
                    f"Dask worker {worker} runs another version of the model (supportnet "
                    f"{theirs[0]}, model code {theirs[1]}; here {mine[0]}, {mine[1]}); install "
                    "the same checkout on every worker"
                )
        self.description += f", {len(info)} workers"

    def __exit__(self, *exc):
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        return False

    def results(self, specs: Sequence[Any]) -> Iterator[RunResult]:
        """Yield the result of each run as it finishes."""
        from dask.distributed import as_completed

        futures = [
            self._client.submit(
                execute_run, spec, key=f"supportnet-{spec.run_id}-{spec.digest}", pure=False
            )
            for spec in specs
        ]
        spec_of = {f.key: s for f, s in zip(futures, specs, strict=True)}
        try:
            for fut in as_completed(futures):
                spec = spec_of[fut.key]
                try:
                    result = fut.result()
                except Exception as exc:  # KilledWorker and the like: recorded as a failed run
                    result = RunResult(
                        spec.run_id,
                        spec.digest,
                        ok=False,
                        error=f"{type(exc).__name__}: {exc}",
                        traceback="(raised by the Dask cluster, not by the run)",
                    )
                fut.release()
                yield result
        finally:
            self._client.cancel([f for f in futures if not f.done()])


def make_executor(
    workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None
):
    """Return the executor for the CLI's options (see ``supportnet sweep --help``)."""
    if scheduler:
        return DaskExecutor(address=scheduler)
    if dask_local:
        return DaskExecutor(local_workers=dask_local)
    n = workers or os.cpu_count() or 1
    return InProcessExecutor() if n == 1 else ProcessExecutor(n)
