"""Synthetic targets: facts whose bands come from simulations at known parameter values.

A calibration can only be trusted if it finds parameters it is given the answer to. Here the
"data" are the model's own: the fitted facts are simulated at ``truth`` over several seeds, and
each check's band becomes the mean across seeds plus or minus ``width`` standard deviations of a
single seed's estimate (the noise one evaluation of the calibration has). Written as a facts file
that a calibration config names in ``facts_file``, so the recovery run is an ordinary calibration.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..facts.declare import Fact
from ..facts.plan import Overrides, plan_battery
from .config import CalibrationConfig

__all__ = ["synthetic_bands", "synthetic_facts_toml"]


def synthetic_bands(
    config: CalibrationConfig, truth: Mapping[str, float], seeds: int, seed: int, width: float
) -> dict[tuple[str, str], tuple[float, float, float]]:
    """Simulate the fitted facts at ``truth``; return (fact, check label) -> (low, mean, high)."""
    from ..facts.judge import judge_check

    settings = {k: replace(s, seeds=seeds) for k, s in config.battery.settings.items()}
    battery = replace(config.battery, seed=seed, settings=settings)
    runs, arm_of = plan_battery(battery, Overrides(set={**config.town, **truth}))
    rows = pd.DataFrame([r.execute()[0] for r in runs])
    out = {}
    for fact in config.fitted_facts():
        sub = rows[rows["setting"] == fact.setting]
        for check in fact.checks:
            per_seed = [
                judge_check(check, fact, sub[sub["replication"] == r], arm_of, seed).mean
                for r in range(seeds)
            ]
            x = np.array([v for v in per_seed if math.isfinite(v)])
            if len(x) < 2:
                raise ValueError(f"{fact.id}: {check.label}: fewer than 2 seeds gave an estimate")
            mean, sd = float(x.mean()), float(x.std(ddof=1))
            half = width * max(sd, 1e-3 * max(abs(mean), 1e-3))
            out[(fact.id, check.label)] = (mean - half, mean, mean + half)
    return out


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _fact_toml(fact: Fact, bands) -> list[str]:
    if any(a.set or a.scale or a.trials for a in fact.arms) or fact.requires:
        raise ValueError(f"{fact.id}: synthetic targets support facts with one plain arm only")
    lines = ["[[facts]]"]
    for key in ("id", "title", "claim", "source", "why", "method", "setting", "measure"):
        lines.append(f"{key} = {_toml(getattr(fact, key))}")
    lines.append("checks = [")
    for c in fact.checks:
        lo, mean, hi = bands[(fact.id, c.label)]
        what = f"ratio = {_toml(list(c.ratio))}" if c.ratio else f"stat = {_toml(c.stat)}"
        lines.append(
            f"    {{ {what}, label = {_toml(c.label)}, band = [{lo!r}, {hi!r}], "
            f"published = {mean!r} }},"
        )
    lines.append("]")
    return lines


def synthetic_facts_toml(
    config: CalibrationConfig, truth: Mapping[str, float], seeds: int = 6, seed: int = 1,
    width: float = 1.0,
) -> str:  # fmt: skip
    """A facts file with the fitted facts of ``config``, their bands simulated at ``truth``.

    Args:
        config: The calibration whose fitted facts, town and run length are used.
        truth: The known parameter values.
        seeds: Simulations at ``truth`` (the band's centre is their mean).
        seed: The battery seed of those simulations (keep it apart from the calibration's).
        width: Half-width of each band in standard deviations of one seed's estimate.
    """
    bands = synthetic_bands(config, truth, seeds, seed, width)
    lines = [
        f"# Synthetic targets: the facts simulated at {dict(truth)} over {seeds} seeds, bands of",
        f"# +/- {width} SD of one seed's estimate (supportnet.experiments.calibrate.synthetic).",
        f"seed = {seed}",
        "",
    ]
    for name, s in config.battery.settings.items():
        lines += [
            f"[settings.{name}]",
            f"label = {_toml(s.label)}",
            f"burn_in = {s.burn_in}",
            f"measure_steps = {s.measure_steps}",
            f"seeds = {s.seeds}",
            f"every = {s.every}",
            f"contact_window = {s.contact_window}",
            "",
        ]
    for fact in config.fitted_facts():
        lines += [*_fact_toml(fact, bands), ""]
    return "\n".join(lines)
