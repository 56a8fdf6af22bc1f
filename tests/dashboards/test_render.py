"""Every control of the dashboard, driven without a browser (`solara.render`)."""

from __future__ import annotations

import json

import ipyvuetify as v
import pytest
import solara

from supportnet import PARAMETERS, PRESETS
from supportnet.dashboards import app, controls
from supportnet.dashboards.controls import (
    InterventionPanel,
    ParameterPanel,
    help_text,
    label_of,
    widget_kind,
)
from supportnet.dashboards.info import SECTIONS
from supportnet.dashboards.session import (
    COLOUR_MEASURES,
    SIZE_MEASURES,
    Session,
    interventions_available,
)
from supportnet.params import GROUPS, Param

from .helpers import (
    button,
    by_label,
    make_sweep,
    monitor,
    number_box,
    page_text,
    slide,
    type_into,
    widgets,
)

WHAT_B = "What B changes (type to search)"
#: The default town, as the People monitor shows it (the page starts from the defaults).
DEFAULT_PEOPLE = PARAMETERS["n_people"].default
SMALL = {"n_people": 80, "convoy_inner": 3, "convoy_sympathy": 6, "convoy_wider": 12}


def render(element):
    box, rc = solara.render(element, handle_error=False)
    return box, rc


@solara.component
def Harness(session: Session, panel):
    """Renders one panel with a redraw counter, as the page does."""
    version = solara.use_reactive(0)
    panel(session, version.value, lambda: version.set(version.value + 1))


@solara.component
def FullPage():
    with solara.AppLayout():
        app.Page()


def _other_value(p: Param):
    """A valid value different from the default, for exercising a control."""
    if p.type is bool:
        return not p.default
    if p.type is str:
        return next((c for c in p.choices if c != p.default), "somefile.txt")
    if controls.widget_kind(p) == "slider":
        if p.type is int:
            return int(p.low) + 1 if p.default != int(p.low) + 1 else int(p.low) + 2
        step = controls._float_step(p)
        target = p.low + 0.37 * (p.high - p.low)
        return round(round((target - p.low) / step) * step + p.low, 10)
    return p.default + 1 if p.type is int else p.default * 1.5 + 0.5


def _set(rc, p: Param, value, label=None) -> None:
    label = label or label_of(p.name)
    kind = widget_kind(p)
    if kind == "switch":
        by_label(rc, v.Switch, label).v_model = value
    elif kind == "select":
        by_label(rc, v.Select, label).v_model = value
    elif kind == "slider":
        slide(rc, label, value)
    else:  # text and number inputs are text fields
        type_into(number_box(rc, label), str(value))


@pytest.mark.parametrize("group", ["main", *GROUPS])
def test_every_parameter_has_a_working_control(group):
    """Each parameter's control sets it (one group per test keeps the widget tree small)."""
    session = Session(seed=1, **SMALL)
    box, rc = render(Harness(session, ParameterPanel))
    if group == "main":
        params = [p for p in PARAMETERS.values() if p.main]
    else:
        params = [p for p in PARAMETERS.values() if p.group == group and not p.main]
        if not params:
            pytest.skip(f"every parameter of {group} is a main one")
        button(rc, f"▸ {group.capitalize()}").click()
    text = page_text(box)
    if group != "main":
        button(rc, f"▾ {group.capitalize()}").click()  # closing hides the group's controls
        assert all(help_text(p) not in page_text(box) for p in params)
        button(rc, f"▸ {group.capitalize()}").click()
    for p in params:
        assert help_text(p) in text, f"no help text for {p.name}"
        value = _other_value(p)
        _set(rc, p, value)
        got = session.values[p.name]
        assert got == pytest.approx(value), f"control of {p.name} did not set it"
        assert session.error is None, session.error
    # The edits wait for Reset, and the page says which.
    assert "Changed, not applied yet" in page_text(box)


def test_main_parameters_are_on_the_first_screen():
    session = Session(seed=1, **SMALL)
    box, rc = render(Harness(session, ParameterPanel))
    for p in PARAMETERS.values():
        name = label_of(p.name)
        found = [
            w
            for w in widgets(box)
            if getattr(w, "label", None) == name
            or (getattr(w, "attributes", None) or {}).get("aria-label") == name
        ]
        assert bool(found) == p.main, p.name  # others only once their group is opened


def test_a_bad_typed_value_is_refused_with_the_field_named():
    session = Session(seed=1, **SMALL)
    box, rc = render(Harness(session, ParameterPanel))
    type_into(number_box(rc, "N people"), "1")  # below the minimum of 2
    assert "n_people" in session.error and session.values["n_people"] == 80
    # The error stands under its field, and goes when the field is fixed.
    assert rc.find(v.Html, attributes={"data-error-for": "n_people", "role": "alert"}).widgets
    type_into(number_box(rc, "N people"), "90")
    assert session.error is None and session.values["n_people"] == 90
    assert not rc.find(v.Html, attributes={"data-error-for": "n_people", "role": "alert"}).widgets


def test_a_slider_shows_its_value_and_unit_and_takes_a_typed_one():
    session = Session(seed=1, **SMALL)
    box, rc = render(Harness(session, ParameterPanel))
    rate = number_box(rc, "Stressor rate")
    assert rate.v_model == "0.05"
    assert "per person per step" in page_text(box)  # its unit, by its name
    type_into(rate, "0.12")
    assert session.values["stressor_rate"] == 0.12
    assert number_box(rc, "Stressor rate").v_model == "0.12"
    slide(rc, "Stressor rate", 0.3)
    assert number_box(rc, "Stressor rate").v_model == "0.3"
    type_into(number_box(rc, "Stressor rate"), "2")  # out of range: refused, said by the field
    assert "stressor_rate" in session.error_of("stressor_rate")
    assert session.values["stressor_rate"] == 0.3


def test_open_groups_stay_open_when_an_error_appears():
    session = Session(seed=1, **SMALL)
    box, rc = render(Harness(session, ParameterPanel))
    button(rc, "▸ Stressors").click()
    button(rc, "▸ Ties").click()
    type_into(number_box(rc, "N people"), "x")
    assert session.error_of("n_people")
    button(rc, "▾ Stressors")  # still open
    button(rc, "▾ Ties")


@pytest.mark.skipif(interventions_available() is None, reason="interventions not installed")
def test_every_intervention_setting_has_a_working_control():
    iv = interventions_available()
    session = Session(seed=1, **SMALL)
    box, rc = render(Harness(session, InterventionPanel))
    for kind, cls in iv.INTERVENTIONS.items():
        by_label(rc, v.Switch, cls.title).v_model = True
        assert kind in session.interventions
        button(rc, f"▸ {cls.title} settings").click()
        text = page_text(box)
        for p in cls.parameters().values():
            assert help_text(p) in text
            value = _other_value(p)
            if p.name == "duration":
                value = 50
            _set(rc, p, value)
            assert session.interventions[kind][p.name] == pytest.approx(value), (kind, p.name)
        assert "press Reset" in page_text(box)
        by_label(rc, v.Switch, cls.title).v_model = False
        assert kind not in session.interventions


def test_page_step_play_pause_reset_speed_seed():
    box, rc = render(FullPage())
    assert monitor(rc, "step") == "0" and monitor(rc, "people") == f"{DEFAULT_PEOPLE:,}"
    ties_seed42 = monitor(rc, "ties")
    button(rc, "Step").click()
    assert monitor(rc, "step") == "1"
    slide(rc, "Speed", 9)
    assert "1000 model steps per second" in page_text(box)
    assert number_box(rc, "Speed").v_model == "1000"
    button(rc, "Play").click()
    import time

    deadline = time.time() + 20
    while int(monitor(rc, "step")) < 60 and time.time() < deadline:
        time.sleep(0.1)
    assert int(monitor(rc, "step")) >= 60
    assert button(rc, "Step").disabled  # no single steps while playing
    button(rc, "Pause").click()
    time.sleep(0.5)  # a frame already under way finishes
    paused_at = monitor(rc, "step")
    time.sleep(0.5)
    assert monitor(rc, "step") == paused_at
    assert not button(rc, "Step").disabled
    type_into(number_box(rc, "Seed"), "7")
    button(rc, "Reset").click()
    assert monitor(rc, "step") == "0"
    assert monitor(rc, "ties") != ties_seed42  # another seed, another town
    type_into(number_box(rc, "Seed"), "42")
    button(rc, "Reset").click()
    assert monitor(rc, "ties") == ties_seed42  # and the same seed, the same town


def test_page_parameter_change_and_presets():
    box, rc = render(FullPage())
    type_into(number_box(rc, "N people"), "120")
    assert "Changed, not applied yet: N people" in page_text(box)
    assert monitor(rc, "people") == f"{DEFAULT_PEOPLE:,}"  # not before Reset
    button(rc, "Reset").click()
    assert monitor(rc, "people") == "120"
    for name, preset in PRESETS.items():
        by_label(rc, v.Select, "Preset").v_model = preset.title
        n = preset.params().n_people
        assert monitor(rc, "people") == f"{n:,}", name
        assert preset.story in page_text(box)
    type_into(number_box(rc, "N people"), "30000")
    assert "supportnet run" in page_text(box)


def _network(box):
    return [w for w in widgets(box) if hasattr(w, "delta") and hasattr(w, "pos")]


def _charts(box):
    return {
        w.name: json.loads(w.spec)
        for w in widgets(box)
        if hasattr(w, "spec") and hasattr(w, "name")
    }


def test_view_options_and_selecting_a_person():
    box, rc = render(FullPage())
    (net,) = _network(box)
    colour, m = net.colour, net.m
    by_label(rc, v.Select, "Colour people by").v_model = "Loneliness"
    (net,) = _network(box)
    assert net.colour != colour and net.legend["title"] == "Loneliness"
    assert "Loneliness: how many" in _charts(box)["histogram"]["title"]["text"]
    for key, (label, _) in COLOUR_MEASURES.items():
        by_label(rc, v.Select, "Colour people by").v_model = label
        (net,) = _network(box)
        assert net.legend["title"] == label
        # a scale with its two ends, except mood: three states, three swatches
        assert set(net.legend) == (
            {"title", "swatches"} if key == "mood" else {"title", "low", "high"}
        )
        assert _charts(box)["histogram"]["title"]["text"].startswith(label), key
    for key, label in SIZE_MEASURES.items():
        by_label(rc, v.Select, "Size people by").v_model = label
        (net,) = _network(box)
        sizes = set(__import__("base64").b64decode(net.size))
        assert (len(sizes) == 1) == (key == "none"), key
    slide(rc, "Hide ties weaker than", 0.6)
    (net,) = _network(box)
    assert net.m < m
    net.vue_select(5)  # what a click on person 5 in the canvas sends
    (net,) = _network(box)
    assert net.selected == 5 and "<strong>Person 5</strong>" in page_text(box)
    net.vue_select(-1)  # a click on empty space clears
    (net,) = _network(box)
    assert net.selected == -1 and "<strong>Person 5</strong>" not in page_text(box)


def _tab(rc, index):
    rc.find(v.Tabs).widget.v_model = index


def test_tabs_plots_inspector_info():
    box, rc = render(FullPage())
    button(rc, "Step").click()
    _tab(rc, 1)
    charts = _charts(box)
    for name in ("wellbeing-all", "strain", "support-type", "support-kind", "network-measures",
                 "degree-histogram", "histogram-stress", "histogram-loneliness"):  # fmt: skip
        assert name in charts
    _tab(rc, 2)
    assert "No one selected" in page_text(box)
    type_into(by_label(rc, v.TextField, "Person number"), "7")
    text = page_text(box)
    assert "Person 7" in text and "Ties by kind" in text and "Was helped by" in text
    button(rc, "Clear").click()
    assert "No one selected" in page_text(box)
    # The first number past the town: the error, with what is allowed.
    type_into(by_label(rc, v.TextField, "Person number"), str(DEFAULT_PEOPLE))
    assert f"0 to {DEFAULT_PEOPLE - 1}" in page_text(box)
    _tab(rc, 5)
    text = page_text(box)
    for section in SECTIONS:
        assert section in text


def test_the_moods_preset_shows_moods():
    box, rc = render(FullPage())
    by_label(rc, v.Select, "Preset").v_model = PRESETS["moods_spread"].title
    button(rc, "Step").click()
    charts = _charts(box)
    assert "Moods over time" in charts["moods"]["title"]["text"]
    by_label(rc, v.Select, "Colour people by").v_model = COLOUR_MEASURES["mood"][0]
    (net,) = _network(box)
    assert [sw["label"] for sw in net.legend["swatches"]] == ["content", "neutral", "discontent"]
    _tab(rc, 1)
    assert "moods-all" in _charts(box)
    _tab(rc, 5)
    assert "SISa" in page_text(box) and "Moods spread (SISa)" in page_text(box)


def test_lessons_tab_sets_up_a_lesson_like_the_preset_picker():
    box, rc = render(FullPage())
    button(rc, "Step").click()
    _tab(rc, app.TABS.index("Lessons"))
    text = page_text(box)
    assert "Lesson 1: Does support protect?" in text and "Lesson 3: Which help helps most?" in text
    setups = [
        w for w in rc.find(v.Btn).widgets if w.children and w.children[-1] == "Set up this lesson"
    ]
    assert len(setups) == 3
    setups[0].click()
    lesson = PRESETS["lesson_buffering"]
    assert by_label(rc, v.Select, "Preset").v_model == lesson.title  # the sidebar follows
    assert "Lesson 1 is set up: A and B are reset to step 0" in page_text(box)
    button(rc, "Open the Compare tab").click()
    assert rc.find(v.Tabs).widget.v_model == app.TABS.index("Compare")
    text = page_text(box)
    assert "B: buffering = off" in text and "· step 0" in text and len(_network(box)) == 2
    # The Preset picker undoes it: baseline stops the comparison.
    by_label(rc, v.Select, "Preset").v_model = PRESETS["baseline"].title
    assert "Start comparison" in page_text(box) and len(_network(box)) == 0


def test_compare_tab():
    box, rc = render(FullPage())
    _tab(rc, 3)
    assert by_label(rc, v.Autocomplete, WHAT_B).v_model == "buffering"
    assert by_label(rc, v.Switch, "B: Buffering").v_model is False  # B: the opposite of A
    items = {i["value"]: i["text"] for i in by_label(rc, v.Autocomplete, WHAT_B).items}
    assert items["stressor_rate"].startswith("Stressor rate — ")  # plain names, searchable
    assert "restarts the run" in page_text(box)  # said before it does
    by_label(rc, v.Autocomplete, WHAT_B).v_model = "n_people"
    type_into(number_box(rc, "B: N people"), "100000")
    button(rc, "Start comparison").click()
    assert "B: parameter 'n_people': 100,000 people is more than the dashboard builds" in (
        page_text(box)
    )
    assert len(_network(box)) == 0  # refused: no comparison
    by_label(rc, v.Autocomplete, WHAT_B).v_model = "stressor_rate"
    slide(rc, "B: Stressor rate", 0.2)
    button(rc, "Start comparison").click()
    assert "B: stressor_rate = 0.2" in page_text(box)
    assert len(_network(box)) == 2
    button(rc, "Step").click()
    button(rc, "Step").click()
    options = _charts(box)
    diff = options["difference"]["series"][0]["data"]
    assert [p[0] for p in diff] == [0, 1, 2] and diff[0][1] == 0
    by_label(rc, v.Select, "Measure").v_model = "Mean stress"
    options = _charts(box)
    assert "Mean stress" in options["compare"]["title"]["text"]
    assert options["difference"]["series"][0]["data"][2][1] > 0  # more events, more stress
    button(rc, "Stop comparison").click()
    assert len(_network(box)) == 0  # back to the choice (the Model tab is not shown)
    assert "Start comparison" in page_text(box)


def test_results_tab(tmp_path, monkeypatch):
    make_sweep(tmp_path / "my_sweep")
    monkeypatch.setenv("SUPPORTNET_RESULTS_DIR", str(tmp_path))
    box, rc = render(FullPage())
    _tab(rc, 4)
    by_label(rc, v.Select, f"Sweeps in {tmp_path}").v_model = str(tmp_path / "my_sweep")
    text = page_text(box)
    assert "Stressor rate and buffering (test)" in text and "24 runs" in text
    assert any(getattr(w, "format", None) == "png" and w.value for w in widgets(box))
    by_label(rc, v.Select, "Outcome").v_model = "mean_stress"
    by_label(rc, v.Select, "Lines by").v_model = "buffering"
    by_label(rc, v.Select, "Band").v_model = "lowest to highest run"
    by_label(rc, v.Select, "Parameter").v_model = "(all runs together)"
    by_label(rc, v.Select, "Parameter").v_model = "buffering"
    assert "<th>buffering</th>\n<th>group</th>\n<th>n</th>\n<th>mean</th>" in page_text(box)
    type_into(by_label(rc, v.TextField, "Folder"), str(tmp_path / "nowhere"))
    button(rc, "Open").click()
    assert "no such folder" in page_text(box)


def test_results_tab_opens_a_typed_folder_and_stays_inside_its_root(tmp_path, monkeypatch):
    """Issue 15, failure 10: typing a folder (even a valid sweep) and pressing Open crashed the
    page (KeyError: None); the box opened any server path, outside --results."""
    root = tmp_path / "results"
    make_sweep(root / "my_sweep")
    make_sweep(tmp_path / "secret")  # a sweep outside the root
    (root / "link").symlink_to(tmp_path / "secret")
    monkeypatch.setenv("SUPPORTNET_RESULTS_DIR", str(root))
    box, rc = render(FullPage())
    _tab(rc, 4)
    for typed in (str(root / "my_sweep"), "my_sweep"):  # absolute, or relative to the root
        type_into(by_label(rc, v.TextField, "Folder"), typed)
        button(rc, "Open").click()
        text = page_text(box)
        assert "Stressor rate and buffering (test)" in text and "24 runs" in text
        assert any(getattr(w, "format", None) == "png" and w.value for w in widgets(box))
    for typed in (str(tmp_path / "secret"), "../secret", "link", "/etc", str(tmp_path / "nowhere")):
        type_into(by_label(rc, v.TextField, "Folder"), typed)
        button(rc, "Open").click()
        text = page_text(box)
        assert "only folders inside" in text and "secret" not in text.split("only folders")[1][:5]
        assert "no such folder" not in text
    (root / "broken").mkdir()
    (root / "broken" / "summary.parquet").write_bytes(b"PAR1 not really")
    type_into(by_label(rc, v.TextField, "Folder"), "broken")
    button(rc, "Open").click()
    assert "cannot be read" in page_text(box)


def test_page_gone():
    import threading
    from types import SimpleNamespace

    from solara.server.kernel_context import PageStatus

    def ctx(*statuses, closed=False):
        event = threading.Event()
        if closed:
            event.set()
        return SimpleNamespace(
            closed_event=event, page_status={str(i): s for i, s in enumerate(statuses)}
        )

    assert not app.page_gone(ctx(PageStatus.CONNECTED))
    assert not app.page_gone(ctx(PageStatus.DISCONNECTED, PageStatus.CONNECTED))
    assert app.page_gone(ctx(PageStatus.DISCONNECTED))
    assert app.page_gone(ctx(PageStatus.CLOSED))
    assert app.page_gone(ctx(PageStatus.CONNECTED, closed=True))
    assert not app.page_gone(ctx())  # no page registered yet
    assert not app.page_gone(None)  # no server (solara.render): no page


# Solara's page_close makes an asyncio future outside any event loop (it copes: no loop, no cull).
@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_page_gone_after_its_kernel_closed():
    """The context taken when the page rendered says gone once the tab's kernel has closed.

    Closing a tab closes its Solara kernel at once, and Solara then forgets the closed context
    in every thread: a Play thread that looked its context up then found none, took that for
    "no server, so no page to lose" and played on for ever.
    """
    import asyncio
    import threading

    from solara.server import kernel, kernel_context

    before = set(threading.enumerate())
    loop = asyncio.new_event_loop()
    context = kernel_context.VirtualKernelContext(
        id="page-gone-test", kernel=kernel.Kernel(), session_id="session", event_loop=loop
    )
    looked_up = []
    entered, closed = threading.Event(), threading.Event()

    def session_thread():  # like the Play task: runs in the session's context
        with context:
            entered.set()
            closed.wait(10)
            looked_up.append(app.page_context())

    try:
        with context:
            taken = app.page_context()  # as the page does when it renders
        assert taken is context
        context.page_connect("page")
        assert not app.page_gone(taken)
        t = threading.Thread(target=session_thread)
        t.start()
        assert entered.wait(10)
        context.page_close("page")  # the tab's close call
        closed.set()
        t.join(10)
        assert looked_up == [None]  # what the thread finds when it looks its context up
        assert app.page_gone(taken)
    finally:
        closed.set()
        loop.close()
        # The closed session scheduled the page's memory hand-backs: not this test's business.
        for timer in set(threading.enumerate()) - before:
            if isinstance(timer, threading.Timer):
                timer.cancel()
        app._release_due.clear()


@pytest.mark.skipif(interventions_available() is None, reason="interventions not installed")
def test_compare_b_without_interventions():
    box, rc = render(FullPage())
    by_label(rc, v.Switch, "Peer support groups").v_model = True
    button(rc, "Reset").click()
    _tab(rc, 3)
    by_label(rc, v.Autocomplete, WHAT_B).v_model = "(interventions off)"
    button(rc, "Start comparison").click()
    assert "B runs without the interventions" in page_text(box)
    for _ in range(3):
        button(rc, "Step").click()
    options = _charts(box)
    assert [p[0] for p in options["difference"]["series"][0]["data"]] == [0, 1, 2, 3]


def test_a_closed_page_frees_its_model(monkeypatch):
    """Nothing kept by the dashboard's modules (Play's turns, caches, the memory hand-backs)
    keeps a closed page's session or model alive: a class's models go with their pages."""
    import gc
    import time
    import weakref

    made = []

    class Recorded(app.Session):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self))

    monkeypatch.setattr(app, "Session", Recorded)
    box, rc = render(FullPage())
    button(rc, "Step").click()
    button(rc, "Play").click()
    deadline = time.time() + 20
    while int(monitor(rc, "step")) < 5 and time.time() < deadline:
        time.sleep(0.05)
    button(rc, "Pause").click()
    time.sleep(0.5)  # the Play thread ends
    assert len(made) == 1
    model = weakref.ref(made[0]().model)
    rc.close()
    box.close()
    del box, rc
    gc.collect()
    assert made[0]() is None and model() is None
