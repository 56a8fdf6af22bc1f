"""Writing files safely: atomically, flushed to disk, with a new file's usual permissions.

Every file SupportNet's command line writes (run tables, results folders, reports, the
dashboard's asset marker) goes through :func:`atomic_path`: the content is written to a temporary
file beside the target, flushed to disk (``fsync``), given the permissions any new file gets
under the current umask (``tempfile.mkstemp`` alone would leave it readable by its owner only)
and renamed over the target, and the folder's entry is flushed too. A reader never sees half a
file, and an interrupted write leaves any old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = ["atomic_path", "file_mode", "write_text"]


def file_mode() -> int:
    """Return the mode a new file gets under the process's umask (e.g. 0o644 under umask 022)."""
    return _MODE


def _mode_from_umask() -> int:
    # Reading the umask means setting it for a moment: done once, at import, not while other
    # threads (a dashboard server, Dask workers) may be creating files.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _mode_from_umask()


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; folders cannot be opened for this on some systems.
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, it becomes ``path``.

    Write the content to the yielded path (any writer: ``to_parquet``, ``savefig`` with an
    explicit format, ``open``). If the block raises, the temporary file is removed and ``path``
    is untouched.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> with atomic_path(target) as tmp:
        ...     _ = tmp.write_text("done")
        >>> target.read_text(), oct(target.stat().st_mode & 0o777) == oct(file_mode())
        ('done', True)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, _MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)
