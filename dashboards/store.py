"""Where the server keeps each browser's run file, so that a reload restores the run.

Each browser has Solara's session cookie; the server writes that browser's run file
(:mod:`supportnet.dashboards.runfile`) to ``DIR/<cookie>.json`` whenever the run changes (at most
every :data:`SAVE_EVERY` seconds while playing). A page opened again in the same browser, on any
of the server's processes and even after the server restarted, reads it and re-runs the model to
the saved step. The files are small (a few kB); those not touched for :data:`KEEP_DAYS` days are
removed when a server process starts.

``DIR`` is ``SUPPORTNET_STATE_DIR`` (``supportnet dashboard --state DIR`` sets it), else
``$XDG_CACHE_HOME/supportnet/dashboard`` (``~/.cache/...``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["KEEP_DAYS", "SAVE_EVERY", "STATE_ENV", "RunStore", "state_dir"]

STATE_ENV = "SUPPORTNET_STATE_DIR"
#: Run files untouched this long are removed.
KEEP_DAYS = 7
#: While playing, a session's run file is written at most this often (seconds).
SAVE_EVERY = 2.0
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def state_dir() -> Path:
    """Return the folder of run files for this server."""
    given = os.environ.get(STATE_ENV)
    if given:
        return Path(given)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "supportnet" / "dashboard"


class RunStore:
    """Run files by browser session.

    Args:
        folder: Where they are kept (created when needed).
    """

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else state_dir()
        self._pruned = False

    def _path(self, key: str) -> Path | None:
        key = _SAFE.sub("", key or "")[:80]
        return self.folder / f"{key}.json" if key else None

    @property
    def uploads(self) -> Path:
        """Folder of uploaded network files."""
        return self.folder / "uploads"

    def load(self, key: str) -> dict[str, Any] | None:
        """Return the run file saved for ``key``, or None (none, or unreadable)."""
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(self, key: str, data: dict[str, Any]) -> None:
        """Write ``key``'s run file (atomically: a reader never sees half a file)."""
        path = self._path(key)
        if path is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._prune()
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)

    def forget(self, key: str) -> None:
        """Remove ``key``'s run file."""
        path = self._path(key)
        if path is not None:
            path.unlink(missing_ok=True)

    def _prune(self) -> None:
        if self._pruned:
            return
        self._pruned = True
        old = time.time() - KEEP_DAYS * 86400
        for path in self.folder.glob("*.json"):
            try:
                if path.stat().st_mtime < old:
                    path.unlink()
            except OSError:
                pass
