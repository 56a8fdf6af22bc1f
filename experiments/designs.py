"""Designs: the design points of an experiment (grid, Latin hypercube, Sobol, Morris).

A design point is a dict ``factor key -> value``. Grids are full factorial, in the order the
factors are declared (the last one varies fastest). Sampled designs go through SALib and are
seeded from the experiment seed, so the same config always gives the same points; sampled values
of whole-number parameters are rounded.

Sources:
    McKay, Beckman & Conover (1979), Latin hypercube sampling.
    Saltelli et al. (2010), variance-based sensitivity analysis (Sobol indices).
    Morris (1991); Campolongo, Cariboni & Saltelli (2007), elementary effects (mu*).
    Herman & Usher (2017), SALib.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a grid needs no numpy: `supportnet validate` of a grid stays light
    import numpy as np

__all__ = ["design_matrix", "design_points", "design_seed", "design_size", "salib_problem"]


def design_seed(seed: int) -> int:
    """Return the seed of an experiment's sampler, derived from the experiment seed."""
    import numpy as np

    return int(np.random.SeedSequence([seed, 0xDE5164]).generate_state(1, np.uint32)[0])


def salib_problem(factors: Sequence[Any]) -> dict[str, Any]:
    """Return SALib's problem definition for sampled factors (names and bounds)."""
    return {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def design_matrix(
    kind: str,
    factors: Sequence[Any],
    samples: int,
    seed: int,
    levels: int = 4,
    second_order: bool = False,
) -> np.ndarray:
    """Return the raw sample (points x factors) of a sampled design, before rounding.

    Args:
        kind: ``lhs``, ``sobol`` or ``morris``.
        factors: Factors with ``low`` and ``high``.
        samples: Points (lhs), base sample N (sobol) or trajectories (morris).
        seed: The experiment seed (the sampler's seed is derived from it).
        levels: Morris grid levels.
        second_order: Sobol second-order indices wanted.

    Raises:
        ValueError: If SALib cannot build the design (the message says why).
    """
    problem = salib_problem(factors)
    rng_seed = design_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about sample sizes we already checked
        if kind == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, samples, seed=rng_seed)
        if kind == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, samples, calc_second_order=second_order, seed=rng_seed)
        if kind == "morris":
            from SALib.sample import morris

            return morris.sample(problem, samples, num_levels=levels, seed=rng_seed)
    raise ValueError(f"unknown sampled design {kind!r}")


def design_size(design) -> int:
    """Return the number of points of a design without building them.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> design_size(NS(kind="grid", factors=[NS(values=(1, 2, 3)), NS(values=(4, 5))]))
        6
        >>> design_size(NS(kind="sobol", factors=[NS(), NS()], samples=8, second_order=True))
        48
    """
    d = len(design.factors)
    if design.kind == "grid":
        return math.prod(len(f.values) for f in design.factors)
    if design.kind == "lhs":
        return design.samples
    if design.kind == "sobol":
        return design.samples * ((2 * d + 2) if design.second_order else (d + 2))
    if design.kind == "morris":
        return design.samples * (d + 1)
    raise ValueError(f"unknown design {design.kind!r}")


def design_points(config) -> list[dict[str, Any]]:
    """Return the design points of ``config`` (an :class:`~.config.ExperimentConfig`).

    A grid without factors has one point, ``{}`` (the base values).
    """
    d = config.design
    if d.kind == "grid":
        keys = [f.key for f in d.factors]
        return [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(f.values for f in d.factors))
        ]
    X = design_matrix(d.kind, d.factors, d.samples, config.seed, d.levels, d.second_order)
    points = []
    for row in X:
        point = {}
        for f, x in zip(d.factors, row, strict=True):
            # Rounding can land a hair outside [low, high] only through float noise; clip.
            x = min(max(float(x), f.low), f.high)
            point[f.key] = int(round(x)) if f.integer else x
        points.append(point)
    return points
