"""Figures of a battery: every check against its target band, and pictures of some facts.

:func:`forest_plot` draws one row per check: the target band shaded green, the published value as
a blue tick, the mean over seeds with its 95% interval as a dot and whisker coloured by the verdict.
Each row has its own scale (the checks are in different units), with its ticks.
The other figures explain single facts: excess risk of loneliness by network distance against the
published curve, the simple slopes behind buffering, and the headline measures over time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import atomic_path
from ..stats import mean_ci
from .judge import FactResult

__all__ = [
    "VERDICT_COLOURS",
    "distance_figure",
    "forest_plot",
    "slopes_figure",
    "trajectories_figure",
]

VERDICT_COLOURS = {
    "pass": "#1b7837",
    "fail": "#c51b7d",
    "uncertain": "#d95f02",
    "no effect": "#d95f02",
    "opposite": "#c51b7d",
    "not measurable": "#7f7f7f",
}
_BAND = "#a6dba0"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    _pyplot().close(fig)
    return path


def _row_limits(c) -> tuple[float, float]:
    k = c.check
    xs = [v for v in (c.mean, c.lo, c.hi, k.published) if math.isfinite(v)]
    if k.kind == "band":
        xs += [k.low, k.high]
    elif k.kind in ("above", "below", "not_above"):
        xs.append(k.low)
    else:
        xs.append(0.0)
    lo, hi = min(xs), max(xs)
    pad = (hi - lo) * 0.12 or max(abs(hi), 1.0) * 0.25
    return lo - pad, hi + pad


def forest_plot(results: Sequence[FactResult], path: Path) -> Path:
    """Draw every check of ``results`` against its target; return the file written."""
    plt = _pyplot()
    rows = [(r, c) for r in results for c in r.checks]
    n = max(len(rows), 1)
    height = 1.0 + 0.34 * n
    fig, axes = plt.subplots(n, 1, figsize=(10.5, height), squeeze=False)
    fig.subplots_adjust(left=0.42, right=0.87, top=1 - 0.55 / height, bottom=0.35 / height,
                        hspace=1.1)  # fmt: skip
    previous = None
    for ax, (r, c) in zip(axes[:, 0], rows, strict=False):
        k = c.check
        lo_x, hi_x = _row_limits(c)
        ax.set_xlim(lo_x, hi_x)
        ax.set_ylim(-1, 1)
        if k.kind == "band":
            ax.axvspan(k.low, k.high, color=_BAND, lw=0)
        elif k.kind == "above":
            ax.axvspan(k.low, hi_x, color=_BAND, lw=0)
        elif k.kind in ("below", "not_above"):
            ax.axvspan(lo_x, k.low, color=_BAND, lw=0)
        else:
            ax.axvline(0.0, color="#1b7837", lw=2)
        if math.isfinite(k.published):
            ax.plot([k.published], [0], marker="|", ms=14, mew=2.5, color="#2166ac")
        colour = VERDICT_COLOURS.get(c.verdict, "black")
        if math.isfinite(c.mean):
            if math.isfinite(c.lo) and math.isfinite(c.hi):
                ax.plot([max(c.lo, lo_x), min(c.hi, hi_x)], [0, 0], color=colour, lw=2.5)
            ax.plot([c.mean], [0], "o", color=colour, ms=6)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=6.5, length=2, pad=1)
        ax.locator_params(axis="x", nbins=6)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        first = r is not previous
        label = f"{r.fact.id}:  {k.label}" if first else k.label
        ax.text(-0.02, 0.1, label, transform=ax.transAxes, ha="right", va="center", fontsize=7.5,
                fontweight="bold" if first else "normal")  # fmt: skip
        ax.text(1.02, 0.1, c.verdict, transform=ax.transAxes, ha="left", va="center",
                fontsize=7.5, color=colour)  # fmt: skip
        previous = r
    fig.suptitle(
        "Stylised facts: target (green), published value (blue tick), mean over seeds with its "
        "95% interval",
        fontsize=9,
    )
    return _save(fig, path)


def _stat_ci(rows: pd.DataFrame, column: str) -> tuple[float, float, float]:
    if column not in rows.columns:
        return math.nan, math.nan, math.nan
    m, lo, hi, _ = mean_ci(pd.to_numeric(rows[column], errors="coerce").to_numpy())
    return m, lo, hi


def distance_figure(rows: pd.DataFrame, path: Path) -> Path | None:
    """Excess risk of loneliness by network distance against the published curve.

    Also drawn, when the runs have it: the excess against the null that keeps each lonely value
    within its degree decile (:func:`supportnet.analysis.distance.degree_deciles`).

    Args:
        rows: The summary rows of the runs the fact was measured on.
        path: File to write.
    """
    d = (1, 2, 3, 4)
    est = [_stat_ci(rows, f"distance.excess_d{k}") for k in d]
    if not any(math.isfinite(e[0]) for e in est):
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 3.6), constrained_layout=True)
    ax.plot(d, [0.52, 0.25, 0.15, 0.0], "s--", color="#2166ac", label="Cacioppo et al. (2009)")
    means = np.array([e[0] for e in est])
    err = np.array([[e[0] - e[1], e[2] - e[0]] for e in est]).T
    ax.errorbar(d, means, yerr=np.nan_to_num(err), fmt="o-", color="#c51b7d", capsize=3,
                label="SupportNet: mean over seeds, 95% CI")  # fmt: skip
    # The diagnostic beside it: the same pairs against a null that keeps loneliness within degree
    # deciles (not judged; it shows how much of the curve is degree, not clustering).
    kept = [_stat_ci(rows, f"distance.excess_strat_d{k}") for k in d]
    if any(math.isfinite(e[0]) for e in kept):
        kept_err = np.array([[e[0] - e[1], e[2] - e[0]] for e in kept]).T
        ax.errorbar(np.array(d) + 0.08, [e[0] for e in kept], yerr=np.nan_to_num(kept_err),
                    fmt="^:", color="#7f7f7f", capsize=3,
                    label="SupportNet, null keeping degree deciles (diagnostic)")  # fmt: skip
    shares = [_stat_ci(rows, f"distance.pairs_d{k}")[0] for k in d]
    for k, s in zip(d, shares, strict=True):
        if math.isfinite(s):
            ax.annotate(f"{100 * s:.0f}% of pairs", (k, 0), textcoords="offset points",
                        xytext=(0, -14), ha="center", fontsize=7, color="grey")  # fmt: skip
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(d)
    ax.set_xlabel("network distance (degrees of separation)")
    ax.set_ylabel("excess risk of being lonely")
    ax.legend(fontsize=7.5)
    return _save(fig, path)


def slopes_figure(rows: pd.DataFrame, arms: dict[str, str], path: Path) -> Path | None:
    """Simple slopes of depression change on stressor load at -1 and +1 SD of perceived support.

    Args:
        rows: The summary rows of the fact's runs.
        arms: Run arm of each of the fact's arms ("on", "off").
        path: File to write.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 3.6), constrained_layout=True)
    x = np.array([-1.0, 2.0])
    drawn = False
    for name, style in (("on", "-"), ("off", ":")):
        sub = rows[rows["arm"] == arms.get(name, "")]
        for col, label, colour in (
            ("buffering.slope_low_support", "-1 SD support", "#c51b7d"),
            ("buffering.slope_high_support", "+1 SD support", "#1b7837"),
        ):
            slope = _stat_ci(sub, col)[0]
            if math.isfinite(slope):
                ax.plot(x, slope * x, style, color=colour, label=f"buffering {name}: {label}")
                drawn = True
    if not drawn:
        plt.close(fig)
        return None
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xlabel("stressor load in the quarter (SD from the mean)")
    ax.set_ylabel("change in depression over the quarter")
    ax.legend(fontsize=7)
    return _save(fig, path)


def trajectories_figure(
    steps: pd.DataFrame, measures: Sequence[str], burn_in: int, path: Path
) -> Path | None:
    """Headline measures over time across seeds (the stationarity fact), with the burn-in."""
    if steps is None or not len(steps):
        return None
    cols = [m for m in measures if m in steps.columns]
    if not cols:
        return None
    plt = _pyplot()
    ncol = 3
    nrow = math.ceil(len(cols) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(10, 2.3 * nrow), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for ax, col in zip(axes.ravel(), cols, strict=False):
        for _, g in steps.groupby("run_id"):
            ax.plot(g["step"], g[col], lw=0.5, alpha=0.45, color="#2166ac")
        mean = steps.groupby("step")[col].mean()
        ax.plot(mean.index, mean.to_numpy(), lw=1.5, color="black")
        ax.axvline(burn_in, color="#c51b7d", lw=1, ls="--")
        ax.set_title(col, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(cols) :]:
        ax.set_visible(False)
    fig.suptitle(
        "Over time: each seed (thin), their mean (thick), the burn-in (dashed)", fontsize=9
    )
    return _save(fig, path)
