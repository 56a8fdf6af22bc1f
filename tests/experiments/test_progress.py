"""The live progress bar counts done and failed runs and shows an ETA."""

from __future__ import annotations

import io

from rich.console import Console

from supportnet.experiments.progress import SweepProgress


def test_progress_counts_done_and_failed():
    out = io.StringIO()
    bar = SweepProgress(total=5, done=2, title="demo", console=Console(file=out, width=120))
    with bar:
        bar.advance(True)
        bar.advance(False)
    assert (bar.completed, bar.total, bar.failed) == (4, 5, 1)
    text = out.getvalue()
    assert "demo" in text and "4/5" in text and "1 failed" in text and "ETA" in text


def test_disabled_progress_still_counts():
    bar = SweepProgress(total=3, enabled=False)
    with bar:
        bar.advance(False)
    assert (bar.completed, bar.failed) == (1, 1)
