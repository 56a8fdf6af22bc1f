"""The results explorer: open a finished sweep folder and plot an outcome against a parameter.

A sweep folder (written by ``supportnet sweep``, see docs/experiments.md) holds ``manifest.json``
and ``summary.parquet`` with one row per run: the run's id, the values of the varied parameters
(factors), its seed and its outcome measures. The reader here is deliberately tolerant, so it
opens folders from older or newer versions: a missing or partial manifest, a ``summary.csv``
instead of Parquet, or extra and missing columns are all handled, and what had to be guessed is
listed in :attr:`Sweep.notes`. Factors are the columns the manifest names as varied, plus any
model parameter that takes more than one value; outcomes are the other numeric columns.

The plot shows the mean of an outcome at each value of a factor with a band across replications
(95% confidence interval of the mean, one standard deviation, or the range), one line per value
of an optional second factor. Factors sampled continuously (Latin hypercube, Sobol) are binned.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure

from supportnet import PARAMETERS
from supportnet.experiments.stats import ci_frame

from .inspector import markdown_table
from .plots import MEASURE_LABELS

__all__ = [
    "BANDS",
    "ID_COLUMNS",
    "ResultsExplorer",
    "Sweep",
    "SweepError",
    "band_figure",
    "band_table",
    "find_sweeps",
    "inside_root",
    "open_sweep",
    "results_root",
]

#: Columns that identify a run rather than describe it.
ID_COLUMNS = ("run_id", "arm", "point", "replication", "seed", "worker", "elapsed", "digest")
#: Band choices: key -> words.
BANDS = {"ci95": "95% confidence interval of the mean", "sd": "± 1 standard deviation",
         "range": "lowest to highest run"}  # fmt: skip
#: A numeric factor with more distinct values than this is binned (sampled designs).
MAX_LEVELS = 25
#: Environment variable naming the folder whose sweeps are listed (``supportnet dashboard
#: --results DIR`` sets it).
RESULTS_ENV = "SUPPORTNET_RESULTS_DIR"


class SweepError(ValueError):
    """A folder that cannot be read as a sweep; the message says which file and why."""


@dataclass
class Sweep:
    """A sweep folder as read.

    Attributes:
        folder: The folder.
        name: The experiment's name (the manifest's, else the folder's).
        title: A one-line title.
        manifest: The manifest (empty when there is none).
        summary: One row per run.
        factors: Columns that vary across runs (parameters, arms), in the manifest's order.
        outcomes: Numeric outcome columns.
        notes: What the reader had to guess or skip.
    """

    folder: Path
    name: str
    title: str
    manifest: dict[str, Any]
    summary: pd.DataFrame
    factors: list[str]
    outcomes: list[str]
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Return a markdown paragraph about the sweep."""
        m = self.manifest
        parts = [f"**{self.title}** (`{self.name}`, folder `{self.folder}`)"]
        planned = m.get("runs_planned")
        parts.append(
            f"{len(self.summary)} runs in the summary"
            + (f" of {planned} planned" if planned else "")
        )
        if "seed" in m:
            parts.append(f"experiment seed {m['seed']}")
        design = (m.get("config") or {}).get("design") or {}
        if design.get("kind"):
            parts.append(f"design: {design['kind']}")
        parts.append("varied: " + (", ".join(f"`{f}`" for f in self.factors) or "nothing"))
        return " · ".join(parts)


def results_root() -> Path:
    """Return the folder whose sweeps the explorer lists (``results/`` unless set)."""
    return Path(os.environ.get(RESULTS_ENV) or "results")


def inside_root(text: str, root: Path | str) -> Path:
    """Return the folder ``text`` names, if it lies inside ``root``; raise SweepError if not.

    A relative path is taken relative to ``root``. The check is made on the resolved path
    (symbolic links and ``..`` followed) and before anything is looked up, so the page tells
    nothing about folders outside ``root``, whether they exist or not.
    """
    base = Path(root).expanduser().resolve()
    path = Path(text.strip()).expanduser()
    path = (path if path.is_absolute() else base / path).resolve()
    if not path.is_relative_to(base):
        raise SweepError(
            f"only folders inside {base} can be opened here (the dashboard was started with "
            "--results naming that folder)"
        )
    return path


def find_sweeps(root: Path | str) -> list[Path]:
    """Return the sweep folders directly under ``root`` (those with a manifest or a summary)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if child.is_dir() and any(
            (child / f).is_file() for f in ("manifest.json", "summary.parquet", "summary.csv")
        ):
            found.append(child)
    return found


def _read_manifest(folder: Path, notes: list[str]) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        notes.append("no manifest.json: the varied parameters were guessed from the table")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        notes.append(f"manifest.json could not be read ({exc}); it was ignored")
        return {}
    if not isinstance(data, dict):
        notes.append("manifest.json is not a JSON object; it was ignored")
        return {}
    return data


def _read_summary(folder: Path, notes: list[str]) -> pd.DataFrame:
    parquet, csv = folder / "summary.parquet", folder / "summary.csv"
    if parquet.is_file():
        try:
            return pd.read_parquet(parquet)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            if not csv.is_file():
                raise SweepError(f"{parquet}: cannot be read ({exc})") from None
            notes.append(f"summary.parquet could not be read ({exc}); summary.csv was used")
    if csv.is_file():
        try:
            return pd.read_csv(csv)
        except Exception as exc:
            raise SweepError(f"{csv}: cannot be read ({exc})") from None
    raise SweepError(
        f"{folder}: no summary.parquet (or summary.csv); give a folder that `supportnet sweep` "
        "finished writing"
    )


def _factor_order(manifest: dict[str, Any]) -> list[str]:
    design = (manifest.get("config") or {}).get("design") or {}
    keys = []
    for f in design.get("factors") or []:
        key = f.get("key") if isinstance(f, dict) else f
        if isinstance(key, str):
            keys.append(key)
    return keys


def open_sweep(folder: Path | str) -> Sweep:
    """Read a sweep folder.

    Args:
        folder: The folder (``results/<name>``).

    Returns:
        The sweep, with its factors and outcomes recognised.

    Raises:
        SweepError: If the folder does not exist or has no readable summary table, or the
            table has no rows or no numeric outcome.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise SweepError(f"{folder}: no such folder")
    notes: list[str] = []
    manifest = _read_manifest(folder, notes)
    df = _read_summary(folder, notes)
    if df.empty:
        raise SweepError(f"{folder}: the summary table has no runs yet")
    declared = _factor_order(manifest)
    missing = [k for k in declared if k not in df.columns]
    if missing:
        notes.append("varied in the manifest but not in the table: " + ", ".join(missing))
    candidates = [k for k in declared if k in df.columns]
    candidates += [c for c in df.columns if c in PARAMETERS and c not in candidates]
    if "arm" in df.columns:
        candidates.append("arm")
    factors = [c for c in candidates if df[c].nunique(dropna=True) > 1]
    ids = set(ID_COLUMNS)
    outcomes = [
        c
        for c in df.columns
        if c not in ids
        and c not in candidates
        and pd.api.types.is_numeric_dtype(df[c])
        and not pd.api.types.is_bool_dtype(df[c])
        and np.isfinite(df[c].to_numpy(dtype=float)).any()
    ]
    declared_out = ((manifest.get("config") or {}).get("output") or {}).get("outcomes") or []
    outcomes.sort(key=lambda c: declared_out.index(c) if c in declared_out else len(declared_out))
    if not outcomes:
        raise SweepError(f"{folder}: the summary table has no numeric outcome columns")
    if not factors:
        notes.append("no parameter varies across runs: the plot shows the replications")
    name = str(manifest.get("experiment") or folder.name)
    title = str(manifest.get("title") or name)
    return Sweep(folder, name, title, manifest, df, factors, outcomes, notes)


def band_table(
    df: pd.DataFrame,
    factor: str | None,
    outcome: str,
    band: str = "ci95",
    by: str | None = None,
    bins: int = 10,
) -> pd.DataFrame:
    """Summarise ``outcome`` at each value of ``factor`` (and of ``by``) across replications.

    Args:
        df: The summary table.
        factor: Column on the x axis; None groups all runs together.
        outcome: The numeric outcome.
        band: A key of :data:`BANDS`.
        by: Optional second factor: one line per value.
        bins: Bins for a numeric factor with more than :data:`MAX_LEVELS` values.

    Returns:
        Columns ``x``, ``group``, ``n``, ``mean``, ``low``, ``high``, sorted by group and x.

    Raises:
        ValueError: For an unknown column or band.
    """
    for col in (factor, outcome, by):
        if col is not None and col not in df.columns:
            raise ValueError(f"column {col!r} is not in the summary table")
    if band not in BANDS:
        raise ValueError(f"band must be one of {', '.join(BANDS)}, got {band!r}")
    data = pd.DataFrame({"y": pd.to_numeric(df[outcome], errors="coerce")})
    data["group"] = df[by].astype(str) if by else ""
    if factor is None:
        data["x"] = 0
    elif pd.api.types.is_numeric_dtype(df[factor]) and df[factor].nunique() > MAX_LEVELS:
        # Sampled designs: equal-count bins, each shown at the mean of its values.
        codes = pd.qcut(df[factor], q=bins, labels=False, duplicates="drop")
        data["x"] = df[factor].groupby(codes).transform("mean")
    else:
        data["x"] = df[factor]
    columns = ["x", "group", "n", "mean", "low", "high"]
    data = data[np.isfinite(data["y"])].dropna(subset=["group", "x"])
    if data.empty:
        return pd.DataFrame(columns=columns)
    if band == "ci95":
        out = ci_frame(data, ["group", "x"], "y").rename(columns={"lo": "low", "hi": "high"})
        single = out["n"] < 2  # no interval from one run: the band shrinks to the mean
        out.loc[single, "low"] = out.loc[single, "high"] = out.loc[single, "mean"]
    else:
        g = data.groupby(["group", "x"], sort=False)["y"]
        if band == "sd":
            out = g.agg(n="size", mean="mean", sd="std").reset_index()
            sd = out["sd"].fillna(0.0)  # one run: no spread
            out["low"], out["high"] = out["mean"] - sd, out["mean"] + sd
        else:
            out = g.agg(n="size", mean="mean", low="min", high="max").reset_index()
    return out.sort_values(["group", "x"], ignore_index=True)[columns]


def band_figure(
    table: pd.DataFrame,
    runs: pd.DataFrame | None,
    factor: str | None,
    outcome: str,
    band: str,
    by: str | None = None,
) -> Figure:
    """Draw ``band_table``'s result: mean lines with bands, and each run as a faint dot."""
    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    x_type = table["x"].dtype
    categorical = pd.api.types.is_bool_dtype(x_type) or not pd.api.types.is_numeric_dtype(x_type)
    if categorical:
        levels = list(dict.fromkeys(table["x"].astype(str)))
        where = {lev: i for i, lev in enumerate(levels)}
    for group, g in table.groupby("group", sort=True):
        x = g["x"].astype(str).map(where).to_numpy() if categorical else g["x"].to_numpy(float)
        label = f"{by} = {group}" if by else "mean"
        (line,) = ax.plot(x, g["mean"], marker="o", label=label)
        ax.fill_between(x, g["low"], g["high"], color=line.get_color(), alpha=0.2)
    if runs is not None and factor is not None and not categorical:
        ax.scatter(runs[factor], runs[outcome], s=6, color="0.5", alpha=0.4, label="runs")
    if categorical:
        ax.set_xticks(range(len(levels)), levels)
    ax.set_xlabel(factor or "all runs")
    ax.set_ylabel(MEASURE_LABELS.get(outcome, outcome))
    ax.set_title(f"{outcome} by {factor or 'run'} (band: {BANDS[band]})", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


@solara.component
def ResultsExplorer():
    """The results tab: pick a sweep folder, then an outcome, a parameter and a band."""
    root = results_root()
    typed, set_typed = solara.use_state("")
    sweep, set_sweep = solara.use_state(None)
    error, set_error = solara.use_state(None)
    outcome, set_outcome = solara.use_state(None)
    factor, set_factor = solara.use_state(None)
    by, set_by = solara.use_state(None)
    band, set_band = solara.use_state("ci95")
    found = solara.use_memo(lambda: find_sweeps(root), [str(root), sweep is None])

    def load(path: str) -> None:
        try:
            s = open_sweep(inside_root(path, root))
        except SweepError as exc:
            set_error(str(exc))
            return
        except Exception as exc:  # an unreadable folder must not take the page down
            set_error(f"{path}: cannot be read ({type(exc).__name__}: {exc})")
            return
        set_error(None)
        set_sweep(s)
        set_outcome(s.outcomes[0])
        set_factor(s.factors[0] if s.factors else None)
        set_by(None)

    solara.Markdown(
        "Open a finished sweep (`supportnet sweep CONFIG` writes one into "
        f"`{root}/<name>/`) and plot an outcome against a parameter, with a band across "
        "the replications."
    )
    with solara.Row(style="align-items: center; flex-wrap: wrap"):
        if found:
            solara.Select(
                "Sweeps in " + str(root),
                values=[str(p) for p in found],
                value=str(sweep.folder) if sweep and sweep.folder in found else None,
                on_value=load,
                style="min-width: 260px",
            )
        solara.InputText("Folder", value=typed, on_value=set_typed, style="min-width: 280px")
        solara.Button("Open", on_click=lambda: load(typed), color="primary", disabled=not typed)
    if not found:
        solara.Text(f"No sweep folders in {root} yet: type a folder's path.")
    if error:
        solara.Error(error)
    if sweep is None:
        return
    # The selections are set one by one after a sweep opens, and a render can come in between:
    # one that does not belong to this sweep falls back to its first choice.
    outcome = outcome if outcome in sweep.outcomes else sweep.outcomes[0]
    factor = factor if factor in sweep.factors else None
    solara.Markdown(sweep.describe())
    for note in sweep.notes:
        solara.Text("Note: " + note, style="font-size: 12px; color: #8a6d3b")
    no_factor = "(all runs together)"
    none_by = "(one line)"
    with solara.Row(style="flex-wrap: wrap"):
        solara.Select("Outcome", values=sweep.outcomes, value=outcome, on_value=set_outcome)
        solara.Select(
            "Parameter",
            values=[*sweep.factors, no_factor],
            value=factor or no_factor,
            on_value=lambda v: set_factor(None if v == no_factor else v),
        )
        others = [f for f in sweep.factors if f != factor]
        solara.Select(
            "Lines by",
            values=[none_by, *others],
            value=by if by in others else none_by,
            on_value=lambda v: set_by(None if v == none_by else v),
        )
        solara.Select(
            "Band",
            values=list(BANDS.values()),
            value=BANDS[band],
            on_value=lambda v: set_band(next(k for k, w in BANDS.items() if w == v)),
        )
    line_by = by if by in sweep.factors and by != factor else None
    try:
        table = band_table(sweep.summary, factor, outcome, band, by=line_by)
        fig = band_figure(table, sweep.summary, factor, outcome, band, by=line_by)
    except Exception as exc:  # a table the reader let through but cannot plot: say so
        solara.Error(f"cannot plot {outcome} by {factor or 'run'}: {type(exc).__name__}: {exc}")
        return
    with solara.Column(classes=["sn-results-figure"]):
        solara.FigureMatplotlib(fig, format="png")
    solara.Markdown(markdown_table(table.rename(columns={"x": factor or "runs"}), limit=40))
