"""Writing tables safely: CSV or Parquet by extension, atomically (see :mod:`.files`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .files import atomic_path

if TYPE_CHECKING:  # the command line imports this module; pandas loads only with a table
    import pandas as pd

__all__ = ["TABLE_FORMATS", "check_table_path", "write_table"]

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def check_table_path(path: str | Path) -> Path:
    """Return ``path`` if its extension names a known table format, else raise ValueError."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_FORMATS:
        allowed = ", ".join(TABLE_FORMATS)
        raise ValueError(
            f"output file '{path}' has extension {path.suffix or '(none)'!r}; allowed: {allowed}"
        )
    if path.exists() and path.is_dir():
        raise ValueError(
            f"output path '{path}' is a folder; give a file name ending in .csv or .parquet"
        )  # noqa: E501
    _check_writable_folder(path)
    return path


def _check_writable_folder(path: Path) -> None:
    """Raise ValueError now if ``path`` could not be written later (so no run's work is lost).

    Its folder must be a folder (or creatable: its nearest existing ancestor a folder) that this
    process may write into.
    """
    folder = path.parent if str(path.parent) else Path(".")
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValueError(
            f"output file '{path}' cannot be written: '{ancestor}' is a file, not a folder"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(
            f"output file '{path}' cannot be written: the folder '{ancestor}' is not writable"
        )


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` (CSV or Parquet by extension), atomically.

    The table is written to a temporary file in the same folder, flushed to disk and renamed over
    ``path`` with a new file's usual permissions, so a reader never sees a half-written file and
    an interrupted write leaves any old file intact.
    """
    path = check_table_path(path)
    with atomic_path(path) as tmp:
        if TABLE_FORMATS[path.suffix.lower()] == "csv":
            df.to_csv(tmp)
        else:
            df.to_parquet(tmp)
    return path
