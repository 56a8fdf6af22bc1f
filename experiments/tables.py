"""Writing tables safely: CSV or Parquet by extension, atomically (see :mod:`.files`)."""

from __future__ import annotations

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
    return path


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
