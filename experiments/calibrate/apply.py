"""``supportnet calibrate --apply``: the posterior's best point as the preset ``calibrated``.

The preset holds the posterior median of each free parameter (the median, not the particle of
highest weight: with a few hundred particles the median is the steadier point estimate, and it is
what the report prints). The town the calibration ran on (``[town]``) is not part of it: the
preset changes only what was fitted. Its provenance says where it came from: the config and its
hash, the git commit, the date, the results folder, the last generation's threshold.

It is written to ``data/presets/calibrated.toml`` beside :mod:`supportnet.params`, which reads
every preset stored there (:data:`supportnet.params.PRESET_DIR`): in a checkout, a file to commit.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..files import atomic_path
from .config import CalibrationConfig
from .output import parameter_summary

__all__ = ["PRESET_NAME", "apply_preset", "preset_text"]

#: Name of the preset ``--apply`` writes.
PRESET_NAME = "calibrated"


def _toml(value) -> str:
    """A TOML literal for a bool, number or text (texts are never cut, unlike in messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    return repr(value)


def preset_text(config: CalibrationConfig, outcome) -> str:
    """The preset file's TOML text for a finished calibration."""
    from ..provenance import git_state

    summary = parameter_summary(config, outcome.posterior.particles)
    git = git_state()
    last = outcome.posterior.meta
    story = (
        f"The posterior median of the calibration '{config.name}' ({config.title}): "
        f"{len(config.names)} parameters fitted by ABC-SMC to the facts "
        f"{', '.join(config.fitted)}, with {', '.join(config.held_out) or 'none'} held out. "
        "Everything else is the model's defaults. docs/calibration.md explains how it was made."
    )
    lines = [
        "# Written by `supportnet calibrate --apply`; regenerate it rather than editing it.",
        f'title = "Calibrated ({config.name})"',
        f"story = {_toml(story)}",
        "",
        "[values]",
    ]
    for _, r in summary.iterrows():
        lines.append(f"{r['parameter']} = {float(f'{r["median"]:.6g}')!r}")
    eps = last.get("epsilon")
    prov = {
        "config": config.source,
        "config_name": config.name,
        "config_hash": config.hash(),
        "commit": git.get("commit") or "",
        "uncommitted_changes": bool(git.get("dirty")),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "folder": str(outcome.folder),
        "statistic": "posterior median",
        "generations": len(outcome.generations),
        "final_epsilon": float(eps) if eps is not None else -1.0,
        "stopped": outcome.stopped,
    }
    lines += ["", "[provenance]"] + [f"{k} = {_toml(v)}" for k, v in prov.items()]
    return "\n".join(lines) + "\n"


def apply_preset(config: CalibrationConfig, outcome, folder: Path | None = None) -> Path:
    """Write the preset file (to :data:`supportnet.params.PRESET_DIR` unless ``folder``)."""
    from supportnet.params import PRESET_DIR, make_params

    text = preset_text(config, outcome)
    import tomllib

    make_params(tomllib.loads(text)["values"])  # a value the model refuses is never written
    path = (folder or PRESET_DIR) / f"{PRESET_NAME}.toml"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
