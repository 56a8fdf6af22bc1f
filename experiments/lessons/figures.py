"""The figures of the lessons' answer keys, drawn from the measures of :mod:`.towns`.

Each figure shows every seed as a dot and the mean across seeds as a bar, so students see both
what their own town does and how much towns differ. Drawn with matplotlib's object-oriented API
on the Agg canvas, like the sweep reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

__all__ = ["FIGURES", "draw"]

Measures = Mapping[str, float]

_ARM_LABELS = {
    "peer_groups": "peer groups",
    "professional_personalised": "professional,\npersonalised",
    "professional_generic": "professional,\ngeneric",
    "community": "community\nprogrammes",
    "outreach": "outreach",
    "online": "online\nplatform",
    "respite": "respite\nfor carers",
}


def _bars(ax, labels: Sequence[str], columns: Sequence[np.ndarray], colour: str) -> None:
    """A bar per column at its mean, with each seed's value as a dot."""
    x = np.arange(len(labels))
    means = [float(np.mean(c)) for c in columns]
    ax.bar(x, means, color=colour, alpha=0.45, width=0.6)
    rng = np.random.default_rng(0)  # jitter only: the dots' x positions
    for i, c in enumerate(columns):
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(c)), c, s=14, color=colour, zorder=3)
    ax.set_xticks(x, labels)
    ax.axhline(0, color="#444", lw=0.8)
    ax.grid(axis="y", alpha=0.3)


def _col(measures: Sequence[Measures], f) -> np.ndarray:
    return np.array([f(m) for m in measures])


def buffering_figure(measures: Sequence[Measures]) -> Figure:
    """Lesson 1: B - A depression at few and many life events; who is protected."""
    fig = Figure(figsize=(9, 3.8), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    levels = (
        ("low", "few life events\n(0.03 a week)"),
        ("high", "many life events\n(0.10 a week)"),
    )
    _bars(
        ax1,
        [label for _, label in levels],
        [
            _col(
                measures,
                lambda m, lv=lv: m[f"mean_depression_{lv}_B"] - m[f"mean_depression_{lv}_A"],
            )
            for lv, _ in levels
        ],
        "#b2182b",
    )
    ax1.set_title("B (no buffering) - A (buffering):\nmean depression, steps 201-300", fontsize=10)
    ax1.set_ylabel("difference in mean depression (0-1)")
    labels, cols = [], []
    for lv, label in levels:
        for town in ("A", "B"):
            labels.append(f"{town}\n{label.splitlines()[0]}")
            cols.append(_col(measures, lambda m, lv=lv, t=town: m[f"gap_{lv}_{t}"]))
    _bars(ax2, labels, cols, "#2166ac")
    ax2.tick_params(axis="x", labelsize=8)
    ax2.set_title(
        "Who is protected: depression of the least\nsupported third minus the most supported third",
        fontsize=10,
    )
    ax2.set_ylabel("depression gap (0-1)")
    return fig


def loneliness_figure(measures: Sequence[Measures]) -> Figure:
    """Lesson 2: lonely share and neighbours' similarity in four towns; excess risk by distance."""
    fig = Figure(figsize=(12, 3.8), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    towns = (
        ("A_nowithdrawal", "no withdrawal,\nno contagion"),
        ("B_nowithdrawal", "no withdrawal,\ncontagion"),
        ("A", "withdrawal,\nno contagion (A)"),
        ("B", "withdrawal,\ncontagion (B)"),
    )
    for ax, key, title, colour in (
        (ax1, "lonely", "Lonely (share), steps 201-300", "#762a83"),
        (ax2, "similarity", "Loneliness similarity of neighbours", "#1b7837"),
    ):
        _bars(
            ax,
            [t for _, t in towns],
            [_col(measures, lambda m, k=f"{key}_{w}": m[k]) for w, _ in towns],
            colour,
        )
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title(title, fontsize=10)
    d = np.arange(1, 5)
    for m in measures:
        ax3.plot(d, [100 * m[f"excess_d{k}_A"] for k in d], color="#999", lw=0.8, marker="o", ms=3)
    mean = [100 * float(np.mean([m[f"excess_d{k}_A"] for m in measures])) for k in d]
    ax3.plot(
        d, mean, color="#762a83", lw=2.5, marker="o", label="model: mean of towns (grey: each town)"
    )
    ax3.plot(
        d,
        [52, 25, 15, 0],
        color="#e08214",
        lw=2,
        ls="--",
        marker="s",
        label="Framingham (Cacioppo et al. 2009)",
    )
    ax3.axhline(0, color="#444", lw=0.8)
    ax3.set_xticks(d)
    ax3.set_xlabel("network distance to a lonely person")
    ax3.set_ylabel("excess chance of being lonely (%)")
    ax3.set_title("Does loneliness reach further than friends? (town A)", fontsize=10)
    ax3.legend(fontsize=7, loc="upper right")
    ax3.grid(alpha=0.3)
    return fig


def interventions_figure(measures: Sequence[Measures]) -> Figure:
    """Lesson 3: each intervention's effect (arm - none) on four outcomes, steps 301-400."""
    fig = Figure(figsize=(12, 6.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (measure, title, colour) in zip(
        axes,
        (
            ("mean_depression", "Mean depression", "#b2182b"),
            ("mean_perceived_support", "Mean perceived support", "#2166ac"),
            ("unmet_need", "Unmet need", "#8c510a"),
            ("burnt_out_givers", "Burnt-out givers (share)", "#01665e"),
        ),
        strict=True,
    ):
        cols = [
            _col(measures, lambda m, a=arm, k=measure: m[f"{k}_{a}"] - m[f"{k}_none"])
            for arm in _ARM_LABELS
        ]
        _bars(ax, list(_ARM_LABELS.values()), cols, colour)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(f"{title}: with the intervention - without (steps 301-400)", fontsize=10)
    return fig


#: Figure file name per lesson, and the function that draws it.
FIGURES = {
    "buffering": ("lesson1-buffering.png", buffering_figure),
    "loneliness": ("lesson2-loneliness.png", loneliness_figure),
    "interventions": ("lesson3-interventions.png", interventions_figure),
}


def draw(lesson: str, measures: Sequence[Measures], folder: Path) -> Path:
    """Draw ``lesson``'s figure into ``folder``; return its path."""
    name, make = FIGURES[lesson]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    make(measures).savefig(path, dpi=110)
    return path
