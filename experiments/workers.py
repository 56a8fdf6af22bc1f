"""Local worker processes that can die without taking the sweep with them.

:class:`WorkerPool` keeps ``n`` worker processes, each with a pipe of its own, and hands them one
run at a time. Unlike :class:`concurrent.futures.ProcessPoolExecutor`, whose whole pool breaks
when one worker dies (and which cannot say which run it was running or why it died), this pool
watches every worker's process sentinel: a worker that dies (killed by the kernel's OOM killer,
``kill -9``, a crash in a C extension) is reported with the run it was running and its exit
signal, and only that worker is replaced. The other workers go on with their runs.

Signals. Forked workers inherit the coordinator's signal handlers, including the sweep's
"SIGTERM means Ctrl-C" handler; a worker that turned SIGTERM into an exception could not be
stopped. So every worker resets SIGTERM to the default action (die) as it starts, and ignores
SIGINT: Ctrl-C in a terminal reaches the whole process group, and the coordinator alone decides
what happens (it stops the workers and finalises the results folder).
"""

from __future__ import annotations

import contextlib
import os
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["Death", "WorkerPool", "death_cause"]

#: Seconds a worker gets to exit after SIGTERM before it is killed.
_GRACE = 5.0


def _worker_main(conn: Connection, run: Callable[[Any], Any]) -> None:
    """Serve runs until told to stop: receive a spec, send back ``("done", result)``."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            spec = conn.recv()
        except (EOFError, OSError):  # the coordinator is gone
            return
        if spec is None:
            return
        try:
            result = run(spec)
        except Exception as exc:  # a replaced run function may raise; the run is failed
            result = ("raised", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        try:
            conn.send(("done", result))
        except (EOFError, OSError):
            return


def death_cause(exitcode: int | None) -> str:
    """Describe how a worker process ended, from its exit code, in words a user can act on.

    Examples:
        >>> print(death_cause(-9))
        worker killed (signal 9, SIGKILL): out of memory? The kernel's OOM killer sends SIGKILL
        >>> death_cause(3)
        'worker exited with status 3 while running it'
    """
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        text = f"worker killed (signal {-exitcode}, {name})"
        if -exitcode == signal.SIGKILL:
            text += ": out of memory? The kernel's OOM killer sends SIGKILL"
        return text
    return f"worker exited with status {exitcode} while running it"


@dataclass
class Death:
    """A worker that died: the run it was running (None when idle) and how it ended."""

    spec: Any
    pid: int
    exitcode: int | None

    @property
    def cause(self) -> str:
        """The cause in words (see :func:`death_cause`)."""
        return death_cause(self.exitcode)


class _Worker:
    def __init__(self, ctx, run):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, run), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.spec: Any = None

    def stop(self, grace: float) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(grace)
            if self.proc.is_alive():
                self.proc.kill()
        self.proc.join()
        self.conn.close()


class WorkerPool:
    """``n`` worker processes that run one spec at a time each.

    Args:
        n: Worker processes.
        run: The function run on each spec (must be importable by the workers).
        context: A :mod:`multiprocessing` context (how workers start).
        replacement_context: Returns the context for replacement workers (a fork from a process
            that has started threads is unsafe, so replacements may start another way).
    """

    def __init__(self, n: int, run, context, replacement_context: Callable[[], Any] | None = None):
        self.run = run
        self._replacement = replacement_context or (lambda: context)
        self.workers = [_Worker(context, run) for _ in range(n)]

    @property
    def any_ready(self) -> bool:
        """True once a worker has started and said so."""
        return any(w.ready for w in self.workers)

    def idle(self) -> list[_Worker]:
        """Workers that are ready and have no run."""
        return [w for w in self.workers if w.ready and w.spec is None]

    def busy(self) -> int:
        """Runs in the workers now."""
        return sum(w.spec is not None for w in self.workers)

    def submit(self, worker: _Worker, spec: Any) -> bool:
        """Give ``spec`` to an idle worker; False when its pipe is already broken (it died)."""
        try:
            worker.conn.send(spec)
        except (OSError, ValueError):
            return False
        worker.spec = spec
        return True

    def poll(self, timeout: float | None) -> tuple[list[tuple[Any, Any]], list[Death]]:
        """Wait up to ``timeout`` seconds for results or deaths.

        Returns:
            ``(spec, result)`` pairs of finished runs (``result`` is a ``("raised", error,
            traceback)`` tuple when the run function raised), and the workers that died, each
            already replaced by a new one.
        """
        by_conn = {w.conn: w for w in self.workers}
        by_sentinel = {w.proc.sentinel: w for w in self.workers}
        ready = wait([*by_conn, *by_sentinel], timeout)
        done: list[tuple[Any, Any]] = []
        dead: list[_Worker] = []
        for obj in ready:
            if obj in by_conn:
                self._drain(by_conn[obj], done, dead)
            elif by_sentinel[obj] not in dead:
                # Read what it sent before it died: a run it finished is not blamed on it.
                self._drain(by_sentinel[obj], done, dead)
                if by_sentinel[obj] not in dead:
                    dead.append(by_sentinel[obj])
        deaths = []
        for w in dead:
            w.proc.join(_GRACE)
            deaths.append(Death(w.spec, w.proc.pid, w.proc.exitcode))
            w.stop(_GRACE)
            self.workers[self.workers.index(w)] = _Worker(self._replacement(), self.run)
        return done, deaths

    @staticmethod
    def _drain(w: _Worker, done: list, dead: list) -> None:
        """Read every message ``w`` has sent; a closed pipe means it died."""
        try:
            while w.conn.poll():
                kind, payload = w.conn.recv()
                if kind == "ready":
                    w.ready = True
                else:
                    done.append((w.spec, payload))
                    w.spec = None
        except (EOFError, OSError):
            if w not in dead:
                dead.append(w)

    def close(self, graceful: bool) -> None:
        """Stop every worker: let idle ones exit (``graceful``), or terminate them at once."""
        for w in self.workers:
            if graceful and w.proc.is_alive():
                with contextlib.suppress(OSError, ValueError):  # it died meanwhile
                    w.conn.send(None)
        for w in self.workers:
            if graceful:
                w.proc.join(_GRACE)
            w.stop(_GRACE)
        self.workers = []
