"""Live plots: ECharts options built from the model's per-step measures.

Each function returns a plain ECharts ``option`` dict (JSON), so the browser draws the chart and
a frame only sends the numbers. Long runs are thinned to at most :data:`MAX_POINTS` points per
line (every k-th step, the last one always kept), so a frame's message stays small however long
the run. Measure names come from :mod:`supportnet.metrics`, never string literals of our own.

The charts over time shade the town's warm-up (steps 0 to :data:`SETTLING_STEPS`) grey and mark
it *settling*, so that the town settling from its made-up start is not read as a result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from math import isfinite
from typing import Any

import numpy as np
import pandas as pd
import solara

from supportnet import metrics
from supportnet.kinds import SUPPORT_TYPES, TIE_KINDS

from .network import KIND_COLOURS

__all__ = [
    "Chart",
    "MAX_POINTS",
    "MEASURE_LABELS",
    "SETTLING_STEPS",
    "compare_option",
    "depression_by_support",
    "difference_option",
    "histogram_option",
    "line_option",
    "mood_option",
    "network_option",
    "person_option",
    "strain_option",
    "support_gradient_option",
    "support_kind_option",
    "support_type_option",
    "thin",
    "wellbeing_option",
]

MAX_POINTS = 400

#: Steps the standard starting town takes to settle, shaded "settling" on the charts over time.
#: Measured (docs/validation.md, the stationary fact; docs/model.md, section 2): the tie count and
#: most measures settle within about 300 steps, but loneliness (and depression with it) keeps
#: rising a few per cent until about step 800, as lonely people end up at the edge of the network
#: at the pace ties turn over. Measured on the default town; other towns settle at their own pace.
SETTLING_STEPS = 800

#: The "settling" label is left off a shaded stretch narrower than this share of the chart (a
#: long run, or one that starts just before the end of the warm-up), where it would spill over
#: the steps after it.
_SETTLING_LABEL_MIN_SHARE = 0.05

#: Words for the measures the plots show.
MEASURE_LABELS: Mapping[str, str] = {
    metrics.MEAN_STRESS: "Mean stress",
    metrics.MEAN_DEPRESSION: "Mean depression",
    metrics.MEAN_LONELINESS: "Mean loneliness",
    metrics.MEAN_PERCEIVED_SUPPORT: "Mean perceived support",
    metrics.MEAN_CAPACITY: "Mean capacity",
    metrics.CASE_PREVALENCE: "Depression cases (share)",
    metrics.LONELY_FRACTION: "Lonely (share)",
    metrics.UNMET_NEED: "Unmet need (mean)",
    metrics.BURNT_OUT: "Burnt-out givers (share)",
    metrics.ASKED_FRACTION: "Asked for help (share)",
    metrics.EVENT_FRACTION: "Met a life event (share)",
    metrics.SUPPORT_GIVEN: "Support given (total)",
    metrics.MEAN_DEGREE: "Mean ties per person",
    metrics.CLUSTERING: "Clustering",
    metrics.ISOLATES: "People with no ties",
    metrics.COMPONENTS: "Separate groups (components)",
    metrics.LONELINESS_ASSORTATIVITY: "Loneliness similarity of neighbours",
    metrics.TIES: "Ties",
    metrics.TIES_FORMED: "Ties formed this step",
    metrics.TIES_ENDED: "Ties ended this step",
    "neutral_share": "Neutral (share)",
    "content_share": "Content (share)",
    "discontent_share": "Discontent (share)",
    **{
        name: f"{t.capitalize()} support given"
        for name, t in zip(metrics.SUPPORT_BY_TYPE, SUPPORT_TYPES, strict=True)
    },
    **{
        name: f"Support via {k} ties"
        for name, k in zip(metrics.SUPPORT_BY_KIND, TIE_KINDS, strict=True)
    },
}

_COLOURS = {
    "content_share": "#fed976",
    "neutral_share": "#fd8d3c",
    "discontent_share": "#800026",
    metrics.MEAN_STRESS: "#d62728",
    metrics.MEAN_DEPRESSION: "#6a3d9a",
    metrics.MEAN_LONELINESS: "#1f77b4",
    metrics.MEAN_PERCEIVED_SUPPORT: "#2ca02c",
    metrics.MEAN_CAPACITY: "#ff7f0e",
    metrics.CASE_PREVALENCE: "#b15928",
    metrics.LONELY_FRACTION: "#17becf",
}


def thin(df: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Return every k-th row of ``df`` so at most about ``max_points`` remain (the last kept)."""
    if len(df) <= max_points:
        return df
    k = int(np.ceil(len(df) / max_points))
    keep = np.zeros(len(df), bool)
    keep[::k] = True
    keep[-1] = True
    return df[keep]


def _num(x: Any) -> float | None:
    """A JSON-safe number: NaN and infinities become None (a gap in the line)."""
    x = float(x)
    return round(x, 5) if np.isfinite(x) else None


def _points(steps: np.ndarray, values: np.ndarray) -> list[list[int | float | None]]:
    """``[[step, value], ...]`` as :func:`_num` makes them (a gap for NaN and infinities).

    The same numbers as calling :func:`_num` on each point, built from plain Python numbers:
    a chart has thousands of points and is rebuilt at every picture of every session, and the
    numpy scalar per point cost more than the rest of the picture's Python.
    """
    steps = np.asarray(steps).astype(np.int64).tolist()
    values = np.asarray(values, dtype=float).tolist()
    return [[s, round(v, 5) if isfinite(v) else None] for s, v in zip(steps, values, strict=True)]


def _series(df: pd.DataFrame, col: str, name: str, **extra: Any) -> dict[str, Any]:
    data = _points(df.index.to_numpy(), df[col].to_numpy(dtype=float))
    out = {
        "name": name,
        "type": "line",
        "showSymbol": len(data) < 3,  # a line of one point is invisible without its symbol
        "data": data,
        "lineStyle": {"width": 2},
    }
    if col in _COLOURS:
        out["color"] = _COLOURS[col]
    out.update(extra)
    return out


def _base(title: str, y_name: str = "", y_max: float | str | None = None) -> dict[str, Any]:
    y: dict[str, Any] = {"type": "value", "name": y_name, "min": 0}
    if y_max is not None:
        y["max"] = y_max
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "itemWidth": 14, "itemGap": 6, "textStyle": {"fontSize": 11}},
        "grid": {"left": 48, "right": 48, "top": 50, "bottom": 84},
        "xAxis": {
            "type": "value",
            "name": "step",
            # Below the axis, not at its end, where a second y axis puts its labels.
            "nameLocation": "middle",
            "nameGap": 22,
            "min": "dataMin",
            "max": "dataMax",
            "minInterval": 1,
        },
        "yAxis": y,
        "series": [],
    }


def _shade_settling(opt: dict[str, Any]) -> dict[str, Any]:
    """Shade the part of the warm-up (steps 0 to :data:`SETTLING_STEPS`) that the chart shows.

    The shaded stretch runs from the chart's first step to its last or to the end of the warm-up,
    whichever comes first; a chart whose steps all lie after the warm-up (a person's recent
    history late in a run) shows none. The shade is a ``markArea`` of the first series: it spans
    the whole height of the chart, whichever y axis the series is on, and is drawn under the
    lines. Hiding the first series (clicking its legend entry) hides the shade with it.
    """
    ends = [s["data"][i][0] for s in opt["series"] if s["data"] for i in (0, -1)]
    if not ends:
        return opt
    first, last = min(ends), max(ends)
    end = min(last, SETTLING_STEPS)
    if end <= first:
        return opt
    show_label = (end - first) >= _SETTLING_LABEL_MIN_SHARE * (last - first)
    opt["series"][0]["markArea"] = {
        "silent": True,  # no hover: pointing at the chart still shows the lines' values
        "itemStyle": {"color": "rgba(128, 128, 128, 0.14)"},
        "label": {
            "show": show_label,
            "position": "insideTop",
            "color": "#666666",
            "fontSize": 11,
        },
        "data": [[{"name": "settling", "xAxis": first}, {"xAxis": end}]],
    }
    return opt


def line_option(
    df: pd.DataFrame,
    columns: Sequence[str],
    title: str,
    y_name: str = "",
    y_max: float | None = None,
) -> dict[str, Any]:
    """A line chart of ``columns`` of ``df`` (index = step), the warm-up shaded."""
    df = thin(df[list(columns)])  # the chart's columns only: thinning copies what it keeps
    opt = _base(title, y_name, y_max)
    opt["series"] = [_series(df, c, MEASURE_LABELS.get(c, c)) for c in columns]
    return _shade_settling(opt)


def wellbeing_option(df: pd.DataFrame) -> dict[str, Any]:
    """Main measures over time: means, case prevalence, lonely fraction (all in [0, 1])."""
    cols = (
        metrics.MEAN_STRESS,
        metrics.MEAN_DEPRESSION,
        metrics.MEAN_LONELINESS,
        metrics.MEAN_PERCEIVED_SUPPORT,
        metrics.CASE_PREVALENCE,
        metrics.LONELY_FRACTION,
    )
    return line_option(df, cols, "Wellbeing over time", "share / level", y_max=1)


def mood_option(df: pd.DataFrame) -> dict[str, Any]:
    """SISa mood state shares over time (in the network view's mood colours).

    Without the mood layer (``sisa`` off) the table has no mood columns: the chart says so.
    """
    if not set(metrics.MOOD_MEASURES) <= set(df.columns):
        opt = _base("Moods over time: the SISa mood layer is off (switch sisa on)", "share", 1)
        opt["series"] = []
        return opt
    return line_option(df, metrics.MOOD_MEASURES, "Moods over time (SISa)", "share", y_max=1)


def strain_option(df: pd.DataFrame) -> dict[str, Any]:
    """Unmet need (its own axis), burnt-out givers and help-seeking over time."""
    opt = line_option(
        df,
        (metrics.BURNT_OUT, metrics.ASKED_FRACTION, metrics.EVENT_FRACTION),
        "Strain over time",
        "share",
        y_max=1,
    )
    return _on_second_axis(opt, df, metrics.UNMET_NEED, {"name": "unmet need", "min": 0})


def support_type_option(df: pd.DataFrame) -> dict[str, Any]:
    """Support given each step by type."""
    return line_option(df, metrics.SUPPORT_BY_TYPE, "Support given by type", "support per step")


def support_kind_option(df: pd.DataFrame) -> dict[str, Any]:
    """Support given each step by tie kind (in the network view's tie colours)."""
    opt = line_option(df, metrics.SUPPORT_BY_KIND, "Support given by tie kind", "support per step")
    for s, c in zip(opt["series"], KIND_COLOURS, strict=True):
        s["color"] = c
    return opt


def network_option(df: pd.DataFrame) -> dict[str, Any]:
    """Network measures over time: mean ties, isolates, components; clustering on its own axis."""
    opt = line_option(
        df,
        (metrics.MEAN_DEGREE, metrics.ISOLATES, metrics.COMPONENTS),
        "Network over time",
        "count",
    )
    axis = {"name": "clustering", "min": 0, "max": 1}
    return _on_second_axis(opt, df, metrics.CLUSTERING, axis)


def _on_second_axis(
    opt: dict[str, Any], df: pd.DataFrame, column: str, axis: dict[str, Any]
) -> dict[str, Any]:
    """Add ``column`` to a line chart as a series on a second y axis described by ``axis``."""
    opt["yAxis"] = [opt["yAxis"], {"type": "value", **axis}]
    opt["series"].append(_series(thin(df), column, MEASURE_LABELS[column], yAxisIndex=1))
    return opt


def histogram_option(
    values: np.ndarray,
    title: str,
    bins: int = 20,
    value_range: tuple[float, float] | None = (0.0, 1.0),
    colour: str = "#5470c6",
    x_name: str = "",
    integer: bool = False,
) -> dict[str, Any]:
    """A histogram of ``values`` (people), as a bar chart of counts per bin.

    With ``integer``, bins are whole-number ranges from 0 (counts such as ties per person).
    """
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if integer:
        top = int(values.max()) if len(values) else 0
        width = max(1, int(np.ceil((top + 1) / bins)))
        edges = np.arange(0, top + width + 1, width)
        counts, _ = np.histogram(values, bins=edges)
        labels = [
            str(int(a)) if width == 1 else f"{int(a)}-{int(b) - 1}"
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
    else:
        if value_range is None:
            hi = float(values.max()) if len(values) else 1.0
            value_range = (0.0, max(hi, 1.0))
        counts, edges = np.histogram(values, bins=bins, range=value_range)
        labels = [f"{(a + b) / 2:.3g}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 16, "top": 40, "bottom": 40},
        "xAxis": {
            "type": "category",
            "data": labels,
            "name": x_name,
            "nameLocation": "center",
            "nameGap": 26,
        },  # fmt: skip
        "yAxis": {"type": "value", "name": "people", "minInterval": 1},
        "series": [
            {"type": "bar", "data": counts.tolist(), "barCategoryGap": "5%", "color": colour}
        ],
    }


def compare_option(a: pd.DataFrame, b: pd.DataFrame, measure: str, labels=("A", "B")) -> dict:
    """Measure ``measure`` of runs A and B over time, the warm-up shaded."""
    name = MEASURE_LABELS.get(measure, measure)
    opt = _base(f"{name}: A and B", name)
    opt["series"] = [
        _series(thin(a), measure, labels[0], color="#1f77b4"),
        _series(thin(b), measure, labels[1], color="#ff7f0e"),
    ]
    return _shade_settling(opt)


def difference_option(a: pd.DataFrame, b: pd.DataFrame, measure: str) -> dict[str, Any]:
    """B minus A of ``measure`` over the steps both have run, with the zero line marked.

    The warm-up is not shaded here: A and B are matched towns that settle together, so their
    difference is the change's doing from the first step (the lessons read it at step 300).
    """
    name = MEASURE_LABELS.get(measure, measure)
    common = a.index.intersection(b.index)
    diff = pd.DataFrame({"d": b.loc[common, measure] - a.loc[common, measure]})
    opt = _base(f"Difference B − A: {name}", "B − A")
    opt["yAxis"].pop("min")
    opt["series"] = [
        _series(
            thin(diff),
            "d",
            "B − A",
            color="#444444",
            areaStyle={"opacity": 0.25},
            markLine={"silent": True, "symbol": "none", "data": [{"yAxis": 0}]},
        )
    ]
    return opt


#: Groups of people by perceived support in the support-gradient chart (fifths).
SUPPORT_GROUPS = ("lowest fifth", "second", "middle", "fourth", "highest fifth")


def depression_by_support(model, groups: int = len(SUPPORT_GROUPS)) -> list[float | None]:
    """Mean depression of the town's people in each fifth of perceived support, lowest first.

    Fifths are by rank within the town (ties in perceived support are split by person number),
    so each holds the same number of people whatever the town's level of support. This is the
    picture of stress buffering (Cohen & Wills 1985): where support buffers stress, the least
    supported are much more depressed than the most supported, and more so the more stress
    there is. None for a group with nobody in it (a town of fewer people than groups).
    """
    pop = model.population
    support, depression = pop.perceived_support[pop.members], pop.depression[pop.members]
    order = np.argsort(support, kind="stable")
    return [
        _num(part.mean()) if len(part) else None
        for part in np.array_split(depression[order], groups)
    ]


def support_gradient_option(
    gradients: Sequence[Sequence[float | None]], labels: Sequence[str] = ("A", "B")
) -> dict[str, Any]:
    """Mean depression by fifth of perceived support, one line per town (see above)."""
    colours = ("#1f77b4", "#ff7f0e")
    return {
        "animation": False,
        "title": {
            "text": "Who is protected: depression by perceived support (now)",
            "left": 0,
            "textStyle": {"fontSize": 14},
        },
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "itemWidth": 14, "textStyle": {"fontSize": 11}},
        "grid": {"left": 48, "right": 24, "top": 50, "bottom": 64},
        "xAxis": {
            "type": "category",
            "data": list(SUPPORT_GROUPS),
            "name": "people grouped by their perceived support",
            "nameLocation": "middle",
            "nameGap": 24,
        },
        "yAxis": {"type": "value", "name": "mean depression", "min": 0},
        "series": [
            {
                "type": "line",
                "name": label,
                "data": list(values),
                "color": colours[i % 2],
                "symbolSize": 7,
            }
            for i, (label, values) in enumerate(zip(labels, gradients, strict=True))
        ],
    }


def person_option(series: pd.DataFrame, person: int) -> dict[str, Any]:
    """One person's recorded states over time."""
    cols = {c: c.replace("_", " ").capitalize() for c in series.columns}
    # Professionals' capacity runs above 1; everyone else's states are in [0, 1].
    top = 1 if series.empty or float(np.nanmax(series.to_numpy())) <= 1 else "dataMax"
    opt = _base(f"Person {person} over time", "level", y_max=top)
    opt["series"] = [
        _series(thin(series), c, label, **_colour_of(f"mean_{c}")) for c, label in cols.items()
    ]
    return _shade_settling(opt)


def _colour_of(measure: str) -> dict[str, str]:
    return {"color": _COLOURS[measure]} if measure in _COLOURS else {}


@solara.component_vue("chart.vue", vuetify=False)
def _EChart(spec: str, name: str, height: int):
    pass


def Chart(option: dict, name: str, height: int = 260):
    """An ECharts figure named ``name`` (its ``data-chart`` attribute, for tests).

    Not ``solara.FigureEcharts``: that one initialises ECharts after an asynchronous load without
    checking it is still on the page, which throws when a tab is switched quickly.

    A function, not a component, and the option goes to the page as JSON text: Solara's renderer
    walks every list and dict in the arguments of the elements it draws (looking for elements
    inside), and a chart's thousands of numbers cost it about 10 ms per picture at a few hundred
    steps, for each session at each frame.
    """
    return _EChart(spec=json.dumps(option, separators=(",", ":")), name=name, height=height)
