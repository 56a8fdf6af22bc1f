"""Module-level functions that worker processes can import (they cannot see test monkeypatches)."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

from supportnet.experiments.runner import execute_run


def marker(spec) -> Path:
    """The file that records that run ``spec`` already killed a worker once."""
    return Path(tempfile.gettempdir()) / f"supportnet-test-died-{spec.digest}"


def die_once(spec):
    """Run ``spec``, except that the first worker to get run ``*-p001-r00`` dies (like an OOM kill)."""
    if spec.run_id.endswith("p001-r00") and not marker(spec).exists():
        marker(spec).write_text("died")
        os._exit(9)
    return execute_run(spec)


def attempts_file(spec) -> Path:
    """The file where :func:`always_die` counts its attempts at run ``spec`` (one x each)."""
    return Path(tempfile.gettempdir()) / f"supportnet-test-attempts-{spec.digest}"


def always_die(spec):
    """Kill the worker on run ``*-p001-r00`` with SIGKILL (like the OOM killer), every time."""
    if spec.run_id.endswith("p001-r00"):
        with attempts_file(spec).open("a") as f:
            f.write("x")
        os.kill(os.getpid(), signal.SIGKILL)
    return execute_run(spec)


def die_at_start(spec):
    """A worker that cannot run anything: it exits as soon as it is given a run."""
    os._exit(7)
