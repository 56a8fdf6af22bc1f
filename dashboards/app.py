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

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, cast

import solara

from supportnet import metrics

from . import exports, play, runfile
from .compare import CompareTab
from .controls import (
    FieldError,
    InterventionPanel,
    ParameterPanel,
    PresetPicker,
    RunControls,
    SliderField,
    Upload,
    decode_upload,
    use_stable,
)
from .info import InfoTab
from .inspector import Inspector, PersonCard
from .lessons_tab import LessonsTab
from .network import NetworkView
from .plots import (
    Chart,
    histogram_option,
    mood_option,
    network_option,
    strain_option,
    support_kind_option,
    support_type_option,
    wellbeing_option,
)
from .results import ResultsExplorer
from .session import (
    COLOUR_MEASURES,
    DEFAULT_SPEED,
    SIZE_MEASURES,
    Session,
    interventions_available,
)
from .store import SAVE_EVERY, RunStore

__all__ = ["Guarded", "Page", "page_context", "page_gone", "session_key"]

log = logging.getLogger(__name__)

#: The tabs, in the order :func:`Views` draws them (the Lessons tab opens Compare by its place).
TABS = ("Model", "Plots", "Inspector", "Compare", "Results", "Info", "Lessons")

#: The page's own styles: the model tab lays out by the room it has (network and charts side by
#: side on a wide screen, one above the other on a narrow one), and field errors stand out.
CSS = """
.sn-model { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; width: 100%; }
.sn-model-network { flex: 3 1 460px; min-width: 300px; }
.sn-model-side { flex: 2 1 320px; min-width: 280px; }
.sn-field-error { color: #b00020; font-size: 12px; line-height: 1.3; margin: 2px 0 4px; }
.sn-slider-label { font-size: 13px; color: rgba(0, 0, 0, 0.7); display: flex; gap: 6px; }
.sn-slider-label .sn-unit { color: #777; font-size: 12px; }
.sn-slider-label .sn-unit::before { content: "("; }
.sn-slider-label .sn-unit::after { content: ")"; }
.sn-number input { text-align: right; }
.sn-number .v-text-field__suffix { font-size: 12px; color: #666; padding-left: 4px; }
.sn-number.v-text-field--outlined.v-input--dense > .v-input__control > .v-input__slot {
  min-height: 32px;
}
.sn-exports .v-btn { text-transform: none; }
"""

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


def page_context():
    """Return the Solara kernel context of the page being drawn, or None outside a server.

    Taken while the page renders and handed to the threads that work for it (Play, restoring a
    run), which ask :func:`page_gone` about it. A thread cannot look its context up when it asks:
    closing a tab closes its kernel at once, and Solara then removes the closed context from
    every thread, so a lookup fails exactly when the page has gone (and failing looked like
    "no server, so nothing has gone": Play went on for ever, after the session was freed).
    """
    from solara.server import kernel_context

    try:
        return kernel_context.get_current_context()
    except RuntimeError:  # solara.render in tests, or no Solara at all: no page
        return None


def page_gone(context) -> bool:
    """Return True when the session's browser page has closed or disconnected.

    Args:
        context: The page's Solara kernel context, from :func:`page_context`. None (outside a
            Solara server: ``solara.render`` in tests) has no page, and this returns False.
    """
    from solara.server import kernel_context

    if context is None:
        return False
    if context.closed_event.is_set():
        return True
    statuses = list(context.page_status.values())
    return bool(statuses) and kernel_context.PageStatus.CONNECTED not in statuses


def monitor(name: str, label: str, text: str) -> dict[str, str]:
    """A NetLogo-style monitor: a label and a value (``data-monitor`` names it for tests)."""
    return {"name": name, "label": label, "text": text}


@solara.component_vue("monitors.vue", vuetify=False)
def _MonitorRow(monitors: list):
    pass


@solara.component
def Monitors(session: Session, frame: int):
    """The step counter and the main measures, updated every frame.

    One widget for all of them (``monitors.vue``): a picture then sends one message for the
    monitors, not one per monitor (each message costs the server and the browser its own
    round of work, whatever its size).
    """
    model = session.model
    shown = [
        monitor("step", "Step", str(model.steps)),
        monitor("people", "People", f"{model.n_people:,}"),
    ]
    for name, label, fmt in _MONITORS:
        shown.append(monitor(name, label, fmt.format(model.measures[name])))
    for iv in session.run.interventions:
        st = iv.status()
        shown.append(
            monitor(
                f"intervention-{iv.kind}",
                iv.title or iv.kind,
                f"reached {st.get('reached', 0)}, ties {st.get('ties_created', 0)}",
            )
        )
    _MonitorRow(monitors=shown)


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
        with solara.Column(style="min-width: 260px; max-width: 340px"):
            SliderField(
                "Hide ties weaker than",
                min_strength.value,
                0.0,
                1.0,
                0.05,
                lambda v: _set_strength(min_strength, v),
                unit="strength",
                field="min_strength",
            )


def _set_strength(min_strength, value) -> None:
    """Apply a typed or slid tie-strength threshold (text that is no number in 0-1 is ignored)."""
    try:
        value = float(str(value).strip())
    except ValueError:
        return
    if 0.0 <= value <= 1.0:
        min_strength.set(value)


@solara.component
def ModelTab(session, frame, colour_by, size_by, min_strength, on_select):
    """NetLogo's interface view: the world, monitors and the main plot."""
    Monitors(session, frame)
    ViewOptions(colour_by, size_by, min_strength)
    with solara.Div(classes=["sn-model"]):
        with solara.Div(classes=["sn-model-network"]):
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
        with solara.Div(classes=["sn-model-side"]):
            df = session.run.dataframe()
            Chart(wellbeing_option(df), "wellbeing", height=300)
            if session.run.model.mood is not None:
                Chart(mood_option(df), "moods", height=260)
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
    if run.model.mood is not None:
        Chart(mood_option(df), "moods-all")
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


#: Seconds after a session ends at which the memory of closed sessions is handed back. Not only
#: once: a closed session's objects can be freed later (its Play thread notices the page has
#: gone, a request in flight ends), and memory freed after the last hand-back stays with the
#: process.
RELEASE_AFTER = (2.0, 15.0, 60.0)


def _release_memory() -> None:
    """Return the memory of closed sessions to the system.

    A closed session's model is garbage once its kernel is gone, but Python and the C allocator
    keep freed memory for reuse; on a class server that is the memory of thirty models after the
    lesson. A full collection and glibc's ``malloc_trim`` hand it back.
    """
    import contextlib
    import ctypes
    import gc

    gc.collect()
    # Not glibc: the allocator keeps the memory, nothing breaks.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _kernel_started():
    # Called when a browser session starts; what it returns is called when the session ends.
    return _schedule_release


_release_lock = threading.Lock()
#: When the hand-backs already scheduled will run (time.monotonic()).
_release_due: list[float] = []


def _schedule_release() -> None:
    """Schedule the hand-backs of :data:`RELEASE_AFTER` for a session that ended.

    A class closing at once ends thirty sessions within seconds, and a full collection costs
    the whole process a pause: a hand-back already due at about the same time (within a quarter
    of the delay) covers this one.
    """
    now = time.monotonic()
    with _release_lock:
        for delay in RELEASE_AFTER:
            due = now + delay
            if any(abs(d - due) <= delay / 4 for d in _release_due):
                continue
            _release_due.append(due)
            timer = threading.Timer(delay, _run_release, args=(due,))
            timer.daemon = True
            # Solara's threads run in the kernel context they were made in, and keep it alive
            # while they run; this one is made as a session ends, and would keep that session
            # (its whole page and model) alive through its own collection. It needs no context.
            if hasattr(timer, "current_context"):
                timer.current_context = None
            timer.start()


def _run_release(due: float) -> None:
    with _release_lock:
        _release_due.remove(due)
    _release_memory()


solara.lab.on_kernel_start(_kernel_started)


def session_key() -> str | None:
    """The browser's session cookie (its run file's name), or None outside a server."""
    try:
        return solara.get_session_id()
    except Exception:  # solara.render in tests: no browser, nothing to restore
        return None


@solara.component
def Guarded(part: str, frame: int, render):
    """Draw ``render()``; if it fails, say so in one line and try again at the next frame.

    A page must never show a traceback: a failure (a rare race with a run being rebuilt, say) is
    logged on the server with its traceback, and the page shows a short note instead of the part
    until the next frame redraws it.
    """
    exc, clear = solara.use_exception()

    def retry():
        if exc is not None:
            clear()

    solara.use_effect(retry, [frame])
    if exc is not None:
        log.error("%s could not be drawn", part, exc_info=exc)
        with solara.Row(style="align-items: center"):
            solara.Warning(
                f"The {part} could not be drawn this time ({type(exc).__name__}); it is drawn "
                "again at the next step. Your run is not affected.",
                dense=True,
            )
            solara.Button("Draw again", on_click=clear, text=True)
        return
    render()


@solara.component
def Page():
    """The whole dashboard (one per browser session).

    Two redraw counters keep a frame cheap: ``frame`` changes when the runs move (a step, a
    reset) and redraws the views; ``edits`` changes when settings are edited and redraws the
    controls. Stepping never redraws the hundred parameter controls.

    The session's run is saved (as a run file, see :mod:`~supportnet.dashboards.store`) whenever
    it changes, and restored when the page opens again in the same browser.
    """
    session = solara.use_memo(Session, [])
    store = solara.use_memo(RunStore, [])
    key = solara.use_memo(session_key, [])
    painted = solara.use_memo(play.Painted, [])
    context = solara.use_memo(page_context, [])
    # Plain reactive values, not use_reactive: a component that owns a use_reactive is redrawn
    # whenever it changes, and the frame counter changes ten times a second. With these, only the
    # components that read the counter (the views) are redrawn.
    frame = solara.use_memo(lambda: solara.reactive(0), [])
    edits = solara.use_memo(lambda: solara.reactive(0), [])
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(float(DEFAULT_SPEED))
    colour_by = solara.use_reactive("stress")
    size_by = solara.use_reactive("degree")
    min_strength = solara.use_reactive(0.0)
    tab = solara.use_reactive(0)
    # A run file to restore (the saved one at first, or one the user opened), and progress.
    # (use_reactive follows the value it is given: that value must be read once, not per render.)
    saved = solara.use_memo(lambda: store.load(key) if key else None, [])
    to_restore = solara.use_reactive(cast(Any, saved))
    restoring = solara.use_reactive(cast(str | None, None))
    loaded = solara.use_ref(False)

    def redraw() -> int:
        frame.value += 1
        return frame.value

    def gone() -> bool:
        return page_gone(context)

    def play_loop():
        # Runs in a thread while Play is on (see play.play: pace, turns, back-pressure).
        play.play(
            playing=lambda: playing.value,
            rate=lambda: speed.value,
            step=lambda n, stop: session.step(n, stop=stop),
            redraw=redraw,
            painted=painted,
            gone=gone,
        )
        if gone():
            # Nobody is watching (the tab was closed or lost its connection): Play is off, also
            # for a page that reconnects to this session.
            playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def restore_task():
        data = to_restore.value
        if data is None:
            loaded.current = True
            return
        playing.value = False
        restoring.value = "Restoring your run…"

        def progress(k: int, n: int) -> None:
            restoring.value = f"Restoring your run: step {k:,} of {n:,}"

        try:
            runfile.restore(session, data, progress=progress, stop=gone)
        finally:
            loaded.current = True
            to_restore.value = None
            restoring.value = None
            edits.value += 1
            frame.value += 1

    solara.lab.use_task(restore_task, dependencies=[to_restore.value], prefer_threaded=True)

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

    def _open(data):
        playing.value = False
        to_restore.value = data

    moved = use_stable(_moved, session)
    edited = use_stable(_edited, session)
    both = use_stable(_both, session)
    select = use_stable(_select, session)
    open_run = use_stable(_open, session)

    solara.Title("SupportNet")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("SupportNet: social support and mental health")
    if restoring.value is not None:
        with solara.Sidebar():
            solara.Info(restoring.value)
        solara.Info(restoring.value)
        return
    with solara.Sidebar():
        version = edits.value  # read here only (see Stage)
        Guarded(
            "controls",
            version,
            lambda: Controls(session, playing, speed, moved, both, edited, version, open_run),
        )

    def stage():
        return Stage(session, frame, edits, playing, painted, loaded, restoring, key, store,
                     colour_by, size_by, min_strength, tab, select, both)  # fmt: skip

    OwnRender(stage)  # a picture redraws the views alone (see OwnRender)


@solara.component
def OwnRender(make: Callable[[], solara.Element]):
    """Render ``make()`` in a render context of its own, inside the page.

    Solara redraws a page from its root: every redraw walks the whole page and compares every
    property of every widget in it, a hundred sidebar controls included (about 1,100 properties,
    half the server's time for a picture at the default town). Rendered on its own, the element
    redraws alone when a value it reads changes (the frame counter, at every picture), and the
    page around it is not visited. It is built once, when this component first draws (``make``
    must only close over values that stay the same, as the page's own reactive values do), and
    closed with it.
    """
    widget, set_widget = solara.use_state(cast(Any, None))

    def build():
        # In an effect, not in the render: an element made while a component renders becomes
        # that component's child as well, and an effect runs only for what stays on the page.
        root, context = solara.render_fixed(make(), handle_error=False)
        set_widget(root)
        return context.close

    solara.use_effect(build, [])
    if widget is None:
        return
    solara.Column(children=[widget], gap="0px", style="width: 100%")


@solara.component
def Stage(session, frame, edits, playing, painted, loaded, restoring, key, store,
          colour_by, size_by, min_strength, tab, select, both):  # fmt: skip
    """The part of the page that follows the run: the views, and saving the run file.

    Only this part reads the frame counter, so a frame redraws the views alone, not the page
    around them (a hundred controls in the sidebar are not even visited).
    """
    last_save = solara.use_ref(0.0)
    solara.use_effect(lambda: painted.mark(frame.value), [frame.value])

    def save():
        # Saved on every change, at most every SAVE_EVERY seconds while playing; not before the
        # saved run was restored (that would overwrite it with the default run).
        if key is None or not loaded.current or restoring.value is not None:
            return
        now = time.monotonic()
        if playing.value and now - last_save.current < SAVE_EVERY:
            return
        last_save.current = now
        try:
            store.save(key, runfile.from_session(session))
        except OSError as exc:  # a full or read-only disk must not break the page
            log.warning("could not save the run file: %s", exc)

    solara.use_effect(save, [frame.value, edits.value, playing.value])
    # The counter is read here, not in the lambda: a component that reads a reactive value is
    # redrawn when it changes, and a second reader would make every frame two render passes.
    now = frame.value
    Guarded(
        "view",
        now,
        lambda: Views(session, now, colour_by, size_by, min_strength, tab, select, both),
    )


@solara.component
def Controls(session, playing, speed, moved, both, edited, version, open_run):
    """The sidebar: run buttons, scenario, save and export, interventions, parameters.

    Redrawn on edits only. Errors stand by their fields; only an error that belongs to no
    field is shown at the top (in a slot that is always there, so nothing below it moves).
    """
    with solara.Column(gap="0px"):
        general = session.error_of("")
        if general:
            solara.Error(general, dense=True)
    with solara.Card("Run", margin=0):
        RunControls(session, playing, speed, moved, both, version)
    with solara.Card("Scenario", margin=0):
        PresetPicker(session, version, both)
    with solara.Card("Save and export", margin=0):
        Exports(session, version, open_run, edited)
    if interventions_available() is not None:
        with solara.Card("Interventions", margin=0):
            InterventionPanel(session, version, edited)
    with solara.Card("Parameters", margin=0):
        ParameterPanel(session, version, edited)


@solara.component
def Exports(session: Session, version: int, open_run, on_change):
    """Downloads (table, network, run file) and opening a saved run file.

    The pictures (network view, charts) are saved by the buttons on them, from what the browser
    drew.
    """
    stem = exports.file_stem(session).rsplit("-step", 1)[0]

    def opened(info: dict) -> None:
        data = decode_upload(info) or b""
        try:
            parsed = runfile.parse(data)
        except runfile.RunFileError as exc:
            session._fail("runfile", str(exc).replace("run file:", f"run file {info['name']!r}:"))
            on_change()
            return
        open_run(parsed)

    with solara.Column(gap="4px", classes=["sn-exports"]):
        solara.FileDownload(
            lambda: exports.csv_bytes(session.run),
            filename=f"{stem}.csv",
            label="Per-step table (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: exports.graphml_bytes(session.run),
            filename=f"{stem}.graphml",
            label="Network with states (GraphML)",
            mime_type="application/xml",
        )
        solara.FileDownload(
            lambda: exports.run_file_bytes(session),
            filename=f"{stem}.supportnet.json",
            label="Run file (settings, seed, step)",
            mime_type="application/json",
        )
        Upload(
            name="runfile",
            label="Open a run file…",
            accept=".json",
            max_bytes=1_000_000,
            event_file=opened,
        )
        FieldError(session.error_of("runfile"), "runfile")
        solara.Text(
            "Pictures: the PNG buttons on the network and on each chart.",
            style="font-size: 11px; color: #666",
        )


@solara.component
def Views(session, frame, colour_by, size_by, min_strength, tab, select, both):
    """The tabs (redrawn every frame; only the open tab is drawn)."""
    open_compare = solara.use_memo(lambda: lambda: tab.set(TABS.index("Compare")), [tab])
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
        with solara.lab.Tab("Lessons"):
            LessonsTab(session, both, open_compare)
