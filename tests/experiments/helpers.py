"""Module-level functions that worker processes can import (they cannot see test monkeypatches)."""

from __future__ import annotations

import os
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


def always_die(spec):
    """Kill the worker on run ``*-p001-r00``, every time."""
    if spec.run_id.endswith("p001-r00"):
        os._exit(9)
    return execute_run(spec)
