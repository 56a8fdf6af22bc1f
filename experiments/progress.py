"""The live progress bar of a sweep: runs done, failed, elapsed time and time remaining (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["SweepProgress"]


class SweepProgress:
    """A progress bar on stderr (or nothing, when ``enabled`` is False).

    Args:
        total: Runs in the sweep.
        done: Runs already finished before this session (resumed sweeps start there).
        title: Text before the bar.
        enabled: Show the bar.
        console: Where to draw it (default: stderr).
    """

    def __init__(
        self,
        total: int,
        done: int = 0,
        title: str = "runs",
        enabled: bool = True,
        console: Console | None = None,
    ):
        self.failed = 0
        self.completed = done
        self.total = total
        self.enabled = enabled
        self._progress = None
        if enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("done, [red]{task.fields[failed]} failed"),
                TextColumn("elapsed"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console or Console(stderr=True),
                transient=False,
            )
            self._task = self._progress.add_task(title, total=total, completed=done, failed=0)

    def __enter__(self):
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False

    def advance(self, ok: bool) -> None:
        """Count one finished (``ok``) or failed run."""
        self.completed += 1
        if not ok:
            self.failed += 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1, failed=self.failed)
