"""Compare mode: two conditions side by side from the same seed, and their difference.

Condition A is the model as set in the controls; condition B is the same model with one change
(a parameter set differently, or the interventions switched off). Both are built from the same
seed, so when the change does not touch the starting network they start from the very same
people and ties, and every difference that grows is the change's doing. Step, Play and Reset
drive both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from supportnet import PARAMETERS, metrics

from .controls import FieldError, ParamControl, label_of
from .network import NetworkView
from .plots import (
    MEASURE_LABELS,
    Chart,
    compare_option,
    depression_by_support,
    difference_option,
    support_gradient_option,
)
from .session import Session

__all__ = ["CompareTab", "NO_INTERVENTIONS", "choices"]

#: The choice of B that switches A's interventions off.
NO_INTERVENTIONS = "(interventions off)"

#: Measures offered for the comparison plots: the outcomes, and how alike neighbours' loneliness
#: is (lesson 2 compares how contagion and withdrawal cluster loneliness).
COMPARE_MEASURES = (*metrics.OUTCOMES, metrics.LONELINESS_ASSORTATIVITY)


@solara.component
def CompareTab(
    session: Session,
    frame: int,
    colour_by: str,
    size_by: str,
    min_strength: float,
    on_change: Callable[[], None],
):
    """The compare tab: choose B's change, start or stop, then watch A and B."""
    param, set_param = solara.use_state("buffering")
    value, set_value = solara.use_state(False)
    measure, set_measure = solara.use_state(metrics.MEAN_DEPRESSION)

    def choose_param(name: str | None) -> None:
        if not name:  # the search box was cleared: keep the last choice
            return
        set_param(name)
        if name in PARAMETERS:
            p = PARAMETERS[name]
            # Start from a value that differs: the opposite switch, or the current value.
            current = session.values[name]
            set_value((not current) if p.type is bool else current)

    def start() -> None:
        if param == NO_INTERVENTIONS:
            session.start_comparison("", None)
        else:
            session.start_comparison(param, value)
        on_change()

    def stop() -> None:
        session.stop_comparison()
        on_change()

    if session.comparison is None:
        solara.Markdown(
            "Run two versions of the model side by side, from the **same seed**: "
            "A with the settings in the panel on the left, B with one thing changed. "
            "Then press Step or Play and watch them drift apart."
        )
        with solara.Column(style="max-width: 640px"):
            solara.v.Autocomplete(
                label="What B changes (type to search)",
                items=choices(bool(session.interventions)),
                v_model=param,
                on_v_model=choose_param,
                dense=True,
                outlined=True,
                hide_details=True,
                class_="sn-compare-param",
            )
            if param in PARAMETERS:
                ParamControl(
                    PARAMETERS[param],
                    value,
                    lambda _name, v: set_value(v),
                    prefix="B: ",
                    error=session.error_of("compare"),
                )
            else:
                FieldError(session.error_of("compare"), "compare")
            solara.Warning(
                f"Starting the comparison restarts the run: A and B both start again from step 0 "
                f"with seed {session.seed}"
                + (f" (your run is at step {session.run.steps})." if session.run.steps else "."),
                dense=True,
            )
            solara.Button("Start comparison", color="primary", on_click=start)
        return

    a, b = session.runs[0], session.runs[1]
    with solara.Row(style="align-items: center; flex-wrap: wrap"):
        solara.Markdown(
            f"**A**: as set · **{session.comparison.describe()}** · seed {a.seed} · step {a.steps}"
        )
        solara.Button("Stop comparison", on_click=stop, text=True, color="primary")
    solara.Select(
        "Measure",
        values=[MEASURE_LABELS[m] for m in COMPARE_MEASURES],
        value=MEASURE_LABELS[measure],
        on_value=lambda label: set_measure(_measure_of(label)),
    )
    with solara.Columns([1, 1]):
        for run in (a, b):
            with solara.Column():
                solara.Markdown(f"**{run.label}**: " + _summary(run))
                NetworkView(
                    run,
                    session.frame,
                    colour_by=colour_by,
                    size_by=size_by,
                    min_strength=min_strength,
                    name=f"network-{run.label}",
                )
    da, db = a.dataframe(), b.dataframe()
    with solara.Columns([1, 1]):
        Chart(compare_option(da, db, measure), "compare")
        Chart(difference_option(da, db, measure), "difference")
    # Who is protected: the stress-buffering picture (lesson 1), for both towns as they are now.
    gradients = [depression_by_support(run.model) for run in (a, b)]
    Chart(support_gradient_option(gradients), "support-gradient")


def choices(with_interventions: bool) -> list[dict[str, str]]:
    """The parameters B can change, by their plain names (search matches the meaning too)."""
    items = [
        {"text": f"{label_of(name)} — {p.meaning}" if p.meaning else label_of(name), "value": name}
        for name, p in PARAMETERS.items()
    ]
    if with_interventions:
        items.insert(
            0, {"text": "Interventions off (B runs without them)", "value": NO_INTERVENTIONS}
        )
    return items


def _measure_of(label: str) -> str:
    return next(m for m, lab in MEASURE_LABELS.items() if lab == label)


def _summary(run) -> str:
    m = run.model.measures
    parts: list[Any] = [
        f"{label_of('mean stress').lower()} {m[metrics.MEAN_STRESS]:.3f}",
        f"cases {100 * m[metrics.CASE_PREVALENCE]:.1f}%",
        f"lonely {100 * m[metrics.LONELY_FRACTION]:.1f}%",
    ]
    return ", ".join(parts)
