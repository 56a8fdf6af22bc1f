"""The dashboard page: controls on the left, the model and its views in tabs.

``Page`` is what ``supportnet dashboard`` serves (``solara run supportnet.dashboards.app``). Every
browser session renders its own ``Page`` and so builds its own
:class:`~supportnet.dashboards.session.Session`: in a classroom each student's model is their own.

Why not Mesa's ``SolaraViz`` as a whole: its controller rebuilds the model from a flat list of
keyword controls (no groups, no help text, no presets, no seed as a number), steps one model (no
compare mode) and its network drawing recomputes a layout per frame. The page keeps its
vocabulary and behaviour (Reset/Step/Play, a speed control, plots that follow each step), with
components that meet this project's needs.
"""

from __future__ import annotations

import time

import solara

from supportnet import metrics

from .compare import CompareTab
from .controls import InterventionPanel, ParameterPanel, PresetPicker, RunControls, use_stable
from .info import InfoTab
from .inspector import Inspector, PersonCard
from .network import NetworkView
from .plots import (
    Chart,
    histogram_option,
    network_option,
    strain_option,
    support_kind_option,
    support_type_option,
    wellbeing_option,
)
from .results import ResultsExplorer
from .session import COLOUR_MEASURES, SIZE_MEASURES, SPEEDS, Session, interventions_available

__all__ = ["MIN_FRAME", "Page", "page_gone"]

#: Shortest time between two frames of Play (seconds), so a browser is never flooded.
MIN_FRAME = 0.05

_MONITORS = (
    (metrics.MEAN_STRESS, "Mean stress", "{:.3f}"),
    (metrics.MEAN_DEPRESSION, "Mean depression", "{:.3f}"),
    (metrics.CASE_PREVALENCE, "Depression cases", "{:.1%}"),
    (metrics.MEAN_LONELINESS, "Mean loneliness", "{:.3f}"),
    (metrics.LONELY_FRACTION, "Lonely", "{:.1%}"),
    (metrics.MEAN_PERCEIVED_SUPPORT, "Perceived support", "{:.3f}"),
    (metrics.BURNT_OUT, "Burnt-out givers", "{:.1%}"),
    (metrics.TIES, "Ties", "{:,.0f}"),
)


def page_gone(context=None) -> bool:
    """Return True when the session's browser page has closed or disconnected.

    Args:
        context: A Solara kernel context; the current one when None. Outside a Solara server
            (``solara.render`` in tests) there is no page, and this returns False.
    """
    from solara.server import kernel_context

    if context is None:
        try:
            context = kernel_context.get_current_context()
        except Exception:  # no server: nothing to have gone
            return False
    if context.closed_event.is_set():
        return True
    statuses = list(context.page_status.values())
    return bool(statuses) and kernel_context.PageStatus.CONNECTED not in statuses


@solara.component
def Monitor(name: str, label: str, text: str):
    """A NetLogo-style monitor: a label and a value (``data-monitor`` names it for tests)."""
    solara.v.Html(
        tag="div",
        class_="sn-monitor",
        attributes={"data-monitor": name},
        style_="border: 1px solid #ddd; border-radius: 4px; padding: 2px 8px; min-width: 110px",
        children=[
            solara.v.Html(tag="div", style_="font-size: 11px; color: #666", children=[label]),
            solara.v.Html(tag="div", style_="font-size: 16px", children=[text]),
        ],
    )


@solara.component
def Monitors(session: Session, frame: int):
    """The step counter and the main measures, updated every frame."""
    model = session.model
    with solara.Row(gap="6px", style="flex-wrap: wrap"):
        Monitor("step", "Step", str(model.steps))
        Monitor("people", "People", f"{model.n_people:,}")
        for name, label, fmt in _MONITORS:
            Monitor(name, label, fmt.format(model.measures[name]))
        for iv in session.run.interventions:
            st = iv.status()
            Monitor(
                f"intervention-{iv.kind}",
                iv.title or iv.kind,
                f"reached {st.get('reached', 0)}, ties {st.get('ties_created', 0)}",
            )


@solara.component
def ViewOptions(colour_by, size_by, min_strength):
    """How the network is drawn: colour, size, weakest ties shown."""
    with solara.Row(gap="8px", style="flex-wrap: wrap; align-items: center"):
        solara.Select(
            "Colour people by",
            values=[v[0] for v in COLOUR_MEASURES.values()],
            value=COLOUR_MEASURES[colour_by.value][0],
            on_value=lambda lab: colour_by.set(
                next(k for k, v in COLOUR_MEASURES.items() if v[0] == lab)
            ),
            style="max-width: 200px",
        )
        solara.Select(
            "Size people by",
            values=list(SIZE_MEASURES.values()),
            value=SIZE_MEASURES[size_by.value],
            on_value=lambda lab: size_by.set(next(k for k, v in SIZE_MEASURES.items() if v == lab)),
            style="max-width: 200px",
        )
        with solara.Column(style="min-width: 220px"):
            solara.SliderFloat(
                "Hide ties weaker than", value=min_strength, min=0.0, max=1.0, step=0.05
            )


@solara.component
def ModelTab(session, frame, colour_by, size_by, min_strength, on_select):
    """NetLogo's interface view: the world, monitors and the main plot."""
    Monitors(session, frame)
    ViewOptions(colour_by, size_by, min_strength)
    with solara.Columns([3, 2]):
        with solara.Column():
            NetworkView(
                session.run,
                session.frame,
                colour_by=colour_by.value,
                size_by=size_by.value,
                min_strength=min_strength.value,
                selected=session.selected,
                on_select=on_select,
            )
            if session.selected is not None:
                PersonCard(session.run, session.selected, frame)
        with solara.Column():
            Chart(wellbeing_option(session.run.dataframe()), "wellbeing", height=300)
            measure = colour_by.value
            Chart(
                histogram_option(
                    session.run.values(measure),
                    f"{COLOUR_MEASURES[measure][0]}: how many people at each level",
                ),
                "histogram",
                height=220,
            )


@solara.component
def PlotsTab(session, frame):
    """Every live plot: wellbeing, strain, support by type and by tie kind, network, histograms."""
    run = session.run
    df = run.dataframe()
    with solara.Columns([1, 1]):
        Chart(wellbeing_option(df), "wellbeing-all")
        Chart(strain_option(df), "strain")
    with solara.Columns([1, 1]):
        Chart(support_type_option(df), "support-type")
        Chart(support_kind_option(df), "support-kind")
    with solara.Columns([1, 1]):
        Chart(network_option(df), "network-measures")
        Chart(
            histogram_option(
                run.values("degree"),
                "Ties per person",
                colour="#7f7f7f",
                x_name="ties",
                integer=True,
            ),
            "degree-histogram",
        )
    with solara.Columns([1, 1, 1, 1]):
        for name in ("stress", "depression", "loneliness", "perceived_support"):
            Chart(
                histogram_option(run.values(name), COLOUR_MEASURES[name][0]),
                f"histogram-{name}",
                height=200,
            )


@solara.component
def Page():
    """The whole dashboard (one per browser session).

    Two redraw counters keep a frame cheap: ``frame`` changes when the runs move (a step, a
    reset) and redraws the views; ``edits`` changes when settings are edited and redraws the
    controls. Stepping never redraws the hundred parameter controls.
    """
    session = solara.use_memo(Session, [])
    frame = solara.use_reactive(0)
    edits = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(5)
    colour_by = solara.use_reactive("stress")
    size_by = solara.use_reactive("degree")
    min_strength = solara.use_reactive(0.0)
    tab = solara.use_reactive(0)

    def play_loop():
        # Runs in a thread while Play is on; each frame steps the run(s), then redraws.
        while playing.value:
            if page_gone():
                # Nobody is watching (the tab was closed): stop, rather than keep a classroom
                # server busy until the abandoned session is freed.
                playing.value = False
                break
            started = time.perf_counter()
            pause, steps = SPEEDS[speed.value - 1]
            session.step(steps, stop=lambda: not playing.value)
            frame.value += 1
            wait = max(pause, MIN_FRAME) - (time.perf_counter() - started)
            if wait > 0:
                time.sleep(wait)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    # Stable callbacks (the same objects every render), so that components whose other
    # arguments did not change are not redrawn.
    def _moved():
        frame.value += 1

    def _edited():
        edits.value += 1

    def _both():
        edits.value += 1
        frame.value += 1

    def _select(person):
        session.select(person)
        _both()

    moved = use_stable(_moved, session)
    edited = use_stable(_edited, session)
    both = use_stable(_both, session)
    select = use_stable(_select, session)

    solara.Title("SupportNet")
    with solara.AppBar():
        solara.AppBarTitle("SupportNet: social support and mental health")
    with solara.Sidebar():
        Controls(session, playing, speed, moved, both, edited, edits.value)
    Views(session, frame.value, colour_by, size_by, min_strength, tab, select, both)


@solara.component
def Controls(session, playing, speed, moved, both, edited, version):
    """The sidebar: run buttons, scenario, interventions, parameters (redrawn on edits only)."""
    if session.error:
        solara.Error(session.error, dense=True)
    with solara.Card("Run", margin=0):
        RunControls(session, playing, speed, moved, both, version)
    with solara.Card("Scenario", margin=0):
        PresetPicker(session, version, both)
    if interventions_available() is not None:
        with solara.Card("Interventions", margin=0):
            InterventionPanel(session, version, edited)
    with solara.Card("Parameters", margin=0):
        ParameterPanel(session, version, edited)


@solara.component
def Views(session, frame, colour_by, size_by, min_strength, tab, select, both):
    """The tabs (redrawn every frame; only the open tab is drawn)."""
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab("Model"):
            ModelTab(session, frame, colour_by, size_by, min_strength, select)
        with solara.lab.Tab("Plots"):
            PlotsTab(session, frame)
        with solara.lab.Tab("Inspector"):
            Inspector(session, frame, select)
        with solara.lab.Tab("Compare"):
            CompareTab(session, frame, colour_by.value, size_by.value, min_strength.value, both)
        with solara.lab.Tab("Results"):
            ResultsExplorer()
        with solara.lab.Tab("Info"):
            InfoTab()
