"""Statistics for reports: means with confidence intervals, Hedges' g, sensitivity indices.

Sources:
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. Journal of Educational Statistics 6(2), 107-128 (the small-sample correction J).
    Hedges, L. V. & Olkin, I. (1985). Statistical Methods for Meta-Analysis (the variance of g).
    Saltelli et al. (2010) and Morris (1991), through SALib (Herman & Usher 2017).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "EffectSize",
    "GRatio",
    "g_ratio",
    "hedges_g",
    "mean_ci",
    "morris_indices",
    "sobol_indices",
]


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float, int]:
    """Return the mean, the ends of its t confidence interval, and n (NaN ends when n < 2).

    Examples:
        >>> m, lo, hi, n = mean_ci([1.0, 2.0, 3.0])
        >>> m, n, round(hi - m, 3)
        (2.0, 3, 2.484)
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan, n
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half, n


def ci_frame(df: pd.DataFrame, by: list[str], value: str, level: float = 0.95) -> pd.DataFrame:
    """Group ``df`` by ``by`` and return mean, lo, hi and n of ``value`` per group (vectorised)."""
    g = df.groupby(by, sort=False, dropna=False)[value]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    dof = np.maximum(out["n"].to_numpy() - 1, 1)
    half = (
        stats.t.ppf(0.5 + level / 2, dof)
        * out["sd"].to_numpy()
        / np.sqrt(np.maximum(out["n"].to_numpy(), 1))
    )
    half = np.where(out["n"].to_numpy() >= 2, half, np.nan)
    out["lo"] = out["mean"] - half
    out["hi"] = out["mean"] + half
    return out.drop(columns="sd")


@dataclass(frozen=True)
class EffectSize:
    """Hedges' g of a treated group against a control group, with its confidence interval.

    Attributes:
        g: Standardised mean difference (treated minus control), small-sample corrected.
        ci_low: Lower end of the confidence interval.
        ci_high: Upper end.
        n_treated: Runs in the treated group.
        n_control: Runs in the control group.
        mean_treated: Mean of the treated group.
        mean_control: Mean of the control group.
    """

    g: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    mean_treated: float
    mean_control: float


def _g_rows(x1: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """Hedges' g of each row of ``x1`` against the same row of ``x0`` (vectorised).

    g = J (m1 - m0) / s_pooled with J = 1 - 3 / (4 (n1 + n0) - 9); NaN where s_pooled is 0.
    """
    n1, n0 = x1.shape[1], x0.shape[1]
    pooled = np.sqrt(
        ((n1 - 1) * x1.var(axis=1, ddof=1) + (n0 - 1) * x0.var(axis=1, ddof=1)) / (n1 + n0 - 2)
    )
    j = 1 - 3 / (4 * (n1 + n0) - 9)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled > 0, j * (x1.mean(axis=1) - x0.mean(axis=1)) / pooled, np.nan)


def hedges_g(treated, control, level: float = 0.95) -> EffectSize:
    """Return Hedges' g of ``treated`` against ``control`` with a normal-theory CI.

    g = J (m1 - m0) / s_pooled with J = 1 - 3 / (4 (n1 + n0) - 9); its variance is
    (n1 + n0) / (n1 n0) + g^2 / (2 (n1 + n0)) (Hedges & Olkin 1985). NaN when either group has
    fewer than two values or both have no spread.

    Examples:
        >>> e = hedges_g([2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0])
        >>> round(e.g, 3), e.n_treated
        (0.674, 4)
    """
    x1 = np.asarray(treated, float)
    x0 = np.asarray(control, float)
    x1, x0 = x1[np.isfinite(x1)], x0[np.isfinite(x0)]
    n1, n0 = len(x1), len(x0)
    m1 = float(x1.mean()) if n1 else math.nan
    m0 = float(x0.mean()) if n0 else math.nan
    if n1 < 2 or n0 < 2:
        return EffectSize(math.nan, math.nan, math.nan, n1, n0, m1, m0)
    g = float(_g_rows(x1[None, :], x0[None, :])[0])
    if math.isnan(g):  # no spread in either group
        return EffectSize(math.nan, math.nan, math.nan, n1, n0, m1, m0)
    se = math.sqrt((n1 + n0) / (n1 * n0) + g * g / (2 * (n1 + n0)))
    z = float(stats.norm.ppf(0.5 + level / 2))
    return EffectSize(g, g - z * se, g + z * se, n1, n0, m1, m0)


@dataclass(frozen=True)
class GRatio:
    """The ratio of two arms' Hedges' g against a shared control, with a bootstrap interval.

    Attributes:
        ratio: g(numerator vs control) / g(denominator vs control).
        ci_low: Lower end of the percentile bootstrap interval.
        ci_high: Upper end.
        g_numerator: Hedges' g of the numerator arm against the control.
        g_denominator: Hedges' g of the denominator arm against the control.
        n: Units (replications) present in all three arms.
        resamples: Bootstrap resamples drawn.
        defined: Fraction of resamples in which the ratio was defined (denominator g not 0).
    """

    ratio: float
    ci_low: float
    ci_high: float
    g_numerator: float
    g_denominator: float
    n: int
    resamples: int
    defined: float


def g_ratio(
    numerator,
    denominator,
    control,
    seed: int,
    resamples: int = 4000,
    level: float = 0.95,
) -> GRatio:
    """Return g(numerator vs control) / g(denominator vs control) with a paired bootstrap CI.

    The three arrays are aligned: position i of each is the same unit (a replication, with its
    seed shared by the three arms, i.e. common random numbers). The bootstrap resamples units,
    keeping each unit's three values together, so the correlation that shared seeds create is
    kept in every resample (Efron & Tibshirani 1993, ch. 13, percentile interval). Units with a
    missing value in any arm are left out. NaN when fewer than three units remain or either g
    is undefined.

    Args:
        numerator: Outcome per unit in the numerator arm.
        denominator: Outcome per unit in the denominator arm.
        control: Outcome per unit in the control arm.
        seed: Seed of the bootstrap (the report derives it from the experiment seed).
        resamples: Bootstrap resamples.
        level: Coverage of the interval.

    Examples:
        >>> r = g_ratio([3.0, 4.0, 5.0, 6.0], [2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0], seed=1)
        >>> round(r.ratio, 3), r.n
        (2.0, 4)
    """
    x = np.column_stack([np.asarray(a, float) for a in (numerator, denominator, control)])
    x = x[np.isfinite(x).all(axis=1)]
    n = len(x)
    nan = GRatio(math.nan, math.nan, math.nan, math.nan, math.nan, n, 0, 0.0)
    if n < 3:
        return nan
    g_num = hedges_g(x[:, 0], x[:, 2]).g
    g_den = hedges_g(x[:, 1], x[:, 2]).g
    if not (math.isfinite(g_num) and math.isfinite(g_den)) or g_den == 0:
        return GRatio(math.nan, math.nan, math.nan, g_num, g_den, n, 0, 0.0)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    sample = x[idx]  # resamples x n x 3
    gn = _g_rows(sample[:, :, 0], sample[:, :, 2])
    gd = _g_rows(sample[:, :, 1], sample[:, :, 2])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = gn / gd
    ok = np.isfinite(ratios)
    lo, hi = (
        np.quantile(ratios[ok], [0.5 - level / 2, 0.5 + level / 2]) if ok.any() else (math.nan,) * 2
    )
    return GRatio(g_num / g_den, float(lo), float(hi), g_num, g_den, n, resamples, float(ok.mean()))


def sobol_indices(problem: dict, y: np.ndarray, second_order: bool, seed: int) -> pd.DataFrame:
    """Return Sobol first-order and total indices with confidence half-widths per parameter.

    Args:
        problem: SALib problem (names, bounds).
        y: Outputs in the sample's order (N x (D + 2) values, or N x (2D + 2)).
        second_order: The sample was drawn for second-order indices.
        seed: Seed of the bootstrap for the confidence intervals.
    """
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sobol.analyze(
            problem, np.asarray(y, float), calc_second_order=second_order, seed=seed
        )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )


def morris_indices(
    problem: dict, X: np.ndarray, y: np.ndarray, levels: int, seed: int
) -> pd.DataFrame:
    """Return Morris mu* (with confidence half-width), mu and sigma per parameter."""
    from SALib.analyze import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = morris.analyze(
            problem, np.asarray(X, float), np.asarray(y, float), num_levels=levels, seed=seed
        )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "mu": res["mu"],
            "sigma": res["sigma"],
        }
    )
