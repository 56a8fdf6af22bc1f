"""Claiming an output folder for one config: refuse a folder written for another, or for nothing.

A sweep's results folder and a calibration's folder each hold a record file (``manifest.json``,
``calibration.json``) naming the config that wrote them: its canonical form and hash. Running a
config into a folder is a resume when the hashes agree. When they differ, the folder holds
another config's work and is refused unless ``--force`` is given, with a message naming the
folder, the fields that differ and what to do; a folder with other files and no record is
refused always, so nothing of the user's is overwritten.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError

__all__ = ["FolderKind", "claim_folder", "config_differences", "read_record"]

#: How many differing fields a message names before it says how many more there are.
_MAX_NAMED = 4


@dataclass(frozen=True)
class FolderKind:
    """What one kind of output folder records, and what its messages say.

    Attributes:
        record: The record file's name in the folder (``manifest.json``).
        title: The folder's kind in messages ("results": "not a SupportNet results folder").
        other: What a folder written for another config holds ("results of a different config").
        name_key: The record's key for the config's name, shown as ``<name_key> '<name>'``.
        source_key: The record's key for the config's source (a file path).
        force_does: What ``--force`` does to such a folder ("replace them (...)").
        ignore: Files that do not make a folder without a record non-empty (a lock file).
    """

    record: str
    title: str
    other: str
    name_key: str
    source_key: str
    force_does: str
    ignore: Collection[str] = ()


def read_record(path: Path) -> dict[str, Any]:
    """Return a record file's content.

    Raises:
        ConfigError: If it cannot be read or is not JSON.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError([f"{path}: cannot be read: {exc}"]) from None


def config_differences(old: Any, new: Any, where: str = "") -> list[tuple[str, Any, Any]]:
    """Return (field, old value, new value) for each place two canonical configs differ.

    Fields are dotted paths into the configs' plain data, list items by index; a list whose
    length changed is one difference, as is a key only one side has (its value there is None).
    NaN equals NaN here (unlike in Python), as configs use it for numbers not given.

    Example:
        >>> config_differences({"seed": 1, "run": {"steps": 5}}, {"seed": 2, "run": {"steps": 5}})
        [('seed', 1, 2)]
    """
    if isinstance(old, dict) and isinstance(new, dict):
        pairs = [(key, old.get(key), new.get(key)) for key in sorted(set(old) | set(new), key=str)]
        prefix = f"{where}." if where else ""
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        pairs = [(f"[{i}]", a, b) for i, (a, b) in enumerate(zip(old, new, strict=True))]
        prefix = where
    else:
        return [] if _same(old, new) else [(where or "(the whole config)", old, new)]
    return [d for key, a, b in pairs for d in config_differences(a, b, f"{prefix}{key}")]


def _same(a: Any, b: Any) -> bool:
    # NaN marks an unset number in configs (a published value not given): the same in both.
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return both_nan or a == b


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _differences_text(old_config: Any, config) -> str:
    """Name the fields in which ``config`` differs from the one recorded (if the record has it)."""
    if old_config is None:  # a record written before configs were stored in it
        return ""
    # The record holds the canonical config as JSON; compare with this config's in the same form.
    now = json.loads(json.dumps(config.canonical(), default=str))
    diffs = config_differences(old_config, now)
    if not diffs:
        return ""
    named = ", ".join(
        f"{field} ({_short(a)} in the folder, {_short(b)} in this config)"
        for field, a, b in diffs[:_MAX_NAMED]
    )
    more = f" and {len(diffs) - _MAX_NAMED} more" if len(diffs) > _MAX_NAMED else ""
    return f"; they differ in {named}{more}"


def claim_folder(
    folder: Path, kind: FolderKind, config, force: bool
) -> tuple[dict[str, Any] | None, bool]:
    """Check that ``folder`` may take ``config``'s output.

    Args:
        folder: The output folder (need not exist).
        kind: What the folder's record file is and how messages name the folder.
        config: The config to run (has ``hash()`` and ``canonical()``).
        force: Accept a folder written for another config; the caller decides what of it to keep.

    Returns:
        The folder's record (None when the folder is new or empty), and whether it was written
        for this config (a resume).

    Raises:
        ConfigError: If the folder holds another config's work and ``force`` is false (naming
            the fields that differ), or files and no record.
    """
    path = folder / kind.record
    if path.is_file():
        old = read_record(path)
        same = old.get("config_hash") == config.hash()
        if not same and not force:
            raise ConfigError(
                [
                    f"{folder}: holds {kind.other} ({kind.name_key} '{old.get(kind.name_key)}', "
                    f"config hash {old.get('config_hash')}, from "
                    f"{old.get(kind.source_key) or 'a dict'}); this config's hash is "
                    f"{config.hash()}{_differences_text(old.get('config'), config)}. Use another "
                    f"--out folder, or --force to {kind.force_does}"
                ]
            )
        return old, same
    if folder.exists() and any(p.name not in kind.ignore for p in folder.iterdir()):
        raise ConfigError(
            [
                f"{folder}: exists and is not a SupportNet {kind.title} folder (no {kind.record}); "
                "give an empty or new folder with --out"
            ]
        )
    return None, False
