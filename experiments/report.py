"""Reports: PNG figures and a markdown summary of a results folder (``supportnet report DIR``).

Figures are drawn with matplotlib's object-oriented API on the Agg canvas (``Figure`` objects,
never ``pyplot``), so writing a report changes no global state: it works headless and inside a
notebook without touching the notebook's backend.

What is drawn depends on the experiment: trajectories and outcome-versus-parameter plots always;
Sobol or Morris indices for those designs; the buffering interaction when runs kept a panel; the
loneliness correlation by network distance; Hedges' g against the control when one is declared.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .config import ConfigError
from .files import atomic_path, write_text
from .stats import ci_frame, g_ratio, hedges_g, mean_ci, morris_indices, sobol_indices
from .store import ResultStore, read_manifest

__all__ = ["Report", "write_report"]

#: At most this many lines in one panel; beyond it, conditions are grouped.
MAX_LINES = 8
#: At most this many rows in a markdown table of conditions.
MAX_ROWS = 40
_DIST_COLS = ("loneliness_r_d1", "loneliness_r_d2", "loneliness_r_d3", "loneliness_r_d4")


@dataclass
class Report:
    """What :func:`write_report` wrote."""

    markdown: Path
    figures: list[Path] = field(default_factory=list)


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def _fmt(x: Any, digits: int = 3) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(x):
            return "n/a"
        return f"{x:.{digits}g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"
    return str(x)


def _ci_text(m: float, lo: float, hi: float) -> str:
    if not math.isfinite(lo):
        return _fmt(m)
    return f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]"


# --- loading -------------------------------------------------------------------------------------
@dataclass
class _Data:
    folder: Path
    manifest: dict
    config: dict
    summary: pd.DataFrame
    factors: list[str]
    outcomes: list[str]
    conditions: pd.DataFrame  # one row per (arm, point): factor values, label
    failures: list[dict]
    store: ResultStore
    arm_labels: dict[str, str]
    steps: pd.DataFrame | None = None  # per-step tables with ids and factors (loaded on demand)
    steps_columns: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.config["design"]["kind"]

    @property
    def multi_arm(self) -> bool:
        return len(self.config["arms"]) > 1


def _load(folder: Path) -> _Data:
    manifest = read_manifest(folder)
    config = manifest["config"]
    if config.get("kind") == "facts":
        raise ConfigError(
            [
                f"{folder}: holds a stylised facts battery, not a sweep; its report is "
                f"{folder / 'report' / 'report.md'} (`supportnet facts --out {folder}` with the "
                "same options writes it again)"
            ]
        )
    store = ResultStore(folder)
    summary = store.summary()
    damaged = [r for r in summary.get("run_id", []) if store.stored_meta(r, verify=True) is None]
    if damaged:
        raise ConfigError(
            [
                f"{folder}: {len(damaged)} run files are damaged or missing (unreadable, or their "
                "checksum does not match their content): "
                + ", ".join(damaged[:5])
                + (" ..." if len(damaged) > 5 else "")
                + "; run the same sweep command again to recompute them, then the report"
            ]
        )
    factors = [f["key"] for f in config["design"]["factors"]]
    if "network_file" in factors and len(summary):
        summary, names = _short_file_names(summary)
        where = (config.get("control") or {}).get("where") or {}
        if "network_file" in where:  # the control is picked by the same, shortened, values
            config = copy.deepcopy(config)
            file = config["control"]["where"]["network_file"]
            config["control"]["where"]["network_file"] = names.get(file, file)
    outcomes = [o for o in config["output"]["outcomes"] if o in summary.columns]
    arm_labels = {a["name"]: a["label"] or a["name"] for a in config["arms"]}
    if len(summary):
        cond = summary.drop_duplicates(["arm", "point"])[["arm", "point", *factors]].copy()
        cond["label"] = [
            _label(r, factors, arm_labels, len(arm_labels) > 1) for _, r in cond.iterrows()
        ]
        cond = cond.reset_index(drop=True)
    else:
        cond = pd.DataFrame(columns=["arm", "point", *factors, "label"])
    return _Data(
        folder,
        manifest,
        config,
        summary,
        factors,
        outcomes,
        cond,
        store.failures(),
        store,
        arm_labels,
    )


def _short_file_names(summary: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Show network files by their names, not full paths (when the names tell them apart).

    Full paths make labels and tick marks too long to draw (the manifest keeps them).

    Returns:
        The summary with shortened ``network_file`` values, and the mapping path -> name.
    """
    paths = summary["network_file"].astype(str)
    names = {v: Path(v).name for v in paths.unique()}
    if len(set(names.values())) < len(names):
        return summary, {}
    return summary.assign(network_file=paths.map(names)), names


def _label(row, factors, arm_labels, multi_arm) -> str:
    parts = [f"{k}={_fmt(row[k])}" for k in factors]
    if multi_arm:
        parts.insert(0, arm_labels.get(row["arm"], row["arm"]))
    return ", ".join(parts) or arm_labels.get(row["arm"], row["arm"])


def _groups(d: _Data) -> tuple[list[str], str]:
    """Return the summary columns that define the lines of a figure, and a note on grouping."""
    if len(d.conditions) <= MAX_LINES:
        return ["arm", "point"], ""
    if d.kind == "grid" and d.factors:
        first = d.factors[0]
        if d.summary[first].nunique() * d.summary["arm"].nunique() <= MAX_LINES:
            return ["arm", first], f"grouped by {first} (other factors pooled)"
    return ["arm"], "all design points pooled"


def _group_label(d: _Data, by: list[str], key) -> str:
    key = key if isinstance(key, tuple) else (key,)
    values = dict(zip(by, key, strict=True))
    if by == ["arm", "point"]:
        row = d.conditions[
            (d.conditions.arm == values["arm"]) & (d.conditions.point == values["point"])
        ]
        return str(row["label"].iloc[0]) if len(row) else str(key)
    parts = [f"{k}={_fmt(v)}" for k, v in values.items() if k != "arm"]
    if d.multi_arm or not parts:
        parts.insert(0, d.arm_labels.get(values["arm"], values["arm"]))
    return ", ".join(parts)


# --- figures -------------------------------------------------------------------------------------
def _grid_axes(n: int, width: float = 4.6, height: float = 3.3, ncols: int = 3):
    if n in (2, 4):
        ncols = 2
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(width * ncols, height * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _legend_ncols(labels: list[str], fig_width: float, most: int = 4) -> int:
    """Columns for a figure legend below the axes whose longest entry still fits the width.

    A "small" legend entry is about 0.064 in a character plus 0.42 in for its handle and padding
    (8.3 pt text); four columns of long condition labels (the demo's arms and willingness) ran
    past the figure's edges and were cut off.

    Examples:
        >>> _legend_ncols(["x" * 55] * 6, 13.8)
        3
        >>> _legend_ncols(["x" * 40] * 6, 13.8)
        4
    """
    if not labels:
        return 1
    entry = 0.064 * max(len(str(label)) for label in labels) + 0.42
    return max(1, min(most, len(labels), int(fig_width // entry)))


def _save(fig: Figure, path: Path, figures: list[Path]) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format=path.suffix.lstrip("."))
    figures.append(path)


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def _trajectories(d: _Data, out: Path, figures: list[Path]) -> str:
    outcomes = [o for o in d.outcomes if o in d.steps_columns]
    if not outcomes:
        return ""
    by, note = _groups(d)
    steps = d.steps
    fig, axes = _grid_axes(len(outcomes))
    for ax, name in zip(axes, outcomes, strict=True):
        stats = ci_frame(steps, [*by, "step"], name)
        for key, grp in stats.groupby(by, sort=False):
            label = _group_label(d, by, key)
            (line,) = ax.plot(grp["step"], grp["mean"], lw=1.4, label=label)
            ax.fill_between(
                grp["step"], grp["lo"], grp["hi"], color=line.get_color(), alpha=0.2, lw=0
            )
        ax.set_title(_pretty(name))
        ax.set_xlabel("step")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=_legend_ncols(labels, fig.get_figwidth()),
        fontsize="small",
    )
    fig.suptitle(
        "Outcomes over time: mean across replications with 95% CI band"
        + (f" ({note})" if note else "")
    )
    path = out / "trajectories.png"
    _save(fig, path, figures)
    return f"![Outcome trajectories]({path.name})\n"


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _vs_parameter(d: _Data, factor: str, out: Path, figures: list[Path]) -> str:
    s = d.summary
    outcomes = d.outcomes
    fig, axes = _grid_axes(len(outcomes))
    x_numeric = _is_numeric(s[factor])
    others = [f for f in d.factors if f != factor]
    hue = None
    if d.multi_arm:
        hue = "arm"
    elif d.kind == "grid" and others and s[others[0]].nunique() <= 6:
        hue = others[0]
    for ax, name in zip(axes, outcomes, strict=True):
        if d.kind == "grid":
            by = [factor] if hue is None else [hue, factor]
            stats = ci_frame(s, by, name)
            series = [(None, stats)] if hue is None else list(stats.groupby(hue, sort=False))
            # Categories (text, true/false) sit at fixed positions, in the design's order; their
            # points are not joined by lines (there is no order between them) and each series is
            # nudged sideways so error bars do not overlap.
            categories = list(dict.fromkeys(stats[factor]))
            for j, (key, grp) in enumerate(series):
                xs = grp[factor].to_numpy()
                if x_numeric:
                    pos = xs.astype(float)
                else:
                    nudge = (j - (len(series) - 1) / 2) * 0.08
                    pos = np.array([categories.index(v) for v in xs]) + nudge
                lab = (
                    None
                    if key is None
                    else (d.arm_labels.get(key, key) if hue == "arm" else f"{hue}={_fmt(key)}")
                )
                yerr = np.vstack([grp["mean"] - grp["lo"], grp["hi"] - grp["mean"]])
                ax.errorbar(
                    pos,
                    grp["mean"],
                    yerr=np.nan_to_num(yerr),
                    marker="o",
                    capsize=3,
                    lw=1.2,
                    ls="-" if x_numeric else "none",
                    label=lab,
                )
            if not x_numeric:
                labels = [_fmt(v) for v in categories]
                long = max(len(t) for t in labels) > 8
                ax.set_xticks(
                    range(len(categories)),
                    labels,
                    rotation=25 if long else 0,
                    ha="right" if long else "center",
                )
        else:
            for key, grp in s.groupby("arm", sort=False) if d.multi_arm else [(None, s)]:
                lab = None if key is None else d.arm_labels.get(key, key)
                pts = ax.scatter(grp[factor], grp[name], s=8, alpha=0.35, label=lab)
                bins = pd.qcut(grp[factor], q=min(10, grp[factor].nunique()), duplicates="drop")
                binned = grp.groupby(bins, observed=True).agg(x=(factor, "mean"), y=(name, "mean"))
                ax.plot(binned["x"], binned["y"], color=pts.get_facecolor()[0], lw=2, alpha=1)
        ax.set_title(_pretty(name))
        ax.set_xlabel(factor)
    handles, labels = axes[0].get_legend_handles_labels()
    if labels:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=_legend_ncols(labels, fig.get_figwidth()),
            fontsize="small",
        )
    how = (
        "mean with 95% CI across runs"
        if d.kind == "grid"
        else "each run, with means over deciles of the parameter"
    )
    fig.suptitle(f"Outcomes against {factor} ({how})")
    path = out / f"outcomes_vs_{factor.replace('.', '_')}.png"
    _save(fig, path, figures)
    return f"![Outcomes against {factor}]({path.name})\n"


def _sensitivity(d: _Data, out: Path, figures: list[Path]) -> str:
    from .designs import salib_problem

    design = d.config["design"]
    kind = design["kind"]

    class _F:  # the factors as designs.salib_problem expects them
        def __init__(self, f):
            self.key, self.low, self.high = f["key"], f["low"], f["high"]

    problem = salib_problem([_F(f) for f in design["factors"]])
    lines = [f"### Sensitivity ({'Sobol indices' if kind == 'sobol' else 'Morris screening'})\n"]
    tables = []
    for arm, grp in d.summary.groupby("arm", sort=False):
        means = grp.groupby("point")[d.outcomes].mean()
        expected = _expected_points(d)
        if len(means) < expected:
            lines.append(
                f"Arm {arm}: {len(means)} of {expected} design points finished; the "
                "indices need every point (resume the sweep to complete it).\n"
            )
            continue
        for name in d.outcomes:
            y = means[name].to_numpy()
            if not np.isfinite(y).all():
                continue
            if kind == "sobol":
                t = sobol_indices(problem, y, design["second_order"], seed=d.config["seed"])
            else:
                X = grp.drop_duplicates("point").sort_values("point")[d.factors].to_numpy(float)
                t = morris_indices(problem, X, y, design["levels"], seed=d.config["seed"])
            t.insert(0, "outcome", name)
            t.insert(0, "arm", arm)
            tables.append(t)
    if not tables:
        return "\n".join(lines)
    table = pd.concat(tables, ignore_index=True)
    _write_csv(table, out / "sensitivity.csv")
    outcomes = list(dict.fromkeys(table["outcome"]))
    fig, axes = _grid_axes(len(outcomes), width=5.2, height=0.45 * len(d.factors) + 1.6)
    for ax, name in zip(axes, outcomes, strict=True):
        t = table[(table.outcome == name) & (table.arm == table.arm.iloc[0])]
        y = np.arange(len(t))
        if kind == "sobol":
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1", capsize=2)
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total ST", capsize=2)
            ax.set_xlabel("index (95% CI)")
        else:
            ax.barh(y - 0.2, t["mu_star"], 0.4, xerr=t["mu_star_conf"], label="mu*", capsize=2)
            ax.barh(y + 0.2, t["sigma"], 0.4, label="sigma")
            ax.set_xlabel("elementary effect")
        ax.set_yticks(y, t["parameter"])
        ax.invert_yaxis()
        ax.set_title(_pretty(name))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize="small")
    fig.suptitle(
        "Sobol sensitivity indices (first order and total, 95% bootstrap CI)"
        if kind == "sobol"
        else "Morris elementary effects (mu* with 95% bootstrap CI, and sigma)"
    )
    path = out / "sensitivity.png"
    _save(fig, path, figures)
    lines.append(f"![Sensitivity indices]({path.name})\n")
    cols = (
        ["S1", "S1_conf", "ST", "ST_conf"]
        if kind == "sobol"
        else ["mu_star", "mu_star_conf", "mu", "sigma"]
    )
    lines.append(
        _md_table(table, ["arm", "outcome", "parameter", *cols])
        if len(set(table.arm)) > 1
        else _md_table(table, ["outcome", "parameter", *cols])
    )
    lines.append("(also in `sensitivity.csv`)\n")
    return "\n".join(lines)


def _expected_points(d: _Data) -> int:
    design = d.config["design"]
    n = design["samples"]
    k = len(design["factors"])
    if design["kind"] == "sobol":
        return n * (2 * k + 2 if design["second_order"] else k + 2)
    return n * (k + 1)  # morris


def _condition_stats(d: _Data, column: str) -> pd.DataFrame:
    stats = ci_frame(d.summary, ["arm", "point"], column)
    return stats.merge(d.conditions[["arm", "point", "label"]], on=["arm", "point"])


def _buffering(d: _Data, out: Path, figures: list[Path]) -> str:
    col = "buffering_interaction"
    if col not in d.summary or not np.isfinite(d.summary[col]).any():
        return ""
    by, note = _groups(d) if len(d.conditions) > 40 else (["arm", "point"], "")
    stats = ci_frame(d.summary, by, col)
    stats["label"] = [_group_label(d, by, tuple(r[b] for b in by)) for _, r in stats.iterrows()]
    per_run = d.summary[["buffering_ci_low", "buffering_ci_high"]]
    excludes_zero = ((per_run["buffering_ci_high"] < 0) | (per_run["buffering_ci_low"] > 0)).mean()
    fig = Figure(figsize=(10, 0.4 * len(stats) + 2.2), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(stats))
    xerr = np.vstack([stats["mean"] - stats["lo"], stats["hi"] - stats["mean"]])
    ax.errorbar(stats["mean"], y, xerr=np.nan_to_num(xerr), fmt="o", capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, stats["label"], fontsize="small")
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 3))
    ax.set_xlabel(
        "interaction of stressor load and perceived support on depression change\n"
        "(negative = support buffers stress)"
    )
    fig.suptitle(
        "Buffering estimate per condition: mean across replications with 95% CI"
        + (f" ({note})" if note else "")
    )
    path = out / "buffering.png"
    _save(fig, path, figures)
    table = stats.rename(columns={"mean": "interaction"})
    table["95% CI"] = [f"[{_fmt(a)}, {_fmt(b)}]" for a, b in zip(table.lo, table.hi, strict=True)]
    return (
        "### Buffering (stress x perceived support on depression change)\n\n"
        "Per run, `supportnet.analysis.buffering_estimate` regresses each person's change in "
        "depression over a panel window on stressor load, perceived support and their product; "
        "a negative interaction means support softens the harm of stress. The table gives its "
        "mean across replications with a t confidence interval. "
        f"{excludes_zero:.0%} of the runs' own 95% CIs exclude zero.\n\n"
        f"![Buffering estimate]({path.name})\n\n"
        + _md_table(
            table.head(MAX_ROWS),
            ["label", "interaction", "95% CI", "n"],
            names=["condition", "interaction", "95% CI", "runs"],
        )
    )


def _loneliness_distance(d: _Data, out: Path, figures: list[Path]) -> str:
    cols = [c for c in _DIST_COLS if c in d.summary]
    if not cols or not np.isfinite(d.summary[cols].to_numpy(float)).any():
        return ""
    by, note = _groups(d)
    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.subplots()
    dist = np.arange(1, len(cols) + 1)
    rows = []
    for key, grp in d.summary.groupby(by, sort=False):
        label = _group_label(d, by, key)
        res = [mean_ci(grp[c]) for c in cols]
        m = np.array([r[0] for r in res])
        lo = np.array([r[1] for r in res])
        hi = np.array([r[2] for r in res])
        (line,) = ax.plot(dist, m, marker="o", label=label)
        ax.fill_between(dist, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
        rows.append([label, *(_ci_text(*r[:3]) for r in res)])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(dist)
    ax.set_xlabel("network distance (degrees of separation)")
    ax.set_ylabel("correlation of loneliness")
    ax.set_title(
        "Loneliness correlation by network distance: mean across replications, 95% CI"
        + (f"\n({note})" if note else ""),
        fontsize="medium",
    )
    ax.legend(fontsize="small")
    path = out / "loneliness_distance.png"
    _save(fig, path, figures)
    table = pd.DataFrame(rows, columns=["condition", *(f"d = {i}" for i in dist)])
    return (
        "### Loneliness by network distance\n\n"
        "Correlation of loneliness between people at distance 1, 2, 3, 4 in the final network "
        "(`supportnet.analysis.loneliness_by_distance`), averaged over replications; Cacioppo, "
        "Fowler & Christakis (2009) report it falling to about zero beyond three degrees.\n\n"
        f"![Loneliness by distance]({path.name})\n\n" + _md_table(table.head(MAX_ROWS))
    )


def _comparisons(d: _Data) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """Return (label, treated runs, control runs) for every comparison with the control."""
    control = d.config.get("control")
    if not control:
        return []
    s = d.summary
    out = []
    if control.get("arm"):
        carm = control["arm"]
        for arm in [a["name"] for a in d.config["arms"] if a["name"] != carm]:
            pairs = []
            for point, treated in s[s.arm == arm].groupby("point"):
                pairs.append((point, treated, s[(s.arm == carm) & (s.point == point)]))
            if (
                pairs
                and all(len(t) >= 2 and len(c) >= 2 for _, t, c in pairs)
                and len(pairs) <= MAX_ROWS
            ):  # noqa: E501
                for point, t, c in pairs:
                    row = d.conditions[(d.conditions.arm == arm) & (d.conditions.point == point)]
                    out.append((str(row["label"].iloc[0]), t, c))
            else:  # one run per point (sampled designs): compare the arms over all points
                out.append(
                    (
                        f"{d.arm_labels.get(arm, arm)} (all points)",
                        s[s.arm == arm],
                        s[s.arm == carm],
                    )
                )
        return out
    where = control.get("where") or {}
    others = [f for f in d.factors if f not in where]
    is_control = np.logical_and.reduce([s[k] == v for k, v in where.items()])
    for (arm, point), treated in s[~is_control].groupby(["arm", "point"], sort=False):
        first = treated.iloc[0]
        match = is_control & (s.arm == arm)
        for k in others:
            match &= s[k] == first[k]
        row = d.conditions[(d.conditions.arm == arm) & (d.conditions.point == point)]
        out.append((str(row["label"].iloc[0]), treated, s[match]))
    return out


def _effect_sizes(d: _Data, out: Path, figures: list[Path]) -> str:
    comps = _comparisons(d)
    if not comps:
        return ""
    label = d.config["control"].get("label") or "control"
    rows = []
    for name, treated, control in comps:
        for o in d.outcomes:
            e = hedges_g(treated[o], control[o])
            pg, plo, phi, pn = person_level_g(treated, control, o)
            rows.append(
                {
                    "condition": name,
                    "outcome": o,
                    "g": e.g,
                    "lo": e.ci_low,
                    "hi": e.ci_high,
                    "n_treated": e.n_treated,
                    "n_control": e.n_control,
                    "mean_treated": e.mean_treated,
                    "mean_control": e.mean_control,
                    "person_g": pg,
                    "person_lo": plo,
                    "person_hi": phi,
                    "person_pairs": pn,
                }
            )
    table = pd.DataFrame(rows)
    _write_csv(table, out / "effect_sizes.csv")
    names = list(dict.fromkeys(table["condition"]))[:MAX_ROWS]
    fig, axes = _grid_axes(len(d.outcomes), width=4.2, height=0.32 * len(names) + 1.4)
    for ax, o in zip(axes, d.outcomes, strict=True):
        t = table[(table.outcome == o) & table.condition.isin(names)]
        y = np.arange(len(t))
        xerr = np.vstack([t["g"] - t["lo"], t["hi"] - t["g"]])
        ax.errorbar(t["g"], y, xerr=np.nan_to_num(xerr), fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        first_col = ax.get_subplotspec().is_first_col()
        ax.set_yticks(y, t["condition"] if first_col else [""] * len(t), fontsize="small")
        ax.invert_yaxis()
        ax.set_title(_pretty(o))
        ax.set_xlabel("between-run Hedges' g")
        if not np.isfinite(t["g"]).any():
            ax.text(
                0.5,
                0.5,
                "g undefined:\nno spread in the outcome",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="grey",
            )
    fig.suptitle(f"Effect sizes against the control ({label}): between-run Hedges' g with 95% CI")
    path = out / "effect_sizes.png"
    _save(fig, path, figures)
    shown = table[table.condition.isin(names)].copy()
    shown["cell"] = [
        _ci_text(g, lo, hi) for g, lo, hi in zip(shown.g, shown.lo, shown.hi, strict=True)
    ]
    wide = shown.pivot(index="condition", columns="outcome", values="cell").reindex(
        index=names, columns=d.outcomes
    )
    runs = shown.drop_duplicates("condition").set_index("condition")
    wide.insert(
        0,
        "runs (treated vs control)",
        [f"{runs.n_treated[c]} vs {runs.n_control[c]}" for c in wide.index],
    )
    wide = wide.reset_index()
    shown["person_cell"] = [
        _ci_text(g, lo, hi)
        for g, lo, hi in zip(shown.person_g, shown.person_lo, shown.person_hi, strict=True)
    ]
    person = shown.pivot(index="condition", columns="outcome", values="person_cell").reindex(
        index=names, columns=d.outcomes
    )
    person = person.reset_index()
    return (
        f"### Effect sizes against the control ({label})\n\n"
        "Two effect sizes answer two questions. The **between-run g** compares run means with "
        "run means: treated minus control, in standard deviations of the run means "
        "(small-sample corrected; Hedges & Olkin 1985), with a 95% CI. It says how reliably the "
        "condition moves the town's average, and it grows with the number of replications, so "
        "it is not comparable with a trial's effect size. Treated and control runs share seeds "
        "(common random numbers), so these independent-groups intervals are conservative. "
        "The **person-level g** is what a trial or survey reports: the difference between the "
        "two runs of a seed in standard deviations across people (at the last step), small-sample "
        "corrected, averaged over seeds with a 95% t interval; the stylised facts "
        "(`supportnet facts`, docs/validation.md) are judged on this kind. "
        "(Both in `effect_sizes.csv`.)\n\n"
        f"![Effect sizes]({path.name})\n\n"
        "Between-run Hedges' g [95% CI] per outcome (n/a: no spread in either group):\n\n"
        + _md_table(wide)
        + "\nPerson-level Hedges' g [95% CI over seeds] per outcome (n/a: no person-level "
        "value, or results from before person-level values were kept):\n\n" + _md_table(person)
    )


def person_level_g(
    treated: pd.DataFrame, control: pd.DataFrame, outcome: str
) -> tuple[float, float, float, int]:
    """Person-level Hedges' g of ``outcome``, per seed, pooled over seeds (mean and 95% CI).

    Each treated run is paired with the control run of the same replication (and design point,
    when both have it); for each pair

        g = J * (mean_t - mean_c) / sqrt((sd_t^2 + sd_c^2) / 2),  J = 1 - 3 / (4 (n_t + n_c) - 9)

    with means and standard deviations across people at the end of the runs (the runner's
    ``person_*`` columns). Returns (g, lo, hi, pairs); NaN when the outcome has no person-level
    value.
    """
    from .runner import PERSON_VALUES

    v = PERSON_VALUES.get(outcome)
    cols = [f"person_mean_{v}", f"person_sd_{v}", "person_n"]
    if v is None or any(c not in treated.columns or c not in control.columns for c in cols):
        return math.nan, math.nan, math.nan, 0
    keys = ["replication"]
    if "point" in treated.columns and set(treated["point"]) == set(control["point"]):
        keys = ["point", "replication"]
    pairs = treated[keys + cols].merge(control[keys + cols], on=keys, suffixes=("_t", "_c"))
    pairs = pairs.drop_duplicates(keys)
    if pairs.empty:
        return math.nan, math.nan, math.nan, 0
    sd = np.sqrt((pairs[f"{cols[1]}_t"] ** 2 + pairs[f"{cols[1]}_c"] ** 2) / 2)
    n = pairs["person_n_t"] + pairs["person_n_c"]
    j = 1 - 3 / (4 * n - 9)
    diff = pairs[f"{cols[0]}_t"] - pairs[f"{cols[0]}_c"]
    g = (j * diff / sd.where(sd > 0)).to_numpy(dtype=float)
    m, lo, hi, k = mean_ci(g)
    return m, lo, hi, k


def _ratios(d: _Data, out: Path) -> str:
    """Ratios of two arms' Hedges' g against the control arm, with paired bootstrap intervals."""
    declared = d.config.get("ratios") or []
    control = (d.config.get("control") or {}).get("arm")
    if not declared or not control:
        return ""
    s = d.summary
    rows = []
    for i, r in enumerate(declared):
        arms = [r["numerator"], r["denominator"], control]
        o = r["outcome"]
        if o not in s.columns:
            continue
        wide = s[s.arm.isin(arms)].pivot(index=["point", "replication"], columns="arm", values=o)
        wide = wide.reindex(columns=arms)
        # The bootstrap's seed comes from the experiment's, so the report is reproducible.
        seed = int(np.random.SeedSequence([int(d.config["seed"]), 7919, i]).generate_state(1)[0])
        e = g_ratio(wide[arms[0]], wide[arms[1]], wide[arms[2]], seed=seed)
        rows.append(
            {
                "ratio": r["label"],
                "outcome": o,
                "numerator": r["numerator"],
                "denominator": r["denominator"],
                "g_numerator": e.g_numerator,
                "g_denominator": e.g_denominator,
                "value": e.ratio,
                "lo": e.ci_low,
                "hi": e.ci_high,
                "units": e.n,
                "resamples": e.resamples,
                "defined_fraction": e.defined,
                "seed": seed,
            }
        )
    if not rows:
        return ""
    table = pd.DataFrame(rows)
    _write_csv(table, out / "ratios.csv")
    shown = pd.DataFrame(
        {
            "ratio": table["ratio"],
            "outcome": table["outcome"],
            "g numerator": [
                f"{_fmt(g)} ({d.arm_labels.get(a, a)})"
                for g, a in zip(table.g_numerator, table.numerator, strict=True)
            ],
            "g denominator": [
                f"{_fmt(g)} ({d.arm_labels.get(a, a)})"
                for g, a in zip(table.g_denominator, table.denominator, strict=True)
            ],
            "ratio [95% CI]": [
                _ci_text(v, lo, hi)
                for v, lo, hi in zip(table.value, table.lo, table.hi, strict=True)
            ],
            "replications": table["units"],
        }
    )
    label = d.config["control"].get("label") or "control"
    return (
        f"### Ratios of effect sizes (each against {label})\n\n"
        "g(numerator arm vs control) / g(denominator arm vs control), on the same outcome. "
        "The 95% interval is a percentile bootstrap over replications, each replication's "
        "three runs resampled together because they share a seed (Efron & Tibshirani 1993); "
        "its seed is derived from the experiment seed. A ratio is unstable when the "
        "denominator's g is near zero. (Also in `ratios.csv`.)\n\n" + _md_table(shown)
    )


# --- markdown ------------------------------------------------------------------------------------
def _md_table(
    df: pd.DataFrame, cols: list[str] | None = None, names: list[str] | None = None
) -> str:  # noqa: E501
    cols = cols or list(df.columns)
    names = names or cols
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(_fmt(r[c]).replace("|", "\\|") for c in cols) + " |")
    return "\n".join(lines) + "\n"


def _outcome_table(d: _Data) -> str:
    if d.kind != "grid":
        return _distribution_table(d)
    rows = []
    for _, cond in d.conditions.head(MAX_ROWS).iterrows():
        runs = d.summary[(d.summary.arm == cond.arm) & (d.summary.point == cond.point)]
        rows.append(
            {
                "condition": cond.label,
                "runs": len(runs),
                **{o: _ci_text(*mean_ci(runs[o])[:3]) for o in d.outcomes},
            }
        )
    table = pd.DataFrame(rows)
    more = (
        f"\n({len(d.conditions) - MAX_ROWS} more conditions in summary.parquet)\n"
        if len(d.conditions) > MAX_ROWS
        else ""
    )
    return _md_table(table) + more


def _distribution_table(d: _Data) -> str:
    """Outcomes across all runs of a sampled design (per arm): mean, spread and percentiles."""
    rows = []
    for arm, grp in d.summary.groupby("arm", sort=False):
        for o in d.outcomes:
            x = grp[o].to_numpy(float)
            x = x[np.isfinite(x)]
            q = np.percentile(x, [10, 50, 90]) if len(x) else [math.nan] * 3
            rows.append(
                {
                    "arm": d.arm_labels.get(arm, arm),
                    "outcome": o,
                    "runs": len(x),
                    "mean": x.mean() if len(x) else math.nan,
                    "sd": x.std(ddof=1) if len(x) > 1 else math.nan,
                    "p10": q[0],
                    "median": q[1],
                    "p90": q[2],
                }
            )
    table = pd.DataFrame(rows)
    if not d.multi_arm:
        table = table.drop(columns="arm")
    return "Outcomes across the design's runs:\n\n" + _md_table(table)


def _facts_section(d: _Data) -> str:
    """Which conditions the stylised facts battery has checked, and how to check the others.

    The battery (``supportnet facts``) measures the model without interventions, at the defaults
    or a preset, with any parameter values given by ``--set``. A condition is covered when its
    parameters are the defaults (the battery of docs/validation.md); otherwise this gives the
    command that checks it.
    """
    from supportnet.params import PARAMETERS

    c = d.config
    base = dict(c.get("base") or {})
    arms = {a["name"]: a for a in c["arms"]}
    rows = []
    for _, cond in d.conditions.iterrows():
        arm = arms.get(cond["arm"], {})
        values = {**base, **(arm.get("set") or {})}
        for k in d.factors:
            if "." not in k:
                values[k] = cond[k]
        changed = {
            k: v for k, v in values.items() if k in PARAMETERS and v != PARAMETERS[k].default
        }
        with_ivs = bool(arm.get("interventions")) or any("." in k for k in d.factors)
        if not changed:
            how = "the defaults: checked by the battery in docs/validation.md"
        else:
            sets = " ".join(f"--set {k}={_fmt(v)}" for k, v in changed.items())
            how = f"not checked; `supportnet facts {sets}`"
        if with_ivs:
            how += " (the battery measures the model without interventions)"
        rows.append({"condition": cond["label"], "against the stylised facts": how})
        if len(rows) >= MAX_ROWS:
            break
    if not rows:
        return ""
    return (
        "\n## Checked against the stylised facts?\n\n"
        "The facts battery (`supportnet facts`; docs/validation.md) measures the model against "
        "the published patterns it exists to test. Results of a condition whose model fails a "
        "fact should be read with that failure in mind.\n\n" + _md_table(pd.DataFrame(rows))
    )


def _header(d: _Data) -> str:
    m, c = d.manifest, d.config
    prov = m.get("provenance", {})
    git = prov.get("git", {}) or {}
    commit = (git.get("commit") or "unknown")[:12] + (
        " (uncommitted changes)" if git.get("dirty") else ""
    )  # noqa: E501
    planned = m.get("runs_planned", "?")
    design = c["design"]
    if design["kind"] == "grid":
        what = (
            " x ".join(
                f"`{f['key']}` [{', '.join(_fmt(v) for v in f['values'])}]"
                for f in design["factors"]
            )
            or "no factors"
        )
        design_text = f"grid over {what}"
    else:
        what = ", ".join(f"`{f['key']}` [{f['low']:g}, {f['high']:g}]" for f in design["factors"])
        design_text = f"{design['kind']} design, samples = {design['samples']}, over {what}"
    control = c.get("control")
    control_text = ""
    if control:
        how = (
            f"arm `{control['arm']}`"
            if control.get("arm")
            else "design points with "
            + ", ".join(f"`{k}` = {_fmt(v)}" for k, v in control["where"].items())
        )  # noqa: E501
        control_text = f"- Control: {control['label']} ({how})\n"
    arms = ""
    if len(c["arms"]) > 1:
        arms = (
            "- Arms: "
            + ", ".join(f"{a['label'] or a['name']} (`{a['name']}`)" for a in c["arms"])
            + "\n"
        )  # noqa: E501
    return (
        f"# {c['title'] or c['name']}\n\n"
        + (f"{c['description']}\n\n" if c["description"] else "")
        + f"- Experiment `{c['name']}`, config hash `{m.get('config_hash')}`, seed {c['seed']}\n"
        f"- Design: {design_text}; {c['replications']} replication(s); {c['steps']} steps per run\n"
        + arms
        + control_text
        + f"- Runs: {len(d.summary)} finished, {len(d.failures)} failed, of {planned} planned\n"
        f"- Model: supportnet {prov.get('versions', {}).get('supportnet')}, mesa "
        f"{prov.get('versions', {}).get('mesa')}, git commit {commit}\n"
        f"- Outcomes: mean of each measure over the last {c['output']['outcome_window']} steps "
        "of a run; intervals are 95% t intervals across replications\n"
        f"- Report written {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n"
    )


def write_report(folder: str | Path) -> Report:
    """Write ``DIR/report/report.md`` and its PNG figures from a results folder.

    Args:
        folder: A folder written by ``supportnet sweep``.

    Returns:
        The paths written.

    Raises:
        ConfigError: If the folder is not a results folder.
    """
    folder = Path(folder)
    d = _load(folder)
    final = folder / "report"
    for leftover in folder.glob(".report-*-*"):  # from a report that was killed mid-way
        if not _alive(leftover.name.split("-")[2]):
            shutil.rmtree(leftover, ignore_errors=True)
    # Written into a new folder and swapped in at the end, so the old report stays whole (its
    # report.md never points at deleted figures) until the new one is complete.
    out = Path(tempfile.mkdtemp(prefix=f".report-new-{os.getpid()}-", dir=folder))
    try:
        figures = _write(d, out)
        _swap(out, final)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return Report(final / "report.md", [final / p.name for p in figures])


def _alive(pid: str) -> bool:
    """Whether process ``pid`` (text from a folder name) still runs (a report being written)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _swap(new: Path, final: Path) -> None:
    """Put the folder ``new`` in the place of ``final`` (two renames; the old one goes last)."""
    os.chmod(new, 0o777 & ~_umask())
    old = None
    if final.exists():
        old = final.with_name(f".report-old-{os.getpid()}-{time.monotonic_ns()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(d: _Data, out: Path) -> list[Path]:
    """Write the report's figures and report.md into the folder ``out``; return the figures."""
    figures: list[Path] = []
    parts = [_header(d)]
    if len(d.summary) == 0:
        parts.append("\nNo finished runs yet: run the sweep first.\n")
    else:
        steps = d.store.steps(d.summary["run_id"])
        d.steps = d.summary[["run_id", "arm", "point", *d.factors]].merge(steps, on="run_id")
        d.steps_columns = set(steps.columns)
        parts.append("\n## Outcomes\n")
        parts.append(_trajectories(d, out, figures))
        parts.append(_outcome_table(d))
        for factor in d.factors:
            parts.append(_vs_parameter(d, factor, out, figures))
        if d.kind in ("sobol", "morris"):
            parts.append(_sensitivity(d, out, figures))
        parts.append(_facts_section(d))
        parts.append("\n## Analyses\n")
        parts.append(_effect_sizes(d, out, figures))
        parts.append(_ratios(d, out))
        parts.append(_buffering(d, out, figures))
        parts.append(_loneliness_distance(d, out, figures))
    if d.failures:
        parts.append(f"\n## Failed runs ({len(d.failures)})\n\nTracebacks in `failures/`.\n")
        parts.append(
            _md_table(pd.DataFrame(d.failures).head(MAX_ROWS), ["run_id", "seed", "error"])
        )  # noqa: E501
    write_text(out / "report.md", "\n".join(p for p in parts if p))
    return figures
