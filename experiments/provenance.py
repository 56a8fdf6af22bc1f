"""Provenance: versions, git commit and a digest of the model's code, for manifests and workers.

A Dask worker runs :func:`worker_info` before a sweep starts on it, so a cluster with another
version of the model is refused instead of quietly mixing results.
"""

from __future__ import annotations

import hashlib
import os
import platform
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "git_state", "model_code_digest", "provenance", "worker_info"]

#: Packages whose versions every manifest records.
PACKAGES = (
    "supportnet",
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "networkx",
    "pyarrow",
    "SALib",
    "dask",
    "distributed",
    "matplotlib",
)

_ROOT = Path(__file__).resolve().parent.parent


def versions() -> dict[str, str | None]:
    """Return the installed versions of :data:`PACKAGES` (None when one is missing)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def model_code_digest() -> str:
    """Return a digest of the model's source files (changes whenever the model's code does)."""
    import supportnet

    root = Path(supportnet.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def git_state(root: Path = _ROOT) -> dict[str, Any]:
    """Return the git commit of the project's checkout and whether it has uncommitted changes.

    Both are None when the project is not a git checkout or git is missing.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain") if commit else None
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def provenance() -> dict[str, Any]:
    """Return what a manifest records about the software and machine that ran a sweep."""
    return {
        "versions": versions(),
        "model_code": _loaded_model_code(),
        "git": git_state(),
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "executable": sys.executable,
    }


def worker_info() -> dict[str, Any]:
    """Return the versions and model-code digest of the process it runs in (for Dask workers)."""
    return {
        "versions": versions(),
        "model_code": _loaded_model_code(),
        "host": socket.gethostname(),
    }


def _loaded_model_code() -> str:
    """The digest of the model code this process loaded (see ``runner.MODEL_CODE``)."""
    from . import runner

    return runner.MODEL_CODE
