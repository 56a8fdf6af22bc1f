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
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from .runner import RunResult, execute_run

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
    """Runs on ``workers`` local processes.

    The workers are started when the executor is entered (see :func:`_context` for how), before
    the progress bar starts its thread, so a plain fork is possible from the command line.

    A worker that dies (killed, out of memory) breaks the pool; the runs not yet finished are
    then resubmitted to a new pool, up to ``restarts`` times.

    Warm start: workers that do not come from a fork of this process need a few seconds to import
    the model, while this process
    (which has already imported it) would only wait. So until a worker has finished its first run,
    this process runs runs itself, taken from the end of the queue (those no worker has picked
    up), at most one run in ``workers + 1``. Runs are pure functions of their specs, so where a
    run executes does not change its result. Only the real run function is run here, never a
    replacement (tests pass ones that might stop this process).

    Args:
        workers: Worker processes.
        restarts: New pools to start after workers died, before giving up.
        run: The function run on each spec (importable at module level; tests replace it).

    Attributes:
        start_method: ``fork``, ``forkserver`` or ``spawn``; None (the default) chooses.
    """

    start_method: str | None = None

    def __init__(self, workers: int, restarts: int = 3, run=execute_run):
        self.run = run
        self.warm_start = run is execute_run
        self.workers = workers
        self.restarts = restarts
        self.description = f"{workers} local processes"
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        # Workers inherit these variables (a forked worker keeps this process's BLAS threads).
        self._threads = _single_threaded_children()
        self._threads.__enter__()
        self._pool = self._new_pool(fork_ok=threading.active_count() == 1)
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._threads.__exit__(None, None, None)
        return False

    def _new_pool(self, fork_ok: bool = False) -> ProcessPoolExecutor:
        ctx = _context(self.start_method, fork_ok)
        pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
        self._forked = ctx.get_start_method() == "fork"
        self.description = f"{self.workers} local processes ({ctx.get_start_method()})"
        if self._forked:
            pool.submit(int).result()  # fork every worker now, while this process has one thread
        return pool

    def results(self, specs: Sequence[Any]) -> Iterator[RunResult]:
        """Yield the result of each run as it finishes."""
        pending = {s.run_id: s for s in specs}
        breaks = 0
        while pending:
            if self._pool is None:
                self._pool = self._new_pool()
            futures = {self._pool.submit(self.run, s): s for s in pending.values()}
            broken = False
            not_done = set(futures)
            if self.warm_start and not self._forked:
                for fut in self._local_candidates(futures):
                    not_done.discard(fut)
                    result = self.run(futures[fut])
                    del pending[futures[fut].run_id]
                    yield result
            while not_done:
                done, not_done = wait(not_done, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    del pending[futures[fut].run_id]
                    yield result
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            if broken:
                breaks += 1
                if breaks > self.restarts:
                    raise ExecutorError(
                        f"worker processes died {breaks} times (killed, or out of memory?); "
                        f"{len(pending)} runs are left. Finished runs are kept: run the same "
                        "command again to resume, with fewer --workers if memory is short"
                    )

    def _local_candidates(self, futures) -> Iterator[Any]:
        """Yield queued futures (cancelled, so no worker takes them) until a worker finishes one."""
        worker_done = threading.Event()

        def mark(fut):
            if not fut.cancelled():
                worker_done.set()

        for fut in futures:
            fut.add_done_callback(mark)
        budget = len(futures) // (self.workers + 1)
        for fut in reversed(list(futures)):
            if budget <= 0 or worker_done.is_set():
                return
            if fut.cancel():  # still queued: now it is ours
                budget -= 1
                yield fut


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
                        n_workers=self.local_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                self._client = Client(self._cluster)
        except OSError as exc:
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
